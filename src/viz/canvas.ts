// An RGB raster with the few primitives the charts need: rectangles, anti-aliased lines and
// discs (coverage from the distance of each pixel centre to the shape), and bitmap text.

import type { Image } from '../io/png.js';
import { GLYPH_ADVANCE, GLYPH_WIDTH, glyph, textWidth } from './font.js';

export type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/** Parse '#rrggbb'. */
export function hexColor(hex: string): Rgb {
  const v = parseInt(hex.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export class Canvas {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb = WHITE) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`Canvas: size must be positive integers, got ${width}×${height}`);
    }
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Blend `color` into pixel (x, y) with opacity alpha in [0, 1]; off-canvas pixels are ignored. */
  blend(x: number, y: number, color: Rgb, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || alpha <= 0) return;
    const i = (y * this.width + x) * 3;
    const a = alpha >= 1 ? 1 : alpha;
    const d = this.data;
    d[i] = Math.round(d[i] + (color[0] - d[i]) * a);
    d[i + 1] = Math.round(d[i + 1] + (color[1] - d[i + 1]) * a);
    d[i + 2] = Math.round(d[i + 2] + (color[2] - d[i + 2]) * a);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w)), y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.blend(xx, yy, color, alpha);
  }

  /** 1-pixel rectangle outline. */
  strokeRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    this.fillRect(x, y, w, 1, color);
    this.fillRect(x, y + h - 1, w, 1, color);
    this.fillRect(x, y, 1, h, color);
    this.fillRect(x + w - 1, y, 1, h, color);
  }

  /**
   * Anti-aliased line of `width` pixels from (x0, y0) to (x1, y1) (pixel centres at +0.5).
   * Coverage of a pixel = clamp(width/2 + 0.5 − distance to the segment, 0, 1).
   */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1, alpha = 1): void {
    const r = width / 2;
    const minX = Math.floor(Math.min(x0, x1) - r - 1), maxX = Math.ceil(Math.max(x0, x1) + r + 1);
    const minY = Math.floor(Math.min(y0, y1) - r - 1), maxY = Math.ceil(Math.max(y0, y1) + r + 1);
    const dx = x1 - x0, dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let py = Math.max(0, minY); py <= Math.min(this.height - 1, maxY); py++) {
      for (let px = Math.max(0, minX); px <= Math.min(this.width - 1, maxX); px++) {
        const cx = px + 0.5, cy = py + 0.5;
        // t = projection of the pixel centre onto the segment, clamped to its ends
        const t = len2 > 0 ? Math.max(0, Math.min(1, ((cx - x0) * dx + (cy - y0) * dy) / len2)) : 0;
        const ex = cx - (x0 + t * dx), ey = cy - (y0 + t * dy);
        const cover = r + 0.5 - Math.sqrt(ex * ex + ey * ey);
        if (cover > 0) this.blend(px, py, color, Math.min(1, cover) * alpha);
      }
    }
  }

  /**
   * A connected polyline; points with a non-finite coordinate break it into pieces. `dash`
   * (on, off, on, off, … lengths in pixels; empty: solid) runs on along the whole line, so a
   * pattern is not restarted at every vertex.
   */
  polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, color: Rgb, width = 2, dash: readonly number[] = []): void {
    const period = dash.reduce((a, b) => a + b, 0);
    if (dash.length > 0 && (dash.length % 2 !== 0 || dash.some((d) => !(d > 0)))) {
      throw new Error(`Canvas.polyline: dash must be an even number of positive lengths (on, off, …), got [${dash.join(', ')}]`);
    }
    let travelled = 0;     // distance along the line so far: the position in the dash pattern
    for (let i = 1; i < xs.length; i++) {
      const x0 = xs[i - 1], y0 = ys[i - 1], x1 = xs[i], y1 = ys[i];
      if (![x0, y0, x1, y1].every(Number.isFinite)) continue;
      if (period === 0) { this.line(x0, y0, x1, y1, color, width); continue; }
      const len = Math.hypot(x1 - x0, y1 - y0);
      let at = 0;
      while (at < len) {
        // which piece of the pattern the point `at` is in, and how much of it is left
        let phase = (travelled + at) % period, k = 0;
        while (phase >= dash[k]) { phase -= dash[k]; k++; }
        const end = Math.min(len, at + dash[k] - phase);
        if (k % 2 === 0) {
          const a = at / len, b = end / len;
          this.line(x0 + a * (x1 - x0), y0 + a * (y1 - y0), x0 + b * (x1 - x0), y0 + b * (y1 - y0), color, width);
        }
        at = end;
      }
      travelled += len;
    }
  }

  /** Anti-aliased filled disc centred at (x, y). */
  disc(x: number, y: number, radius: number, color: Rgb, alpha = 1): void {
    for (let py = Math.floor(y - radius - 1); py <= Math.ceil(y + radius + 1); py++) {
      for (let px = Math.floor(x - radius - 1); px <= Math.ceil(x + radius + 1); px++) {
        const d = Math.hypot(px + 0.5 - x, py + 0.5 - y);
        const cover = radius + 0.5 - d;
        if (cover > 0) this.blend(px, py, color, Math.min(1, cover) * alpha);
      }
    }
  }

  /** Draw `text` with its top-left corner at (x, y); each font pixel becomes scale×scale. */
  text(x: number, y: number, text: string, color: Rgb = BLACK, scale = 1): void {
    let cx = Math.round(x);
    const top = Math.round(y);
    for (const ch of text) {
      const rows = glyph(ch);
      for (let gy = 0; gy < rows.length; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (rows[gy] & (0x10 >> gx)) this.fillRect(cx + gx * scale, top + gy * scale, scale, scale, color);
        }
      }
      cx += GLYPH_ADVANCE * scale;
    }
  }

  /** Text rotated 90° counter-clockwise (reading bottom to top), its bounding box's top-left at (x, y). */
  textVertical(x: number, y: number, text: string, color: Rgb = BLACK, scale = 1): void {
    const w = textWidth(text, scale);
    let i = 0;
    for (const ch of text) {
      const rows = glyph(ch);
      // The glyph's column gx goes up the canvas; its row gy goes right.
      const baseY = Math.round(y) + w - i * GLYPH_ADVANCE * scale;
      for (let gy = 0; gy < rows.length; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (rows[gy] & (0x10 >> gx)) this.fillRect(Math.round(x) + gy * scale, baseY - (gx + 1) * scale, scale, scale, color);
        }
      }
      i++;
    }
  }

  toImage(): Image {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }
}
