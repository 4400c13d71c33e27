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

/** Inputs (and noisy inputs, for a denoising model) over their reconstructions. */
export function writeReconstructions(file: string, inputs: Float32Array, outputs: Float32Array, count: number, noisy?: Float32Array): void {
  const rows = [{ label: 'input', images: inputs }];
  if (noisy) rows.push({ label: 'noisy', images: noisy });
  rows.push({ label: 'output', images: outputs });
  writePng(file, imageComparison(rows, count, 28, 28, { cols: Math.min(count, 16), scale: 2 }));
}

export interface CurveHistory { loss: number[]; valLoss: number[] }

export function writeLossCurves(file: string, history: CurveHistory, title = 'loss per epoch'): void {
  const x = history.loss.map((_, i) => i + 1);
  const series = [{ name: 'train', values: history.loss, x }];
  if (history.valLoss.length === history.loss.length && history.valLoss.every(Number.isFinite)) series.push({ name: 'test', values: history.valLoss, x });
  writePng(file, lineChart({ series, title, xLabel: 'epoch', yLabel: 'loss', logY: true }));
}

/** Test codes on their first two principal components, coloured by class. */
export async function writeLatentMap(file: string, codes: Float32Array, width: number, labels: Uint8Array, title: string): Promise<void> {
  const n = labels.length;
  const points = new Float32Array(2 * n);
  if (width >= 2) {
    const z = fromTyped(codes, [n, width]);
    const pca = await fitPca(z, 2);
    const p = pca.transform(z);
    points.set(await p.data());
    p.dispose(); z.dispose(); pca.dispose();
  } else {
    for (let i = 0; i < n; i++) points[2 * i] = codes[i];
  }
  writePng(file, scatterPlot({ points, labels, classNames: FASHION_MNIST_CLASSES, title, xLabel: 'PC 1 of the codes', yLabel: 'PC 2' }));
}

/** A VAE's decoded samples of z ~ N(0, I) as a grid. */
export async function writeVaeSamples(file: string, vae: VAE, count: number, seed: number): Promise<void> {
  const x = vae.sample(count, new Generator(seed));
  writePng(file, imageGrid(Float32Array.from(await x.data()), count, 28, 28, { scale: 2 }));
  x.dispose();
}

/** Decodes a steps × steps grid of codes sweeping the first two latent axes over [−2.5, 2.5], others 0. */
export async function writeLatentWalk(file: string, vae: VAE, steps = 12): Promise<void> {
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
  writePng(file, imageGrid(Float32Array.from(await images.data()), steps * steps, 28, 28, { cols: steps, scale: 2, padding: 1 }));
  images.dispose();
}

export function picturePaths(dir: string): Record<'reconstructions' | 'loss' | 'latent' | 'samples' | 'walk', string> {
  return {
    reconstructions: path.join(dir, RUN_FILES.reconstructions), loss: path.join(dir, RUN_FILES.loss), latent: path.join(dir, RUN_FILES.latent),
    samples: path.join(dir, RUN_FILES.samples), walk: path.join(dir, RUN_FILES.walk),
  };
}
