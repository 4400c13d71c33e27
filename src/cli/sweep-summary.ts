// What a sweep's runs say, computed from its result table alone (no training here, so tests can
// feed it synthetic tables): every variant as mean ± sd over its seeds, ranked by test
// reconstruction MSE (never by the objective, which includes each variant's own penalties); for
// each swept option, the mean test MSE per value averaged over the other options; and the
// conclusion sentences, generated from those numbers. A difference is called larger than the
// noise when Welch's t-test over the seeds gives p < 0.05 (two-sided); with one seed there is no
// estimate of the noise and the sentence says so.
import { mean, meanSd, welchTest, type MeanSd } from '../util/stats.js';
import type { OptionValue } from './options.js';

/** The level below which a difference is called larger than the noise. */
export const SIGNIFICANCE = 0.05;

export const TEST_DESCRIPTION = `Welch's t-test over the seeds (two-sided, p < ${SIGNIFICANCE}; each value compared with the best, no correction for multiple comparisons)`;

/** One training run of a sweep: one variant at one seed. */
export interface SweepRun {
  seed: number;
  /** Mean squared reconstruction error per value on the test rows after the last epoch (eval mode). */
  testMse: number;
  /** The same on the training rows: testMse − trainMse is the generalisation gap. */
  trainMse: number;
  /** The training objective on the test rows: data loss + the model's terms (KL, sparsity) + weight penalties. */
  testObjective: number;
  /** Test MSE after each epoch. */
  testMseCurve: number[];
  secondsPerEpoch: number;
}

export interface VariantRuns {
  name: string;
  /** The swept options' values of this variant (option name → value). */
  settings: Record<string, OptionValue>;
  parameters: number;
  runs: SweepRun[];
}

export type { MeanSd };

export interface VariantSummary {
  name: string;
  settings: Record<string, OptionValue>;
  parameters: number;
  seeds: number[];
  testMse: MeanSd;
  trainMse: MeanSd;
  /** testMse − trainMse per seed. */
  gap: MeanSd;
  testObjective: MeanSd;
  secondsPerEpoch: number;
  /** Test MSE per epoch, averaged over the seeds (epochs every seed reached). */
  curve: number[];
  epochsToTarget: number | null;
}

/** Every variant with at least one run, as mean ± sd over its seeds, ranked by mean test MSE (best first). */
export function summarizeVariants(variants: readonly VariantRuns[], target?: number): VariantSummary[] {
  const out = variants.filter((v) => v.runs.length > 0).map((v): VariantSummary => {
    const epochs = Math.min(...v.runs.map((r) => r.testMseCurve.length));
    const curve = Array.from({ length: epochs }, (_, e) => mean(v.runs.map((r) => r.testMseCurve[e])));
    return {
      name: v.name, settings: v.settings, parameters: v.parameters, seeds: v.runs.map((r) => r.seed),
      testMse: meanSd(v.runs.map((r) => r.testMse)), trainMse: meanSd(v.runs.map((r) => r.trainMse)),
      gap: meanSd(v.runs.map((r) => r.testMse - r.trainMse)), testObjective: meanSd(v.runs.map((r) => r.testObjective)),
      secondsPerEpoch: mean(v.runs.map((r) => r.secondsPerEpoch)), curve, epochsToTarget: null,
    };
  });
  out.sort((a, b) => a.testMse.mean - b.testMse.mean);
  if (target !== undefined) for (const s of out) s.epochsToTarget = firstEpochBelow(s.curve, target);
  return out;
}

/** The first epoch (1-based) whose test MSE is at or below `target`; null if none reached it. */
export function firstEpochBelow(curve: readonly number[], target: number): number | null {
  const i = curve.findIndex((v) => v <= target);
  return i < 0 ? null : i + 1;
}

export interface Factor {
  option: string;
  values: OptionValue[];
}

export interface FactorLevel {
  value: OptionValue;
  /** Per seed: the mean test MSE of the variants with this value; then mean ± sd over the seeds. */
  testMse: MeanSd;
  gap: MeanSd;
  runs: number;
}

export interface FactorSummary {
  option: string;
  /** Best (lowest mean test MSE) first. */
  levels: FactorLevel[];
  conclusion: string;
}

/**
 * For each swept option: each value's test MSE averaged over the other options (per seed, then
 * mean ± sd over the seeds), and the sentence comparing the values.
 */
export function factorSummaries(variants: readonly VariantRuns[], factors: readonly Factor[]): FactorSummary[] {
  return factors.map((f) => {
    const withSamples = f.values.map((value) => {
      const runs = variants.filter((v) => v.settings[f.option] === value).flatMap((v) => v.runs);
      const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
      const perSeed = (metric: (r: SweepRun) => number) => seeds.map((s) => mean(runs.filter((r) => r.seed === s).map(metric)));
      const testMse = perSeed((r) => r.testMse);
      return { value, samples: testMse, level: { value, testMse: meanSd(testMse), gap: meanSd(perSeed((r) => r.testMse - r.trainMse)), runs: runs.length } };
    }).filter((x) => x.samples.length > 0);
    withSamples.sort((a, b) => a.level.testMse.mean - b.level.testMse.mean);
    return {
      option: f.option,
      levels: withSamples.map((x) => x.level),
      conclusion: compareSamples(`--${f.option}`, withSamples.map((x) => ({ label: String(x.value), samples: x.samples }))),
    };
  });
}

/** Decimals that show `ref` to 3 significant digits (0.01234 → 5), so a mean and its sd line up. */
function decimalsFor(ref: number): number {
  if (!Number.isFinite(ref) || ref === 0) return 4;
  return Math.min(12, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(ref)))));
}

/** "0.0123 ± 0.0004" (the sd left out with one value). */
export function formatMeanSd(m: MeanSd, ref = m.mean): string {
  const d = decimalsFor(ref);
  return Number.isFinite(m.sd) ? `${m.mean.toFixed(d)} ± ${m.sd.toFixed(d)}` : m.mean.toFixed(d);
}

export const formatP = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** How much lower `best` is than `other`, in percent of `other`. */
const percentLower = (best: number, other: number) => `${((100 * (other - best)) / other).toFixed(1)}%`;

/** One option's values of a metric: one per seed (a sweep) or per repeat (a study). */
export interface Candidate {
  label: string;
  samples: number[];
}

/**
 * One sentence from the numbers: which candidate has the lowest mean test MSE, by how much, and
 * whether that is larger than the noise (Welch's t-test against each other candidate).
 */
export function compareSamples(subject: string, candidates: readonly Candidate[], alpha = SIGNIFICANCE): string {
  if (candidates.length === 0) return `${subject}: no run finished, nothing to compare.`;
  const sorted = [...candidates].map((c) => ({ ...c, stats: meanSd(c.samples) })).sort((a, b) => a.stats.mean - b.stats.mean);
  const [best, ...others] = sorted;
  const ms = (c: (typeof sorted)[number]) => formatMeanSd(c.stats, best.stats.mean);
  if (others.length === 0) return `${subject}: only ${best.label} finished: test MSE ${ms(best)}; nothing to compare it with.`;
  const runner = others[0];
  // a value whose other seeds diverged has no spread to test with
  const untested = others.filter((o) => o.samples.length < 2);
  const note = untested.length > 0 && untested.length < others.length && best.samples.length >= 2
    ? ` Not tested (fewer than two finished seeds): ${untested.map((o) => `${o.label} (${ms(o)})`).join(', ')}.` : '';
  if (best.samples.length < 2 || untested.length === others.length) {
    return `${subject}: ${best.label} has the lowest test MSE, ${ms(best)}, ${percentLower(best.stats.mean, runner.stats.mean)} lower than ${runner.label} (${ms(runner)}); `
      + 'with one seed there is no estimate of the noise, so whether this difference is larger than the noise is not known (give several seeds, e.g. --seed 0,1,2).';
  }
  const tested = others.filter((o) => o.samples.length >= 2).map((o) => ({ ...o, p: welchTest(best.samples, o.samples).p }));
  const testedRunner = tested[0];
  const beaten = tested.filter((o) => o.p < alpha);
  const within = tested.filter((o) => !(o.p < alpha));
  const seeds = `mean ± sd over ${best.samples.length} seeds`;
  const detail = (o: (typeof tested)[number]) => `${o.label} (${ms(o)}, ${formatP(o.p)})`;
  if (within.length === 0) {
    const rest = tested.length > 1 ? `; the other values are further behind, each with p < ${alpha}` : '';
    return `${subject}: ${best.label} won: test MSE ${ms(best)} (${seeds}), ${percentLower(best.stats.mean, testedRunner.stats.mean)} lower than the runner-up ${testedRunner.label} (${ms(testedRunner)}), `
      + `a difference larger than the noise (Welch's t-test, ${formatP(tested[0].p)}${rest}).${note}`;
  }
  if (beaten.length === 0) {
    const rest = tested.length > 1 ? `, nor from any other value (smallest p = ${Math.min(...tested.map((o) => o.p)).toFixed(3)})` : '';
    return `${subject}: within noise, no value won: the lowest test MSE, ${best.label} (${ms(best)}, ${seeds}), is ${percentLower(best.stats.mean, testedRunner.stats.mean)} lower than ${testedRunner.label} (${ms(testedRunner)}), `
      + `but Welch's t-test does not separate them (${formatP(tested[0].p)} ≥ ${alpha})${rest}.${note}`;
  }
  // past three, name only the closest of the beaten values: the sentence is read, not parsed
  const beats = beaten.length > 3 ? `${beaten.length} other values (the closest: ${detail(beaten[0])})` : beaten.map(detail).join(', ');
  return `${subject}: ${best.label} has the lowest test MSE (${ms(best)}, ${seeds}) and beats ${beats} by more than the noise, `
    + `but ${within.map(detail).join(', ')} ${within.length > 1 ? 'are' : 'is'} within noise of it (Welch's t-test, p ≥ ${alpha}), so the best is one of ${[best, ...within].map((c) => c.label).join(', ')}.${note}`;
}
