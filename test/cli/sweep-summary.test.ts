// The sweep's summaries and conclusions from synthetic result tables: a clear winner, values
// within noise, one seed, ranking by reconstruction error rather than by the objective.
import { describe, expect, test } from 'vitest';
import { compareSamples, factorSummaries, summarizeVariants, type SweepRun, type VariantRuns } from '../../src/cli/sweep-summary.js';
import { markdownReport } from '../../src/cli/sweep-report.js';

/** Runs with these test MSEs at seeds 0, 1, …; train MSE 0.002 lower; objective = MSE + penalty. */
function runs(testMse: number[], penalty = 0): SweepRun[] {
  return testMse.map((m, seed) => ({ seed, testMse: m, trainMse: m - 0.002, testObjective: m + penalty, testMseCurve: [2 * m, m], secondsPerEpoch: 1 }));
}

// lr = 0.001 is clearly better (≈0.011 against ≈0.020, seed-to-seed spread ≈0.0005); the
// optimizers differ by less than their spread.
const table: VariantRuns[] = [
  { name: 'lr=0.001 optimizer=sgd', settings: { lr: 0.001, optimizer: 'sgd' }, parameters: 10, runs: runs([0.0120, 0.0105, 0.0113]) },
  { name: 'lr=0.001 optimizer=adam', settings: { lr: 0.001, optimizer: 'adam' }, parameters: 10, runs: runs([0.0110, 0.0118, 0.0102]) },
  { name: 'lr=0.01 optimizer=sgd', settings: { lr: 0.01, optimizer: 'sgd' }, parameters: 10, runs: runs([0.0210, 0.0195, 0.0203]) },
  { name: 'lr=0.01 optimizer=adam', settings: { lr: 0.01, optimizer: 'adam' }, parameters: 10, runs: runs([0.0200, 0.0212, 0.0199]) },
];
const factors = [{ option: 'lr', values: [0.001, 0.01] }, { option: 'optimizer', values: ['sgd', 'adam'] }];

/** Mean and sd computed here, by Σx² − n·x̄² rather than the library's two passes. */
function stats(xs: number[]): { mean: number; sd: number } {
  let s = 0, s2 = 0;
  for (const x of xs) { s += x; s2 += x * x; }
  const m = s / xs.length;
  return { mean: m, sd: Math.sqrt((s2 - xs.length * m * m) / (xs.length - 1)) };
}

/** Per seed, the mean over the variants with option = value. */
function perSeed(option: string, value: string | number): number[] {
  const rows = table.filter((v) => v.settings[option] === value);
  return [0, 1, 2].map((seed) => rows.reduce((a, v) => a + v.runs[seed].testMse, 0) / rows.length);
}

describe('sweep summary', () => {
  test('every variant is mean ± sd over its seeds, and the gap is test − train', () => {
    const ranked = summarizeVariants(table, 0.015);
    const v = ranked.find((s) => s.name === 'lr=0.01 optimizer=adam')!;
    const want = stats([0.0200, 0.0212, 0.0199]);
    expect(v.testMse.mean).toBeCloseTo(want.mean, 14);
    expect(v.testMse.sd).toBeCloseTo(want.sd, 12);
    expect(v.testMse.n).toBe(3);
    expect(v.gap.mean).toBeCloseTo(0.002, 14);
    expect(v.seeds).toEqual([0, 1, 2]);
    // the mean curve is [2·mean, mean]: first below 0.015 at epoch 2 for lr 0.01? 0.0204 > 0.015: never
    expect(v.epochsToTarget).toBeNull();
    expect(ranked.find((s) => s.name === 'lr=0.001 optimizer=adam')!.epochsToTarget).toBe(2);
  });

  test('variants are ranked by test reconstruction MSE, not by the objective with its penalty', () => {
    const withPenalty: VariantRuns[] = [
      { name: 'l2=0', settings: { l2: 0 }, parameters: 10, runs: runs([0.0120, 0.0121, 0.0119]) },
      { name: 'l2=0.001', settings: { l2: 0.001 }, parameters: 10, runs: runs([0.0100, 0.0101, 0.0099], 0.061) },
    ];
    const ranked = summarizeVariants(withPenalty);
    expect(ranked.map((s) => s.name)).toEqual(['l2=0.001', 'l2=0']);
    expect(ranked[0].testObjective.mean).toBeGreaterThan(ranked[1].testObjective.mean);
    const report = markdownReport({ header: [], conclusions: [], variants: ranked, factors: [], target: 0.011, seeds: 3 });
    const rows = report.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows[0]).toMatch(/^\| 1 \| l2=0\.001 \| \*\*0\.0100 ± 0\.0001\*\* \| 0\.0080 ± 0\.0001 \| 0\.0020 ± 0\.0000 \| 0\.0710 ± 0\.0001 \|/);
    expect(rows[1]).toMatch(/^\| 2 \| l2=0 \| 0\.0120 ± 0\.0001 \|/);
  });

  test('a clear winner is named, with its margin and the test', () => {
    const [lr] = factorSummaries(table, factors);
    const best = stats(perSeed('lr', 0.001)), other = stats(perSeed('lr', 0.01));
    expect(lr.levels.map((l) => l.value)).toEqual([0.001, 0.01]);
    expect(lr.levels[0].testMse.mean).toBeCloseTo(best.mean, 14);
    expect(lr.levels[0].testMse.sd).toBeCloseTo(best.sd, 12);
    expect(lr.levels[0].runs).toBe(6);
    const pct = (100 * (other.mean - best.mean) / other.mean).toFixed(1);
    expect(lr.conclusion).toBe(
      `--lr: 0.001 won: test MSE ${best.mean.toFixed(4)} ± ${best.sd.toFixed(4)} (mean ± sd over 3 seeds), ${pct}% lower than the runner-up 0.01 `
      + `(${other.mean.toFixed(4)} ± ${other.sd.toFixed(4)}), a difference larger than the noise (Welch's t-test, p < 0.001).`);
    expect(Number(pct)).toBeGreaterThan(40);
  });

  test('values within noise are called so, and no value is said to have won', () => {
    const [, optimizer] = factorSummaries(table, factors);
    const adam = stats(perSeed('optimizer', 'adam')), sgd = stats(perSeed('optimizer', 'sgd'));
    expect(adam.mean).toBeLessThan(sgd.mean);
    expect(optimizer.levels.map((l) => l.value)).toEqual(['adam', 'sgd']);
    expect(optimizer.conclusion).toMatch(new RegExp(`^--optimizer: within noise, no value won: the lowest test MSE, adam \\(${adam.mean.toFixed(4)} ± ${adam.sd.toFixed(4)}, mean ± sd over 3 seeds\\), `
      + `is ${(100 * (sgd.mean - adam.mean) / sgd.mean).toFixed(1)}% lower than sgd \\(${sgd.mean.toFixed(4)} ± ${sgd.sd.toFixed(4)}\\), but Welch's t-test does not separate them \\(p = 0\\.\\d{3} ≥ 0\\.05\\)\\.$`));
    expect(optimizer.conclusion).not.toMatch(/(adam|sgd) won/);
  });

  test('a mixed result names the values within noise of the best; one seed tests nothing', () => {
    const mixed = compareSamples('--act', [
      { label: 'tanh', samples: [0.030, 0.031, 0.029] },
      { label: 'relu', samples: [0.0100, 0.0104, 0.0098] },
      { label: 'elu', samples: [0.0102, 0.0099, 0.0105] },
    ]);
    expect(mixed).toMatch(/^--act: relu has the lowest test MSE \(0\.0101 ± 0\.0003, mean ± sd over 3 seeds\) and beats tanh \(0\.0300 ± 0\.0010, p [<=] [\d.]+\) by more than the noise, but elu \(0\.0102 ± 0\.0003, p = 0\.\d{3}\) is within noise of it/);
    expect(mixed).toMatch(/so the best is one of relu, elu\.$/);
    const single = compareSamples('--lr', [{ label: '0.01', samples: [0.02] }, { label: '0.001', samples: [0.01] }]);
    expect(single).toBe('--lr: 0.001 has the lowest test MSE, 0.0100, 50.0% lower than 0.01 (0.0200); with one seed there is no estimate of the noise, '
      + 'so whether this difference is larger than the noise is not known (give several seeds, e.g. --seed 0,1,2).');
  });
});

test('past three beaten values, the sentence names only the closest of them', () => {
  const many = compareSamples('Best variant', [
    { label: 'a', samples: [0.0100, 0.0101, 0.0099] }, { label: 'b', samples: [0.0101, 0.0100, 0.0102] },
    ...['c', 'd', 'e', 'f'].map((label, k) => ({ label, samples: [0.02 + k * 0.001, 0.0201 + k * 0.001, 0.0199 + k * 0.001] })),
  ]);
  expect(many).toMatch(/^Best variant: a has the lowest test MSE \(0\.0100 ± 0\.0001, mean ± sd over 3 seeds\) and beats 4 other values \(the closest: c \(0\.0200 ± 0\.0001, p < 0\.001\)\) by more than the noise, but b \(0\.0101 ± 0\.0001, p = 0\.\d{3}\) is within noise of it/);
});
