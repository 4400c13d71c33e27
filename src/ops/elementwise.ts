// Elementwise ops: each is its forward kernel call and, beside it, its derivative in ops.
import type { BinaryOp, UnaryOp, UnaryParams } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, shapeStr } from '../shape.js';
import { checkSame, checkSameShape, checkTensor, empty, filled, record, sumTo } from './op.js';

/** Runs a unary kernel: out has x's shape. */
export function unaryKernel(op: UnaryOp, x: Tensor, params: UnaryParams = {}): Tensor {
  checkTensor(op, x);
  const out = empty(x.shape, x.dtype, x.backend);
  x.backend.unary(op, x.storage(op), out.storage(op), x.size, params);
  return out;
}

/** Runs a broadcasting binary kernel. */
export function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const { backend, dtype } = checkSame(op, [a, b]);
  const outShape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const out = empty(outShape, dtype, backend);
  backend.binary(op, a.storage(op), broadcastStrides(a.shape, outShape), b.storage(op),
    broadcastStrides(b.shape, outShape), out.storage(op), outShape);
  return out;
}

/** BCE on logits per element (binary 'bceLogits') and its derivative σ(a) − b, one kernel pass; no graph. */
export function bceLogitsWithGrad(a: Tensor, b: Tensor): [loss: Tensor, grad: Tensor] {
  const op = 'bceLogitsWithGrad', { backend, dtype } = checkSameShape(op, a, b, () => `logits ${shapeStr(a.shape)} and target ${shapeStr(b.shape)} differ; expected one shape`);
  const loss = empty(a.shape, dtype, backend), grad = empty(a.shape, dtype, backend);
  backend.bceLogitsWithGrad(a.storage(op), b.storage(op), loss.storage(op), grad.storage(op), a.size);
  return [loss, grad];
}

/** A number as a one-element tensor beside `like` (same backend and dtype). */
const asTensor = (like: Tensor, x: Tensor | number): Tensor =>
  typeof x === 'number' ? filled([], x, like.dtype, like.backend) : x;

// ---- arithmetic ------------------------------------------------------------------------

/** y = α·x + β, the op behind every tensor-with-number arithmetic. */
export function affine(x: Tensor, alpha: number, beta: number): Tensor {
  const y = unaryKernel('affine', x, { alpha, beta });
  return record(y, 'affine', [x], (g) => [alpha === 1 ? g : affine(g, alpha, 0)], { attrs: { alpha, beta } });
}

/**
 * An op of two broadcast inputs whose kernel is `op`; da and db give dL/da and dL/db before the
 * broadcast axes are summed back (each computed only when its input requires grad).
 */
function binaryOp(op: BinaryOp, a: Tensor, b: Tensor, da: (g: Tensor, y: Tensor) => Tensor,
  db: (g: Tensor, y: Tensor) => Tensor, saved?: string[]): Tensor {
  const y = binaryKernel(op, a, b);
  return record(y, op, [a, b], (g) => [
    a.requiresGrad ? sumTo(da(g, y), a.shape) : null,
    b.requiresGrad ? sumTo(db(g, y), b.shape) : null,
  ], { saved });
}

// d(a+b)/da = 1, d(a+b)/db = 1; broadcast axes are summed back to each input's shape.
export const add = (a: Tensor, b: Tensor | number): Tensor =>
  typeof b === 'number' ? affine(checkTensor('add', a), 1, b) : binaryOp('add', a, b, (g) => g, (g) => g);

export const sub = (a: Tensor, b: Tensor | number): Tensor =>
  typeof b === 'number' ? affine(checkTensor('sub', a), 1, -b) : binaryOp('sub', a, b, (g) => g, (g) => neg(g));

// d(a·b)/da = b, d(a·b)/db = a
export const mul = (a: Tensor, b: Tensor | number): Tensor =>
  typeof b === 'number' ? affine(checkTensor('mul', a), b, 0) : binaryOp('mul', a, b, (g) => mul(g, b), (g) => mul(g, a), ['a', 'b']);

// d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −y/b
export const div = (a: Tensor, b: Tensor | number): Tensor =>
  typeof b === 'number' ? affine(checkTensor('div', a), 1 / b, 0) : binaryOp('div', a, b, (g) => div(g, b), (g, y) => neg(div(mul(g, y), b)), ['b', 'y']);

/** a − b with a number on the left: rsub(2, x) = 2 − x. */
export const rsub = (a: number, b: Tensor): Tensor => affine(checkTensor('rsub', b), -1, a);

export function pow(a: Tensor, exponent: Tensor | number): Tensor {
  checkTensor('pow', a);
  if (typeof exponent === 'number') {
    // d(xᵖ)/dx = p·xᵖ⁻¹ (p = exponent)
    return unaryOp('powScalar', a, (g) => mul(g, exponent === 2 ? mul(a, 2) : mul(pow(a, exponent - 1), exponent)), ['x'], { alpha: exponent }, { exponent });
  }
  // d(aᵇ)/da = b·aᵇ⁻¹, d(aᵇ)/db = aᵇ·ln a
  return binaryOp('pow', a, exponent, (g) => mul(g, mul(exponent, pow(a, sub(exponent, 1)))), (g, y) => mul(g, mul(y, log(a))), ['a', 'b', 'y']);
}

/** max or min: the gradient goes to the chosen input; a tie splits it evenly (as PyTorch does). */
function extremum(op: 'maximum' | 'minimum', a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(checkTensor(op, a), b);
  return record(binaryKernel(op, a, bt), op, [a, bt], (g) => {
    // a's share of the gradient: 1 where a wins, ½ on a tie; b gets the rest (one mask for both).
    const share = add(binaryKernel(op === 'maximum' ? 'gt' : 'lt', a, bt), mul(binaryKernel('eq', a, bt), 0.5));
    return [a.requiresGrad ? sumTo(mul(g, share), a.shape) : null, bt.requiresGrad ? sumTo(mul(g, rsub(1, share)), bt.shape) : null];
  }, { saved: ['a', 'b'] });
}
export const maximum = (a: Tensor, b: Tensor | number): Tensor => extremum('maximum', a, b);
export const minimum = (a: Tensor, b: Tensor | number): Tensor => extremum('minimum', a, b);

// ---- comparisons (not differentiable: they return 0/1 masks) -------------------------------

const compare = (op: 'gt' | 'ge' | 'lt' | 'le' | 'eq') => (a: Tensor, b: Tensor | number): Tensor =>
  binaryKernel(op, checkTensor(op, a), asTensor(a, b));
export const gt = compare('gt'), ge = compare('ge'), lt = compare('lt'), le = compare('le'), eq = compare('eq');

/** cond ≠ 0 ? a : b, with broadcasting. The gradient flows to the chosen side. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  checkTensor('where', cond, 'cond');
  const [at, bt] = [asTensor(cond, a), asTensor(cond, b)];
  const { backend, dtype } = checkSame('where', [cond, at, bt]);
  const outShape = broadcastShapes('where', cond.shape, at.shape, bt.shape);
  const out = empty(outShape, dtype, backend);
  backend.where(cond.storage('where'), broadcastStrides(cond.shape, outShape), at.storage('where'), broadcastStrides(at.shape, outShape),
    bt.storage('where'), broadcastStrides(bt.shape, outShape), out.storage('where'), outShape);
  return record(out, 'where', [cond, at, bt], (g) => [null,
    at.requiresGrad ? sumTo(where(cond, g, 0), at.shape) : null,
    bt.requiresGrad ? sumTo(where(cond, 0, g), bt.shape) : null], { saved: ['cond'] });
}

// ---- unary math ----------------------------------------------------------------------------

/**
 * An op of one input whose kernel is `op`: y = f(x), and dL/dx = rule(g, y). `saved` names what
 * the rule keeps from the forward pass (for `explain`).
 */
export function unaryOp(op: UnaryOp, x: Tensor, rule: (g: Tensor, y: Tensor) => Tensor, saved: string[] = [],
  params: UnaryParams = {}, attrs?: Record<string, unknown>): Tensor {
  const y = unaryKernel(op, x, params);
  return record(y, op, [x], (g) => [rule(g, y)], { saved, attrs });
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x, (g) => neg(g));
// d|x|/dx = sign(x) (0 at 0, as PyTorch)
export const abs = (x: Tensor): Tensor => unaryOp('abs', x, (g) => mul(g, sign(x)), ['x']);
export const sign = (x: Tensor): Tensor => unaryKernel('sign', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x, (g, y) => mul(g, y), ['y']);
export const log = (x: Tensor): Tensor => unaryOp('log', x, (g) => div(g, x), ['x']);
// d√x/dx = 1 / (2√x)
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x, (g, y) => div(g, mul(y, 2)), ['y']);
export const square = (x: Tensor): Tensor => unaryOp('square', x, (g) => mul(g, mul(x, 2)), ['x']);
// d(1/x)/dx = −1/x² = −y²
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x, (g, y) => neg(mul(g, square(y))), ['y']);
export const sin = (x: Tensor): Tensor => unaryOp('sin', x, (g) => mul(g, cos(x)), ['x']);
export const cos = (x: Tensor): Tensor => unaryOp('cos', x, (g) => neg(mul(g, sin(x))), ['x']);
// d erf(x)/dx = 2/√π · e^(−x²)
export const erf = (x: Tensor): Tensor => unaryOp('erf', x, (g) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))), ['x']);

/** min(max(x, lo), hi); the gradient passes where lo ≤ x ≤ hi. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new Error(`clamp: min ${lo} must not exceed max ${hi}`);
  return unaryOp('clamp', x, (g) => mul(g, mul(ge(x, lo), le(x, hi))), ['x'], { alpha: lo, beta: hi }, { lo, hi });
}
