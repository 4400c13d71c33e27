// Summary statistics against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { max, mean, median, min, percentile, sampleStd, spread, summarize } from '../../bench/harness/stats.js';

describe('bench/harness/stats', () => {
  it('median of an odd count is the middle sample, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([0.57, 0.52, 0.6, 0.55, 0.58])).toBe(0.57);
  });

  it('median of an even count is the mean of the two middle samples', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
  });

  it('min, max and mean', () => {
    expect(min([5, -2, 7])).toBe(-2);
    expect(max([5, -2, 7])).toBe(7);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });

  it('sample standard deviation divides by n − 1', () => {
    // deviations from the mean 5: −3, −1, −1, −1, 0, 0, 2, 4 → squares sum to 32; 32 / 7
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(sampleStd([3])).toBe(0);
  });

  it('spread is (max - min) / median', () => {
    // (4 - 1) / 2 = 1.5
    expect(spread([1, 2, 4])).toBe(1.5);
    // 0.52..0.60 around 0.57: 0.08 / 0.57
    expect(spread([0.52, 0.57, 0.6])).toBeCloseTo(0.08 / 0.57, 12);
    expect(spread([0, 0, 0])).toBe(0);
    expect(spread([7])).toBe(0);
  });

  it('percentile interpolates linearly between ranks p/100 * (n - 1)', () => {
    const xs = [4, 1, 3, 2];
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(4);
    // rank 0.75: 1 + 0.75 * (2 - 1)
    expect(percentile(xs, 25)).toBe(1.75);
    // rank 1.5: the median
    expect(percentile(xs, 50)).toBe(2.5);
    // rank 0.9 * 4 = 3.6 in [10, 20, 30, 40, 50]: 40 + 0.6 * 10
    expect(percentile([50, 10, 40, 20, 30], 90)).toBeCloseTo(46, 12);
  });

  it('summarize gathers them', () => {
    expect(summarize([3, 1, 2, 6])).toEqual({ median: 2.5, min: 1, max: 6, spread: 2, n: 4 });
  });

  it('rejects empty input, non-finite samples and bad percentiles with the function named', () => {
    expect(() => median([])).toThrow(/stats\.ts median: expected at least one sample/);
    expect(() => summarize([1, Number.NaN])).toThrow(/expected finite numbers, got NaN/);
    expect(() => percentile([1, 2], 101)).toThrow(/percentile: expected 0 <= p <= 100, got 101/);
  });

  it('does not reorder the caller\'s array', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});
