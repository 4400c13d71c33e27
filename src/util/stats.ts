// Small statistics shared by the tools that time things (profile, sweep) and the sweep's
// comparisons over seeds: mean, sample sd, and Welch's t-test; and PSNR, the decibels of an MSE,
// which training's metrics (src/train/metrics.ts) and evaluation (src/eval/metrics.ts) both report.

/** The middle value, or the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: expected at least one value');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The arithmetic mean (NaN for no values). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

export interface MeanSd {
  mean: number;
  /** Sample sd (NaN for one value). */
  sd: number;
  n: number;
}

/** Mean, sample sd and count of `values`: one cell of the sweep's tables (mean ± sd over seeds). */
export function meanSd(values: readonly number[]): MeanSd {
  return { mean: mean(values), sd: sampleSd(values), n: values.length };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 digits). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularized incomplete beta function I_x(a, b), by its continued fraction (Numerical Recipes §6.4). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let f = d;
  for (let m = 1; m <= 300; m++) {
    for (const even of [true, false]) {
      const num = even ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c; if (Math.abs(c) < tiny) c = tiny;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-15) break;
  }
  return (front * f) / a;
}

export interface WelchTest {
  /** (mean a − mean b) / √(sa²/na + sb²/nb) */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value: the chance of a |t| this large when both means are equal. */
  p: number;
}

/**
 * Welch's two-sample t-test (unequal variances) of two samples of at least two values each.
 * Two samples without spread: p = 0 when their means differ, 1 when they are equal.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchTest {
  if (a.length < 2 || b.length < 2) throw new Error(`welchTest: each sample needs at least two values, got ${a.length} and ${b.length}`);
  const va = sampleSd(a) ** 2 / a.length, vb = sampleSd(b) ** 2 / b.length;
  const diff = mean(a) - mean(b);
  const se2 = va + vb;
  if (se2 === 0) return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: a.length + b.length - 2, p: diff === 0 ? 1 : 0 };
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  // P(|T| ≥ |t|) for Student's t with df degrees of freedom = I_{df/(df+t²)}(df/2, 1/2)
  return { t, df, p: incompleteBeta(df / (df + t * t), df / 2, 0.5) };
}

/** 10·log10(peak² / mse); Infinity for a perfect reconstruction. */
export function psnr(mse: number, peak = 1): number {
  if (!(mse >= 0)) throw new Error(`psnr: mse must be a non-negative number, got ${mse}`);
  if (!(peak > 0)) throw new Error(`psnr: peak must be positive, got ${peak}`);
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}
