// End to end: a two-layer MLP learns a nonlinear function by plain gradient descent.
import { describe, expect, it } from 'vitest';
import { tensor, randn, setBackend, Generator, noGrad, tidy, assign, type Tensor } from '../../src/index.js';

setBackend('js');

describe('a two-layer MLP', () => {
  it('fits y = sin(2x₀)·x₁ to a mean squared error below 0.005', () => {
    const gen = new Generator(5);
    const n = 256;
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = gen.uniform() * 2 - 1, b = gen.uniform() * 2 - 1;
      xs.push(a, b);
      ys.push(Math.sin(2 * a) * b);
    }
    const x = tensor(xs, [n, 2]);
    const y = tensor(ys, [n, 1]);
    const w1 = randn([2, 32], { generator: gen }).mul(Math.sqrt(2 / 2)).detach().requiresGrad_();
    const b1 = tensor(new Float32Array(32), [32], { requiresGrad: true });
    const w2 = randn([32, 1], { generator: gen }).mul(Math.sqrt(1 / 32)).detach().requiresGrad_();
    const b2 = tensor([0], [1], { requiresGrad: true });
    const params = [w1, b1, w2, b2];
    const lossOf = (): Tensor => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(y).square().mean();
    const initial = noGrad(lossOf).item();
    let last = initial;
    for (let step = 0; step < 1000; step++) {
      last = tidy(() => {
        const loss = lossOf();
        loss.backward();
        noGrad(() => {
          for (const p of params) {
            assign(p, p.sub(p.grad!.mul(0.1)));   // p ← p − η·∇p
            p.zeroGrad();
          }
        });
        return loss.item();
      });
    }
    expect(initial).toBeGreaterThan(0.05);
    expect(last).toBeLessThan(0.005);
  });
});
