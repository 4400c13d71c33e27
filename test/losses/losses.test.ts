// Every loss against a float64 computation written here from its formula, both reductions,
// and its gradient against finite differences.
import { describe, expect, it } from 'vitest';
import { Generator, setBackend, tensor, gradcheck, formatGradcheck, withDefaultDType, type Tensor } from '../../src/index.js';
import {
  mseLoss, l1Loss, huberLoss, bceLoss, bceWithLogitsLoss, crossEntropyLoss, klDivLoss, gaussianKl,
  l1Penalty, l2Penalty, klSparsity, getLoss,
} from '../../src/losses/index.js';
import { randomArray } from '../helpers.js';

setBackend('js');
const gen = new Generator(77);
const n = 12;
const a = randomArray(gen, n, -2, 2);
const b = randomArray(gen, n, -2, 2);
const probs = randomArray(gen, n, 0.02, 0.98);
const labels = randomArray(gen, n, 0, 1);
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const total = (v: number[]) => v.reduce((s, x) => s + x, 0);
const t = (v: number[], shape = [3, 4]) => tensor(v, shape);

function expectBoth(name: string, fn: (p: Tensor, q: Tensor, o: { reduction: 'mean' | 'sum' }) => Tensor, p: number[], q: number[], pointwise: number[]): void {
  expect(fn(t(p), t(q), { reduction: 'mean' }).item(), `${name} mean`).toBeCloseTo(mean(pointwise), 5);
  expect(fn(t(p), t(q), { reduction: 'sum' }).item(), `${name} sum`).toBeCloseTo(total(pointwise), 4);
}

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const report = gradcheck(fn, inputs);
  expect(report.ok, `${name}\n${formatGradcheck(report)}`).toBe(true);
}
const grad = (v: number[], shape = [3, 4]) => withDefaultDType('float64', () => tensor(v, shape, { requiresGrad: true }));
const fixed = (v: number[], shape = [3, 4]) => withDefaultDType('float64', () => tensor(v, shape));

describe('regression losses', () => {
  it('mse, l1 and huber (δ = 1 and 0.5)', () => {
    expectBoth('mse', mseLoss, a, b, a.map((x, i) => (x - b[i]) ** 2));
    expectBoth('l1', l1Loss, a, b, a.map((x, i) => Math.abs(x - b[i])));
    for (const delta of [1, 0.5]) {
      const want = a.map((x, i) => { const d = Math.abs(x - b[i]); return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta); });
      expectBoth(`huber ${delta}`, (p, q, o) => huberLoss(p, q, { ...o, delta }), a, b, want);
    }
    expect(mseLoss(t(a), t(b), { reduction: 'none' }).shape).toEqual([3, 4]);
  });
  it('gradients', () => {
    check('mse', (p, q) => mseLoss(p, q), [grad(a), grad(b)]);
    check('l1', (p, q) => l1Loss(p, q, { reduction: 'sum' }), [grad(a), grad(b)]);
    check('huber', (p, q) => huberLoss(p, q, { delta: 0.7 }), [grad(a), grad(b)]);
  });
  it('rejects mismatched shapes and unknown reductions', () => {
    expect(() => mseLoss(t(a), tensor(b.slice(0, 4)))).toThrow(/mseLoss: prediction \[3, 4\] and target \[4\]/);
    expect(() => mseLoss(t(a), t(b), { reduction: 'avg' as 'mean' })).toThrow(/unknown reduction 'avg'/);
  });
});

describe('binary cross-entropy', () => {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  it('on probabilities, with soft labels', () => {
    expectBoth('bce', bceLoss, probs, labels, probs.map((p, i) => -(labels[i] * Math.log(p) + (1 - labels[i]) * Math.log(1 - p))));
  });
  it('clamps each log at −100 as PyTorch does (p = 0 or 1 gives 100, not ∞)', () => {
    const loss = bceLoss(tensor([0, 1, 0, 1]), tensor([1, 0, 0, 1]), { reduction: 'none' });
    expect(Array.from(loss.dataSync()).map((v) => v + 0)).toEqual([100, 100, 0, 0]);
    const p = tensor([0, 1, 0.5], [3], { requiresGrad: true });
    bceLoss(p, tensor([1, 0, 1])).backward();
    expect(Array.from(p.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });
  it('refuses predictions and targets outside [0, 1], naming the value and where (PyTorch raises)', () => {
    expect(() => bceLoss(t(probs.map((p, i) => (i === 5 ? 1.25 : p))), t(labels)))
      .toThrow('bceLoss: prediction [3, 4] holds 1.25 at [1, 1]; expected values in [0, 1] (apply sigmoid to logits first, or use bceWithLogitsLoss)');
    expect(() => bceLoss(t(probs.map((p, i) => (i === 0 ? -0.5 : p))), t(labels))).toThrow(/holds -0.5 at \[0, 0\]/);
    expect(() => bceLoss(t(probs.map((p, i) => (i === 11 ? NaN : p))), t(labels))).toThrow(/prediction \[3, 4\] holds NaN at \[2, 3\]/);
    expect(() => bceLoss(t(probs), t(labels.map((y, i) => (i === 2 ? 2 : y))))).toThrow('bceLoss: target [3, 4] holds 2 at [0, 2]; expected values in [0, 1]');
    // The edges themselves are valid: p = 0 and p = 1 give PyTorch's clamped 100.
    expect(Array.from(bceLoss(tensor([0, 1, 1e-40]), tensor([1, 0, 1]), { reduction: 'none' }).dataSync())).toEqual([100, 100, 100]);
  });

  it('with logits equals bce(σ(x)) and stays finite for |x| = 100', () => {
    expectBoth('bce logits', bceWithLogitsLoss, a, labels, a.map((x, i) => -(labels[i] * Math.log(sig(x)) + (1 - labels[i]) * Math.log(1 - sig(x)))));
    const big = bceWithLogitsLoss(tensor([100, -100]), tensor([0, 1]), { reduction: 'none' });
    expect(Array.from(big.dataSync())).toEqual([100, 100]);
  });
  it('with logits has gradient σ(x) − y, also at x = 0', () => {
    const x = tensor([0, 0, 2], [3], { requiresGrad: true });
    bceWithLogitsLoss(x, tensor([1, 0, 0.25]), { reduction: 'sum' }).backward();
    const g = Array.from(x.grad!.dataSync());
    expect(g[0]).toBeCloseTo(-0.5, 6);
    expect(g[1]).toBeCloseTo(0.5, 6);
    expect(g[2]).toBeCloseTo(sig(2) - 0.25, 6);
  });
  it('gradients', () => {
    check('bce', (p, q) => bceLoss(p, q), [grad(probs), grad(labels)]);
    check('bce logits', (p, q) => bceWithLogitsLoss(p, q), [grad(a), grad(labels)]);
  });
});

describe('cross-entropy on logits', () => {
  const logSoftmaxRow = (row: number[]) => { const m = Math.max(...row); const z = Math.log(total(row.map((v) => Math.exp(v - m)))) + m; return row.map((v) => v - z); };
  const rows = [a.slice(0, 4), a.slice(4, 8), a.slice(8, 12)];
  it('with class-index targets', () => {
    const cls = [2, 0, 3];
    const want = rows.map((r, i) => -logSoftmaxRow(r)[cls[i]]);
    expect(crossEntropyLoss(t(a), tensor(cls)).item()).toBeCloseTo(mean(want), 5);
    expect(crossEntropyLoss(t(a), tensor(cls), { reduction: 'sum' }).item()).toBeCloseTo(total(want), 5);
  });
  it('with probability targets', () => {
    const tgt = b.map((v) => Math.abs(v));
    const tgtRows = [0, 1, 2].map((i) => { const r = tgt.slice(4 * i, 4 * i + 4); const s = total(r); return r.map((v) => v / s); });
    const want = rows.map((r, i) => -total(logSoftmaxRow(r).map((l, k) => l * tgtRows[i][k])));
    expect(crossEntropyLoss(t(a), t(tgtRows.flat())).item()).toBeCloseTo(mean(want), 5);
  });
  it('over [n, C, d] with targets [n, d] (class axis 1)', () => {
    // logits[n=1, C=3, d=4] = a viewed as 3×4; position k's classes are column k.
    const cls = [0, 2, 1, 2];
    const want = [0, 1, 2, 3].map((k) => -logSoftmaxRow([a[k], a[4 + k], a[8 + k]])[cls[k]]);
    expect(crossEntropyLoss(tensor(a, [1, 3, 4]), tensor(cls, [1, 4])).item()).toBeCloseTo(mean(want), 5);
  });
  it('gradients and shape errors', () => {
    check('ce index', (x) => crossEntropyLoss(x, fixed([1, 3, 0], [3])), [grad(a)]);
    const soft = b.map((v) => Math.abs(v) + 0.1);
    check('ce probs', (x, y) => crossEntropyLoss(x, y), [grad(a), grad(soft)]);
    // A class index out of range, negative or fractional used to contribute 0; PyTorch raises.
    for (const [bad, at] of [[4, 2], [-1, 0], [1.5, 1], [NaN, 2]] as const) {
      const cls = [1, 3, 0];
      cls[at] = bad;
      expect(() => crossEntropyLoss(t(a), tensor(cls))).toThrow(`crossEntropyLoss: target [3] holds class index ${bad} at [${at}]; expected an integer in 0…3 for logits [3, 4]`);
    }
    expect(() => crossEntropyLoss(t(a), tensor([1, 2]))).toThrow(/crossEntropyLoss: target \[2\] must be class indices \[3\] or probabilities \[3, 4\]/);
  });
});

describe('KL divergences and penalties', () => {
  const q = probs.map((v) => v / total(probs));
  const p = labels.map((v) => v / total(labels));
  p[5] = 0; // 0·log 0 = 0
  it('klDivLoss matches Σ p·(log p − log q) with PyTorch’s reductions', () => {
    const pointwise = p.map((pi, i) => (pi > 0 ? pi * (Math.log(pi) - Math.log(q[i])) : 0));
    const logq = t(q.map(Math.log));
    expect(klDivLoss(logq, t(p), { reduction: 'sum' }).item()).toBeCloseTo(total(pointwise), 5);
    expect(klDivLoss(logq, t(p), { reduction: 'mean' }).item()).toBeCloseTo(mean(pointwise), 6);
    expect(klDivLoss(logq, t(p), { reduction: 'batchmean' }).item()).toBeCloseTo(total(pointwise) / 3, 5);
    // logTarget: the target given as log p (e^−80 stands in for the zero entry).
    const logP = p.map((v) => (v > 0 ? Math.log(v) : -80));
    expect(klDivLoss(logq, t(logP), { reduction: 'sum', logTarget: true }).item()).toBeCloseTo(total(pointwise), 4);
    check('klDiv', (x) => klDivLoss(x, fixed(p), { reduction: 'batchmean' }), [grad(q.map(Math.log))]);
  });

  it('gaussianKl is −½ Σ (1 + log σ² − μ² − σ²) per example, averaged over the batch', () => {
    const mu = a, logvar = b.map((v) => v / 2);
    const per = [0, 1, 2].map((i) => -0.5 * total([0, 1, 2, 3].map((k) => { const m = mu[4 * i + k], lv = logvar[4 * i + k]; return 1 + lv - m * m - Math.exp(lv); })));
    expect(gaussianKl(t(mu), t(logvar)).item()).toBeCloseTo(mean(per), 5);
    expect(gaussianKl(t(mu), t(logvar), { reduction: 'sum' }).item()).toBeCloseTo(total(per), 4);
    expect(gaussianKl(tensor([0, 0]), tensor([0, 0])).item()).toBe(0);
    check('gaussianKl', (m, l) => gaussianKl(m, l), [grad(mu), grad(logvar)]);
  });

  it('klSparsity is Σ_j ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)) over batch-mean activations', () => {
    const rho = 0.1;
    const rhoHat = [0, 1, 2, 3].map((j) => mean([0, 1, 2].map((i) => probs[4 * i + j])));
    const want = total(rhoHat.map((r) => rho * Math.log(rho / r) + (1 - rho) * Math.log((1 - rho) / (1 - r))));
    expect(klSparsity(t(probs), rho).item()).toBeCloseTo(want, 5);
    // At ρ̂ = ρ the penalty is 0.
    expect(klSparsity(tensor(new Array(8).fill(0.1), [2, 4]), 0.1).item()).toBeCloseTo(0, 6);
    check('klSparsity', (x) => klSparsity(x, rho), [grad(probs)]);
  });

  it('l1 and l2 penalties sum |w| and w² over every parameter', () => {
    const w1 = t(a), w2 = tensor(b.slice(0, 5));
    expect(l1Penalty([w1, w2]).item()).toBeCloseTo(total(a.map(Math.abs)) + total(b.slice(0, 5).map(Math.abs)), 4);
    expect(l2Penalty([w1, w2]).item()).toBeCloseTo(total(a.map((v) => v * v)) + total(b.slice(0, 5).map((v) => v * v)), 4);
    check('l1Penalty', (x, y) => l1Penalty([x, y]), [grad(a), grad(b.slice(0, 5), [5])]);
    check('l2Penalty', (x, y) => l2Penalty([x, y]), [grad(a), grad(b.slice(0, 5), [5])]);
  });
});

describe('getLoss', () => {
  it('maps names to the mean-reduced losses', () => {
    expect(getLoss('mse')(t(a), t(b)).item()).toBeCloseTo(mean(a.map((x, i) => (x - b[i]) ** 2)), 5);
    expect(getLoss('mae')(t(a), t(b)).item()).toBeCloseTo(mean(a.map((x, i) => Math.abs(x - b[i]))), 5);
    expect(getLoss('bce')(t(probs), t(labels)).item()).toBeCloseTo(bceLoss(t(probs), t(labels)).item(), 6);
    expect(() => getLoss('nope' as 'mse')).toThrow(/getLoss: unknown loss 'nope'; expected one of mse, mae/);
  });
});
