import { rand, Generator, setBackend } from '../../src/index.js';
import { gradcheckModel, formatModelGradcheck } from '../../src/inspect/model-gradcheck.js';
import { buildModel, trainingLoss, featureShapeOf } from '../../src/cli/build-model.js';
import { resolveTrainConfig, MODEL_TRAINING_OPTIONS } from '../../src/cli/train-options.js';
setBackend('js');
const defaults: Record<string, unknown> = {};
for (const o of MODEL_TRAINING_OPTIONS) if (o.default !== undefined) defaults[o.name] = o.default;
for (const name of ['conv', 'dense']) for (const eps of [1e-5]) for (const seed of [2, 3, 4, 5]) {
  const cfg = resolveTrainConfig('x', { ...defaults, model: name } as any);
  const model = buildModel(cfg, new Generator(1));
  const x = rand([2, ...featureShapeOf(cfg)], { generator: new Generator(seed) });
  const r = gradcheckModel(model as any, trainingLoss(model), x, x, { eps, perTensor: 12 });
  console.log(name, eps, seed, r.ok, r.params.map(p => `${p.name}:${p.maxRelError.toExponential(1)}${p.rechecked?'*'+p.rechecked:''}`).join(' '));
}
