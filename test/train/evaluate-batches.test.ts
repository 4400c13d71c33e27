// evaluate() and predict() size their batches by bytes, not rows: under noGrad a batch's tensors
// (every layer's output) live until the batch ends, so a model with wide layers and a large
// batchSize would hold hundreds of MB at once (the conv autoencoder: ~150 KB an image).
import { describe, expect, it } from 'vitest';
import { Generator, noGrad, setBackend, tensor } from '../../src/index.js';
import { bytesMade } from '../../src/memory.js';
import { Linear, Sequential } from '../../src/nn/index.js';
import { mseLoss } from '../../src/losses/index.js';
import { evaluate, predict } from '../../src/train/index.js';
import { EVAL_BATCH_BYTES } from '../../src/train/batch-sizer.js';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { mapBatches } from '../../src/eval/inference.js';
import { Probe, regression } from './helpers.js';

setBackend('js');

const WIDE = 65_536;   // a hidden layer of 256 KiB per row: at most 80 rows fit in EVAL_BATCH_BYTES (20 MiB)

function wideModel(): Probe {
  const gen = new Generator(2);
  return new Probe(new Sequential(new Linear(4, WIDE, { generator: gen }), new Linear(WIDE, 2, { generator: gen })));
}

describe('evaluation batches sized by bytes', () => {
  it('evaluate: a first batch of 16 rows, then as many rows as fit the byte budget; the loss is unchanged', async () => {
    const { x, y } = regression(200, 5);
    const model = wideModel();
    const loss = await evaluate(model, x, y, { loss: 'mse', batchSize: 1000 });
    const rows = model.calls.map((c) => c.rows);
    expect(rows[0]).toBe(16);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(200);
    const rowBytes = WIDE * 4;
    for (const r of rows.slice(1, -1)) {
      expect(r * rowBytes).toBeLessThanOrEqual(EVAL_BATCH_BYTES);
      expect(r).toBeGreaterThan(75);   // the other tensors of a row are 40 bytes against the layer's 256 KiB
    }
    // The same mean as one pass over all rows.
    const whole = noGrad(() => mseLoss(model.inner.forward(x), y).item());
    expect(loss).toBeCloseTo(whole, 6);
  });

  it('predict and rows read from a Dataset follow the same budget; a small model keeps batchSize', async () => {
    const { x, xs } = regression(300, 6);
    const model = wideModel();
    const out = await predict(model, new InMemoryDataset(xs, [4]), { batchSize: 1000 });
    expect(out.shape).toEqual([300, 2]);
    expect(Math.max(...model.calls.map((c) => c.rows))).toBeLessThanOrEqual(EVAL_BATCH_BYTES / (WIDE * 4));
    const small = new Probe(new Linear(4, 4, { generator: new Generator(3) }));
    await evaluate(small, x, null, { loss: 'mse', batchSize: 128 });
    expect(small.calls.map((c) => c.rows)).toEqual([16, 128, 128, 28]);
  });

  it('the run metrics\' mapBatches (tessera eval, encode, reconstruct) follow the same budget', async () => {
    const { x, xs } = regression(300, 7);
    const model = wideModel();
    const { values, width } = await mapBatches(xs, 300, [4], 500, (b) => model.forward(b));
    expect(width).toBe(2);
    const rows = model.calls.map((c) => c.rows);
    expect(rows[0]).toBe(16);
    expect(Math.max(...rows)).toBeLessThanOrEqual(EVAL_BATCH_BYTES / (WIDE * 4));
    const whole = noGrad(() => model.inner.forward(x)).dataSync();
    expect(Array.from(values)).toEqual(Array.from(whole));   // rows are independent: the same values in any batching
  });

  it('bytesMade counts new storage, not aliases of it', () => {
    const before = bytesMade();
    const t = tensor(new Float32Array(1000), [10, 100]);
    const r = t.reshape([100, 10]);
    expect(bytesMade() - before).toBe(4000);
    t.dispose();
    r.dispose();
  });
});
