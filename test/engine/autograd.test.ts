// The autodiff engine itself: accumulation, noGrad, detach, higher-order use, tracing, explain.
import { describe, expect, it, vi } from 'vitest';
import {
  tensor, randn, setBackend, getBackend, noGrad, tidy, explain, formatExplain, toDot, Generator, type BackwardStep, type Tensor,
} from '../../src/index.js';

setBackend('js');

describe('backward', () => {
  it('computes a hand-derived gradient through shared subexpressions', () => {
    // f(a, b) = (a·b + a)² ; df/da = 2(ab + a)(b + 1), df/db = 2(ab + a)a
    const a = tensor(3, undefined, { requiresGrad: true });
    const b = tensor(-2, undefined, { requiresGrad: true });
    const f = a.mul(b).add(a).square();
    f.backward();
    expect(f.item()).toBe(9);
    expect(a.grad!.item()).toBe(2 * (-6 + 3) * (-2 + 1));
    expect(b.grad!.item()).toBe(2 * (-6 + 3) * 3);
  });

  it('accumulates into .grad across calls until zeroGrad', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([5, 5, 5]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it('a second backward through a freed graph raises (as PyTorch); retainGraph keeps it', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/backward: trying to backward through the graph a second time: the 'sum' node that made tensor #\d+ of shape \[\] was freed by an earlier backward\(\); pass \{ retainGraph: true \}/);
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6]);   // unchanged by the refused call
    expect(loss.isLeaf).toBe(false);
    // A new graph that reaches a freed intermediate is refused too.
    const y = x.mul(2);
    y.sum().backward();
    expect(() => y.mul(3).sum().backward()).toThrow(/second time: the 'affine' node/);
    // retainGraph: the same graph twice accumulates twice.
    x.zeroGrad();
    const kept = x.square().sum();
    kept.backward(undefined, { retainGraph: true });
    kept.backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([4, 8, 12]);
  });

  it('unbroadcasts gradients to each input shape', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const b = tensor([10, 20, 30], undefined, { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(b.grad!.shape).toEqual([3]);
    expect(Array.from(b.grad!.dataSync())).toEqual([5, 7, 9]);
    expect(Array.from(a.grad!.dataSync())).toEqual([10, 20, 30, 10, 20, 30]);
  });

  it('noGrad records nothing and detach cuts the graph', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    const z = x.detach().mul(x);   // d/dx (c·x) with c = x held constant → c
    z.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 2]);
  });

  it('takes an explicit gradient for non-scalar outputs', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    x.square().backward(tensor([1, 0, -1]));
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 0, -6]);
  });

  it('differentiates through reparameterisation and a Gaussian KL term (a VAE\'s loss)', () => {
    // z = μ + exp(logv/2)·ε ; L = Σ z² + KL, KL = −½ Σ (1 + logv − μ² − exp(logv))
    const mu = tensor([0.5, -1], undefined, { requiresGrad: true });
    const logv = tensor([0.2, -0.4], undefined, { requiresGrad: true });
    const eps = tensor([0.3, -0.7]);
    const z = mu.add(logv.mul(0.5).exp().mul(eps));
    const kl = logv.add(1).sub(mu.square()).sub(logv.exp()).sum().mul(-0.5);
    z.square().sum().add(kl).backward();
    const m = [0.5, -1], lv = [0.2, -0.4], e = [0.3, -0.7];
    for (let i = 0; i < 2; i++) {
      const s = Math.exp(lv[i] / 2), zi = m[i] + s * e[i];
      expect(mu.grad!.dataSync()[i]).toBeCloseTo(2 * zi + m[i], 5);
      expect(logv.grad!.dataSync()[i]).toBeCloseTo(2 * zi * e[i] * s / 2 - 0.5 * (1 - Math.exp(lv[i])), 5);
    }
  });

  it('createGraph gives gradients of gradients', () => {
    const x = tensor(1.5, undefined, { requiresGrad: true });
    const y = x.pow(3);                 // y' = 3x², y'' = 6x
    y.backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.item()).toBeCloseTo(3 * 1.5 ** 2, 5);
    x.grad = null;
    g.backward();
    expect(x.grad!.item()).toBeCloseTo(6 * 1.5, 5);
  });

  it('handles deep graphs without overflowing the stack', () => {
    const x = tensor(1, undefined, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1.0001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(1.0001, 20000), 2);
  });

  it('traces each backward rule with its gradient shapes', () => {
    const x = randn([4, 3], { requiresGrad: true, generator: new Generator(1) });
    const w = randn([3, 2], { requiresGrad: true, generator: new Generator(2) });
    const steps: BackwardStep[] = [];
    x.matmul(w).relu().sum().backward(undefined, { trace: (s) => steps.push(s) });
    expect(steps.map((s) => s.op)).toEqual(['sum', 'relu', 'matmul']);
    expect(steps[2].gradShape).toEqual([4, 2]);
    expect(steps[2].inputGradShapes).toEqual([[4, 3], [3, 2]]);
    expect(steps[2].saved).toEqual(['a', 'b']);
  });
});

describe('explain', () => {
  it('lists the graph in execution order and emits DOT', () => {
    const x = tensor([[1, 2]], undefined, { requiresGrad: true });
    x.name = 'x';
    const w = tensor([[1], [2]], undefined, { requiresGrad: true });
    const loss = x.matmul(w).sigmoid().mean();
    const ops = explain(loss);
    expect(ops.map((o) => o.op)).toEqual(['input', 'input', 'matmul', 'sigmoid', 'sum', 'affine']);
    expect(ops[2].shape).toEqual([1, 1]);
    expect(ops[2].inputShapes).toEqual([[1, 2], [2, 1]]);
    const text = formatExplain(ops);
    expect(text).toContain("input 'x' [1, 2]");
    expect(text).toMatch(/matmul\(#\d+\[1, 2\], #\d+\[2, 1\]\) → \[1, 1\]/);
    const dot = toDot(ops);
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot.match(/->/g)!.length).toBe(5);
    // Every edge names nodes that were declared.
    const declared = new Set([...dot.matchAll(/^\s+(t\d+) \[/gm)].map((m) => m[1]));
    for (const [, from, to] of dot.matchAll(/(t\d+) -> (t\d+)/g)) { expect(declared.has(from)).toBe(true); expect(declared.has(to)).toBe(true); }
  });
});

describe('memory', () => {
  it('one gradient handed to two inputs survives when one of them gets another contribution', () => {
    // loss = Σ((eᵃ + eᵇ) + eᵃ): add's rule hands the same g to both its inputs, so eᵃ's pending
    // gradient is shared with the inner sum's before the inner add adds to it.
    // dloss/da = 2eᵃ, dloss/db = eᵇ.
    const a = tensor([0, 1, -2], undefined, { requiresGrad: true });
    const b = tensor([0.5, 3, -1], undefined, { requiresGrad: true });
    const js = getBackend('js');
    const { alloc, free } = js;
    let live = 0;
    js.alloc = (dtype, size) => { live++; return alloc.call(js, dtype, size); };
    js.free = (s) => { live--; free.call(js, s); };
    try {
      const ea = a.exp();
      const loss = ea.add(b.exp()).add(ea).sum();
      live = 0;
      loss.backward();
      // Every gradient the sweep made is freed but the two leaves' .grad.
      expect(live).toBe(2);
    } finally {
      js.alloc = alloc;
      js.free = free;
    }
    [0, 1, -2].forEach((v, i) => expect(a.grad!.dataSync()[i]).toBeCloseTo(2 * Math.exp(v), 5));
    [0.5, 3, -1].forEach((v, i) => expect(b.grad!.dataSync()[i]).toBeCloseTo(Math.exp(v), 5));
  });

  it('tidy disposes intermediates and keeps results and gradients', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    let inner: Tensor | null = null;
    const out = tidy(() => {
      inner = x.mul(2);
      const loss = inner.sum();
      loss.backward();
      return loss;
    });
    expect(inner!.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(out.item()).toBe(12);
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 2, 2]);
    expect(() => inner!.add(1)).toThrow(/disposed/);
  });

  it('backward through a graph whose intermediates tidy disposed is an error, not a silent no-op', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const loss = tidy(() => x.mul(2).sum());
    expect(() => loss.backward()).toThrow(/was disposed \(by tidy or dispose\) before backward ran/);
  });
});

describe('the backward sweep frees spent gradients in constant time', () => {
  it('never lists the pending gradients to find out whether a spent one is still held', () => {
    // Until this change every freed gradient scanned all pending ones ([...grads.values()]): a
    // chain of n ops listed them n times. Now a count per gradient says when it is unheld.
    const listings = (n: number): number => {
      const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
      let y = x;
      for (let i = 0; i < n; i++) y = y.mul(1.5).add(x);   // x's gradient stays pending the whole sweep
      const spy = vi.spyOn(Map.prototype, 'values');
      try {
        y.sum().backward();
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };
    expect(listings(200)).toBe(listings(20));
  });

  it('a gradient handed to several inputs is freed only after the last of them has used it', () => {
    // add's rule hands the same g to u and v: u's rule runs first and must not free it.
    const x = tensor([1, -2, 3], undefined, { requiresGrad: true });
    const u = x.mul(2), v = x.mul(3);
    u.add(v).mul(x).sum().backward();
    // f = (2x + 3x)·x = 5x², df/dx = 10x
    expect(Array.from(x.grad!.dataSync())).toEqual([10, -20, 30]);
  });
});
