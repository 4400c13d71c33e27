// What every op shares: checking its inputs, allocating its output, recording the graph node,
// and sumTo (the adjoint of broadcasting). Op files import this file and the ops below them;
// backward rules call other ops as Tensor methods (attached by methods.ts), so the imports of
// the core form no cycle.
import type { Backend, DType } from '../backend/backend.js';
import { isGradEnabled, scopedSetting } from '../grad-mode.js';
import { StorageRef, Tensor, type GraphNode } from '../tensor.js';
import { shapeStr, sameShape, sizeOf, type Shape } from '../shape.js';

const defaultDType = scopedSetting<DType>('float32');

/** The dtype creation functions use when none is given (gradcheck switches it to float64). */
export const getDefaultDType = (): DType => defaultDType.get();

/** Runs fn with another default dtype. */
export const withDefaultDType = <T>(dtype: DType, fn: () => T): T => defaultDType.with(dtype, fn);

/**
 * A tensor that owns `storage`, which `backend` allocated (alloc or upload) and nothing else
 * holds: the one way storage becomes a tensor. Library code uses it to adopt an array it
 * filled in a host-visible backend's own format (a batch gathered in place).
 */
export function fromStorage(storage: unknown, shape: Shape, dtype: DType, backend: Backend): Tensor {
  return new Tensor(new StorageRef(backend, storage, sizeOf(shape), dtype), shape);
}

/** A new tensor with uninitialised storage on `backend`. */
export function empty(shape: Shape, dtype: DType, backend: Backend): Tensor {
  return fromStorage(backend.alloc(dtype, sizeOf(shape)), shape, dtype, backend);
}

/** A new tensor with every element `value`. */
export function filled(shape: Shape, value: number, dtype: DType, backend: Backend): Tensor {
  const t = empty(shape, dtype, backend);
  backend.fill(t.storage('full'), t.size, value);
  return t;
}

/** Host data copied to `backend` in `dtype` (converted when the array's type differs). */
export function uploaded(host: ArrayLike<number>, shape: Shape, dtype: DType, backend: Backend): Tensor {
  const want = dtype === 'float64' ? Float64Array : Float32Array;
  const typed = host instanceof want ? host : want.from(host);
  return fromStorage(backend.upload(typed), shape, dtype, backend);
}

export function checkTensor(op: string, x: unknown, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) {
    const got = x === null ? 'null' : Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x;
    throw new Error(`${op}: expected ${what} to be a Tensor, got ${got}`);
  }
  x.storage(op);
  return x;
}

/**
 * Inputs of one op must be live Tensors on one backend of one dtype. `names` says which input is
 * not a Tensor in the message (default: input 0, input 1, …).
 */
export function checkSame(op: string, tensors: Tensor[], names?: string[]): { backend: Backend; dtype: DType } {
  const first = tensors[0];
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    if (!(t instanceof Tensor) || t.isDisposed) checkTensor(op, t, names?.[i] ?? `input ${i}`);  // throws
    if (t.backend !== first.backend) {
      throw new Error(`${op}: inputs are on different backends ('${first.backend.name}' and '${t.backend.name}'); move one with .to()`);
    }
    if (t.dtype !== first.dtype) {
      throw new Error(`${op}: dtype mismatch: ${first.dtype} ${shapeStr(first.shape)} and ${t.dtype} ${shapeStr(t.shape)}`);
    }
  }
  return { backend: first.backend, dtype: first.dtype };
}

/** checkSame for two inputs that must also have one shape (no broadcasting); `mismatch` says what differs. */
export function checkSameShape(op: string, a: Tensor, b: Tensor, mismatch: () => string): { backend: Backend; dtype: DType } {
  const same = checkSame(op, [a, b]);
  if (!sameShape(a.shape, b.shape)) throw new Error(`${op}: ${mismatch()}`);
  return same;
}

/**
 * Attaches the graph node to `out` when grad is enabled and some input requires grad.
 * `backward` maps dL/dout to dL/dinputs and is written with ops, so every backend gets it.
 */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GraphNode['backward'],
  extra?: { saved?: string[]; attrs?: Record<string, unknown> }): Tensor {
  if (!isGradEnabled() || !inputs.some((x) => x.requiresGrad)) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward, saved: extra?.saved, attrs: extra?.attrs };
  return out;
}

/**
 * Sums g down to `shape` over the axes that broadcasting expanded: the adjoint of
 * broadcasting, used by every binary op's backward rule.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let d = 0; d < g.rank; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) axes.push(d);
  }
  return g.sum(axes, true).reshape(shape);
}
