// The native float32 exp, sigmoid and tanh (native/vec_mathf.inc) against the correctly
// rounded float32 result, on every ISA path, over a sweep of the whole float range: every
// 4093rd float32 bit pattern of each sign, plus dense runs around 0, ±1e-8, ±1, the expf
// overflow (ln FLT_MAX ≈ 88.7228) and underflow (ln 2^-126 ≈ −87.34, ln 2^-149 ≈ −103.28)
// thresholds, and the tanh branch point 0.625. The reference is the double formula (Math.exp,
// the js backend's stable sigmoid, Math.tanh) rounded to float32 by Math.fround.
// Bounds asserted (measured maxima on avx512, avx2 and portable: exp 1 ulp, tanh 1 ulp,
// sigmoid 2 ulp / 1.95e-7 relative):
//   exp: ≤ 2 float32 ulps (ulps counted as the distance between bit patterns, so subnormal
//        results are measured in subnormal ulps);
//   sigmoid, tanh: ≤ 2 ulps, and ≤ 1e-6 relative where the result is a normal float.
// Specials as expf: e^inf = inf, e^−inf = 0, NaN → NaN; overflow → inf; deep underflow → 0.
import { describe, expect, it } from 'vitest';
import type { UnaryOp } from '../../src/backend/backend.js';
import { isasHere, nativeOrThrow, useIsa } from './native-helpers.js';
import { probeWasm, probedBackend } from '../backend-probe.js';

const native = nativeOrThrow();
const MAX_ULP = 2;
const MAX_REL = 1e-6;
const FLT_MIN = 2 ** -126;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function fromBits(b: number): number { u32[0] = b >>> 0; return f32[0]; }

/** Distance in float32 ulps between two float32 values (bit patterns on one ordered line). */
const i32 = new Int32Array(f32.buffer);
function ordered(x: number): number {
  f32[0] = x;
  const b = i32[0];
  return b < 0 ? -(b & 0x7fffffff) : b;  // −0 and +0 both map to 0
}
function ulpDistance(a: number, b: number): number { return Math.abs(ordered(a) - ordered(b)); }

function sigmoidRef(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}
const REF: Record<'exp' | 'sigmoid' | 'tanh', (v: number) => number> = { exp: Math.exp, sigmoid: sigmoidRef, tanh: Math.tanh };

function sweepInputs(): Float32Array {
  const xs: number[] = [];
  // Every 4093rd bit pattern of each sign (finite values only): ~1M values over the range.
  for (let b = 0; b < 0x7f800000; b += 4093) { xs.push(fromBits(b)); xs.push(fromBits(b | 0x80000000)); }
  // Dense runs: 2000 consecutive floats either side of each point.
  for (const c of [0, 1e-8, -1e-8, 1, -1, 0.625, -0.625, 88.72283, 88.7228, -87.33654, -103.27893, -103.97208, 20, -20, 9, -9]) {
    f32[0] = c;
    const base = u32[0];
    for (let d = -2000; d <= 2000; d++) {
      const b = base + d;
      if (b >= 0 && b < 0xffffffff) xs.push(fromBits(b));
    }
  }
  return Float32Array.from(xs.filter((x) => Number.isFinite(x)));
}

interface Worst { ulp: number; ulpAt: number; rel: number; relAt: number }

/** op over x: the addon's by default; the wasm block passes the wasm backend's (same C++, clang's wasm SIMD). */
type UnaryRun = (op: UnaryOp, x: Float32Array) => Float32Array;
const nativeUnary: UnaryRun = (op, x) => { const got = new Float32Array(x.length); native.unary(op, x, got, x.length, {}); return got; };

function measure(op: 'exp' | 'sigmoid' | 'tanh', x: Float32Array, run: UnaryRun = nativeUnary): Worst {
  const got = run(op as UnaryOp, x);
  const worst: Worst = { ulp: 0, ulpAt: NaN, rel: 0, relAt: NaN };
  for (let i = 0; i < x.length; i++) {
    const want = Math.fround(REF[op](x[i]));
    const g = got[i];
    if (want === Infinity || want === -Infinity) {
      if (g !== want) throw new Error(`${op}(${x[i]}): got ${g}, want ${want}`);
      continue;
    }
    const ulp = ulpDistance(g, want);
    if (ulp > worst.ulp) { worst.ulp = ulp; worst.ulpAt = x[i]; }
    if (Math.abs(want) >= FLT_MIN) {
      const rel = Math.abs(g - want) / Math.abs(want);
      if (rel > worst.rel) { worst.rel = rel; worst.relAt = x[i]; }
    }
  }
  return worst;
}

describe('native float32 exp / sigmoid / tanh accuracy', () => {
  const x = sweepInputs();

  it('ulpDistance counts float32 steps, across zero too', () => {
    expect(ulpDistance(1, Math.fround(1 + 2 ** -23))).toBe(1);
    expect(ulpDistance(1, Math.fround(1 - 2 ** -24))).toBe(1);
    expect(ulpDistance(2 ** -149, -(2 ** -149))).toBe(2);
    expect(ulpDistance(0, -0)).toBe(0);
  });

  for (const isa of isasHere()) {
    for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
      it(`${op} on ${isa}: ≤ ${MAX_ULP} ulp over ${x.length} inputs`, () => {
        useIsa(isa);
        const w = measure(op, x);
        const where = `${op}/${isa}: max ${w.ulp} ulp at x=${w.ulpAt}, max rel ${w.rel.toExponential(3)} at x=${w.relAt}`;
        expect(w.ulp, where).toBeLessThanOrEqual(MAX_ULP);
        if (op !== 'exp') expect(w.rel, where).toBeLessThanOrEqual(MAX_REL);
      });
    }

    it(`specials on ${isa}: inf, −inf, NaN, ±0, overflow, underflow`, () => {
      useIsa(isa);
      const xs = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, 88.8, 89, 1e30, -104, -110, -1e30, 88.72283]);
      const e = new Float32Array(xs.length), s = new Float32Array(xs.length), t = new Float32Array(xs.length);
      native.unary('exp', xs, e, xs.length, {});
      native.unary('sigmoid', xs, s, xs.length, {});
      native.unary('tanh', xs, t, xs.length, {});
      expect(Array.from(e.subarray(0, 11))).toEqual([Infinity, 0, NaN, 1, 1, Infinity, Infinity, Infinity, 0, 0, 0]);
      expect(Number.isFinite(e[11]) && e[11] > 3.4e38).toBe(true);  // just below ln FLT_MAX: finite
      expect(Array.from(s.subarray(0, 5))).toEqual([1, 0, NaN, 0.5, 0.5]);
      expect(Array.from(t.subarray(0, 5))).toEqual([1, -1, NaN, 0, -0]);
      expect(Object.is(t[4], -0)).toBe(true);
    });
  }
});

// The same bounds for the wasm module's kernels (simd_portable.cc through clang's wasm SIMD, whose
// clamps are f32x4.pmin / pmax there): the sweep and the specials.
describe('wasm float32 exp / sigmoid / tanh accuracy', () => {
  const wasm = probeWasm();
  const run: UnaryRun = (op, x) => {
    const b = probedBackend(wasm, 'wasm'), xs = b.upload(x), out = b.alloc('float32', x.length);
    b.unary(op, xs, out, x.length, {});
    const got = Float32Array.from(b.readSync(out, 'float32', x.length) as Float32Array);
    b.free(xs); b.free(out);
    return got;
  };
  const x = sweepInputs();
  for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
    it.skipIf(wasm.skip)(`${op} on wasm: ≤ ${MAX_ULP} ulp over ${x.length} inputs`, () => {
      const w = measure(op, x, run);
      const where = `${op}/wasm: max ${w.ulp} ulp at x=${w.ulpAt}, max rel ${w.rel.toExponential(3)} at x=${w.relAt}`;
      expect(w.ulp, where).toBeLessThanOrEqual(MAX_ULP);
      if (op !== 'exp') expect(w.rel, where).toBeLessThanOrEqual(MAX_REL);
    });
  }
  it.skipIf(wasm.skip)('specials on wasm: inf, −inf, NaN, ±0, overflow, underflow', () => {
    const xs = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, 88.8, 89, 1e30, -104, -110, -1e30, 88.72283]);
    const e = run('exp', xs), s = run('sigmoid', xs), t = run('tanh', xs);
    expect(Array.from(e.subarray(0, 11))).toEqual([Infinity, 0, NaN, 1, 1, Infinity, Infinity, Infinity, 0, 0, 0]);
    expect(Number.isFinite(e[11]) && e[11] > 3.4e38).toBe(true);
    expect(Array.from(s.subarray(0, 5))).toEqual([1, 0, NaN, 0.5, 0.5]);
    expect(Array.from(t.subarray(0, 5))).toEqual([1, -1, NaN, 0, -0]);
    expect(Object.is(t[4], -0)).toBe(true);
  });
});
