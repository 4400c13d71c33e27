// A plain PyTorch-style loop on webgpu (zeroGrad, forward, backward, step by hand, no tidy) must
// not grow GPU memory: backward frees its rules' temporaries, and the runtime's reclaimer runs the
// garbage collector when live buffers grow, so the FinalizationRegistry returns the buffers of
// tensors nobody holds. Before, live bytes grew by every step's intermediates until V8 happened
// to collect (208 MB → 1.4 GB RSS over 500 steps of the dense autoencoder).
import { describe, expect, it } from 'vitest';
import { Adam, bceLoss, denseAutoencoder, manualSeed, rand, setBackend, useBackend } from '../../src/index.js';
import { requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();

describe.skipIf(shouldSkip(setup))('webgpu plain training loop', () => {
  it('keeps live GPU bytes flat over 150 steps without tidy', async () => {
    const gpu = requireBackend(setup);
    await useBackend('webgpu');
    const reclaimer = gpu.runtime.reclaimer;
    const savedMargin = reclaimer.minMarginBytes;
    // A small model makes little garbage per step: a 2 MB margin shows the growth within 150 steps.
    reclaimer.minMarginBytes = 2 * 1024 * 1024;
    try {
      manualSeed(3);
      const model = denseAutoencoder({ inputDim: 196, hidden: [64], latent: 16 });
      const opt = new Adam(model.parameters(), { lr: 1e-3 });
      const x = rand([32, 196]);
      const held: number[] = [];
      for (let step = 1; step <= 150; step++) {
        opt.zeroGrad();
        const loss = bceLoss(model.forward(x), x);
        loss.backward();
        opt.step();
        if (step % 10 === 0) {
          expect(Number.isFinite(await loss.itemAsync())).toBe(true);   // an await: finalizers may run
          held.push(gpu.stats().bytesHeld);
        }
      }
      const at50 = held[4], last = held[held.length - 1], peak = Math.max(...held.slice(4));
      // Bounded from step 50 on: never more than the level at step 50 plus two reclaim margins, and the end within 1.2×
      // of step 50 plus one margin (the level oscillates between collections).
      expect(peak, `live bytes every 10 steps: ${held.join(', ')}`).toBeLessThanOrEqual(at50 + 2 * reclaimer.minMarginBytes);
      expect(last, `live bytes every 10 steps: ${held.join(', ')}`).toBeLessThanOrEqual(1.2 * at50 + reclaimer.minMarginBytes);
      expect(reclaimer.collections).toBeGreaterThan(0);
    } finally {
      reclaimer.minMarginBytes = savedMargin;
      setBackend('js');
    }
  }, 120_000);
});
