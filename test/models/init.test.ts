// The builders' initial weights: Keras's glorot-uniform with zero biases by default, he-uniform
// or PyTorch's default on request; layers built by hand keep PyTorch's default. Each bound is
// computed here from the layer's shape (Glorot & Bengio 2010: √(6 / (fan_in + fan_out)); He et
// al. 2015, uniform form: √(6 / fan_in); PyTorch: 1/√fan_in), and the draws are checked to fill
// the interval as a uniform distribution does: inside it, reaching near its ends, variance a²/3.
import { describe, expect, it } from 'vitest';
import { Generator, setBackend, type Tensor } from '../../src/index.js';
import { denseAutoencoder, mlp } from '../../src/models/dense-autoencoder.js';
import { convAutoencoder } from '../../src/models/conv-autoencoder.js';
import { denseVae } from '../../src/models/vae.js';
import { Conv2d, ConvTranspose2d, Linear, Sequential } from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import type { ModelInit } from '../../src/nn/init.js';
import { buildModel } from '../../src/models/build-model.js';
import { configToJson, MODEL_TRAINING_OPTIONS, resolveTrainConfig } from '../../src/cli/train-options.js';
import { parseCommand } from '../../src/cli/options.js';
import { fit } from '../../src/train/fit.js';
import { Adam } from '../../src/optim/adam.js';
import { tensor } from '../../src/ops/creation.js';

setBackend('js');

/** The layers with weights, and their fans from the layer's own description (not fanInOut). */
function weighted(model: Module): { name: string; weight: Tensor; bias: Tensor | null; fanIn: number; fanOut: number }[] {
  const out: ReturnType<typeof weighted> = [];
  for (const [name, m] of model.namedModules()) {
    if (m instanceof Linear) out.push({ name, weight: m.weight, bias: m.bias, fanIn: m.inFeatures, fanOut: m.outFeatures });
    else if (m instanceof Conv2d || m instanceof ConvTranspose2d) {
      const k = m.kernelSize[0] * m.kernelSize[1];
      // Keras and PyTorch agree: a transposed conv's fan_in counts its OUTPUT channels.
      const [fin, fout] = m instanceof Conv2d ? [m.inChannels, m.outChannels] : [m.outChannels, m.inChannels];
      out.push({ name, weight: m.weight, bias: m.bias, fanIn: fin * k, fanOut: fout * k });
    }
  }
  return out;
}

function bound(init: ModelInit, fanIn: number, fanOut: number): number {
  return init === 'glorot' ? Math.sqrt(6 / (fanIn + fanOut)) : init === 'he' ? Math.sqrt(6 / fanIn) : 1 / Math.sqrt(fanIn);
}

/** Checks every weight is U(−a, a) for its layer's a, and every bias zero (or U(±1/√fan_in) for torch). */
function expectInit(model: Module, init: ModelInit): void {
  const layers = weighted(model);
  expect(layers.length).toBeGreaterThan(1);
  for (const l of layers) {
    const a = bound(init, l.fanIn, l.fanOut);
    const w = l.weight.dataSync();
    let max = 0, sq = 0;
    for (const v of w) { max = Math.max(max, Math.abs(v)); sq += v * v; }
    expect(max, `${l.name}: |w| ≤ ${a}`).toBeLessThanOrEqual(a * (1 + 1e-6));
    // n uniform draws: the largest |w| falls short of a by about a/n; variance a²/3 within 4σ.
    const n = w.length;
    expect(max, `${l.name}: max |w| near ${a}`).toBeGreaterThan(a * (1 - 8 / n));
    const rel = (sq / n) / (a * a / 3);
    expect(Math.abs(rel - 1), `${l.name}: variance ${sq / n} vs a²/3`).toBeLessThan(4 * Math.sqrt(0.8 / n) + 1e-9);
    const b = l.bias!.dataSync();
    if (init === 'torch') {
      const bb = 1 / Math.sqrt(l.fanIn);
      expect(b.every((v) => Math.abs(v) <= bb * (1 + 1e-6))).toBe(true);
      expect(b.some((v) => v !== 0)).toBe(true);
    } else {
      expect(Array.from(b).every((v) => v === 0), `${l.name}: zero bias`).toBe(true);
    }
  }
}

describe('builder init', () => {
  it('defaults to glorot-uniform weights and zero biases (Keras) in every builder', () => {
    expectInit(denseAutoencoder({ generator: new Generator(1) }), 'glorot');
    expectInit(mlp([20, 30, 10], { activation: 'relu', last: 'none', generator: new Generator(2) }), 'glorot');
    expectInit(denseVae({ hidden: [64], latent: 4, generator: new Generator(3) }), 'glorot');
    expectInit(convAutoencoder({ channels: [8, 4], latent: 16, generator: new Generator(4) }), 'glorot');
    expectInit(convAutoencoder({ channels: [8, 4], upsample: 'nearest', generator: new Generator(5) }), 'glorot');
  });

  it('he and torch on request', () => {
    expectInit(denseAutoencoder({ init: 'he', generator: new Generator(6) }), 'he');
    expectInit(convAutoencoder({ init: 'he', generator: new Generator(7) }), 'he');
    expectInit(denseAutoencoder({ init: 'torch', generator: new Generator(8) }), 'torch');
    expectInit(convAutoencoder({ init: 'torch', generator: new Generator(9) }), 'torch');
  });

  it('torch reproduces layers built by hand (PyTorch default), draw for draw', () => {
    const built = denseAutoencoder({ hidden: [16], latent: 4, inputDim: 20, init: 'torch', generator: new Generator(10) });
    const gen = new Generator(10);
    const byHand = [new Linear(20, 16, { generator: gen }), new Linear(16, 4, { generator: gen }), new Linear(4, 16, { generator: gen }), new Linear(16, 20, { generator: gen })];
    const layers = weighted(built);
    byHand.forEach((l, i) => {
      expect(layers[i].weight.dataSync()).toEqual(l.weight.dataSync());
      expect(layers[i].bias!.dataSync()).toEqual(l.bias!.dataSync());
    });
  });

  it('a Linear built by hand keeps PyTorch default', () => {
    expectInit(new Sequential(new Linear(300, 50, { generator: new Generator(11) }), new Linear(50, 20, { generator: new Generator(12) })), 'torch');
  });

  it('refuses an unknown init', () => {
    // @ts-expect-error 'xavier' is not a ModelInit
    expect(() => denseAutoencoder({ init: 'xavier' })).toThrow(/unknown model init 'xavier'; expected glorot, he, torch/);
  });

  it('is deterministic for a seed: same weights and same training losses', async () => {
    const run = async (seed: number) => {
      const model = denseAutoencoder({ inputDim: 12, hidden: [8], latent: 3, generator: new Generator(seed) });
      const x = tensor(Array.from({ length: 48 * 12 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2), [48, 12]);
      const h = await fit(model, x, null, { optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 3, batchSize: 16, generator: new Generator(seed + 1) });
      return { weights: weighted(model).map((l) => Array.from(l.weight.dataSync())), loss: h.loss };
    };
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(b).toEqual(a);
    expect(c.loss).not.toEqual(a.loss);
  });
});

describe('tessera train --init', () => {
  it('defaults to glorot, is stored in the config, and builds the model with it', () => {
    const parse = (argv: string[]) => resolveTrainConfig('train', parseCommand('train', MODEL_TRAINING_OPTIONS, argv).values);
    const byDefault = parse([]);
    expect(byDefault.init).toBe('glorot');
    expect(configToJson(byDefault)).toMatchObject({ init: 'glorot' });
    const he = parse(['--init', 'he', '--latent', '8']);
    expect(configToJson(he)).toMatchObject({ init: 'he' });
    expectInit(buildModel(he, new Generator(12)), 'he');
    expectInit(buildModel(parse(['--init', 'torch', '--model', 'conv']), new Generator(13)), 'torch');
    expect(() => parse(['--init', 'xavier'])).toThrow(/--init.*glorot, he, torch|glorot\|he\|torch/);
  });
});
