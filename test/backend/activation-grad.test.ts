// The activationGrad kernel: out = g · act'(x) from y = act(x). The js kernel against formulas
// written from x (not from y) and, for float32 arrays, against an independent float32-per-op
// reference; then native against js on every ISA, 1 and 2 threads, sizes below, at and above one
// vector and big enough to split over threads. Native runs the js kernel's float32 operations in
// the same order (one rounding each, -ffp-contract=off), so the two must agree bit for bit, NaN
// and signed zeros included.
import { describe, expect, it } from 'vitest';
import type { ActivationGradOp } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator, U, expectClose, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';

const ACTS: ActivationGradOp[] = ['relu', 'sigmoid', 'tanh'];
const SIZES = [1, 7, 15, 16, 17, 1000, 100003];

/** act'(x) from x itself, in float64: relu 1[x > 0], σ'(x) = e^−|x| / (1 + e^−|x|)², tanh'(x) = 1 / cosh²(x). */
function derivativeFromX(act: ActivationGradOp, x: number): number {
  switch (act) {
    case 'relu': return x > 0 ? 1 : 0;
    case 'sigmoid': { const e = Math.exp(-Math.abs(x)); return e / ((1 + e) * (1 + e)); }
    case 'tanh': { const c = Math.cosh(x); return 1 / (c * c); }
  }
}

function activate(act: ActivationGradOp, x: number): number {
  switch (act) {
    case 'relu': return x > 0 ? x : 0;
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
  }
}

describe('js activationGrad against act\'(x) written from x', () => {
  const gen = new Generator(77);
  for (const act of ACTS) {
    it(`${act}, float64`, () => {
      const n = 500;
      const x = new Float64Array(n), y = new Float64Array(n), g = new Float64Array(n), out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // Zeros exactly (relu's derivative at 0 is 0, as `step`), then the usual range.
        x[i] = i < 5 ? 0 : (gen.uniform() - 0.5) * 8;
        y[i] = activate(act, x[i]);
        g[i] = (gen.uniform() - 0.5) * 4;
      }
      jsBackend.activationGrad(act, y, g, out, n);
      for (let i = 0; i < n; i++) {
        const want = g[i] * derivativeFromX(act, x[i]);
        // y carries one double rounding, and 1 − y² / y(1 − y) amplify it by at most 1/(1 − |y|) < 3e3 here.
        if (!(Math.abs(out[i] - want) <= 1e-12 * Math.abs(g[i]) + 1e-13)) {
          throw new Error(`${act} [${i}] x=${x[i]} y=${y[i]} g=${g[i]}: got ${out[i]}, want ${want}`);
        }
      }
      if (act === 'relu') for (let i = 0; i < 5; i++) expect(out[i] === 0).toBe(true);   // ±0: g · 0
    });

    it(`${act}, float32: float32 arithmetic, one rounding per operation`, () => {
      const n = 777;
      const y = new Float32Array(n), g = new Float32Array(n), out = new Float32Array(n);
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = i < 5 ? 0 : (gen.uniform() - 0.5) * 6;
        y[i] = activate(act, x[i]);
        g[i] = (gen.uniform() - 0.5) * 4;
      }
      jsBackend.activationGrad(act, y, g, out, n);
      // The kernel's promise, written independently: every operation rounded to float32 (through
      // a one-element Float32Array, not Math.fround), in the order relu g·1[y>0],
      // sigmoid g·(y·(1 − y)), tanh g·(1 − y·y). Bit-equal.
      const r = new Float32Array(1);
      const f32 = (v: number): number => { r[0] = v; return r[0]; };
      const want = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = y[i];
        const d = act === 'relu' ? (v > 0 ? 1 : 0) : act === 'sigmoid' ? f32(v * f32(1 - v)) : f32(1 - f32(v * v));
        want[i] = f32(g[i] * d);
      }
      expectClose(out, want, 0, 0, `${act} float32 per-op`);
      for (let i = 0; i < n; i++) {
        // Against the same formula in float64 from the stored y: at most three roundings of
        // relative size ≤ 2^-24 = U each, except that tanh's 1 − y·y amplifies the rounding
        // of y·y (absolute ≤ U·y²) by 1/(1 − y²): bound (3 + y²/(1 − y²))·U relative.
        const v = y[i];
        const d64 = act === 'relu' ? (v > 0 ? 1 : 0) : act === 'sigmoid' ? v * (1 - v) : 1 - v * v;
        const w = g[i] * d64;
        const ulps = 3 + (act === 'tanh' ? (v * v) / (1 - v * v) : 0);
        if (!(Math.abs(out[i] - w) <= ulps * U * Math.abs(w) * (1 + 1e-9))) {
          throw new Error(`${act} [${i}] y=${v} g=${g[i]}: got ${out[i]}, float64 formula ${w}, bound ${ulps} U`);
        }
      }
      // And within float32 error of act'(x) itself (y's rounding, amplified ≤ 1/(1 − |y|) < 500 for |x| ≤ 3).
      for (let i = 0; i < n; i++) {
        const exact = g[i] * derivativeFromX(act, x[i]);
        expect(Math.abs(out[i] - exact)).toBeLessThanOrEqual(1000 * U * Math.abs(g[i]) + 1e-30);
      }
      if (act === 'relu') for (let i = 0; i < 5; i++) expect(out[i] === 0).toBe(true);   // ±0: g · 0
    });
  }

  it('relu multiplies by (y ≤ 0 ? 0 : 1): a NaN or ∞ gradient where y ≤ 0 stays NaN; y = NaN passes g (PyTorch)', () => {
    const y = new Float32Array([0, -0, -1, 2, NaN, 0.5]);
    const g = new Float32Array([NaN, 3, Infinity, -2, 1, -0]);
    const out = new Float32Array(6);
    jsBackend.activationGrad('relu', y, g, out, 6);
    // PyTorch's threshold_backward(g, y, 0) = y ≤ 0 ? 0 : g, but as a product: NaN·0 and ∞·0 are NaN.
    expect(Array.from(out)).toEqual([NaN, 0, NaN, -2, 1, -0]);
  });

  it('rejects an unknown activation, naming the kernel', () => {
    const a = new Float32Array(2);
    expect(() => jsBackend.activationGrad('gelu' as ActivationGradOp, a, a, a, 2)).toThrow(/activationGrad.*gelu.*relu, sigmoid or tanh/);
  });
});

const native = nativeOrThrow();

/** y over each activation's range plus the special values; g with zeros, NaN and infinities. */
function inputs(gen: Generator, act: ActivationGradOp, n: number): { y: Float32Array; g: Float32Array } {
  const lo = act === 'sigmoid' ? 0 : -1, hi = 1;
  const y = uniform(gen, n, act === 'relu' ? -3 : lo, act === 'relu' ? 3 : hi);
  const g = uniform(gen, n, -5, 5);
  const ySpecial = [0, -0, 1, -1, 1e-30, 0.5, 1e-8, 0.99999994, NaN, Infinity, -Infinity, 3e38];
  const gSpecial = [1, NaN, Infinity, -Infinity, 0, -0, 2, -3e38, 1, 1, 1, 1];
  for (let i = 0; i < Math.min(n, ySpecial.length); i++) { y[i] = ySpecial[i]; g[n - 1 - i] = gSpecial[i]; }
  for (let i = 0; i < n; i += 97) y[i] = 0;   // relu's kink, sprinkled everywhere (including vector tails)
  return { y, g };
}

function expectBitEqual(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
      throw new Error(`${what} [${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

describe('native activationGrad against js, every ISA, 1 and 2 threads', () => {
  for (const isa of isasHere()) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s)`, () => {
        useIsa(isa, threads);
        try {
          const gen = new Generator(9000 + threads);
          for (const act of ACTS) {
            for (const n of SIZES) {
              const { y, g } = inputs(gen, act, n);
              const got = new Float32Array(n).fill(12345), want = new Float32Array(n);
              native.activationGrad(act, y, g, got, n);
              js.activationGrad(act, y, g, want, n);
              expectBitEqual(got, want, `${isa} t${threads} ${act} n=${n}`);
            }
          }
        } finally {
          useIsa(isasHere()[0], 1);
        }
      });
    }
  }

  it('writes only the first size elements, works in place (out = g), and checks lengths', () => {
    const gen = new Generator(5);
    const { y, g } = inputs(gen, 'sigmoid', 1000);
    const out = new Float32Array(1000).fill(7);
    native.activationGrad('sigmoid', y, g, out, 613);
    const want = new Float32Array(1000).fill(7);
    js.activationGrad('sigmoid', y, g, want, 613);
    expectBitEqual(out, want, 'prefix');

    const inPlace = g.slice();
    native.activationGrad('tanh', y, inPlace, inPlace, 1000);
    const wantInPlace = new Float32Array(1000);
    js.activationGrad('tanh', y, g, wantInPlace, 1000);
    expectBitEqual(inPlace, wantInPlace, 'in place');

    expect(() => native.activationGrad('relu', y, g, new Float32Array(10), 1000)).toThrow(/activationGrad\(relu\): out has 10 elements, the shapes need 1000/);
    expect(() => native.activationGrad('relu', y.subarray(0, 5), g, out, 1000)).toThrow(/activationGrad\(relu\): y has 5 elements/);
    expect(() => native.activationGrad('softplus' as ActivationGradOp, y, g, out, 10)).toThrow(/native backend activationGrad: unknown activation 'softplus'/);
  });
});
