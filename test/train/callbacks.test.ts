// earlyStopping (Keras's rule, restoreBest) and modelCheckpoint (best model saved as safetensors).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setBackend, tensor, noGrad, assign } from '../../src/index.js';
import { SGD, Adam } from '../../src/optim/index.js';
import { loadModule } from '../../src/nn/checkpoint.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { fit, earlyStopping, modelCheckpoint, emptyHistory, type TrainContext, type EpochLogs } from '../../src/train/index.js';
import { mlp, regression, Scale } from './helpers.js';

setBackend('js');

const logs = (valLoss: number): EpochLogs => ({ loss: valLoss, valLoss, lr: 0.1, seconds: 1, samplesPerSecond: 1 });

describe('earlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', () => {
    const model = new Scale(1);
    const history = emptyHistory();
    const ctx = { model, history } as unknown as TrainContext;
    const es = earlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 0.05, restoreBest: true });
    es.onTrainBegin();
    const setW = (v: number) => noGrad(() => assign(model.w, tensor([[v]])));
    // epoch: weight, valLoss → 0: 1.0 best; 1: 0.5 best (weight 2); 2: 0.47 (not by > 0.05: wait 1);
    // 3: 0.6 (wait 2 → stop, Keras stops once wait reaches patience)
    const seq: [number, number][] = [[1, 1.0], [2, 0.5], [3, 0.47], [4, 0.6]];
    const results = seq.map(([w, v], epoch) => {
      setW(w);
      history.epoch.push(epoch);
      return es.onEpochEnd(epoch, logs(v), ctx);
    });
    expect(results).toEqual([undefined, undefined, undefined, 'stop']);
    expect([es.best, es.bestEpoch, es.stoppedEpoch]).toEqual([0.5, 1, 3]);
    es.onTrainEnd(history, ctx);
    expect(model.w.dataSync()[0]).toBe(2);
  });

  it('max mode and a missing monitor', () => {
    const es = earlyStopping({ monitor: 'loss', mode: 'max', patience: 1 });
    const ctx = { model: new Scale(1) } as unknown as TrainContext;
    es.onTrainBegin();
    expect([0.1, 0.2, 0.15].map((v, e) => es.onEpochEnd(e, { ...logs(v), loss: v }, ctx))).toEqual([undefined, undefined, 'stop']);
    const missing = earlyStopping();
    missing.onTrainBegin();
    expect(() => missing.onEpochEnd(0, { loss: 1, lr: 0, seconds: 0, samplesPerSecond: 0 }, ctx)).toThrow(/monitor 'valLoss' is not in the epoch logs/);
  });

  it('ends fit when the loss stops improving (lr 0, no shuffle: every epoch has the same loss)', async () => {
    const { x, y } = regression(16, 1);
    const model = mlp(2);
    const h = await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0 }), loss: 'mse', epochs: 10, batchSize: 8, shuffle: false,
      callbacks: [earlyStopping({ monitor: 'loss', patience: 2 })] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.stopReason).toBe('callback');
  });
});

describe('modelCheckpoint', () => {
  it('saves the model at each improving epoch; the file holds the best weights', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ckpt-'));
    try {
      const { x, y } = regression(48, 3);
      const val = regression(16, 4);
      const model = mlp(5);
      const ck = modelCheckpoint({ path: path.join(dir, 'best.safetensors') });
      const every = modelCheckpoint({ path: path.join(dir, 'epoch-{epoch}.safetensors'), monitor: 'loss', saveBestOnly: false });
      const h = await fit(model, x, y, { optimizer: new Adam(model.parameters(), { lr: 0.02 }), loss: 'mse', epochs: 4, batchSize: 16,
        validationData: [val.x, val.y], callbacks: [ck, every] });
      expect(every.saved.map((p) => path.basename(p))).toEqual(['epoch-1.safetensors', 'epoch-2.safetensors', 'epoch-3.safetensors', 'epoch-4.safetensors']);
      const best = Math.min(...h.valLoss);
      expect(ck.best).toBe(best);
      expect(ck.bestEpoch).toBe(h.valLoss.indexOf(best));
      expect(readSafetensors(path.join(dir, 'best.safetensors')).metadata.epoch).toBe(String(ck.bestEpoch));
      // the file reproduces the best validation loss
      const restored = mlp(99);
      loadModule(path.join(dir, 'best.safetensors'), restored);
      const { evaluate } = await import('../../src/train/index.js');
      expect(await evaluate(restored, val.x, val.y, { loss: 'mse' })).toBe(best);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
