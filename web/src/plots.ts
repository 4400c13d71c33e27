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

/** Lines over a shared x axis; `log` draws y on a log10 scale (values ≤ 0 are skipped). */
export function lineChart(canvas: HTMLCanvasElement, series: Series[], options: { log?: boolean; title?: string } = {}): void {
  const ctx = context(canvas);
  const w = canvas.width, h = canvas.height, left = 44, bottom = 16, top = 14;
  const ty = (v: number): number => (options.log ? Math.log10(v) : v);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series) s.xs.forEach((x, i) => {
    const y = s.ys[i];
    if (!Number.isFinite(y) || (options.log && y <= 0)) return;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, ty(y)); y1 = Math.max(y1, ty(y));
  });
  ctx.fillStyle = '#333';
  if (options.title) ctx.fillText(options.title, left, 10);
  if (!(x1 >= x0)) { ctx.fillText('no data yet', left, h / 2); return; }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y1 += 0.5; y0 -= 0.5; }
  const px = (x: number): number => left + ((x - x0) / (x1 - x0)) * (w - left - 6);
  const py = (y: number): number => top + (1 - (ty(y) - y0) / (y1 - y0)) * (h - top - bottom);
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(left, top, w - left - 6, h - top - bottom);
  const label = (v: number): string => fmt(options.log ? 10 ** v : v);
  ctx.fillText(label(y1), 2, top + 8);
  ctx.fillText(label(y0), 2, h - bottom);
  ctx.fillText(String(x0), left, h - 4);
  ctx.fillText(String(x1), w - 40, h - 4);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    let started = false;
    s.xs.forEach((x, i) => {
      const y = s.ys[i];
      if (!Number.isFinite(y) || (options.log && y <= 0)) return;
      if (started) ctx.lineTo(px(x), py(y)); else { ctx.moveTo(px(x), py(y)); started = true; }
    });
    ctx.stroke();
    ctx.fillStyle = s.color;
    ctx.fillText(s.name, w - 120, top + 12 + 11 * k);
  });
}

/**
 * Images as a grid: `images` holds rows of `width·height` values; each tile is scaled to grey
 * from its own min…max (`signed`: 0 is mid-grey and the tile's largest |value| is white/black),
 * or from [0, 1] when neither is asked.
 */
export function imageGrid(canvas: HTMLCanvasElement, images: Float32Array, width: number, height: number, cols: number,
  options: { signed?: boolean; perTile?: boolean } = {}): void {
  const ctx = context(canvas);
  const size = width * height, count = Math.floor(images.length / size);
  if (count === 0) return;
  const rows = Math.ceil(count / cols);
  const scale = Math.max(1, Math.floor(Math.min(canvas.width / (cols * (width + 1)), canvas.height / (rows * (height + 1)))));
  const tile = ctx.createImageData(width, height);
  for (let t = 0; t < count; t++) {
    const data = images.subarray(t * size, (t + 1) * size);
    let lo = 0, hi = 1;
    if (options.signed) { hi = 1e-12; for (const v of data) hi = Math.max(hi, Math.abs(v)); lo = -hi; }
    else if (options.perTile) { lo = Infinity; hi = -Infinity; for (const v of data) { lo = Math.min(lo, v); hi = Math.max(hi, v); } if (hi <= lo) hi = lo + 1; }
    for (let i = 0; i < size; i++) {
      const g = Math.max(0, Math.min(255, Math.round(((data[i] - lo) / (hi - lo)) * 255)));
      tile.data[4 * i] = g; tile.data[4 * i + 1] = g; tile.data[4 * i + 2] = g; tile.data[4 * i + 3] = 255;
    }
    // putImageData ignores transforms: draw at 1:1 on a scratch canvas, then scale it in.
    const scratch = document.createElement('canvas');
    scratch.width = width; scratch.height = height;
    scratch.getContext('2d')?.putImageData(tile, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, (t % cols) * (width + 1) * scale, Math.floor(t / cols) * (height + 1) * scale, width * scale, height * scale);
  }
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
