// Axis ticks at "nice" values (1, 2 or 5 × 10^k apart; on a log axis, powers of ten or 1-2-5
// mantissas by the range) and their labels.

/** About `target` ticks covering [lo, hi], at multiples of a nice step. */
export function niceTicks(lo: number, hi: number, target = 6): { ticks: number[]; lo: number; hi: number; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`niceTicks: range [${lo}, ${hi}] must be finite`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, target - 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(roundTo(k * step, step));
  return { ticks, lo: first * step, hi: last * step, step };
}

/** Remove float noise (0.30000000000000004 → 0.3) relative to the step size. */
function roundTo(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, digits)));
}

/**
 * Ticks for a log axis covering [lo, hi] (both > 0). Over more than two decades: powers of ten
 * (every k-th when there are many). Over fewer, decades alone leave one or two labels, so the
 * ticks are 1, 2, 5 × 10^k (0.8 to 2 decades), 1…9 × 10^k (0.45 to 0.8 decade: still ≥ 5 % of
 * the axis apart), or evenly spaced nice values (narrower still); the axis ends at the ticks just
 * outside the data.
 */
export function logTicks(lo: number, hi: number): { ticks: number[]; lo: number; hi: number } {
  if (!(lo > 0) || !(hi > 0)) throw new Error(`logTicks: range [${lo}, ${hi}] must be positive`);
  if (hi < lo) [lo, hi] = [hi, lo];
  const decades = Math.log10(hi / lo);
  if (decades > 2) {
    const e0 = Math.floor(Math.log10(lo) + 1e-9);
    const e1 = Math.ceil(Math.log10(hi) - 1e-9);
    const ticks: number[] = [];
    const stride = Math.max(1, Math.ceil((e1 - e0) / 8));
    for (let e = e0; e <= e1; e += stride) ticks.push(Math.pow(10, e));
    return { ticks, lo: Math.pow(10, e0), hi: Math.pow(10, e1) };
  }
  if (decades < 0.45) {
    // e.g. 0.0121 … 0.0138: linear steps read better than any power-of-ten pattern
    const ticks = niceTicks(lo, hi, 5).ticks.filter((t) => t > 0);
    return { ticks, lo: ticks[0], hi: ticks[ticks.length - 1] };
  }
  const mantissas = decades > 0.8 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const candidates: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) candidates.push(roundTo(m * Math.pow(10, e), Math.pow(10, e)));
  }
  // the last candidate at or below lo, the first at or above hi, and those between
  const eps = 1e-9;
  let i0 = 0;
  while (i0 + 1 < candidates.length && candidates[i0 + 1] <= lo * (1 + eps)) i0++;
  const i1 = candidates.findIndex((c) => c >= hi * (1 - eps));
  const ticks = candidates.slice(i0, i1 + 1);
  return { ticks, lo: ticks[0], hi: ticks[ticks.length - 1] };
}

/** A short label: integers as is, small/large numbers in e-notation (1e-3, 2.5e+6), else ≤ 4 significant digits. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential(2).split('e');
    const mant = String(Number(m));
    return `${mant}e${e.startsWith('+') ? e.slice(1) : e}`;
  }
  return String(Number(v.toPrecision(4)));
}
