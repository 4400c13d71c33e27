import { randn, rand, Generator, setBackend } from '../../src/index.js';
import { explainStep, formatStep } from '../../src/inspect/explain-step.js';
import { buildStepGraph, stepToDot } from '../../src/inspect/step-graph.js';
import { graphToSvg } from '../../src/inspect/svg-graph.js';
import { gradcheckModel, formatModelGradcheck } from '../../src/inspect/model-gradcheck.js';
import { buildModel, trainingLoss, featureShapeOf } from '../../src/cli/build-model.js';
import { resolveTrainConfig, MODEL_TRAINING_OPTIONS } from '../../src/cli/train-options.js';
import { Adam } from '../../src/optim/index.js';
import { writeFileSync } from 'node:fs';
setBackend('js');
const defaults: Record<string, unknown> = {};
for (const o of MODEL_TRAINING_OPTIONS) if (o.default !== undefined) defaults[o.name] = o.default;
for (const name of ['dense', 'conv', 'denoising', 'sparse', 'vae']) {
  const cfg = resolveTrainConfig('x', { ...defaults, model: name } as any);
  const model = buildModel(cfg, new Generator(1));
  const x = rand([2, ...featureShapeOf(cfg)], { generator: new Generator(2) });
  const t0 = performance.now();
  const r = gradcheckModel(model as any, trainingLoss(model), x, x);
  console.log(name, (performance.now() - t0).toFixed(0), 'ms');
  console.log(formatModelGradcheck(r));
}
const cfg = resolveTrainConfig('x', { ...defaults, model: 'dense' } as any);
const model = buildModel(cfg, new Generator(1));
const x = rand([256, 784], { generator: new Generator(2) });
const e = await explainStep(model as any, trainingLoss(model), x, x, new Adam(model.parameters(), { lr: 1e-3 }) as any);
console.log(formatStep(e));
const g = buildStepGraph(e);
writeFileSync('/tmp/insp/step.dot', stepToDot(g));
writeFileSync('/tmp/insp/step.svg', graphToSvg(g));
