import { describe, expect, it } from 'vitest';
import { incompleteBeta, mean, meanSd, median, psnr, sampleSd, welchTest } from '../../src/util/stats.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(/at least one value/);
  });
});

describe('mean, sample sd and Welch\'s t-test', () => {
  it('mean and sd (n − 1) of small samples', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    // Σ(x − 3)² = 4 + 1 + 0 + 9 = 14 over n − 1 = 3
    expect(sampleSd([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 14);
    expect(sampleSd([5])).toBeNaN();
  });

  it('the incomplete beta matches closed forms', () => {
    // I_x(1/2, 1/2) = (2/π)·asin(√x);  I_x(a, 1) = x^a;  I_x(1, b) = 1 − (1 − x)^b
    for (const x of [0.01, 0.2, 0.5, 0.77, 0.999]) {
      expect(incompleteBeta(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 12);
      expect(incompleteBeta(x, 3.5, 1)).toBeCloseTo(x ** 3.5, 12);
      expect(incompleteBeta(x, 1, 4)).toBeCloseTo(1 - (1 - x) ** 4, 12);
    }
  });

  it('p-values match Student\'s t distribution', () => {
    // n = 2 each with equal spread: df = 2, where P(|T| ≥ t) = 1 − t/√(2 + t²)
    const two = welchTest([0, 1], [2, 3]);
    const t = -2 / Math.sqrt(0.5);
    expect(two.t).toBeCloseTo(t, 12);
    expect(two.df).toBeCloseTo(2, 12);
    expect(two.p).toBeCloseTo(1 - Math.abs(t) / Math.sqrt(2 + t * t), 10);
    // n = 6 each, equal spread: df = 10, and the table's two-sided 5% point is t = 2.2281
    const a = [1, 2, 3, 4, 5, 6];
    const shift = 2.2281 * Math.sqrt(2 * 3.5 / 6);
    const ten = welchTest(a.map((x) => x + shift), a);
    expect(ten.df).toBeCloseTo(10, 10);
    expect(ten.p).toBeCloseTo(0.05, 4);
    // no spread: different means are certain, equal ones are not different
    expect(welchTest([1, 1], [2, 2]).p).toBe(0);
    expect(welchTest([1, 1], [1, 1]).p).toBe(1);
    expect(() => welchTest([1], [2, 3])).toThrow(/welchTest: each sample needs at least two values, got 1 and 2/);
  });
});

describe('meanSd and psnr', () => {
  it('meanSd is the mean, the sample sd (n − 1) and the count', () => {
    // [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, sd = √(5/3)
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), n: 4 });
    expect(meanSd([7]).sd).toBeNaN();
  });

  it('psnr is 10·log10(peak² / mse) in dB', () => {
    expect(psnr(0.01)).toBeCloseTo(20, 12);          // 10·log10(1 / 0.01)
    expect(psnr(4, 255)).toBeCloseTo(10 * Math.log10(65025 / 4), 12);
    expect(psnr(0)).toBe(Infinity);
    expect(() => psnr(-1)).toThrow('psnr: mse must be a non-negative number, got -1');
  });
});
