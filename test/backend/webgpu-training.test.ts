// Training on the webgpu backend through the public API: a tiny MLP's loss matches the js
// backend step by step (float32 tolerance), memory stays flat over 100 steps, and reading
// the loss once every N steps is the only readback.
import { describe, expect, it } from 'vitest';
import { tensor, tidy, setBackend, useBackend, Generator, type Tensor } from '../../src/index.js';
import { Linear, Sequential, Tanh, ReLU } from '../../src/nn/index.js';
import { Adam, SGD, type Optimizer } from '../../src/optim/index.js';
import { mseLoss } from '../../src/losses/index.js';
import type { WebGPUBackend } from '../../src/backend/webgpu/index.js';
import { setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();

interface Run {
  /** One step: forward, backward, optimizer update; returns the loss tensor (kept). */
  step(): Tensor;
  /**
   * Frees the data, the parameters with their gradients and the optimizer's state now: left to the
   * garbage collector, their buffers were freed during a later test's 100 steps when a collection
   * came then (a loaded full run: live buffers 72 at its start, 26 at its end).
   */
  dispose(): void;
}

/** The same MLP, data and optimizer (same seeds) on `backend`. */
function makeRun(backend: 'js' | 'webgpu', optimizer: 'adam' | 'sgd'): Run {
  setBackend(backend);
  const gen = new Generator(11);
  const n = 24;
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = gen.uniform() * 2 - 1, b = gen.uniform() * 2 - 1, c = gen.uniform() * 2 - 1;
    xs.push(a, b, c);
    ys.push(Math.sin(2 * a) * b + 0.3 * c);
  }
  const x = tensor(xs, [n, 3]);
  const y = tensor(ys, [n, 1]);
  const model = new Sequential(new Linear(3, 16, { generator: gen }), new Tanh(),
    new Linear(16, 8, { generator: gen }), new ReLU(), new Linear(8, 1, { generator: gen }));
  const opt: Optimizer = optimizer === 'adam' ? new Adam(model.parameters(), { lr: 1e-2 })
    : new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  return {
    step: () => tidy(() => {
      opt.zeroGrad();
      const loss = mseLoss(model.call(x), y);
      loss.backward();
      opt.step();
      return loss;
    }),
    dispose: () => {
      opt.dispose();
      for (const p of model.parameters()) { p.grad?.dispose(); p.dispose(); }
      x.dispose();
      y.dispose();
    },
  };
}

describe.skipIf(shouldSkip(setup))('training on webgpu', () => {
  const gpu = (): WebGPUBackend => {
    if (!setup.backend) throw new Error(`no WebGPU adapter (CI requires one): ${setup.reason}`);
    return setup.backend;
  };

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`an MLP's loss matches the js backend step by step (${optimizer})`, async () => {
      await useBackend('webgpu');
      const js = makeRun('js', optimizer);
      const wg = makeRun('webgpu', optimizer);
      const jsLosses: number[] = [], wgLosses: number[] = [];
      for (let step = 0; step < 15; step++) {
        setBackend('js');
        const lj = js.step();
        jsLosses.push(lj.item());
        lj.dispose();
        setBackend('webgpu');
        const lw = wg.step();
        wgLosses.push(await lw.itemAsync());
        lw.dispose();
      }
      js.dispose();
      wg.dispose();
      setBackend('js');
      for (let i = 0; i < jsLosses.length; i++) {
        expect(Math.abs(wgLosses[i] - jsLosses[i]), `step ${i}: webgpu ${wgLosses[i]} vs js ${jsLosses[i]}`)
          .toBeLessThanOrEqual(1e-4 * Math.abs(jsLosses[i]) + 1e-6);
      }
      expect(jsLosses[jsLosses.length - 1]).toBeLessThan(jsLosses[0]);   // it trained
    });
  }

  it('100 steps keep live buffers and bytes flat; only the loss reads back, once per N steps', async () => {
    await useBackend('webgpu');
    const run = makeRun('webgpu', 'adam');
    // Warm up: the first step allocates the optimizer state and fills the pool.
    for (let i = 0; i < 3; i++) run.step().dispose();
    await gpu().sync!();
    const start = gpu().stats();
    const N = 10;
    let lastLoss = Infinity;
    for (let step = 1; step <= 100; step++) {
      const loss = run.step();
      if (step % N === 0) lastLoss = await loss.itemAsync();
      loss.dispose();
    }
    await gpu().sync!();
    const end = gpu().stats();
    setBackend('js');
    expect(end.readbacks - start.readbacks).toBe(100 / N);
    expect(end.liveBuffers).toBe(start.liveBuffers);
    expect(end.bytesHeld).toBe(start.bytesHeld);
    expect(end.dispatches - start.dispatches).toBeGreaterThan(100 * 10);   // the work ran on the GPU
    expect(Number.isFinite(lastLoss)).toBe(true);
  });
});
