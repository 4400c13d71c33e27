// Summary statistics for benchmark samples. Spread is (max - min) / median: a run whose
// spread is large was disturbed and its median should be read with care.
// The Python and .mjs peers compute the same summary (bench/peers/stats.py, summarize()).
// The arithmetic is src/util/stats.ts's (one median, mean and sd for the CLI and the benchmarks);
// this file adds the benchmark's checks: no empty sample set, no NaN or infinite sample.
import { mean as meanOf, median as medianOf, sampleSd } from '../../src/util/stats.js';

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median; 0 when the median is 0. */
  spread: number;
  n: number;
}

function sortedCopy(samples: readonly number[], fn: string): number[] {
  if (samples.length === 0) throw new Error(`bench/harness/stats.ts ${fn}: expected at least one sample, got none`);
  for (const x of samples) {
    if (!Number.isFinite(x)) throw new Error(`bench/harness/stats.ts ${fn}: expected finite numbers, got ${x}`);
  }
  return [...samples].sort((a, b) => a - b);
}

export function min(samples: readonly number[]): number {
  return sortedCopy(samples, 'min')[0];
}

export function max(samples: readonly number[]): number {
  const s = sortedCopy(samples, 'max');
  return s[s.length - 1];
}

export function mean(samples: readonly number[]): number {
  return meanOf(sortedCopy(samples, 'mean'));
}

/** Sample standard deviation (n − 1 in the denominator); 0 for a single sample. */
export function sampleStd(samples: readonly number[]): number {
  return samples.length < 2 ? 0 : sampleSd(samples);
}

/** The middle sample, or the mean of the two middle ones for an even count. */
export function median(samples: readonly number[]): number {
  return medianOf(sortedCopy(samples, 'median'));
}

/**
 * The p-th percentile (0 <= p <= 100) by linear interpolation between closest ranks
 * (NumPy's default "linear" method): rank = p/100 * (n - 1).
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new Error(`bench/harness/stats.ts percentile: expected 0 <= p <= 100, got ${p}`);
  const s = sortedCopy(samples, 'percentile');
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

/** (max - min) / median, the relative width of the samples; 0 when the median is 0. */
export function spread(samples: readonly number[]): number {
  const m = median(samples);
  return m === 0 ? 0 : (max(samples) - min(samples)) / m;
}

export function summarize(samples: readonly number[]): Summary {
  return { median: median(samples), min: min(samples), max: max(samples), spread: spread(samples), n: samples.length };
}
