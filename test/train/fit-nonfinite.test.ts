// fit() stops at the first NaN or infinite loss (Keras's TerminateOnNaN, on by default) and says
// where in the history, instead of training on NaN to the end.
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend, tensor } from '../../src/index.js';
import { registerBackend, type Backend } from '../../src/backend/backend.js';
import { setupWebGPU, shouldSkip, type WebGPUSetup } from '../backend/webgpu-helpers.js';
import { SGD } from '../../src/optim/index.js';
import { fit, type Callback } from '../../src/train/index.js';
import { Linear } from '../../src/nn/index.js';

setBackend('js');

/**
 * y = w·x without bias, w = 1, three rows x = 1, y = 0, batch 1: the loss is w², the gradient 2w,
 * and SGD makes w ← w(1 − 2·lr). With lr = 1e20: step 1 has loss 1 and leaves w = −2e20, so
 * step 2 has loss 4e40, past float32's 3.4e38: +Infinity. The epoch's mean is then (1 + ∞)/2 = ∞.
 */
function diverging(lr = 1e20) {
  const model = new Linear(1, 1, { bias: false });
  model.loadStateDict({ weight: tensor([[1]]) });
  const x = tensor([[1], [1], [1]]), y = tensor([[0], [0], [0]]);
  return { model, x, y, optimizer: new SGD(model.parameters(), { lr }) };
}

describe('fit and a non-finite loss', () => {
  it('stops at the first one, records where, and does not record the broken epoch', async () => {
    const { model, x, y, optimizer } = diverging();
    const ended: number[] = [];
    const batches: number[] = [];
    const probe: Callback = { onEpochEnd: (e) => { ended.push(e); }, onBatchEnd: (b) => { batches.push(b); } };
    const h = await fit(model, x, y, { optimizer, loss: 'mse', epochs: 3, batchSize: 1, shuffle: false, callbacks: [probe] });
    expect(h.stopReason).toBe('nonfinite');
    expect(h.nonFinite).toEqual({ epoch: 0, step: 2, loss: Infinity });
    expect(h.loss).toEqual([]);
    expect(h.epoch).toEqual([]);
    expect(ended).toEqual([]);
    expect(batches).toEqual([0]);             // callbacks see the good steps only
  });

  it('a finite training epoch followed by broken weights is caught by the validation loss', async () => {
    // One row per epoch: epoch 1's only step has loss 1 (finite) and leaves w = -2e20, so the
    // validation loss w² after it is +Infinity.
    const { model, optimizer } = diverging();
    const x = tensor([[1]]), y = tensor([[0]]);
    const h = await fit(model, x, y, { optimizer, loss: 'mse', epochs: 2, batchSize: 1, validationData: [x, y] });
    expect(h.stopReason).toBe('nonfinite');
    expect(h.nonFinite).toEqual({ epoch: 0, step: 1, loss: Infinity, validation: true });
    expect(h.loss).toEqual([]);
  });

  it('terminateOnNaN: false trains every epoch on', async () => {
    const { model, x, y, optimizer } = diverging();
    const h = await fit(model, x, y, { optimizer, loss: 'mse', epochs: 2, batchSize: 1, shuffle: false, terminateOnNaN: false });
    expect(h.stopReason).toBeNull();
    expect(h.nonFinite).toBeUndefined();
    expect(h.loss).toHaveLength(2);
    expect(h.loss.every((l) => !Number.isFinite(l))).toBe(true);
  });
});

describe('on webgpu, where the loss is read every lossReadEvery steps', () => {
  let setup: WebGPUSetup = { backend: null, reason: 'not set up' };
  beforeAll(async () => { setup = await setupWebGPU(); if (setup.backend) registerBackend(setup.backend as unknown as Backend); });

  it('stops at the first read that sees it and says since which step it may be', async (ctx) => {
    if (shouldSkip(setup)) { ctx.skip(); return; }
    setBackend('webgpu');
    try {
      const { model, x, y, optimizer } = diverging();
      // read after steps 2 and 4: the first read already sees step 2's +Infinity
      const h = await fit(model, x, y, { optimizer, loss: 'mse', epochs: 2, batchSize: 1, shuffle: false, lossReadEvery: 2 });
      expect(h.stopReason).toBe('nonfinite');
      expect(h.nonFinite).toEqual({ epoch: 0, step: 2, loss: Infinity, firstStep: 1 });
      // never read inside the epoch (3 steps < 4): seen at its end
      const again = diverging();
      const h2 = await fit(again.model, again.x, again.y, { optimizer: again.optimizer, loss: 'mse', epochs: 2, batchSize: 1, shuffle: false, lossReadEvery: 4 });
      expect(h2.nonFinite).toEqual({ epoch: 0, step: 3, loss: Infinity, firstStep: 1 });
    } finally {
      setBackend('js');
    }
  });
});
