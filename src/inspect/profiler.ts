// profileStep: times one training step op by op on a backend. Every kernel call is timed by a
// wrapper around the backend's methods (src/inspect/kernel-recorder.ts) and attributed to the
// forward op, backward rule or parameter update that made it (src/inspect/step-trace.ts); what
// the step spent outside kernels is the engine's overhead (graph building, shape checks,
// allocation, the backward sweep). Several warm-up steps run first; the step reported is the
// median of the timed ones.
//
// On webgpu a kernel call only encodes and submits work: the per-op times are CPU submission
// times, and the GPU's execution shows up as the wait at the end of the step (backend.sync()).
import type { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { add } from '../ops/elementwise.js';
import { bytes, si, table } from './format-number.js';
import { DEFAULT_PEAK, type MachinePeak } from './peak.js';
import { traceStep, type OpCost, type StepLoss, type StepModel, type StepOptimizer, type TracedStep } from './step-trace.js';
import { median } from '../util/stats.js';

export interface ProfileOptions {
  /** Untimed steps first (caches, buffer pools, JIT). Default 3. */
  warmup?: number;
  /** Timed steps; the median one is reported. Default 5. */
  steps?: number;
  peak?: MachinePeak;
  /** Also time the same number of steps without instrumentation, to show its cost. Default true. */
  baseline?: boolean;
}

export interface ProfileRow {
  /** 'forward linear', 'backward linear', 'optimizer update', 'outside kernels (engine overhead)', … */
  op: string;
  /** How many ops (or rules, or parameters) of this kind ran in the step. */
  calls: number;
  kernels: number;
  ms: number;
  /** ms / step ms. */
  share: number;
  flops: number;
  bytes: number;
  /** Achieved rate over the row's kernels (null for the rows that are not kernels). */
  gflops: number | null;
  gbps: number | null;
  /**
   * Achieved / attainable under the roofline: min(peak FLOP/s, intensity × bandwidth) for
   * kernels that compute, achieved GB/s / bandwidth for pure data movement.
   */
  peakFraction: number | null;
}

export interface StepProfile {
  backend: string;
  threads: number;
  warmup: number;
  steps: number;
  /** The reported (median) step. */
  stepMs: number;
  allStepMs: number[];
  /** Median of the uninstrumented steps, when measured. */
  baselineMs: number | null;
  kernelMs: number;
  overheadMs: number;
  syncMs: number;
  peak: MachinePeak;
  rows: ProfileRow[];
  loss: number;
}

/** One step exactly as traceStep runs it, without any instrumentation, timed. */
async function plainStep(model: StepModel, lossFn: StepLoss, x: Tensor, y: Tensor, optimizer?: StepOptimizer): Promise<number> {
  const start = performance.now();
  if (optimizer) optimizer.zeroGrad();
  else for (const [, p] of model.namedParameters()) p.zeroGrad();
  const loss = tidy(() => {
    let l = lossFn(model.forward(x), y);
    for (const term of model.takeLosses?.() ?? []) l = add(l, term);
    l.backward();
    return l;
  });
  optimizer?.step();
  await loss.itemAsync();
  await x.backend.sync?.();
  loss.dispose();
  return performance.now() - start;
}

function threadsOf(describe: Record<string, unknown>): number {
  const t = describe.threads;
  return typeof t === 'number' && t > 0 ? t : 1;
}

export async function profileStep(model: StepModel, lossFn: StepLoss, x: Tensor, y: Tensor, optimizer?: StepOptimizer,
  options: ProfileOptions = {}): Promise<StepProfile> {
  const warmup = options.warmup ?? 3;
  const steps = options.steps ?? 5;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`profileStep: steps must be a positive integer, got ${steps} (src/inspect/profiler.ts)`);
  const peak = options.peak ?? DEFAULT_PEAK;
  model.train?.(true);
  for (let i = 0; i < warmup; i++) await plainStep(model, lossFn, x, y, optimizer);
  let baselineMs: number | null = null;
  if (options.baseline ?? true) {
    const times: number[] = [];
    for (let i = 0; i < steps; i++) times.push(await plainStep(model, lossFn, x, y, optimizer));
    baselineMs = median(times);
  }
  const traced: TracedStep[] = [];
  for (let i = 0; i < steps; i++) traced.push(await traceStep(model, lossFn, x, y, optimizer));
  const sorted = [...traced].sort((a, b) => a.totalMs - b.totalMs);
  const step = sorted[(sorted.length - 1) >> 1];

  const threads = threadsOf(x.backend.describe());
  const peakFlops = x.backend.name === 'webgpu' ? null : peak.gflopsPerCore * threads * 1e9;
  const peakBytes = x.backend.name === 'webgpu' ? null : peak.gbps * 1e9;

  const groups = new Map<string, { costs: OpCost[] }>();
  const addGroup = (key: string, cost: OpCost) => {
    const g = groups.get(key) ?? { costs: [] };
    g.costs.push(cost);
    groups.set(key, g);
  };
  for (const f of step.forward) if (f.op !== 'input') addGroup(`forward ${f.op}`, f.cost);
  for (const b of step.backward) addGroup(`backward ${b.op}`, b.cost);
  for (const u of step.updates) addGroup('optimizer update', u.cost);
  if (step.unattributed.forward.calls.length) addGroup('forward (kernels outside the graph)', step.unattributed.forward);
  if (step.unattributed.backward.calls.length) addGroup('backward (accumulating .grad)', step.unattributed.backward);
  if (step.unattributed.optimizer.calls.length) addGroup('optimizer (other kernels)', step.unattributed.optimizer);

  const stepMs = step.totalMs;
  const rows: ProfileRow[] = [];
  let kernelMs = 0;
  for (const [op, g] of groups) {
    const ms = g.costs.reduce((a, c) => a + c.ms, 0);
    const flops = g.costs.reduce((a, c) => a + c.flops, 0);
    const moved = g.costs.reduce((a, c) => a + c.bytes, 0);
    const kernels = g.costs.reduce((a, c) => a + c.calls.length, 0);
    kernelMs += ms;
    const seconds = ms / 1e3;
    const gflops = seconds > 0 ? flops / seconds / 1e9 : null;
    const gbps = seconds > 0 ? moved / seconds / 1e9 : null;
    let peakFraction: number | null = null;
    if (seconds > 0 && peakFlops !== null && peakBytes !== null) {
      if (flops > 0) {
        const attainable = Math.min(peakFlops, (moved > 0 ? flops / moved : Infinity) * peakBytes);
        peakFraction = flops / seconds / attainable;
      } else if (moved > 0) {
        peakFraction = moved / seconds / peakBytes;
      }
    }
    rows.push({ op, calls: g.costs.length, kernels, ms, share: ms / stepMs, flops, bytes: moved, gflops, gbps, peakFraction });
  }
  const phaseMs = step.phaseMs.forward + step.phaseMs.backward + step.phaseMs.optimizer;
  const overheadMs = Math.max(0, phaseMs - kernelMs);
  const none = { flops: 0, bytes: 0, gflops: null, gbps: null, peakFraction: null, kernels: 0 };
  rows.push({ op: 'outside kernels (engine overhead)', calls: 1, ms: overheadMs, share: overheadMs / stepMs, ...none });
  rows.push({ op: x.backend.name === 'webgpu' ? 'waiting for the GPU + reading the loss' : 'reading the loss', calls: 1, ms: step.phaseMs.sync, share: step.phaseMs.sync / stepMs, ...none });
  rows.sort((a, b) => b.ms - a.ms);
  return {
    backend: x.backend.name, threads, warmup, steps, stepMs, allStepMs: traced.map((t) => t.totalMs), baselineMs,
    kernelMs, overheadMs, syncMs: step.phaseMs.sync, peak, rows, loss: step.loss,
  };
}

export function formatProfile(p: StepProfile): string {
  const out: string[] = [];
  out.push(`Profile of one training step on '${p.backend}' (${p.threads} thread${p.threads === 1 ? '' : 's'}): ` +
    `median of ${p.steps} steps after ${p.warmup} warm-up: ${p.stepMs.toFixed(3)} ms` +
    (p.baselineMs !== null ? ` (uninstrumented: ${p.baselineMs.toFixed(3)} ms)` : ''));
  out.push(`Kernels ${p.kernelMs.toFixed(3)} ms (${(100 * p.kernelMs / p.stepMs).toFixed(1)}%), outside kernels ${p.overheadMs.toFixed(3)} ms, ` +
    `reading back ${p.syncMs.toFixed(3)} ms. ` + (p.backend === 'webgpu' ? 'Peak: not known for the GPU (no fraction of peak on webgpu).'
      : `Peak: ${p.peak.gflopsPerCore.toFixed(0)} GFLOP/s per core × ${p.threads}, ${p.peak.gbps.toFixed(1)} GB/s, ${p.peak.source}`));
  out.push('');
  out.push(table(['op', 'calls', 'kernels', 'total ms', 'share', 'FLOPs', 'bytes', 'GFLOP/s', 'GB/s', 'of peak'], p.rows.map((r) => [
    r.op, String(r.calls), String(r.kernels), r.ms.toFixed(3), `${(100 * r.share).toFixed(1)}%`,
    r.flops ? si(r.flops) : '—', r.bytes ? bytes(r.bytes) : '—',
    r.gflops !== null && r.flops > 0 ? r.gflops.toFixed(2) : '—',
    r.gbps !== null && r.bytes > 0 ? r.gbps.toFixed(2) : '—',
    r.peakFraction !== null ? `${(100 * r.peakFraction).toFixed(1)}%` : '—',
  ]), [false, true, true, true, true, true, true, true, true, true]));
  if (p.backend === 'webgpu') out.push('\nwebgpu: per-op times are CPU encode/submit times; the GPU execution is in the wait row.');
  out.push("\nof peak: achieved / attainable, attainable = min(peak FLOP/s, FLOPs/byte × bandwidth) (the roofline); pure copies against bandwidth.");
  return out.join('\n');
}
