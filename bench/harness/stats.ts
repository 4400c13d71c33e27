// Summary statistics for benchmark samples. Spread is (max - min) / median: a run whose
// spread is large was disturbed and its median should be read with care.
// The Python and .mjs peers compute the same summary (bench/peers/stats.py, summarize()).

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
  const s = sortedCopy(samples, 'mean');
  return s.reduce((acc, x) => acc + x, 0) / s.length;
}

/** The middle sample, or the mean of the two middle ones for an even count. */
/** Sample standard deviation (n − 1 in the denominator); 0 for a single sample. */
export function sampleStd(samples: readonly number[]): number {
  if (samples.length < 2) return 0;
  const m = mean(samples);
  return Math.sqrt(samples.reduce((a, x) => a + (x - m) ** 2, 0) / (samples.length - 1));
}

export function median(samples: readonly number[]): number {
  const s = sortedCopy(samples, 'median');
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
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
