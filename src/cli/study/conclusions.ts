// The study's sentences, generated from numbers alone (tests feed synthetic tables): which option
// won, by how much, and whether that is larger than the noise by Welch's t-test over the repeats
// (two-sided, p < 0.05). Lower is better for errors, higher for accuracies.
import { welchTest } from '../../util/stats.js';
import { formatMeanSd, formatP, SIGNIFICANCE, type Candidate } from '../sweep-summary.js';
import { meanSd, type MeanSd } from '../../util/stats.js';

export interface Metric {
  /** e.g. 'test MSE', 'kNN accuracy'. */
  name: string;
  higherIsBetter: boolean;
  /** Accuracies: margins in percentage points and values in percent. */
  accuracy?: boolean;
}

export const TEST_MSE: Metric = { name: 'test MSE', higherIsBetter: false };

/** "0.0123 ± 0.0004", or for accuracies "81.2 ± 0.4%". */
export function formatValue(m: MeanSd, metric: Metric, ref = m.mean): string {
  if (metric.accuracy) return `${(100 * m.mean).toFixed(1)}${Number.isFinite(m.sd) ? ` ± ${(100 * m.sd).toFixed(1)}` : ''}%`;
  return formatMeanSd(m, ref);
}

/** How much better `best` is than `other`: "12.3% lower" or "2.1 points higher". */
export function margin(best: number, other: number, metric: Metric): string {
  if (metric.accuracy) return `${(100 * Math.abs(best - other)).toFixed(1)} points ${best >= other ? 'higher' : 'lower'}`;
  const pct = (100 * Math.abs(other - best)) / Math.abs(other);
  return `${pct.toFixed(1)}% ${best <= other ? 'lower' : 'higher'}`;
}

/** Welch's p of two samples; a sample of one value (a deterministic baseline) counts as exact. */
export function pValue(a: readonly number[], b: readonly number[]): number {
  const two = (s: readonly number[]) => (s.length === 1 ? [s[0], s[0]] : s);
  if (a.length < 2 && b.length < 2) return NaN;
  return welchTest(two(a), two(b)).p;
}

/**
 * One sentence: the best candidate, its margin over the runner-up and whether the difference is
 * larger than the noise; with several candidates within noise of the best, it names them all.
 */
export function compareCandidates(subject: string, candidates: readonly Candidate[], metric: Metric = TEST_MSE, alpha = SIGNIFICANCE): string {
  const usable = candidates.filter((c) => c.samples.length > 0);
  if (usable.length === 0) return `${subject}: no run finished, nothing to compare.`;
  const sign = metric.higherIsBetter ? -1 : 1;
  const sorted = usable.map((c) => ({ ...c, stats: meanSd(c.samples) })).sort((a, b) => sign * (a.stats.mean - b.stats.mean));
  const [best, ...others] = sorted;
  const v = (c: (typeof sorted)[number]) => formatValue(c.stats, metric, best.stats.mean);
  if (others.length === 0) return `${subject}: only ${best.label} finished (${metric.name} ${v(best)}); nothing to compare it with.`;
  const runner = others[0];
  if (best.samples.length < 2) {
    return `${subject}: ${best.label} has the best ${metric.name}, ${v(best)}, ${margin(best.stats.mean, runner.stats.mean, metric)} than ${runner.label} (${v(runner)}); with one repeat the noise is unknown, so this is not tested.`;
  }
  const tested = others.map((o) => ({ ...o, p: pValue(best.samples, o.samples) }));
  const within = tested.filter((o) => !(o.p < alpha));
  const beaten = tested.filter((o) => o.p < alpha);
  const n = `mean ± sd over ${best.samples.length} repeats`;
  if (within.length === 0) {
    return `${subject}: ${best.label} won with ${metric.name} ${v(best)} (${n}), ${margin(best.stats.mean, runner.stats.mean, metric)} than the runner-up ${runner.label} (${v(runner)}); `
      + `the difference is larger than the noise (Welch's t-test, ${formatP(tested[0].p)}${tested.length > 1 ? `; every other option is further behind, each p < ${alpha}` : ''}).`;
  }
  if (beaten.length === 0) {
    return `${subject}: within noise: ${best.label} has the best ${metric.name}, ${v(best)} (${n}), only ${margin(best.stats.mean, runner.stats.mean, metric)} than ${runner.label} (${v(runner)}), `
      + `and Welch's t-test separates it from none of the others (smallest p = ${Math.min(...tested.map((o) => o.p)).toFixed(3)} ≥ ${alpha}).`;
  }
  const names = [best, ...within].map((c) => c.label).join(', ');
  return `${subject}: ${best.label} has the best ${metric.name} (${v(best)}, ${n}) and beats ${beaten.map((o) => `${o.label} (${margin(best.stats.mean, o.stats.mean, metric)}, ${formatP(o.p)})`).join(', ')} by more than the noise, `
    + `but ${within.map((o) => `${o.label} (${v(o)}, ${formatP(o.p)})`).join(', ')} ${within.length > 1 ? 'are' : 'is'} within noise of it, so the best is one of ${names}.`;
}

/** "a beats b by 12.3% (p = 0.002)" / "a and b are within noise (…)": one pair, for per-size comparisons. */
export function comparePair(a: Candidate, b: Candidate, metric: Metric = TEST_MSE, alpha = SIGNIFICANCE): { better: 'a' | 'b' | 'tie'; text: string } {
  const ma = meanSd(a.samples).mean, mb = meanSd(b.samples).mean;
  const p = pValue(a.samples, b.samples);
  const aBetter = metric.higherIsBetter ? ma > mb : ma < mb;
  const [w, l] = aBetter ? [ma, mb] : [mb, ma];
  const winner = aBetter ? a.label : b.label;
  if (!(p < alpha)) return { better: 'tie', text: `${a.label} and ${b.label} within noise (${winner} ${margin(w, l, metric)}, ${Number.isNaN(p) ? 'untested' : formatP(p)})` };
  return { better: aBetter ? 'a' : 'b', text: `${winner} better (${margin(w, l, metric)}, ${formatP(p)})` };
}
