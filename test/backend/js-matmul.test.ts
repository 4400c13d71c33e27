// The js backend's packed GEMM (matmul) against its naive reference (matmulNaive) and an
// independent float64 product: size 1, odd sizes, sizes around the 3×4 micro-tile and the
// KC = 256 / NC = 128 blocks, all four transpose combinations, batch strides (0 = broadcast,
// gaps), bias + every activation, float64 inputs at float64 accuracy, and scratch reuse.
import { describe, expect, it } from 'vitest';
import type { Activation, MatmulParams, TypedArray } from '../../src/backend/backend.js';
import { applyEpilogue, matmul, matmulNaive } from '../../src/backend/js/matmul.js';
import { Generator } from '../../src/random.js';

const gen = new Generator(2024);
const ACTS: Activation[] = ['none', 'relu', 'sigmoid', 'tanh'];

/** Uniform in [-1, 1); in float64 with bits below float32's 24 so float32 accumulation shows. */
function random(ctor: Float32ArrayConstructor | Float64ArrayConstructor, n: number): TypedArray {
  const a = new ctor(n);
  for (let i = 0; i < n; i++) a[i] = 2 * gen.uniform() - 1 + (gen.uniform() - 0.5) * 2 ** -27;
  return a;
}

/** Σ_t |op(A)[i,t]·op(B)[t,j]| per output: the scale of the accumulation error. */
function absSums(a: TypedArray, b: TypedArray, p: MatmulParams): Float64Array {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  const s = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let t = 0; t < k; t++) {
      const av = transA ? a[bi * strideA + t * m + i] : a[bi * strideA + i * k + t];
      const bv = transB ? b[bi * strideB + j * k + t] : b[bi * strideB + t * n + j];
      acc += Math.abs(av * bv);
    }
    s[(bi * m + i) * n + j] = acc;
  }
  return s;
}

interface Case { batch?: number; m: number; n: number; k: number; sA?: 'full' | 0 | 'gap'; sB?: 'full' | 0 | 'gap' }

/**
 * Runs matmul and the reference (matmulNaive in float64, rounded to the dtype, then the same
 * epilogue) and checks |got − want| ≤ k·u·Σ|ab| + 4u·(|want| + |bias|), u the dtype's unit
 * roundoff: the accumulation bound plus rounding of the sum and of the bias add. The
 * activations are 1-Lipschitz, so the bound carries through them.
 */
function check(c: Case, transA: boolean, transB: boolean, act: Activation, withBias: boolean,
  ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): void {
  const batch = c.batch ?? 1, { m, n, k } = c;
  const stride = (s: Case['sA'], size: number) => s === 0 ? 0 : s === 'gap' ? size + 5 : size;
  const p: MatmulParams = { batch, m, n, k, transA, transB, strideA: stride(c.sA ?? 'full', m * k),
    strideB: stride(c.sB ?? 'full', k * n), activation: act };
  const a = random(ctor, Math.max(1, (batch - 1) * p.strideA + m * k));
  const b = random(ctor, Math.max(1, (batch - 1) * p.strideB + k * n));
  const bias = withBias ? random(ctor, n) : undefined;
  p.bias = bias;
  const got = new ctor(batch * m * n).fill(NaN);
  matmul(a, b, got, p);

  const exact = new Float64Array(batch * m * n);
  matmulNaive(a, b, exact, p);
  const want = new ctor(exact);
  for (let bi = 0; bi < batch; bi++) applyEpilogue(want, bi * m * n, m, n, bias, act);
  const u = ctor === Float32Array ? 2 ** -24 : 2 ** -53;
  const abs = absSums(a, b, p);
  for (let i = 0; i < got.length; i++) {
    const bj = bias ? Math.abs(bias[i % n]) : 0;
    const tol = k * u * abs[i] + 4 * u * (Math.abs(exact[i]) + bj) + 1e-300;
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      throw new Error(`matmul ${JSON.stringify({ ...c, transA, transB, act, withBias, dtype: ctor.name })} [${i}]: ` +
        `got ${got[i]}, want ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > tol ${tol})`);
    }
  }
}

const TRANS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

describe('js matmul (packed 3×4 kernel) vs matmulNaive', () => {
  it('size 1, odd sizes and sizes around the 3×4 micro-tile, all transpose combinations', () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13];
    for (const [tA, tB] of TRANS) {
      for (const m of sizes) for (const n of sizes) check({ m, n, k: (m * 7 + n * 3) % 11 + 1 }, tA, tB, 'none', false);
      for (const k of sizes) check({ m: 5, n: 6, k }, tA, tB, 'none', false);
    }
  });

  it('sizes around the k block (256) and the column block (128)', () => {
    for (const [tA, tB] of TRANS) {
      for (const k of [255, 256, 257, 513]) check({ m: 7, n: 9, k }, tA, tB, 'none', false);
      for (const n of [127, 128, 129, 261]) check({ m: 4, n, k: 19 }, tA, tB, 'none', false);
    }
    check({ m: 37, n: 131, k: 300 }, false, true, 'none', true);
  });

  it('W1 shapes: X·Wᵀ, dYᵀ·X, dY·W', () => {
    check({ m: 256, n: 64, k: 784 }, false, true, 'relu', true);
    check({ m: 64, n: 784, k: 256 }, true, false, 'none', false);
    check({ m: 256, n: 784, k: 64 }, false, false, 'none', false);
    check({ m: 256, n: 32, k: 64 }, false, true, 'sigmoid', true);
  });

  it('batches with full strides, broadcast (stride 0) and gaps between items', () => {
    const strides: ('full' | 0 | 'gap')[] = ['full', 0, 'gap'];
    for (const [tA, tB] of TRANS) for (const sA of strides) for (const sB of strides) {
      check({ batch: 3, m: 5, n: 6, k: 7, sA, sB }, tA, tB, 'none', false);
    }
    check({ batch: 4, m: 1, n: 1, k: 1, sA: 0, sB: 'full' }, false, false, 'none', false);
  });

  it('bias + every activation, with and without bias', () => {
    for (const act of ACTS) for (const withBias of [false, true]) {
      for (const [tA, tB] of TRANS) check({ batch: 2, m: 7, n: 10, k: 12, sB: 0 }, tA, tB, act, withBias);
    }
  });

  it('float64 inputs keep float64 accuracy', () => {
    for (const [tA, tB] of TRANS) {
      check({ m: 9, n: 11, k: 300 }, tA, tB, 'none', false, Float64Array);
      check({ batch: 2, m: 4, n: 5, k: 6, sA: 0 }, tA, tB, 'tanh', true, Float64Array);
    }
    // The float64 tolerance is ~2^29 times tighter than float32's: float32 accumulation would fail it.
    const p: MatmulParams = { batch: 1, m: 1, n: 1, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 };
    const out = new Float64Array(1);
    matmul(new Float64Array([1, 2 ** -40]), new Float64Array([1, 1]), out, p);
    expect(out[0]).toBe(1 + 2 ** -40);
  });

  it('k = 0 gives act(bias); empty m or n writes nothing', () => {
    const p: MatmulParams = { batch: 2, m: 2, n: 3, k: 0, transA: false, transB: false, strideA: 0, strideB: 0,
      bias: new Float32Array([-1, 0.5, 2]), activation: 'relu' };
    const out = new Float32Array(12).fill(NaN);
    matmul(new Float32Array(0), new Float32Array(0), out, p);
    expect(Array.from(out)).toEqual([0, 0.5, 2, 0, 0.5, 2, 0, 0.5, 2, 0, 0.5, 2]);
    const none = new Float32Array(0);
    matmul(new Float32Array(4), new Float32Array(0), none, { ...p, k: 2, n: 0, bias: undefined });
    expect(none.length).toBe(0);
  });

  it('scratch reuse: a small product after a large one and alternating dtypes', () => {
    check({ m: 100, n: 130, k: 260 }, true, true, 'none', false);
    check({ m: 2, n: 3, k: 5 }, false, false, 'none', true);
    check({ m: 2, n: 3, k: 5 }, true, false, 'none', false, Float64Array);
    check({ m: 11, n: 5, k: 1 }, false, true, 'tanh', true);
    // (3 + 4100)·1030 doubles of packing: more than the 4 Mi kept scratch, a buffer of its own.
    check({ m: 2, n: 4100, k: 1030 }, true, false, 'none', false);
    check({ m: 3, n: 4, k: 2 }, false, false, 'relu', true);
  });
});
