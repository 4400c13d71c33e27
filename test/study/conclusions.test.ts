// The study's sentences follow its numbers: a synthetic table where one option clearly wins must
// name it with its margin; one where every option is within noise must say so. The margins and
// p-values are derived here by hand (means, and Welch's t from its formula), not by the code tested.
import { describe, expect, test } from 'vitest';
import { compareCandidates, comparePair, margin } from '../../src/cli/study/conclusions.js';
import { activationSection, type Context } from '../../src/cli/study/sections.js';
import { BUDGET_TABLE, variant } from '../../src/cli/study/design.js';
import type { RunResult } from '../../src/cli/study/run-one.js';

describe('compareCandidates', () => {
  test('a clear winner is named with its margin over the runner-up and the test that separates them', () => {
    const s = compareCandidates('Optimizer', [
      { label: 'sgd', samples: [0.30, 0.31, 0.29] },
      { label: 'adam', samples: [0.10, 0.11, 0.09] },
      { label: 'rmsprop', samples: [0.20, 0.21, 0.19] },
    ]);
    // adam 0.10 vs rmsprop 0.20: 50.0% lower; t = 0.1 / sqrt(2·0.0001/3) ≈ 12.2 on 4 df: p < 0.001
    expect(s).toMatch(/^Optimizer: adam won with test MSE 0\.100 ± 0\.010/);
    expect(s).toContain('50.0% lower than the runner-up rmsprop');
    expect(s).toContain('p < 0.001');
    expect(s).toContain('larger than the noise');
  });

  test('options within noise are reported as such, not as a win', () => {
    const s = compareCandidates('Activation', [
      { label: 'relu', samples: [0.10, 0.14, 0.06] },
      { label: 'elu', samples: [0.11, 0.07, 0.15] },
    ]);
    // means 0.10 and 0.11, sd 0.04 each: t = 0.01 / sqrt(2·0.0016/3) ≈ 0.31, p ≈ 0.77
    expect(s).toMatch(/^Activation: within noise: relu has the best test MSE/);
    expect(s).toContain('9.1% lower than elu');
    expect(s).not.toMatch(/won/);
    const p = Number(/smallest p = ([0-9.]+)/.exec(s)?.[1]);
    expect(p).toBeGreaterThan(0.7);
    expect(p).toBeLessThan(0.85);
  });

  test('higher is better for accuracies, with margins in points', () => {
    const s = compareCandidates('kNN', [{ label: 'pca', samples: [0.70, 0.71, 0.69] }, { label: 'ae', samples: [0.80, 0.81, 0.79] }], { name: 'kNN accuracy', higherIsBetter: true, accuracy: true });
    expect(s).toMatch(/^kNN: ae won with kNN accuracy 80\.0 ± 1\.0%/);
    expect(s).toContain('10.0 points higher');
    expect(margin(0.8, 0.7, { name: 'a', higherIsBetter: true, accuracy: true })).toBe('10.0 points higher');
  });

  test('a deterministic baseline (one value) is compared with a one-sample test', () => {
    // 0.10 ± 0.01 (n = 3) against exactly 0.20: t = 0.1 / (0.01/√3) ≈ 17.3 on 2 df, p ≈ 0.003
    const r = comparePair({ label: 'AE', samples: [0.09, 0.10, 0.11] }, { label: 'PCA', samples: [0.2] });
    expect(r.better).toBe('a');
    expect(r.text).toBe('AE better (50.0% lower, p = 0.003)');
  });
});

describe('the activation section', () => {
  const b = BUDGET_TABLE.quick;
  const results = new Map<string, RunResult>();
  const add = (activation: string, lr: number, mses: number[]) => mses.forEach((m, repeat) => {
    const v = variant('main', { activation, lr });
    results.set(`${v.name}#${repeat}`, { name: `${v.name}#${repeat}`, variant: v.name, repeat, seed: 0, diverged: null, testMse: m, trainMse: m * 0.9, curve: [2 * m, m], seconds: 1, parameters: 10 });
  });
  test('its conclusion names the activation the numbers favour, at its chosen learning rate', () => {
    add('relu', b.activationLrs[0], [0.020, 0.021, 0.019]);
    add('tanh', b.activationLrs[0], [0.040, 0.041, 0.039]);
    const ctx: Context = { budget: b, results, baselineMse: 1 };
    const s = activationSection(ctx);
    expect(s.conclusion[0]).toMatch(/relu \(lr 0\.003\) won with test MSE 0\.0200 ± 0\.0010/);
    expect(s.conclusion[0]).toContain('50.0% lower than the runner-up tanh (lr 0.003)');
    // the other five activations never ran: their cells say so
    expect(s.body.join('\n')).toContain('| elu | not run |');
  });
});
