// Dropout's train/eval behaviour and batch norm's statistics against hand computations.
import { describe, expect, it } from 'vitest';
import { Generator, setBackend, tensor, ones, noGrad } from '../../src/index.js';
import { Dropout, BatchNorm1d, BatchNorm2d } from '../../src/nn/index.js';
import { expectClose } from '../helpers.js';
import { host, randomInput } from './nn-helpers.js';

setBackend('js');

describe('Dropout', () => {
  it('in training zeroes about p of the entries and scales the rest by 1/(1 − p)', () => {
    const p = 0.3, n = 20000;
    const d = new Dropout(p, { generator: new Generator(1) });
    const x = randomInput(new Generator(2), [n], 0.5, 1.5);
    const y = host(d.forward(x)), xs = host(x);
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      if (y[i] === 0) zeros++;
      else expect(Math.abs(y[i] - xs[i] / (1 - p))).toBeLessThan(1e-5 * xs[i]);
    }
    // Binomial(n, p): standard deviation √(n·p·(1−p)) ≈ 65; allow 5σ.
    expect(Math.abs(zeros - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
  });

  it('is the identity in eval mode and with p = 0', () => {
    const x = randomInput(new Generator(3), [50]);
    const d = new Dropout(0.5).eval();
    expect(host(d.forward(x))).toEqual(host(x));
    expect(host(new Dropout(0).forward(x))).toEqual(host(x));
  });

  it('repeats with the same seed and differs with another', () => {
    const x = ones([200]);
    const a = host(new Dropout(0.5, { generator: new Generator(7) }).forward(x));
    const b = host(new Dropout(0.5, { generator: new Generator(7) }).forward(x));
    const c = host(new Dropout(0.5, { generator: new Generator(8) }).forward(x));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('rejects p outside [0, 1)', () => {
    expect(() => new Dropout(1)).toThrow(/Dropout: p must be in \[0, 1\)/);
  });
});

/** Per-channel mean and biased / unbiased variance of an [n, c, s] array (s spatial positions). */
function stats(xs: number[], n: number, c: number, s: number) {
  const mean: number[] = [], biased: number[] = [], unbiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) vals.push(xs[(i * c + ch) * s + k]);
    const m = vals.reduce((a, b) => a + b) / vals.length;
    const ss = vals.reduce((a, b) => a + (b - m) ** 2, 0);
    mean.push(m); biased.push(ss / vals.length); unbiased.push(ss / (vals.length - 1));
  }
  return { mean, biased, unbiased };
}

describe('BatchNorm', () => {
  it('BatchNorm1d in training normalises with the batch mean and biased variance', () => {
    const x = randomInput(new Generator(4), [8, 3], -2, 5);
    const bn = new BatchNorm1d(3);
    const xs = host(x);
    const { mean, biased } = stats(xs, 8, 3, 1);
    const want = xs.map((v, i) => (v - mean[i % 3]) / Math.sqrt(biased[i % 3] + 1e-5));
    expectClose(host(bn.forward(x)), want, 1e-4, 1e-5, 'BatchNorm1d train');
  });

  it('running statistics after three steps follow momentum 0.1 with the unbiased variance', () => {
    const g = new Generator(5);
    const bn = new BatchNorm2d(2);
    let rm = [0, 0], rv = [1, 1];
    for (let step = 0; step < 3; step++) {
      const x = randomInput(g, [4, 2, 3, 3], -1 + step, 2 + 2 * step);
      noGrad(() => bn.forward(x));
      const { mean, unbiased } = stats(host(x), 4, 2, 9);
      rm = rm.map((r, c) => 0.9 * r + 0.1 * mean[c]);
      rv = rv.map((r, c) => 0.9 * r + 0.1 * unbiased[c]);
    }
    expectClose(host(bn.runningMean!), rm, 1e-5, 1e-6, 'running_mean');
    expectClose(host(bn.runningVar!), rv, 1e-5, 1e-6, 'running_var');
    expect(bn.numBatchesTracked!.item()).toBe(3);
  });

  it('eval mode uses the running statistics (with ε) and does not update them', () => {
    const g = new Generator(6);
    const bn = new BatchNorm2d(2);
    // A small running variance makes ε = 1e-5 visible (10% at 1e-4).
    const rm = [0.2, -1], rv = [1e-4, 0.5], gamma = [1.5, -0.5], beta = [0.25, 2];
    bn.loadStateDict({ ...bn.stateDict(), weight: tensor(gamma), bias: tensor(beta), running_mean: tensor(rm), running_var: tensor(rv) });
    bn.eval();
    const x = randomInput(g, [3, 2, 2, 2], -1, 1);
    const xs = host(x);
    const want = xs.map((v, i) => {
      const c = Math.floor(i / 4) % 2;
      return ((v - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * gamma[c] + beta[c];
    });
    expectClose(host(bn.forward(x)), want, 1e-5, 1e-5, 'BatchNorm2d eval');
    expectClose(host(bn.runningMean!), rm.map(Math.fround), 0, 0, 'running_mean unchanged');
    expectClose(host(bn.runningVar!), rv.map(Math.fround), 0, 0, 'running_var unchanged');
    expect(bn.numBatchesTracked!.item()).toBe(0);
    // Training mode on the same input gives a different answer (batch statistics).
    bn.train();
    const trained = host(noGrad(() => bn.forward(x)));
    expect(trained.some((v, i) => Math.abs(v - want[i]) > 1e-3)).toBe(true);
  });

  it('has PyTorch’s state-dict names and rejects a wrong channel count', () => {
    const bn = new BatchNorm1d(4);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(() => bn.forward(randomInput(new Generator(1), [2, 3]))).toThrow(/BatchNorm1d\(4\).*\[n, 4\].*\[2, 3\]/);
    expect(() => bn.forward(randomInput(new Generator(1), [1, 4]))).toThrow(/more than 1 value per channel/);
  });
});
