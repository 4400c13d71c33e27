// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator. Block b of a stream is a pure function of (key, counter + b), so a
// kernel can draw element i anywhere (any thread, any GPU invocation) and every backend gives
// the same 32-bit words. This file is the readable reference the js backend runs; native
// (native/simd_kernels.inc, randomKernel) and WGSL (shaders/random.wgsl) implement the same
// mapping, and test/backend/random.test.ts checks them word for word against it.
//
// The mapping from words to one tensor of `size` elements drawn at block counter `counter`:
// - element i reads block counter + ⌊i/4⌋, word i mod 4; the counter is the 128-bit value
//   (lo32(counter + b), hi32(counter + b), 0, 0); a call uses ⌈size/4⌉ blocks.
// - uniform: u = (w >>> 8)·2⁻²⁴ in [0, 1), 24 bits, exact in float32 (so exact on every backend).
// - bernoulli(p): (w >>> 8) < ⌈p·2²⁴⌉, an integer comparison (exact everywhere), giving
//   `value` (1, or a dropout scale) or 0.
// - normal: Box–Muller on the word pair (2j, 2j+1) of a block, as an explicit float32 algorithm
//   (normalPair below): every operation rounded to float32, no fused multiply-add, natural log and
//   sine/cosine by fixed polynomials, so the js reference (Math.fround at each step), the native
//   kernel (8 or 16 float lanes, built with -ffp-contract=off) and wasm compute the same bits; WGSL
//   runs the same steps within its own rounding. u1 = k·2⁻²⁴ with k = (w₀ >>> 8) + 1 in [1, 2²⁴],
//   θ = 2π·j·2⁻²⁴ with j = w₁ >>> 8; the even element gets r·cos θ, the odd one r·sin θ,
//   r = √(−2 ln u1). Against the double-precision functions on the same words
//   (test/backend/random.test.ts asserts these bounds over strided subsets of k and j and the
//   ends): ln u1 within 8.1e-8 relative, cos θ and sin θ within 9.1e-8 absolute, so z within
//   1.5e-6 absolute of double Box–Muller (the bound derived from those two); ln u1 ≤ 0, so r is
//   real, and |z| ≤ r(k = 1) = 5.7681074 < √(48 ln 2) = 5.7681075.
//   Then out = mean + std·z: in float32 storage with mean and std rounded to float32 and each of
//   the two operations rounded (so mean 0, std 1 stores z itself); in float64 storage in double.
// - gaussianNoise (input x): out = clamp(x + n, low, high), n the normal kind's value above and the
//   sum rounded to the storage dtype: exactly add(x, randn(...)) then clamp, in one pass.
import type { RandomKind } from './opcodes.js';

const M0 = 0xd2511f53, M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9, W1 = 0xbb67ae85;

/** The high 32 bits of the 64-bit product of two u32 (JS numbers lose bits beyond 2^53, so by 16-bit halves). */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lh = al * bh, hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/** One Philox4x32-10 block: the four output words of counter (c0..c3) under key (k0, k1). */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/** Blocks one call of `size` elements uses (the generator's counter advances by this). */
export function randomBlocks(size: number): number {
  return Math.ceil(size / 4);
}

/** The largest block counter: counters are whole numbers below 2^53 (exact in a JS number). */
export const MAX_RANDOM_COUNTER = 2 ** 53 - 1;

/** The raw words of the blocks counter .. counter + ⌈size/4⌉ − 1, element i at [i]. */
export function philoxWords(key: readonly [number, number], counter: number, size: number): Uint32Array {
  const out = new Uint32Array(randomBlocks(size) * 4);
  const block = new Uint32Array(4);
  for (let b = 0; b * 4 < size; b++) {
    const c = counter + b;
    philox4x32(c >>> 0, Math.floor(c / 2 ** 32) >>> 0, 0, 0, key[0] >>> 0, key[1] >>> 0, block);
    out.set(block, b * 4);
  }
  return out;
}

/** ⌈p·2²⁴⌉ for p in [0, 1]: bernoulli keeps word w when (w >>> 8) is below it. */
export function bernoulliThreshold(p: number): number {
  return Math.ceil(p * 16777216);
}

export interface RandomParams {
  /** normal, gaussianNoise: out = mean + std·z (then x added and clipped). */
  mean?: number;
  std?: number;
  /** bernoulli: the probability of `value` (else 0). */
  p?: number;
  /** bernoulli: the value drawn with probability p (1 by default; a dropout mask uses 1/(1 − p)). */
  value?: number;
  /** gaussianNoise: the clip range (−∞ and +∞ by default). */
  low?: number;
  high?: number;
}

const f32 = Math.fround;
const INV_2_24 = 1 / 16777216;
const SQRT2_F = f32(Math.SQRT2);
// ln 2 = LN2_HI + LN2_LO, LN2_HI with 9 significant bits, so n·LN2_HI is exact for |n| ≤ 2⁸ (Cephes logf).
const LN2_HI = 0.693359375, LN2_LO = f32(-2.12194440e-4);
// ln(1 + f) = f − f²/2 + f³·P(f) on f in [√½ − 1, √2 − 1] (Cephes logf's minimax P, degree 8).
const LOG_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f32);
// sin a = a + a·a²·S(a²), cos a = 1 − a²/2 + a⁴·C(a²) on |a| ≤ π/4 (Cephes sinf, cosf).
const SIN_S = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f32);
const COS_C = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f32);
/** 2π·2⁻²⁴ in float32: θ − (quarter turns) = this · (j − q·2²²), one rounding. */
const TURN_F = f32(2 * Math.PI * INV_2_24);

/** ln(k·2⁻²⁴) for a whole k in [1, 2²⁴], in float32 as the top of this file says. */
export function lnUnitF32(k: number): number {
  let e = 31 - Math.clz32(k), m = k / 2 ** e;          // k = 2^e·m, m in [1, 2): both exact
  if (m > SQRT2_F) { m *= 0.5; e += 1; }                // m in (√½, √2]
  const n = e - 24, f = m - 1, z = f32(f * f);          // f exact (Sterbenz)
  let p = LOG_P[0];
  for (let i = 1; i < LOG_P.length; i++) p = f32(f32(p * f) + LOG_P[i]);
  let y = f32(f32(f * z) * p);
  y = f32(y + f32(n * LN2_LO));
  y = f32(y + f32(-0.5 * z));
  return f32(f32(f + y) + n * LN2_HI);
}

/** (cos θ, sin θ) of θ = 2π·j·2⁻²⁴ for a whole j in [0, 2²⁴), in float32: quarter turns taken off exactly. */
export function cosSinTurnF32(j: number, out: [number, number]): void {
  const q = (j + 0x200000) >>> 22;                      // round(j / 2²²), halves up: 0..4
  const a = f32((j - q * 0x400000) * TURN_F), z = f32(a * a);   // |a| ≤ π/4
  let s = SIN_S[0], c = COS_C[0];
  for (let i = 1; i < 3; i++) { s = f32(f32(s * z) + SIN_S[i]); c = f32(f32(c * z) + COS_C[i]); }
  s = f32(f32(f32(s * z) * a) + a);                               // a + ((S(z)·z)·a)
  c = f32(f32(f32(f32(c * z) * z) + f32(-0.5 * z)) + 1);          // 1 + (((C(z)·z)·z) − z/2)
  switch (q & 3) {
    case 0: out[0] = c; out[1] = s; return;
    case 1: out[0] = -s; out[1] = c; return;
    case 2: out[0] = -c; out[1] = -s; return;
    default: out[0] = s; out[1] = -c;
  }
}

const trig: [number, number] = [0, 0];

/** The standard normal pair (z₀, z₁) of the words (w0, w1), in float32: written to out. */
export function normalPair(w0: number, w1: number, out: [number, number]): void {
  const r = f32(Math.sqrt(-2 * lnUnitF32((w0 >>> 8) + 1)));
  cosSinTurnF32(w1 >>> 8, trig);
  out[0] = f32(r * trig[0]); out[1] = f32(r * trig[1]);
}

/**
 * The reference kernel: fills out[0:size] as described at the top of this file (x: gaussianNoise's
 * input). 'bits' stores each word's bit pattern in a float32 slot (for tests of the word stream;
 * float32 storage only).
 */
export function randomFill(kind: RandomKind, out: Float32Array | Float64Array, size: number,
  key: readonly [number, number], counter: number, params: RandomParams, x?: Float32Array | Float64Array): void {
  const words = philoxWords(key, counter, size);
  switch (kind) {
    case 'bits': {
      if (!(out instanceof Float32Array)) throw new Error('random: bits are stored in float32 slots only');
      new Uint32Array(out.buffer, out.byteOffset, size).set(words.subarray(0, size));
      return;
    }
    case 'uniform':
      for (let i = 0; i < size; i++) out[i] = (words[i] >>> 8) * INV_2_24;
      return;
    case 'bernoulli': {
      const threshold = bernoulliThreshold(params.p ?? 0.5), value = params.value ?? 1;
      for (let i = 0; i < size; i++) out[i] = (words[i] >>> 8) < threshold ? value : 0;
      return;
    }
    case 'normal':
    case 'gaussianNoise': {
      if (kind === 'gaussianNoise' && x === undefined) throw new Error('random: gaussianNoise needs its input x');
      const single = out instanceof Float32Array, round = single ? f32 : (v: number) => v;
      const mean = round(params.mean ?? 0), std = round(params.std ?? 1);
      const low = params.low ?? -Infinity, high = params.high ?? Infinity;
      const z: [number, number] = [0, 0];
      for (let i = 0; i < size; i += 2) {
        normalPair(words[i], words[i + 1], z);
        for (let h = 0; h < 2 && i + h < size; h++) {
          const n = round(mean + round(std * z[h]));
          if (x === undefined || kind === 'normal') { out[i + h] = n; continue; }
          const v = round(x[i + h] + n);
          out[i + h] = v < low ? low : v > high ? high : v;
        }
      }
      return;
    }
  }
}
