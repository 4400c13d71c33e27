// The playground's browser bundle (scripts/build-web.mjs): the engine's own TypeScript and the
// same shaders/*.wgsl files, and nothing Node-only — no `node:` module, no require, no native
// addon, no Dawn package. Needs no browser.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildWebInto } from './helpers.js';

describe('playground bundle', () => {
  const dir = buildWebInto();
  const app = readFileSync(join(dir, 'app.js'), 'utf8');
  const worker = readFileSync(join(dir, 'wasm-worker.js'), 'utf8');

  it('bundles the wasm pool\'s Web Worker as a classic script with no import left, which joins the pool', () => {
    expect(worker.match(/\bimport\b|\brequire\s*\(|node:/g) ?? []).toEqual([]);
    expect(worker).toMatch(/tessera_worker_loop/);
    expect(worker).toMatch(/onmessage/);
  });

  it('has no Node-only import or require, no native addon and no Dawn package', () => {
    expect(app.match(/\bfrom\s*["']node:[^"']*["']|\bimport\s*\(\s*["']node:[^"']*["']\s*\)|\brequire\s*\(\s*["'][^"']*["']\s*\)/g) ?? []).toEqual([]);
    expect(app.match(/["'](fs|path|os|v8|vm|url|zlib|worker_threads|child_process|node:[a-z_/]+)["']/g) ?? []).toEqual([]);
    expect(app).not.toMatch(/tessera\.node|node-gyp-build|backend\/native|import\(\s*["']webgpu["']|loadNativeBackend/);
  });

  it('carries every shaders/*.wgsl file, byte for byte', () => {
    const files = readdirSync('shaders').filter((f) => f.endsWith('.wgsl'));
    expect(files.length).toBeGreaterThan(10);
    // esbuild re-escapes the strings (some as template literals, which hold raw newlines): evaluate
    // the bundled object literal, ending it at the first `};` after which it parses as a whole.
    const start = app.indexOf('var shaders_default = {');
    expect(start, 'the bundle has no shaders object').toBeGreaterThanOrEqual(0);
    const open = app.indexOf('{', start);
    let bundled: Record<string, string> | null = null;
    for (let end = app.indexOf('};', open); end >= 0 && bundled === null; end = app.indexOf('};', end + 1)) {
      try { bundled = new Function(`return ${app.slice(open, end + 1)};`)() as Record<string, string>; } catch { /* inside a string: go on */ }
    }
    expect(bundled, 'the shaders object does not parse').not.toBeNull();
    expect(Object.keys(bundled!).sort()).toEqual(files.map((f) => f.slice(0, -5)).sort());
    for (const f of files) expect(bundled![f.slice(0, -5)] === readFileSync(join('shaders', f), 'utf8'), f).toBe(true);
  });

  it('writes the page and a Fashion-MNIST subset whose bytes are the data folder\'s first images', () => {
    const info = JSON.parse(readFileSync(join(dir, 'data', 'info.json'), 'utf8')) as { train: number; test: number };
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/src="app\.js"/);
    const images = readFileSync(join(dir, 'data', 'train-images.u8'));
    const labels = readFileSync(join(dir, 'data', 'train-labels.u8'));
    expect(images.length).toBe(info.train * 784);
    expect(labels.length).toBe(info.train);
    expect(Math.max(...labels)).toBe(9);
    // Read independently of the build script: the gzip'd IDX file's first image after its 16-byte header.
    const idx = gunzipSync(readFileSync(join('data', 'fashion-mnist', 'train-images-idx3-ubyte.gz')));
    expect(Buffer.compare(images.subarray(0, 784), idx.subarray(16, 16 + 784))).toBe(0);
  });
});
