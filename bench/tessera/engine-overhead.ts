// The engine's own cost in W1's training step, without its kernels: every function of the native
// addon is replaced by one that does nothing, so what is left of a step is the engine's JavaScript
// (ops, checks, tensors, the graph, the backward sweep, the optimizer's bookkeeping) and the call
// into each kernel, and nothing of the arithmetic. Measured in CPU time of this process, which
// other processes on the cores change far less than wall time, and in bytes of JS heap allocated.
//
//   TESSERA_THREADS=1 node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 \
//     dist/bench/tessera/engine-overhead.js [--steps 3000]
//
// The step is fit()'s, on one fixed batch of 256 rows (no data loading): zeroGrad → forward → MSE
// → backward → Adam → the loss read synchronously. Prints JSON: CPU ms per step over the first 200
// steps (the JIT still compiling) and over the last 1000 (compiled), and KiB of heap allocated per
// step over 100 more (the semi-space flags let them run without a collection, which is checked).
// The numbers the no-op kernels leave behind are meaningless; only the times and bytes are read.
import { getHeapStatistics } from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { Adam, Generator, mseLoss, rand, tidy, useBackend } from '../../src/index.js';
import { nativeAddon } from '../../src/backend/native/index.js';
import { workload } from './workloads.js';
import { buildWorkloadModel } from './workload-model.js';

const KEEP = new Set(['info', 'setIsa', 'setThreads', 'maxThreads']);

function cpuMs(fn: () => void, steps: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < steps; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / steps;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--steps');
  const steps = at >= 0 ? Number(process.argv[at + 1]) : 3000;
  if (!Number.isInteger(steps) || steps < 1200) throw new Error(`bench/tessera/engine-overhead: --steps expects an integer >= 1200, got '${process.argv[at + 1]}'`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench/tessera/engine-overhead: run node with --expose-gc (the heap is measured from a collected start)');
  await useBackend('native');
  const addon = nativeAddon() as unknown as Record<string, unknown> | null;
  if (addon === null) throw new Error('bench/tessera/engine-overhead: the native addon is not built');
  for (const [name, fn] of Object.entries(addon)) if (typeof fn === 'function' && !KEEP.has(name)) addon[name] = () => {};

  const generator = new Generator(0);
  const { model } = buildWorkloadModel(workload('W1'), generator);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = rand([256, 784], { generator });
  const step = (): void => {
    optimizer.zeroGrad();
    const loss = tidy(() => {
      const l = mseLoss(model.forward(x), x);
      l.backward();
      optimizer.step();
      return l.detach();
    });
    loss.item();
    loss.dispose();
  };
  const firstMs = cpuMs(step, 200);
  cpuMs(step, steps - 1200);
  const compiledMs = cpuMs(step, 1000);
  // Heap per step: the used heap across 100 steps after a full collection, with none between.
  let collections = 0, windowStart = Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime >= windowStart) collections++;
  });
  observer.observe({ entryTypes: ['gc'] });
  gc();
  windowStart = performance.now();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < 100; i++) step();
  const kib = (getHeapStatistics().used_heap_size - before) / 100 / 1024;
  await new Promise((resolve) => setTimeout(resolve, 10));  // the entries are delivered asynchronously
  observer.disconnect();
  if (collections > 0) throw new Error(`bench/tessera/engine-overhead: ${collections} collection(s) ran during the 100 steps; run node with --min-semi-space-size=64 --max-semi-space-size=64`);
  process.stdout.write(JSON.stringify({
    workload: 'W1', steps, first200CpuMsPerStep: firstMs, last1000CpuMsPerStep: compiledMs, heapKiBPerStep: kib,
  }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/tessera/engine-overhead.ts: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
