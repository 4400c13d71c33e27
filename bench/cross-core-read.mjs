// What a product costs by where its inputs were last written: W1's weight gradients and first
// layer, timed right after their inputs were
//   again     read by the same product just before (each thread's blocks find what they read last);
//   rows      written by a two-thread elementwise kernel that splits rows as every kernel does (the
//             caller the front rows, the worker the back ones: native/pool_claim.h), as in a step;
//   caller    written by the JavaScript thread alone (all in the caller's core);
//   memory    evicted by 64 MiB written in between.
// At two threads, a block that reads lines the other core wrote pays here about what it pays for
// memory (bench/RESULTS.md, "Weight gradients in two halves of the batch"), which is why native/
// gemm.cc splits a batch's products by rows and a weight gradient's k in two halves of the batch.
// Prints µs per call, 10th percentile / median of 150, per mode.
//
//   npx tsc -p tsconfig.build.json && node bench/cross-core-read.mjs [threads=2] [ROOT=.]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const threads = Number(process.argv[2] ?? 2);
const root = resolve(process.argv[3] ?? '.');
const { loadNativeBackend, setNativeThreads } = await import(pathToFileURL(`${root}/dist/src/backend/native/index.js`).href);
const { backend: b, reason } = loadNativeBackend();
if (b === null) throw new Error(`bench/cross-core-read.mjs: the native backend did not load: ${reason}`);
setNativeThreads(threads);

let seed = 7;
const rnd = (n) => Float32Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; });
const mm = (m, n, k, transA, transB) => ({ batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0, bias: null, activation: 'none' });
// G: a [256×784] gradient (or X), H: a [256×64] activation, as in W1's step.
const G = rnd(256 * 784), H = rnd(256 * 64), W = rnd(784 * 64), out = new Float32Array(784 * 64), out64 = new Float32Array(256 * 64);
const zero784 = new Float32Array(256 * 784), zero64 = new Float32Array(256 * 64), flush = new Float32Array(16 << 20);
const modes = {
  again: () => {},
  rows: () => { b.binary('add', G, [784, 1], zero784, [784, 1], G, [256, 784]); b.binary('add', H, [64, 1], zero64, [64, 1], H, [256, 64]); },
  caller: () => { for (let i = 0; i < G.length; i++) G[i] += 0; for (let i = 0; i < H.length; i++) H[i] += 0; },
  memory: () => flush.fill(1),
};
const products = {
  'dW 784×64×256 Aᵀ (Gᵀ·H)': () => b.matmul(G, H, out, mm(784, 64, 256, true, false)),
  'dW 64×784×256 Aᵀ (Hᵀ·X)': () => b.matmul(H, G, out, mm(64, 784, 256, true, false)),
  'X·Wᵀ 256×64×784': () => b.matmul(G, W, out64, mm(256, 64, 784, false, true)),
};
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
console.log(`${threads} thread(s); µs per call, p10 / median of 150: ${Object.keys(modes).join(', ')}`);
for (const [name, run] of Object.entries(products)) {
  const cells = Object.entries(modes).map(([mode, prepare]) => {
    const times = [];
    for (let r = 0; r < 150; r++) {
      prepare();
      const t0 = process.hrtime.bigint();
      run();
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    times.sort((x, y) => x - y);
    return `${mode} ${pct(times, 0.1).toFixed(0)} / ${pct(times, 0.5).toFixed(0)}`;
  });
  console.log(`${name.padEnd(26)} ${cells.join('   ')}`);
}
