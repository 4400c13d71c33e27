// fit(): batching, shuffling, validation, losses, callbacks, stopping, noise, DataLoader input.
import { describe, expect, it } from 'vitest';
import { setBackend, Generator, tensor, noGrad, type Tensor } from '../../src/index.js';
import { SGD, Adam, StepLR, LinearWarmup } from '../../src/optim/index.js';
import { mseLoss } from '../../src/losses/index.js';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { fit, evaluate, predict, type Callback } from '../../src/train/index.js';
import type { LossFunction } from '../../src/losses/get-loss.js';
import { Linear } from '../../src/nn/index.js';
import { mlp, regression, Probe } from './helpers.js';

setBackend('js');

describe('fit', () => {
  it('is reproducible with the same seeds and records a full history', async () => {
    const { x, y } = regression(96, 1);
    const val = regression(32, 2);
    const run = async (shuffleSeed: number) => {
      const model = mlp(3);
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
      return fit(model, x, y, { optimizer, scheduler, loss: 'mse', epochs: 5, batchSize: 16, generator: new Generator(shuffleSeed), validationData: [val.x, val.y] });
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.loss).toEqual(b.loss);
    expect(a.valLoss).toEqual(b.valLoss);
    expect(c.loss).not.toEqual(a.loss);          // the shuffle order matters, and follows the generator
    expect(a.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(a.lr).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025]);
    expect(a.valLoss).toHaveLength(5);
    expect(a.loss[4]).toBeLessThan(a.loss[0]);
    expect(a.seconds.every((s) => s > 0) && a.samplesPerSecond.every((r) => r > 0)).toBe(true);
    expect(a.stopReason).toBeNull();
  });

  it('weights each batch by its size, including the partial last batch', async () => {
    const { x, y } = regression(10, 4);
    const model = mlp(5);
    const seen: { n: number; loss: number }[] = [];
    const loss: LossFunction = (p, t) => { const l = mseLoss(p, t); seen.push({ n: p.shape[0], loss: l.item() }); return l; };
    const sizes: number[] = [];
    const cb: Callback = { onBatchEnd: (_b, logs) => { sizes.push(logs.size); } };
    const h = await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.05 }), loss, epochs: 1, batchSize: 4, callbacks: [cb] });
    expect(sizes).toEqual([4, 4, 2]);
    expect(seen.map((s) => s.n)).toEqual([4, 4, 2]);
    const expected = seen.reduce((acc, s) => acc + s.loss * s.n, 0) / 10;
    expect(h.loss[0]).toBeCloseTo(expected, 12);
  });

  it('validates in eval mode without a graph; valLoss equals evaluate()', async () => {
    const { x, y } = regression(24, 6);
    const val = regression(10, 7);
    const probe = new Probe(mlp(8));
    const h = await fit(probe, x, y, { optimizer: new Adam(probe.parameters()), loss: 'mse', epochs: 2, batchSize: 8, validationData: [val.x, val.y], shuffle: false });
    const train = probe.calls.filter((c) => c.training);
    const valCalls = probe.calls.filter((c) => !c.training);
    expect(train.map((c) => c.rows)).toEqual([8, 8, 8, 8, 8, 8]);
    expect(train.every((c) => c.grad)).toBe(true);
    expect(valCalls.map((c) => c.rows)).toEqual([8, 2, 8, 2]);
    expect(valCalls.every((c) => !c.grad)).toBe(true);
    expect(probe.training).toBe(true);            // mode restored
    expect(await evaluate(probe, val.x, val.y, { loss: 'mse', batchSize: 8 })).toBe(h.valLoss[1]);
    // shuffle: false visits rows in order
    expect(Array.from(train[0].input)).toEqual(Array.from(x.dataSync().subarray(0, 32)));
  });

  it('adds the model\'s added losses and the l1/l2 weight penalties to the loss', async () => {
    const { x, y } = regression(8, 9);
    const probe = new Probe(mlp(10), 0.25);
    const [w1, , w2] = probe.parameters();
    const sumAbs = (t: Tensor) => Array.from(t.dataSync()).reduce((a, v) => a + Math.abs(v), 0);
    const sumSq = (t: Tensor) => Array.from(t.dataSync()).reduce((a, v) => a + v * v, 0);
    const penalty = 0.01 * (sumAbs(w1) + sumAbs(w2)) + 0.02 * (sumSq(w1) + sumSq(w2));   // biases exempt
    const data = noGrad(() => mseLoss(probe.inner.forward(x), y).item());
    const h = await fit(probe, x, y, { optimizer: new SGD(probe.parameters(), { lr: 0 }), loss: 'mse', epochs: 1, batchSize: 8, l1: 0.01, l2: 0.02 });
    expect(h.loss[0]).toBeCloseTo(data + 0.25 + penalty, 5);
  });

  it('inputNoise corrupts the input only; the target stays clean', async () => {
    const { x } = regression(16, 11);
    const ae = new Probe(new Linear(4, 4, { generator: new Generator(1) }));
    const targets: Float32Array[] = [];
    const loss: LossFunction = (p, t) => { targets.push(t.dataSync() as Float32Array); return mseLoss(p, t); };
    await fit(ae, x, null, { optimizer: new SGD(ae.parameters(), { lr: 0.01 }), loss, epochs: 1, batchSize: 16, shuffle: false,
      inputNoise: { kind: 'masking', p: 0.5 }, generator: new Generator(3) });
    const clean = x.dataSync();
    expect(Array.from(targets[0])).toEqual(Array.from(clean));
    const input = ae.calls[0].input;
    let zeroed = 0;
    for (let i = 0; i < clean.length; i++) {
      expect(input[i] === clean[i] || input[i] === 0).toBe(true);
      if (input[i] === 0 && clean[i] !== 0) zeroed++;
    }
    expect(zeroed).toBeGreaterThan(16);            // about half of 64 elements
    expect(zeroed).toBeLessThan(48);
  });

  it('a DataLoader with the same generator gives the same run as a Dataset', async () => {
    const { xs, ys } = regression(40, 12);
    const xd = new InMemoryDataset(xs, [4]);
    const yd = new InMemoryDataset(ys, [2]);
    const m1 = mlp(13);
    const h1 = await fit(m1, xd, yd, { optimizer: new Adam(m1.parameters()), loss: 'mse', epochs: 3, batchSize: 16, generator: new Generator(5) });
    const m2 = mlp(13);
    const loader = new DataLoader(xd, { batchSize: 16, shuffle: true, generator: new Generator(5), target: yd });
    const h2 = await fit(m2, loader, null, { optimizer: new Adam(m2.parameters()), loss: 'mse', epochs: 3 });
    expect(h2.loss).toEqual(h1.loss);
  });

  it('predict returns every row; evaluate accepts a Dataset', async () => {
    const { x, y, xs, ys } = regression(21, 14);
    const model = mlp(15);
    const out = await predict(model, x, { batchSize: 8 });
    expect(out.shape).toEqual([21, 2]);
    const whole = noGrad(() => model.forward(x));
    const a = out.dataSync(), b = whole.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 6);
    const fromDataset = await evaluate(model, new InMemoryDataset(xs, [4]), new InMemoryDataset(ys, [2]), { loss: 'mse', batchSize: 5 });
    expect(fromDataset).toBeCloseTo(noGrad(() => mseLoss(whole, y).item()), 6);
  });

  it('a callback can stop after a batch or after an epoch', async () => {
    const { x, y } = regression(32, 16);
    const model = mlp(17);
    let batches = 0;
    const h = await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 5, batchSize: 8,
      callbacks: [{ onBatchEnd: (b) => { batches++; return b === 1 ? 'stop' : undefined; } }] });
    expect(batches).toBe(2);
    expect(h.epoch).toEqual([0]);                  // the epoch is closed as usual
    expect(h.stopReason).toBe('callback');
    const h2 = await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 5, batchSize: 8,
      callbacks: [{ onEpochEnd: async (e) => (e === 2 ? 'stop' : undefined) }] });
    expect(h2.epoch).toEqual([0, 1, 2]);
  });

  it('an AbortSignal stops after the current step', async () => {
    const { x, y } = regression(32, 18);
    const model = mlp(19);
    const controller = new AbortController();
    let steps = 0;
    const h = await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 3, batchSize: 8, signal: controller.signal,
      callbacks: [{ onBatchEnd: () => { steps++; if (steps === 6) controller.abort(); } }] });
    expect(steps).toBe(6);
    expect(h.epoch).toEqual([0]);                  // the interrupted epoch is not recorded
    expect(h.stopReason).toBe('abort');
  });

  it('steps a schedule per batch when asked (linear warm-up), per epoch by default', async () => {
    const { x, y } = regression(32, 22);
    const model = mlp(23);
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const scheduler = new LinearWarmup(optimizer, { warmupSteps: 4, startFactor: 0.5 });
    const h = await fit(model, x, y, { optimizer, scheduler, schedulerInterval: 'batch', loss: 'mse', epochs: 3, batchSize: 16 });
    // 2 steps per epoch: t = 0, 2, 4 at the epoch starts → 0.1·(0.5 + 0.5·t/4), then η
    h.lr.forEach((v, i) => expect(v).toBeCloseTo([0.05, 0.075, 0.1][i], 12));
    const opt2 = new SGD(model.parameters(), { lr: 0.1 });
    const h2 = await fit(model, x, y, { optimizer: opt2, scheduler: new StepLR(opt2, { stepSize: 1, gamma: 0.5 }), loss: 'mse', epochs: 3, batchSize: 16 });
    expect(h2.lr).toEqual([0.1, 0.05, 0.025]);
  });

  it('rejects bad arguments with clear errors', async () => {
    const { x, y } = regression(8, 20);
    const model = mlp(21);
    const optimizer = new SGD(model.parameters());
    // A misspelt loss name does not compile; from plain JavaScript it is refused at run time.
    // @ts-expect-error 'mse2' is not a LossName
    await expect(fit(model, x, y, { optimizer, loss: 'mse2', epochs: 1 })).rejects.toThrow(/fit: unknown loss 'mse2'/);
    await expect(fit(model, x, regression(9, 1).y, { optimizer, loss: 'mse', epochs: 1 })).rejects.toThrow(/fit: x has 8 rows but y has 9/);
    await expect(fit(model, x, y, { optimizer, loss: 'mse', epochs: 0 })).rejects.toThrow(/fit: epochs must be a positive integer/);
    await expect(fit(model, x, y, { optimizer: {} as SGD, loss: 'mse', epochs: 1 })).rejects.toThrow(/options.optimizer must be an Optimizer/);
    await expect(fit(model, x, y, { optimizer, loss: 'mse', epochs: 2, initialEpoch: 3 })).rejects.toThrow(/initialEpoch must be an integer in \[0, epochs = 2\]/);
    await expect(fit(model, tensor(new Float32Array(8), [2, 4]), y, { optimizer, loss: 'mse', epochs: 1 })).rejects.toThrow(/x has 2 rows but y has 8/);
  });
});
