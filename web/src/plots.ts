// The playground's plots, drawn on 2-D canvases by hand: line charts, image grids, a scatter
// coloured by class, histograms. No library, nothing fetched.

export const CLASS_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error(`plots: canvas #${canvas.id} gave no 2-D context`);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '10px sans-serif';
  return ctx;
}

export interface Series { name: string; color: string; xs: number[]; ys: number[] }

const fmt = (v: number): string => (Math.abs(v) >= 1e3 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : v.toPrecision(3));

export interface Rect { x: number; y: number; w: number; h: number }

/** Lines over a shared x axis on the whole canvas; `log` draws y on a log10 scale (values ≤ 0 are skipped). */
export function lineChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions = {}): void {
  chartIn(context(canvas), { x: 0, y: 0, w: canvas.width, h: canvas.height }, series, options);
}

export interface ChartOptions {
  log?: boolean;
  title?: string;
  /** Marks each point (for sparse series, where lines alone would hide how few points there are). */
  points?: boolean;
  /** The x axis's name, written under it. */
  xLabel?: string;
}

/** lineChart inside `r` of a context: a frame, y labels at top and bottom, x labels at both ends, a legend. */
export function chartIn(ctx: CanvasRenderingContext2D, r: Rect, series: Series[], options: ChartOptions = {}): void {
  const left = r.x + 44, right = r.x + r.w - 6, top = r.y + (options.title ? 16 : 6), bottom = r.y + r.h - 16;
  const ty = (v: number): number => (options.log ? Math.log10(v) : v);
  const usable = (y: number): boolean => Number.isFinite(y) && !(options.log && y <= 0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series) s.xs.forEach((x, i) => {
    const y = s.ys[i];
    if (!usable(y)) return;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, ty(y)); y1 = Math.max(y1, ty(y));
  });
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  if (options.title) ctx.fillText(options.title, r.x + 2, r.y + 10);
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(left, top, right - left, bottom - top);
  if (!(x1 >= x0)) { ctx.fillText('no data yet', left + 6, (top + bottom) / 2); return; }
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  // A flat curve keeps a visible band around it: ±5% of its value (a log band of ±0.02 decades).
  const pad = Math.max((y1 - y0) * 0.06, options.log ? 0.02 : Math.abs(y1) * 0.05 || 0.5);
  y0 -= pad; y1 += pad;
  const px = (x: number): number => left + ((x - x0) / (x1 - x0)) * (right - left);
  const py = (y: number): number => top + (1 - (ty(y) - y0) / (y1 - y0)) * (bottom - top);
  const label = (v: number): string => fmt(options.log ? 10 ** v : v);
  ctx.fillText(label(y1), r.x + 2, top + 8);
  ctx.fillText(label(y0), r.x + 2, bottom);
  if (options.log) { ctx.fillStyle = '#999'; ctx.fillText('log', r.x + 2, (top + bottom) / 2 + 4); ctx.fillStyle = '#333'; }
  ctx.fillText(String(Math.round(x0)), left, bottom + 11);
  ctx.textAlign = 'right';
  ctx.fillText(String(Math.round(x1)), right, bottom + 11);
  if (options.xLabel) { ctx.textAlign = 'center'; ctx.fillText(options.xLabel, (left + right) / 2, bottom + 11); }
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    s.xs.forEach((x, i) => {
      if (!usable(s.ys[i])) return;
      if (started) ctx.lineTo(px(x), py(s.ys[i])); else { ctx.moveTo(px(x), py(s.ys[i])); started = true; }
    });
    ctx.stroke();
    if (options.points) s.xs.forEach((x, i) => { if (usable(s.ys[i])) ctx.fillRect(px(x) - 1.5, py(s.ys[i]) - 1.5, 3, 3); });
    ctx.textAlign = 'right';
    ctx.fillText(s.name, right - 4, top + 11 + 11 * k);
  });
  ctx.lineWidth = 1;
  ctx.textAlign = 'left';
}

/** One ImageData per canvas, reused while its size holds: the grids are redrawn often. */
const gridPixels = new WeakMap<HTMLCanvasElement, ImageData>();

/**
 * Images as a grid: `images` holds rows of `width·height` values; each tile is scaled to grey
 * from its own min…max (`signed`: 0 is mid-grey and the tile's largest |value| is white/black),
 * or from [0, 1] when neither is asked. Tiles are enlarged by a whole factor (nearest pixel) to
 * fill the canvas below `top` (room for a caption), and written with one putImageData.
 */
export function imageGrid(canvas: HTMLCanvasElement, images: Float32Array, width: number, height: number, cols: number,
  options: { signed?: boolean; perTile?: boolean; top?: number } = {}): { scale: number; rows: number } {
  const ctx = context(canvas);
  const size = width * height, count = Math.floor(images.length / size), top = options.top ?? 0;
  const rows = Math.ceil(count / cols);
  if (count === 0) return { scale: 1, rows: 0 };
  const scale = Math.max(1, Math.floor(Math.min(canvas.width / (cols * (width + 1)), (canvas.height - top) / (rows * (height + 1)))));
  let pixels = gridPixels.get(canvas);
  if (!pixels || pixels.width !== canvas.width || pixels.height !== canvas.height) {
    pixels = ctx.createImageData(canvas.width, canvas.height);
    gridPixels.set(canvas, pixels);
  }
  const rgba = pixels.data;
  rgba.fill(0);
  for (let t = 0; t < count; t++) {
    const data = images.subarray(t * size, (t + 1) * size);
    let lo = 0, hi = 1;
    if (options.signed) { hi = 1e-12; for (const v of data) hi = Math.max(hi, Math.abs(v)); lo = -hi; }
    else if (options.perTile) { lo = Infinity; hi = -Infinity; for (const v of data) { lo = Math.min(lo, v); hi = Math.max(hi, v); } if (hi <= lo) hi = lo + 1; }
    const ox = (t % cols) * (width + 1) * scale, oy = top + Math.floor(t / cols) * (height + 1) * scale;
    for (let py = 0; py < height * scale && oy + py < canvas.height; py++) {
      const row = Math.floor(py / scale) * width;
      for (let px = 0; px < width * scale && ox + px < canvas.width; px++) {
        const g = Math.max(0, Math.min(255, Math.round(((data[row + Math.floor(px / scale)] - lo) / (hi - lo)) * 255)));
        const o = 4 * ((oy + py) * canvas.width + ox + px);
        rgba[o] = g; rgba[o + 1] = g; rgba[o + 2] = g; rgba[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(pixels, 0, 0);
  return { scale, rows };
}

/** Points (x, y) coloured by class (labels 0…9; -1 draws black: the user's own images). */
export function scatter(canvas: HTMLCanvasElement, xs: ArrayLike<number>, ys: ArrayLike<number>, labels: ArrayLike<number>, title: string): void {
  const ctx = context(canvas);
  const w = canvas.width, h = canvas.height, pad = 12;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < xs.length; i++) { x0 = Math.min(x0, xs[i]); x1 = Math.max(x1, xs[i]); y0 = Math.min(y0, ys[i]); y1 = Math.max(y1, ys[i]); }
  ctx.fillStyle = '#333';
  ctx.fillText(title, pad, 10);
  if (!(x1 > x0) || !(y1 > y0)) return;
  for (let i = 0; i < xs.length; i++) {
    ctx.fillStyle = labels[i] >= 0 ? CLASS_COLORS[labels[i] % 10] : '#000';
    ctx.fillRect(pad + ((xs[i] - x0) / (x1 - x0)) * (w - 2 * pad) - 1.5, pad + (1 - (ys[i] - y0) / (y1 - y0)) * (h - 2 * pad) - 1.5, 3, 3);
  }
}

/** Bars of a histogram between min and max. */
export function bars(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, counts: number[], color: string): void {
  const top = Math.max(1, ...counts);
  const bw = w / counts.length;
  ctx.fillStyle = color;
  counts.forEach((c, i) => {
    const bh = (c / top) * h;
    ctx.fillRect(x + i * bw, y + h - bh, Math.max(1, bw - 1), bh);
  });
}

export { fmt as formatValue };
export { context as clearedContext };
