// Reductions: sum, sumSquares, mean, max, min, argmax/argmin.
import type { ReduceOp } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxes, normalizeAxis, shapeStr, sizeOf, type Shape } from '../shape.js';
import { checkTensor, empty, record } from './op.js';
import { reshape } from './shape-ops.js';

/** Output shape of a reduction over `axes`: each reduced axis dropped, or kept as 1. */
function reducedShape(shape: Shape, axes: number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) out.push(shape[i]); else if (keepDims) out.push(1);
  return out;
}

/**
 * Runs a reduce kernel over sorted axes. Consecutive axes are one [outer, size, inner] pass;
 * separate runs of axes are reduced one after another (last run first), each keeping dims but the
 * last, whose output has the result's shape (no reshaped alias of it to make and free).
 */
// With no axes (a scalar) the result is a copy of x, never x itself.
function reduceKernel(op: ReduceOp, x: Tensor, axes: number[], keepDims: boolean): Tensor {
  let cur = x;
  let shape = [...x.shape];
  let end = axes.length;
  while (end > 0) {
    let start = end - 1;
    while (start > 0 && axes[start - 1] === axes[start] - 1) start--;
    const first = axes[start], last = axes[end - 1];
    const outer = sizeOf(shape.slice(0, first));
    const size = sizeOf(shape.slice(first, last + 1));
    const inner = sizeOf(shape.slice(last + 1));
    if (size === 0 && op !== 'sum' && op !== 'sumSquares') throw new Error(`${op}: cannot reduce over an empty axis (shape ${shapeStr(x.shape)})`);
    const nextShape = shape.map((d, i) => (i >= first && i <= last ? 1 : d));
    const out = empty(start === 0 && !keepDims ? reducedShape(x.shape, axes, false) : nextShape, x.dtype, x.backend);
    // sumSquares squares only on the first pass; later passes add its partial sums as they are.
    const passOp: ReduceOp = op === 'sumSquares' && cur !== x ? 'sum' : op;
    x.backend.reduce(passOp, cur.storage(op), out.storage(op), outer, size, inner);
    if (cur !== x) cur.dispose();
    cur = out;
    shape = nextShape;
    end = start;
  }
  if (cur === x) {
    const out = empty(x.shape, x.dtype, x.backend);
    // No axis to reduce: sumSquares of each element alone is its (rounded) square, 0 + x².
    if (op === 'sumSquares') { x.backend.reduce(op, x.storage(op), out.storage(op), 1, 1, x.size); return out; }
    x.backend.copy(x.storage(op), 0, [1], out.storage(op), 0, [1], [x.size]);
    return out;
  }
  return cur;
}

/**
 * A reduction over `axes` (all by default); its backward is rule(g, y, axes) with g reshaped to
 * keep the reduced axes as size 1, so that it broadcasts against x.
 */
function reduction(op: 'sum' | 'sumSquares' | 'max' | 'min', x: Tensor, axes: number | readonly number[] | undefined,
  keepDims: boolean, rule: (g: Tensor, y: Tensor, ax: number[]) => Tensor, saved?: string[]): Tensor {
  checkTensor(op, x);
  const ax = normalizeAxes(op, axes, x.rank);
  const y = reduceKernel(op, x, ax, keepDims);
  return record(y, op, [x], (g) => [rule(g.reshape(reducedShape(x.shape, ax, true)), y, ax)], { saved, attrs: { axes: ax, keepDims } });
}

// Every input element contributes once: dL/dx = dL/dy broadcast back over the reduced axes.
export const sum = (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor =>
  reduction('sum', x, axes, keepDims, (g) => g.expand(x.shape));

/**
 * Σ x² over `axes` (all by default) in one reduction, without the array of squares. Each square
 * is rounded to the dtype before it is added, in the order sum adds values, so the value is
 * bit for bit sum(square(x), axes, keepDims) on the same backend (js, native; webgpu within
 * rounding). Used by the MSE loss, L2 penalties and gradient-norm clipping.
 */
// d(Σx²)/dx = 2x: dL/dx = x · 2g, g broadcast back over the reduced axes (×2 on the small g, exact).
export const sumSquares = (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor =>
  reduction('sumSquares', x, axes, keepDims, (g) => x.mul(g.mul(2)), ['x']);

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('mean', x);
  const count = sizeOf(normalizeAxes('mean', axes, x.rank).map((a) => x.shape[a]));
  if (count === 0) throw new Error(`mean: cannot average over an empty axis (shape ${shapeStr(x.shape)})`);
  return sum(x, axes, keepDims).mul(1 / count);
}

// The gradient goes to the elements equal to the extreme, split evenly between ties.
const extreme = (op: 'max' | 'min') => (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor =>
  reduction(op, x, axes, keepDims, (g, y, ax) => {
    const mask = x.eq(y.reshape(g.shape));
    return mask.div(mask.sum(ax, true)).mul(g.expand(x.shape));
  }, ['x', 'y']);
export const max = extreme('max');
export const min = extreme('min');

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  checkTensor(op, x);
  if (axis === undefined) {
    // Over the flattened tensor, as NumPy and PyTorch do.
    return reshape(reduceKernel(op, reshape(x, [x.size]), [0], true), keepDims ? x.shape.map(() => 1) : []);
  }
  const a = normalizeAxis(op, axis, x.rank);
  return reduceKernel(op, x, [a], keepDims);
}

/** Index of the largest (smallest) element along an axis (as float values; not differentiable). */
export const argmax = (x: Tensor, axis?: number, keepDims = false): Tensor => argExtreme('argmax', x, axis, keepDims);
export const argmin = (x: Tensor, axis?: number, keepDims = false): Tensor => argExtreme('argmin', x, axis, keepDims);
