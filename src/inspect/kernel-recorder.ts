// Watching the kernels: wraps every kernel method of a Backend object so that each call is
// reported (which kernel, its cost, the storage it wrote, how long it took), then restores the
// originals. Tensors hold their backend by reference, so wrapping the object in place sees every
// call made for existing tensors too (model parameters, optimizer state).
import type { Backend } from '../backend/backend.js';
import { kernelCost, kernelDetail } from './kernel-cost.js';
import type { GpuKernelTimer } from '../backend/webgpu/kernel-timer.js';

export const KERNEL_METHODS = [
  'fill', 'unary', 'activationGrad', 'binary', 'where', 'reduce', 'copy', 'matmul', 'softmax', 'im2col', 'col2im', 'conv2d',
  'conv2dMaxPool', 'conv2dBackwardData', 'conv2dBackwardWeight', 'conv2dMaxPoolBackwardWeight', 'maxPool2d', 'maxPool2dBackward', 'sgdStep',
  'adamStep', 'random',
  'reparameterize', 'reparameterizeBackward', 'bceLogitsWithGrad',
] as const;
export type KernelMethod = (typeof KERNEL_METHODS)[number];

/** Which argument is the storage a kernel writes (optimizer steps update their first argument). */
const OUT_ARG: Record<KernelMethod, number> = {
  fill: 0, unary: 2, activationGrad: 3, binary: 5, where: 6, reduce: 2, copy: 3, matmul: 2, softmax: 1, im2col: 1, col2im: 1,
  conv2d: 3, conv2dMaxPool: 3, conv2dBackwardData: 3, conv2dBackwardWeight: 2, conv2dMaxPoolBackwardWeight: 3, maxPool2d: 1, maxPool2dBackward: 2, sgdStep: 0, adamStep: 0, random: 1,
  reparameterize: 2, reparameterizeBackward: 4, bceLogitsWithGrad: 2,   // reparameterize writes kl (argument 3) too, bceLogitsWithGrad grad, conv2dMaxPool argmax (4)
};

export interface KernelCall {
  kernel: KernelMethod;
  /** 'matmul m×n×k 256×64×784 Bᵀ +bias relu', 'unary step', … (set by fillCost) */
  detail: string;
  flops: number;
  bytes: number;
  /** Wall time of the call (on webgpu: the time to encode and submit, not to execute). */
  ms: number;
  /** The call's place in the recording: the tag its GPU time is collected under. */
  seq: number;
  /**
   * GPU time of the call's compute passes from timestamp queries (webgpu with 'timestamp-query',
   * set by traceStep); null where none was measured or the call ran no pass (buffer copies, uploads).
   */
  gpuMs: number | null;
  /** The storage the kernel wrote (cleared once traceStep has attributed the call). */
  out: unknown;
  /** Every argument, for attribution (storages compared by identity; cleared likewise). */
  args: readonly unknown[];
}

/**
 * Wraps the kernels of `backend`; `onCall` hears each one. Returns the function that puts the
 * original methods back. Calls made from inside a wrapped kernel are not reported twice. With a
 * `timer`, each call's GPU work is timed under its `seq` (collected by the caller).
 */
export function instrumentBackend(backend: Backend, onCall: (call: KernelCall) => void, timer: GpuKernelTimer | null = null): () => void {
  const target = backend as unknown as Record<string, unknown>;
  if (target.__tesseraInstrumented) {
    throw new Error(`instrumentBackend: the '${backend.name}' backend is already instrumented (src/inspect/kernel-recorder.ts); restore it first`);
  }
  const saved: { name: KernelMethod; own: boolean; fn: unknown }[] = [];
  let depth = 0, seq = 0;
  for (const name of KERNEL_METHODS) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    saved.push({ name, own: Object.prototype.hasOwnProperty.call(target, name), fn: original });
    target[name] = function instrumented(this: unknown, ...args: unknown[]): unknown {
      if (depth > 0) return (original as (...a: unknown[]) => unknown).apply(backend, args);
      depth++;
      const tag = seq++;
      timer?.begin(tag);
      const start = performance.now();
      try {
        return (original as (...a: unknown[]) => unknown).apply(backend, args);
      } finally {
        const ms = performance.now() - start;
        timer?.end();
        depth--;
        // Cost and description are filled in later (fillCost), outside the timed step.
        onCall({ kernel: name, detail: '', flops: 0, bytes: 0, ms, seq: tag, gpuMs: null, out: args[OUT_ARG[name]], args });
      }
    };
  }
  // Adam's one call over a whole group is hidden while watched: the op then steps parameter by
  // parameter (the same numbers), so that each update is attributed to its parameter.
  const many = Object.getOwnPropertyDescriptor(target, 'adamSteps');
  if (typeof target.adamSteps === 'function') target.adamSteps = undefined;
  target.__tesseraInstrumented = true;
  return () => {
    if (many) Object.defineProperty(target, 'adamSteps', many);
    else delete target.adamSteps;
    for (const s of saved) {
      if (s.own) target[s.name] = s.fn;
      else delete target[s.name];
    }
    delete target.__tesseraInstrumented;
  };
}

/** Computes a recorded call's FLOPs, bytes and description from its arguments. */
export function fillCost(call: KernelCall): KernelCall {
  const cost = kernelCost(call.kernel, call.args);
  call.flops = cost.flops;
  call.bytes = cost.bytes;
  call.detail = kernelDetail(call.kernel, call.args);
  return call;
}

/** Runs fn with every kernel call of `backend` collected, and restores the backend after. */
export function recordKernels<T>(backend: Backend, fn: () => T): { result: T; calls: KernelCall[] } {
  const calls: KernelCall[] = [];
  const restore = instrumentBackend(backend, (c) => calls.push(c));
  try {
    const result = fn();
    return { result, calls };
  } finally {
    restore();
    calls.forEach(fillCost);
  }
}
