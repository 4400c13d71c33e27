// The one-pass BCE on logits with its derivative (Backend.bceLogitsWithGrad, src/ops/elementwise.ts
// bceLogitsWithGrad): what bceWithLogitsLoss runs forward when the logits need a gradient. Each
// backend against a naive float64 reference written here and against its own two binary ops
// ('bceLogits', 'bceLogitsGrad': the same formulas, so native and wasm give the same bits), on odd
// sizes, size 1, NaN, ±∞ and saturated logits (|z| > 88, where e^−|z| is subnormal or 0); the loss's
// gradient through it against float64 finite differences. And the VAE's deferred reconstruction
// (sigmoidDeferred, src/ops/activation.ts): σ(logits) computed when first read, never when not.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Adam, denseVae, fit, formatGradcheck, Generator, gradcheck, tensor, withDefaultDType, type Backend, type Tensor } from '../../src/index.js';
import { bceWithLogitsLoss } from '../../src/losses/index.js';
import { sigmoid } from '../../src/ops/activation.js';
import { sigmoidDeferred } from '../../src/ops/activation.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { setNativeIsa, setNativeThreads, type NativeIsa } from '../../src/backend/native/index.js';
import { probeNative, probeWasm, probeWebGPU, probedBackend } from '../backend-probe.js';
import { isasHere } from '../backend/native-helpers.js';

const js = jsBackend as unknown as Backend;

/** The naive reference, in float64: loss −[x·log σ(z) + (1 − x)·log(1 − σ(z))], grad σ(z) − x. */
function reference(z: number, x: number): [number, number] {
  const logSigma = (t: number) => (t < -700 ? t : -Math.log1p(Math.exp(-t)));
  const upper = x === 0 ? 0 : x * logSigma(z), lower = x === 1 ? 0 : (1 - x) * logSigma(-z);
  return [-(upper + lower), 1 / (1 + Math.exp(-z)) - x];
}

// Saturated logits on both sides of both targets, the e^−|z| underflow (88, 104, 200), 0 and tiny.
const EDGES: [number, number][] = [
  [Infinity, 1], [-Infinity, 0], [Infinity, 0.25], [-Infinity, 0.5], [88.5, 0], [88.5, 1], [-89, 1], [-89, 0],
  [104, 0.5], [-200, 0.3], [0, 0], [0, 1], [1e-30, 0.5], [-3, 1], [17, 0], [NaN, 0.5], [2, NaN], [Infinity, 0],
  [-0, 0.5], [-0, 1],
];

function cases(n: number, nonFinite: boolean): { z: Float32Array; x: Float32Array } {
  const gen = new Generator(n), z = new Float32Array(n), x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = (gen.uniform() - 0.5) * (i % 7 === 0 ? 240 : 16);
    x[i] = i % 3 === 0 ? Math.round(gen.uniform()) : gen.uniform();
  }
  // The edges at the end, so that the vector tails see them too (webgpu: finite ones only).
  EDGES.filter(([a, b]) => nonFinite || (Number.isFinite(a) && Number.isFinite(b)))
    .forEach(([a, b], k) => { if (k < n) { z[n - 1 - k] = a; x[n - 1 - k] = b; } });
  return { z, x };
}

async function run(b: Backend, z: Float32Array, x: Float32Array) {
  const n = z.length, dz = b.upload(z), dx = b.upload(x);
  const outs = [b.alloc('float32', n), b.alloc('float32', n), b.alloc('float32', n), b.alloc('float32', n)];
  b.bceLogitsWithGrad(dz, dx, outs[0], outs[1], n);
  b.binary('bceLogits', dz, [1], dx, [1], outs[2], [n]);
  b.binary('bceLogitsGrad', dz, [1], dx, [1], outs[3], [n]);
  const [loss, grad, lossOp, gradOp] = await Promise.all(outs.map(async (o) => Float32Array.from(await b.read(o, 'float32', n))));
  for (const s of [dz, dx, ...outs]) b.free(s);
  return { loss, grad, lossOp, gradOp };
}

/**
 * bceLogitsWithGrad on `b`: equal to the backend's binary ops (bit for bit when `sameBits`), and to
 * the float64 reference within `ulps` of the loss's terms (c·|z| + log 2) and of σ's scale (1).
 */
async function check(b: Backend, name: string, ulps: number, sameBits: boolean, nonFinite: boolean): Promise<void> {
  for (const n of [1, 2, 15, 17, 33, 1001, 20_003]) {
    const { z, x } = cases(n, nonFinite);
    const got = await run(b, z, x);
    for (let i = 0; i < n; i++) {
      const where = `${name} n ${n} [${i}] z ${z[i]} x ${x[i]}`;
      const [wantLoss, wantGrad] = reference(z[i], x[i]);
      const c = z[i] >= 0 ? 1 - x[i] : x[i];
      for (const [v, want, scale] of [[got.loss[i], wantLoss, (c === 0 ? 0 : Math.abs(c * z[i])) + Math.LN2], [got.grad[i], wantGrad, 1]]) {
        const ok = Number.isNaN(want) ? Number.isNaN(v) : !Number.isFinite(want) ? v === want
          : Math.abs(v - want) <= ulps * 2 ** -24 * scale + 1e-37;
        if (!ok) throw new Error(`${where}: got ${v}, float64 ${want}`);
      }
      if (sameBits) {
        expect(Object.is(got.loss[i], got.lossOp[i]) || (Number.isNaN(got.loss[i]) && Number.isNaN(got.lossOp[i])), `${where} loss`).toBe(true);
        expect(Object.is(got.grad[i], got.gradOp[i]) || (Number.isNaN(got.grad[i]) && Number.isNaN(got.gradOp[i])), `${where} grad`).toBe(true);
      }
    }
  }
}

describe('bceLogitsWithGrad kernel: the naive float64 reference and the binary ops', () => {
  // js's one loop calls the binary ops' own two functions, so comparing it with them could not fail:
  // the float64 reference is its test. Native and wasm, whose pass is a kernel of its own, are held to the ops' bits.
  it('js (double math, rounded once; the float64 reference)', async () => { await check(js, 'js', 1, false, true); });

  const native = probeNative();
  it.skipIf(native.skip)('native, every ISA here, one to three threads (float32 math; the binary ops bit for bit)', async () => {
    const b = probedBackend(native, 'native');
    try {
      for (const isa of isasHere()) {
        for (const threads of [1, 2, 3]) {
          setNativeIsa(isa as NativeIsa);
          setNativeThreads(threads);
          await check(b, `native ${isa} ×${threads}`, 8, true, true);
        }
      }
    } finally {
      setNativeIsa(isasHere()[0]);
      setNativeThreads(1);
    }
  });

  const wasm = probeWasm();
  it.skipIf(wasm.skip)('wasm (the portable float32 path; the binary ops bit for bit)', async () => {
    await check(probedBackend(wasm, 'wasm'), 'wasm', 8, true, true);
  });

  it('size 0 writes nothing; short buffers are refused naming the operand', () => {
    const z = new Float32Array(2);
    expect(() => js.bceLogitsWithGrad(z, z, z, z, 0)).not.toThrow();
    const native = probeNative().backend;
    if (native) expect(() => native.bceLogitsWithGrad(z, z, z, new Float32Array(1), 2)).toThrow(/bceLogitsWithGrad.*grad/);
  });
});

const webgpu = await probeWebGPU();

describe('bceLogitsWithGrad on webgpu', () => {
  // WGSL's exp and log: 64 ulps of the terms, as the binary ops' test; NaN and ±∞ left out (WGSL
  // lets the compiler assume finite math). Not bit for bit against the binary ops: the same helpers
  // (math.wgsl) in two shaders may be compiled differently by a GPU's driver.
  it.skipIf(webgpu.skip)('equals the float64 reference, finite edges', async () => {
    await check(probedBackend(webgpu, 'webgpu'), 'webgpu', 64, false, false);
  }, 60_000);
});

describe('bceWithLogitsLoss through the one-pass form', () => {
  it('has the gradient of float64 finite differences (mean, sum, none weighted)', () => {
    withDefaultDType('float64', () => {
      const gen = new Generator(5);
      const z = Array.from({ length: 21 }, (_, i) => (i === 3 ? 0 : 10 * gen.uniform() - 5));
      const x = Array.from({ length: 21 }, (_, i) => (i % 4 === 0 ? 1 : i % 4 === 1 ? 0 : gen.uniform()));
      const Z = tensor(z, [3, 7], { backend: 'js', requiresGrad: true }), X = tensor(x, [3, 7], { backend: 'js' });
      const w = tensor(Array.from({ length: 21 }, () => gen.uniform() + 0.5), [3, 7], { backend: 'js' });
      for (const fn of [
        (a: Tensor) => bceWithLogitsLoss(a, X),
        (a: Tensor) => bceWithLogitsLoss(a, X, { reduction: 'sum' }),
        (a: Tensor) => bceWithLogitsLoss(a, X, { reduction: 'none' }).mul(w).sum(),
      ]) {
        const report = gradcheck(fn, [Z]);
        expect(report.ok, formatGradcheck(report)).toBe(true);
      }
      // The gradient is σ(z) − x over N (mean), as the reference says.
      Z.grad = null;
      bceWithLogitsLoss(Z, X).backward();
      (Z.grad!.toArray() as number[][]).flat().forEach((g, i) => expect(g).toBeCloseTo(reference(z[i], x[i])[1] / 21, 14));
    });
  });
});

describe('sigmoidDeferred (the VAE training reconstruction)', () => {
  const backends: Backend[] = [js];
  for (const p of [probeNative(), probeWasm(), webgpu]) if (p.backend) backends.push(p.backend);

  it('is σ(x), computed only when first read, after its input is gone too', async () => {
    for (const b of backends) {
      const values = [-100, -3, -0.5, 0, 0.25, 2, 40];
      const x = tensor(values, [7], { backend: b });
      const y = sigmoidDeferred(x), want = sigmoid(x);
      expect(y.ref.pending, b.name).not.toBeNull();
      x.dispose();  // the pending σ holds x's storage (its StorageRef), not x
      const got = Array.from(await y.data());
      expect(y.ref.pending).toBeNull();
      expect(got, b.name).toEqual(Array.from(await want.data()));
      values.forEach((v, i) => expect(got[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 6));
    }
  });

  it('an unread, undisposed result is still freed by the garbage collector on a backend that frees by hand', async () => {
    // A js backend that, like wasm and webgpu, frees storage only when told (src/memory.ts's
    // FinalizationRegistry does it for tensors that were never disposed).
    let frees = 0;
    const manual: Backend = { ...js, garbageCollected: false, free: () => { frees++; } };
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    (() => { for (let i = 0; i < 20; i++) sigmoidDeferred(tensor([1, 2, 3], [3], { backend: manual })); })();
    for (let round = 0; round < 50 && frees === 0; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(frees, 'storages freed after the results became unreachable').toBeGreaterThan(0);
  });

  it('a fill whose kernel throws fails that read and runs again on the next; its input is held until it ran', () => {
    let failures = 2;
    const flaky: Backend = { ...js, unary: (...args) => { if (failures-- > 0) throw new Error('device lost'); js.unary(...args); } };
    const x = tensor([0.5, -1], [2], { backend: flaky });
    const before = x.ref.refs;
    const y = sigmoidDeferred(x);
    expect(() => y.dataSync()).toThrow('device lost');
    expect(() => y.dataSync()).toThrow('device lost');
    expect(x.ref.refs).toBe(before + 1);
    expect(Array.from(y.dataSync())).toEqual(Array.from(sigmoid(x).dataSync()));
    expect(x.ref.refs).toBe(before);
  });

  it('releases its input when disposed unread, and its graph is sigmoid\'s', () => {
    const x = tensor([0.5, -1, 2], [3], { backend: 'js', requiresGrad: true });
    const before = x.ref.refs;
    const unread = sigmoidDeferred(x);
    expect(x.ref.refs).toBe(before + 1);
    unread.dispose();
    expect(x.ref.refs).toBe(before);
    const y = sigmoidDeferred(x);
    expect(y.node?.op).toBe('sigmoid');
    y.sum().backward();  // σ' = σ(1 − σ), from y (which the backward reads, so computes)
    (x.grad!.toArray() as number[]).forEach((g, i) => {
      const s = 1 / (1 + Math.exp(-[0.5, -1, 2][i]));
      expect(g).toBeCloseTo(s * (1 - s), 6);
    });
  });

  it("is never computed in a VAE's fit() step, whose loss reads the logits; forward's output still reads as σ", async () => {
    const gen = new Generator(2);
    const x = tensor(Array.from({ length: 8 * 12 }, () => gen.uniform()), [8, 12], { backend: 'js' });
    const vae = denseVae({ inputDim: 12, hidden: [5], latent: 2, generator: new Generator(1) });
    const ops: string[] = [];
    const unary = js.unary;
    js.unary = (op, ...rest) => { ops.push(op); unary(op, ...rest); };
    try {
      await fit(vae, x, null, { optimizer: new Adam(vae.parameters()), loss: vae.reconstructionLoss, epochs: 2, batchSize: 4, generator: new Generator(3) });
      expect(ops.filter((op) => op === 'sigmoid'), 'sigmoid kernels in 4 training steps').toEqual([]);
      const pred = vae.forward(x);  // training mode: the deferred σ, computed when read
      expect(ops.filter((op) => op === 'sigmoid')).toEqual([]);
      const got = pred.dataSync();
      expect(ops.filter((op) => op === 'sigmoid')).toEqual(['sigmoid']);
      expect(got.length).toBe(8 * 12);
      got.forEach((p) => expect(p > 0 && p < 1).toBe(true));
    } finally {
      js.unary = unary;
    }
  });
});
