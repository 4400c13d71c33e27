#!/usr/bin/env node
// `npm run build:web [-- --out DIR]`: writes the playground as a static folder (default dist/web/)
// that `tessera playground` serves and any static host can serve:
//   index.html   the page (web/index.html)
//   app.js       web/src/main.ts and the engine's TypeScript sources bundled by esbuild for the
//                browser, with shaders/*.wgsl inlined as text (the same files the Node backend reads)
//   wasm-worker.js src/backend/wasm/web-worker.ts bundled: one thread of the wasm backend's pool, a
//                Web Worker the page starts per thread beyond its own when it is cross-origin isolated
//   tessera.wasm build/tessera.wasm (scripts/build-wasm.mjs), the page's backend when the browser gives
//                no WebGPU adapter; left out, saying so, when it was not built (the page then uses js)
//   data/        a Fashion-MNIST subset from data/fashion-mnist: the first TRAIN_COUNT training and
//                TEST_COUNT test images (raw bytes, 784 per image) and their labels, plus data/info.json
// Run by `prepare` alone, which npm runs at a git install, at `npm ci` and when packing (after
// prepack, which builds the .wasm copied here), so the published package carries dist/web and
// `npx tessera playground` needs no bundler.
import * as esbuild from 'esbuild';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TRAIN_COUNT = 3000;
export const TEST_COUNT = 1000;

/**
 * The first `count` items of an IDX file (gzip): images (magic 2051) or labels (2049). Inflates
 * only as far as those items reach (the 3000 of 60,000 training images are 5% of the file).
 */
async function idxHead(file, count) {
  const chunks = [];
  let have = 0, items = null;
  const source = createReadStream(file);
  try {
    for await (const chunk of source.pipe(createGunzip())) {
      chunks.push(chunk);
      have += chunk.length;
      if (items === null && have >= 16) items = idxItems(file, Buffer.concat(chunks), count);
      if (items !== null && have >= items.end) break;
    }
  } finally {
    source.destroy();
  }
  const bytes = Buffer.concat(chunks);
  if (items === null || bytes.length < items.end) throw new Error(`build-web: ${file} ends before its first ${count} items`);
  return bytes.subarray(items.start, items.end);
}

/** Where the first `count` items of the IDX file whose header `head` begins with lie; checks the header. */
function idxItems(file, head, count) {
  const magic = head.readUInt32BE(0);
  const n = head.readUInt32BE(4);
  if (magic !== 2051 && magic !== 2049) throw new Error(`build-web: ${file} is not an IDX image or label file (magic ${magic})`);
  if (n < count) throw new Error(`build-web: ${file} has ${n} items, fewer than the ${count} the playground serves`);
  const header = magic === 2051 ? 16 : 8;
  const itemSize = magic === 2051 ? head.readUInt32BE(8) * head.readUInt32BE(12) : 1;
  if (itemSize !== 1 && itemSize !== 784) throw new Error(`build-web: ${file} has images of ${itemSize} pixels, expected 28×28`);
  return { start: header, end: header + count * itemSize };
}

async function writeData(outDir) {
  const src = join(root, 'data', 'fashion-mnist');
  const dir = join(outDir, 'data');
  mkdirSync(dir, { recursive: true });
  const parts = { train: ['train', TRAIN_COUNT], test: ['t10k', TEST_COUNT] };
  for (const [name, [prefix, count]] of Object.entries(parts)) {
    writeFileSync(join(dir, `${name}-images.u8`), await idxHead(join(src, `${prefix}-images-idx3-ubyte.gz`), count));
    writeFileSync(join(dir, `${name}-labels.u8`), await idxHead(join(src, `${prefix}-labels-idx1-ubyte.gz`), count));
  }
  writeFileSync(join(dir, 'info.json'), `${JSON.stringify({ source: 'Fashion-MNIST (data/fashion-mnist), the first images of each split', train: TRAIN_COUNT, test: TEST_COUNT, width: 28, height: 28 })}\n`);
}

/** esbuild plugin: `import shaders from 'tessera:shaders'` gives { name: WGSL text } for shaders/*.wgsl. */
const shadersPlugin = {
  name: 'tessera-shaders',
  setup(build) {
    build.onResolve({ filter: /^tessera:shaders$/ }, () => ({ path: 'shaders', namespace: 'tessera-shaders' }));
    build.onLoad({ filter: /.*/, namespace: 'tessera-shaders' }, () => {
      const dir = join(root, 'shaders');
      const files = readdirSync(dir).filter((f) => f.endsWith('.wgsl')).sort();
      const sources = Object.fromEntries(files.map((f) => [f.slice(0, -5), readFileSync(join(dir, f), 'utf8')]));
      return { contents: `export default ${JSON.stringify(sources)};`, loader: 'js', watchFiles: files.map((f) => join(dir, f)) };
    });
  },
};

/** Bundles the page; returns esbuild's metafile (which inputs went in). */
export async function bundleWeb(outFile, options = {}) {
  const result = await esbuild.build({
    entryPoints: [join(root, 'web', 'src', 'main.ts')],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? false,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [shadersPlugin],
  });
  return result.metafile;
}

/** Bundles the wasm pool's Web Worker (a classic worker script: no imports left). */
async function bundleWasmWorker(outFile) {
  await esbuild.build({
    entryPoints: [join(root, 'src', 'backend', 'wasm', 'web-worker.ts')],
    outfile: outFile, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning',
  });
}

export async function buildWeb(outDir = join(root, 'dist', 'web')) {
  mkdirSync(outDir, { recursive: true });
  const metafile = await bundleWeb(join(outDir, 'app.js'));
  await bundleWasmWorker(join(outDir, 'wasm-worker.js'));
  copyFileSync(join(root, 'web', 'index.html'), join(outDir, 'index.html'));
  await writeData(outDir);
  const wasm = join(root, 'build', 'tessera.wasm');
  const wasmCopied = existsSync(wasm);
  if (wasmCopied) copyFileSync(wasm, join(outDir, 'tessera.wasm'));
  else {
    rmSync(join(outDir, 'tessera.wasm'), { force: true });
    console.warn(`build-web: ${wasm} is not built (node scripts/build-wasm.mjs needs clang); the page goes without the wasm backend`);
  }
  return { outDir, metafile, wasmCopied };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? resolve(process.argv[at + 1] ?? '') : undefined;
  const { outDir, wasmCopied } = await buildWeb(out);
  console.log(`build-web: wrote ${outDir} (index.html, app.js, wasm-worker.js, ${wasmCopied ? 'tessera.wasm, ' : ''}data/)`);
}
