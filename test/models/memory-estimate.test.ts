// The memory check before a model is built: the parameter count it works from must be the
// models' own (counted here from the built modules), and sizes that cannot fit are refused with
// the options and the figure, before anything is allocated.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/index.js';
import { architectureFor, buildModel } from '../../src/models/build-model.js';
import { buildArchitecture } from '../../src/models/architecture.js';
import { checkTrainingFits, estimateTrainingMemory } from '../../src/models/memory-estimate.js';
import type { TrainConfig } from '../../src/cli/train-options.js';
import { cli, SMALL, tempDir } from '../cli/helpers.js';

const base: TrainConfig = {
  model: 'dense', latent: 8, hidden: [16], epochs: 1, batchSize: 32, lr: 1e-3, schedule: 'none', optimizer: 'adam',
  activation: 'relu', l1: 0, l2: 0, dropout: 0, batchNorm: false, noise: 0, beta: 1, seed: 1, init: 'glorot',
  data: { scale: 'auto', loss: 'auto', header: 'auto' },
};
const GiB = 2 ** 30;

describe('training memory estimate', () => {
  it('counts exactly the parameters of every model the CLI builds', () => {
    const configs: Partial<TrainConfig>[] = [
      {}, { hidden: [32, 12], batchNorm: true }, { model: 'sparse' }, { model: 'denoising', noise: 0.3 },
      { model: 'vae', hidden: [20], latent: 3 }, { model: 'conv', hidden: [4, 2], latent: 5 },
      { model: 'conv', hidden: [3], latent: 2, batchNorm: true },
    ];
    for (const part of configs) {
      const c = { ...base, ...part };
      const model = buildModel(c, new Generator(1));
      const counted = model.parameters().reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
      expect(estimateTrainingMemory(c).parameters, JSON.stringify(part)).toBe(counted);
    }
  });

  it('counts the parameters of models built for the data\'s own row shape (a table, RGB images)', () => {
    const cases: [Partial<TrainConfig>, number[]][] = [
      [{}, [12]], [{ model: 'vae', hidden: [20], latent: 3 }, [37]],
      [{ model: 'conv', hidden: [4, 2], latent: 5 }, [3, 16, 12]], [{ model: 'conv', hidden: [3], latent: 2, batchNorm: true }, [2, 8, 8]],
    ];
    for (const [part, shape] of cases) {
      const c = { ...base, ...part };
      const model = buildArchitecture(architectureFor(c, shape, true), new Generator(1));
      const counted = model.parameters().reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
      expect(estimateTrainingMemory(c, shape).parameters, JSON.stringify([part, shape])).toBe(counted);
    }
  });

  it('parameters, gradients and Adam state are 16 bytes a parameter; SGD 8', () => {
    // dense 784 → 16 → 8 → 16 → 784, by hand
    const params = 784 * 16 + 16 + 16 * 8 + 8 + 8 * 16 + 16 + 16 * 784 + 784;
    expect(estimateTrainingMemory(base).parameterBytes).toBe(16 * params);
    expect(estimateTrainingMemory({ ...base, optimizer: 'sgd' }).parameterBytes).toBe(8 * params);
  });

  it('refuses a VAE with --latent 1000000 when 16 GiB are available, naming the options and the figures', () => {
    const c = { ...base, model: 'vae' as const, hidden: [256], latent: 1_000_000, batchSize: 256 };
    // 784·256 + 256 + 256·2e6 + 2e6 + 1e6·256 + 256 + 256·784 + 784 parameters
    const params = 784 * 256 + 256 + 256 * 2e6 + 2e6 + 1e6 * 256 + 256 + 256 * 784 + 784;
    expect(() => checkTrainingFits(c, 16 * GiB)).toThrow(
      new RegExp(`^--model vae --hidden 256 --latent 1000000 --batch-size 256: training needs about [\\d.]+ GiB \\(${params.toLocaleString('en-US')} parameters with gradients and adam state: ${(16 * params / GiB).toFixed(1)} GiB; activations of one batch: [\\d.]+ GiB\\), more than the 16.0 GiB of memory available \\(of [\\d.]+ GiB on this machine\\)`));
    expect(checkTrainingFits(base, 16 * GiB).bytes).toBeLessThan(GiB);
  });

  it('tessera train --hidden 10000000 is refused at once, naming --hidden, not "Invalid typed array length"', async () => {
    const out = path.join(tempDir('huge-hidden'), 'run');
    const r = await cli(['train', ...SMALL, '--hidden', '10000000', '--epochs', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tessera train: --model dense --hidden 10000000 --latent 32 --batch-size \d+: the 784×10000000 weight would hold 7\.84e\+9 values, more than the 4294967296 one array can hold/);
  });
});
