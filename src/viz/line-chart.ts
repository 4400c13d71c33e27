// Line chart: one polyline per series (e.g. train and validation loss per epoch), with axes,
// numbered ticks, optional log-scale y, and a legend; series told apart by colour and dash.

import type { Image } from '../io/png.js';
import { drawFrame } from './axes.js';
import { seriesStyle } from './colors.js';
import type { Rgb } from './canvas.js';

export interface LineSeries {
  name: string;
  values: number[];
  /** x of each value; default 0, 1, 2, … */
  x?: number[];
  /** Colour and dash pattern; default seriesStyle(index): a new dash after every 10 colours. */
  color?: Rgb;
  dash?: readonly number[];
}

export interface LineChartOptions {
  series: LineSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (values <= 0 are left out). */
  logY?: boolean;
  width?: number;
  height?: number;
}

function styleOf(s: LineSeries, i: number): { color: Rgb; dash: readonly number[] } {
  const d = seriesStyle(i);
  return { color: s.color ?? d.color, dash: s.dash ?? d.dash };
}

export function lineChart(options: LineChartOptions): Image {
  const { series } = options;
  if (series.length === 0) throw new Error(`lineChart: no series given`);
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  for (const s of series) {
    if (s.x && s.x.length !== s.values.length) {
      throw new Error(`lineChart: series '${s.name}' has ${s.values.length} values but ${s.x.length} x positions`);
    }
    s.values.forEach((v, i) => {
      const x = s.x ? s.x[i] : i;
      if (!Number.isFinite(v) || !Number.isFinite(x) || (options.logY && v <= 0)) return;
      xlo = Math.min(xlo, x); xhi = Math.max(xhi, x);
      ylo = Math.min(ylo, v); yhi = Math.max(yhi, v);
    });
  }
  if (!Number.isFinite(ylo)) {
    throw new Error(`lineChart: no finite${options.logY ? ', positive' : ''} values to plot in ${series.length} series`);
  }
  const frame = drawFrame({
    width: options.width ?? 900,
    height: options.height ?? 540,
    title: options.title,
    x: { lo: xlo, hi: xhi, label: options.xLabel },
    y: { lo: ylo, hi: yhi, log: options.logY, label: options.yLabel },
    legend: series.map((s, i) => ({ name: s.name, ...styleOf(s, i), mark: 'line' as const })),
  });
  const { canvas } = frame;
  series.forEach((s, si) => {
    const { color, dash } = styleOf(s, si);
    const xs = s.values.map((_, i) => frame.px(s.x ? s.x[i] : i));
    const ys = s.values.map((v) => (Number.isFinite(v) ? frame.py(v) : NaN));
    canvas.polyline(xs, ys, color, 2.5, dash);
    // A dot on each point when there are few, so single points and short runs show.
    if (s.values.length <= 40) xs.forEach((x, i) => { if (Number.isFinite(x) && Number.isFinite(ys[i])) canvas.disc(x, ys[i], 3, color); });
  });
  return canvas.toImage();
}
