// End to end on a slice of Fashion-MNIST with the js backend: the files a run writes, resuming
// (straight vs interrupted), Ctrl-C, the commands that read a run, and sweeps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Generator, fromTyped, noGrad, setBackend } from '../../src/index.js';
import { decodePng, PNG_SIGNATURE } from '../../src/io/png.js';
import { readNpy } from '../../src/io/npy.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { loadModule } from '../../src/nn/checkpoint.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { buildModel } from '../../src/models/build-model.js';
import { readRunConfig } from '../../src/cli/run-folder.js';
import { cli, SMALL, tempDir } from './helpers.js';

const root = tempDir('train');
const runA = path.join(root, 'a');       // 1 epoch
const runB = path.join(root, 'b');       // 2 epochs straight
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
/** The training state a run's checkpoint.safetensors carries in its metadata. */
const checkpointJson = (dir: string) => JSON.parse(readSafetensors(path.join(dir, 'checkpoint.safetensors')).metadata['tessera.training']);

function png(file: string) {
  const bytes = fs.readFileSync(file);
  expect([...bytes.subarray(0, 8)], `${file} has the PNG signature`).toEqual([...PNG_SIGNATURE]);
  return decodePng(bytes, file);
}

/** A fresh model of a run folder's architecture with its model.safetensors loaded. */
function loadFresh(dir: string) {
  const config = readRunConfig('test', dir);
  const model = buildModel(config, new Generator(12345));
  loadModule(path.join(dir, 'model.safetensors'), model);
  return model.eval();
}

beforeAll(async () => {
  setBackend('js');
  const a = await cli(['train', ...SMALL, '--epochs', '1', '--out', runA]);
  expect(a.stderr).toBe('');
  expect(a.code).toBe(0);
  const b = await cli(['train', ...SMALL, '--epochs', '2', '--out', runB]);
  expect(b.code).toBe(0);
});

describe('tessera train', () => {
  test('writes config, weights, checkpoint, metrics and pictures', () => {
    for (const f of ['config.json', 'model.safetensors', 'checkpoint.safetensors', 'metrics.json']) {
      expect(fs.existsSync(path.join(runA, f)), f).toBe(true);
    }
    const config = readJson(path.join(runA, 'config.json'));
    expect(config).toMatchObject({ model: 'dense', latent: 32, hidden: '64', epochs: 1, 'batch-size': 256, lr: 0.001, optimizer: 'adam', init: 'glorot', limit: 300, backend: 'js' });
    const metrics = readJson(path.join(runA, 'metrics.json'));
    expect(metrics.complete).toBe(true);
    expect(metrics.history.loss).toHaveLength(1);
    expect(metrics.history.valLoss).toHaveLength(1);
    expect(metrics.parameters).toBe(784 * 64 + 64 + 64 * 32 + 32 + 32 * 64 + 64 + 64 * 784 + 784);
    // 16 test images of 28×28 at scale 2 over their reconstructions: at least 16·56 wide, 2·56 high.
    const recon = png(path.join(runA, 'reconstructions.png'));
    expect(recon.width).toBeGreaterThanOrEqual(16 * 56);
    expect(recon.height).toBeGreaterThanOrEqual(2 * 56);
    for (const f of ['loss.png', 'latent.png']) {
      const img = png(path.join(runA, f));
      expect(img.width * img.height).toBeGreaterThan(100 * 100);
    }
    expect(fs.existsSync(path.join(runA, 'samples.png'))).toBe(false);   // VAE only
  });

  test('the weights load into a fresh model that reproduces the reported test MSE', () => {
    const model = loadFresh(runA);
    const test = loadFashionMnist({ split: 'test', limit: 100 });
    const out = noGrad(() => model.forward(fromTyped(test.images, [test.n, 784]))).dataSync();
    let se = 0;
    for (let i = 0; i < out.length; i++) se += (out[i] - test.images[i]) ** 2;
    const metrics = readJson(path.join(runA, 'metrics.json'));
    expect(metrics.test.testMse).toBeCloseTo(se / out.length, 6);
    expect(metrics.test.psnr).toBeCloseTo(10 * Math.log10(out.length / se), 4);
    // The test loss is the last epoch's validation loss (both are the MSE in eval mode).
    expect(metrics.test.testLoss).toBeCloseTo(metrics.history.valLoss[0], 5);
  });

  test('refuses to overwrite a run', async () => {
    const r = await cli(['train', ...SMALL, '--out', runA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`'${runA}' already holds a run; continue it with --resume`);
  });

  test('a run config is a valid --config file, and the command line overrides it', async () => {
    const dir = path.join(root, 'from-config');
    const r = await cli(['train', '--config', path.join(runA, 'config.json'), '--latent', '8', '--init', 'he', '--backend', 'js', '--quiet', '--out', dir]);
    expect(r.code).toBe(0);
    expect(readJson(path.join(dir, 'config.json'))).toMatchObject({ latent: 8, epochs: 1, init: 'he', limit: 300 });
  });
});

describe('resume', () => {
  test('1 epoch + resume to 2 gives the same losses and weights as 2 straight', async () => {
    const dir = path.join(root, 'resumed');
    fs.cpSync(runA, dir, { recursive: true });
    const r = await cli(['train', '--resume', dir, '--epochs', '2', '--backend', 'js', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const straight = readJson(path.join(runB, 'metrics.json')), resumed = readJson(path.join(dir, 'metrics.json'));
    expect(resumed.history.loss).toEqual(straight.history.loss);
    expect(resumed.history.valLoss).toEqual(straight.history.valLoss);
    // Epoch 1 came from the checkpoint, not from training again: its timing is the first run's.
    expect(resumed.history.seconds[0]).toBe(readJson(path.join(runA, 'metrics.json')).history.seconds[0]);
    expect(straight.history.loss[1]).toBeLessThan(straight.history.loss[0]);
    const a = loadFresh(runB).stateDict(), b = loadFresh(dir).stateDict();
    for (const k of Object.keys(a)) expect([...b[k].dataSync()], k).toEqual([...a[k].dataSync()]);
  });

  test('Ctrl-C stops after the current step and the run resumes exactly', async () => {
    const dir = path.join(root, 'interrupted');
    const controller = new AbortController();
    // The progress bar draws after the first step: "press Ctrl-C" then.
    const r = await cli(['train', '--backend', 'js', '--limit', '300', '--epochs', '2', '--out', dir],
      { signal: controller.signal, stderrTTY: true, onStderr: () => controller.abort() });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`interrupted in epoch 1 after step 1; checkpoint saved in ${dir}`);
    expect(r.stderr).toContain(`continue with: tessera train --resume ${dir}`);
    const state = checkpointJson(dir);
    expect(state).toMatchObject({ epoch: 0, partial: { samples: 256 }, loader: { nextBatch: 1 } });
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(true);
    const resumed = await cli(['train', '--resume', dir, '--backend', 'js']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('continuing epoch 1 after step 1 of 2');
    // The same run as 2 epochs straight: the remaining step of epoch 1 saw the same batch.
    const straight = readJson(path.join(runB, 'metrics.json')), after = readJson(path.join(dir, 'metrics.json'));
    expect(after.history.valLoss).toEqual(straight.history.valLoss);
    expect(after.history.loss[0]).toBeCloseTo(straight.history.loss[0], 12);   // two partial means merged
    expect(after.history.loss[1]).toBe(straight.history.loss[1]);
    const a = loadFresh(runB).stateDict(), b = loadFresh(dir).stateDict();
    for (const k of Object.keys(a)) expect([...b[k].dataSync()], k).toEqual([...a[k].dataSync()]);
  });

  test('a finished run needs more --epochs; a corrupt checkpoint is named', async () => {
    let r = await cli(['train', '--resume', runA, '--backend', 'js', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already finished 1 epochs; pass --epochs N with N > 1/);
    const dir = path.join(root, 'corrupt-checkpoint');
    fs.cpSync(runA, dir, { recursive: true });
    const f = path.join(dir, 'checkpoint.safetensors');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 1000));
    r = await cli(['train', '--resume', dir, '--epochs', '2', '--backend', 'js', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the checkpoint '${f}'`);
  });
});

describe('commands that read a run', () => {
  test('a corrupt weights file is an error naming it', async () => {
    const dir = path.join(root, 'corrupt');
    fs.cpSync(runA, dir, { recursive: true });
    const f = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(f);
    bytes.writeUInt32LE(0xffffff, 0);        // header length past the end of the file
    fs.writeFileSync(f, bytes);
    const r = await cli(['eval', dir, '--backend', 'js']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(f);
  });

  test('encode writes the codes the model computes', async () => {
    const out = path.join(root, 'codes.npy'), labels = path.join(root, 'labels.npy');
    const r = await cli(['encode', runA, '--out', out, '--labels-out', labels, '--limit', '50', '--backend', 'js']);
    expect(r.code).toBe(0);
    const codes = readNpy(out), lab = readNpy(labels);
    expect(codes.shape).toEqual([50, 32]);
    expect(lab.shape).toEqual([50]);
    const test = loadFashionMnist({ split: 'test', limit: 50 });
    expect([...lab.data]).toEqual([...test.labels]);
    const expected = noGrad(() => loadFresh(runA).encode(fromTyped(test.images, [50, 784]))).dataSync();
    expect(Array.from(codes.data as Float32Array)).toEqual(Array.from(expected));
  });

  test('reconstruct draws a PNG; generate needs a VAE', async () => {
    const out = path.join(root, 'recon.png');
    let r = await cli(['reconstruct', runA, '--out', out, '--count', '8', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(png(out).width).toBeGreaterThanOrEqual(8 * 56);
    r = await cli(['generate', runA, '--backend', 'js']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds a dense autoencoder; sampling needs a VAE/);
  });

  test('eval compares with PCA and kNN and writes eval.json', async () => {
    const r = await cli(['eval', runA, '--backend', 'js', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(fs.existsSync(path.join(runA, 'eval.json'))).toBe(true);
    expect(result.components).toBe(32);
    expect(result.trainImages).toBe(300);
    expect(result.testImages).toBe(100);
    // 32 PCA components of 784-pixel images explain most of the variance and reconstruct far
    // better than the mean image (per-pixel variance of the test set, ~0.1).
    expect(result.pcaExplainedVariance).toBeGreaterThan(0.7);
    expect(result.pcaTestMse).toBeLessThan(0.05);
    for (const k of ['rawPixels', 'pcaCodes', 'autoencoderCodes']) {
      expect(result.knn[k]).toBeGreaterThan(0.2);             // chance is 0.1
      expect(result.knn[k]).toBeLessThanOrEqual(1);
      expect(result.linearProbe[k]).toBeGreaterThan(0.2);
      expect(result.linearProbe[k]).toBeLessThanOrEqual(1);
    }
  });
});

describe('VAE and sweep', () => {
  test('a VAE run draws samples and a latent walk; generate makes more', async () => {
    const dir = path.join(root, 'vae');
    let r = await cli(['train', ...SMALL, '--model', 'vae', '--latent', '2', '--hidden', '32', '--epochs', '1', '--out', dir]);
    expect(r.code).toBe(0);
    const samples = png(path.join(dir, 'samples.png'));
    expect(samples.width).toBeGreaterThanOrEqual(8 * 56);
    png(path.join(dir, 'latent-walk.png'));
    const out = path.join(root, 'gen.png');
    r = await cli(['generate', dir, '--count', '9', '--out', out, '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(png(out).width).toBeGreaterThanOrEqual(3 * 56);
  });

  test('sweep trains every combination, seeded like train, and writes the report', async () => {
    const dir = path.join(root, 'sweep');
    const r = await cli(['sweep', ...SMALL, '--epochs', '2', '--optimizer', 'sgd,adam', '--lr', '1e-3,1e-2', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sweep = readJson(path.join(dir, 'sweep.json'));
    expect(sweep.variants.map((v: { name: string }) => v.name)).toEqual([
      'lr=0.001 optimizer=sgd', 'lr=0.001 optimizer=adam', 'lr=0.01 optimizer=sgd', 'lr=0.01 optimizer=adam']);
    // The adam / 1e-3 variant is the default run: the same test losses as `tessera train --epochs 2`.
    const straight = readJson(path.join(runB, 'metrics.json'));
    expect(sweep.variants[1].runs[0].history.valLoss).toEqual(straight.history.valLoss);
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/\| rank \| variant \| test MSE \| train MSE \| gap \(test − train\) \| test objective \| epochs to reach [\d.]+ \| time per epoch \(s\) \| parameters \|/);
    expect(report.split('\n').filter((l) => /^\| \d \| lr=/.test(l))).toHaveLength(4);
    expect(report).toContain('Seed: 0 for every variant (one run each: no estimate of the noise');
    expect(report).toMatch(/^- --lr: .*with one seed there is no estimate of the noise/m);
    expect(report).toMatch(/^- --optimizer: /m);
    expect(report).toMatch(/^### --optimizer$/m);
    png(path.join(dir, 'curves.png'));
  });

  test('sweep: a switch swept, seeds averaged, train and test MSE apart from the objective, numbers independent of the other variants', async () => {
    const dir = path.join(root, 'sweep-seeds');
    const r = await cli(['sweep', ...SMALL, '--epochs', '1', '--batch-norm', 'false,true', '--seed', '0,1', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sweep = readJson(path.join(dir, 'sweep.json'));
    expect(sweep.seeds).toEqual([0, 1]);
    expect(sweep.variants.map((v: { name: string }) => v.name)).toEqual(['batch-norm=false', 'batch-norm=true']);
    for (const v of sweep.variants) {
      expect(v.runs.map((run: { seed: number }) => run.seed)).toEqual([0, 1]);
      const [a, b] = v.runs.map((run: { testMse: number }) => run.testMse);
      expect(v.summary.testMse.mean).toBeCloseTo((a + b) / 2, 12);
      expect(v.summary.testMse.sd).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 12);
      for (const run of v.runs) {
        expect(run.testMse).toBe(run.history.valMse[0]);
        expect(run.testObjective).toBe(run.history.valLoss[0]);
      }
    }
    expect(sweep.variants[0].runs[0].testMse).not.toBe(sweep.variants[0].runs[1].testMse);
    // batch-norm=false at seed 0 is the default one-epoch run: its test MSE, and its train MSE
    // recomputed here from its weights on the same 300 training images.
    const train = readJson(path.join(runA, 'metrics.json'));
    const first = sweep.variants[0].runs[0];
    expect(first.testMse).toBeCloseTo(train.test.testMse, 6);
    const model = loadFresh(runA);
    const images = loadFashionMnist({ split: 'train', limit: 300 }).images;
    const out = noGrad(() => model.forward(fromTyped(images, [300, 784]))).dataSync();
    let se = 0;
    for (let i = 0; i < out.length; i++) se += (out[i] - images[i]) ** 2;
    expect(first.trainMse).toBeCloseTo(se / out.length, 6);
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toContain('Seeds: 0, 1: every variant trained once per seed');
    expect(report).toMatch(/^- --batch-norm: (false|true) (won|has)|^- --batch-norm: within noise/m);
    // The batch-norm variant alone, seeds in the other order: the same numbers as in the sweep.
    const alone = path.join(root, 'sweep-alone');
    const r2 = await cli(['sweep', ...SMALL, '--epochs', '1', '--batch-norm', '--seed', '1,0', '--out', alone]);
    expect(r2.code).toBe(0);
    const runs = readJson(path.join(alone, 'sweep.json')).variants[0].runs;
    expect(runs.map((run: { seed: number }) => run.seed)).toEqual([1, 0]);
    expect(runs[0].testMse).toBe(sweep.variants[1].runs[1].testMse);
    expect(runs[1].testMse).toBe(sweep.variants[1].runs[0].testMse);
  });

  test('Ctrl-C during a sweep writes the report of the variants that finished', async () => {
    const dir = path.join(root, 'sweep-interrupted');
    const controller = new AbortController();
    // Progress lines go to stderr after each epoch: the first one ends variant 1's only epoch.
    const r = await cli(['sweep', '--backend', 'js', '--limit', '300', '--epochs', '1', '--lr', '1e-3,1e-2', '--out', dir],
      { signal: controller.signal, onStderr: () => controller.abort() });
    expect(r.code).toBe(130);
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('Interrupted: 1 of 2 runs finished.');
    expect(readJson(path.join(dir, 'sweep.json')).variants).toHaveLength(1);
  });
});
