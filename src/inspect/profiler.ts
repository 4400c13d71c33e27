// profileStep: times one training step op by op on a backend. Every kernel call is timed by a
// wrapper around the backend's methods (src/inspect/kernel-recorder.ts) and attributed to the
// forward op, backward rule or parameter update that made it (src/inspect/step-trace.ts); what
// the step spent outside kernels is the engine's overhead (graph building, shape checks,
// allocation, the backward sweep). Warm-up steps run first, for a number of steps and at least a
// time: the JIT compiles the engine's JavaScript over the first few hundred steps (W1's step spent
// 0.27 ms outside kernels in its first 50 steps and 0.06 ms after 1 s, bench/RESULTS.md, "Engine
// overhead"), so a profile after three steps timed unoptimised code. The step reported is the
// median of the timed ones. The wrappers that time each kernel cost time of their own (the calls'
// records, the backward trace, Adam's group update split per parameter): on CPU backends the rows
// partition the uninstrumented step, whose time outside kernels is its own minus the kernels'.
//
// The fractions of peak divide by ceilings measured on this machine for this backend and thread
// count (src/inspect/peak.ts), never by an assumed figure. A kernel whose operands fit in the
// largest CPU cache is labelled cache-resident: it is not bound by the memory bandwidth measured
// over large arrays (and can honestly exceed it), so it gets no fraction of that bandwidth.
//
// On webgpu a kernel call only encodes and submits work, so CPU-side times say nothing about the
// GPU's kernels. Where the device has 'timestamp-query', every call's compute passes are timed on
// the GPU (src/backend/webgpu/kernel-timer.ts) and the rows are GPU times; without it the profile
// reports the time per submitted step only. There is no measured GPU peak: rates, no fractions.
import type { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { add } from '../ops/elementwise.js';
import { bytes, si, table } from './format-number.js';
import type { MachinePeak } from './peak.js';
import { callMs, readLoss, traceStep, type OpCost, type StepLoss, type StepModel, type StepOptimizer, type TracedStep } from './step-trace.js';
import { median } from '../util/stats.js';
import type { KernelCall } from './kernel-recorder.js';

export interface ProfileOptions {
  /** Untimed steps first (caches, buffer pools, JIT). Default 3. */
  warmup?: number;
  /** Keep warming up past `warmup` steps until this many seconds have passed (the JIT). Default 0. */
  warmupSeconds?: number;
  /** Timed steps; the median one is reported. Default 5. */
  steps?: number;
  /** The measured ceilings (src/inspect/peak.ts backendPeak); null or absent: times only. */
  peak?: MachinePeak | null;
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
   * kernels that compute, achieved GB/s / bandwidth for pure data movement; for cache-resident
   * kernels the compute roof alone, and none for cache-resident data movement.
   */
  peakFraction: number | null;
  /** Which roof peakFraction is against, or why there is none (PeakRate.bound). */
  bound: PeakRate['bound'];
  /** Every kernel call of the row moved at most the largest cache's bytes. */
  cacheResident: boolean;
}

/** A row's standing against the measured peak (rateAgainstPeak). */
export interface PeakRate {
  peakFraction: number | null;
  /**
   * 'compute': against the FLOP peak; 'memory': against the bandwidth over large arrays;
   * 'cache-resident': moves data only, all of it within the cache (no bandwidth bound applies);
   * 'no peak': nothing measured to divide by (or no time, FLOPs or bytes).
   */
  bound: 'compute' | 'memory' | 'cache-resident' | 'no peak';
  cacheResident: boolean;
}

/**
 * The roofline of a row's kernel calls (each with its FLOPs, bytes and time) against a measured
 * peak: attainable = min(peak FLOP/s, FLOPs/byte × bandwidth), or the FLOP peak alone where every
 * call's operands fit in the cache (cacheBytes); pure data movement against the bandwidth unless
 * cache-resident. peak.gflops and peak.gbps are for all threads together.
 */
export function rateAgainstPeak(calls: readonly { flops: number; bytes: number; ms: number }[], peak: MachinePeak | null): PeakRate {
  const flops = calls.reduce((a, c) => a + c.flops, 0);
  const moved = calls.reduce((a, c) => a + c.bytes, 0);
  const seconds = calls.reduce((a, c) => a + c.ms, 0) / 1e3;
  const cacheResident = peak !== null && peak.cacheBytes !== null && calls.length > 0 && calls.every((c) => c.bytes <= (peak.cacheBytes as number));
  const none = (bound: PeakRate['bound']): PeakRate => ({ peakFraction: null, bound, cacheResident });
  if (peak === null || !(seconds > 0)) return none('no peak');
  const peakFlops = peak.gflops === null ? null : peak.gflops * 1e9, peakBytes = peak.gbps * 1e9;
  if (flops > 0) {
    if (peakFlops === null) return none('no peak');
    if (cacheResident || moved === 0) return { peakFraction: flops / seconds / peakFlops, bound: 'compute', cacheResident };
    const memoryRoof = (flops / moved) * peakBytes;
    return memoryRoof < peakFlops
      ? { peakFraction: flops / seconds / memoryRoof, bound: 'memory', cacheResident }
      : { peakFraction: flops / seconds / peakFlops, bound: 'compute', cacheResident };
  }
  if (moved > 0) return cacheResident ? none('cache-resident') : { peakFraction: moved / seconds / peakBytes, bound: 'memory', cacheResident };
  return none('no peak');
}

/** How a webgpu profile was timed: GPU timestamps are needed for per-kernel figures. */
export interface GpuTiming {
  timestampQuery: boolean;
  /** The rows are GPU times from timestamp queries. */
  perKernel: boolean;
  /** The adapter is a CPU rasteriser (llvmpipe, lavapipe, SwiftShader): its "GPU" times are CPU times. */
  cpuAdapter: boolean;
  adapter: string;
  /** Kernel calls of the step that ran no compute pass (buffer copies, uploads): no timestamp covers them. */
  untimedCalls: number;
  reason: string;
}

/** One kernel at one shape ('matmul m×n×k 16×64×784 Bᵀ +bias relu'): its calls in the step, summed (share: of the step's time). */
export type KernelRow = { kernel: string } & Pick<ProfileRow, 'calls' | 'ms' | 'share' | 'flops' | 'bytes' | 'gflops' | 'gbps'>;

export interface StepProfile {
  backend: string;
  threads: number;
  /** Warm-up steps run (at least options.warmup; more where warmupSeconds asked for more). */
  warmup: number;
  steps: number;
  /**
   * The step the rows partition: on CPU backends with the baseline measured, the uninstrumented
   * median (or kernels + read where, under load, those alone took longer); else the instrumented median.
   */
  stepMs: number;
  /** The median instrumented step (its extra over baselineMs is the profiler's own wrappers). */
  instrumentedMs: number;
  allStepMs: number[];
  /** Median of the uninstrumented steps, when measured. */
  baselineMs: number | null;
  /** Kernel time of the step: wall times on a CPU backend, GPU times on webgpu with timestamps, else 0. */
  kernelMs: number;
  /** Wall time in the phases outside kernels (CPU backends; 0 on webgpu, whose kernels overlap the host). */
  overheadMs: number;
  syncMs: number;
  peak: MachinePeak | null;
  /** webgpu only: whether per-kernel times exist, and why not. */
  gpuTiming: GpuTiming | null;
  /**
   * Kernel rows by op (none on webgpu without per-kernel GPU times; GPU times with them), the
   * time outside kernels and the read-back (CPU backends; on webgpu the wait for the GPU).
   */
  rows: ProfileRow[];
  /** The same kernel time by kernel and shape, largest first (empty where rows has no kernel rows). */
  kernels: KernelRow[];
  loss: number;
}

/** How a webgpu step was timed (`gpuTimed`: traceStep read GPU timestamps), and what that means for its figures. */
export function webgpuTiming(describe: Record<string, unknown>, gpuTimed = false, untimedCalls = 0): GpuTiming {
  const has = describe.timestampQuery === true, cpuAdapter = describe.cpu === true, adapter = String(describe.adapter ?? 'an unnamed adapter');
  const base = { timestampQuery: has, perKernel: gpuTimed, cpuAdapter, adapter, untimedCalls };
  if (gpuTimed) {
    return {
      ...base, reason: `kernel times are GPU times from timestamp queries on ${adapter}` +
        (cpuAdapter ? ', a CPU adapter: its "GPU" is this machine\'s CPU cores, so these are the shaders\' times on the CPU, not on any GPU' : '') +
        '. To be timed, each dispatch ran in a compute pass of its own; buffer copies and uploads are not passes and have no GPU time' +
        (untimedCalls > 0 ? ` (${untimedCalls} kernel call${untimedCalls === 1 ? '' : 's'} of the step ran only those)` : '') +
        '. No GPU peak is measured, so rates but no fractions of peak',
    };
  }
  return {
    ...base, reason: has
      ? "the adapter has 'timestamp-query', but this step was not timed on the GPU, so only the time per submitted step is reported"
      : "the adapter has no 'timestamp-query' feature (software adapters such as llvmpipe have none), so GPU time per kernel cannot be read; kernel calls only encode and submit work, and only the time per submitted step is reported",
  };
}

/** The step's kernel calls grouped by kernel and shape (KernelCall.detail), largest first. */
function kernelRows(calls: readonly KernelCall[], gpuTimed: boolean, stepMs: number): KernelRow[] {
  const byDetail = new Map<string, KernelRow>();
  for (const c of calls) {
    const r = byDetail.get(c.detail) ?? { kernel: c.detail, calls: 0, ms: 0, share: 0, flops: 0, bytes: 0, gflops: null, gbps: null };
    r.calls++; r.ms += callMs(c, gpuTimed); r.flops += c.flops; r.bytes += c.bytes;
    byDetail.set(c.detail, r);
  }
  return [...byDetail.values()].map((r) => ({
    ...r, share: r.ms / stepMs, gflops: r.ms > 0 ? r.flops / r.ms / 1e6 : null, gbps: r.ms > 0 ? r.bytes / r.ms / 1e6 : null,
  })).sort((a, b) => b.ms - a.ms);
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
  const read = readLoss(loss);
  if (typeof read !== 'number') await read;
  const ms = performance.now() - start;
  loss.dispose();
  return ms;
}

function threadsOf(describe: Record<string, unknown>): number {
  const t = describe.threads;
  return typeof t === 'number' && t > 0 ? t : 1;
}

export async function profileStep(model: StepModel, lossFn: StepLoss, x: Tensor, y: Tensor, optimizer?: StepOptimizer,
  options: ProfileOptions = {}): Promise<StepProfile> {
  const steps = options.steps ?? 5;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`profileStep: steps must be a positive integer, got ${steps} (src/inspect/profiler.ts)`);
  const peak = options.peak ?? null;
  const webgpu = x.backend.name === 'webgpu';
  model.train?.(true);
  const warmStart = performance.now(), warmupMs = 1000 * (options.warmupSeconds ?? 0);
  let warmup = 0;
  while (warmup < (options.warmup ?? 3) || performance.now() - warmStart < warmupMs) { await plainStep(model, lossFn, x, y, optimizer); warmup++; }
  // Uninstrumented and traced steps alternate, so that the two medians see one JIT state and one load.
  const plainTimes: number[] = [];
  const traced: TracedStep[] = [];
  for (let i = 0; i < steps; i++) {
    if (options.baseline ?? true) plainTimes.push(await plainStep(model, lossFn, x, y, optimizer));
    traced.push(await traceStep(model, lossFn, x, y, optimizer));
  }
  const baselineMs = plainTimes.length > 0 ? median(plainTimes) : null;
  const sorted = [...traced].sort((a, b) => a.totalMs - b.totalMs);
  const step = sorted[(sorted.length - 1) >> 1];

  const threads = threadsOf(x.backend.describe());
  const calls = [...step.forward, ...step.backward, ...step.updates].flatMap((e) => e.cost.calls)
    .concat(...Object.values(step.unattributed).map((c) => c.calls));
  const gpuTiming = webgpu ? webgpuTiming(x.backend.describe(), step.gpuTimed, step.gpuTimed ? calls.filter((c) => c.gpuMs === null).length : 0) : null;
  // Kernel times to show: wall times on a CPU backend, GPU times on webgpu with timestamps, none otherwise.
  const kernelTimes = !webgpu || step.gpuTimed;

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

  const kernelMs = [...groups.values()].reduce((a, g) => a + g.costs.reduce((b, c) => b + c.ms, 0), 0);
  const instrumentedMs = step.totalMs, syncMs = step.phaseMs.sync;
  // The rows partition the uninstrumented step on CPU backends. On webgpu the kernels overlap the
  // host's work: only the instrumented step has a split.
  const partitioned = baselineMs !== null && !webgpu;
  const stepMs = partitioned ? Math.max(baselineMs, kernelMs + syncMs) : instrumentedMs;
  const rows: ProfileRow[] = [];
  for (const [op, g] of groups) {
    const ms = g.costs.reduce((a, c) => a + c.ms, 0);
    const flops = g.costs.reduce((a, c) => a + c.flops, 0);
    const moved = g.costs.reduce((a, c) => a + c.bytes, 0);
    const kernels = g.costs.reduce((a, c) => a + c.calls.length, 0);
    const seconds = ms / 1e3;
    const gflops = seconds > 0 ? flops / seconds / 1e9 : null;
    const gbps = seconds > 0 ? moved / seconds / 1e9 : null;
    const rate = rateAgainstPeak(g.costs.flatMap((c) => c.calls), peak);
    rows.push({ op, calls: g.costs.length, kernels, ms, share: ms / stepMs, flops, bytes: moved, gflops, gbps, ...rate });
  }
  const overheadMs = partitioned ? stepMs - kernelMs - syncMs
    : Math.max(0, step.phaseMs.forward + step.phaseMs.backward + step.phaseMs.optimizer - kernelMs);
  const none = { flops: 0, bytes: 0, gflops: null, gbps: null, peakFraction: null, bound: 'no peak' as const, cacheResident: false, kernels: 0 };
  // On webgpu without timestamps the kernel rows would be CPU encode/submit times: left out (gpuTiming
  // says why). With them they are GPU times, which overlap the host's work: no "outside kernels"
  // row, and the wait for the GPU is in the header, not a row that would add to them.
  if (!kernelTimes) rows.length = 0;
  if (!webgpu) rows.push({ op: 'outside kernels (engine overhead)', calls: 1, ms: overheadMs, share: overheadMs / stepMs, ...none });
  if (!kernelTimes || !webgpu) rows.push({ op: webgpu ? 'waiting for the GPU + reading the loss' : 'reading the loss', calls: 1, ms: syncMs, share: syncMs / stepMs, ...none });
  rows.sort((a, b) => b.ms - a.ms);
  return {
    backend: x.backend.name, threads, warmup, steps, stepMs, instrumentedMs, allStepMs: traced.map((t) => t.totalMs), baselineMs,
    kernelMs: kernelTimes ? kernelMs : 0, overheadMs: webgpu ? 0 : overheadMs, syncMs, peak: webgpu ? null : peak, gpuTiming, rows,
    kernels: kernelTimes ? kernelRows(calls, step.gpuTimed, stepMs) : [], loss: step.loss,
  };
}

/** The "of peak" cell: the fraction and its roof, or why there is none. */
export function peakCell(r: Pick<ProfileRow, 'peakFraction' | 'bound'>): string {
  if (r.bound === 'cache-resident') return 'cache-resident';
  if (r.peakFraction === null) return '—';
  const pct = `${(100 * r.peakFraction).toFixed(1)}%`;
  // Above a measured ceiling: the ceiling was measured under a heavier load than this step ran in.
  return `${pct} ${r.bound === 'compute' ? 'FLOP' : 'DRAM'}${r.peakFraction > 1 ? ' (!)' : ''}`;
}

const mib = (b: number) => `${(b / 1024 ** 2).toFixed(b >= 10 * 1024 ** 2 ? 0 : 1)} MiB`;

export function formatProfile(p: StepProfile): string {
  const out: string[] = [];
  const partitioned = p.gpuTiming === null && p.baselineMs !== null;  // as profileStep decided it
  out.push(`Profile of one training step on '${p.backend}' (${p.threads} thread${p.threads === 1 ? '' : 's'}): ` +
    `median of ${p.steps} steps after ${p.warmup} warm-up steps: ${p.stepMs.toFixed(3)} ms` + (!partitioned
      ? (p.baselineMs !== null ? ` (uninstrumented: ${p.baselineMs.toFixed(3)} ms)` : '')
      // Under load the timed kernels and the read can add up to more than the uninstrumented median: the
      // step is then their sum, and the header must not call it the uninstrumented time.
      : (p.stepMs > p.baselineMs! ? ` in kernels and reading the loss (more than the uninstrumented median, ${p.baselineMs!.toFixed(3)} ms: load)` : ' uninstrumented') +
        ` (instrumented: ${p.instrumentedMs.toFixed(3)} ms; the difference is the profiler's own wrappers, in no row)`));
  const gpu = p.gpuTiming;
  const peak = p.peak;
  if (gpu !== null) {
    out.push(`Time per submitted step: ${p.stepMs.toFixed(3)} ms instrumented` +
      (p.baselineMs !== null ? `, ${p.baselineMs.toFixed(3)} ms uninstrumented` : '') +
      `; of it, waiting for the GPU + reading the loss: ${p.syncMs.toFixed(3)} ms.`);
    if (!gpu.perKernel) return [...out, `No per-kernel times or GFLOP/s: ${gpu.reason}.`].join('\n');
    out.push(`GPU time in kernels: ${p.kernelMs.toFixed(3)} ms (${(100 * p.kernelMs / p.stepMs).toFixed(1)}% of the step's wall time); ${gpu.reason}.`);
  } else {
    out.push(`Kernels ${p.kernelMs.toFixed(3)} ms (${(100 * p.kernelMs / p.stepMs).toFixed(1)}%), outside kernels ${p.overheadMs.toFixed(3)} ms, ` +
      `reading back ${p.syncMs.toFixed(3)} ms.`);
    out.push(peak === null ? `Peak: none measured for the '${p.backend}' backend, so no fractions of peak.`
      : `Peak (all ${p.threads} thread${p.threads === 1 ? '' : 's'}): ${peak.gflops === null ? `no FLOP peak (${peak.loop})` : `${peak.gflops.toFixed(1)} GFLOP/s (${peak.loop})`}, ` +
        `${peak.gbps.toFixed(1)} GB/s copy bandwidth over large arrays; ${peak.source}. The ceilings are per CPU-second ` +
        '(timed by CPU time, so other processes on the cores do not lower them); the step is timed by the wall clock, so under load the fractions are deflated: compare shares of the step.');
  }
  // On webgpu no GPU peak is measured: no "of peak" column.
  const header = ['op', 'calls', 'kernels', gpu ? 'GPU ms' : 'total ms', 'share', 'FLOPs', 'bytes', 'GFLOP/s', 'GB/s', ...(gpu ? [] : ['of peak'])];
  out.push('', table(header, p.rows.map((r) => [
    r.op, String(r.calls), String(r.kernels), r.ms.toFixed(3), `${(100 * r.share).toFixed(1)}%`,
    r.flops ? si(r.flops) : '—', r.bytes ? bytes(r.bytes) : '—', ...rateCells(r, r.cacheResident ? ' (cache)' : ''),
    ...(gpu ? [] : [peakCell(r)]),
  ]), header.map((_, i) => i > 0)));
  if (gpu === null) {
    out.push('\nof peak: achieved / attainable under the roofline, attainable = min(FLOP peak, FLOPs/byte × DRAM bandwidth) ("FLOP" or "DRAM": the roof that binds); data movement against the DRAM bandwidth.');
    if (peak?.cacheBytes != null) {
      out.push(`cache-resident / (cache): every kernel of the row moved at most ${mib(peak.cacheBytes)} (the largest CPU cache), so its data can stay in cache: ` +
        'it is not bound by the DRAM bandwidth (its GB/s may exceed it) and is held against the FLOP peak alone, or, moving data only, against nothing.');
    }
    if (p.rows.some((r) => r.peakFraction !== null && r.peakFraction > 1)) {
      out.push('(!): above the measured ceiling, which was measured under a heavier load than this step ran under: --remeasure.');
    }
  }
  out.push('', 'By kernel and shape:', table(['kernel', 'calls', gpu ? 'GPU ms' : 'total ms', 'share', 'GFLOP/s', 'GB/s'], p.kernels.map((r) => [
    r.kernel, String(r.calls), r.ms.toFixed(3), `${(100 * r.share).toFixed(1)}%`, ...rateCells(r),
  ]), [false, true, true, true, true, true]));
  return out.join('\n');
}

/** The GFLOP/s and GB/s cells of a row ('—' where it has no FLOPs, bytes or time). */
function rateCells(r: Pick<KernelRow, 'flops' | 'bytes' | 'gflops' | 'gbps'>, gbpsNote = ''): string[] {
  return [r.gflops !== null && r.flops > 0 ? r.gflops.toFixed(2) : '—', r.gbps !== null && r.bytes > 0 ? `${r.gbps.toFixed(2)}${gbpsNote}` : '—'];
}

