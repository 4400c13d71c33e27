// One run of the study: train the variant at its seed on its regime's rows, and measure what its
// sections read: test and train reconstruction MSE (never an objective with penalties in it), the
// test-MSE curve, and by kind the codes' kNN / linear-probe accuracy, the VAE's KL with samples and
// a latent walk, or the PCA baseline at every code size.
import * as path from 'node:path';
import { Generator, fromTyped, noGrad, tidy } from '../../index.js';
import { VAE } from '../../models/vae.js';
import { fitPca, Pca } from '../../eval/pca.js';
import { knnAccuracy } from '../../eval/knn.js';
import { linearProbeAccuracy } from '../../eval/linear-probe.js';
import { meanSquaredError } from '../../eval/metrics.js';
import { gaussianKl } from '../../losses/kl-divergence.js';
import { imageGrid } from '../../viz/image-grid.js';
import { writePng } from '../../io/png.js';
import { MODEL_TRAINING_OPTIONS, resolveTrainConfig, type TrainConfig } from '../train-options.js';
import { architectureFor, featureShapeOf } from '../../models/build-model.js';
import { describeNonFinite, newSession, runSession } from '../../train/training-session.js';
import { trainDataset, type Data, type DataSplit } from '../../train/run-data.js';
import { mapBatches } from '../../eval/inference.js';
import { datasetMse } from '../../eval/run-metrics.js';
import { defaultValues, type Values } from '../options.js';
import { sizeOf } from '../../shape.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import type { Budget, RunSpec } from './design.js';

/** k of the kNN classifier on codes. */
export const KNN_K = 5;

/** kNN and linear-probe accuracy; `queries`: the test rows kNN scored (the first ones, up to the budget's). */
export interface FeatureScores { knn: number; probe: number; queries?: number }

export interface RunResult {
  name: string;
  variant: string;
  repeat: number;
  seed: number;
  /** Why the run has no numbers (its loss became NaN/Infinity), or null. */
  diverged: string | null;
  testMse: number;
  trainMse: number;
  /** Test MSE after each epoch. */
  curve: number[];
  seconds: number;
  parameters: number;
  /** Codes as features (kind 'features', when the data has labels). */
  features?: FeatureScores;
  /** The VAE: KL(q(z|x) ‖ N(0, I)) per test example, in nats. */
  kl?: number;
  /** Pictures written (the VAE's samples and walk), relative to the study folder. */
  pictures?: string[];
  /** PCA (kind 'pca'): test MSE and features per code size, and raw pixels as features. */
  pca?: { sizes: { k: number; testMse: number; features?: FeatureScores }[]; raw?: FeatureScores };
}

/** The study's data: the test rows and the first `trainRows` training rows of the loaded data. */
export function subsetData(data: Data, trainRows: number): Data {
  const s = data.train;
  const n = Math.min(trainRows, s.n);
  if (n === s.n) return data;
  const row = sizeOf(data.featureShape);
  let images: Float32Array | null = null;
  const train: DataSplit = {
    n, labels: s.labels ? s.labels.subarray(0, n) : null, file: s.file,
    ...(s.bytes ? { bytes: s.bytes.subarray(0, n * row) } : {}),
    get images() { return (images ??= s.images.subarray(0, n * row)); },
  };
  return { ...data, train };
}

/** The TrainConfig of a run: tessera train's defaults, the data options given, the regime, the variant's settings. */
export function runConfig(run: RunSpec, budget: Budget, dataValues: Values, data: Data): TrainConfig {
  const reg = budget[run.variant.regime];
  const v = defaultValues(MODEL_TRAINING_OPTIONS);
  Object.assign(v, dataValues, { hidden: String(reg.hidden), latent: reg.latent, 'batch-size': reg.batchSize, epochs: reg.epochs });
  for (const [k, x] of Object.entries(run.variant.settings)) v[k] = k === 'hidden' ? String(x) : x;
  v.seed = run.seed;
  const c = resolveTrainConfig('study', v);
  c.transform = data.transform.spec;
  c.architecture = architectureFor(c, data.featureShape, data.transform.unitRange, 'study');
  return c;
}

async function codesOf(model: Autoencoder, split: DataSplit, shape: number[], n = split.n) {
  model.eval();
  return mapBatches(split.images, n, shape, 500, (x) => model.encode(x));
}

async function featureScores(train: Float32Array, test: Float32Array, width: number, data: Data, budget: Budget, seed: number): Promise<FeatureScores | undefined> {
  const yTrain = data.train.labels, yTest = data.test.labels;
  if (!yTrain || !yTest) return undefined;
  const q = Math.min(budget.knnQueries, data.test.n);
  const knn = await knnAccuracy(fromTyped(train, [data.train.n, width]), yTrain, fromTyped(test.subarray(0, q * width), [q, width]), yTest.subarray(0, q), { k: KNN_K });
  const probe = await linearProbeAccuracy(train, yTrain, test, yTest, width, { epochs: budget.probeEpochs, seed });
  return { knn, probe, queries: q };
}

/** PCA fitted once at the largest code size; each smaller size keeps its leading axes. */
async function pcaRun(run: RunSpec, budget: Budget, data: Data): Promise<RunResult> {
  const t0 = performance.now();
  const d = data.featureShape.reduce((a, b) => a * b, 1);
  const xTrain = fromTyped(data.train.images, [data.train.n, d]);
  const xTest = fromTyped(data.test.images, [data.test.n, d]);
  const maxK = Math.min(Math.max(...budget.codeSizes), d, data.train.n);
  const full = await fitPca(xTrain, maxK);
  const sizes: NonNullable<RunResult['pca']>['sizes'] = [];
  for (const k of budget.codeSizes.filter((k) => k <= maxK)) {
    const pca = new Pca(full.mean, full.components.subarray(0, k * d), k, d, full.eigenvalues, full.samples);
    const recon = pca.reconstruct(xTest);
    const testMse = meanSquaredError(await recon.data(), data.test.images);
    recon.dispose();
    const zTrain = pca.transform(xTrain), zTest = pca.transform(xTest);
    const features = await featureScores(Float32Array.from(await zTrain.data()), Float32Array.from(await zTest.data()), k, data, budget, run.seed);
    zTrain.dispose(); zTest.dispose(); pca.dispose();
    sizes.push({ k, testMse, ...(features ? { features } : {}) });
  }
  full.dispose();
  xTrain.dispose(); xTest.dispose();
  const raw = await featureScores(data.train.images, data.test.images, d, data, budget, run.seed);
  return {
    name: run.name, variant: run.variant.name, repeat: run.repeat, seed: run.seed, diverged: null,
    testMse: NaN, trainMse: NaN, curve: [], seconds: (performance.now() - t0) / 1000, parameters: 0, pca: { sizes, ...(raw ? { raw } : {}) },
  };
}

/** The VAE's KL per test example and, for repeat 0 of image data, 32 samples and a walk between two test codes. */
async function vaeExtras(model: VAE, run: RunSpec, data: Data, shape: number[], picturesDir: string | null): Promise<{ kl: number; pictures: string[] }> {
  model.eval();
  const klRows = await mapBatches(data.test.images, data.test.n, shape, 500, (x) => {
    const { mu, logvar } = model.encodeDistribution(x);
    return gaussianKl(mu, logvar, { reduction: 'none' }).reshape([x.shape[0], 1]);
  });
  const kl = klRows.values.reduce((a, b) => a + b, 0) / data.test.n;
  const fs = data.featureShape;
  const hw = fs.length === 3 && fs[0] === 1 ? [fs[1], fs[2]] : fs.length === 2 ? fs : null;
  const pictures: string[] = [];
  if (picturesDir !== null && hw !== null && run.repeat === 0) {
    const stem = run.variant.name.replace(/[^A-Za-z0-9.=-]+/g, '_');
    const samples = model.sample(32, new Generator(run.seed));
    writePng(path.join(picturesDir, `${stem}-samples.png`), imageGrid(Float32Array.from(await samples.data()), 32, hw[0], hw[1], { cols: 8 }));
    samples.dispose();
    const mus = await mapBatches(data.test.images, 2, shape, 2, (x) => model.encode(x));
    const l = mus.width, steps = 10;
    const z = new Float32Array(steps * l);
    for (let s = 0; s < steps; s++) for (let j = 0; j < l; j++) z[s * l + j] = mus.values[j] + ((mus.values[l + j] - mus.values[j]) * s) / (steps - 1);
    const walk = noGrad(() => tidy(() => model.decode(fromTyped(z, [steps, l]))));
    writePng(path.join(picturesDir, `${stem}-walk.png`), imageGrid(Float32Array.from(await walk.data()), steps, hw[0], hw[1], { cols: steps }));
    walk.dispose();
    pictures.push(`${path.basename(picturesDir)}/${stem}-samples.png`, `${path.basename(picturesDir)}/${stem}-walk.png`);
  }
  return { kl, pictures };
}

/** Trains and measures one run; `data` is the study's full data (the run takes its regime's rows). */
export async function runOne(run: RunSpec, budget: Budget, dataValues: Values, fullData: Data, o: { signal?: AbortSignal; picturesDir: string | null }): Promise<RunResult | 'interrupted'> {
  const data = subsetData(fullData, budget[run.variant.regime].trainRows);
  if (run.variant.kind === 'pca') return pcaRun(run, budget, data);
  const config = runConfig(run, budget, dataValues, data);
  const session = newSession(config, data.train.n);
  const r = await runSession(session, { data, signal: o.signal, progress: 'none', metrics: ['mse'] });
  if (r.interrupted) return 'interrupted';
  const base = { name: run.name, variant: run.variant.name, repeat: run.repeat, seed: run.seed, seconds: r.seconds, parameters: session.model.numParameters() };
  if (r.nonFinite) return { ...base, diverged: describeNonFinite(r.nonFinite), testMse: NaN, trainMse: NaN, curve: r.history.valMse ?? [] };
  const shape = featureShapeOf(config);
  const curve = r.history.valMse ?? [];
  const result: RunResult = { ...base, diverged: null, testMse: curve[curve.length - 1], trainMse: await datasetMse(session.model, trainDataset(data, shape)), curve };
  if (run.variant.kind === 'features') {
    const tr = await codesOf(session.model, data.train, shape), te = await codesOf(session.model, data.test, shape);
    const f = await featureScores(tr.values, te.values, tr.width, data, budget, run.seed);
    if (f) result.features = f;
  }
  if (run.variant.kind === 'vae' && session.model instanceof VAE) Object.assign(result, await vaeExtras(session.model, run, data, shape, o.picturesDir));
  return result;
}
