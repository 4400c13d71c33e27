// `--data` end to end on files this test writes with its own writers (test/data/independent-writers.ts):
// a low-rank table where the linear dense autoencoder must come close to PCA, encode/reconstruct
// of a second file under the training transform (computed here), loadRun against the CLI, labels
// of every integer dtype, a CSV with a header, a PNG folder; and the bad inputs, each with its
// message and the run folder left unwritten.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Generator, fromTyped, noGrad, setBackend } from '../../src/index.js';
import { loadModel } from '../../src/models/architecture.js';
import { loadRun } from '../../src/train/load-run.js';
import { readNpy } from '../../src/io/npy.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { decodePng } from '../../src/io/png.js';
import { npyOf, pngBytes } from '../data/independent-writers.js';
import { cli, tempDir } from './helpers.js';

const root = tempDir('own-data');
const at = (f: string) => path.join(root, f);
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const JS = ['--backend', 'js', '--quiet'];

// Rank-3 data in 12 features: x = z·W + offset + 0.01·noise, z ~ N(0, I).
const F = 12, RANK = 3;
function lowRank(n: number, seed: number, w: Float64Array): Float64Array {
  const g = new Generator(seed);
  const x = new Float64Array(n * F);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: RANK }, () => g.normal());
    for (let j = 0; j < F; j++) {
      let v = 5 + j + 0.01 * g.normal();
      for (let k = 0; k < RANK; k++) v += z[k] * w[k * F + j];
      x[i * F + j] = v;
    }
  }
  return x;
}
const W = Float64Array.from({ length: RANK * F }, (_, i) => Math.sin(1 + i * 1.7) * 2);
const xTrain = lowRank(600, 1, W), xTest = lowRank(100, 2, W), xOther = lowRank(40, 3, W);
const labelsOf = (x: Float64Array) => Array.from({ length: x.length / F }, (_, i) => (x[i * F] > 5 ? 1 : 0));

/** Standardization computed here, from the training rows: float64 mean and population std per feature. */
function standardize(train: Float64Array, x: Float64Array): Float32Array {
  const n = train.length / F;
  const mean = new Float64Array(F), sd = new Float64Array(F);
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) mean[j] += train[i * F + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) sd[j] += (train[i * F + j] - mean[j]) ** 2 / n;
  return Float32Array.from(x, (v, i) => (v - mean[i % F]) / Math.sqrt(sd[i % F]));
}

const f64 = (x: Float64Array) => Array.from(x);
const runTable = at('table');

beforeAll(async () => {
  setBackend('js');
  fs.writeFileSync(at('train.npy'), npyOf('<f4', [600, F], f64(xTrain)));
  fs.writeFileSync(at('test.npy'), npyOf('<f8', [100, F], f64(xTest)));
  fs.writeFileSync(at('other.npy'), npyOf('<f8', [40, F], f64(xOther)));
  fs.writeFileSync(at('train-labels.npy'), npyOf('<i8', [600], labelsOf(xTrain)));
  fs.writeFileSync(at('test-labels.npy'), npyOf('<i8', [100], labelsOf(xTest)));
  const r = await cli(['train', ...JS, '--data', at('train.npy'), '--labels', at('train-labels.npy'), '--test-data', at('test.npy'), '--test-labels', at('test-labels.npy'),
    '--activation', 'linear', '--latent', String(RANK), '--hidden', '16', '--epochs', '40', '--batch-size', '32', '--lr', '1e-2', '--out', runTable]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 120_000);

describe('tessera train --data on a table', () => {
  test('the linear dense autoencoder comes within 0.005 of PCA with as many components', async () => {
    const r = await cli(['eval', runTable, '--backend', 'js', '--json', '--probe-epochs', '0']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    // Standardized rank-3 data: PCA with 3 components leaves only the noise (≈ 1e-4 of each
    // feature's unit variance); the bound allows the autoencoder 0.5% of that variance more.
    expect(e.pcaTestMse).toBeLessThan(1e-3);
    expect(e.testMse).toBeLessThanOrEqual(e.pcaTestMse + 0.005);
    expect(e.knn.rawPixels).toBeGreaterThan(0.9);
    const config = readJson(path.join(runTable, 'config.json'));
    expect(config).toMatchObject({ data: at('train.npy'), 'test-data': at('test.npy'), scale: 'auto' });
    expect(config.transform.kind).toBe('standardize');
    expect(config.architecture).toEqual({ builder: 'denseAutoencoder', options: { inputDim: F, hidden: [16], latent: RANK, activation: 'none', output: 'none', batchNorm: false, init: 'glorot' } });
    // The weights file describes itself: the same architecture and transform in its metadata.
    const meta = readSafetensors(path.join(runTable, 'model.safetensors')).metadata;
    expect(JSON.parse(meta['tessera.architecture'])).toEqual(config.architecture);
    expect(JSON.parse(meta['tessera.transform'])).toEqual(config.transform);
    // A table gets a per-feature error chart instead of an image grid.
    expect(fs.existsSync(path.join(runTable, 'feature-errors.png'))).toBe(true);
    expect(fs.existsSync(path.join(runTable, 'reconstructions.png'))).toBe(false);
  });

  test('encode and reconstruct of another file apply the training transform', async () => {
    const codesFile = at('codes.npy'), reconFile = at('recon.npy');
    expect((await cli(['encode', runTable, '--data', at('other.npy'), '--out', codesFile, '--backend', 'js'])).code).toBe(0);
    expect((await cli(['reconstruct', runTable, '--data', at('other.npy'), '--out', reconFile, '--backend', 'js'])).code).toBe(0);
    const scaled = standardize(xTrain, xOther);
    const model = loadModel(path.join(runTable, 'model.safetensors'));
    const [codes, recon] = noGrad(() => { const x = fromTyped(scaled, [40, F]); return [model.encode(x).dataSync(), model.forward(x).dataSync()]; });
    const cliCodes = readNpy(codesFile), cliRecon = readNpy(reconFile);
    expect(cliCodes.shape).toEqual([40, RANK]);
    cliCodes.data.forEach((v, i) => expect(v).toBeCloseTo(codes[i], 4));
    // reconstruct --out .npy undoes the scaling: back in the data's units, close to the input.
    expect(cliRecon.shape).toEqual([40, F]);
    const n = xTrain.length / F;
    cliRecon.data.forEach((v, i) => {
      const j = i % F;
      let mean = 0, sd = 0;
      for (let r = 0; r < n; r++) mean += xTrain[r * F + j] / n;
      for (let r = 0; r < n; r++) sd += (xTrain[r * F + j] - mean) ** 2 / n;
      expect(v).toBeCloseTo(recon[i] * Math.sqrt(sd) + mean, 3);
      expect(Math.abs(v - xOther[i])).toBeLessThan(0.2);
    });
  });

  test('loadRun gives the outputs the CLI wrote', async () => {
    const run = loadRun(runTable);
    expect(run.inputShape).toEqual([F]);
    expect(run.history.loss).toHaveLength(40);
    const other = readNpy(at('other.npy')).data;   // float64; the CLI reads every value as float32
    const codes = noGrad(() => run.model.encode(fromTyped(run.transform.apply(Float32Array.from(other)), [40, F])).dataSync());
    expect(Array.from(codes)).toEqual(Array.from(readNpy(at('codes.npy')).data));
  });
});

describe('commands that look at one step read --data too', () => {
  test('explain and profile take the data\'s shape and scaling', async () => {
    const r = await cli(['explain', '--data', at('train.npy'), '--test-data', at('test.npy'), '--batch-size', '8', '--latent', '3', '--backend', 'js']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[8, 12]');
    const p = await cli(['profile', '--data', at('train.npy'), '--test-data', at('test.npy'), '--batch-size', '8', '--backend', 'js', '--warmup-seconds', '0']);
    expect(p.code, p.stderr).toBe(0);
  });
});

describe('formats and labels', () => {
  test('labels of every integer dtype (uint8, int32, int64, bool) colour the latent map and feed kNN', async () => {
    const x = xTrain.subarray(0, 120 * F);
    fs.writeFileSync(at('small.npy'), npyOf('<f8', [120, F], f64(x)));
    const labels = labelsOf(x);
    for (const descr of ['|u1', '<i4', '<i8', '|b1']) {
      const file = at(`labels${descr.replace(/\W/g, '')}.npy`);
      fs.writeFileSync(file, npyOf(descr, [120], labels));
      const dir = at(`labels-run${descr.replace(/\W/g, '')}`);
      const r = await cli(['train', ...JS, '--data', at('small.npy'), '--labels', file, '--epochs', '1', '--latent', '2', '--out', dir]);
      expect(r.code, `${descr}: ${r.stderr}`).toBe(0);
      const e = JSON.parse((await cli(['eval', dir, '--backend', 'js', '--json', '--probe-epochs', '0'])).stdout);
      expect(e.knn.queries, descr).toBe(12);    // the seeded --val-split 0.1 of 120 rows
    }
    // A label dtype with no meaning as a class is refused by name.
    fs.writeFileSync(at('labels-f.npy'), npyOf('<f4', [120], labels.map((l) => l + 0.5)));
    const bad = await cli(['train', ...JS, '--data', at('small.npy'), '--labels', at('labels-f.npy'), '--epochs', '1', '--out', at('never-f')]);
    expect(bad.stderr).toContain(`labels-f.npy' row 1: ${labels[0] + 0.5} is not a class label; expected integers`);
    expect(fs.existsSync(at('never-f'))).toBe(false);
  }, 60_000);

  test('a CSV with a header; without labels, one line says what is left out', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i * (j + 1)) % 7).join(','));
    fs.writeFileSync(at('points.csv'), `a,b,c,d\n${rows.join('\n')}\n`);
    const dir = at('csv-run');
    const r = await cli(['train', '--backend', 'js', '--data', at('points.csv'), '--epochs', '2', '--latent', '2', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on 72 training rows of '.*points\.csv' \[4\], scaled standardize/);
    // The seeded split is recorded, the default fraction too, so the run reads the same rows again.
    expect(readJson(path.join(dir, 'config.json'))).toMatchObject({ 'val-split': 0.1, seed: 0, data: at('points.csv') });
    expect(r.stdout).toContain('no labels: the latent map is drawn in one colour, and eval leaves out kNN and the linear probe');
    const png = decodePng(fs.readFileSync(path.join(dir, 'feature-errors.png')));
    expect(png.width).toBeGreaterThan(100);
    const e = await cli(['eval', dir, '--backend', 'js', '--json']);
    expect(e.code).toBe(0);
    expect(e.stderr).toContain('no labels, so kNN and the linear probe are left out');
    expect(JSON.parse(e.stdout)).toMatchObject({ knn: null, linearProbe: null });
    // The same file with --no-header: its first row is words, named as the error.
    const no = await cli(['train', ...JS, '--data', at('points.csv'), '--no-header', '--out', at('never-h')]);
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/points\.csv' row 1, column 1: 'a' is not a number/);
    expect(fs.existsSync(at('never-h'))).toBe(false);
  }, 60_000);

  test('a folder of PNGs: sub-folders are classes; grey images train dense and conv models', async () => {
    const g = new Generator(5);
    for (const [k, cls] of ['circles', 'squares'].entries()) {
      fs.mkdirSync(at(`png/${cls}`), { recursive: true });
      for (let i = 0; i < 20; i++) {
        const px = Uint8Array.from({ length: 64 }, (_, p) => Math.min(255, (k === 0 ? (p % 8) * 30 : Math.floor(p / 8) * 30) + Math.floor(g.uniform() * 20)));
        fs.writeFileSync(at(`png/${cls}/${String(i).padStart(3, '0')}.png`), pngBytes(8, 8, 1, px));
      }
    }
    for (const model of ['dense', 'conv']) {
      const dir = at(`png-run-${model}`);
      const r = await cli(['train', ...JS, '--data', at('png'), '--model', model, '--hidden', model === 'conv' ? '4,4' : '16', '--latent', '4', '--epochs', '2', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      const config = readJson(path.join(dir, 'config.json'));
      expect(config.transform).toEqual({ kind: 'divide', divisor: 255 });
      if (model === 'conv') expect(config.architecture.options.inputShape).toEqual([1, 8, 8]);
      const recon = decodePng(fs.readFileSync(path.join(dir, 'reconstructions.png')));
      expect(recon.height).toBeGreaterThanOrEqual(2 * 8 * 4);
    }
    // RGB images are [3, h, w] rows, channels first.
    fs.mkdirSync(at('rgb'));
    for (let i = 0; i < 12; i++) fs.writeFileSync(at(`rgb/${i}.png`), pngBytes(4, 4, 3, Uint8Array.from({ length: 48 }, (_, p) => (p * 5 + i) % 256)));
    const rgb = await cli(['train', ...JS, '--data', at('rgb'), '--epochs', '1', '--latent', '2', '--out', at('rgb-run')]);
    expect(rgb.code, rgb.stderr).toBe(0);
    expect(readJson(at('rgb-run/config.json')).architecture.options.inputDim).toBe(48);
  }, 60_000);

  test('a uint8 .npy of images stays bytes and is scaled by 255', async () => {
    const px = Array.from({ length: 50 * 36 }, (_, i) => (i * 7) % 256);
    fs.writeFileSync(at('bytes.npy'), npyOf('|u1', [50, 6, 6], px));
    const r = await cli(['train', ...JS, '--data', at('bytes.npy'), '--epochs', '1', '--latent', '2', '--out', at('bytes-run')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(at('bytes-run/config.json')).transform).toEqual({ kind: 'divide', divisor: 255 });
    expect(readJson(at('bytes-run/config.json')).architecture.options.inputDim).toBe(36);
  });
});

describe('bad input: a message naming what is wrong, and no run folder', () => {
  const cases: [string, () => string[], number, RegExp][] = [
    ['a non-numeric cell', () => { fs.writeFileSync(at('cell.csv'), '1,2\n3,4\n5,x\n'); return ['--data', at('cell.csv')]; }, 1, /cell\.csv' row 3, column 2: 'x' is not a number/],
    ['a ragged row', () => { fs.writeFileSync(at('ragged.csv'), '1,2,3\n4,5\n'); return ['--data', at('ragged.csv')]; }, 1, /ragged\.csv' row 2 has 2 fields, expected 3 like the first row/],
    ['images of mixed sizes', () => {
      fs.mkdirSync(at('mixed'));
      fs.writeFileSync(at('mixed/a.png'), pngBytes(4, 4, 1, new Uint8Array(16)));
      fs.writeFileSync(at('mixed/b.png'), pngBytes(5, 4, 1, new Uint8Array(20)));
      return ['--data', at('mixed')];
    }, 1, /mixed\/b\.png' is 5×4 grey; expected 4×4 grey like '.*mixed\/a\.png'/],
    ['labels of the wrong length', () => {
      fs.writeFileSync(at('short-labels.npy'), npyOf('<i8', [599], new Array(599).fill(0)));
      return ['--data', at('train.npy'), '--labels', at('short-labels.npy')];
    }, 1, /short-labels\.npy' has 599 labels, but the data '.*train\.npy' has 600 rows/],
    ['a conv model on tabular data', () => ['--data', at('train.npy'), '--model', 'conv'], 2, /the conv model needs images, \[c, h, w\] or \[h, w\] per row, but the data has rows of shape \[12\]; give --input-shape/],
    ['BCE on standardized data', () => ['--data', at('train.npy'), '--loss', 'bce'], 2, /--loss bce needs every value in \[0, 1\], but '.*train\.npy' row \d+, column \d+ is -?[\d.e-]+ after --scale auto/],
    ['an --input-shape that does not fit', () => ['--data', at('train.npy'), '--input-shape', '1,3,5'], 2, /--input-shape 1,3,5 holds 15 values, but the rows of '.*train\.npy' have 12/],
  ];
  test.each(cases)('%s', async (_name, setup, code, message) => {
    const dir = at(`never-${_name.replace(/\W+/g, '-')}`);
    const r = await cli(['train', ...JS, '--epochs', '1', ...setup(), '--out', dir]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
