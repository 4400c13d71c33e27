// The js backend's fused optimizer steps (src/backend/js/optim.ts) against references written
// here: float32 arrays against PyTorch's rules in float32 arithmetic, one rounding per operation
// (bit-equal; the native backend is held bit-equal to js in native-conv-optim.test.ts), and
// float64 arrays against the float64 rules of test/optim/reference.ts.
import { describe, expect, it } from 'vitest';
import type { AdamParams, SgdParams } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator } from '../../src/random.js';
import { adamRef, sgdRef } from '../optim/reference.js';
import { ADAM_CONFIGS, SGD_CONFIGS } from './optim-configs.js';

// Rounding to float32 through a one-element Float32Array (the kernel uses Math.fround).
const r32 = new Float32Array(1);
const f32 = (x: number): number => { r32[0] = x; return r32[0]; };

function data(gen: Generator, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => f32(lo + (hi - lo) * gen.uniform()));
}

/** Bit-equal, NaNs equal to each other, ±0 distinguished. */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
      throw new Error(`${what} [${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]) + 1e-300)) {
      throw new Error(`${what} [${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

/** One float32 SGD step of PyTorch's rule on plain arrays, every operation rounded to float32. */
function sgdStep32(p: number[], grad: number[], buf: number[], o: SgdParams): void {
  const lr = f32(o.lr), mu = f32(o.momentum), damp = f32(1 - o.dampening), wd = f32(o.weightDecay);
  for (let i = 0; i < p.length; i++) {
    let g = o.maximize ? -grad[i] : grad[i];
    if (o.weightDecay !== 0) g = f32(g + f32(wd * p[i]));
    if (o.momentum !== 0) {
      buf[i] = o.firstStep ? g : f32(f32(mu * buf[i]) + f32(damp * g));
      g = o.nesterov ? f32(g + f32(mu * buf[i])) : buf[i];
    }
    p[i] = f32(p[i] - f32(lr * g));
  }
}

/**
 * One float32 Adam / AdamW step, every operation rounded to float32; the constants β1, 1 − β1,
 * β2, 1 − β2, lr/(1 − β1ᵗ), √(1 − β2ᵗ), ε, wd, 1 − lr·wd computed in float64, rounded once.
 */
function adamStep32(p: number[], grad: number[], m: number[], v: number[], vMax: number[], o: AdamParams): void {
  const b1 = f32(o.beta1), c1 = f32(1 - o.beta1), b2 = f32(o.beta2), c2 = f32(1 - o.beta2);
  const stepSize = f32(o.lr / (1 - o.beta1 ** o.step)), bc2Sqrt = f32(Math.sqrt(1 - o.beta2 ** o.step));
  const eps = f32(o.eps), wd = f32(o.weightDecay), decay = f32(1 - o.lr * o.weightDecay);
  for (let i = 0; i < p.length; i++) {
    let g = grad[i];
    if (o.weightDecay !== 0) {
      if (o.decoupled) p[i] = f32(p[i] * decay);
      else g = f32(g + f32(wd * p[i]));
    }
    m[i] = f32(f32(b1 * m[i]) + f32(c1 * g));
    v[i] = f32(f32(b2 * v[i]) + f32(f32(c2 * g) * g));
    if (o.amsgrad && v[i] > vMax[i]) vMax[i] = v[i];
    const vHat = o.amsgrad ? vMax[i] : v[i];
    const denom = f32(f32(f32(Math.sqrt(vHat)) / bc2Sqrt) + eps);
    p[i] = f32(p[i] - f32(f32(stepSize * m[i]) / denom));
  }
}

const N = 301;
const STEPS = 5;

describe('js sgdStep', () => {
  for (const cfg of SGD_CONFIGS) {
    it(`float32 arithmetic, bit-equal to the per-op reference: ${JSON.stringify(cfg)}`, () => {
      const gen = new Generator(11);
      const p = data(gen, N, -1, 1), buf = new Array<number>(N).fill(0);
      const P = Float32Array.from(p), B = new Float32Array(N);
      for (let t = 0; t < STEPS; t++) {
        const grad = data(gen, N, -2, 2);
        const o = { ...cfg, firstStep: t === 0 };
        jsBackend.sgdStep(P, Float32Array.from(grad), cfg.momentum ? B : null, N, o);
        sgdStep32(p, grad, buf, o);
      }
      expectSame(P, p, 'param');
      if (cfg.momentum) expectSame(B, buf, 'momentum buffer');
    });

    it(`float64 arrays: PyTorch's rule in float64: ${JSON.stringify(cfg)}`, () => {
      const gen = new Generator(12);
      const p0 = Array.from({ length: N }, () => gen.uniform() * 2 - 1);
      const grads = Array.from({ length: STEPS }, () => Array.from({ length: N }, () => gen.uniform() * 4 - 2));
      const P = Float64Array.from(p0), B = new Float64Array(N);
      grads.forEach((g, t) => jsBackend.sgdStep(P, Float64Array.from(g), cfg.momentum ? B : null, N, { ...cfg, firstStep: t === 0 }));
      const want = sgdRef(p0, grads, { lr: cfg.lr, momentum: cfg.momentum, dampening: cfg.dampening, nesterov: cfg.nesterov,
        wd: cfg.weightDecay, maximize: cfg.maximize })[STEPS - 1];
      // The same operations up to associativity: a few float64 ulps, far below float32's 6e-8.
      expectNear(P, want, 1e-13, 'param');
    });
  }
});

describe('js adamStep', () => {
  for (const cfg of ADAM_CONFIGS) {
    it(`float32 arithmetic, bit-equal to the per-op reference: ${JSON.stringify(cfg)}`, () => {
      const gen = new Generator(21);
      const p = data(gen, N, -1, 1);
      const m = new Array<number>(N).fill(0), v = new Array<number>(N).fill(0), vMax = new Array<number>(N).fill(0);
      const P = Float32Array.from(p), M = new Float32Array(N), V = new Float32Array(N), VM = new Float32Array(N);
      for (let step = 1; step <= STEPS; step++) {
        // Gradients down to 1e-20 in size: g·g then underflows float32 (the float32 path must show it).
        const grad = data(gen, N, -2, 2).map((g, i) => (i % 7 === 0 ? f32(g * 1e-20) : g));
        const o = { ...cfg, step };
        jsBackend.adamStep(P, Float32Array.from(grad), M, V, cfg.amsgrad ? VM : null, N, o);
        adamStep32(p, grad, m, v, vMax, o);
      }
      expectSame(P, p, 'param');
      expectSame(M, m, 'm');
      expectSame(V, v, 'v');
      if (cfg.amsgrad) expectSame(VM, vMax, 'vMax');
    });

    it(`float64 arrays: PyTorch's rule in float64: ${JSON.stringify(cfg)}`, () => {
      const gen = new Generator(22);
      const p0 = Array.from({ length: N }, () => gen.uniform() * 2 - 1);
      const grads = Array.from({ length: STEPS }, () => Array.from({ length: N }, () => gen.uniform() * 4 - 2));
      const P = Float64Array.from(p0), M = new Float64Array(N), V = new Float64Array(N), VM = new Float64Array(N);
      grads.forEach((g, k) => jsBackend.adamStep(P, Float64Array.from(g), M, V, cfg.amsgrad ? VM : null, N, { ...cfg, step: k + 1 }));
      const want = adamRef(p0, grads, { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, wd: cfg.weightDecay,
        decoupled: cfg.decoupled, amsgrad: cfg.amsgrad })[STEPS - 1];
      // reference.ts divides m and v by the bias corrections instead of folding them into the
      // step size: the same value up to a few float64 roundings.
      expectNear(P, want, 1e-12, 'param');
    });
  }

  it('float32 and float64 arrays take different arithmetic (the float32 path really rounds per operation)', () => {
    // Same inputs, stored to float32 at the end: the float64 path rounds once, the float32 path
    // after each operation, so over many elements some results differ by an ulp.
    const gen = new Generator(23);
    const n = 4096;
    const p = data(gen, n, -1, 1), g = data(gen, n, -2, 2);
    const o: AdamParams = { ...ADAM_CONFIGS[1], step: 1 };
    const P32 = Float32Array.from(p), P64 = Float64Array.from(p);
    jsBackend.adamStep(P32, Float32Array.from(g), new Float32Array(n), new Float32Array(n), null, n, o);
    jsBackend.adamStep(P64, Float64Array.from(g), new Float64Array(n), new Float64Array(n), null, n, o);
    const rounded = Float32Array.from(P64);
    let differ = 0;
    for (let i = 0; i < n; i++) if (P32[i] !== rounded[i]) differ++;
    expect(differ).toBeGreaterThan(0);
    expectNear(P32, rounded, 1e-5, 'float32 vs float64 path');
  });
});
