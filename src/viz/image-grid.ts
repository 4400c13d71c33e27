// Tiles of small grayscale images (values in [0, 1], clamped): a sample of inputs, VAE samples,
// a latent walk; and `imageComparison` for rows of matching images (inputs over noisy inputs over
// reconstructions), each row band labelled on the left.

import type { Image } from '../io/png.js';
import { Canvas, type Rgb } from './canvas.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';

export interface ImageGridOptions {
  /** Tiles per row (default: ceil(sqrt(count))). */
  cols?: number;
  /** Each image pixel becomes scale×scale (default 2). */
  scale?: number;
  /** Pixels between tiles and around the edge (default 2). */
  padding?: number;
  /** Colour between tiles (default mid gray, so white and black tiles both show their edges). */
  background?: Rgb;
  /** Invert so that 1 is black (ink on paper); default false (1 is white, as MNIST is shown). */
  invert?: boolean;
}

function checkImages(op: string, images: Float32Array, count: number, h: number, w: number): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new Error(`${op}: image size must be positive integers, got ${h}×${w}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`${op}: count must be a positive integer, got ${count}`);
  if (images.length < count * h * w) {
    throw new Error(`${op}: ${count} images of ${h}×${w} need ${count * h * w} values, got ${images.length}`);
  }
}

/** Draw image k of `images` (count × h × w) with its top-left at (x0, y0). */
function drawTile(canvas: Canvas, images: Float32Array, k: number, h: number, w: number, x0: number, y0: number, scale: number, invert: boolean): void {
  const base = k * h * w;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      let v = images[base + r * w + c];
      v = Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 1 ? 1 : v;
      if (invert) v = 1 - v;
      const g = Math.round(v * 255);
      canvas.fillRect(x0 + c * scale, y0 + r * scale, scale, scale, [g, g, g]);
    }
  }
}

/** Tile `count` grayscale images (count × h × w, row-major) into a grid. */
export function imageGrid(images: Float32Array, count: number, h: number, w: number, options: ImageGridOptions = {}): Image {
  checkImages('imageGrid', images, count, h, w);
  const cols = options.cols ?? Math.ceil(Math.sqrt(count));
  const scale = options.scale ?? 2;
  const pad = options.padding ?? 2;
  const rows = Math.ceil(count / cols);
  const tw = w * scale, th = h * scale;
  const canvas = new Canvas(pad + cols * (tw + pad), pad + rows * (th + pad), options.background ?? [128, 128, 128]);
  for (let k = 0; k < count; k++) {
    const r = Math.floor(k / cols), c = k % cols;
    drawTile(canvas, images, k, h, w, pad + c * (tw + pad), pad + r * (th + pad), scale, options.invert ?? false);
  }
  return canvas.toImage();
}

export interface ComparisonRow {
  /** Shown at the left of the row band, e.g. 'input', 'noisy', 'output'. */
  label?: string;
  /** At least count × h × w values. */
  images: Float32Array;
}

/**
 * Rows of matching images: column j of every row shows image j of that row's set. With more
 * images than `cols`, the rows wrap into further bands (each band repeats all the rows).
 */
export function imageComparison(rows: ComparisonRow[], count: number, h: number, w: number, options: ImageGridOptions = {}): Image {
  if (rows.length === 0) throw new Error(`imageComparison: no rows given`);
  rows.forEach((row, i) => checkImages(`imageComparison (row ${i}${row.label ? ` '${row.label}'` : ''})`, row.images, count, h, w));
  const cols = Math.min(count, options.cols ?? count);
  const scale = options.scale ?? 2;
  const pad = options.padding ?? 2;
  const bands = Math.ceil(count / cols);
  const tw = w * scale, th = h * scale;
  const labelScale = th >= 28 ? 2 : 1;
  const labelW = Math.max(0, ...rows.map((r) => (r.label ? textWidth(r.label, labelScale) + 12 : 0)));
  const bandGap = bands > 1 ? 3 * pad + 4 : 0;
  const bandH = rows.length * (th + pad);
  const canvas = new Canvas(labelW + pad + cols * (tw + pad), pad + bands * bandH + (bands - 1) * bandGap, options.background ?? [128, 128, 128]);
  if (labelW > 0) canvas.fillRect(0, 0, labelW, canvas.height, [255, 255, 255]);
  for (let b = 0; b < bands; b++) {
    const y0 = pad + b * (bandH + bandGap);
    rows.forEach((row, ri) => {
      const y = y0 + ri * (th + pad);
      if (row.label) canvas.text(6, y + th / 2 - (GLYPH_HEIGHT * labelScale) / 2, row.label, [30, 30, 30], labelScale);
      for (let c = 0; c < cols && b * cols + c < count; c++) {
        drawTile(canvas, row.images, b * cols + c, h, w, labelW + pad + c * (tw + pad), y, scale, options.invert ?? false);
      }
    });
  }
  return canvas.toImage();
}
