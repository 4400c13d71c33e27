// Where a training step's kernel time goes, by kernel and shape (tessera profile groups by op),
// and the batch gather, for any workload of bench/tessera/workloads.ts (W1 by default):
// trains it through fit() on a CPU backend (native by default), times every kernel call after a
// warm-up, and prints microseconds per step for each (kernel, shape), largest first; then the
// step's FLOPs (2·batch·m·n·k of every matmul, 2·n·cout·oh·ow·cin·kh·kw of every direct conv kernel) and their rate as
// a share of the FMA peak measured on this machine (bench/peak/fma_peak.c's loop run by the addon, same thread
// count, timed by CPU time and cached: src/inspect/peak.ts, the peak `tessera profile` divides by).
// Kernel times are wall times: under load the shares of peak are deflated, the shares of the
// kernel time (the % column) much less so; the load average is printed before and after.
//
//   npm run build && TESSERA_THREADS=1 node dist/bench/tessera/step-kernels.js [--workload W2] [--backend native|wasm|js]
//                                          [--epochs 3] [--warmup 300] [--limit 12000] [--threads 1,2]
//
// --threads 1,2 (native): the steps alternate between the thread counts in blocks of 8 (steps
// 8j … 8j + 7 run at count j mod 2), each kernel is timed per count, and the table shows both and
// their ratio: on a busy machine a side-by-side ratio per kernel says more than two runs minutes
// apart. A change of count restarts the pool's workers, and a new worker can gain nothing for its
// first calls (W2's conv2d 1→16 alone: 708 µs for three calls after a restart, 357 once settled,
// 676 at one thread; bench/RESULTS.md, "Two threads for W2", from a script not kept): the first
// step of each block is not timed.
//
// Kernel calls are timed one by one with performance.now(), which adds ~0.1 µs per call: fine
// for the large kernels this is for, not for the engine's JavaScript (tessera profile reports
// the step without instrumentation beside the instrumented one).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Adam, Generator, fit, getBackend, useBackend } from '../../src/index.js';
import { setNativeThreads } from '../../src/backend/native/index.js';
import type { Conv2dGeometry, MatmulParams } from '../../src/backend/backend.js';
import { instrumentBackend } from '../../src/inspect/kernel-recorder.js';
import { loadByteImages } from './byte-images.js';
import { machineLine } from '../harness/machine.js';
import { backendPeak } from '../../src/inspect/peak.js';
import { workload } from './workloads.js';
import { buildWorkloadModel, workloadRows } from './workload-model.js';
import { stepFlopsSummary } from './step-flops.js';

type Namer = (args: unknown[]) => string;

/** [n×c×h×w] k3×3 s2 p1 → oh×ow: a convolution's geometry, for im2col and col2im. */
const geometry = (g: Conv2dGeometry) =>
  `[${g.n}×${g.c}×${g.h}×${g.w}] k${g.kh}×${g.kw} s${g.sh} p${g.ph} → ${g.oh}×${g.ow}`;

/** --threads: steps per block at one count (see the header). */
const SWITCH_EVERY = 8;
const GATHER = 'batch gather (ByteDataset.readRows)';

const NAMERS: Partial<Record<string, Namer>> = {
  matmul: (a) => {
    const p = a[3] as MatmulParams;
    const act = p.activation && p.activation !== 'none' ? ` +${p.activation}` : '';
    return `matmul ${p.batch > 1 ? `${p.batch}× ` : ''}${p.m}×${p.n}×${p.k}${p.transA ? ' Aᵀ' : ''}${p.transB ? ' Bᵀ' : ''}${p.bias ? ' +bias' : ''}${act}`;
  },
  binary: (a) => `binary ${String(a[0])} [${(a[6] as number[]).join('×')}]`,
  unary: (a) => `unary ${String(a[0])} [${String(a[3])}]`,
  activationGrad: (a) => `activationGrad ${String(a[0])} [${String(a[4])}]`,
  reduce: (a) => `reduce ${String(a[0])} [${String(a[3])}×${String(a[4])}×${String(a[5])}]`,
  adamStep: () => 'adamStep (all parameters)',
  random: (a) => `random ${String(a[0])} [${String(a[2])}]`,
  sgdStep: () => 'sgdStep (all parameters)',
  copy: (a) => `copy [${(a[6] as number[]).join('×')}]`,
  fill: (a) => `fill [${String(a[1])}]`,
  where: (a) => `where [${(a[7] as number[]).join('×')}]`,
  im2col: (a) => `im2col ${geometry(a[2] as Conv2dGeometry)}`,
  conv2d: (a) => `conv2d ${geometry(a[4] as Conv2dGeometry)} → ${String(a[5])} ch${a[2] ? ' +bias' : ''}${a[6] && a[6] !== 'none' ? ` +${String(a[6])}` : ''}`,
  conv2dMaxPool: (a) => `conv2dMaxPool ${geometry(a[5] as Conv2dGeometry)} → ${String(a[6])} ch${a[2] ? ' +bias' : ''}, pooled 2×2${a[7] && a[7] !== 'none' ? ` +${String(a[7])}` : ''}`,
  conv2dMaxPoolBackwardWeight: (a) => `conv2dMaxPoolBackwardWeight ${geometry(a[5] as Conv2dGeometry)}, ${String(a[6])} ch${a[4] ? ' +bias grad' : ''}, from the 2×2 pool's gradient${a[8] && a[8] !== 'none' ? ` through ${String(a[8])}'` : ''}`,
  conv2dBackwardData: (a) => `conv2dBackwardData ${geometry(a[4] as Conv2dGeometry)}, ${String(a[5])} ch${a[2] ? ' +bias' : ''}${a[6] && a[6] !== 'none' ? ` +${String(a[6])}` : ''}`,
  conv2dBackwardWeight: (a) => `conv2dBackwardWeight ${geometry(a[4] as Conv2dGeometry)}, ${String(a[5])} ch${a[3] ? ' +bias grad' : ''}`,
  maxPool2d: (a) => `maxPool2d ${geometry(a[3] as Conv2dGeometry)}`,
  maxPool2dBackward: (a) => `maxPool2dBackward ${geometry(a[3] as Conv2dGeometry)}`,
  col2im: (a) => `col2im ${geometry(a[2] as Conv2dGeometry)}`,
  bceLogitsWithGrad: (a) => `bceLogitsWithGrad [${String(a[4])}]`,
  reparameterize: (a) => `reparameterize [${String(a[4])}×${String(a[5])}]`,
  reparameterizeBackward: (a) => `reparameterizeBackward [${String(a[5])}×${String(a[6])}]${a[2] ? ' dz' : ''}${a[3] ? ' dkl' : ''}`,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    workload: { type: 'string', default: 'W1' }, backend: { type: 'string', default: 'native' },
    epochs: { type: 'string', default: '3' }, warmup: { type: 'string', default: '300' }, limit: { type: 'string' },
    threads: { type: 'string' },
  } });
  const counts = values.threads === undefined ? [] : values.threads.split(',').map(Number);
  if (counts.some((c) => !(Number.isInteger(c) && c >= 1)) || (counts.length > 0 && values.backend !== 'native')) {
    throw new Error(`step-kernels: --threads takes thread counts like 1,2 (native backend only), got '${values.threads}'`);
  }
  const w = workload(values.workload ?? 'W1', 'step-kernels: --workload');
  const epochs = Number(values.epochs), warmup = Number(values.warmup);
  const limit = values.limit === undefined ? w.defaultTrainRows : Number(values.limit);
  if (!(epochs >= 1) || !(warmup >= 0) || !(Number.isInteger(limit) && limit >= 0)) throw new Error('step-kernels: --epochs must be ≥ 1, --warmup and --limit integers ≥ 0');
  if (values.backend !== 'native' && values.backend !== 'wasm' && values.backend !== 'js') throw new Error(`step-kernels: --backend must be native, wasm or js, got '${values.backend}'`);
  const loadStart = loadavg()[0].toFixed(2);
  await useBackend(values.backend);
  const backend = getBackend();
  const totals = new Map<string, { ms: number; calls: number }>();
  let timing = false;
  let matmulFlops = 0, matmulMs = 0;
  // The profiler's wrapper (src/inspect/kernel-recorder.ts); named here with shapes, which its
  // per-op view leaves out.
  // With --threads, the count the current step runs at (keys get it as a prefix, stripped when printed).
  let count = counts[0] ?? 0, settling = false;
  if (counts.length > 0) setNativeThreads(count);
  const stepMsByCount = new Map<number, number[]>();
  const restore = instrumentBackend(backend, (call) => {
    if (!timing || settling) return;
    const key = `${counts.length > 0 ? `${count}\u0000` : ''}${(NAMERS[call.kernel] ?? (() => call.kernel))(call.args as unknown[])}`;
    const e = totals.get(key) ?? { ms: 0, calls: 0 };
    e.ms += call.ms;
    e.calls++;
    totals.set(key, e);
    if (call.kernel === 'matmul') {
      const p = (call.args as unknown[])[3] as MatmulParams;
      matmulFlops += 2 * p.batch * p.m * p.n * p.k;
      matmulMs += call.ms;
    } else if (['conv2d', 'conv2dMaxPool', 'conv2dBackwardData', 'conv2dBackwardWeight', 'conv2dMaxPoolBackwardWeight'].includes(call.kernel)) {
      const at = call.kernel.startsWith('conv2dMaxPool') ? 5 : 4;  // the fused ones have argmax before the geometry
      const g = (call.args as unknown[])[at] as Conv2dGeometry, cout = (call.args as unknown[])[at + 1] as number;
      matmulFlops += 2 * g.n * cout * g.oh * g.ow * g.c * g.kh * g.kw;
      matmulMs += call.ms;
    }
  });
  const train = await loadByteImages('train');
  // The batch gather is not a backend kernel: time the data set's readRows the same way.
  const readRows = train.readRows.bind(train);
  train.readRows = (indices, out) => {
    const t0 = performance.now();
    readRows(indices, out);
    if (!timing || settling) return;
    const gather = `${counts.length > 0 ? `${count}\u0000` : ''}${GATHER}`;
    const e = totals.get(gather) ?? { ms: 0, calls: 0 };
    e.ms += performance.now() - t0;
    e.calls++;
    totals.set(gather, e);
  };
  const generator = new Generator(0);
  const { model, loss } = buildWorkloadModel(w, generator);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  let step = 0, timedFrom = 0, timedTo = 0;
  // Read at once, in the step (fit would read each batch in the background, where it is not timed):
  // the gather is profiled as the kernel it is at one thread.
  const data = workloadRows(train, limit, w.featureShape);
  await fit(model, { length: data.length, featureShape: data.featureShape, readRows: (i, out) => data.readRows(i, out) }, null, {
    optimizer, loss, epochs, batchSize: 256, generator,
    callbacks: [{ onBatchEnd: () => {
      const now = performance.now();
      if (timing && !settling && counts.length > 0) {
        if (!stepMsByCount.has(count)) stepMsByCount.set(count, []);
        stepMsByCount.get(count)!.push(now - timedTo);
      }
      if (++step === warmup) { timing = true; timedFrom = now; }
      timedTo = now;
      if (counts.length > 0) {
        const next = counts[Math.floor(step / SWITCH_EVERY) % counts.length];
        settling = next !== count;
        if (settling) { count = next; setNativeThreads(count); }
        timedTo = performance.now();
      }
    } }],
  });
  restore();
  if (counts.length > 0) { printByCount(values.workload ?? 'W1', counts, totals, stepMsByCount, step - warmup, loadStart); return; }
  const timed = step - warmup;
  if (timed < 1) throw new Error(`step-kernels: ${step} steps ran, none after the ${warmup} warm-up steps`);
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0);
  const info = backend.describe();
  const where = values.backend === 'js' ? 'js' : `${values.backend} ${String(info.isa)}, ${String(info.threads)} thread(s)`;
  const load = `load average ${loadStart} before, ${loadavg()[0].toFixed(2)} after, 2 cores`;
  process.stdout.write(`${machineLine()}; ${where}; ${w.title} (${w.cliModel}), batch 256, ${timed} timed steps after ${warmup}; ${load}\n`);
  const kernels = total - (totals.get(GATHER)?.ms ?? 0);
  process.stdout.write('µs/step  % kernels  calls/step  kernel\n');
  for (const [key, e] of rows) {
    const share = key === GATHER ? '—' : `${(100 * e.ms / kernels).toFixed(1)}%`;
    process.stdout.write(`${(e.ms / timed * 1000).toFixed(1).padStart(7)}  ${share.padStart(9)}  ${(e.calls / timed).toFixed(2).padStart(10)}  ${key}\n`);
  }
  process.stdout.write(`${(kernels / timed * 1000).toFixed(1).padStart(7)}  ${'100%'.padStart(9)}  ${''.padStart(10)}  all kernels (the gather not included)\n`);
  const measured = backendPeak(backend);
  const isa = values.backend === 'native' ? (info.isa === 'avx512' ? 'AVX-512' : 'AVX2') : values.backend === 'wasm' ? 'wasm SIMD128' : 'scalar JavaScript';
  const peak = measured?.gflops ? { gflops: measured.gflops, isa } : null;
  if (measured) process.stdout.write(`peak: ${measured.loop}, per CPU-second (${measured.source})\n`);
  const summary = stepFlopsSummary({ matmulFlops: matmulFlops / timed, matmulMs: matmulMs / timed, stepMs: (timedTo - timedFrom) / timed, batch: 256, peakGflops: peak });
  process.stdout.write(`${summary.join('\n')}\n`);
}

/** --threads: each kernel's µs per step at each count (steps alternate), and the first count's over each other's. */
function printByCount(workload: string, counts: number[], totals: Map<string, { ms: number; calls: number }>,
  stepMs: Map<number, number[]>, timed: number, loadStart: string): void {
  const per = new Map<string, number[]>();   // kernel → µs per step at each count
  for (const [key, e] of totals) {
    const [c, name] = key.split('\u0000');
    const row = per.get(name) ?? counts.map(() => 0);
    const steps = stepMs.get(Number(c))?.length ?? timed / counts.length;
    row[counts.indexOf(Number(c))] = e.ms / steps * 1000;
    per.set(name, row);
  }
  const kernels = counts.map((_, i) => [...per].filter(([k]) => k !== GATHER).reduce((s, [, r]) => s + r[i], 0));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
  process.stdout.write(`${machineLine()}; native; ${workload}, batch 256, ${timed} steps after the warm-up, ${counts.join('/')} threads alternating in blocks of ${SWITCH_EVERY} (the first of each not timed); load average ${loadStart} before, ${loadavg()[0].toFixed(2)} after, 2 cores\n`);
  const ratio = (r: number[]) => counts.slice(1).map((_, i) => (r[0] / r[i + 1]).toFixed(2).padStart(6)).join(' ');
  process.stdout.write(`${counts.map((c) => `µs at ${c}`.padStart(9)).join(' ')} ${counts.slice(1).map((c) => `${counts[0]}/${c}`.padStart(6)).join(' ')}  kernel\n`);
  for (const [name, r] of [...per].sort((a, b) => b[1][0] - a[1][0])) {
    process.stdout.write(`${r.map((v) => v.toFixed(1).padStart(9)).join(' ')} ${ratio(r)}  ${name}\n`);
  }
  process.stdout.write(`${kernels.map((v) => v.toFixed(1).padStart(9)).join(' ')} ${ratio(kernels)}  all kernels (the gather not included)\n`);
  const steps = counts.map((c) => median(stepMs.get(c) ?? []) * 1000);
  process.stdout.write(`${steps.map((v) => v.toFixed(1).padStart(9)).join(' ')} ${ratio(steps)}  whole step (median, instrumented)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/tessera/step-kernels.ts: ${(err as Error).message}\n`);
  process.exit(1);
});
