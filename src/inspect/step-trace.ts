// One training step, recorded: the same sequence as fit()'s step (zeroGrad → forward → loss
// (+ the terms the model added with addLoss) → backward → optimizer.step()), run with the
// backend's kernels instrumented, so every kernel call can be attributed to the forward op,
// the backward rule or the parameter update that made it. explainStep and profileStep are
// both views of this record.
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { topoSort, type BackwardStep } from '../autograd.js';
import { explain, type ExplainedOp } from './explain.js';
import { tidy } from '../memory.js';
import { add } from '../ops/elementwise.js';
import { fillCost, instrumentBackend, type KernelCall } from './kernel-recorder.js';
import type { WebGPUBackend } from '../backend/webgpu/make-backend.js';

/** What explain/profile need of a model: a Module satisfies it. */
export interface StepModel {
  training?: boolean;
  forward(x: Tensor): Tensor;
  namedParameters(): [string, Tensor][];
  /** Terms added during forward with addLoss (VAE's KL, sparsity penalties). */
  takeLosses?(): Tensor[];
  train?(mode?: boolean): unknown;
}

/** What they need of an optimizer: an Optimizer from src/optim satisfies it. */
export interface StepOptimizer {
  step(): void;
  zeroGrad(): void;
  paramGroups?: { params: Tensor[]; lr: number; [k: string]: unknown }[];
}

export type StepLoss = (pred: Tensor, target: Tensor) => Tensor;
export type Phase = 'forward' | 'backward' | 'optimizer';

/** The kernel calls attributed to one op, rule or update, and their summed cost. */
export interface OpCost {
  calls: KernelCall[];
  flops: number;
  bytes: number;
  /** Wall time of the calls, or their GPU time where the step was timed on the GPU (TracedStep.gpuTimed). */
  ms: number;
}

export interface ForwardEntry extends ExplainedOp {
  /** 'param' and 'input' are leaves; 'model' ops make the prediction, 'loss' ops the loss from it. */
  part: 'param' | 'input' | 'model' | 'loss';
  cost: OpCost;
}

export interface BackwardInput {
  id: number;
  name?: string;
  shape: readonly number[];
  /** Shape of the gradient the rule sent to this input (null: it needs none). */
  gradShape: readonly number[] | null;
}

export interface BackwardEntry {
  index: number;
  op: string;
  /** The forward tensor whose gradient this rule consumed. */
  forwardId: number;
  gradShape: readonly number[];
  inputs: BackwardInput[];
  saved: string[];
  cost: OpCost;
}

export interface UpdateEntry {
  name: string;
  id: number;
  shape: readonly number[];
  cost: OpCost;
}

export interface TracedStep {
  backend: string;
  loss: number;
  /** Ids of the batch, the target and the model's prediction (the graph's boundary). */
  inputId: number;
  targetId: number;
  outputId: number;
  lossId: number;
  forward: ForwardEntry[];
  backward: BackwardEntry[];
  updates: UpdateEntry[];
  /** Kernel calls no op, rule or parameter could be named for (e.g. gradient accumulation). */
  unattributed: Record<Phase, OpCost>;
  /**
   * The kernel times are GPU times from timestamp queries (webgpu with 'timestamp-query'): each
   * call's compute passes, timed one pass per dispatch; a call that ran none (a buffer copy) has 0.
   */
  gpuTimed: boolean;
  /** Wall time per phase; `sync` is reading the loss back and waiting for queued GPU work. */
  phaseMs: { forward: number; backward: number; optimizer: number; sync: number };
  totalMs: number;
}

/**
 * The loss value as fit() reads it: synchronously where the CPU can read the backend's memory
 * (no await, so the timed read holds nothing else: resuming an awaiting function is where V8
 * tiers up a large one, 0.3 ms inside W1's profiled read), else awaited after the queued GPU work.
 */
export function readLoss(loss: Tensor): number | Promise<number> {
  const data = loss.peek('readLoss');
  if (data !== null) return data[0];
  return loss.itemAsync().then(async (value) => { await loss.backend.sync?.(); return value; });
}

/** A call's time: its GPU time where the step was timed on the GPU (none for an untimed copy), else its wall time. */
export function callMs(c: KernelCall, gpuTimed: boolean): number {
  return gpuTimed ? c.gpuMs ?? 0 : c.ms;
}

function costOf(calls: KernelCall[], gpuTimed: boolean): OpCost {
  let flops = 0, bytes = 0, ms = 0;
  for (const c of calls) { flops += c.flops; bytes += c.bytes; ms += callMs(c, gpuTimed); }
  return { calls, flops, bytes, ms };
}

/**
 * Runs one training step on x's backend and records it. Without an optimizer the step stops
 * after backward (gradients are left in .grad). The parameters are updated as in training.
 */
export async function traceStep(model: StepModel, lossFn: StepLoss, x: Tensor, y: Tensor, optimizer?: StepOptimizer): Promise<TracedStep> {
  const backend: Backend = x.backend;
  const named = model.namedParameters();
  const paramNames = new Map<number, string>(named.map(([n, t]) => [t.id, n]));
  for (const [, p] of named) {
    if (p.backend !== backend) throw new Error(`traceStep: parameter '${paramNames.get(p.id)}' is on the '${p.backend.name}' backend but the batch is on '${backend.name}' (src/inspect/step-trace.ts)`);
  }
  const wasTraining = model.training;
  model.train?.(true);
  if (optimizer) optimizer.zeroGrad();
  else for (const [, p] of named) p.zeroGrad();

  let phase: Phase = 'forward';
  const forwardCalls: KernelCall[] = [];
  const backwardSegments: KernelCall[][] = [[]];
  const optimizerCalls: KernelCall[] = [];
  const rules: { step: BackwardStep; inputs: { id: number; name?: string }[] }[] = [];
  let explained: ExplainedOp[] = [];
  // Graph tensors and their storages, taken before tidy frees them.
  let graphStorages: { id: number; storage: unknown }[] = [];
  let outputId = -1;
  const phaseMs = { forward: 0, backward: 0, optimizer: 0, sync: 0 };

  // On webgpu with timestamp queries every kernel call is timed on the GPU as well.
  const timer = backend.name === 'webgpu' ? (backend as WebGPUBackend).gpuTimer ?? null : null;
  if (timer) { await backend.sync?.(); await timer.collect(); }   // a clean slate: nothing left of an earlier recording
  const restore = instrumentBackend(backend, (c) => {
    if (phase === 'forward') forwardCalls.push(c);
    else if (phase === 'backward') backwardSegments[backwardSegments.length - 1].push(c);
    else optimizerCalls.push(c);
  }, timer);
  let lossTensor: Tensor;
  try {
    let t0 = performance.now();
    let backwardStart = 0;
    lossTensor = tidy(() => {
      const out = model.forward(x);
      outputId = out.id;
      let loss = lossFn(out, y);
      for (const term of model.takeLosses?.() ?? []) loss = add(loss, term);
      phaseMs.forward = performance.now() - t0;
      // Bookkeeping for the record, outside the timed phases: the graph before backward frees it.
      explained = explain(loss);
      graphStorages = topoSort(loss).map((t) => ({ id: t.id, storage: t.ref.storage }));
      phase = 'backward';
      backwardStart = performance.now();
      loss.backward(undefined, {
        trace: (step) => {
          rules.push({ step, inputs: (step.output.node?.inputs ?? []).map((t) => ({ id: t.id, name: paramNames.get(t.id) ?? t.name })) });
          backwardSegments.push([]);
        },
      });
      return loss;
    });
    phaseMs.backward = performance.now() - backwardStart;
    if (optimizer) {
      phase = 'optimizer';
      t0 = performance.now();
      optimizer.step();
      phaseMs.optimizer = performance.now() - t0;
    }
  } finally {
    restore();
    if (wasTraining === false) model.train?.(false);
  }
  const syncStart = performance.now();
  const read = readLoss(lossTensor);
  const loss = typeof read === 'number' ? read : await read;
  phaseMs.sync = performance.now() - syncStart;
  const lossId = lossTensor.id;
  lossTensor.dispose();
  const allCalls = [forwardCalls, ...backwardSegments, optimizerCalls];
  // Read after the step's timing: the GPU is done with the step's passes (sync above).
  const gpuTimes = timer ? await timer.collect() : null;
  for (const calls of allCalls) for (const c of calls) c.gpuMs = gpuTimes?.get(c.seq)?.ms ?? null;
  const gpuTimed = gpuTimes !== null;
  const costOfCalls = (calls: KernelCall[]) => costOf(calls, gpuTimed);
  for (const calls of allCalls) calls.forEach(fillCost);

  // ---- attribution --------------------------------------------------------------------
  // Forward: a kernel belongs to the graph tensor whose storage it wrote (the earliest one:
  // a reshape aliases its source's storage); the calls before it that wrote no graph tensor
  // (temporaries, expanded operands) are that op's helpers. Ids only grow, which guards
  // against a recycled buffer pointing back to an earlier tensor.
  const opIds = new Set(explained.filter((o) => o.op !== 'input').map((o) => o.id));
  const owner = new Map<unknown, { id: number }>();
  for (const t of [...graphStorages].sort((a, b) => a.id - b.id)) {
    if (opIds.has(t.id) && !owner.has(t.storage)) owner.set(t.storage, t);
  }
  const forwardById = new Map<number, KernelCall[]>();
  let pending: KernelCall[] = [];
  let lastId = -Infinity;
  for (const c of forwardCalls) {
    pending.push(c);
    const t = owner.get(c.out);
    if (t && t.id >= lastId) {
      forwardById.set(t.id, [...(forwardById.get(t.id) ?? []), ...pending]);
      pending = [];
      lastId = t.id;
    }
  }
  const unattributedForward = pending;

  const forward: ForwardEntry[] = [...explained].sort((a, b) => a.id - b.id).map((o) => ({
    ...o,
    name: paramNames.get(o.id) ?? o.name,
    part: o.op === 'input' ? (paramNames.has(o.id) ? 'param' : 'input') : o.id <= outputId ? 'model' : 'loss',
    cost: costOfCalls(forwardById.get(o.id) ?? []),
  }));

  // Backward: the calls between two trace callbacks belong to the rule reported second.
  const backward: BackwardEntry[] = rules.map(({ step, inputs }, i) => ({
    index: step.index,
    op: step.op,
    forwardId: step.output.id,
    gradShape: step.gradShape,
    inputs: inputs.map((inp, k) => ({ ...inp, shape: step.inputShapes[k], gradShape: step.inputGradShapes[k] })),
    saved: step.saved,
    cost: costOfCalls(backwardSegments[i]),
  }));
  const unattributedBackward = backwardSegments[backwardSegments.length - 1];

  // Optimizer: a call that takes a parameter's storage (the fused step's first argument, or
  // assign's destination) updates that parameter; the calls before it computed its update.
  const byStorage = new Map<unknown, [string, Tensor]>(named.map(([n, t]) => [t.ref.storage, [n, t]]));
  const updateCalls = new Map<number, KernelCall[]>();
  pending = [];
  for (const c of optimizerCalls) {
    pending.push(c);
    const hit = c.args.find((a) => byStorage.has(a));
    if (hit !== undefined) {
      const [, t] = byStorage.get(hit)!;
      updateCalls.set(t.id, [...(updateCalls.get(t.id) ?? []), ...pending]);
      pending = [];
    }
  }
  const updates: UpdateEntry[] = named.filter(([, t]) => updateCalls.has(t.id))
    .map(([name, t]) => ({ name, id: t.id, shape: t.shape, cost: costOfCalls(updateCalls.get(t.id)!) }));

  // Let go of the storages the calls point at: a kept record must not keep a step's memory alive
  // (the profiler holds several; the allocator would then never reuse warm pages).
  for (const calls of allCalls) for (const c of calls) { c.args = []; c.out = null; }
  return {
    backend: backend.name,
    loss,
    inputId: x.id,
    targetId: y.id,
    outputId,
    lossId,
    forward,
    backward,
    updates,
    unattributed: { forward: costOfCalls(unattributedForward), backward: costOfCalls(unattributedBackward), optimizer: costOfCalls(pending) },
    gpuTimed,
    phaseMs,
    totalMs: phaseMs.forward + phaseMs.backward + phaseMs.optimizer + phaseMs.sync,
  };
}
