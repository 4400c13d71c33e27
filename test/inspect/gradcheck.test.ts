// gradcheckModel: every built-in model's gradients agree with finite differences, and a wrong
// backward rule injected into a model is caught, in the tensors it feeds and only there.
import { describe, expect, it } from 'vitest';
import { Generator, linear, rand, setBackend, tensor, type Tensor } from '../../src/index.js';
import { record } from '../../src/ops/op.js';
import { unaryKernel } from '../../src/ops/elementwise.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { mseLoss } from '../../src/losses/regression.js';
import { buildModel, featureShapeOf, trainingLoss } from '../../src/models/build-model.js';
import { MODEL_NAMES, MODEL_TRAINING_OPTIONS, resolveTrainConfig } from '../../src/cli/train-options.js';
import { parseCommand } from '../../src/cli/options.js';
import { gradcheckCommand } from '../../src/cli/gradcheck.js';
import { formatModelGradcheck, gradcheckModel } from '../../src/inspect/model-gradcheck.js';

setBackend('js');

function configFor(model: string, extra: Record<string, unknown> = {}) {
  const values: Record<string, unknown> = {};
  for (const o of MODEL_TRAINING_OPTIONS) if (o.default !== undefined) values[o.name] = o.default;
  return resolveTrainConfig('test', { ...values, model, ...extra } as never);
}

/** relu whose backward forgets the mask: passes g through where x < 0 too. */
function brokenRelu(x: Tensor): Tensor {
  const y = unaryKernel('relu', x);
  return record(y, 'relu', [x], (g) => [g], { saved: [] });
}

class BrokenMlp extends Module {
  readonly first: Linear;
  readonly second: Linear;
  constructor() {
    super();
    const generator = new Generator(7);
    this.first = this.registerModule('first', new Linear(6, 5, { generator }));
    this.second = this.registerModule('second', new Linear(5, 6, { generator }));
  }
  forward(x: Tensor): Tensor {
    const h = brokenRelu(linear(x, this.first.weight, this.first.bias));
    return this.second.forward(h).sigmoid();
  }
}

describe('gradcheckModel', () => {
  for (const name of MODEL_NAMES) {
    it(`passes on the built-in '${name}' model`, () => {
      const config = configFor(name);
      const model = buildModel(config, new Generator(1));
      const x = rand([2, ...featureShapeOf(config)], { generator: new Generator(2) });
      const weightsBefore = model.parameters().map((p) => p.dataSync().slice());
      const report = gradcheckModel(model, trainingLoss(model), x, x, { perTensor: 8 });
      expect(report.ok, formatModelGradcheck(report)).toBe(true);
      expect(report.params.map((p) => p.name)).toEqual(model.namedParameters().map(([n]) => n));
      // The model is back on float32 storage with its own values, gradients untouched.
      model.parameters().forEach((p, i) => { expect(p.dtype).toBe('float32'); expect(p.dataSync()).toEqual(weightsBefore[i]); expect(p.grad).toBeNull(); });
    });
  }

  it('replays dropout and batch-norm models exactly', () => {
    const config = configFor('dense', { dropout: 0.3, 'batch-norm': true });
    const model = buildModel(config, new Generator(1));
    const x = rand([4, 784], { generator: new Generator(2) });
    const report = gradcheckModel(model, trainingLoss(model), x, x, { perTensor: 6 });
    expect(report.ok, formatModelGradcheck(report)).toBe(true);
  });

  it('fails on a broken backward rule, in the parameters behind it only', () => {
    const model = new BrokenMlp();
    const x = rand([8, 6], { generator: new Generator(3), low: -1, high: 1 });
    const report = gradcheckModel(model, (p, t) => mseLoss(p, t), x, x, { perTensor: 30 });
    expect(report.ok).toBe(false);
    const status = Object.fromEntries(report.params.map((p) => [p.name, p.ok]));
    // The wrong relu rule corrupts dL/dh, hence the first layer's gradients; the second layer's
    // gradients do not pass through it.
    expect(status).toEqual({ 'first.weight': false, 'first.bias': false, 'second.weight': true, 'second.bias': true });
    expect(formatModelGradcheck(report)).toMatch(/FAILED: 2\/4/);
  });

  it('accepts the one-sided slope at a kink at the element itself, and a wrong rule still fails', () => {
    // Zero biases and all-zero input rows put those rows' ReLU inputs exactly at 0: every
    // ε straddles the kink, so the central difference is the mean of the two slopes.
    const generator = new Generator(8);
    const first = new Linear(3, 4, { generator, biasInit: 'zeros' }), second = new Linear(4, 2, { generator });
    class KinkedMlp extends Module {
      constructor(private readonly relu: (x: Tensor) => Tensor) { super(); this.registerModule('first', first); this.registerModule('second', second); }
      forward(x: Tensor): Tensor { return this.relu(first.forward(x)).matmul(second.weight.transpose(0, 1)).add(second.bias!); }
    }
    const rows = [0, 0, 0, 0.5, -0.3, 0.8, 0, 0, 0, -0.6, 0.2, 0.4];
    const x = rand([4, 3], { generator }).mul(0).add(tensor(rows, [4, 3]));
    const y = rand([4, 2], { generator: new Generator(9) });
    const good = gradcheckModel(new KinkedMlp((t) => t.relu()), (p, t) => mseLoss(p, t), x, y, { perTensor: 20 });
    expect(good.ok, formatModelGradcheck(good)).toBe(true);
    expect(good.params.find((p) => p.name === 'first.bias')!.rechecked).toBeGreaterThan(0);
    const bad = gradcheckModel(new KinkedMlp(brokenRelu), (p, t) => mseLoss(p, t), x, y, { perTensor: 20 });
    expect(bad.ok).toBe(false);
  });

  it('tessera gradcheck exits 0 and prints a line per tensor', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => { out += s; } }, stderr: { write: () => undefined } };
    const args = parseCommand('gradcheck', gradcheckCommand.options, ['--model', 'dense', '--per-tensor', '4'], gradcheckCommand.positionals);
    expect(await gradcheckCommand.run(args, io)).toBe(0);
    expect(out).toContain('encoder.0.weight');
    expect(out).toMatch(/PASSED: 8\/8/);
    // An impossible tolerance makes it fail, and the exit code says so.
    out = '';
    const strict = parseCommand('gradcheck', gradcheckCommand.options, ['--per-tensor', '2', '--tolerance', '1e-15'], gradcheckCommand.positionals);
    expect(await gradcheckCommand.run(strict, io)).toBe(1);
    expect(out).toMatch(/FAILED: \d\/8/);
  });
});
