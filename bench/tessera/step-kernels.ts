// Where a W1 training step's kernel time goes, by kernel and shape (tessera profile groups by op),
// and the batch gather:
// trains W1 through fit() on a CPU backend (native by default), times every kernel call after a warm-up, and
// prints microseconds per step for each (kernel, shape), largest first.
//
//   npm run build && TESSERA_THREADS=1 node dist/bench/tessera/step-kernels.js [--backend native|js] [--epochs 3] [--warmup 300]
//
// Kernel calls are timed one by one with performance.now(), which adds ~0.1 µs per call: fine
// for the large kernels this is for, not for the engine's JavaScript (tessera profile reports
// the step without instrumentation beside the instrumented one).
import { parseArgs } from 'node:util';
import { Adam, Generator, denseAutoencoder, fit, getBackend, useBackend } from '../../src/index.js';
import type { MatmulParams } from '../../src/backend/backend.js';
import { instrumentBackend } from '../../src/inspect/kernel-recorder.js';
import { loadByteImages } from './byte-images.js';
import { machineLine } from '../harness/machine.js';

type Namer = (args: unknown[]) => string;

const GATHER = 'batch gather (ByteDataset.readRows)';

const NAMERS: Partial<Record<string, Namer>> = {
  matmul: (a) => {
    const p = a[3] as MatmulParams;
    const act = p.activation && p.activation !== 'none' ? ` +${p.activation}` : '';
    return `matmul ${p.m}×${p.n}×${p.k}${p.transA ? ' Aᵀ' : ''}${p.transB ? ' Bᵀ' : ''}${p.bias ? ' +bias' : ''}${act}`;
  },
  binary: (a) => `binary ${String(a[0])} [${(a[6] as number[]).join('×')}]`,
  unary: (a) => `unary ${String(a[0])} [${String(a[3])}]`,
  activationGrad: (a) => `activationGrad ${String(a[0])} [${String(a[4])}]`,
  reduce: (a) => `reduce ${String(a[0])} [${String(a[3])}×${String(a[4])}×${String(a[5])}]`,
  adamStep: () => 'adamStep (all parameters)',
  sgdStep: () => 'sgdStep (all parameters)',
  copy: (a) => `copy [${(a[6] as number[]).join('×')}]`,
  fill: (a) => `fill [${String(a[1])}]`,
  where: (a) => `where [${(a[7] as number[]).join('×')}]`,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    backend: { type: 'string', default: 'native' }, epochs: { type: 'string', default: '3' }, warmup: { type: 'string', default: '300' },
  } });
  const epochs = Number(values.epochs), warmup = Number(values.warmup);
  if (!(epochs >= 1) || !(warmup >= 0)) throw new Error('step-kernels: --epochs must be ≥ 1 and --warmup ≥ 0');
  if (values.backend !== 'native' && values.backend !== 'js') throw new Error(`step-kernels: --backend must be native or js, got '${values.backend}'`);
  await useBackend(values.backend);
  const backend = getBackend();
  const totals = new Map<string, { ms: number; calls: number }>();
  let timing = false;
  // The profiler's wrapper (src/inspect/kernel-recorder.ts); named here with shapes, which its
  // per-op view leaves out.
  const restore = instrumentBackend(backend, (call) => {
    if (!timing) return;
    const key = (NAMERS[call.kernel] ?? (() => call.kernel))(call.args as unknown[]);
    const e = totals.get(key) ?? { ms: 0, calls: 0 };
    e.ms += call.ms;
    e.calls++;
    totals.set(key, e);
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
  const model = denseAutoencoder({ inputDim: 784, hidden: [64], latent: 32, activation: 'relu', output: 'sigmoid', generator });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  let step = 0;
  await fit(model, train, null, {
    optimizer, loss: 'mse', epochs, batchSize: 256, generator,
    callbacks: [{ onBatchEnd: () => { if (++step === warmup) timing = true; } }],
  });
  restore();
  const timed = step - warmup;
  if (timed < 1) throw new Error(`step-kernels: ${step} steps ran, none after the ${warmup} warm-up steps`);
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0);
  const info = backend.describe();
  const where = values.backend === 'native' ? `native ${String(info.isa)}, ${String(info.threads)} thread(s)` : 'js';
  process.stdout.write(`${machineLine()}; ${where}; ${timed} timed steps after ${warmup}\n`);
  process.stdout.write('µs/step  calls/step  kernel\n');
  for (const [key, e] of rows) {
    process.stdout.write(`${(e.ms / timed * 1000).toFixed(1).padStart(7)}  ${(e.calls / timed).toFixed(2).padStart(10)}  ${key}\n`);
  }
  const kernels = total - (totals.get(GATHER)?.ms ?? 0);
  process.stdout.write(`${(kernels / timed * 1000).toFixed(1).padStart(7)}  ${''.padStart(10)}  all kernels (the gather not included)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/tessera/step-kernels.ts: ${(err as Error).message}\n`);
  process.exit(1);
});
