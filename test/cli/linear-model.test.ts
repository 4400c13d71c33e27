// `--activation linear` builds the linear autoencoder of the PCA comparison: an affine map.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/models/build-model.js';
import type { TrainConfig } from '../../src/cli/train-options.js';
import { Generator, noGrad, rand, setBackend } from '../../src/index.js';

setBackend('js');

const config: TrainConfig = {
  model: 'dense', latent: 4, hidden: [8], epochs: 1, batchSize: 8, lr: 1e-3, schedule: 'none', optimizer: 'adam',
  activation: 'linear', l1: 0, l2: 0, dropout: 0, batchNorm: false, noise: 0, beta: 1, seed: 0, init: 'glorot',
  data: { scale: 'auto', loss: 'auto', header: 'auto' },
};

describe('--activation linear', () => {
  it('makes every layer affine, the output included: f((a+b)/2) = (f(a)+f(b))/2', () => {
    const model = buildModel(config, new Generator(3));
    const [a, b] = [rand([5, 784], { generator: new Generator(1), low: -1, high: 1 }), rand([5, 784], { generator: new Generator(2), low: -1, high: 1 })];
    const [fa, fb, fm] = noGrad(() => [model.forward(a), model.forward(b), model.forward(a.add(b).mul(0.5))]).map((t) => t.dataSync());
    let worst = 0;
    for (let i = 0; i < fm.length; i++) worst = Math.max(worst, Math.abs(fm[i] - (fa[i] + fb[i]) / 2));
    expect(worst).toBeLessThan(1e-5);
    // A ReLU model is not affine on the same inputs: the check can fail.
    const relu = buildModel({ ...config, activation: 'relu' }, new Generator(3));
    const [ra, rb, rm] = noGrad(() => [relu.forward(a), relu.forward(b), relu.forward(a.add(b).mul(0.5))]).map((t) => t.dataSync());
    let gap = 0;
    for (let i = 0; i < rm.length; i++) gap = Math.max(gap, Math.abs(rm[i] - (ra[i] + rb[i]) / 2));
    expect(gap).toBeGreaterThan(1e-3);
  });
});
