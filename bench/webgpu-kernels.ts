// Kernel benchmark of the webgpu backend: matmul GFLOP/s (tiled variants vs the naive
// shader, same run), elementwise and reduction GB/s, per-dispatch overhead and the readback
// round trip. Every time is taken to completion of the submitted work
// (queue.onSubmittedWorkDone), not to the return of the JS call that enqueued it.
// Each matmul variant is first checked against the naive shader on the same inputs.
// Cases are timed in interleaved rounds; the table gives the best and the median figure
// (the best is the least disturbed by other processes; ratios to naive use the best).
//
//   npx tsc -p tsconfig.build.json && node dist/bench/webgpu-kernels.js [--quick] [--max 1024]
//
// On a CPU rasteriser (Mesa llvmpipe) every figure is labelled "llvmpipe (CPU)": it measures
// the shader compiler on the CPU, not a GPU.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { MatmulParams } from '../src/backend/backend.js';
import { initWebGPU, type WebGPUBackend } from '../src/backend/webgpu/index.js';
import { matmul, tileConfigFor, type MatmulVariant, type TileConfig } from '../src/backend/webgpu/kernels-matmul.js';
import type { GpuStorage } from '../src/backend/webgpu/runtime.js';
import { Generator } from '../src/random.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { machineLine } from './harness/machine.js';
import { median } from './harness/stats.js';
import { outDir } from './harness/paths.js';

/** value is computed from the best (least disturbed) time; medianValue from the median. */
interface Row { kernel: string; size: string; value: number; medianValue: number; unit: string; ms: number }

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const maxIdx = args.indexOf('--max');
const maxSize = maxIdx >= 0 ? Number(args[maxIdx + 1]) : quick ? 256 : 1024;

function randomData(gen: Generator, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = gen.uniform() * 2 - 1;
  return out;
}

/** Wall time (ms) of one run of `enqueue` (× inner), to onSubmittedWorkDone. */
async function timeOnce(g: WebGPUBackend, enqueue: () => void, inner = 1): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < inner; i++) enqueue();
  await g.sync!();
  return (performance.now() - t0) / inner;
}

/**
 * Samples of several cases taken in interleaved rounds (case 1, case 2, …, then again), so
 * that load from other processes on the machine hits every case alike; one warm-up run
 * each first (it compiles the pipeline). Returns [min, median] ms per case.
 */
async function timeInterleaved(g: WebGPUBackend, cases: (() => void)[], rounds: number, inner = 1): Promise<[number, number][]> {
  for (const c of cases) { c(); await g.sync!(); }
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) samples[i].push(await timeOnce(g, cases[i], inner));
  }
  return samples.map((s) => [Math.min(...s), median(s)]);
}

async function maxRelDiff(g: WebGPUBackend, x: GpuStorage, y: GpuStorage): Promise<number> {
  const [a, b] = [await g.read(x, 'float32', x.size), await g.read(y, 'float32', y.size)];
  let worst = 0, scale = 0;
  for (let i = 0; i < a.length; i++) { worst = Math.max(worst, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return worst / Math.max(scale, 1e-30);
}

async function benchMatmul(g: WebGPUBackend, rows: Row[], gen: Generator): Promise<void> {
  const device = tileConfigFor(g.runtime.ctx.device.limits);
  const variants: { name: string; variant: MatmulVariant; tile?: TileConfig; transA?: boolean; transB?: boolean; epilogue?: boolean }[] = [
    { name: 'naive', variant: 'naive' },
    { name: `tiled ${device.wgX}x${device.wgY} k${device.tk}`, variant: 'tiled', tile: device },
    { name: 'tiled transA', variant: 'tiled', tile: device, transA: true },
    { name: 'tiled transB', variant: 'tiled', tile: device, transB: true },
    { name: 'tiled +bias+relu', variant: 'tiled', tile: device, epilogue: true },
    { name: 'tiled 16x16 k16', variant: 'tiled', tile: { wgX: 16, wgY: 16, tk: 16 } },
    { name: 'tiled 8x8 k32', variant: 'tiled', tile: { wgX: 8, wgY: 8, tk: 32 } },
  ];
  for (let n = 128; n <= maxSize; n *= 2) {
    const a = g.upload(randomData(gen, n * n)), b = g.upload(randomData(gen, n * n)), bias = g.upload(randomData(gen, n));
    const ref = g.alloc('float32', n * n), out = g.alloc('float32', n * n);
    const runs: (() => void)[] = [];
    for (const v of variants) {
      const p: MatmulParams = { batch: 1, m: n, n, k: n, transA: v.transA ?? false, transB: v.transB ?? false, strideA: 0, strideB: 0,
        bias: v.epilogue ? bias : undefined, activation: v.epilogue ? 'relu' : 'none' };
      // Check before timing: the naive shader with the same parameters is the reference.
      matmul(g.runtime, a, b, ref, p, 'naive');
      matmul(g.runtime, a, b, out, p, v.variant, v.tile);
      const err = await maxRelDiff(g, out, ref);
      if (err > 1e-4) throw new Error(`bench webgpu-kernels: ${v.name} at ${n}³ differs from the naive shader by ${err}`);
      runs.push(() => matmul(g.runtime, a, b, out, p, v.variant, v.tile));
    }
    const times = await timeInterleaved(g, runs, n >= 1024 ? 3 : 5);
    const [naiveMin] = times[0];
    variants.forEach((v, i) => {
      const [best, med] = times[i];
      const flops = 2 * n * n * n;
      rows.push({ kernel: `matmul ${v.name}`, size: `${n}³`, value: flops / (best * 1e6), medianValue: flops / (med * 1e6),
        unit: `GFLOP/s (${(naiveMin / best).toFixed(1)}× naive)`, ms: best });
    });
    for (const s of [a, b, bias, ref, out]) g.free(s);
  }
}

async function benchBandwidth(g: WebGPUBackend, rows: Row[], gen: Generator): Promise<void> {
  const n = quick ? 1 << 20 : 1 << 22;
  const x = g.upload(randomData(gen, n)), y = g.upload(randomData(gen, n)), out = g.alloc('float32', n);
  const one = g.alloc('float32', 1), rowsOut = g.alloc('float32', 1024);
  const cases: [string, number, () => void][] = [
    ['unary exp', 8 * n, () => g.unary('exp', x, out, n, {})],
    ['unary gelu', 8 * n, () => g.unary('gelu', x, out, n, {})],
    ['binary add', 12 * n, () => g.binary('add', x, [1], y, [1], out, [n])],
    ['binary add (row broadcast)', 8 * n + 4096, () => g.binary('add', x, [1024, 1], y, [0, 1], out, [n / 1024, 1024])],
    ['copy transpose', 8 * n, () => g.copy(x, 0, [1, n / 1024], out, 0, [1024, 1], [n / 1024, 1024])],
    ['reduce sum (all)', 4 * n, () => g.reduce('sum', x, one, 1, n, 1)],
    ['reduce sum (rows of 4096)', 4 * n, () => g.reduce('sum', x, rowsOut, n / 4096, 4096, 1)],
    ['reduce max (columns)', 4 * n, () => g.reduce('max', x, rowsOut, 1, n / 1024, 1024)],
    ['softmax (rows of 1024)', 8 * n, () => g.softmax(x, out, n / 1024, 1024, 1, false)],
  ];
  const times = await timeInterleaved(g, cases.map((c) => c[2]), 5);
  cases.forEach(([name, bytes], i) => {
    const [best, med] = times[i];
    rows.push({ kernel: name, size: `${n}`, value: bytes / (best * 1e6), medianValue: bytes / (med * 1e6), unit: 'GB/s', ms: best });
  });
  for (const s of [x, y, out, one, rowsOut]) g.free(s);
}

async function benchOverhead(g: WebGPUBackend, rows: Row[], gen: Generator): Promise<void> {
  const x = g.upload(randomData(gen, 64)), y = g.alloc('float32', 64);
  const dispatches = 500;
  const [[best, med]] = await timeInterleaved(g, [() => g.unary('neg', x, y, 64, {})], 3, dispatches);
  rows.push({ kernel: 'dispatch overhead (64 floats, batched)', size: `${dispatches}`, value: best * 1000, medianValue: med * 1000, unit: 'µs/dispatch', ms: best });
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    g.unary('neg', x, y, 64, {});
    const t0 = performance.now();
    await g.read(y, 'float32', 1);
    samples.push(performance.now() - t0);
  }
  const rt = Math.min(...samples);
  rows.push({ kernel: 'readback round trip (1 float after 1 dispatch)', size: '1', value: rt * 1000, medianValue: median(samples) * 1000, unit: 'µs', ms: rt });
  g.free(x); g.free(y);
}

async function main(): Promise<void> {
  const g = await initWebGPU();
  const info = g.describe();
  const label = info.cpu ? 'llvmpipe (CPU)' : String(info.adapter);
  const rows: Row[] = [];
  const gen = new Generator(2024);
  await benchMatmul(g, rows, gen);
  await benchBandwidth(g, rows, gen);
  await benchOverhead(g, rows, gen);
  const lines = [
    `webgpu kernels, ${label}: ${String(info.adapter)} (${String(info.dawnBackend)}, ${String(info.featureLevel)})`,
    machineLine(),
    `matmul tile from device limits: ${JSON.stringify(info.matmulTile)}`,
    '',
    `${'kernel'.padEnd(48)} ${'size'.padStart(9)}  ${'best'.padStart(10)} ${'median'.padStart(10)}  unit`,
    ...rows.map((r) => `${r.kernel.padEnd(48)} ${r.size.padStart(9)}  ${r.value.toFixed(2).padStart(10)} ${r.medianValue.toFixed(2).padStart(10)}  ${r.unit}  [${label}]`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const dir = outDir();
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'webgpu-kernels.json'),
    JSON.stringify({ label, adapter: info, machine: machineLine(), stats: g.stats(), rows }, null, 2));
  g.destroy();
}

main().catch((e: unknown) => {
  process.stderr.write(`bench webgpu-kernels: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
