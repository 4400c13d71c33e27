// squaredError: the fused MSE must give the composition's values bit for bit, forward and back.
import { describe, expect, it } from 'vitest';
import { Generator, randn, setBackend, squaredError, tensor, type Tensor } from '../../src/index.js';

setBackend('js');

function pair(seed: number): [Tensor, Tensor] {
  const g = new Generator(seed);
  const pred = randn([7, 13], { generator: g }).detach().requiresGrad_();
  const target = randn([7, 13], { generator: g }).detach().requiresGrad_();
  return [pred, target];
}

describe('squaredError', () => {
  for (const reduction of ['mean', 'sum'] as const) {
    it(`${reduction}: the value and both gradients equal those of the composed ops exactly`, () => {
      const [p1, t1] = pair(1);
      const [p2, t2] = pair(1);
      const fused = squaredError(p1, t1, reduction);
      const sq = p2.sub(t2).square();
      const composed = reduction === 'mean' ? sq.mean() : sq.sum();
      expect(fused.item()).toBe(composed.item());
      fused.backward();
      composed.backward();
      expect(Array.from(p1.grad!.dataSync())).toEqual(Array.from(p2.grad!.dataSync()));
      expect(Array.from(t1.grad!.dataSync())).toEqual(Array.from(t2.grad!.dataSync()));
    });
  }

  it('matches a hand computation: mean of (1−0)², (2−4)², (3−3)²; dL/dpred = 2d/3', () => {
    const p = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const t = tensor([0, 4, 3]);
    const l = squaredError(p, t);
    expect(l.item()).toBeCloseTo(5 / 3, 6);
    l.backward();
    const g = Array.from(p.grad!.dataSync());
    [2 / 3, -4 / 3, 0].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 6));
  });

  it('gives second derivatives under createGraph: d²(Σd²)/dp² summed = 2 per element', () => {
    const p = tensor([1, -2, 5], undefined, { requiresGrad: true });
    const t = tensor([0, 1, 1]);
    squaredError(p, t, 'sum').backward(undefined, { createGraph: true });
    const g1 = p.grad!;
    p.grad = null;
    g1.sum().backward();
    expect(Array.from(p.grad!.dataSync())).toEqual([2, 2, 2]);
  });

  it('names itself and the shapes when they differ', () => {
    expect(() => squaredError(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/squaredError: prediction \[2\] and target \[3\]/);
    expect(() => squaredError(tensor([1]), tensor([1]), 'none' as 'sum')).toThrow(/reduction must be 'mean' or 'sum'/);
  });
});
