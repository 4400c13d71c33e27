// The counter-based generator (Philox4x32-10, src/backend/philox.ts): the reference against
// Random123's published known-answer vectors and a BigInt product, then the native kernel against
// the reference on every ISA path, and the wasm module's (the same kernel compiled to wasm simd128),
// bit for bit: words, uniform, Bernoulli, normal (the float32 Box–Muller, checked against the
// double-precision functions) and gaussianNoise (the fused corruption, with NaN, ±∞ and the clip
// bounds in x); the distributions' moments, the ops and Generator state.
import { describe, expect, it } from 'vitest';
import {
  bernoulliThreshold, cosSinTurnF32, lnUnitF32, mulhi32, normalPair, philox4x32, philoxWords, randomBlocks, randomFill,
} from '../../src/backend/philox.js';
import type { RandomKind } from '../../src/backend/opcodes.js';
import { Generator } from '../../src/random.js';
import { add, bernoulli, clamp, gaussianNoise, rand, randn, tensor } from '../../src/index.js';
import { setWasmThreads } from '../../src/backend/wasm/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { probeWasm, probedBackend } from '../backend-probe.js';
import { isasHere, js, nativeOrThrow, useIsa } from './native-helpers.js';
import { BERNOULLI, COUNTERS, draw, expectSame, KEYS, NOISE, noiseInput, NORMAL, SIZES } from './random-helpers.js';

const native = nativeOrThrow();
const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, '0')).join(' ');

// Random123 1.14, examples/kat_vectors: philox4x32 10 rounds, counter c0..c3, key k0 k1 → words.
const KAT: [number[], number[], string][] = [
  [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
];

describe('Philox4x32-10 reference', () => {
  it("gives Random123's known answers", () => {
    const out = new Uint32Array(4);
    for (const [c, k, want] of KAT) {
      philox4x32(c[0], c[1], c[2], c[3], k[0], k[1], out);
      expect(hex(out)).toBe(want);
    }
  });

  it('takes the high word of the 64-bit product as BigInt does', () => {
    const g = new Generator(5);
    const cases = [[0, 0], [0xffffffff, 0xffffffff], [0xffffffff, 1], [0x10000, 0x10000], [0xd2511f53, 0xcd9e8d57]];
    for (let i = 0; i < 2000; i++) cases.push([g.nextUint32(), g.nextUint32()]);
    for (const [a, b] of cases) expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
  });

  it('maps element i to block counter + ⌊i/4⌋, word i mod 4, with the counter carried into the high word', () => {
    const key: [number, number] = [0x12345678, 0x9abcdef0];
    const counter = 2 ** 32 - 1;                 // block 1 is (0, 1, 0, 0): the carry
    const words = philoxWords(key, counter, 6);
    expect(words.length).toBe(8);
    const block = new Uint32Array(4);
    philox4x32(0xffffffff, 0, 0, 0, key[0], key[1], block);
    expect([...words.subarray(0, 4)]).toEqual([...block]);
    philox4x32(0, 1, 0, 0, key[0], key[1], block);
    expect([...words.subarray(4, 8)]).toEqual([...block]);
    expect([randomBlocks(1), randomBlocks(4), randomBlocks(5)]).toEqual([1, 1, 2]);
  });

  it('derives uniform, Bernoulli and normal values from the words as documented', () => {
    const key: [number, number] = [7, 11];
    const w = philoxWords(key, 3, 4);
    const u = new Float64Array(4), b = new Float64Array(4), z = new Float64Array(4);
    randomFill('uniform', u, 4, key, 3, {});
    randomFill('bernoulli', b, 4, key, 3, { p: 0.5, value: 2 });
    randomFill('normal', z, 4, key, 3, { mean: 1, std: 3 });
    for (let i = 0; i < 4; i++) {
      expect(u[i]).toBe(Math.floor(w[i] / 256) / 2 ** 24);
      expect(b[i]).toBe(Math.floor(w[i] / 256) < 2 ** 23 ? 2 : 0);
    }
    // Box–Muller in double on the same words; the float32 mapping's z is within 1.5e-6 of it
    // (philox.ts), and float64 storage takes mean + std·z in double.
    for (let i = 0; i < 4; i += 2) {
      const u1 = (Math.floor(w[i] / 256) + 1) / 2 ** 24, u2 = Math.floor(w[i + 1] / 256) / 2 ** 24;
      const r = Math.sqrt(-2 * Math.log(u1));
      expect(Math.abs(z[i] - (1 + 3 * r * Math.cos(2 * Math.PI * u2)))).toBeLessThanOrEqual(3 * 1.5e-6);
      expect(Math.abs(z[i + 1] - (1 + 3 * r * Math.sin(2 * Math.PI * u2)))).toBeLessThanOrEqual(3 * 1.5e-6);
    }
    // The threshold is exact at the ends: p = 0 never, p = 1 always.
    expect([bernoulliThreshold(0), bernoulliThreshold(1), bernoulliThreshold(2 ** -24), bernoulliThreshold(1e-9)]).toEqual([0, 2 ** 24, 1, 1]);
  });

  it('maps words to normals in float32 within the stated error of the double-precision functions', () => {
    // ln(k·2⁻²⁴) for every k below 2¹⁶ (the steepest part, where u1 is smallest), every 61st above
    // and the top: within 8.1e-8 relative, never positive, 0 at k = 2²⁴.
    let worstLn = 0, positive = 0;
    for (let k = 1; k < 2 ** 24; k += k < 2 ** 16 ? 1 : 61) {
      const got = lnUnitF32(k), want = Math.log(k / 2 ** 24);
      if (!(got <= 0)) positive++;
      worstLn = Math.max(worstLn, Math.abs(got - want) / -want);
    }
    expect(positive).toBe(0);
    for (const k of [2 ** 24 - 1, 2 ** 23, 2 ** 23 + 1, 11863283, 11863284]) worstLn = Math.max(worstLn, Math.abs(lnUnitF32(k) / Math.log(k / 2 ** 24) - 1));
    expect(lnUnitF32(2 ** 24)).toBe(0);
    expect(worstLn).toBeLessThanOrEqual(8.1e-8);
    expect(worstLn).toBeGreaterThan(0);            // float32, not the double log
    // cos and sin of 2π·j·2⁻²⁴ for every 7th j and around each quarter turn: within 9.1e-8.
    const cs: [number, number] = [0, 0];
    let worstTrig = 0;
    const js = [];
    for (let j = 0; j < 2 ** 24; j += 7) js.push(j);
    for (let q = 0; q <= 4; q++) for (let d = -3; d <= 3; d++) js.push(q * 2 ** 22 + d + 2 ** 21, q * 2 ** 22 + d);
    for (const j of js.filter((v) => v >= 0 && v < 2 ** 24)) {
      cosSinTurnF32(j, cs);
      const theta = 2 * Math.PI * j / 2 ** 24;
      worstTrig = Math.max(worstTrig, Math.abs(cs[0] - Math.cos(theta)), Math.abs(cs[1] - Math.sin(theta)));
    }
    expect(worstTrig).toBeLessThanOrEqual(9.1e-8);
    // The pair: z within 1.5e-6 of double Box–Muller; |z| at most r(k = 1) < √(48 ln 2).
    const z: [number, number] = [0, 0], g = new Generator(4);
    let worstZ = 0;
    for (let i = 0; i < 100_000; i++) {
      const w0 = g.nextUint32(), w1 = g.nextUint32();
      normalPair(w0, w1, z);
      const r = Math.sqrt(-2 * Math.log(((w0 >>> 8) + 1) / 2 ** 24)), theta = 2 * Math.PI * (w1 >>> 8) / 2 ** 24;
      worstZ = Math.max(worstZ, Math.abs(z[0] - r * Math.cos(theta)), Math.abs(z[1] - r * Math.sin(theta)));
    }
    expect(worstZ).toBeLessThanOrEqual(1.5e-6);
    normalPair(0, 0, z);
    expect(z[0]).toBeLessThan(Math.sqrt(48 * Math.LN2));
    expect(z[0]).toBeGreaterThan(5.768);
  });

  it('has the moments of its distributions', () => {
    const n = 200_003;
    const z = new Float64Array(n), u = new Float64Array(n), b = new Float64Array(n);
    randomFill('normal', z, n, [1, 2], 0, {});
    randomFill('uniform', u, n, [1, 2], 0, {});
    randomFill('bernoulli', b, n, [1, 2], 0, { p: 0.3 });
    const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
    const mz = mean(z), vz = z.reduce((s, x) => s + (x - mz) ** 2, 0) / n;
    // Standard errors: 1/√n ≈ 0.0022 for the normal's mean, √(2/n) ≈ 0.0032 for its variance.
    expect(Math.abs(mz)).toBeLessThan(0.011);
    expect(Math.abs(vz - 1)).toBeLessThan(0.016);
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.0035);   // sd 0.29/√n = 0.00065
    expect(Math.abs(mean(b) - 0.3)).toBeLessThan(0.005);    // sd 0.46/√n = 0.001
    // Lag-1 correlation of the words across block boundaries (independent blocks): near 0.
    let c = 0;
    for (let i = 1; i < n; i++) c += (u[i] - 0.5) * (u[i - 1] - 0.5);
    expect(Math.abs(c / (n - 1) / (1 / 12))).toBeLessThan(0.015);
  });
});

interface Case { size: number; counter: number; key: [number, number]; bits: Uint32Array; uniform: Float32Array; bernoulli: Float32Array[]; normal: Float32Array[]; noise: Float32Array[] }
let cases: Case[] | null = null;
/** The js reference's draws for every case, computed once for all ISA paths. */
function jsCases(): Case[] {
  cases ??= SIZES.flatMap((size) => COUNTERS.flatMap((counter) => KEYS.map((key) => ({
    size, counter, key,
    bits: new Uint32Array(draw(js, 'bits', size, key, counter).slice().buffer),
    uniform: draw(js, 'uniform', size, key, counter),
    bernoulli: BERNOULLI.map((p) => draw(js, 'bernoulli', size, key, counter, p)),
    normal: NORMAL.map((p) => draw(js, 'normal', size, key, counter, p)),
    noise: NOISE.map((p) => draw(js, 'gaussianNoise', size, key, counter, p, noiseInput(size))),
  }))));
  return cases;
}

/** Every kind on `b` equal to js's, bit for bit. */
function expectCaseSame(b: Backend<Float32Array>, c: Case, what: string): void {
  expectSame(new Uint32Array(draw(b, 'bits', c.size, c.key, c.counter).slice().buffer), c.bits, `bits ${what}`);
  expectSame(draw(b, 'uniform', c.size, c.key, c.counter), c.uniform, `uniform ${what}`);
  BERNOULLI.forEach((p, i) => expectSame(draw(b, 'bernoulli', c.size, c.key, c.counter, p), c.bernoulli[i], `bernoulli ${what}`));
  NORMAL.forEach((p, i) => expectSame(draw(b, 'normal', c.size, c.key, c.counter, p), c.normal[i], `normal ${what}`));
  NOISE.forEach((p, i) => expectSame(draw(b, 'gaussianNoise', c.size, c.key, c.counter, p, noiseInput(c.size)), c.noise[i], `gaussianNoise ${what}`));
}

describe('gaussianNoise in the reference', () => {
  it('is clamp(x + the normal draw, low, high), NaN kept, ±∞ clipped', () => {
    for (const c of jsCases().filter((k) => k.counter === 0)) {
      const x = noiseInput(c.size);
      NOISE.forEach((p, i) => {
        const n = draw(js, 'normal', c.size, c.key, c.counter, { mean: p.mean ?? 0, std: p.std });
        const low = p.low ?? -Infinity, high = p.high ?? Infinity;
        const want = n.map((v, j) => { const s = Math.fround(x[j] + v); return s < low ? low : s > high ? high : s; });
        expectSame(c.noise[i], want, `gaussianNoise size ${c.size} case ${i}`);
      });
    }
    const clipped = jsCases().find((c) => c.size === 63)!.noise[0];       // clip [0, 1]
    expect(Number.isNaN(clipped[3])).toBe(true);
    expect([clipped[4], clipped[5]]).toEqual([1, 0]);
    expect(clipped.every((v) => Number.isNaN(v) || (v >= 0 && v <= 1))).toBe(true);
  });
  it('needs its input x', () => {
    expect(() => randomFill('gaussianNoise', new Float32Array(2), 2, [0, 0], 0, { std: 1 })).toThrow(/gaussianNoise needs its input x/);
  });
});

describe('native random kernel vs the js reference', () => {
  for (const isa of isasHere()) {
    it(`${isa}, 1 and 2 threads: every kind bit for bit (words, uniform, Bernoulli, normal, gaussianNoise)`, () => {
      for (const threads of [1, 2]) {
        useIsa(isa, threads);
        for (const c of jsCases()) expectCaseSame(native, c, `${isa} ×${threads} size ${c.size} counter ${c.counter} key ${c.key}`);
      }
    });
  }
  it('threads split a large draw without changing it, on every ISA', () => {
    // 300,001 values: 75,001 blocks, past the 4,096-block grain, so two threads take chunks each.
    const size = 300_001, counter = 2 ** 32 - 20;   // the counter's carry inside a batch's second chain
    const want = draw(js, 'normal', size, [5, 6], counter, {});
    const x = noiseInput(size), p = { std: 0.3, low: 0, high: 1 };
    const wantNoise = draw(js, 'gaussianNoise', size, [5, 6], counter, p, x);
    for (const isa of isasHere()) {
      for (const threads of [1, 2]) {
        useIsa(isa, threads);
        expectSame(draw(native, 'normal', size, [5, 6], counter, {}), want, `${isa} normal ×${threads}`);
        expectSame(draw(native, 'gaussianNoise', size, [5, 6], counter, p, x), wantNoise, `${isa} gaussianNoise ×${threads}`);
      }
    }
    useIsa(isasHere()[0], 1);
  });
  it('refuses an out array shorter than size, and gaussianNoise without x or with a short one', () => {
    expect(() => native.random!('uniform', new Float32Array(3), 4, [0, 0], 0, {})).toThrow(/random: out has 3 elements/);
    expect(() => native.random!('gaussianNoise', new Float32Array(4), 4, [0, 0], 0, {})).toThrow(/native backend random: gaussianNoise needs its input x/);
    expect(() => native.random!('gaussianNoise', new Float32Array(4), 4, [0, 0], 0, {}, new Float32Array(3))).toThrow(/random\(gaussianNoise\): x has 3 elements/);
  });
});

const wasmProbe = probeWasm();

describe.skipIf(wasmProbe.skip)('wasm random kernel vs the js reference', () => {
  const wasm = () => probedBackend(wasmProbe, 'wasm') as Backend<Float32Array>;
  it('1 and 2 threads: every kind bit for bit (words, uniform, Bernoulli, normal, gaussianNoise)', () => {
    for (const threads of [1, 2]) {
      setWasmThreads(threads);
      for (const c of jsCases()) expectCaseSame(wasm(), c, `wasm ×${threads} size ${c.size} counter ${c.counter} key ${c.key}`);
    }
    setWasmThreads(1);
  });
  it('threads split a large draw without changing it', () => {
    const size = 300_001;
    setWasmThreads(1);
    const one = draw(wasm(), 'normal', size, [5, 6], 123, {});
    setWasmThreads(2);
    expectSame(draw(wasm(), 'normal', size, [5, 6], 123, {}), one, 'normal on 2 threads');
    setWasmThreads(1);
    expectSame(one, draw(js, 'normal', size, [5, 6], 123, {}), 'normal 300001');
  });
  it('refuses an out array shorter than size', () => {
    expect(() => wasm().random!('uniform', wasm().alloc('float32', 3), 4, [0, 0], 0, {})).toThrow(/random: out has 3 elements/);
  });
});

describe('random ops and the generator state', () => {
  for (const backend of ['js', 'native', ...(wasmProbe.skip ? [] : ['wasm'] as const)] as const) {
    it(`${backend}: a generator restored from its JSON state draws the same tensors (resume)`, () => {
      const g = new Generator(42);
      randn([3, 5], { generator: g, backend });
      g.normal();                                            // the host stream moves too
      const saved = JSON.parse(JSON.stringify(g.getState().map((v) => (Number.isNaN(v) ? null : v)))) as (number | null)[];
      const a = [randn([7], { generator: g, backend, std: 2 }), rand([9], { generator: g, backend }), bernoulli([4, 3], 0.4, { generator: g, backend })];
      const h = new Generator(0);
      h.setState(saved.map((v) => (v === null ? NaN : v)));
      const b = [randn([7], { generator: h, backend, std: 2 }), rand([9], { generator: h, backend }), bernoulli([4, 3], 0.4, { generator: h, backend })];
      a.forEach((t, i) => expect(t.toArray()).toEqual(b[i].toArray()));
      expect(h.getState()).toEqual(g.getState());
    });
  }

  it('advances the counter by ⌈size/4⌉ blocks per tensor, and gives the same values on js and native', () => {
    const g = new Generator(3), h = new Generator(3);
    const before = g.getState()[7];
    const a = randn([2, 3], { generator: g, backend: 'js' });
    expect(g.getState()[7]).toBe(before + 2);
    const b = randn([2, 3], { generator: h, backend: 'native' });
    expect(b.toArray()).toEqual(a.toArray());
    expect(rand([5], { generator: g, backend: 'js' }).toArray()).toEqual(rand([5], { generator: h, backend: 'native' }).toArray());
  });

  it('keeps the xoshiro stream of a seed as it was (initialisers unchanged) and seeds the key from it', () => {
    const g = new Generator(9);
    const words = [g.nextUint32(), g.nextUint32()];
    const h = new Generator(9);
    randn([100], { generator: h });
    expect([h.nextUint32(), h.nextUint32()]).toEqual(words);
    expect(new Generator(9).getState().slice(5)).not.toEqual(new Generator(10).getState().slice(5));
  });

  it('accepts a 5-number state from before the counter, and names what is wrong with a bad one', () => {
    const g = new Generator(1);
    g.setState([1, 2, 3, 4, null] as unknown as number[]);
    expect(g.getState().length).toBe(8);
    expect(g.getState()[7]).toBe(0);
    expect(() => g.setState([1, 2, 3])).toThrow(/expected 8 numbers \[s0, s1, s2, s3, spareNormal, key0, key1, counter\] \(or the first 5\), got 3/);
    expect(() => g.setState([1, 2, 3, 4, NaN, -1, 0, 0])).toThrow(/key0 must be a 32-bit unsigned integer, got -1/);
    expect(() => g.setState([1, 2, 3, 4, NaN, 0, 0, 0.5])).toThrow(/counter must be a whole number in \[0, 2\^53\), got 0.5/);
    expect(() => g.setState([1, 2, 3, 4, NaN, 0, 0, 2 ** 53])).toThrow(/counter must be a whole number/);
  });

  it('refuses bad arguments with the op named', () => {
    expect(() => bernoulli([2], 1.5)).toThrow(/bernoulli: probability must be in \[0, 1\], got 1.5/);
    expect(() => randn([2], { std: NaN })).toThrow(/randn: std must be a finite number, got NaN/);
    expect(() => rand([2], { low: 1, high: 0 })).toThrow(/rand: high \(0\) must not be below low \(1\)/);
    expect(() => rand([2], { low: -Infinity })).toThrow(/rand: low must be a finite number/);
  });

  it('rand in [low, high) is low + (high − low)·u of the [0, 1) draw; float64 draws equal float32 for uniform', () => {
    const u = rand([11], { generator: new Generator(8), backend: 'js' }).toArray() as number[];
    const v = rand([11], { generator: new Generator(8), backend: 'js', low: -1, high: 3 }).toArray() as number[];
    u.forEach((x, i) => expect(v[i]).toBe(Math.fround(4 * Math.fround(x) + -1)));
    const d = rand([11], { generator: new Generator(8), backend: 'js', dtype: 'float64' }).toArray() as number[];
    expect(d).toEqual(u);
  });
});

describe('gaussianNoise op (the denoising corruption in one pass)', () => {
  const backends = ['js', 'native', ...(wasmProbe.skip ? [] : ['wasm'] as const)] as const;
  const f32 = (t: { dataSync(): ArrayLike<number> }) => Float32Array.from(t.dataSync());

  it('equals clamp(add(x, randn)) from the same generator state, and js on every CPU backend', () => {
    for (const size of [1, 2, 37]) {
      const x0 = noiseInput(size);
      for (const p of NOISE) {
        const ref = f32(gaussianNoise(tensor(x0, [size], { backend: 'js' }), { ...p, generator: new Generator(6) }));
        for (const backend of backends) {
          const x = tensor(x0, [size], { backend });
          const g = new Generator(6);
          const fused = gaussianNoise(x, { ...p, generator: g });
          const chain = clamp(add(x, randn([size], { generator: new Generator(6), backend, mean: p.mean ?? 0, std: p.std })), p.low ?? -Infinity, p.high ?? Infinity);
          expectSame(f32(fused), f32(chain), `${backend} size ${size} ${JSON.stringify(p)} against the chain`);
          expectSame(f32(fused), ref, `${backend} size ${size} ${JSON.stringify(p)} against js`);
          expect(g.getState()[7]).toBe(Math.ceil(size / 4));     // the draw's blocks, as randn takes
        }
      }
    }
  });

  it('passes the gradient where the output is inside (low, high): float64 finite differences on the replayed draw', () => {
    const n = 41, x0 = Array.from({ length: n }, (_, i) => -0.3 + 1.6 * ((i * 0.618) % 1)), w = x0.map((_, i) => 1 + i / n);
    const weights = tensor(w, [n], { backend: 'js', dtype: 'float64' });
    const f = (v: number[]) => gaussianNoise(tensor(v, [n], { backend: 'js', dtype: 'float64' }), { std: 0.3, low: 0, high: 1, generator: new Generator(3) })
      .mul(weights).sum().item();
    const x = tensor(x0, [n], { backend: 'js', dtype: 'float64', requiresGrad: true });
    const out = gaussianNoise(x, { std: 0.3, low: 0, high: 1, generator: new Generator(3) });
    out.mul(weights).sum().backward();
    const grad = x.grad!.dataSync(), y = out.dataSync();
    let inside = 0, clipped = 0;
    for (let i = 0; i < n; i++) {
      const h = 1e-7, up = x0.slice(), down = x0.slice();
      up[i] += h; down[i] -= h;
      expect(grad[i]).toBeCloseTo((f(up) - f(down)) / (2 * h), 6);
      expect(grad[i]).toBe(y[i] > 0 && y[i] < 1 ? w[i] : 0);
      if (y[i] > 0 && y[i] < 1) inside++; else clipped++;
    }
    expect(inside).toBeGreaterThan(10);
    expect(clipped).toBeGreaterThan(3);
  });

  it('refuses bad arguments with the op named', () => {
    const x = tensor([0.5, 0.2]);
    expect(() => gaussianNoise(x, { std: NaN })).toThrow(/gaussianNoise: std must be a finite number, got NaN/);
    expect(() => gaussianNoise(x, { std: 1, low: 1, high: 0 })).toThrow(/gaussianNoise: low 1 must not exceed high 0/);
    expect(() => gaussianNoise([1] as never, { std: 1 })).toThrow(/gaussianNoise: expected input to be a Tensor/);
  });
});
