// The frame shared by line charts and scatter plots: a plot rectangle with grid lines, ticks with
// numbers on both axes, axis labels, a title, and a legend to the right of the plot.

import { Canvas, type Rgb } from './canvas.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';
import { formatTick, logTicks, niceTicks } from './ticks.js';

const TEXT: Rgb = [30, 30, 30];
const AXIS: Rgb = [60, 60, 60];
const GRID: Rgb = [228, 228, 228];

/** Font scales: tick numbers and labels at 2 (12 px per character), the title at 3. */
const LABEL_SCALE = 2;
const TITLE_SCALE = 3;

export interface AxisSpec {
  lo: number;
  hi: number;
  log?: boolean;
  label?: string;
}

export interface LegendEntry {
  name: string;
  color: Rgb;
  /** 'line' for series, 'dot' for classes. */
  mark: 'line' | 'dot';
  /** The line's dash pattern (mark 'line'). */
  dash?: readonly number[];
}

export interface FrameSpec {
  width: number;
  height: number;
  title?: string;
  x: AxisSpec;
  y: AxisSpec;
  legend?: LegendEntry[];
}

export interface Frame {
  canvas: Canvas;
  /** Plot rectangle in pixels. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** Data → pixel (non-finite for values a log axis cannot show). */
  px(x: number): number;
  py(y: number): number;
}

function ticksFor(a: AxisSpec): { ticks: number[]; lo: number; hi: number } {
  return a.log ? logTicks(a.lo, a.hi) : niceTicks(a.lo, a.hi, 6);
}

const charH = GLYPH_HEIGHT * LABEL_SCALE;

export function drawFrame(spec: FrameSpec): Frame {
  const canvas = new Canvas(spec.width, spec.height);
  const xt = ticksFor(spec.x);
  const yt = ticksFor(spec.y);
  const yLabels = yt.ticks.map(formatTick);
  const xLabels = xt.ticks.map(formatTick);

  const legend = spec.legend ?? [];
  const legendW = legend.length > 0 ? Math.max(...legend.map((e) => textWidth(e.name, LABEL_SCALE))) + 62 : 0;
  const left = 16 + (spec.y.label ? charH + 14 : 0) + Math.max(...yLabels.map((s) => textWidth(s, LABEL_SCALE))) + 12;
  const top = spec.title ? 20 + GLYPH_HEIGHT * TITLE_SCALE + 18 : 24;
  const right = spec.width - 24 - legendW;
  const bottom = spec.height - 16 - (spec.x.label ? charH + 14 : 0) - charH - 12;
  if (right - left < 40 || bottom - top < 40) {
    throw new Error(`drawFrame: a ${spec.width}×${spec.height} picture leaves no room for the plot; make it larger`);
  }

  const map = (lo: number, hi: number, log: boolean | undefined, p0: number, p1: number) => (v: number) => {
    if (log) {
      if (!(v > 0)) return NaN;
      return p0 + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (p1 - p0);
    }
    return p0 + ((v - lo) / (hi - lo)) * (p1 - p0);
  };
  const px = map(xt.lo, xt.hi, spec.x.log, left, right);
  const py = map(yt.lo, yt.hi, spec.y.log, bottom, top);

  // Grid and ticks
  for (let i = 0; i < xt.ticks.length; i++) {
    const x = Math.round(px(xt.ticks[i]));
    canvas.fillRect(x, top, 1, bottom - top, GRID);
    canvas.fillRect(x, bottom, 1, 6, AXIS);
    const w = textWidth(xLabels[i], LABEL_SCALE);
    canvas.text(x - w / 2, bottom + 10, xLabels[i], TEXT, LABEL_SCALE);
  }
  for (let i = 0; i < yt.ticks.length; i++) {
    const y = Math.round(py(yt.ticks[i]));
    canvas.fillRect(left, y, right - left, 1, GRID);
    canvas.fillRect(left - 6, y, 6, 1, AXIS);
    const w = textWidth(yLabels[i], LABEL_SCALE);
    canvas.text(left - 10 - w, y - charH / 2, yLabels[i], TEXT, LABEL_SCALE);
  }
  canvas.strokeRect(left, top, right - left + 1, bottom - top + 1, AXIS);

  if (spec.title) {
    const w = textWidth(spec.title, TITLE_SCALE);
    canvas.text(Math.max(8, (left + right) / 2 - w / 2), 20, spec.title, TEXT, TITLE_SCALE);
  }
  if (spec.x.label) {
    const w = textWidth(spec.x.label, LABEL_SCALE);
    canvas.text((left + right) / 2 - w / 2, spec.height - 16 - charH, spec.x.label, TEXT, LABEL_SCALE);
  }
  if (spec.y.label) {
    const w = textWidth(spec.y.label, LABEL_SCALE);
    canvas.textVertical(16, (top + bottom) / 2 - w / 2, spec.y.label, TEXT, LABEL_SCALE);
  }
  if (legend.length > 0) {
    const lx = right + 24;
    let ly = top + 4;
    for (const e of legend) {
      const cy = ly + charH / 2;
      // a swatch long enough to show a whole dash-dot period
      if (e.mark === 'line') canvas.polyline([lx, lx + 34], [cy, cy], e.color, 3, e.dash);
      else canvas.disc(lx + 11, cy, 5, e.color);
      canvas.text(lx + 42, ly, e.name, TEXT, LABEL_SCALE);
      ly += charH + 10;
    }
  }
  return { canvas, left, top, right, bottom, px, py };
}
