// The fused binary cross-entropy (binary ops 'bce' and 'bceGrad', src/backend/opcodes.ts) behind
// bceLoss: its value against a float64 formula written here and against the composition of
// elementwise ops it replaces (bceComposite), its gradient against float64 finite differences,
// the clamped ends (p = 0, 1, subnormal), and every backend against js on odd shapes.
import { describe, expect, it } from 'vitest';
import { formatGradcheck, Generator, gradcheck, tensor, withDefaultDType, type Tensor } from '../../src/index.js';
import { bceLoss } from '../../src/losses/index.js';
import { bceComposite } from '../../src/losses/binary-cross-entropy.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { setupWebGPU, shouldSkip, requireBackend } from '../backend/webgpu-helpers.js';

const js = jsBackend as unknown as Backend<Float32Array>;
const TINY = 2 ** -126;

/** The loss of one element in float64, from the formula (log clamped at −100 below 2^-126). */
function bceRef(p: number, y: number): number {
  const l = (q: number) => (q >= TINY ? Math.log(q) : -100);
  return -(y * l(p) + (1 - y) * l(1 - p));
}

// Probabilities with the ends: 0, 1, a subnormal (counts as 0), the smallest normal, 1 − 2^-24.
const EDGE_P = [0, 1, 2 ** -130, TINY, 1 - 2 ** -24, 2 ** -24, 0.5, 1e-30];
const EDGE_Y = [0, 1, 0.3, 1, 0, 0.5, 0.25, 1];

function probabilities(gen: Generator, n: number): { p: number[]; y: number[] } {
  const p: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    p.push(i < EDGE_P.length ? EDGE_P[i] : Math.fround(gen.uniform()));
    y.push(i < EDGE_Y.length ? EDGE_Y[i] : i % 3 === 0 ? Math.round(gen.uniform()) : Math.fround(gen.uniform()));
  }
  return { p, y };
}

describe('fused bceLoss', () => {
  const gen = new Generator(31);

  it('equals the float64 formula and the composition, with each reduction, at the clamped ends too', () => {
    const { p, y } = probabilities(gen, 35);
    const want = p.map((v, i) => bceRef(v, y[i]));
    withDefaultDType('float64', () => {
      const P = tensor(p, [5, 7], { backend: 'js' }), Y = tensor(y, [5, 7], { backend: 'js' });
      const none = bceLoss(P, Y, { reduction: 'none' }).toArray() as number[][];
      none.flat().forEach((v, i) => expect(v, `element ${i}: p ${p[i]}, y ${y[i]}`).toBeCloseTo(want[i], 12));
      expect(bceLoss(P, Y, { reduction: 'sum' }).item()).toBeCloseTo(want.reduce((s, v) => s + v, 0), 9);
      expect(bceLoss(P, Y).item()).toBeCloseTo(want.reduce((s, v) => s + v, 0) / 35, 10);
      // The composition rounds nothing in float64 either: the same values.
      (bceComposite(P, Y).toArray() as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    });
    // float32: 1 − p rounds in the composition and not in the fused op; within 1e-6 relative + 1e-6.
    const f = bceLoss(tensor(p, [35], { backend: 'js' }), tensor(y, [35], { backend: 'js' }), { reduction: 'none' }).toArray() as number[];
    const c = bceComposite(tensor(p, [35], { backend: 'js' }), tensor(y, [35], { backend: 'js' })).toArray() as number[];
    f.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThanOrEqual(1e-6 * Math.abs(c[i]) + 1e-6));
  });

  it('has the gradient of float64 finite differences, for mean, sum and none (weighted)', () => {
    withDefaultDType('float64', () => {
      const p = Array.from({ length: 15 }, () => 0.05 + 0.9 * gen.uniform());
      const y = Array.from({ length: 15 }, (_, i) => (i % 4 === 0 ? 1 : i % 4 === 1 ? 0 : gen.uniform()));
      const P = tensor(p, [3, 5], { backend: 'js', requiresGrad: true }), Y = tensor(y, [3, 5], { backend: 'js' });
      const w = tensor(Array.from({ length: 15 }, () => gen.uniform() + 0.5), [3, 5], { backend: 'js' });
      for (const fn of [
        (a: Tensor) => bceLoss(a, Y),
        (a: Tensor) => bceLoss(a, Y, { reduction: 'sum' }),
        (a: Tensor) => bceLoss(a, Y, { reduction: 'none' }).mul(w).sum(),
      ]) {
        const report = gradcheck(fn, [P]);
        expect(report.ok, formatGradcheck(report)).toBe(true);
      }
    });
  });

  it("gives 0 for a clamped log's term in the gradient, as the composition's graph does", () => {
    const p = [0, 1, 2 ** -130, 0.25], y = [1, 0, 0.5, 0.5];
    const P = tensor(p, [4], { backend: 'js', requiresGrad: true }), Y = tensor(y, [4], { backend: 'js' });
    bceLoss(P, Y, { reduction: 'sum' }).backward();
    const Q = tensor(p, [4], { backend: 'js', requiresGrad: true });
    bceComposite(Q, Y).sum().backward();
    // The composition rounds each step to float32, the fused kernel once: a few float32 ulps apart.
    (Q.grad!.toArray() as number[]).forEach((v, i) => expect(Math.abs((P.grad!.toArray() as number[])[i] - v)).toBeLessThanOrEqual(4 * 2 ** -24 * Math.abs(v)));
    // p = 0, y = 1: only the clamped term (0); p = 1, y = 0: likewise; subnormal p: (1 − y)/(1 − p).
    expect(P.grad!.toArray()).toEqual([0, 0, 0.5, Math.fround(0.5 / 0.75 - 0.5 / 0.25)]);
  });

  it('second derivatives (createGraph) go through the ops form of the gradient', () => {
    withDefaultDType('float64', () => {
      const p = [0.2, 0.7, 0.4], y = [1, 0, 0.5];
      const P = tensor(p, [3], { backend: 'js', requiresGrad: true }), Y = tensor(y, [3], { backend: 'js' });
      const [g] = gradOf(bceLoss(P, Y, { reduction: 'sum' }), P);
      // d²/dp² of the sum: y/p² + (1 − y)/(1 − p)², per element.
      const [h] = gradOf(g.sum(), P);
      (h.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(y[i] / p[i] ** 2 + (1 - y[i]) / (1 - p[i]) ** 2, 10));
    });
  });
});

function gradOf(out: Tensor, x: Tensor): Tensor[] {
  x.grad = null;
  out.backward(undefined, { createGraph: true });
  const g = x.grad!;
  x.grad = null;
  return [g];
}

describe('bce and bceGrad kernels: every backend vs js', () => {
  const shapes = [1, 3, 17, 1001, 20_003];

  function inputs(n: number): { p: Float32Array; y: Float32Array } {
    const gen = new Generator(n);
    const { p, y } = probabilities(gen, n);
    const pf = Float32Array.from(p), yf = Float32Array.from(y);
    if (n > 20) { pf[n - 1] = NaN; pf[n - 2] = 1.5; pf[n - 3] = -0.25; yf[n - 4] = NaN; }  // outside [0, 1]: the kernels stay defined
    return { p: pf, y: yf };
  }

  it('native: bce within 2 float32 roundings (double log ≈ 1e-12), bceGrad exactly (double division rounded once)', () => {
    const { backend: native, reason } = loadNativeBackend();
    expect(native, reason).not.toBeNull();
    for (const n of shapes) {
      const { p, y } = inputs(n);
      for (const op of ['bce', 'bceGrad'] as const) {
        const got = new Float32Array(n), want = new Float32Array(n);
        native!.binary(op, p, [1], y, [1], got, [n]);
        js.binary(op, p, [1], y, [1], want, [n]);
        for (let i = 0; i < n; i++) {
          const tol = op === 'bce' ? 2 ** -23 * Math.abs(want[i]) : 0;
          if (!(Math.abs(got[i] - want[i]) <= tol || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
            throw new Error(`native ${op} [${i}] n ${n}: p ${p[i]} y ${y[i]}: got ${got[i]}, js ${want[i]}`);
          }
        }
      }
    }
  });

  it('native: a [5, 1] target broadcast over [5, 3] predictions', () => {
    const { backend: native } = loadNativeBackend();
    const p = Float32Array.from({ length: 15 }, (_, i) => (i + 0.5) / 15), y = Float32Array.from([0, 1, 0.5, 0.2, 1]);
    const got = new Float32Array(15), want = new Float32Array(15);
    native!.binary('bceGrad', p, [3, 1], y, [1, 0], got, [5, 3]);
    js.binary('bceGrad', p, [3, 1], y, [1, 0], want, [5, 3]);
    expect(got).toEqual(want);
  });
});

const setup = await setupWebGPU();

describe.skipIf(shouldSkip(setup))('bce and bceGrad on webgpu vs js', () => {
  // f32 in the shader: WGSL's log is within 2^-21 absolute near 1 and 3 ulp elsewhere, and the
  // divisions round once each: 1e-5 relative + 1e-5 absolute (losses per element are up to 100).
  it('on [0, 1] with the clamped ends, and through bceLoss on a [33, 29] batch', async () => {
    const gpu = requireBackend(setup);
    for (const n of [1, 3, 17, 1001]) {
      const gen = new Generator(n + 1);
      const { p, y } = probabilities(gen, n);
      const pf = Float32Array.from(p), yf = Float32Array.from(y);
      for (const op of ['bce', 'bceGrad'] as const) {
        const want = new Float32Array(n);
        js.binary(op, pf, [1], yf, [1], want, [n]);
        const a = gpu.upload(pf), b = gpu.upload(yf), out = gpu.alloc('float32', n);
        gpu.binary(op, a, [1], b, [1], out, [n]);
        const got = (await gpu.read(out, 'float32', n)) as Float32Array;
        for (let i = 0; i < n; i++) {
          // p = 2^-130 is subnormal: the GPU may flush it to 0 before the comparison; both give
          // the clamped −100 term for bce, and bceGrad's (1 − y)/(1 − p) is 1 − y either way.
          if (!(Math.abs(got[i] - want[i]) <= 1e-5 * Math.abs(want[i]) + 1e-5)) {
            throw new Error(`webgpu ${op} [${i}] n ${n}: p ${pf[i]} y ${yf[i]}: got ${got[i]}, js ${want[i]}`);
          }
        }
        gpu.free(a); gpu.free(b); gpu.free(out);
      }
    }
    const gen = new Generator(5);
    const { p, y } = probabilities(gen, 33 * 29);
    const lossOn = async (backend: Backend | 'js') => {
      const P = tensor(p, [33, 29], { backend, requiresGrad: true }), Y = tensor(y, [33, 29], { backend });
      const loss = bceLoss(P, Y, { reduction: 'sum' });
      loss.backward();
      return { loss: await loss.itemAsync(), grad: (await P.grad!.data()) as Float32Array };
    };
    const a = await lossOn(gpu as unknown as Backend), b = await lossOn('js');
    expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.loss));
    for (let i = 0; i < b.grad.length; i++) expect(Math.abs(a.grad[i] - b.grad[i])).toBeLessThanOrEqual(1e-5 * Math.abs(b.grad[i]) + 1e-5);
  });
});
