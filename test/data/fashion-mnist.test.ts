import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, fashionMnistDir, loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { packageRoot } from '../../src/data/package-root.js';

describe('bundled Fashion-MNIST', () => {
  it('is found from the package root, whatever the working directory', () => {
    const root = packageRoot();
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name).toBe('tessera');
    const old = process.cwd();
    process.chdir(os.tmpdir());
    try {
      expect(fashionMnistDir()).toBe(path.join(root, 'data', 'fashion-mnist'));
      expect(loadFashionMnist({ split: 'test', limit: 3 }).n).toBe(3);
    } finally {
      process.chdir(old);
    }
    for (const f of ['LICENSE', 'README.md']) expect(fs.existsSync(path.join(fashionMnistDir(), f))).toBe(true);
  });

  it('train: 60000 images of 28×28 in [0, 1], 6000 per class', () => {
    const d = loadFashionMnist({ split: 'train' });
    expect(d.n).toBe(60000);
    expect(d.rows).toBe(28);
    expect(d.cols).toBe(28);
    expect(d.images.length).toBe(60000 * 784);
    expect(d.labels.length).toBe(60000);
    let min = Infinity, max = -Infinity;
    for (const v of d.images) { if (v < min) min = v; if (v > max) max = v; }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (const l of d.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
  });

  it('test: 10000 images, 1000 per class, matching the raw bytes read by hand', () => {
    const d = loadFashionMnist({ split: 'test' });
    expect(d.n).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of d.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    // Independent read: gunzip, skip the 16-byte image header / 8-byte label header.
    const rawImages = gunzipSync(fs.readFileSync(path.join(fashionMnistDir(), 't10k-images-idx3-ubyte.gz')));
    const rawLabels = gunzipSync(fs.readFileSync(path.join(fashionMnistDir(), 't10k-labels-idx1-ubyte.gz')));
    expect(rawImages.readUInt32BE(0)).toBe(0x803);
    expect(rawImages.readUInt32BE(4)).toBe(10000);
    for (const i of [0, 1, 4999, 9999]) {
      expect(d.labels[i]).toBe(rawLabels[8 + i]);
      for (const p of [0, 300, 406, 783]) expect(d.images[i * 784 + p]).toBe(Math.fround(rawImages[16 + i * 784 + p] / 255));
    }
  });

  it('limit keeps the first examples; bad options are named', () => {
    const d = loadFashionMnist({ split: 'test', limit: 10 });
    const all = loadFashionMnist({ split: 'test' });
    expect(d.n).toBe(10);
    expect(Array.from(d.labels)).toEqual(Array.from(all.labels.subarray(0, 10)));
    expect(Array.from(d.images)).toEqual(Array.from(all.images.subarray(0, 7840)));
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    expect(FASHION_MNIST_CLASSES[0]).toBe('T-shirt/top');
    expect(FASHION_MNIST_CLASSES[9]).toBe('Ankle boot');
    expect(() => loadFashionMnist({ split: 'valid' as 'train' })).toThrow(/split must be 'train' or 'test', got 'valid'/);
    expect(() => loadFashionMnist({ split: 'test', dataDir: os.tmpdir() })).toThrow(/neither 't10k-images-idx3-ubyte\.gz' nor 't10k-images-idx3-ubyte' is in/);
  });
});
