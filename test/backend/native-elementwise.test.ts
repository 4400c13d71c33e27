// Native elementwise kernels against the js backend on every ISA path: every unary op over
// special values (±0, tiny, huge, ±inf, NaN) and a wide range, sizes below one vector and big
// enough for threads; broadcasting binary ops and where over many stride patterns; strided copy.
import { describe, expect, it } from 'vitest';
import { BINARY_OPS, UNARY_OPS, type UnaryOp, type UnaryParams } from '../../src/backend/backend.js';
import { Generator, U, contiguousStrides, expectClose, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';

const native = nativeOrThrow();

const SPECIALS = [
  0, -0, 1, -1, 0.5, -0.5, 1e-30, -1e-30, 1e-8, -1e-8, 1e-4, -1e-4, 1e-3, 0.1, 2, Math.PI, -Math.PI, 10, -10,
  20, -20, 30, 50, -50, 88, 89, -87, -104, -110, 100, -100, 1e4, -1e4, 1e6, -1e6, 3e38, -3e38,
  Infinity, -Infinity, NaN,
];

function unaryInputs(gen: Generator, n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i < SPECIALS.length) x[i] = SPECIALS[i];
    else if (i % 3 === 0) x[i] = (gen.uniform() - 0.5) * 12;                       // the usual range
    else if (i % 3 === 1) x[i] = Math.sign(gen.uniform() - 0.5) * 10 ** (gen.uniform() * 12 - 8); // magnitudes 1e-8..1e4
    else x[i] = (gen.uniform() - 0.5) * 200;
  }
  return x;
}

const PARAMS: Partial<Record<UnaryOp, UnaryParams[]>> = {
  leakyRelu: [{ alpha: 0.01 }, { alpha: 0.2 }],
  elu: [{ alpha: 1 }, { alpha: 0.7 }],
  affine: [{ alpha: 0.3, beta: -1.7 }],
  powScalar: [{ alpha: 2 }, { alpha: 0.5 }, { alpha: 3 }, { alpha: -1 }, { alpha: 1 }, { alpha: 1.5 }, { alpha: -2.5 }, { alpha: 0 }],
  clamp: [{ alpha: -0.5, beta: 0.75 }],
};

// Native math is double precision (≤ 1e-12 relative) rounded once to float32, as js rounds its
// double Math.* result: the two agree to one float32 rounding (≤ 2^-24 relative) each way. The
// absolute 1e-14 covers erf/gelu near 0, where the js formula itself is 1 − erfc with erfc ≈ 1.
const UNARY_REL = 2 * U;
const UNARY_ABS = 1e-14;
// exp, sigmoid and tanh are float32 math (native/vec_mathf.inc): native-math-ulp.test.ts bounds
// them at ≤ 2 float32 ulps from the correctly rounded result, which is the js value (its double
// result rounded once). An ulp of a normal w is ≤ 2^-23·|w| = 2U·|w|, so 2 ulps ≤ 4U relative;
// subnormal results (≤ 2 ulps of 2^-149) stay inside UNARY_ABS.
const FLOAT_MATH_ULP = 2;
const FLOAT_MATH_OPS: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['exp', 'sigmoid', 'tanh']);
function unaryRel(op: UnaryOp): number { return FLOAT_MATH_OPS.has(op) ? FLOAT_MATH_ULP * 2 * U : UNARY_REL; }

function checkUnary(gen: Generator, op: UnaryOp, n: number): void {
  const x = unaryInputs(gen, n);
  for (const params of PARAMS[op] ?? [{}]) {
    const got = new Float32Array(n).fill(12345), want = new Float32Array(n);
    native.unary(op, x, got, n, params);
    js.unary(op, x, want, n, params);
    expectClose(got, want, unaryRel(op), UNARY_ABS, `${op}(${JSON.stringify(params)}) n=${n}`);
  }
}

/** A strided operand: storage plus strides into it for outShape (0 on broadcast axes). */
interface Operand { data: Float32Array; strides: number[] }

function broadcastOperand(gen: Generator, shape: readonly number[], outShape: readonly number[], quantize: boolean): Operand {
  // shape has outShape's rank; a 1 against a larger out axis broadcasts (stride 0).
  const size = shape.reduce((p, s) => p * s, 1);
  const data = uniform(gen, Math.max(size, 1), -3, 3);
  if (quantize) for (let i = 0; i < data.length; i += 2) data[i] = Math.round(data[i] * 2) / 2;  // ties for eq/ge/le
  const cs = contiguousStrides(shape);
  return { data, strides: shape.map((s, d) => (s === 1 && outShape[d] !== 1 ? 0 : cs[d])) };
}

/** A non-contiguous operand: outShape read through a permuted storage layout. */
function permutedOperand(gen: Generator, outShape: readonly number[]): Operand {
  const rank = outShape.length;
  const order = [...Array(rank).keys()].reverse();               // storage axes in reverse order
  const storageShape = order.map((d) => outShape[d]);
  const cs = contiguousStrides(storageShape);
  const strides = new Array<number>(rank);
  order.forEach((d, i) => { strides[d] = cs[i]; });
  const size = outShape.reduce((p, s) => p * s, 1);
  return { data: uniform(gen, Math.max(size, 1), -3, 3), strides };
}

interface Pattern { name: string; out: number[]; a: (g: Generator) => Operand; b: (g: Generator) => Operand }

function patterns(): Pattern[] {
  const bc = (shape: number[], out: number[]) => (g: Generator) => broadcastOperand(g, shape, out, true);
  return [
    { name: 'same shape', out: [3, 5, 7], a: bc([3, 5, 7], [3, 5, 7]), b: bc([3, 5, 7], [3, 5, 7]) },
    { name: 'row vector b', out: [3, 5, 7], a: bc([3, 5, 7], [3, 5, 7]), b: bc([1, 1, 7], [3, 5, 7]) },
    { name: 'column a', out: [4, 9], a: bc([4, 1], [4, 9]), b: bc([4, 9], [4, 9]) },
    { name: 'outer product', out: [3, 5, 7], a: bc([3, 1, 7], [3, 5, 7]), b: bc([1, 5, 1], [3, 5, 7]) },
    { name: 'scalar b', out: [2, 19], a: bc([2, 19], [2, 19]), b: bc([1, 1], [2, 19]) },
    { name: 'scalar a', out: [37], a: bc([1], [37]), b: bc([37], [37]) },
    { name: 'middle broadcast', out: [2, 6, 3], a: bc([2, 1, 3], [2, 6, 3]), b: bc([2, 6, 3], [2, 6, 3]) },
    { name: 'permuted a', out: [4, 3, 5], a: (g) => permutedOperand(g, [4, 3, 5]), b: bc([4, 3, 5], [4, 3, 5]) },
    { name: 'permuted both', out: [6, 7], a: (g) => permutedOperand(g, [6, 7]), b: (g) => permutedOperand(g, [6, 7]) },
    { name: 'size-1 axes', out: [1, 5, 1, 3], a: bc([1, 5, 1, 3], [1, 5, 1, 3]), b: bc([1, 1, 1, 3], [1, 5, 1, 3]) },
    { name: 'rank 0', out: [], a: bc([], []), b: bc([], []) },
    { name: 'empty', out: [3, 0, 4], a: bc([3, 0, 4], [3, 0, 4]), b: bc([1, 1, 4], [3, 0, 4]) },
    { name: 'tiny', out: [3], a: bc([3], [3]), b: bc([3], [3]) },
    { name: 'big (threads)', out: [300, 257], a: bc([300, 257], [300, 257]), b: bc([1, 257], [300, 257]) },
    { name: 'big column', out: [70000, 2], a: bc([70000, 1], [70000, 2]), b: bc([70000, 2], [70000, 2]) },
  ];
}

describe.each(isasHere())('native elementwise on %s', (isa) => {
  it('every unary op on special values and a wide range, at tiny and vector-edge sizes', () => {
    useIsa(isa);
    const gen = new Generator(21);
    for (const op of UNARY_OPS) for (const n of [1, 3, 7, 8, 17, 1000]) checkUnary(gen, op, n);
  });

  it('every unary op on a big array with 2 threads', () => {
    useIsa(isa, 2);
    const gen = new Generator(22);
    for (const op of UNARY_OPS) checkUnary(gen, op, 70_001);
    useIsa(isa, 1);
  });

  it('every binary op over broadcasting and strided patterns', () => {
    const gen = new Generator(23);
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const pat of patterns()) {
        const a = pat.a(gen), b = pat.b(gen);
        a.data[0] = NaN;  // NaN propagation (maximum/minimum) and comparisons with NaN
        const size = pat.out.reduce((p, s) => p * s, 1);
        for (const op of BINARY_OPS) {
          const got = new Float32Array(size).fill(12345), want = new Float32Array(size);
          native.binary(op, a.data, a.strides, b.data, b.strides, got, pat.out);
          js.binary(op, a.data, a.strides, b.data, b.strides, want, pat.out);
          // +,−,·,/ and comparisons of float32 values are exact in both, and so is bceGrad (double
          // division rounded once); pow goes through libm, bce through vlog (≈ 1e-12, rounded once).
          // bceLogits and bceLogitsGrad are float32 math (vec_mathf.inc) against js's double: a few
          // ulps of their terms, here |c·z| ≤ 12 (operands in [−3, 3]) and σ ≤ 1.
          const [rel, abs] = op === 'pow' || op === 'bce' ? [2 * U, 0] : op === 'bceLogits' ? [4 * U, 64 * U] : op === 'bceLogitsGrad' ? [0, 4 * U] : [0, 0];
          expectClose(got, want, rel, abs, `${op} ${pat.name} threads=${threads}`);
        }
      }
    }
    useIsa(isa, 1);
  });

  it('where over broadcasting patterns', () => {
    useIsa(isa);
    const gen = new Generator(24);
    for (const pat of patterns()) {
      const a = pat.a(gen), b = pat.b(gen), cond = pat.b(gen);
      for (let i = 0; i < cond.data.length; i++) cond.data[i] = cond.data[i] > 0 ? 1 : 0;
      const size = pat.out.reduce((p, s) => p * s, 1);
      const got = new Float32Array(size).fill(12345), want = new Float32Array(size);
      native.where(cond.data, cond.strides, a.data, a.strides, b.data, b.strides, got, pat.out);
      js.where(cond.data, cond.strides, a.data, a.strides, b.data, b.strides, want, pat.out);
      expectClose(got, want, 0, 0, `where ${pat.name}`);
    }
  });

  it('strided copy: permute, slice, pad, expand, contiguous', () => {
    const gen = new Generator(25);
    const cases: { name: string; src: number; srcOffset: number; srcStrides: number[]; dst: number; dstOffset: number;
      dstStrides: number[]; shape: number[] }[] = [
      // [4,5,6] → permute(2,0,1) into a contiguous [6,4,5]
      { name: 'permute', src: 120, srcOffset: 0, srcStrides: [1, 30, 6], dst: 120, dstOffset: 0, dstStrides: [20, 5, 1], shape: [6, 4, 5] },
      // rows 2..5, columns 1..7 of a [9, 10]
      { name: 'slice', src: 90, srcOffset: 21, srcStrides: [10, 1], dst: 24, dstOffset: 0, dstStrides: [6, 1], shape: [4, 6] },
      // a [3,4] into the middle of a zero-padded [5,8]
      { name: 'pad', src: 12, srcOffset: 0, srcStrides: [4, 1], dst: 40, dstOffset: 10, dstStrides: [8, 1], shape: [3, 4] },
      // expand a [1,7] row to [5,7]
      { name: 'expand', src: 7, srcOffset: 0, srcStrides: [0, 1], dst: 35, dstOffset: 0, dstStrides: [7, 1], shape: [5, 7] },
      { name: 'strided both', src: 200, srcOffset: 3, srcStrides: [40, 3], dst: 200, dstOffset: 1, dstStrides: [2, 20], shape: [4, 9] },
      // [3, 17, 20] → permute(0, 2, 1), from an offset: the tiled transpose, per batch item
      { name: 'batched transpose', src: 1025, srcOffset: 5, srcStrides: [340, 1, 20], dst: 1020, dstOffset: 0, dstStrides: [340, 17, 1], shape: [3, 20, 17] },
      // a transpose written into the middle of a wider, padded destination
      { name: 'transpose into padding', src: 120, srcOffset: 0, srcStrides: [1, 12], dst: 168, dstOffset: 13, dstStrides: [12, 1], shape: [12, 10] },
      { name: 'rank 0', src: 5, srcOffset: 4, srcStrides: [], dst: 3, dstOffset: 2, dstStrides: [], shape: [] },
      { name: 'big transpose (threads)', src: 300 * 400, srcOffset: 0, srcStrides: [1, 300], dst: 300 * 400, dstOffset: 0, dstStrides: [400, 1], shape: [300, 400] },
      { name: 'big contiguous (threads)', src: 200_000, srcOffset: 0, srcStrides: [1], dst: 200_000, dstOffset: 0, dstStrides: [1], shape: [200_000] },
    ];
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const c of cases) {
        const src = uniform(gen, c.src);
        const dst0 = uniform(gen, c.dst);
        const got = dst0.slice(), want = dst0.slice();
        native.copy(src, c.srcOffset, c.srcStrides, got, c.dstOffset, c.dstStrides, c.shape);
        js.copy(src, c.srcOffset, c.srcStrides, want, c.dstOffset, c.dstStrides, c.shape);
        expectClose(got, want, 0, 0, `copy ${c.name}`);
      }
    }
    useIsa(isa, 1);
  });

  it('rejects a storage too small for the shapes, naming the op', () => {
    useIsa(isa);
    expect(() => native.unary('exp', new Float32Array(3), new Float32Array(2), 3, {})).toThrow(/native backend unary: out has 2 elements/);
    expect(() => native.binary('add', new Float32Array(4), [1], new Float32Array(5), [1], new Float32Array(5), [5]))
      .toThrow(/binary\(add\): a has 4 elements, the shapes need 5/);
    expect(() => native.alloc('float64', 3)).toThrow(/float32 only/);
    expect(native.supportsDType('float64')).toBe(false);
  });
});
