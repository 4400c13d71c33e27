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
//                                          [--epochs 3] [--warmup 300] [--limit 12000]
//
// Kernel calls are timed one by one with performance.now(), which adds ~0.1 µs per call: fine
// for the large kernels this is for, not for the engine's JavaScript (tessera profile reports
// the step without instrumentation beside the instrumented one).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Adam, Generator, fit, getBackend, useBackend } from '../../src/index.js';
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
  conv2dBackwardData: (a) => `conv2dBackwardData ${geometry(a[4] as Conv2dGeometry)}, ${String(a[5])} ch${a[2] ? ' +bias' : ''}${a[6] && a[6] !== 'none' ? ` +${String(a[6])}` : ''}`,
  conv2dBackwardWeight: (a) => `conv2dBackwardWeight ${geometry(a[4] as Conv2dGeometry)}, ${String(a[5])} ch${a[3] ? ' +bias grad' : ''}`,
  maxPool2d: (a) => `maxPool2d ${geometry(a[3] as Conv2dGeometry)}`,
  maxPool2dBackward: (a) => `maxPool2dBackward ${geometry(a[3] as Conv2dGeometry)}`,
  col2im: (a) => `col2im ${geometry(a[2] as Conv2dGeometry)}`,
  reparameterize: (a) => `reparameterize [${String(a[4])}×${String(a[5])}]`,
  reparameterizeBackward: (a) => `reparameterizeBackward [${String(a[5])}×${String(a[6])}]${a[2] ? ' dz' : ''}${a[3] ? ' dkl' : ''}`,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    workload: { type: 'string', default: 'W1' }, backend: { type: 'string', default: 'native' },
    epochs: { type: 'string', default: '3' }, warmup: { type: 'string', default: '300' }, limit: { type: 'string' },
  } });
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
  const restore = instrumentBackend(backend, (call) => {
    if (!timing) return;
    const key = (NAMERS[call.kernel] ?? (() => call.kernel))(call.args as unknown[]);
    const e = totals.get(key) ?? { ms: 0, calls: 0 };
    e.ms += call.ms;
    e.calls++;
    totals.set(key, e);
    if (call.kernel === 'matmul') {
      const p = (call.args as unknown[])[3] as MatmulParams;
      matmulFlops += 2 * p.batch * p.m * p.n * p.k;
      matmulMs += call.ms;
    } else if (call.kernel === 'conv2d' || call.kernel === 'conv2dBackwardData' || call.kernel === 'conv2dBackwardWeight') {
      const g = (call.args as unknown[])[4] as Conv2dGeometry, cout = (call.args as unknown[])[5] as number;
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
    if (!timing) return;
    const e = totals.get(GATHER) ?? { ms: 0, calls: 0 };
    e.ms += performance.now() - t0;
    e.calls++;
    totals.set(GATHER, e);
  };
  const generator = new Generator(0);
  const { model, loss } = buildWorkloadModel(w, generator);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  let step = 0, timedFrom = 0, timedTo = 0;
  await fit(model, workloadRows(train, limit, w.featureShape), null, {
    optimizer, loss, epochs, batchSize: 256, generator,
    callbacks: [{ onBatchEnd: () => { if (++step === warmup) { timing = true; timedFrom = performance.now(); } timedTo = performance.now(); } }],
  });
  restore();
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

main().catch((err: unknown) => {
  process.stderr.write(`bench/tessera/step-kernels.ts: ${(err as Error).message}\n`);
  process.exit(1);
});
