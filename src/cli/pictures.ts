// The PNG pictures of a run: inputs over reconstructions, loss curves, the latent map (test codes
// projected on their first two principal components, coloured by class), and for a VAE a grid
// of samples and a walk across the first two latent axes.
import * as path from 'node:path';
import { fromTyped, noGrad, tidy } from '../index.js';
import { writePng } from '../io/png.js';
import { imageComparison, imageGrid } from '../viz/image-grid.js';
import { lineChart } from '../viz/line-chart.js';
import { scatterPlot } from '../viz/scatter-plot.js';
import { FASHION_MNIST_CLASSES } from '../data/fashion-mnist.js';
import { fitPca } from '../eval/pca.js';
import type { VAE } from '../models/vae.js';
import { Generator } from '../random.js';
import { RUN_FILES } from './run-folder.js';

/** Images [c, h, w] (c = 1 or 3) or [h, w] as grey h × w tiles: the channels' mean for colour. */
function greyTiles(images: Float32Array, count: number, shape: readonly number[]): { tiles: Float32Array; h: number; w: number } {
  const [c, h, w] = shape.length === 3 ? shape : [1, ...shape];
  if (c === 1) return { tiles: images, h, w };
  const tiles = new Float32Array(count * h * w);
  for (let k = 0; k < count; k++) {
    for (let p = 0; p < h * w; p++) {
      let sum = 0;
      for (let ch = 0; ch < c; ch++) sum += images[k * c * h * w + ch * h * w + p];
      tiles[k * h * w + p] = sum / c;
    }
  }
  return { tiles, h, w };
}

/** Inputs (and noisy inputs, for a denoising model) over their reconstructions; images of `shape` ([c, h, w] or [h, w]). */
export function writeReconstructions(file: string, inputs: Float32Array, outputs: Float32Array, count: number, noisy?: Float32Array, shape: readonly number[] = [1, 28, 28]): void {
  const grey = (x: Float32Array) => greyTiles(x, count, shape);
  const { h, w } = grey(inputs);
  const rows = [{ label: 'input', images: grey(inputs).tiles }];
  if (noisy) rows.push({ label: 'noisy', images: grey(noisy).tiles });
  rows.push({ label: 'output', images: grey(outputs).tiles });
  const scale = Math.max(1, Math.min(4, Math.round(56 / Math.max(h, w))));
  writePng(file, imageComparison(rows, count, h, w, { cols: Math.min(count, 16), scale }));
}

/** Tabular data: the mean squared reconstruction error of each feature (column) over n rows. */
export function writeFeatureErrors(file: string, inputs: Float32Array, outputs: Float32Array, n: number, features: number, title: string): number[] {
  const err = new Array<number>(features).fill(0);
  for (let i = 0; i < n * features; i++) { const d = outputs[i] - inputs[i]; err[i % features] += d * d / n; }
  writePng(file, lineChart({ series: [{ name: 'test MSE', values: err, x: err.map((_, j) => j + 1) }], title, xLabel: 'feature (column)', yLabel: 'MSE (scaled units)' }));
  return err;
}

export interface CurveHistory { loss: number[]; valLoss: number[] }

export function writeLossCurves(file: string, history: CurveHistory, title = 'loss per epoch'): void {
  const x = history.loss.map((_, i) => i + 1);
  const series = [{ name: 'train', values: history.loss, x }];
  if (history.valLoss.length === history.loss.length && history.valLoss.every(Number.isFinite)) series.push({ name: 'test', values: history.valLoss, x });
  writePng(file, lineChart({ series, title, xLabel: 'epoch', yLabel: 'loss', logY: true }));
}

/** Test codes on their first two principal components, coloured by class (one colour without labels). */
export async function writeLatentMap(file: string, codes: Float32Array, width: number, labels: Uint8Array | Int32Array | null, title: string,
  classNames: readonly string[] = FASHION_MNIST_CLASSES): Promise<void> {
  const n = codes.length / width;
  const points = new Float32Array(2 * n);
  if (width >= 2 && n >= 2) {
    const z = fromTyped(codes, [n, width]);
    const pca = await fitPca(z, 2);
    const p = pca.transform(z);
    points.set(await p.data());
    p.dispose(); z.dispose(); pca.dispose();
  } else {
    for (let i = 0; i < n; i++) points[2 * i] = codes[i];
  }
  writePng(file, scatterPlot({ points, labels: labels ?? new Int32Array(n), classNames: labels ? classNames : ['rows (no labels)'], title, xLabel: 'PC 1 of the codes', yLabel: 'PC 2' }));
}

/** A VAE's decoded samples of z ~ N(0, I) as a grid. */
export async function writeVaeSamples(file: string, vae: VAE, count: number, seed: number, shape: readonly number[] = [1, 28, 28]): Promise<void> {
  const x = vae.sample(count, new Generator(seed));
  const { tiles, h, w } = greyTiles(Float32Array.from(await x.data()), count, shape);
  writePng(file, imageGrid(tiles, count, h, w, { scale: 2 }));
  x.dispose();
}

/** Decodes a steps × steps grid of codes sweeping the first two latent axes over [−2.5, 2.5], others 0. */
export async function writeLatentWalk(file: string, vae: VAE, steps = 12, shape: readonly number[] = [1, 28, 28]): Promise<void> {
  const l = vae.latent;
  const wasTraining = vae.training;
  vae.eval();
  const images = noGrad(() => tidy(() => {
    const axis = Array.from({ length: steps }, (_, i) => -2.5 + (5 * i) / (steps - 1));
    const codes = new Float32Array(steps * steps * l);
    for (let r = 0; r < steps; r++) {
      for (let c = 0; c < steps; c++) {
        const o = (r * steps + c) * l;
        codes[o] = axis[c];
        if (l > 1) codes[o + 1] = axis[steps - 1 - r];
      }
    }
    return vae.decode(fromTyped(codes, [steps * steps, l]));
  }));
  vae.train(wasTraining);
  const { tiles, h, w } = greyTiles(Float32Array.from(await images.data()), steps * steps, shape);
  writePng(file, imageGrid(tiles, steps * steps, h, w, { cols: steps, scale: 2, padding: 1 }));
  images.dispose();
}

export function picturePaths(dir: string): Record<'reconstructions' | 'loss' | 'latent' | 'samples' | 'walk', string> {
  return {
    reconstructions: path.join(dir, RUN_FILES.reconstructions), loss: path.join(dir, RUN_FILES.loss), latent: path.join(dir, RUN_FILES.latent),
    samples: path.join(dir, RUN_FILES.samples), walk: path.join(dir, RUN_FILES.walk),
  };
}
