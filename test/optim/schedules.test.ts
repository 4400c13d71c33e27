// Schedules against their closed forms; ReduceLROnPlateau against a sequence worked out by hand.
import { describe, expect, it } from 'vitest';
import { setBackend, tensor } from '../../src/index.js';
import {
  SGD, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, ReduceLROnPlateau, type Optimizer,
} from '../../src/optim/index.js';

setBackend('js');

function opt(lr = 0.1, lr2?: number): Optimizer {
  const a = tensor([1, 2], [2], { requiresGrad: true });
  const b = tensor([3], [1], { requiresGrad: true });
  return lr2 === undefined ? new SGD([a, b], { lr }) : new SGD([{ params: [a], lr }, { params: [b], lr: lr2 }]);
}

/** lr of group 0 at t = 0..n (t = 0 is the lr after construction). */
function trace(o: Optimizer, step: () => void, n: number): number[] {
  const out = [o.paramGroups[0].lr];
  for (let t = 1; t <= n; t++) { step(); out.push(o.paramGroups[0].lr); }
  return out;
}

function expectSeq(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `t=${i}`).toBeCloseTo(expected[i], 12));
}

describe('closed-form schedules', () => {
  it('StepLR: η₀·γ^⌊t/s⌋', () => {
    const o = opt(0.1);
    const s = new StepLR(o, { stepSize: 3, gamma: 0.5 });
    expectSeq(trace(o, () => s.step(), 10), Array.from({ length: 11 }, (_, t) => 0.1 * 0.5 ** Math.floor(t / 3)));
  });
  it('ExponentialLR: η₀·γ^t on every group', () => {
    const o = opt(0.1, 0.02);
    const s = new ExponentialLR(o, { gamma: 0.9 });
    expectSeq(trace(o, () => s.step(), 6), Array.from({ length: 7 }, (_, t) => 0.1 * 0.9 ** t));
    expect(o.paramGroups[1].lr).toBeCloseTo(0.02 * 0.9 ** 6, 14);
    expect(s.getLastLr()[1]).toBeCloseTo(0.02 * 0.9 ** 6, 14);
  });
  it('CosineAnnealingLR: η_min + (η₀ − η_min)(1 + cos(πt/T))/2', () => {
    const o = opt(0.1);
    const s = new CosineAnnealingLR(o, { tMax: 8, etaMin: 0.001 });
    const lrs = trace(o, () => s.step(), 8);
    expectSeq(lrs, Array.from({ length: 9 }, (_, t) => 0.001 + (0.1 - 0.001) * (1 + Math.cos((Math.PI * t) / 8)) / 2));
    expect(lrs[8]).toBeCloseTo(0.001, 12);
  });
  it('LinearWarmup ramps from startFactor·η to η, then hands over to the wrapped schedule', () => {
    const o = opt(0.1);
    const inner = new StepLR(o, { stepSize: 2, gamma: 0.1 });
    const w = new LinearWarmup(o, { warmupSteps: 4, startFactor: 0.2, after: inner });
    const lrs = trace(o, () => w.step(), 9);
    const expected = [0, 1, 2, 3].map((t) => 0.1 * (0.2 + 0.8 * t / 4))
      .concat([4, 5, 6, 7, 8, 9].map((t) => 0.1 * 0.1 ** Math.floor((t - 4) / 2)));
    expectSeq(lrs, expected);
  });
  it('LinearWarmup alone holds η after warm-up', () => {
    const o = opt(0.3);
    const w = new LinearWarmup(o, { warmupSteps: 3 });
    expectSeq(trace(o, () => w.step(), 5), [0.1, 0.1 + 0.2 / 3, 0.1 + 0.4 / 3, 0.3, 0.3, 0.3]);
  });
  it('rejects a bad stepSize', () => {
    expect(() => new StepLR(opt(), { stepSize: 0 })).toThrow(/StepLR: stepSize must be a positive integer/);
  });
});

describe('ReduceLROnPlateau', () => {
  // factor 0.5, patience 2, threshold 10 % (rel), cooldown 1. Worked by hand from PyTorch's rule:
  // t1 10 → best; t2 9.5, t3 9.2 are not 10 % better (bad 1, 2); t4 9.1 bad 3 > 2 → halve, cooldown;
  // t5 8.0 is better (best 8), cooldown ends; t6–t8 8.0 bad 1, 2, 3 → halve; t9 bad reset by
  // cooldown; t10–t12 bad 1, 2, 3 → halve.
  const metrics = [10, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8, 8, 8];
  const expected = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125];

  it('patience, relative threshold and cooldown', () => {
    const o = opt(1);
    const s = new ReduceLROnPlateau(o, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1 });
    expect(metrics.map((m) => { s.step(m); return o.paramGroups[0].lr; })).toEqual(expected);
  });
  it('minLr bounds the decay; max mode with an absolute threshold', () => {
    const o = opt(1);
    const s = new ReduceLROnPlateau(o, { factor: 0.5, patience: 0, minLr: 0.3 });
    const lrs = [5, 5, 5, 5].map((m) => { s.step(m); return o.paramGroups[0].lr; });
    expect(lrs).toEqual([1, 0.5, 0.3, 0.3]);
    const o2 = opt(1);
    const s2 = new ReduceLROnPlateau(o2, { mode: 'max', factor: 0.1, patience: 1, threshold: 0.5, thresholdMode: 'abs' });
    // 1 → best; 1.4 is not > 1.5 (bad 1); 1.6 is (best 1.6); 2.0, 2.05 are not > 2.1 (bad 1, 2 > 1 → decay)
    const lrs2 = [1, 1.4, 1.6, 2.0, 2.05].map((m) => { s2.step(m); return o2.paramGroups[0].lr; });
    lrs2.forEach((v, i) => expect(v).toBeCloseTo([1, 1, 1, 1, 0.1][i], 12));
  });
  it('needs the metric', () => {
    expect(() => new ReduceLROnPlateau(opt()).step()).toThrow(/needs the monitored metric/);
  });
});

describe('scheduler state dicts', () => {
  it('a schedule restored mid-way continues exactly (through JSON)', () => {
    const make = (o: Optimizer) => new LinearWarmup(o, { warmupSteps: 2, after: new CosineAnnealingLR(o, { tMax: 5 }) });
    const o1 = opt(0.1);
    const s1 = make(o1);
    const full = trace(o1, () => s1.step(), 8);
    const o2 = opt(0.1);
    const s2 = make(o2);
    for (let t = 0; t < 4; t++) s2.step();
    const saved = JSON.parse(JSON.stringify(s2.stateDict()));
    const o3 = opt(0.1);
    const s3 = make(o3);
    s3.loadStateDict(saved);
    expect(o3.paramGroups[0].lr).toBe(full[4]);
    const rest = [1, 2, 3, 4].map(() => { s3.step(); return o3.paramGroups[0].lr; });
    expect(rest).toEqual(full.slice(5));
  });
  it('ReduceLROnPlateau restores its counters', () => {
    const o1 = opt(1);
    const s1 = new ReduceLROnPlateau(o1, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1 });
    const metrics = [10, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8, 8, 8];
    metrics.slice(0, 6).forEach((m) => s1.step(m));
    const o2 = opt(0.123);
    const s2 = new ReduceLROnPlateau(o2, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1 });
    s2.loadStateDict(JSON.parse(JSON.stringify(s1.stateDict())));
    const a = metrics.slice(6).map((m) => { s1.step(m); return o1.paramGroups[0].lr; });
    const b = metrics.slice(6).map((m) => { s2.step(m); return o2.paramGroups[0].lr; });
    expect(b).toEqual(a);
    expect(() => s2.loadStateDict(new StepLR(opt(), { stepSize: 1 }).stateDict())).toThrow(/the state is from 'StepLR', expected 'ReduceLROnPlateau'/);
  });
});
