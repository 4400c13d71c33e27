// Creating tensors: from data, constants, ranges and identity (seeded random ones: random.ts);
// and the batch gather of byte data sets into host rows.
import type { Backend, BackendName, DType, TypedArray } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { assertValidShape, shapeStr, sizeOf, type Shape } from '../shape.js';
import { filled, getDefaultDType, uploaded } from './op.js';
// Every tensor is made here or by an op on one made here: attaching the methods from this file
// makes them present wherever tensors are.
import './methods.js';

export { fromStorage } from './op.js';

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
  const { backend, dtype } = resolve('fromTyped', { ...options, dtype: data instanceof Float64Array ? 'float64' : 'float32' });
  return finish(uploaded(data, shape, dtype, backend), options);
}

/** The shape of a nested array (read along its first elements) and its numbers in order; ragged arrays are refused. */
function flattenNested(data: NestedArray): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let cur = data; Array.isArray(cur); cur = cur[0]) {
    shape.push(cur.length);
    if (cur.length === 0) break;
  }
  const values: number[] = [];
  const walk = (x: NestedArray, axis: number): void => {
    if (axis === shape.length) {
      if (typeof x !== 'number') throw new Error(`tensor: ragged nested array: expected a number at depth ${axis}, got ${Array.isArray(x) ? 'an array' : typeof x}`);
      values.push(x);
    } else if (!Array.isArray(x) || x.length !== shape[axis]) {
      throw new Error(`tensor: ragged nested array: expected ${shape[axis]} elements at depth ${axis} (shape ${shapeStr(shape)})`);
    } else {
      for (const e of x) walk(e, axis + 1);
    }
  };
  walk(data, 0);
  return { shape, values };
}

/**
 * A tensor from a nested array, a number, or a flat array / Float32Array with a shape.
 * `tensor([[1, 2], [3, 4]])`, `tensor(new Float32Array(6), [2, 3])`.
 */
export function tensor(data: NestedArray | ArrayLike<number>, shape?: Shape, options?: CreateOptions): Tensor {
  const { backend, dtype } = resolve('tensor', options);
  // A typed array, or a flat array with a shape, is taken as is; a number is a nested array of depth 0.
  const isFlat = ArrayBuffer.isView(data) || (shape !== undefined && typeof data !== 'number' && !Array.isArray((data as NestedArray[])[0]));
  const { shape: ownShape, values: flat } = isFlat ? { shape: [(data as ArrayLike<number>).length], values: data as ArrayLike<number> } : flattenNested(data as NestedArray);
  const finalShape = shape ?? ownShape;
  assertValidShape('tensor', finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fill shape ${shapeStr(finalShape)} (${sizeOf(finalShape)} elements)`);
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number') throw new Error(`tensor: element ${i} is ${typeof flat[i]}, expected a number`);
  }
  return finish(uploaded(flat, finalShape, dtype, backend), options);
}

export function full(shape: Shape, value: number, options?: CreateOptions): Tensor {
  assertValidShape('full', shape);
  const { backend, dtype } = resolve('full', options);
  return finish(filled(shape, value, dtype, backend), options);
}

export const zeros = (shape: Shape, options?: CreateOptions): Tensor => full(shape, 0, options);
export const ones = (shape: Shape, options?: CreateOptions): Tensor => full(shape, 1, options);

/** Same shape, dtype and backend as `like`. */
export function fullLike(like: Tensor, value: number, options?: { requiresGrad?: boolean }): Tensor {
  return full(like.shape, value, { dtype: like.dtype, backend: like.backend, requiresGrad: options?.requiresGrad });
}

export const zerosLike = (like: Tensor): Tensor => fullLike(like, 0);
export const onesLike = (like: Tensor): Tensor => fullLike(like, 1);

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

/**
 * Host rows of bytes scaled to float32, out[i·rowSize + j] = src[rows[i]·rowSize + j] / divisor,
 * by the gatherRows kernel of `backend` (default: the current one) when its storage is host
 * memory, else by js's. Rows must be in range (ByteDataset.readRows checks them). With `background`,
 * begun in the background where the backend can (native: the next batch gathered by its pool's workers
 * while a step runs): call the function returned before reading `out`, and leave src, rows and out
 * unchanged until then.
 */
export function gatherRows(src: Uint8Array, rowSize: number, rows: Uint32Array, divisor: number, out: Float32Array, backend = getBackend(), background = false): () => void {
  return (backend.hostVisible ? backend : getBackend('js')).gatherRows(src, rowSize, rows, divisor, out, background);
}
