import { rand, Generator, setBackend, useBackend } from '../../src/index.js';
import { profileStep, formatProfile } from '../../src/inspect/profiler.js';
import { measuredPeak } from '../../src/inspect/peak.js';
import { buildModel, trainingLoss } from '../../src/cli/build-model.js';
import { resolveTrainConfig, MODEL_TRAINING_OPTIONS } from '../../src/cli/train-options.js';
import { Adam } from '../../src/optim/index.js';
const defaults: Record<string, unknown> = {};
for (const o of MODEL_TRAINING_OPTIONS) if (o.default !== undefined) defaults[o.name] = o.default;
for (const b of ['js', 'native'] as const) {
  await useBackend(b);
  const cfg = resolveTrainConfig('x', { ...defaults, model: 'dense' } as any);
  const model = buildModel(cfg, new Generator(1));
  const x = rand([256, 784], { generator: new Generator(2) });
  const p = await profileStep(model as any, trainingLoss(model), x, x, new Adam(model.parameters(), { lr: 1e-3 }) as any, { peak: measuredPeak() ?? undefined, steps: 7 });
  console.log(formatProfile(p));
  console.log(p.allStepMs.map(v=>v.toFixed(2)).join(' '));
}
