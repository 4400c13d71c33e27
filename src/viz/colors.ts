// A qualitative palette for series and classes: the 10 "category10" colours (d3 / matplotlib's
// tab10), chosen to be told apart; more than 10 cycle with a darker shade.

import { hexColor, type Rgb } from './canvas.js';

const CATEGORY10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'].map(hexColor);

export function categoryColor(i: number): Rgb {
  const base = CATEGORY10[i % 10];
  const round = Math.floor(i / 10);
  if (round === 0) return base;
  const k = Math.pow(0.65, round);
  return [Math.round(base[0] * k), Math.round(base[1] * k), Math.round(base[2] * k)];
}
