import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, writePng, type Image } from '../../src/io/png.js';
import { Canvas } from '../../src/viz/canvas.js';
import { categoryColor, seriesStyle } from '../../src/viz/colors.js';
import { glyph, hasGlyph, textWidth } from '../../src/viz/font.js';
import { imageComparison, imageGrid } from '../../src/viz/image-grid.js';
import { lineChart } from '../../src/viz/line-chart.js';
import { scatterPlot } from '../../src/viz/scatter-plot.js';
import { tempDir } from '../io/helpers.js';
import { formatTick, logTicks, niceTicks } from '../../src/viz/ticks.js';

const px = (img: Image, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

/** All pixel coordinates whose colour is exactly `rgb`. */
function pixelsOf(img: Image, rgb: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const i = (y * img.width + x) * 3;
    if (img.data[i] === rgb[0] && img.data[i + 1] === rgb[1] && img.data[i + 2] === rgb[2]) out.push([x, y]);
  }
  return out;
}

describe('font', () => {
  it('has every character the charts need, each glyph distinct', () => {
    const needed = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-e+:%()/=,_ ';
    for (const ch of needed) expect(hasGlyph(ch), ch).toBe(true);
    const seen = new Map<string, string>();
    for (const ch of new Set(needed)) {
      const key = glyph(ch).join(',');
      expect(seen.get(key), `${ch} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, ch);
    }
    expect(textWidth('abc', 2)).toBe((3 * 6 - 1) * 2);
  });

  it('draws a glyph pixel for pixel', () => {
    const c = new Canvas(7, 9);
    c.text(1, 1, '4');
    const want = [ // '4' drawn by hand, 5×7
      '...#.',
      '..##.',
      '.#.#.',
      '#..#.',
      '#####',
      '...#.',
      '...#.',
    ];
    for (let y = 0; y < 7; y++) for (let x = 0; x < 5; x++) {
      expect(c.data[((y + 1) * 7 + x + 1) * 3], `(${x},${y})`).toBe(want[y][x] === '#' ? 0 : 255);
    }
  });
});

describe('ticks', () => {
  it('picks 1-2-5 steps covering the range and prints short labels', () => {
    expect(niceTicks(0, 0.57).ticks).toEqual([0, 0.2, 0.4, 0.6]); // 0.57/5 = 0.114 → step 0.2
    expect(niceTicks(-4.7, 5.2).ticks).toEqual([-6, -4, -2, 0, 2, 4, 6]);
    expect(niceTicks(1, 30).ticks).toEqual([0, 10, 20, 30]); // 29/5 = 5.8 → step 10
    expect(niceTicks(0, 1, 11).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(logTicks(0.0023, 0.6).ticks).toEqual([0.001, 0.01, 0.1, 1]);
  });

  it('a log axis over less than two decades gets ticks between the powers of ten', () => {
    // 0.88 decade: 1-2-5; the axis ends at the ticks just outside the data
    expect(logTicks(0.012, 0.09)).toEqual({ ticks: [0.01, 0.02, 0.05, 0.1], lo: 0.01, hi: 0.1 });
    expect(logTicks(0.0031, 0.3).ticks).toEqual([0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    // 0.61 decade: every digit
    expect(logTicks(0.011, 0.045)).toEqual({ ticks: [0.01, 0.02, 0.03, 0.04, 0.05], lo: 0.01, hi: 0.05 });
    // 0.06 decade, as the test MSE of a sweep's variants often is: even steps
    expect(logTicks(0.0121, 0.0138)).toEqual({ ticks: [0.012, 0.0125, 0.013, 0.0135, 0.014], lo: 0.012, hi: 0.014 });
    expect([0.0125, 0.002, 0.0005].map(formatTick)).toEqual(['0.0125', '0.002', '5e-4']);
    expect([0, 0.1, 0.001, 0.0001, 12, 250000, -0.3, 1.5e-7].map(formatTick)).toEqual(['0', '0.1', '0.001', '1e-4', '12', '2.5e5', '-0.3', '1.5e-7']);
  });
});

describe('imageGrid', () => {
  it('tiles images at the given scale with padding, values mapped to gray levels and clamped', () => {
    const h = 2, w = 3, count = 5;
    const images = Float32Array.from({ length: count * h * w }, (_, i) => (i % 7) / 6);
    images[0] = -1; // clamps to black
    images[1] = 2; // clamps to white
    const img = imageGrid(images, count, h, w, { cols: 3, scale: 2, padding: 1 });
    expect(img.channels).toBe(3);
    expect(img.width).toBe(1 + 3 * (3 * 2 + 1));
    expect(img.height).toBe(1 + 2 * (2 * 2 + 1));
    for (let k = 0; k < count; k++) {
      const x0 = 1 + (k % 3) * 7, y0 = 1 + Math.floor(k / 3) * 5;
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
        const v = Math.min(1, Math.max(0, images[k * 6 + r * 3 + c]));
        const g = Math.round(v * 255);
        for (const [dx, dy] of [[0, 0], [1, 1]]) expect(px(img, x0 + c * 2 + dx, y0 + r * 2 + dy)).toEqual([g, g, g]);
      }
    }
    expect(px(img, 0, 0)).toEqual([128, 128, 128]); // padding
    expect(px(img, img.width - 2, img.height - 2)).toEqual([128, 128, 128]); // the empty 6th cell
    // The picture survives PNG encoding.
    const file = path.join(tempDir('viz'), 'grid.png');
    writePng(file, img);
    expect(Buffer.from(decodePng(fs.readFileSync(file)).data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('imageComparison puts matching images in columns with labelled rows', () => {
    const h = 4, w = 4, count = 3;
    const a = new Float32Array(count * 16).fill(1);
    const b = new Float32Array(count * 16).fill(0);
    const img = imageComparison([{ label: 'input', images: a }, { label: 'output', images: b }], count, h, w, { scale: 1, padding: 2 });
    const labelW = textWidth('output', 1) + 12;
    expect(img.width).toBe(labelW + 2 + count * (4 + 2));
    expect(img.height).toBe(2 + 2 * (4 + 2));
    for (let c = 0; c < count; c++) {
      expect(px(img, labelW + 2 + c * 6 + 1, 2 + 1)).toEqual([255, 255, 255]); // row 'input': white tiles
      expect(px(img, labelW + 2 + c * 6 + 1, 8 + 1)).toEqual([0, 0, 0]); // row 'output': black tiles
    }
    // The labels are drawn: dark text pixels inside the label column.
    const dark = pixelsOf(img, [30, 30, 30]).filter(([x]) => x < labelW);
    expect(dark.length).toBeGreaterThan(20);
    expect(() => imageComparison([{ images: new Float32Array(10) }], 3, 4, 4)).toThrow(/imageComparison \(row 0\): 3 images of 4×4 need 48 values, got 10/);
  });
});

describe('lineChart', () => {
  it('draws each series in its own colour, higher values higher up, with a legend', () => {
    const down = Array.from({ length: 20 }, (_, i) => 10 - i * 0.5);
    const up = Array.from({ length: 20 }, (_, i) => i * 0.5);
    const img = lineChart({ series: [{ name: 'falling', values: down }, { name: 'rising', values: up }], title: 'Test chart', xLabel: 'epoch', yLabel: 'loss' });
    expect([img.width, img.height, img.channels]).toEqual([900, 540, 3]);
    const blue = pixelsOf(img, categoryColor(0));
    const orange = pixelsOf(img, categoryColor(1));
    expect(blue.length).toBeGreaterThan(300);
    expect(orange.length).toBeGreaterThan(300);
    // Within the plot (left of the legend), 'falling' goes down to the right: its y grows with x.
    const inPlot = (pts: [number, number][]) => pts.filter(([x]) => x < 700);
    const corr = (pts: [number, number][]) => {
      const n = pts.length, mx = pts.reduce((a, p) => a + p[0], 0) / n, my = pts.reduce((a, p) => a + p[1], 0) / n;
      let sxy = 0, sxx = 0, syy = 0;
      for (const [x, y] of pts) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; syy += (y - my) ** 2; }
      return sxy / Math.sqrt(sxx * syy);
    };
    expect(corr(inPlot(blue))).toBeGreaterThan(0.99);
    expect(corr(inPlot(orange))).toBeLessThan(-0.99);
    // Legend swatches sit right of the plot.
    expect(blue.some(([x]) => x > 720)).toBe(true);
    expect(orange.some(([x]) => x > 720)).toBe(true);
  });

  it('a log y axis turns an exponential into a straight line', () => {
    const values = Array.from({ length: 30 }, (_, i) => 2 * Math.pow(10, -i / 10));
    const img = lineChart({ series: [{ name: 'loss', values }], logY: true });
    const pts = pixelsOf(img, categoryColor(0)).filter(([x]) => x < 700);
    // Fit y = a + b x and check the residuals are within a couple of pixels.
    const n = pts.length, mx = pts.reduce((a, p) => a + p[0], 0) / n, my = pts.reduce((a, p) => a + p[1], 0) / n;
    let sxy = 0, sxx = 0;
    for (const [x, y] of pts) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; }
    const b = sxy / sxx;
    const worst = Math.max(...pts.map(([x, y]) => Math.abs(y - (my + b * (x - mx)))));
    expect(worst).toBeLessThan(5);
    expect(() => lineChart({ series: [{ name: 'neg', values: [-1, 0] }], logY: true })).toThrow(/lineChart: no finite, positive values to plot/);
  });
});

describe('dashed lines', () => {
  const values = Array.from({ length: 60 }, (_, i) => 1 + i / 20);
  const solid = lineChart({ series: [{ name: 'a', values, color: categoryColor(3), dash: [] }] });
  const dashed = lineChart({ series: [{ name: 'a', values, color: categoryColor(3), dash: [10, 8] }] });
  /** The x columns of the plot where the line has a pixel of its exact colour. */
  const columns = (img: Image) => new Set(pixelsOf(img, categoryColor(3)).filter(([x]) => x < 700).map(([x]) => x));

  it('a dash pattern leaves gaps along the line that the solid line does not have', () => {
    const s = columns(solid), d = columns(dashed);
    const lo = Math.min(...s), hi = Math.max(...s);
    expect(hi - lo).toBeGreaterThan(400);
    // the solid line covers every column between its ends; the dashed one leaves ~8/18 of them
    for (let x = lo; x <= hi; x++) expect(s.has(x), `column ${x}`).toBe(true);
    const missing = hi - lo + 1 - [...d].filter((x) => x >= lo && x <= hi).length;
    expect(missing / (hi - lo + 1)).toBeGreaterThan(0.15);
    expect(missing / (hi - lo + 1)).toBeLessThan(0.5);
  });

  it('the 12 series of a sweep differ in colour or dash, and the same colour with another dash draws other pixels', () => {
    const styles = Array.from({ length: 12 }, (_, i) => seriesStyle(i));
    expect(new Set(styles.map((st) => `${st.color.join(',')}/${st.dash.join(',')}`)).size).toBe(12);
    expect(styles[10].dash).not.toEqual(styles[0].dash);
    let differ = 0;
    for (let i = 0; i < solid.data.length; i++) if (solid.data[i] !== dashed.data[i]) differ++;
    expect(differ).toBeGreaterThan(300);
    expect(() => lineChart({ series: [{ name: 'a', values, dash: [4] }] })).toThrow(/Canvas.polyline: dash must be an even number of positive lengths/);
  });
});

describe('scatterPlot', () => {
  it('colours points by class and places them where their coordinates say', () => {
    const n = 300;
    const points = new Float32Array(n * 2);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 3;
      labels[i] = k;
      // class 0 at (-5, 0), class 1 at (5, 0), class 2 at (0, 5), with a little spread
      points[2 * i] = [-5, 5, 0][k] + Math.sin(i) * 0.5;
      points[2 * i + 1] = [0, 0, 5][k] + Math.cos(i) * 0.5;
    }
    const img = scatterPlot({ points, labels, classNames: ['left', 'right', 'top'], alpha: 1 });
    const centre = (k: number) => {
      const pts = pixelsOf(img, categoryColor(k)).filter(([x]) => x < 700);
      return [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];
    };
    const [l, r, t] = [centre(0), centre(1), centre(2)];
    expect(l[0]).toBeLessThan(t[0]);
    expect(t[0]).toBeLessThan(r[0]);
    expect(Math.abs(l[1] - r[1])).toBeLessThan(5); // same height
    expect(t[1]).toBeLessThan(l[1] - 50); // 'top' is higher up (smaller row)
    expect(() => scatterPlot({ points, labels: new Uint8Array(n).fill(7), classNames: ['a'] })).toThrow(/point 0 has label 7 but only 1 class names/);
    expect(() => scatterPlot({ points: new Float32Array(3), labels, classNames: ['a'] })).toThrow(/points has 3 values, expected n × 2/);
  });
});
