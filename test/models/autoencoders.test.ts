// The autoencoder family: shapes, the noise and penalty mechanics against hand computations,
// short training runs whose loss must fall, and the VAE's sampling.
import { describe, expect, it } from 'vitest';
import { setBackend, tensor, tidy, noGrad, Generator, type Tensor } from '../../src/index.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { convAutoencoder } from '../../src/models/conv-autoencoder.js';
import { DenoisingAutoencoder } from '../../src/models/denoising-autoencoder.js';
import { SparseAutoencoder } from '../../src/models/sparse-autoencoder.js';
import { VAE, denseVae } from '../../src/models/vae.js';
import { corrupt } from '../../src/models/corrupt.js';
import { Linear, Sequential, Sigmoid, type Module } from '../../src/nn/index.js';
import { mseLoss, bceLoss } from '../../src/losses/index.js';
import { Adam } from '../../src/optim/adam.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { expectClose } from '../helpers.js';

setBackend('js');
const fashion = loadFashionMnist({ split: 'train', limit: 512 });
const images = (n: number, from = 0) => tensor(fashion.images.subarray(from * 784, (from + n) * 784), [n, 784]);
const host = (t: Tensor) => Array.from(t.dataSync());

/** A hand-written loop: zeroGrad → forward → loss (+ added terms) → backward → Adam step. Returns each step's loss. */
function trainSteps(model: Module, batches: Tensor[], loss: (p: Tensor, t: Tensor) => Tensor, lr = 2e-3, epochs = 1): number[] {
  const opt = new Adam(model.parameters(), { lr });
  const out: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (const x of batches) {
      out.push(tidy(() => {
        model.zeroGrad();
        let l = loss(model.forward(x), x);
        for (const term of model.takeLosses()) l = l.add(term);
        l.backward();
        opt.step();
        return l.item();
      }));
    }
  }
  return out;
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('dense and conv autoencoders', () => {
  it('dense: encode → [n, 32], reconstruction [n, 784] in (0, 1)', () => {
    const ae = denseAutoencoder({ generator: new Generator(1) });
    const x = images(4);
    expect(ae.encode(x).shape).toEqual([4, 32]);
    const y = ae.forward(x);
    expect(y.shape).toEqual([4, 784]);
    expect(host(y).every((v) => v > 0 && v < 1)).toBe(true);
    expect(host(ae.encode(x)).every((v) => v >= 0)).toBe(true); // the seed's relu code
  });

  it('conv: [n, 1, 28, 28] → code [n, 8, 7, 7] → [n, 1, 28, 28], both upsampling modes and a dense bottleneck', () => {
    const x = images(2).reshape([2, 1, 28, 28]);
    for (const upsample of ['transpose', 'nearest'] as const) {
      const ae = convAutoencoder({ upsample, generator: new Generator(2) });
      expect(ae.encode(x).shape).toEqual([2, 8, 7, 7]);
      const y = ae.forward(x);
      expect(y.shape).toEqual([2, 1, 28, 28]);
      expect(host(y).every((v) => v > 0 && v < 1)).toBe(true);
    }
    const withLatent = convAutoencoder({ latent: 10, generator: new Generator(3) });
    expect(withLatent.encode(x).shape).toEqual([2, 10]);
    expect(withLatent.forward(x).shape).toEqual([2, 1, 28, 28]);
    expect(() => convAutoencoder({ inputShape: [1, 30, 30] })).toThrow(/30×30 must be divisible by 4/);
  });

  it('conv: the loss falls over 24 steps', () => {
    const ae = convAutoencoder({ channels: [8, 4], generator: new Generator(4) });
    const batches = [0, 1, 2].map((i) => images(16, 16 * i).reshape([16, 1, 28, 28]));
    // Measured: the mean loss of the first three steps 0.174, of the last three 0.083.
    const losses = trainSteps(ae, batches, (p, t) => mseLoss(p, t), 1e-2, 8);
    expect(mean(losses.slice(-3))).toBeLessThan(0.7 * mean(losses.slice(0, 3)));
  });

  it('Autoencoder.fit delegates to fit() and trains', async () => {
    const ae = denseAutoencoder({ hidden: [32], latent: 8, generator: new Generator(5) });
    const x = images(256);
    const before = await ae.evaluate(x, null, { loss: 'mse', batchSize: 64 });
    const history = await ae.fit(x, null, { optimizer: new Adam(ae.parameters(), { lr: 3e-3 }), loss: 'mse', epochs: 3, batchSize: 32, generator: new Generator(6) });
    expect(history.loss.length).toBe(3);
    const after = await ae.evaluate(x, null, { loss: 'mse', batchSize: 64 });
    expect(after).toBeLessThan(0.7 * before);
    const pred = await ae.predict(x, { batchSize: 100 });
    expect(pred.shape).toEqual([256, 784]);
    expect(mseLoss(pred, x).item()).toBeCloseTo(after, 4);
  });
});

describe('denoising autoencoder', () => {
  it('corrupts the input in training only; eval is the clean autoencoder', () => {
    const base = denseAutoencoder({ hidden: [16], latent: 4, generator: new Generator(7) });
    const dae = DenoisingAutoencoder.from(base, { noise: { kind: 'masking', p: 0.5 }, generator: new Generator(8) });
    const x = images(3);
    const clean = host(noGrad(() => base.eval().forward(x)));
    dae.eval();
    expect(host(noGrad(() => dae.forward(x)))).toEqual(clean);
    dae.train();
    const noisy = host(noGrad(() => dae.forward(x)));
    expect(noisy.some((v, i) => Math.abs(v - clean[i]) > 1e-4)).toBe(true);
  });

  it('noise kinds: masking zeroes about p, gaussian adds N(0, σ²), salt-and-pepper writes low/high', () => {
    const n = 20000;
    const ones = tensor(new Float32Array(n).fill(0.5), [n]);
    const masked = host(corrupt(ones, { kind: 'masking', p: 0.25 }, new Generator(1)));
    const zeros = masked.filter((v) => v === 0).length;
    expect(Math.abs(zeros - 0.25 * n)).toBeLessThan(5 * Math.sqrt(n * 0.25 * 0.75));
    expect(masked.every((v) => v === 0 || v === 0.5)).toBe(true);
    const g = host(corrupt(ones, { kind: 'gaussian', std: 0.2 }, new Generator(2))).map((v) => v - 0.5);
    const variance = mean(g.map((v) => v * v));
    expect(Math.abs(mean(g))).toBeLessThan(5 * 0.2 / Math.sqrt(n));
    expect(variance / 0.04).toBeGreaterThan(0.95);
    expect(variance / 0.04).toBeLessThan(1.05);
    const clipped = host(corrupt(ones, { kind: 'gaussian', std: 1, clip: [0, 1] }, new Generator(3)));
    expect(clipped.every((v) => v >= 0 && v <= 1)).toBe(true);
    const sp = host(corrupt(ones, { kind: 'salt-pepper', p: 0.3 }, new Generator(4)));
    const low = sp.filter((v) => v === 0).length, high = sp.filter((v) => v === 1).length;
    expect(sp.every((v) => v === 0 || v === 1 || v === 0.5)).toBe(true);
    expect(Math.abs(low + high - 0.3 * n)).toBeLessThan(5 * Math.sqrt(n * 0.3 * 0.7));
    expect(Math.abs(low - high)).toBeLessThan(5 * Math.sqrt(n * 0.3));
  });

  it('learns to reconstruct clean images from masked ones (loss against the clean target falls)', () => {
    const base = denseAutoencoder({ hidden: [64], latent: 16, generator: new Generator(9) });
    const dae = DenoisingAutoencoder.from(base, { noise: { kind: 'masking', p: 0.3 }, generator: new Generator(10) });
    const batches = [0, 1, 2, 3].map((i) => images(64, 64 * i));
    const losses = trainSteps(dae, batches, (p, t) => mseLoss(p, t), 3e-3, 5);
    expect(mean(losses.slice(-4))).toBeLessThan(0.6 * mean(losses.slice(0, 4)));
  });
});

describe('sparse autoencoder', () => {
  const enc = (g: Generator) => new Sequential(new Linear(20, 6, { generator: g }), new Sigmoid());
  const dec = (g: Generator) => new Sequential(new Linear(6, 20, { generator: g }));
  const x = tensor(Array.from({ length: 8 * 20 }, (_, i) => Math.sin(i * 0.37)), [8, 20]);

  it('l1 adds λ·(1/n)·Σ|z| once per forward', () => {
    const g = new Generator(11);
    const sae = new SparseAutoencoder(enc(g), dec(g), { penalty: 'l1', weight: 0.3 });
    const z = host(noGrad(() => sae.encode(x)));
    sae.forward(x);
    sae.forward(x); // a second forward replaces the first pass's term
    const terms = sae.takeLosses();
    expect(terms.length).toBe(1);
    expect(terms[0].item()).toBeCloseTo((0.3 * z.reduce((s, v) => s + Math.abs(v), 0)) / 8, 5);
    expect(sae.takeLosses().length).toBe(0);
  });

  it('kl adds β·Σ_j KL(ρ ‖ ρ̂_j)', () => {
    const g = new Generator(12);
    const sae = new SparseAutoencoder(enc(g), dec(g), { penalty: 'kl', weight: 2, rho: 0.05 });
    const z = host(noGrad(() => sae.encode(x)));
    let want = 0;
    for (let j = 0; j < 6; j++) {
      let r = 0;
      for (let i = 0; i < 8; i++) r += z[i * 6 + j] / 8;
      want += 0.05 * Math.log(0.05 / r) + 0.95 * Math.log(0.95 / (1 - r));
    }
    sae.forward(x);
    expect(sae.takeLosses()[0].item()).toBeCloseTo(2 * want, 4);
  });

  it('training with the kl penalty lowers the mean code activation (vs the same model without it)', () => {
    // Measured (150 Adam steps, lr 2e-2): mean activation 0.52 at the start; 0.54 after training
    // without the penalty, 0.26 with it (weight 1, ρ = 0.05).
    const run = (weight: number) => {
      const g = new Generator(13);
      const sae = new SparseAutoencoder(enc(g), dec(g), { penalty: 'kl', weight, rho: 0.05 });
      trainSteps(sae, [x], (p, t) => mseLoss(p, t), 2e-2, 150);
      return mean(host(noGrad(() => sae.encode(x))));
    };
    const free = run(0), sparse = run(1);
    expect(free).toBeGreaterThan(0.4);
    expect(sparse).toBeLessThan(0.6 * free);
  });
});

describe('VAE', () => {
  it('forward adds β·KL from the encoder’s μ and log σ²; eval decodes μ deterministically', () => {
    const vae = denseVae({ inputDim: 784, hidden: [32], latent: 3, beta: 0.5, generator: new Generator(14) });
    const x = images(5);
    const h = host(noGrad(() => vae.encoder.forward(x)));               // [5, 6]: μ then log σ²
    let kl = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) {
      const mu = h[i * 6 + j], lv = h[i * 6 + 3 + j];
      kl += (-0.5 * (1 + lv - mu * mu - Math.exp(lv))) / 5;
    }
    vae.forward(x);
    expect(vae.takeLosses()[0].item()).toBeCloseTo(0.5 * kl, 5);
    vae.eval();
    const a = host(noGrad(() => vae.forward(x))), b = host(noGrad(() => vae.forward(x)));
    expect(a).toEqual(b);
    const mu = tensor(Array.from({ length: 15 }, (_, k) => h[Math.floor(k / 3) * 6 + (k % 3)]), [5, 3]);
    expectClose(a, host(noGrad(() => vae.decode(mu))), 1e-6, 1e-7, 'eval decodes μ');
    vae.train();
    const c = host(noGrad(() => vae.forward(x)));
    expect(c.some((v, i) => Math.abs(v - a[i]) > 1e-5)).toBe(true);
    vae.takeLosses();
  });

  it('reparameterize draws z = μ + σ·ε: mean μ, variance e^(log σ²), gradients 1 and ½σε', () => {
    const vae = denseVae({ inputDim: 4, hidden: [4], latent: 1, generator: new Generator(16) });
    const n = 20000;
    const mu = tensor(new Float32Array(n).fill(1.5), [n, 1], { requiresGrad: true });
    const logvar = tensor(new Float32Array(n).fill(Math.log(4)), [n, 1], { requiresGrad: true });
    const z = vae.reparameterize(mu, logvar);
    const zs = host(z);
    const m = mean(zs), v = mean(zs.map((x) => (x - m) ** 2));
    expect(Math.abs(m - 1.5)).toBeLessThan(5 * 2 / Math.sqrt(n));
    expect(v / 4).toBeGreaterThan(0.95);
    expect(v / 4).toBeLessThan(1.05);
    z.sum().backward();
    expect(host(mu.grad!).every((g) => g === 1)).toBe(true);
    // dz/dlog σ² = ½·σ·ε = ½·(z − μ)
    expectClose(host(logvar.grad!), zs.map((x) => 0.5 * (x - 1.5)), 1e-5, 1e-6, 'dz/dlogvar');
  });

  it('the loss (reconstruction + KL) falls, and sample(16) is [16, 784] in [0, 1]', () => {
    const vae = denseVae({ hidden: [64], latent: 2, generator: new Generator(15) });
    expect(vae).toBeInstanceOf(VAE);
    expect(vae).toBeInstanceOf(Autoencoder);
    const batches = [0, 1, 2, 3].map((i) => images(64, 64 * i));
    // Measured: the mean loss of the first four steps 507, of the last four 332 (per image, in nats).
    const losses = trainSteps(vae, batches, vae.reconstructionLoss, 1e-2, 6);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-4))).toBeLessThan(0.8 * mean(losses.slice(0, 4)));
    // reconstructionLoss is BCE summed over pixels, averaged over the batch.
    const x = images(4);
    const p = noGrad(() => vae.eval().forward(x));
    expect(vae.reconstructionLoss(p, x).item()).toBeCloseTo(bceLoss(p, x, { reduction: 'sum' }).item() / 4, 3);
    const s = vae.sample(16, new Generator(3));
    expect(s.shape).toEqual([16, 784]);
    expect(host(s).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(host(vae.sample(16, new Generator(3)))).toEqual(host(s));
    expect(vae.training).toBe(false); // sample restores the mode it found
    expect(() => new VAE(new Linear(4, 5), new Linear(2, 4), { latent: 2 }).forward(tensor(new Float32Array(8), [2, 4])))
      .toThrow(/VAE: the encoder must output \[n, 4\].*got \[2, 5\]/);
  });
});
