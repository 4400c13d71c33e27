// The hand-written autoencoder (src/inspect/manual-backprop.ts: kernels on Float32Arrays, no
// autodiff) against the engine's autodiff path: same gradients on the first batch, same losses
// over ten Adam steps, within float32 tolerance.
import { describe, expect, it } from 'vitest';
import { Generator, fromTyped, getBackend, setBackend, tidy } from '../../src/index.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { mseLoss } from '../../src/losses/regression.js';
import { Adam } from '../../src/optim/index.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { forwardBackward, manualAutoencoder, trainStep } from '../../src/inspect/manual-backprop.js';

setBackend('js');

const BATCH = 64;
const STEPS = 10;
const images = loadFashionMnist({ split: 'test', limit: BATCH * STEPS }).images;
const batch = (i: number) => images.slice(i * BATCH * 784, (i + 1) * BATCH * 784);

function twins() {
  const model = denseAutoencoder({ generator: new Generator(0) });
  const named = new Map(model.namedParameters());
  const init = ['encoder.0', 'encoder.2', 'decoder.0', 'decoder.2'].map((l) => ({
    weight: named.get(`${l}.weight`)!.dataSync(), bias: named.get(`${l}.bias`)!.dataSync(),
  }));
  return { model, manual: manualAutoencoder(getBackend('js'), init) };
}

/** max |a − b| / max(max |b|, tiny): the error relative to the gradient's scale. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, scale = 1e-30;
  for (let i = 0; i < b.length; i++) { err = Math.max(err, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return err / scale;
}

describe('manual backprop (llm.c style) against autodiff', () => {
  it('gives the same loss and gradients on a batch', () => {
    const { model, manual } = twins();
    const x = fromTyped(batch(0), [BATCH, 784]);
    const loss = tidy(() => {
      const l = mseLoss(model.forward(x), x);
      l.backward();
      return l.item();
    });
    const step = forwardBackward(manual, batch(0), BATCH);
    expect(step.loss).toBeCloseTo(loss, 6);
    const named = new Map(model.namedParameters());
    ['encoder.0', 'encoder.2', 'decoder.0', 'decoder.2'].forEach((l, i) => {
      expect(scaledError(manual.layers[i].dWeight, named.get(`${l}.weight`)!.grad!.dataSync()), `${l}.weight`).toBeLessThan(1e-5);
      expect(scaledError(manual.layers[i].dBias, named.get(`${l}.bias`)!.grad!.dataSync()), `${l}.bias`).toBeLessThan(1e-5);
    });
  });

  it('gives the same losses over ten Adam steps', () => {
    const { model, manual } = twins();
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    const autodiff: number[] = [], byHand: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const x = fromTyped(batch(i), [BATCH, 784]);
      optimizer.zeroGrad();
      autodiff.push(tidy(() => {
        const l = mseLoss(model.forward(x), x);
        l.backward();
        return l.item();
      }));
      optimizer.step();
      byHand.push(trainStep(manual, batch(i), BATCH, 1e-3));
    }
    for (let i = 0; i < STEPS; i++) expect(Math.abs(byHand[i] - autodiff[i]) / autodiff[i], `step ${i + 1}`).toBeLessThan(1e-4);
    // Training moved: the tenth loss is below the first.
    expect(byHand[STEPS - 1]).toBeLessThan(byHand[0]);
  });
});
