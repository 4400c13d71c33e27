// Elementwise, reduction, softmax, conv-lowering and optimizer kernels: the native backend
// (1 thread and all threads) against the js backend on the same Float32Arrays.
//
//   npx tsc -p tsconfig.build.json && node dist/bench/native-ops.js [--quick]
//
// Each kernel's native result is checked against js (to float32 rounding) before it is timed.
// Prints a markdown table (medians, and the worst spread of a row's three timings) and writes
// bench/out/native-ops.json. Timed with the harness's own statistics, not benchmark.js (see
// bench/RESULTS.md, "benchmark.js removed").
import { join } from 'node:path';
import { busyCores, machineLine } from './harness/machine.js';
import { outDir } from './harness/paths.js';
import { writeJson } from './harness/table.js';
import { summarize, type Summary } from './harness/stats.js';
import type { Backend, Conv2dGeometry } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { loadNativeBackend, nativeInfo, setNativeThreads } from '../src/backend/native/index.js';
import { Generator } from '../src/random.js';

type B = Backend<Float32Array>;
interface Kernel { name: string; elements: number; run: (b: B) => Float32Array }

function data(gen: Generator, n: number, lo = -4, hi = 4): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * gen.uniform();
  return a;
}

function kernels(n: number, gen: Generator): Kernel[] {
  const x = data(gen, n), y = data(gen, n), row = data(gen, 1024);
  // Outputs are allocated once: a fresh 4 MiB array per call would time the allocator.
  const o = new Float32Array(n), sums = new Float32Array(n / 1024), colSums = new Float32Array(1024), one = new Float32Array(1);
  const rows = n / 1024;
  const g: Conv2dGeometry = { n: 32, c: 16, h: 28, w: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: 28, ow: 28 };
  const img = data(gen, g.n * g.c * g.h * g.w);
  const colsSize = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
  const cols = new Float32Array(colsSize);
  const p = x.slice(), m = new Float32Array(n), v = new Float32Array(n);
  const grad = data(gen, n, -1, 1);
  return [
    { name: 'unary relu', elements: n, run: (b) => { b.unary('relu', x, o, n, {}); return o; } },
    { name: 'unary exp', elements: n, run: (b) => { b.unary('exp', x, o, n, {}); return o; } },
    { name: 'unary tanh', elements: n, run: (b) => { b.unary('tanh', x, o, n, {}); return o; } },
    { name: 'unary sigmoid', elements: n, run: (b) => { b.unary('sigmoid', x, o, n, {}); return o; } },
    { name: 'unary gelu', elements: n, run: (b) => { b.unary('gelu', x, o, n, {}); return o; } },
    { name: 'binary add (same shape)', elements: n, run: (b) => { b.binary('add', x, [1], y, [1], o, [n]); return o; } },
    { name: 'binary mul [rows,1024]·[1024]', elements: n, run: (b) => { b.binary('mul', x, [1024, 1], row, [0, 1], o, [rows, 1024]); return o; } },
    { name: 'copy transpose [rows,1024]ᵀ', elements: n, run: (b) => { b.copy(x, 0, [1, 1024], o, 0, [rows, 1], [1024, rows]); return o; } },
    { name: 'reduce sum rows (inner 1)', elements: n, run: (b) => { b.reduce('sum', x, sums, rows, 1024, 1); return sums; } },
    { name: 'reduce sum columns (outer 1)', elements: n, run: (b) => { b.reduce('sum', x, colSums, 1, rows, 1024); return colSums; } },
    // A loss's check of its target (bceLoss, the VAE): the max (and min) of one long row.
    { name: 'reduce max of one row', elements: n, run: (b) => { b.reduce('max', x, one, 1, n, 1); return one; } },
    { name: 'softmax rows of 1024', elements: n, run: (b) => { b.softmax(x, o, rows, 1024, 1, false); return o; } },
    { name: 'im2col 32×16×28×28, 3×3', elements: colsSize, run: (b) => { b.im2col(img, cols, g); return cols; } },
    { name: 'adam step', elements: n, run: (b) => {
      p.set(x); m.fill(0); v.fill(0);  // the same first step every time (included in the time)
      b.adamStep(p, grad, m, v, null, n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 });
      return p;
    } },
  ];
}

/** Samples of the time per call (each the mean of `inner` calls, inner grown until a sample takes minMs). */
function msPerRun(b: B, k: Kernel, minMs: number, repeats: number): Summary {
  k.run(b);
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) k.run(b);
    if (performance.now() - t0 >= minMs || inner >= 1 << 16) break;
    inner *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) k.run(b);
    samples.push((performance.now() - t0) / inner);
  }
  return summarize(samples);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { backend: native, reason } = loadNativeBackend();
  if (native === null) throw new Error(`bench/native-ops.ts: ${reason}`);
  const js = jsBackend as unknown as B;
  const info = nativeInfo();
  const n = 1 << 20;
  const gen = new Generator(3);
  const busy = await busyCores(500);
  const lines = [
    `machine: ${machineLine()}`,
    `native: ${JSON.stringify(info)}; busy cores before the run: ${busy === null ? 'unknown' : busy.toFixed(2)}`,
    '',
    `| kernel (${n} elements unless named) | js ms | native 1 thread ms | native ${info.threads} threads ms | speed-up (all threads vs js) | worst spread |`,
    '|---|---|---|---|---|---|',
  ];
  const rows: Record<string, unknown>[] = [];
  for (const k of kernels(n, gen)) {
    // Correctness first: native within two float32 roundings of js, relative to the value.
    const want = k.run(js).slice(), got = k.run(native);
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= 2 ** -22 * Math.abs(want[i]) + 1e-6)) {
        throw new Error(`bench/native-ops.ts: ${k.name} differs from js at ${i}: ${got[i]} vs ${want[i]}`);
      }
    }
    const minMs = quick ? 20 : 100, repeats = quick ? 3 : 5;
    const jsRun = msPerRun(js, k, minMs, repeats);
    setNativeThreads(1);
    const oneRun = msPerRun(native, k, minMs, repeats);
    setNativeThreads(info.threads);
    const allRun = msPerRun(native, k, minMs, repeats);
    const [jsMs, one, all] = [jsRun.median, oneRun.median, allRun.median];
    // Spread = (max − min) / median of the samples (bench/harness/stats.ts): a large one marks a disturbed row.
    const spread = Math.max(jsRun.spread, oneRun.spread, allRun.spread);
    rows.push({ kernel: k.name, elements: k.elements, jsMs, native1Ms: one, nativeAllMs: all, threads: info.threads,
      spread: { js: jsRun.spread, native1: oneRun.spread, nativeAll: allRun.spread } });
    lines.push(`| ${k.name} | ${jsMs.toFixed(3)} | ${one.toFixed(3)} | ${all.toFixed(3)} | ${(jsMs / all).toFixed(1)}× | ${(100 * spread).toFixed(0)}% |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  writeJson(join(outDir(), 'native-ops.json'), { machine: machineLine(), native: info, busyCores: busy, rows });
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
