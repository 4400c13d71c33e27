// `tessera playground`: the command prints its URL and serves the built page until its signal
// aborts; the server answers only GET/HEAD, only inside its folder, on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import { main } from '../../src/cli/main.js';
import { playgroundDir, startPlaygroundServer, type PlaygroundServer } from '../../src/cli/playground.js';
import { buildWebInto } from '../web/helpers.js';

/** A raw request, so paths like /../x reach the server unnormalised (fetch would resolve them). */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tessera playground', () => {
  let dir: string;
  let server: PlaygroundServer;

  beforeAll(async () => {
    dir = buildWebInto();
    server = await startPlaygroundServer(dir, 0);
  }, 60_000);
  afterAll(async () => { await server?.close(); });

  it('serves the folder\'s files on 127.0.0.1, index.html for /', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url, '/');
    expect(index.status).toBe(200);
    expect(index.body).toBe(readFileSync(join(dir, 'index.html'), 'utf8'));
    const info = await get(server.url, '/data/info.json');
    expect(JSON.parse(info.body)).toMatchObject({ width: 28, height: 28 });
  });

  it('isolates the page cross-origin (COOP same-origin, COEP require-corp): the wasm backend\'s workers need SharedArrayBuffer', async () => {
    for (const file of ['/', '/app.js', '/wasm-worker.js', '/data/info.json']) {
      const { status, headers } = await get(server.url, file);
      expect(status, file).toBe(200);
      expect(headers['cross-origin-opener-policy'], file).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy'], file).toBe('require-corp');
    }
    // Asked not to (as a plain static host, for the page's one-thread test), it sends neither.
    const plain = await startPlaygroundServer(dir, 0, false);
    try {
      const { status, headers } = await get(plain.url, '/');
      expect(status).toBe(200);
      expect(headers['cross-origin-opener-policy']).toBeUndefined();
      expect(headers['cross-origin-embedder-policy']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('refuses paths outside the folder, missing files and other methods', async () => {
    // URL parsing resolves /../ and /%2e%2e/ to / (then there is no package.json in the folder);
    // an encoded slash survives parsing and is refused once decoded.
    expect((await get(server.url, '/../package.json')).status).toBe(404);
    expect((await get(server.url, '/%2e%2e/package.json')).status).toBe(404);
    expect((await get(server.url, '/..%2fpackage.json')).status).toBe(403);
    expect((await get(server.url, '/nothing-here.js')).status).toBe(404);
    expect((await get(server.url, '/', 'POST')).status).toBe(405);
  });

  it('the command prints its URL, serves, and stops when its signal aborts', async () => {
    // The command serves the package's dist/web: build it there as `npm ci` (prepare) does.
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'pipe' });
    expect(playgroundDir()).toMatch(/dist[\\/]web$/);
    const controller = new AbortController();
    let out = '';
    const printed = new Promise<string>((resolve) => {
      const stdout = { write: (s: string) => { out += s; const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) resolve(m[1]); } };
      void main(['playground', '--port', '0'], { stdout, stderr: { write: () => {} }, signal: controller.signal }).then((code) => { out += `exit ${code}`; });
    });
    const url = await printed;
    expect((await get(url, '/app.js')).status).toBe(200);
    controller.abort();
    await expect.poll(() => out).toMatch(/exit 0$/);
  }, 60_000);

  it('rejects a port out of range', async () => {
    let err = '';
    const code = await main(['playground', '--port', '70000'], { stdout: { write: () => {} }, stderr: { write: (s: string) => { err += s; } } });
    expect(code).toBe(2);
    expect(err).toMatch(/port/);
  });
});
