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
// - normal: Box–Muller on the word pair (2j, 2j+1) of a block: u1 = ((w₀ >>> 8) + 1)·2⁻²⁴ in
//   (0, 1], u2 = (w₁ >>> 8)·2⁻²⁴, r = √(−2 ln u1), θ = 2π·u2; the even element gets mean +
//   std·r·cos θ, the odd one mean + std·r·sin θ. Computed here in double and rounded once to the
//   storage dtype; |z| ≤ √(2·24·ln 2) ≈ 5.77.
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
  /** normal: out = mean + std·z. */
  mean?: number;
  std?: number;
  /** bernoulli: the probability of `value` (else 0). */
  p?: number;
  /** bernoulli: the value drawn with probability p (1 by default; a dropout mask uses 1/(1 − p)). */
  value?: number;
}

const TWO_PI = 2 * Math.PI;
const INV_2_24 = 1 / 16777216;

/**
 * The reference kernel: fills out[0:size] as described at the top of this file. 'bits' stores
 * each word's bit pattern in a float32 slot (for tests of the word stream; float32 storage only).
 */
export function randomFill(kind: RandomKind, out: Float32Array | Float64Array, size: number,
  key: readonly [number, number], counter: number, params: RandomParams): void {
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
    case 'normal': {
      const mean = params.mean ?? 0, std = params.std ?? 1;
      for (let i = 0; i < size; i += 2) {
        const u1 = ((words[i] >>> 8) + 1) * INV_2_24, u2 = (words[i + 1] >>> 8) * INV_2_24;
        const r = Math.sqrt(-2 * Math.log(u1)), theta = TWO_PI * u2;
        out[i] = mean + std * (r * Math.cos(theta));
        if (i + 1 < size) out[i + 1] = mean + std * (r * Math.sin(theta));
      }
      return;
    }
  }
}
