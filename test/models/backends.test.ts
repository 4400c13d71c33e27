// The models run unchanged when the backend changes: every autoencoder of the family, built
// from the same seed on native, wasm and webgpu, gives js's loss and every parameter's gradient,
// and stays with js over a few Adam steps.
import { describe, expect, it } from 'vitest';
import {
  setBackend, tensor, tidy, Generator, getBackend,
  type Backend, type BackendName, type Tensor, type Module,
} from '../../src/index.js';
import { probeNative, probeWasm, probeWebGPU, probedBackend } from '../backend-probe.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { convAutoencoder } from '../../src/models/conv-autoencoder.js';
import { DenoisingAutoencoder } from '../../src/models/denoising-autoencoder.js';
import { SparseAutoencoder } from '../../src/models/sparse-autoencoder.js';
import { denseVae } from '../../src/models/vae.js';
import { mseLoss } from '../../src/losses/index.js';
import { Adam } from '../../src/optim/adam.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';

const fashion = loadFashionMnist({ split: 'test', limit: 16 });

interface Family { name: string; build: (g: Generator) => Module; inputShape: number[] }
const families: Family[] = [
  { name: 'dense', build: (g) => denseAutoencoder({ hidden: [32], latent: 8, generator: g }), inputShape: [16, 784] },
  { name: 'dense + dropout + batch norm', build: (g) => denseAutoencoder({ hidden: [32], latent: 8, dropout: 0.2, batchNorm: true, generator: g }), inputShape: [16, 784] },
  { name: 'conv', build: (g) => convAutoencoder({ channels: [4, 4], latent: 8, generator: g }), inputShape: [16, 1, 28, 28] },
  { name: 'denoising', build: (g) => DenoisingAutoencoder.from(denseAutoencoder({ hidden: [32], latent: 8, generator: g }), { noise: { kind: 'gaussian', std: 0.3 }, generator: g }), inputShape: [16, 784] },
  { name: 'denoising, noise clipped to [0, 1] (W4, one fused kernel)', build: (g) => DenoisingAutoencoder.from(denseAutoencoder({ hidden: [32], latent: 8, generator: g }), { noise: { kind: 'gaussian', std: 0.3, clip: [0, 1] }, generator: g }), inputShape: [16, 784] },
  { name: 'sparse', build: (g) => SparseAutoencoder.from(denseAutoencoder({ hidden: [32], latent: 8, generator: g }), { penalty: 'kl', weight: 0.1, rho: 0.05 }), inputShape: [16, 784] },
  { name: 'vae', build: (g) => denseVae({ hidden: [32], latent: 4, generator: g }), inputShape: [16, 784] },
];

/** Three Adam steps on one batch: the losses and, after the first step, every gradient. */
async function run(family: Family, backend: Backend): Promise<{ losses: number[]; grads: Map<string, Float32Array> }> {
  setBackend(backend.name as BackendName);
  try {
    const model = family.build(new Generator(11));
    const x = tensor(fashion.images, family.inputShape);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    const grads = new Map<string, Float32Array>();
    for (let step = 0; step < 3; step++) {
      model.zeroGrad();
      const loss = tidy(() => {
        let l = mseLoss(model.forward(x), x.reshape([16, 784]).reshape(family.inputShape));
        for (const term of model.takeLosses()) l = l.add(term);
        l.backward();
        return l;
      });
      losses.push(await loss.itemAsync());
      if (step === 0) {
        for (const [name, p] of model.namedParameters()) grads.set(name, (await p.grad!.data()) as Float32Array);
      }
      opt.step();
    }
    return { losses, grads };
  } finally {
    setBackend('js');
  }
}

async function compare(backend: Backend): Promise<void> {
  for (const family of families) {
    const ref = await run(family, getBackend('js'));
    const got = await run(family, backend);
    got.losses.forEach((l, i) => {
      expect(Math.abs(l - ref.losses[i]) / Math.abs(ref.losses[i]), `${family.name} loss at step ${i}: ${l} vs ${ref.losses[i]}`).toBeLessThan(1e-4);
    });
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const modelScale = Math.max(...[...ref.grads.values()].map(maxAbs));
    for (const [name, g] of ref.grads) {
      const h = got.grads.get(name)!;
      let worst = 0;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(h[i] - g[i]));
      // Float32 sums in a different order: errors relative to the tensor's largest gradient, with
      // a floor from the model's largest one (a bias before batch norm has a gradient of exactly
      // zero in exact arithmetic: what both backends compute there is rounding noise).
      const tol = 1e-3 * maxAbs(g) + 1e-5 * modelScale;
      expect(worst, `${family.name} d/d${name}: worst ${worst}, tolerance ${tol}`).toBeLessThanOrEqual(tol);
    }
  }
}

const native = probeNative();
const wasm = probeWasm();
const webgpu = await probeWebGPU();

describe('every model on every backend', () => {
  // A missing backend skips (with the reason, test/backend-probe.ts) outside CI and fails under it.
  it.skipIf(native.skip)('native gives js\'s losses and gradients', async () => {
    await compare(probedBackend(native, 'native'));
  }, 120_000);

  it.skipIf(wasm.skip)('wasm gives js\'s losses and gradients', async () => {
    await compare(probedBackend(wasm, 'wasm'));
  }, 120_000);

  it.skipIf(webgpu.skip)('webgpu gives js\'s losses and gradients', async () => {
    await compare(probedBackend(webgpu, 'webgpu'));
  }, 300_000);
});
