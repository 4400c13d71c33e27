// `tessera playground`: serves the playground page (dist/web/, written by `npm run build:web`:
// the page, the engine bundled for the browser, a Fashion-MNIST subset) on 127.0.0.1 with
// node:http, and prints its URL. Nothing is fetched from elsewhere; the page trains in the
// browser (webgpu when it gives an adapter, else wasm from the tessera.wasm served beside the
// page, else js). Runs until Ctrl-C.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Command } from './command.js';
import { CliError } from './command.js';
import type { OptionSpec } from './options.js';
import { packageRoot } from '../util/package-root.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.u8': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

// Cross-origin isolation: only an isolated page gets SharedArrayBuffer, hence the wasm backend's
// Web Workers on one shared memory (the page has no cross-origin resources, so require-corp costs nothing).
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** The built page's folder: dist/web of the package (a clear error when it was never built). */
export function playgroundDir(): string {
  const dir = path.join(packageRoot(), 'dist', 'web');
  if (!fs.existsSync(path.join(dir, 'index.html')) || !fs.existsSync(path.join(dir, 'app.js'))) {
    throw new CliError(`tessera playground: the page is not built (no index.html and app.js in ${dir}); run 'npm run build:web' in the package folder`);
  }
  return dir;
}

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` (GET and HEAD only, nothing outside it) on 127.0.0.1:port (0: any free
 * port), cross-origin isolated unless `isolated` is false (as a plain static host: tests, benches).
 */
export async function startPlaygroundServer(dir: string, port: number, isolated = true): Promise<PlaygroundServer> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad path\n');
      return;
    }
    const file = path.resolve(root, `.${rel.endsWith('/') ? `${rel}index.html` : rel}`);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end('outside the playground folder\n');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${rel}\n`);
        return;
      }
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-cache',
        ...(isolated ? ISOLATION_HEADERS : {}),
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new CliError(`tessera playground: port ${port} on 127.0.0.1 is in use; choose another with --port`)
      : e));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const options: OptionSpec[] = [
  { name: 'port', kind: 'int', min: 0, max: 65535, default: 8080, help: 'port on 127.0.0.1 (0: any free port)' },
];

export const playgroundCommand: Command = {
  name: 'playground',
  summary: 'a local page that trains the autoencoders in the browser, live',
  usage: '[--port 8080]',
  description: 'Serves the playground on 127.0.0.1 and prints its URL: the engine bundled for the browser\n(WebGPU when the browser gives an adapter, else WebAssembly, else plain js), a Fashion-MNIST subset and\nyour own dropped PNG images, with live views of the loss, reconstructions, latent map,\nweights, per-layer activations and gradients, and one step drawn op by op. Ctrl-C stops it.',
  options,
  notes: 'The page is dist/web/ (npm run build:web writes it; the package ships it). Any static host can serve that folder.',
  async run(args, io) {
    const server = await startPlaygroundServer(playgroundDir(), args.values.port as number);
    io.stdout.write(`tessera playground: open ${server.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },
};
