// A qualitative palette for series and classes: the 10 "category10" colours (d3 / matplotlib's
// tab10), chosen to be told apart; more than 10 cycle with a darker shade. Lines past the 10th
// also change dash pattern (seriesStyle), so 12 or 40 series stay apart on one chart.

import { hexColor, type Rgb } from './canvas.js';

const CATEGORY10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'].map(hexColor);

export function categoryColor(i: number): Rgb {
  const base = CATEGORY10[i % 10];
  const round = Math.floor(i / 10);
  if (round === 0) return base;
  const k = Math.pow(0.65, round);
  return [Math.round(base[0] * k), Math.round(base[1] * k), Math.round(base[2] * k)];
}

/**
 * Dash patterns (on, off, … in pixels) for lines: solid, dashed, dotted, dash-dot. A line's round
 * ends reach half its width into each gap, so the gaps are wide enough to stay open at width 2.5.
 */
const DASH_PATTERNS: readonly (readonly number[])[] = [[], [10, 8], [2, 7], [12, 7, 2, 7]];

/** Colour and dash of the i-th line: a new dash pattern after every 10 colours. */
export function seriesStyle(i: number): { color: Rgb; dash: readonly number[] } {
  return { color: categoryColor(i), dash: DASH_PATTERNS[Math.floor(i / 10) % DASH_PATTERNS.length] };
}
