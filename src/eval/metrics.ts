// Reconstruction metrics on host arrays (float64 accumulation): mean squared error and PSNR.
//
// PSNR = 10·log10(peak² / MSE) in decibels, peak = 1 for images scaled to [0, 1]. We report it
// two ways, as papers do: from the mean MSE over the whole set, and as the mean of per-image PSNRs
// (which weighs a badly reconstructed image more).
import type { Tensor } from '../tensor.js';
import { psnr } from '../util/stats.js';

function checkPair(op: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`${op}: the arrays differ in length (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new Error(`${op}: the arrays are empty`);
}

/** mean((a − b)²) over every element. */
export function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair('meanSquaredError', a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) { const t = a[i] - b[i]; s += t * t; }
  return s / a.length;
}

export { psnr };

/** The mean over images (rows of `rowSize` values) of each image's PSNR. */
export function meanImagePsnr(a: ArrayLike<number>, b: ArrayLike<number>, rowSize: number, peak = 1): number {
  checkPair('meanImagePsnr', a, b);
  if (!Number.isInteger(rowSize) || rowSize < 1 || a.length % rowSize !== 0) {
    throw new Error(`meanImagePsnr: ${a.length} values do not split into images of ${rowSize}`);
  }
  const rows = a.length / rowSize;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * rowSize; i < (r + 1) * rowSize; i++) { const t = a[i] - b[i]; s += t * t; }
    // A perfect image would make the mean infinite; cap it at the float32 resolution instead.
    total += psnr(Math.max(s / rowSize, 1e-12), peak);
  }
  return total / rows;
}

/** Fraction of positions where the two label arrays agree. */
export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkPair('accuracy', predicted, truth);
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) hits++;
  return hits / truth.length;
}

export interface ReconstructionError {
  /** mean((x − x̂)²) over every element. */
  mse: number;
  /** 10·log10(peak² / mse) from that mean. */
  psnr: number;
  /** The mean over rows (images) of each row's PSNR. */
  meanImagePsnr: number;
}

/** MSE, PSNR and mean per-row PSNR of reconstructions x̂ [n, …] of x [n, …] (read from any backend). */
export async function reconstructionError(x: Tensor, reconstruction: Tensor, peak = 1): Promise<ReconstructionError> {
  if (x.rank < 1 || x.shape.length !== reconstruction.shape.length || x.shape.some((s, i) => s !== reconstruction.shape[i])) {
    throw new Error(`reconstructionError: x [${x.shape.join(', ')}] and its reconstruction [${reconstruction.shape.join(', ')}] must have the same shape [n, …]`);
  }
  const [a, b] = [await x.data(), await reconstruction.data()];
  const mse = meanSquaredError(a, b);
  return { mse, psnr: psnr(mse, peak), meanImagePsnr: meanImagePsnr(a, b, x.size / x.shape[0], peak) };
}
