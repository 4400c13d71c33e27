// Reductions: sum, sumSquares, mean, max, min, argmax/argmin, and sumTo (the adjoint of broadcasting).
import type { ReduceOp } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxes, normalizeAxis, sameShape, shapeStr, sizeOf, type Shape } from '../shape.js';
import { checkTensor, empty, record } from './op.js';
import { expand, reshape } from './shape-ops.js';
import { binaryKernel, div, mul } from './elementwise.js';

/** Output shape of a reduction over sorted `axes`. */
function reducedShape(shape: Shape, axes: number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (!axes.includes(d)) out.push(shape[d]);
    else if (keepDims) out.push(1);
  }
  return out;
}

/**
 * Runs a reduce kernel over sorted axes. Consecutive axes are one [outer, size, inner] pass;
 * separate runs of axes are reduced one after another (last run first), each keeping dims.
 */
// With no axes (a scalar) the result is a copy of x, never x itself.
function reduceKernel(op: ReduceOp, x: Tensor, axes: number[]): Tensor {
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
    const out = empty(nextShape, x.dtype, x.backend);
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

function withKeepDims(y: Tensor, x: Tensor, axes: number[], keepDims: boolean): Tensor {
  if (keepDims) return y;
  const r = reshape(y, reducedShape(x.shape, axes, false));
  if (r !== y) y.dispose();
  return r;
}

export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('sum', x);
  const ax = normalizeAxes('sum', axes, x.rank);
  const y = withKeepDims(reduceKernel('sum', x, ax), x, ax, keepDims);
  // Every input element contributes once: dL/dx = dL/dy broadcast back over the reduced axes.
  return record(y, 'sum', [x], (g) => [expand(reshape(g, reducedShape(x.shape, ax, true)), x.shape)],
    { attrs: { axes: ax, keepDims } });
}

/**
 * Σ x² over `axes` (all by default) in one reduction, without the array of squares. Each square
 * is rounded to the dtype before it is added, in the order sum adds values, so the value is
 * bit for bit sum(square(x), axes, keepDims) on the same backend (js, native; webgpu within
 * rounding). Used by the MSE loss, L2 penalties and gradient-norm clipping.
 */
export function sumSquares(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('sumSquares', x);
  const ax = normalizeAxes('sumSquares', axes, x.rank);
  const y = withKeepDims(reduceKernel('sumSquares', x, ax), x, ax, keepDims);
  // d(Σx²)/dx = 2x: dL/dx = x · 2g, g broadcast back over the reduced axes (×2 on the small g, exact).
  return record(y, 'sumSquares', [x], (g) => [mul(x, mul(reshape(g, reducedShape(x.shape, ax, true)), 2))],
    { saved: ['x'], attrs: { axes: ax, keepDims } });
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('mean', x);
  const ax = normalizeAxes('mean', axes, x.rank);
  const count = sizeOf(ax.map((a) => x.shape[a]));
  if (count === 0) throw new Error(`mean: cannot average over an empty axis (shape ${shapeStr(x.shape)})`);
  return mul(sum(x, ax, keepDims), 1 / count);
}

function extreme(op: 'max' | 'min', x: Tensor, axes: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  checkTensor(op, x);
  const ax = normalizeAxes(op, axes, x.rank);
  const kept = reduceKernel(op, x, ax);
  const y = withKeepDims(kept, x, ax, keepDims);
  // The gradient goes to the elements equal to the extreme, split evenly between ties.
  return record(y, op, [x], (g) => {
    const keptShape = reducedShape(x.shape, ax, true);
    const mask = binaryKernel('eq', x, reshape(y, keptShape));
    const count = sum(mask, ax, true);
    return [mul(div(mask, count), expand(reshape(g, keptShape), x.shape))];
  }, { saved: ['x', 'y'], attrs: { axes: ax, keepDims } });
}

export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return extreme('max', x, axes, keepDims);
}

export function min(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return extreme('min', x, axes, keepDims);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  checkTensor(op, x);
  if (axis === undefined) {
    // Over the flattened tensor, as NumPy and PyTorch do.
    const flat = reshape(x, [x.size]);
    return reduceKernel(op, flat, [0]).reshape(keepDims ? x.shape.map(() => 1) : []);
  }
  const a = normalizeAxis(op, axis, x.rank);
  return withKeepDims(reduceKernel(op, x, [a]), x, [a], keepDims);
}

/** Index of the largest element along an axis (as float values; not differentiable). */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtreme('argmax', x, axis, keepDims);
}

export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtreme('argmin', x, axis, keepDims);
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
  return reshape(sum(g, axes, true), shape);
}
