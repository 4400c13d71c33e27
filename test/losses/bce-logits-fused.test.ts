// BCE on logits in one kernel pass each way (binary ops 'bceLogits' and 'bceLogitsGrad',
// src/backend/opcodes.ts) behind bceWithLogitsLoss: its value against a float64 formula written here
// (log σ(z) and log(1 − σ(z)) by their own route, not the kernel's), its gradient against float64
// finite differences, the edges (z = ±∞, ±88, NaN; x = 0, 1), every backend against js on odd
// sizes, and the VAE's training loss on logits against BCE on its sigmoid output.
import { describe, expect, it } from 'vitest';
import { denseVae, formatGradcheck, Generator, gradcheck, noGrad, setBackend, tensor, withDefaultDType, type Backend, type BackendName, type Tensor } from '../../src/index.js';
import { bceLoss, bceWithLogitsLoss } from '../../src/losses/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { probeNative, probeWasm, probeWebGPU, probedBackend } from '../backend-probe.js';

const js = jsBackend as unknown as Backend;

/**
 * −[x·log σ(z) + (1 − x)·log(1 − σ(z))] in float64, with log σ(z) = −log(1 + e^−z) and
 * log(1 − σ(z)) = −log(1 + e^z) taken where they do not overflow, and by their asymptotes z and
 * −z past |z| = 700 (where 1 + e^±z is inf).
 */
function bceRef(z: number, x: number): number {
  const logSigma = (t: number) => (t < -700 ? t : -Math.log1p(Math.exp(-t)));
  const upper = x === 0 ? 0 : x * logSigma(z), lower = x === 1 ? 0 : (1 - x) * logSigma(-z);
  return -(upper + lower);
}

const sigmoidRef = (z: number) => 1 / (1 + Math.exp(-z));

// (z, x) pairs at the edges: saturated logits on either side of either target, ±88 (e^−88 is a
// float32 subnormal), tiny logits, and a fractional target.
const EDGES: [number, number][] = [
  [Infinity, 1], [Infinity, 0], [-Infinity, 0], [-Infinity, 1], [Infinity, 0.25], [88, 0], [88, 1], [-88, 0], [-88, 1],
  [0, 0], [0, 1], [0, 0.5], [1e-30, 1], [-1e-8, 0], [17, 1], [-17, 0.75], [30, 0.5], [-104, 0],
];

function cases(gen: Generator, n: number): { z: Float32Array; x: Float32Array } {
  const z = new Float32Array(n), x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = (gen.uniform() - 0.5) * (i % 5 === 0 ? 60 : 12);
    x[i] = i % 3 === 0 ? Math.round(gen.uniform()) : gen.uniform();
  }
  EDGES.forEach(([a, b], i) => { if (i < n) { z[i] = a; x[i] = b; } });
  return { z, x };
}

describe('bceWithLogitsLoss (js, float64)', () => {
  const gen = new Generator(41);

  it('equals the float64 formula for each reduction, at the edges too', () => {
    const { z, x } = cases(gen, 40);
    const want = Array.from(z, (v, i) => bceRef(v, x[i]));
    // The formula's two edges: z = +∞ against x = 0 is +∞ (and so is z = −∞ against x = 1).
    expect([want[1], want[3], want[0] + 0, want[2] + 0]).toEqual([Infinity, Infinity, 0, 0]);
    withDefaultDType('float64', () => {
      const Z = tensor(Array.from(z), [5, 8], { backend: 'js' }), X = tensor(Array.from(x), [5, 8], { backend: 'js' });
      const none = (bceWithLogitsLoss(Z, X, { reduction: 'none' }).toArray() as number[][]).flat();
      none.forEach((v, i) => {
        if (Number.isFinite(want[i])) expect(v, `z ${z[i]}, x ${x[i]}`).toBeCloseTo(want[i], 12);
        else expect(v, `z ${z[i]}, x ${x[i]}`).toBe(want[i]);
      });
      const finite = [...Array(40).keys()].filter((i) => Number.isFinite(want[i]));
      const Zf = tensor(finite.map((i) => z[i]), [finite.length], { backend: 'js' }), Xf = tensor(finite.map((i) => x[i]), [finite.length], { backend: 'js' });
      const total = finite.reduce((s, i) => s + want[i], 0);
      expect(bceWithLogitsLoss(Zf, Xf, { reduction: 'sum' }).item()).toBeCloseTo(total, 9);
      expect(bceWithLogitsLoss(Zf, Xf).item()).toBeCloseTo(total / finite.length, 10);
    });
  });

  it('gives NaN for a NaN logit or target', () => {
    const out = bceWithLogitsLoss(tensor([NaN, 0, NaN]), tensor([0, NaN, NaN]), { reduction: 'none' }).toArray() as number[];
    expect(out.every(Number.isNaN)).toBe(true);
  });

  it('has the gradient of float64 finite differences in the logits and the target, for mean, sum and none (weighted)', () => {
    withDefaultDType('float64', () => {
      const z = Array.from({ length: 15 }, () => 8 * gen.uniform() - 4);
      const x = Array.from({ length: 15 }, (_, i) => (i % 4 === 0 ? 1 : i % 4 === 1 ? 0 : gen.uniform()));
      const Z = tensor(z, [3, 5], { backend: 'js', requiresGrad: true }), X = tensor(x, [3, 5], { backend: 'js', requiresGrad: true });
      const w = tensor(Array.from({ length: 15 }, () => gen.uniform() + 0.5), [3, 5], { backend: 'js' });
      for (const fn of [
        (a: Tensor, b: Tensor) => bceWithLogitsLoss(a, b),
        (a: Tensor, b: Tensor) => bceWithLogitsLoss(a, b, { reduction: 'sum' }),
        (a: Tensor, b: Tensor) => bceWithLogitsLoss(a, b, { reduction: 'none' }).mul(w).sum(),
      ]) {
        const report = gradcheck(fn, [Z, X]);
        expect(report.ok, formatGradcheck(report)).toBe(true);
      }
    });
  });

  it('has the gradient σ(z) − x at the edges (one kernel, float32)', () => {
    const z = [Infinity, -Infinity, 88, -88, 0, NaN], x = [1, 0, 0, 1, 0.5, 0];
    const Z = tensor(z, [6], { backend: 'js', requiresGrad: true });
    bceWithLogitsLoss(Z, tensor(x, [6], { backend: 'js' }), { reduction: 'sum' }).backward();
    const g = Z.grad!.toArray() as number[];
    expect(g.slice(0, 5)).toEqual([0, 0, 1, -1, 0]);
    expect(Number.isNaN(g[5])).toBe(true);
  });

  it('second derivatives (createGraph) go through the ops form: d²/dz² = σ(z)·(1 − σ(z))', () => {
    withDefaultDType('float64', () => {
      const z = [-2, 0.3, 5], x = [1, 0, 0.5];
      const Z = tensor(z, [3], { backend: 'js', requiresGrad: true });
      bceWithLogitsLoss(Z, tensor(x, [3], { backend: 'js' }), { reduction: 'sum' }).backward(undefined, { createGraph: true });
      const g = Z.grad!;
      Z.grad = null;
      (g.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(sigmoidRef(z[i]) - x[i], 12));
      g.sum().backward();
      (Z.grad!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(sigmoidRef(z[i]) * (1 - sigmoidRef(z[i])), 12));
    });
  });
});

/**
 * The kernels of `b` against the float64 formula. bceLogits: float32 math (vec_mathf.inc, WGSL's
 * exp and log) is within a few ulps of its two terms, c·|z| and log1p(e^−|z|) (≤ log 2), so the
 * bound is relative to their sum, not to the result; bceLogitsGrad: σ within a few ulps of 1.
 */
async function checkKernels(b: Backend, name: string, ulps: number, withNonFinite: boolean): Promise<void> {
  for (const n of [1, 3, 17, 1001, 20_003]) {
    const { z, x } = cases(new Generator(n), n);
    if (!withNonFinite) for (let i = 0; i < n; i++) if (!Number.isFinite(z[i])) z[i] = Math.sign(z[i]) * 50;
    if (withNonFinite && n > 20) { z[n - 1] = NaN; x[n - 2] = NaN; }
    const dz = b.upload(z), dx = b.upload(x);
    for (const op of ['bceLogits', 'bceLogitsGrad'] as const) {
      const out = b.alloc('float32', n);
      b.binary(op, dz, [1], dx, [1], out, [n]);
      const got = Float32Array.from(await b.read(out, 'float32', n));
      b.free(out);
      for (let i = 0; i < n; i++) {
        const zi = z[i], xi = x[i];
        const want = op === 'bceLogits' ? bceRef(zi, xi) : sigmoidRef(zi) - xi;
        const c = zi >= 0 ? 1 - xi : xi;
        const terms = op === 'bceLogits' ? (c === 0 ? 0 : Math.abs(c * zi)) + Math.LN2 : 1;
        const ok = Number.isNaN(want) ? Number.isNaN(got[i]) : !Number.isFinite(want) ? got[i] === want
          : Math.abs(got[i] - want) <= ulps * 2 ** -24 * terms + 1e-37;
        if (!ok) throw new Error(`${name} ${op} [${i}] n ${n}: z ${zi} x ${xi}: got ${got[i]}, float64 ${want}`);
      }
    }
    b.free(dz); b.free(dx);
  }
}

describe('bceLogits and bceLogitsGrad kernels vs the float64 formula', () => {
  it('js (double math, rounded once)', async () => { await checkKernels(js, 'js', 1, true); });

  const native = probeNative();
  it.skipIf(native.skip)('native (float32 math)', async () => { await checkKernels(probedBackend(native, 'native'), 'native', 8, true); });

  const wasm = probeWasm();
  it.skipIf(wasm.skip)('wasm (the same float32 math through the portable path)', async () => {
    await checkKernels(probedBackend(wasm, 'wasm'), 'wasm', 8, true);
  });
});

const webgpu = await probeWebGPU();

describe('bceLogits kernels on webgpu', () => {
  // WGSL's exp and log are within a few ulps (and 2^-21 absolute near 1): 64 ulps of the terms.
  // NaN and ±∞ are left out: WGSL lets the compiler assume finite math.
  it.skipIf(webgpu.skip)('equal the float64 formula within f32 error, finite edges', async () => {
    await checkKernels(probedBackend(webgpu, 'webgpu'), 'webgpu', 64, false);
  }, 60_000);
});

describe("the VAE's training loss on logits", () => {
  it('equals BCE on its sigmoid reconstruction, value and gradients, on every backend', async () => {
    const backends: (Backend | 'js')[] = ['js'];
    for (const p of [probeNative(), probeWasm(), webgpu]) if (p.backend) backends.push(p.backend);
    const gen = new Generator(3);
    const rows = 6, dim = 13;
    const data = Array.from({ length: rows * dim }, (_, i) => (i % 4 === 0 ? 0 : i % 4 === 1 ? 1 : gen.uniform()));
    for (const backend of backends) {
      const name = typeof backend === 'string' ? backend : backend.name;
      const run = async (logits: boolean) => {
        setBackend(name as BackendName);
        const vae = denseVae({ inputDim: dim, hidden: [7], latent: 3, generator: new Generator(11) });
        setBackend('js');
        const x = tensor(data, [rows, dim], { backend });
        const pred = vae.forward(x);
        // The probability form on the same reconstruction: a tensor the VAE did not make.
        const loss = logits ? vae.reconstructionLoss(pred, x) : bceLoss(noGrad(() => pred.mul(1)).requiresGrad_(), x, { reduction: 'sum' }).mul(1 / rows);
        return { vae, pred, loss };
      };
      const a = await run(true), b = await run(false);
      const la = await a.loss.itemAsync(), lb = await b.loss.itemAsync();
      expect(Math.abs(la - lb), `${name}: ${la} vs ${lb}`).toBeLessThanOrEqual(1e-5 * Math.abs(lb));
      // Gradients: the logits form reaches the decoder's last layer directly; the probability form
      // through σ's derivative, here taken from pred by the chain rule: dL/dz = dL/dp · p(1 − p).
      a.loss.backward();
      const pa = (await a.pred.data()) as Float32Array;
      const w = a.vae.decoder.parameters().at(-1)!;  // the last Linear's bias: Σ over rows of dL/dz
      const gotBias = Float32Array.from((await w.grad!.data()) as Float32Array);
      for (let j = 0; j < dim; j++) {
        let want = 0;
        for (let r = 0; r < rows; r++) want += (pa[r * dim + j] - data[r * dim + j]) / rows;
        expect(Math.abs(gotBias[j] - want), `${name} bias grad ${j}`).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-6);
      }
    }
  }, 60_000);
});
