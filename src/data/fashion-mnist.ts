// Fashion-MNIST (Zalando, MIT licence): 28×28 grayscale clothing images in 10 classes, 60,000 for
// training and 10,000 for testing, bundled in data/fashion-mnist/ as the four original IDX .gz files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readIdx } from '../io/idx.js';
import { bundledDataDir } from './package-root.js';

/** Class names by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
  'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

export interface FashionMnistOptions {
  split: 'train' | 'test';
  /** Keep only the first `limit` examples. */
  limit?: number;
  /** Folder holding the four IDX files (.gz or uncompressed); default the bundled data/fashion-mnist. */
  dataDir?: string;
}

export interface FashionMnist {
  /** n × 784, pixel / 255, so in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  rows: 28;
  cols: 28;
}

export function fashionMnistDir(): string {
  return path.join(bundledDataDir(), 'fashion-mnist');
}

/** The file for `base` in `dir`: `base.gz` if present, else the uncompressed `base`. */
function findFile(dir: string, base: string): string {
  for (const name of [`${base}.gz`, base]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`loadFashionMnist: neither '${base}.gz' nor '${base}' is in '${dir}'`);
}

export function loadFashionMnist(options: FashionMnistOptions): FashionMnist {
  const { split } = options;
  if (split !== 'train' && split !== 'test') throw new Error(`loadFashionMnist: split must be 'train' or 'test', got '${String(split)}'`);
  const dir = options.dataDir ?? fashionMnistDir();
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagePath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const img = readIdx(imagePath);
  const lab = readIdx(labelPath);
  if (img.type !== 'uint8' || img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28) {
    throw new Error(`loadFashionMnist: '${imagePath}' holds ${img.type} [${img.dims.join(', ')}], expected uint8 [n, 28, 28]`);
  }
  if (lab.type !== 'uint8' || lab.dims.length !== 1 || lab.dims[0] !== img.dims[0]) {
    throw new Error(`loadFashionMnist: '${labelPath}' holds ${lab.type} [${lab.dims.join(', ')}], expected uint8 [${img.dims[0]}]`);
  }
  let n = img.dims[0];
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 0) throw new Error(`loadFashionMnist: limit must be a non-negative integer, got ${options.limit}`);
    n = Math.min(n, options.limit);
  }
  const pixels = img.data as Uint8Array;
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = pixels[i] / 255;
  const labels = (lab.data as Uint8Array).slice(0, n);
  for (let i = 0; i < n; i++) {
    if (labels[i] > 9) throw new Error(`loadFashionMnist: '${labelPath}' has label ${labels[i]} at row ${i}, expected 0-9`);
  }
  return { images, labels, n, rows: 28, cols: 28 };
}
