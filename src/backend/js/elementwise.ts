// Elementwise kernels of the js backend: unary maps, broadcasting binary maps, where, copy.
// No per-element closures: each op is a switch outside a plain loop.
import type { ActivationGradOp, BinaryOp, TypedArray, UnaryOp, UnaryParams } from '../backend.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT1_2 = Math.SQRT1_2;
const fround = Math.fround;

/** erf(x) from the complementary error function of Numerical Recipes (fractional error < 1.2e-7). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc : erfc - 1;
}

// x: [size] → out: [size]
export function unary(op: UnaryOp, x: TypedArray, out: TypedArray, size: number, p: UnaryParams): void {
  const alpha = p.alpha ?? 0;
  const beta = p.beta ?? 0;
  switch (op) {
    case 'neg': for (let i = 0; i < size; i++) out[i] = -x[i]; return;
    case 'abs': for (let i = 0; i < size; i++) out[i] = Math.abs(x[i]); return;
    case 'sign': for (let i = 0; i < size; i++) out[i] = Math.sign(x[i]); return;
    case 'exp': for (let i = 0; i < size; i++) out[i] = Math.exp(x[i]); return;
    case 'log': for (let i = 0; i < size; i++) out[i] = Math.log(x[i]); return;
    case 'sqrt': for (let i = 0; i < size; i++) out[i] = Math.sqrt(x[i]); return;
    case 'square': for (let i = 0; i < size; i++) out[i] = x[i] * x[i]; return;
    case 'reciprocal': for (let i = 0; i < size; i++) out[i] = 1 / x[i]; return;
    case 'sin': for (let i = 0; i < size; i++) out[i] = Math.sin(x[i]); return;
    case 'cos': for (let i = 0; i < size; i++) out[i] = Math.cos(x[i]); return;
    case 'erf': for (let i = 0; i < size; i++) out[i] = erf(x[i]); return;
    // v ≤ 0 ? 0 : v, so NaN stays NaN (PyTorch's relu); −0 gives 0.
    case 'relu': for (let i = 0; i < size; i++) { const v = x[i]; out[i] = v <= 0 ? 0 : v; } return;
    case 'step': for (let i = 0; i < size; i++) out[i] = x[i] > 0 ? 1 : 0; return;
    case 'sigmoid':
      for (let i = 0; i < size; i++) {
        const v = x[i];
        // Stable on both sides: never exp of a large positive number.
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      return;
    case 'tanh': for (let i = 0; i < size; i++) out[i] = Math.tanh(x[i]); return;
    case 'softplus':
      // log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
      for (let i = 0; i < size; i++) { const v = x[i]; out[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); }
      return;
    case 'gelu':
      // Exact GELU (PyTorch's default): x · Φ(x) = 0.5 x (1 + erf(x / √2))
      for (let i = 0; i < size; i++) { const v = x[i]; out[i] = 0.5 * v * (1 + erf(v * SQRT1_2)); }
      return;
    case 'selu':
      for (let i = 0; i < size; i++) { const v = x[i]; out[i] = SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)); }
      return;
    case 'leakyRelu': for (let i = 0; i < size; i++) { const v = x[i]; out[i] = v > 0 ? v : alpha * v; } return;
    case 'elu': for (let i = 0; i < size; i++) { const v = x[i]; out[i] = v > 0 ? v : alpha * Math.expm1(v); } return;
    case 'affine': for (let i = 0; i < size; i++) out[i] = alpha * x[i] + beta; return;
    case 'powScalar':
      if (alpha === 2) { for (let i = 0; i < size; i++) out[i] = x[i] * x[i]; return; }
      for (let i = 0; i < size; i++) out[i] = Math.pow(x[i], alpha);
      return;
    case 'clamp': for (let i = 0; i < size; i++) { const v = x[i]; out[i] = v < alpha ? alpha : v > beta ? beta : v; } return;
    default: {
      const never: never = op;
      throw new Error(`js backend: unknown unary op '${String(never)}'`);
    }
  }
}

// y, g: [size] → out: [size]. out = g · act'(x) from the output y = act(x): float32 arithmetic
// for float32 arrays (PyTorch's), float64 for float64 arrays. relu multiplies by 0 where y ≤ 0,
// else 1 (1 at y = NaN: PyTorch's threshold_backward passes g there), rather than selecting g,
// so a NaN or ∞ gradient behaves as in mul(g, step(y)).
export function activationGrad(act: ActivationGradOp, y: TypedArray, g: TypedArray, out: TypedArray, size: number): void {
  // Float32 arrays: float32 arithmetic, each operation rounded with Math.fround (the last one by
  // the store), which the native backend's float32 lanes reproduce bit for bit (no FMA).
  // Float64 arrays (gradcheck): the same formulas in float64.
  const f32 = !(out instanceof Float64Array);
  switch (act) {
    // g · (y ≤ 0 ? 0 : 1), a product (not a select): a NaN or ∞ in g where y ≤ 0 gives NaN, as g · step(y).
    case 'relu': for (let i = 0; i < size; i++) out[i] = g[i] * (y[i] <= 0 ? 0 : 1); return;
    // g · (y · (1 − y))
    case 'sigmoid':
      if (f32) for (let i = 0; i < size; i++) { const v = y[i]; out[i] = g[i] * fround(v * fround(1 - v)); }
      else for (let i = 0; i < size; i++) { const v = y[i]; out[i] = g[i] * (v * (1 - v)); }
      return;
    // g · (1 − y · y)
    case 'tanh':
      if (f32) for (let i = 0; i < size; i++) { const v = y[i]; out[i] = g[i] * fround(1 - fround(v * v)); }
      else for (let i = 0; i < size; i++) { const v = y[i]; out[i] = g[i] * (1 - v * v); }
      return;
    default: {
      const never: never = act;
      throw new Error(`js backend activationGrad: unknown activation '${String(never)}' (expected relu, sigmoid or tanh)`);
    }
  }
}

/** The smallest normal float32: below it a probability counts as 0 (GPUs flush subnormals). */
const TINY = 2 ** -126;

/** Binary cross-entropy of probability p against target y, log clamped at −100 (opcodes.ts, 'bce'). */
function bce(p: number, y: number): number {
  const q = 1 - p;
  const l1 = p >= TINY ? Math.log(p) : -100, l2 = q >= TINY ? Math.log(q) : -100;
  return -(y * l1 + (1 - y) * l2);
}

/** ∂bce/∂p, 0 for a clamped log's term (opcodes.ts, 'bceGrad'). */
function bceGrad(p: number, y: number): number {
  const q = 1 - p;
  return (q >= TINY ? (1 - y) / q : 0) - (p >= TINY ? y / p : 0);
}

/** Binary cross-entropy of logit z against target y, stably (opcodes.ts, 'bceLogits'). */
function bceLogits(z: number, y: number): number {
  const a = Math.abs(z), c = z >= 0 ? 1 - y : y;
  return (c === 0 ? 0 : c * a) + Math.log1p(Math.exp(-a));
}

/** ∂bceLogits/∂z = σ(z) − y, σ in the form that takes e^ of −|z| only (opcodes.ts, 'bceLogitsGrad'). */
function bceLogitsGrad(z: number, y: number): number {
  const e = Math.exp(-Math.abs(z));
  return (z >= 0 ? 1 : e) / (1 + e) - y;
}

/** loss[i] = bceLogits and grad[i] = bceLogitsGrad of logits[i], target[i] (the two binary ops, one loop). */
export function bceLogitsWithGrad(logits: TypedArray, target: TypedArray, loss: TypedArray, grad: TypedArray, size: number): void {
  for (let i = 0; i < size; i++) {
    loss[i] = bceLogits(logits[i], target[i]);
    grad[i] = bceLogitsGrad(logits[i], target[i]);
  }
}

/** One contiguous run of a broadcasting binary op: out[oo+i] = a[ao+i·sa] op b[bo+i·sb]. */
function binaryRun(op: BinaryOp, a: TypedArray, ao: number, sa: number, b: TypedArray, bo: number, sb: number,
  out: TypedArray, oo: number, n: number): void {
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] + b[bo + i * sb]; return;
    case 'sub': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] - b[bo + i * sb]; return;
    case 'mul': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] * b[bo + i * sb]; return;
    case 'div': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] / b[bo + i * sb]; return;
    case 'pow': for (let i = 0; i < n; i++) out[oo + i] = Math.pow(a[ao + i * sa], b[bo + i * sb]); return;
    case 'maximum': for (let i = 0; i < n; i++) { const x = a[ao + i * sa], y = b[bo + i * sb]; out[oo + i] = x > y || x !== x ? x : y; } return;
    case 'minimum': for (let i = 0; i < n; i++) { const x = a[ao + i * sa], y = b[bo + i * sb]; out[oo + i] = x < y || x !== x ? x : y; } return;
    case 'gt': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] > b[bo + i * sb] ? 1 : 0; return;
    case 'ge': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] >= b[bo + i * sb] ? 1 : 0; return;
    case 'lt': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] < b[bo + i * sb] ? 1 : 0; return;
    case 'le': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] <= b[bo + i * sb] ? 1 : 0; return;
    case 'eq': for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * sa] === b[bo + i * sb] ? 1 : 0; return;
    case 'bce': for (let i = 0; i < n; i++) out[oo + i] = bce(a[ao + i * sa], b[bo + i * sb]); return;
    case 'bceGrad': for (let i = 0; i < n; i++) out[oo + i] = bceGrad(a[ao + i * sa], b[bo + i * sb]); return;
    case 'bceLogits': for (let i = 0; i < n; i++) out[oo + i] = bceLogits(a[ao + i * sa], b[bo + i * sb]); return;
    case 'bceLogitsGrad': for (let i = 0; i < n; i++) out[oo + i] = bceLogitsGrad(a[ao + i * sa], b[bo + i * sb]); return;
    default: {
      const never: never = op;
      throw new Error(`js backend: unknown binary op '${String(never)}'`);
    }
  }
}

/**
 * Walks every index of `shape` except the last axis, calling `run` with the offset of each
 * strided operand at the start of a last-axis run. Operands: strides per axis (rank = shape's).
 */
function forEachRun(shape: readonly number[], strides: readonly (readonly number[])[],
  run: (offsets: number[], n: number) => void): void {
  const rank = shape.length;
  const count = strides.length;
  if (rank === 0) { run(new Array(count).fill(0), 1); return; }
  const last = shape[rank - 1];
  let outer = 1;
  for (let d = 0; d < rank - 1; d++) outer *= shape[d];
  if (outer === 0 || last === 0) return;
  const idx = new Array(rank - 1).fill(0);
  const offsets = new Array(count).fill(0);
  for (let r = 0; r < outer; r++) {
    run(offsets, last);
    // Odometer increment over the leading axes, updating each operand's offset.
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let o = 0; o < count; o++) offsets[o] += strides[o][d];
      if (idx[d] < shape[d]) break;
      for (let o = 0; o < count; o++) offsets[o] -= strides[o][d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

// a, b: broadcast against outShape by their strides → out: outShape (contiguous)
export function binary(op: BinaryOp, a: TypedArray, aStrides: readonly number[], b: TypedArray,
  bStrides: readonly number[], out: TypedArray, outShape: readonly number[]): void {
  const rank = outShape.length;
  const outStrides = contiguousStrides(outShape);
  forEachRun(outShape, [aStrides, bStrides, outStrides], (o, n) => {
    binaryRun(op, a, o[0], rank ? aStrides[rank - 1] : 0, b, o[1], rank ? bStrides[rank - 1] : 0, out, o[2], n);
  });
}

export function where(cond: TypedArray, cs: readonly number[], a: TypedArray, as: readonly number[],
  b: TypedArray, bs: readonly number[], out: TypedArray, outShape: readonly number[]): void {
  const rank = outShape.length;
  const os = contiguousStrides(outShape);
  const last = (s: readonly number[]) => (rank ? s[rank - 1] : 0);
  const sc = last(cs), sa = last(as), sb = last(bs);
  forEachRun(outShape, [cs, as, bs, os], (o, n) => {
    for (let i = 0; i < n; i++) out[o[3] + i] = cond[o[0] + i * sc] !== 0 ? a[o[1] + i * sa] : b[o[2] + i * sb];
  });
}

export function copy(src: TypedArray, srcOffset: number, srcStrides: readonly number[], dst: TypedArray,
  dstOffset: number, dstStrides: readonly number[], shape: readonly number[]): void {
  const rank = shape.length;
  const ss = rank ? srcStrides[rank - 1] : 0;
  const ds = rank ? dstStrides[rank - 1] : 0;
  forEachRun(shape, [srcStrides, dstStrides], (o, n) => {
    const s0 = srcOffset + o[0], d0 = dstOffset + o[1];
    if (ss === 1 && ds === 1) dst.set(src.subarray(s0, s0 + n), d0);
    else for (let i = 0; i < n; i++) dst[d0 + i * ds] = src[s0 + i * ss];
  });
}
