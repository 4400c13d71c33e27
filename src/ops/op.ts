// What every op shares: checking its inputs, allocating its output, and recording the graph node.
import type { Backend, DType } from '../backend/backend.js';
import { isGradEnabled } from '../autograd.js';
import { StorageRef, Tensor, type GraphNode } from '../tensor.js';
import { shapeStr, sizeOf, type Shape } from '../shape.js';

let defaultDType: DType = 'float32';

/** The dtype creation functions use when none is given (gradcheck switches it to float64). */
export function getDefaultDType(): DType {
  return defaultDType;
}

export function setDefaultDType(dtype: DType): void {
  defaultDType = dtype;
}

/** Runs fn with another default dtype. */
export function withDefaultDType<T>(dtype: DType, fn: () => T): T {
  const previous = defaultDType;
  defaultDType = dtype;
  try {
    return fn();
  } finally {
    defaultDType = previous;
  }
}

/** A new tensor with uninitialised storage on `backend`. */
export function empty(shape: Shape, dtype: DType, backend: Backend): Tensor {
  const size = sizeOf(shape);
  return new Tensor(new StorageRef(backend, backend.alloc(dtype, size), size, dtype), shape);
}

/** A tensor that shares `source`'s storage (reshape: same data, new shape). */
export function alias(source: Tensor, shape: Shape, op: string): Tensor {
  source.storage(op);
  return new Tensor(source.ref.retain(), shape);
}

export function checkTensor(op: string, x: unknown, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected ${what} to be a Tensor, got ${describe(x)}`);
  x.storage(op);
  return x;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (wrap it with tensor())';
  return typeof x;
}

/** Inputs of one op must live on one backend and share a dtype. */
export function checkSame(op: string, tensors: Tensor[]): { backend: Backend; dtype: DType } {
  const first = tensors[0];
  for (const t of tensors) {
    t.storage(op);
    if (t.backend !== first.backend) {
      throw new Error(`${op}: inputs are on different backends ('${first.backend.name}' and '${t.backend.name}'); move one with .to()`);
    }
    if (t.dtype !== first.dtype) {
      throw new Error(`${op}: dtype mismatch: ${first.dtype} ${shapeStr(first.shape)} and ${t.dtype} ${shapeStr(t.shape)}`);
    }
  }
  return { backend: first.backend, dtype: first.dtype };
}

/**
 * Attaches the graph node to `out` when grad is enabled and some input requires grad.
 * `backward` maps dL/dout to dL/dinputs and is written with ops, so every backend gets it.
 */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GraphNode['backward'],
  extra?: { saved?: string[]; attrs?: Record<string, unknown> }): Tensor {
  if (!isGradEnabled()) return out;
  let needs = false;
  for (const x of inputs) if (x.requiresGrad) { needs = true; break; }
  if (!needs) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward, saved: extra?.saved, attrs: extra?.attrs };
  return out;
}

