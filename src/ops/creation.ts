// Creating tensors: from data, constants, ranges and identity (seeded random ones: random.ts).
import type { Backend, BackendName, DType, TypedArray } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import { Tensor, StorageRef } from '../tensor.js';
import { assertValidShape, shapeStr, sizeOf, type Shape } from '../shape.js';
import { empty, getDefaultDType } from './op.js';

export interface CreateOptions {
  dtype?: DType;
  backend?: Backend | BackendName;
  requiresGrad?: boolean;
}

export type NestedArray = number | NestedArray[];

export function resolve(op: string, options: CreateOptions | undefined): { backend: Backend; dtype: DType } {
  const b = options?.backend;
  const backend = b === undefined ? getBackend() : typeof b === 'string' ? getBackend(b) : b;
  const dtype = options?.dtype ?? getDefaultDType();
  if (!backend.supportsDType(dtype)) {
    throw new Error(`${op}: the '${backend.name}' backend does not support ${dtype} (use the 'js' backend for float64)`);
  }
  return { backend, dtype };
}

export function finish(t: Tensor, options: CreateOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Wraps host data of the right dtype in a tensor on a backend (the data is copied). */
export function fromTyped(data: TypedArray, shape: Shape, options?: CreateOptions): Tensor {
  const { backend } = resolve('fromTyped', { ...options, dtype: data instanceof Float64Array ? 'float64' : 'float32' });
  const dtype: DType = data instanceof Float64Array ? 'float64' : 'float32';
  return finish(new Tensor(new StorageRef(backend, backend.upload(data), data.length, dtype), shape), options);
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flattenNested(data: NestedArray, shape: number[], axis: number, out: number[]): void {
  if (axis === shape.length) {
    if (typeof data !== 'number') throw new Error(`tensor: ragged nested array: expected a number at depth ${axis}, got ${Array.isArray(data) ? 'an array' : typeof data}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[axis]) {
    throw new Error(`tensor: ragged nested array: expected ${shape[axis]} elements at depth ${axis} (shape ${shapeStr(shape)})`);
  }
  for (const x of data) flattenNested(x, shape, axis + 1, out);
}

/**
 * A tensor from a nested array, a number, or a flat array / Float32Array with a shape.
 * `tensor([[1, 2], [3, 4]])`, `tensor(new Float32Array(6), [2, 3])`.
 */
export function tensor(data: NestedArray | ArrayLike<number>, shape?: Shape, options?: CreateOptions): Tensor {
  const { backend, dtype } = resolve('tensor', options);
  let flat: ArrayLike<number>;
  let finalShape: Shape;
  if (typeof data === 'number') {
    flat = [data];
    finalShape = shape ?? [];
  } else if (ArrayBuffer.isView(data) || (shape !== undefined && !Array.isArray((data as NestedArray[])[0]))) {
    flat = data as ArrayLike<number>;
    finalShape = shape ?? [flat.length];
  } else {
    const inferred = inferShape(data as NestedArray);
    const values: number[] = [];
    flattenNested(data as NestedArray, inferred, 0, values);
    flat = values;
    finalShape = shape ?? inferred;
  }
  assertValidShape('tensor', finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fill shape ${shapeStr(finalShape)} (${sizeOf(finalShape)} elements)`);
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number') throw new Error(`tensor: element ${i} is ${typeof flat[i]}, expected a number`);
  }
  const typed = dtype === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat);
  return finish(new Tensor(new StorageRef(backend, backend.upload(typed), typed.length, dtype), finalShape), options);
}

export function full(shape: Shape, value: number, options?: CreateOptions): Tensor {
  assertValidShape('full', shape);
  const { backend, dtype } = resolve('full', options);
  const t = empty(shape, dtype, backend);
  backend.fill(t.storage('full'), t.size, value);
  return finish(t, options);
}

export function zeros(shape: Shape, options?: CreateOptions): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options?: CreateOptions): Tensor {
  return full(shape, 1, options);
}

/** Same shape, dtype and backend as `like`. */
export function fullLike(like: Tensor, value: number, options?: { requiresGrad?: boolean }): Tensor {
  return full(like.shape, value, { dtype: like.dtype, backend: like.backend, requiresGrad: options?.requiresGrad });
}

export function zerosLike(like: Tensor): Tensor {
  return fullLike(like, 0);
}

export function onesLike(like: Tensor): Tensor {
  return fullLike(like, 1);
}

/** Values start, start+step, … below stop (NumPy's arange). */
export function arange(start: number, stop?: number, step = 1, options?: CreateOptions): Tensor {
  if (stop === undefined) { stop = start; start = 0; }
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return tensor(values, [n], options);
}

export function linspace(start: number, stop: number, count: number, options?: CreateOptions): Tensor {
  if (!Number.isInteger(count) || count < 0) throw new Error(`linspace: count must be a non-negative integer, got ${count}`);
  const values = Array.from({ length: count }, (_, i) => (count === 1 ? start : start + ((stop - start) * i) / (count - 1)));
  return tensor(values, [count], options);
}

export function eye(n: number, m = n, options?: CreateOptions): Tensor {
  assertValidShape('eye', [n, m]);
  const values = new Array<number>(n * m).fill(0);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return tensor(values, [n, m], options);
}
