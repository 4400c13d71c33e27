// Scatter plot of 2-D points coloured by class, with a legend: the latent map of an
// autoencoder with a 2-D code (each point an encoded test image, its colour its label).

import type { Image } from '../io/png.js';
import { drawFrame } from './axes.js';
import { categoryColor } from './colors.js';

export interface ScatterPlotOptions {
  /** n × 2: x0, y0, x1, y1, … */
  points: Float32Array;
  labels: Uint8Array | Int32Array;
  classNames: readonly string[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Marker radius in pixels (default 2.2) and opacity (default 0.6; overlapping points darken). */
  radius?: number;
  alpha?: number;
}

export function scatterPlot(options: ScatterPlotOptions): Image {
  const { points, labels, classNames } = options;
  if (points.length % 2 !== 0) throw new Error(`scatterPlot: points has ${points.length} values, expected n × 2`);
  const n = points.length / 2;
  if (labels.length !== n) throw new Error(`scatterPlot: ${labels.length} labels for ${n} points`);
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    if (labels[i] >= classNames.length) throw new Error(`scatterPlot: point ${i} has label ${labels[i]} but only ${classNames.length} class names`);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    xlo = Math.min(xlo, x); xhi = Math.max(xhi, x);
    ylo = Math.min(ylo, y); yhi = Math.max(yhi, y);
  }
  if (!Number.isFinite(xlo)) throw new Error(`scatterPlot: no finite points among ${n}`);
  const frame = drawFrame({
    width: options.width ?? 900,
    height: options.height ?? 720,
    title: options.title,
    x: { lo: xlo, hi: xhi, label: options.xLabel },
    y: { lo: ylo, hi: yhi, label: options.yLabel },
    legend: classNames.map((name, i) => ({ name, color: categoryColor(i), mark: 'dot' as const })),
  });
  const radius = options.radius ?? 2.2;
  const alpha = options.alpha ?? 0.6;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    frame.canvas.disc(frame.px(x), frame.py(y), radius, categoryColor(labels[i]), alpha);
  }
  return frame.canvas.toImage();
}
