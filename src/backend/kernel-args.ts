// Argument checks and packing shared by the backends that call compiled kernels (native, wasm):
// the C++ side trusts its sizes, so every operand's extent is checked here first, and shapes and
// strides travel as one Float64Array `meta` in the layout native/elementwise.h documents.
import type { ActivationGradOp, AdamParams, BinaryOp, Conv2dGeometry, Dims, MatmulParams, RandomKind, ReduceOp, UnaryOp } from './backend.js';
import { activationCode, activationGradCode, BINARY_CODES, RANDOM_CODES, REDUCE_CODES, UNARY_CODES } from './opcodes.js';

/** The most axes the compiled kernels take (kMaxRank in native/strided.h); more go to js. */
const MAX_RANK = 16;

/** Room for the largest meta: [rank, shape, 4 stride lists] or copy's [rank, offsets, shape, 2 stride lists]. */
export const META_LENGTH = 2 + 5 * MAX_RANK + 4;

function need(backend: string, op: string, what: string, have: number, want: number): void {
  if (have < want) {
    throw new RangeError(`${backend} backend ${op}: ${what} has ${have} elements, the shapes need ${want}`);
  }
}

/** Negative strides (never produced by ops today) go to the js kernel, whose bounds are JS's. */
function anyNegative(...strides: (readonly number[])[]): boolean {
  for (const s of strides) for (const v of s) if (v < 0) return true;
  return false;
}

/** The last element a strided operand touches, +1 (0 for an empty shape), for strides ≥ 0. */
function extent(shape: readonly number[], strides: readonly number[], offset = 0): number {
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) return 0;
    hi += (shape[d] - 1) * strides[d];
  }
  return hi + 1;
}

// Not src/shape.ts's sizeOf: backends import nothing above backend/ (docs/architecture.md's layering).
function product(shape: readonly number[]): number {
  let p = 1;
  for (let i = 0; i < shape.length; i++) p *= shape[i];  // indexed: see sizeOf in src/shape.ts
  return p;
}

/** meta = [rank, shape, ...stride lists] (binary: a, b; where: cond, a, b). */
function writeMeta(meta: Float64Array, shape: readonly number[], ...strides: (readonly number[])[]): void {
  const rank = shape.length;
  meta[0] = rank;
  for (let d = 0; d < rank; d++) {
    meta[1 + d] = shape[d];
    for (let o = 0; o < strides.length; o++) meta[1 + (o + 1) * rank + d] = strides[o][d];
  }
}

/** copy's meta = [rank, srcOffset, dstOffset, shape, srcStrides, dstStrides]. */
function writeCopyMeta(meta: Float64Array, srcOffset: number, dstOffset: number, shape: readonly number[],
  srcStrides: readonly number[], dstStrides: readonly number[]): void {
  const rank = shape.length;
  meta[0] = rank; meta[1] = srcOffset; meta[2] = dstOffset;
  for (let d = 0; d < rank; d++) {
    meta[3 + d] = shape[d]; meta[3 + rank + d] = srcStrides[d]; meta[3 + 2 * rank + d] = dstStrides[d];
  }
}

/** geometry = [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow] (native/conv.h's ConvGeometry). */
export function writeGeometry(out: Float64Array, g: {
  n: number; c: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number;
  ph: number; pw: number; dh: number; dw: number; oh: number; ow: number;
}): Float64Array {
  out[0] = g.n; out[1] = g.c; out[2] = g.h; out[3] = g.w; out[4] = g.kh; out[5] = g.kw;
  out[6] = g.sh; out[7] = g.sw; out[8] = g.ph; out[9] = g.pw; out[10] = g.dh;
  out[11] = g.dw; out[12] = g.oh; out[13] = g.ow;
  return out;
}

/**
 * What is wrong with a TESSERA_THREADS value, or null when it is unset or a whole number in
 * [1, maxThreads]. (The C++ pool would quietly ignore a typo and clamp a huge count.)
 */
export function threadsEnvProblem(value: string | undefined, maxThreads: number): string | null {
  if (value === undefined || value === '') return null;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (n >= 1 && n <= maxThreads) return null;
  return `TESSERA_THREADS='${value}' is not a thread count: expected a whole number in [1, ${maxThreads}], or unset for one thread per core`;
}

type Operand = { readonly length: number };

/**
 * Each compiled kernel's operand checks, shared by the native and wasm backends: the op code it
 * takes (an unknown op is an error naming the backend) and every operand's length against the
 * sizes, checked before a call because the C++ trusts them.
 */
// A check runs before every kernel call: nothing is built (a message, an object) unless it fails.
export function kernelChecks(backend: string) {
  const needs = (op: string, what: string, have: number, want: number): void => need(backend, op, what, have, want);
  /** Each operand (null: absent) holds at least `size` elements; `names` ('x,out') names them in order. */
  const sameSize = (op: string, size: number, names: string, ...operands: (Operand | null)[]): void => {
    for (let i = 0; i < operands.length; i++) {
      if (operands[i] !== null && (operands[i] as Operand).length < size) needs(op, names.split(',')[i], (operands[i] as Operand).length, size);
    }
  };
  /** `op(detail)`, for the messages of ops that take an op or activation name. */
  const named = (op: string, detail: string, what: string, have: number, want: number): void => {
    if (have < want) needs(`${op}(${detail})`, what, have, want);
  };
  return {
    need: needs,
    unary(op: UnaryOp, x: Operand, out: Operand, size: number): number {
      const code = UNARY_CODES[op];
      if (code === undefined) throw new Error(`${backend} backend unary: unknown op '${String(op)}'`);
      sameSize('unary', size, 'x,out', x, out);
      return code;
    },
    activationGrad(act: ActivationGradOp, y: Operand, g: Operand, out: Operand, size: number): number {
      const code = activationGradCode(act);
      if (code === undefined) throw new Error(`${backend} backend activationGrad: unknown activation '${String(act)}' (expected relu, sigmoid or tanh)`);
      named('activationGrad', act, 'y', y.length, size);
      named('activationGrad', act, 'g', g.length, size);
      named('activationGrad', act, 'out', out.length, size);
      return code;
    },
    bceLogitsWithGrad(logits: Operand, target: Operand, loss: Operand, grad: Operand, size: number): void {
      sameSize('bceLogitsWithGrad', size, 'logits,target,loss,grad', logits, target, loss, grad);
    },
    /**
     * binary's op code, its operands checked against the strided extents and `meta` written; null
     * when the rank or a negative stride is beyond the compiled kernel, and the caller runs js's.
     */
    binary(op: BinaryOp, a: Operand, aStrides: Dims, b: Operand, bStrides: Dims, out: Operand, outShape: Dims, meta: Float64Array): number | null {
      const code = BINARY_CODES[op];
      if (code === undefined) throw new Error(`${backend} backend binary: unknown op '${String(op)}'`);
      if (outShape.length > MAX_RANK || anyNegative(aStrides, bStrides)) return null;
      named('binary', op, 'a', a.length, extent(outShape, aStrides));
      named('binary', op, 'b', b.length, extent(outShape, bStrides));
      named('binary', op, 'out', out.length, product(outShape));
      writeMeta(meta, outShape, aStrides, bStrides);
      return code;
    },
    /** As binary: true when where runs compiled (operands checked, `meta` written), false for js's. */
    where(cond: Operand, cs: Dims, a: Operand, as: Dims, b: Operand, bs: Dims, out: Operand, outShape: Dims, meta: Float64Array): boolean {
      if (outShape.length > MAX_RANK || anyNegative(cs, as, bs)) return false;
      needs('where', 'cond', cond.length, extent(outShape, cs));
      needs('where', 'a', a.length, extent(outShape, as));
      needs('where', 'b', b.length, extent(outShape, bs));
      needs('where', 'out', out.length, product(outShape));
      writeMeta(meta, outShape, cs, as, bs);
      return true;
    },
    /** As where, for the strided copy. */
    copy(src: Operand, srcOffset: number, srcStrides: Dims, dst: Operand, dstOffset: number, dstStrides: Dims, shape: Dims, meta: Float64Array): boolean {
      if (shape.length > MAX_RANK || anyNegative(srcStrides, dstStrides)) return false;
      needs('copy', 'src', src.length, extent(shape, srcStrides, srcOffset));
      needs('copy', 'dst', dst.length, extent(shape, dstStrides, dstOffset));
      writeCopyMeta(meta, srcOffset, dstOffset, shape, srcStrides, dstStrides);
      return true;
    },
    reduce(op: ReduceOp, x: Operand, out: Operand, outer: number, size: number, inner: number): number {
      const code = REDUCE_CODES[op];
      if (code === undefined) throw new Error(`${backend} backend reduce: unknown op '${String(op)}'`);
      named('reduce', op, 'x', x.length, outer * size * inner);
      named('reduce', op, 'out', out.length, outer * inner);
      return code;
    },
    /** The activation code of the fused epilogue. */
    matmul(a: Operand, b: Operand, out: Operand, p: MatmulParams): number {
      const { batch, m, n, k, strideA, strideB } = p;
      const act = activationCode(`${backend} backend matmul`, p.activation ?? 'none');
      if (batch > 0 && m > 0 && n > 0) {
        needs('matmul', 'A', a.length, (batch - 1) * strideA + m * k);
        needs('matmul', 'B', b.length, (batch - 1) * strideB + k * n);
        needs('matmul', 'out', out.length, batch * m * n);
        if (p.bias != null) needs('matmul', 'bias', (p.bias as Operand).length, n);
      }
      return act;
    },
    softmax(x: Operand, out: Operand, outer: number, size: number, inner: number): void {
      sameSize('softmax', outer * size * inner, 'x,out', x, out);
    },
    im2col(x: Operand, cols: Operand, g: Conv2dGeometry): void {
      needs('im2col', 'x', x.length, g.n * g.c * g.h * g.w);
      needs('im2col', 'cols', cols.length, g.n * g.c * g.kh * g.kw * g.oh * g.ow);
    },
    col2im(cols: Operand, out: Operand, g: Conv2dGeometry): void {
      needs('col2im', 'cols', cols.length, g.n * g.c * g.kh * g.kw * g.oh * g.ow);
      needs('col2im', 'out', out.length, g.n * g.c * g.h * g.w);
    },
    sgdStep(param: Operand, grad: Operand, buf: Operand | null, size: number): void {
      sameSize('sgdStep', size, 'param,grad,momentum buffer', param, grad, buf);
    },
    /** random's kind code, out (and gaussianNoise's input x) checked against size. */
    random(kind: RandomKind, out: Operand, size: number, x: Operand | undefined): number {
      const code = RANDOM_CODES[kind];
      if (code === undefined) throw new Error(`${backend} backend random: unknown kind '${String(kind)}'`);
      needs('random', 'out', out.length, size);
      if (kind === 'gaussianNoise') {
        if (x === undefined) throw new Error(`${backend} backend random: gaussianNoise needs its input x`);
        needs('random(gaussianNoise)', 'x', x.length, size);
      }
      return code;
    },
    reparameterize(stats: Operand, eps: Operand, z: Operand, kl: Operand, rows: number, latent: number): void {
      needs('reparameterize', 'stats', stats.length, rows * 2 * latent);
      sameSize('reparameterize', rows * latent, 'eps,z', eps, z);
      needs('reparameterize', 'kl', kl.length, rows);
    },
    reparameterizeBackward(stats: Operand, eps: Operand, dz: Operand | null, dkl: Operand | null, dstats: Operand, rows: number, latent: number): void {
      const op = 'reparameterizeBackward';
      sameSize(op, rows * 2 * latent, 'stats,dstats', stats, dstats);
      sameSize(op, rows * latent, 'eps,dz', eps, dz);
      if (dkl !== null) needs(op, 'dkl', dkl.length, rows);
    },
    /** Adam's bias corrections, computed here as the js backend does, so every backend uses the same doubles. */
    adamStep(param: Operand, grad: Operand, m: Operand, v: Operand, vMax: Operand | null, size: number, p: AdamParams): { stepSize: number; bc2Sqrt: number } {
      sameSize('adamStep', size, 'param,grad,m,v,vMax', param, grad, m, v, vMax);
      return { stepSize: p.lr / (1 - Math.pow(p.beta1, p.step)), bc2Sqrt: Math.sqrt(1 - Math.pow(p.beta2, p.step)) };
    },
  };
}
