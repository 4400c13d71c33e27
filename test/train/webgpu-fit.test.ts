// fit / evaluate / predict on webgpu (loss read asynchronously every `lossReadEvery` steps,
// fused optimizer kernels on the device) give the js backend's numbers.
import { describe, expect, it, beforeAll } from 'vitest';
import { Generator, tensor, setBackend, getBackend, type Tensor } from '../../src/index.js';
import { registerBackend, type Backend } from '../../src/backend/backend.js';
import { Linear, Sequential, Tanh } from '../../src/nn/index.js';
import { AdamW, RMSprop, SGD, type Optimizer } from '../../src/optim/index.js';
import { fit, evaluate, predict } from '../../src/train/index.js';
import { setupWebGPU, shouldSkip, type WebGPUSetup } from '../backend/webgpu-helpers.js';

let setup: WebGPUSetup = { backend: null, reason: 'not set up' };
beforeAll(async () => { setup = await setupWebGPU(); if (setup.backend) registerBackend(setup.backend as unknown as Backend); });

function data(): { x: number[]; y: number[] } {
  const gen = new Generator(1);
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const r = [0, 1, 2, 3].map(() => gen.uniform() * 2 - 1);
    x.push(...r);
    y.push(Math.sin(r[0] + r[1]), r[2] * r[3]);
  }
  return { x, y };
}

async function run(backend: 'js' | 'webgpu', makeOpt: (ps: Tensor[]) => Optimizer) {
  setBackend(backend);
  const { x: xs, y: ys } = data();
  const x = tensor(xs, [40, 4]), y = tensor(ys, [40, 2]);
  const g = new Generator(3);
  const model = new Sequential(new Linear(4, 8, { generator: g }), new Tanh(), new Linear(8, 2, { generator: g }));
  const h = await fit(model, x, y, { optimizer: makeOpt(model.parameters()), loss: 'mse', epochs: 3, batchSize: 16, generator: new Generator(5),
    validationData: [x, y], lossReadEvery: 2, clipNorm: 1 });
  const ev = await evaluate(model, x, y, { loss: 'mse', batchSize: 7 });
  const pred = await predict(model, x, { batchSize: 16 });
  expect(getBackend().name).toBe(backend);
  return { h, ev, pred: Array.from(await pred.data()) };
}

describe('training on webgpu', () => {
  const makers: [string, (ps: Tensor[]) => Optimizer][] = [
    ['AdamW amsgrad', (ps) => new AdamW(ps, { lr: 0.01, amsgrad: true })],
    ['SGD nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['RMSprop centered', (ps) => new RMSprop(ps, { centered: true, momentum: 0.5 })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: the same losses, validation, evaluate and predict as js`, async (ctx) => {
      if (shouldSkip(setup)) { ctx.skip(); return; }
      const a = await run('js', make);
      const b = await run('webgpu', make);
      b.h.loss.forEach((v, i) => expect(v).toBeCloseTo(a.h.loss[i], 5));
      b.h.valLoss.forEach((v, i) => expect(v).toBeCloseTo(a.h.valLoss[i], 5));
      expect(b.ev).toBeCloseTo(b.h.valLoss[2], 6);
      b.pred.forEach((v, i) => expect(v).toBeCloseTo(a.pred[i], 4));
      setBackend('js');
    });
  }
});
