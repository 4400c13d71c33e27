// Seeded random numbers: every random thing in tessera (initialisers, dropout masks, shuffling,
// noise, VAE sampling) draws from a Generator, so a run with the same seed repeats exactly.
// A Generator holds two streams: xoshiro128** for the host's draws (initialisers, shuffling),
// and a Philox4x32-10 key and block counter for tensors drawn by the backend's kernel
// (randn, rand, bernoulli: src/backend/philox.ts), which every backend computes the same way.
import { MAX_RANDOM_COUNTER, randomBlocks } from './backend/philox.js';

/**
 * xoshiro128** (Blackman & Vigna): 128-bit state, 32-bit outputs, fast in JS integer math.
 * The state is seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** A second normal from the last Box–Muller pair, or NaN when none is cached. */
  private spareNormal = NaN;
  /** The Philox key and the next unused block counter (a whole number below 2^53). */
  private k0 = 0;
  private k1 = 0;
  private counter = 0;

  constructor(seed = 0) {
    this.seed(seed);
  }

  seed(seed: number): this {
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = () => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next() | 0; this.s1 = next() | 0; this.s2 = next() | 0; this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = NaN;
    this.k0 = next(); this.k1 = next(); this.counter = 0;
    return this;
  }

  /**
   * Reserves the Philox blocks for a tensor of `size` elements: returns the key and the first
   * block counter, and moves the counter past them, so the next tensor gets fresh blocks.
   */
  takeBlocks(size: number): { key: [number, number]; counter: number } {
    const blocks = randomBlocks(size);
    if (this.counter + blocks > MAX_RANDOM_COUNTER) {
      throw new Error(`Generator: the Philox stream is exhausted (counter ${this.counter} + ${blocks} blocks passes 2^53); reseed the generator`);
    }
    const counter = this.counter;
    this.counter += blocks;
    return { key: [this.k0, this.k1], counter };
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    // State words are kept as int32 (`| 0`): V8 then keeps them in registers as small integers
    // instead of boxing doubles, which made this several times faster than `>>> 0` everywhere.
    const s0 = this.s0, s1 = this.s1, s2 = this.s2 ^ s0, s3 = this.s3 ^ s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    this.s2 = s2 ^ (s1 << 9);
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s3 = rotl(s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() * 2.3283064365386963e-10;
  }

  /** Standard normal by Box–Muller (both values of a pair are used). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return v;
    }
    let u1 = this.uniform();
    while (u1 <= 0) u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  fillUniform(out: Float32Array | Float64Array, low = 0, high = 1): void {
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * this.uniform();
  }

  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  }

  /**
   * The full state, so a run can be checkpointed and resumed exactly:
   * [s0, s1, s2, s3, spareNormal, key0, key1, counter].
   */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.spareNormal, this.k0, this.k1, this.counter];
  }

  /**
   * Accepts the state back, also after a JSON round trip (which turns NaN into null). A state of
   * 5 numbers (a checkpoint from before the Philox stream) gets the key its words hash to and counter 0.
   */
  setState(state: readonly (number | null)[]): void {
    const op = 'Generator.setState';
    if (!Array.isArray(state) || (state.length !== 8 && state.length !== 5)) {
      throw new Error(`${op}: expected 8 numbers [s0, s1, s2, s3, spareNormal, key0, key1, counter] (or the first 5), got ${Array.isArray(state) ? `${state.length}` : typeof state}`);
    }
    const words = state.slice(0, 4);
    words.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) {
        throw new Error(`${op}: s${i} must be a 32-bit integer, got ${JSON.stringify(v)}`);
      }
    });
    // The all-zero state is xoshiro's one fixed point: every draw would be 0 forever.
    if (words.every((v) => v === 0)) throw new Error(`${op}: the state words s0..s3 are all zero, which xoshiro128** never leaves (every draw would be 0)`);
    const spare = state[4];
    if (spare !== null && typeof spare !== 'number') throw new Error(`${op}: spareNormal must be a number or null, got ${JSON.stringify(spare)}`);
    let key: [number, number], counter = 0;
    if (state.length === 8) {
      const [k0, k1, c] = state.slice(5);
      [k0, k1].forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** 32) {
          throw new Error(`${op}: key${i} must be a 32-bit unsigned integer, got ${JSON.stringify(v)}`);
        }
      });
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > MAX_RANDOM_COUNTER) {
        throw new Error(`${op}: counter must be a whole number in [0, 2^53), got ${JSON.stringify(c)}`);
      }
      key = [k0 as number, k1 as number];
      counter = c;
    } else {
      const w = (words as number[]).map((v) => v >>> 0);
      key = [(Math.imul(w[0] ^ w[2], 0x85ebca6b) ^ w[1]) >>> 0, (Math.imul(w[1] ^ w[3], 0xc2b2ae35) ^ w[0]) >>> 0];
    }
    [this.s0, this.s1, this.s2, this.s3] = (words as number[]).map((v) => v | 0);
    this.spareNormal = spare === null ? NaN : spare;
    [this.k0, this.k1] = key;
    this.counter = counter;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when a caller passes none. `manualSeed` resets it. */
export const defaultGenerator = new Generator(0);

export function manualSeed(seed: number): void {
  defaultGenerator.seed(seed);
}
