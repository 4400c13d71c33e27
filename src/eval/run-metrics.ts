// The numbers a run is judged by, shared by `train` (written to metrics.json) and `eval`:
// test loss (the training objective on the test set), reconstruction MSE and PSNR, and the
// baselines: PCA with as many components as the code has values, and kNN accuracy of codes.
import { fromTyped } from '../ops/creation.js';
import { add } from '../ops/elementwise.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { BatchSizer } from '../train/batch-sizer.js';
import { fitPca } from './pca.js';
import { knnAccuracy } from './knn.js';
import { linearProbeAccuracy } from './linear-probe.js';
import { meanImagePsnr, meanSquaredError, psnr } from './metrics.js';
import { featureShapeOf, trainingLoss } from '../models/build-model.js';
import { encodeRows, reconstructRows, type LoadedRun } from './inference.js';
import type { Data } from '../train/run-data.js';
import type { Autoencoder } from '../models/autoencoder.js';
import type { Dataset } from '../data/dataset.js';
import { evaluateLoss } from '../train/evaluate.js';
import { makeObjective } from '../train/loss.js';
import { MetricMeter } from '../train/metrics.js';
import { canReadSync } from '../train/loss-meter.js';

export interface ReconstructionMetrics {
  testLoss: number;
  testMse: number;
  psnr: number;
  meanImagePsnr: number;
}

/** The training objective averaged over the test set (eval mode: no dropout, no noise, VAE z = μ). */
export async function testLoss(run: LoadedRun, data: Float32Array, n: number, batchSize = 500): Promise<number> {
  const { model } = run;
  model.eval();
  const loss = trainingLoss(model, run.config.data.loss);
  const shape = featureShapeOf(run.config);
  const rowSize = shape.reduce((a, b) => a * b, 1);
  let total = 0;
  const sizer = new BatchSizer(batchSize);
  for (const [r0, r1] of sizer.ranges(n)) {
    const value = sizer.run(r1 - r0, () => noGrad(() => tidy(() => {
      const x = fromTyped(data.subarray(r0 * rowSize, r1 * rowSize), [r1 - r0, ...shape]);
      let l = loss(model.forward(x), x);
      for (const term of model.takeLosses()) l = add(l, term);
      return l;
    })));
    total += (await value.data())[0] * (r1 - r0);
    value.dispose();
  }
  return total / n;
}

export async function reconstructionMetrics(run: LoadedRun, data: Data): Promise<ReconstructionMetrics> {
  const { test } = data;
  const recon = await reconstructRows(run, test.images, test.n);
  const mse = meanSquaredError(recon, test.images);
  const rowSize = featureShapeOf(run.config).reduce((a, b) => a * b, 1);
  return { testLoss: await testLoss(run, test.images, test.n), testMse: mse, psnr: psnr(mse), meanImagePsnr: meanImagePsnr(recon, test.images, rowSize) };
}

export interface BaselineMetrics {
  components: number;
  pcaTestMse: number;
  pcaPsnr: number;
  pcaExplainedVariance: number;
  /** Null without labels on both splits. */
  knn: { k: number; queries: number; trainRows: number; rawPixels: number; pcaCodes: number; autoencoderCodes: number } | null;
  /** Softmax-regression test accuracy on each representation (null with probeEpochs 0 or without labels). */
  linearProbe: { epochs: number; rawPixels: number; pcaCodes: number; autoencoderCodes: number } | null;
  seconds: { pca: number; knn: number; linearProbe: number };
}

/** PCA with `components` axes fitted on the training images, and kNN accuracies of three representations. */
export async function baselineMetrics(run: LoadedRun, data: Data, options: { k: number; knnQueries?: number; probeEpochs?: number }): Promise<BaselineMetrics> {
  const { train, test } = data;
  const t0 = performance.now();
  const trainCodes = await encodeRows(run, train.images, train.n);
  const testCodes = await encodeRows(run, test.images, test.n);
  const rowSize = featureShapeOf(run.config).reduce((a, b) => a * b, 1);
  const components = Math.min(trainCodes.width, rowSize, train.n);
  const xTrain = fromTyped(train.images, [train.n, rowSize]);
  const xTest = fromTyped(test.images, [test.n, rowSize]);
  const pca = await fitPca(xTrain, components);
  const pcaRecon = pca.reconstruct(xTest);
  const pcaMse = meanSquaredError(await pcaRecon.data(), test.images);
  pcaRecon.dispose();
  const pcaTrain = pca.transform(xTrain), pcaTest = pca.transform(xTest);
  const t1 = performance.now();
  const trainLabels = train.labels, allTestLabels = test.labels;
  let knn: BaselineMetrics['knn'] = null;
  if (trainLabels && allTestLabels) {
    const q = Math.min(test.n, options.knnQueries ?? test.n);
    const queries = (x: Float32Array, width: number) => fromTyped(x.subarray(0, q * width), [q, width]);
    const testLabels = allTestLabels.subarray(0, q);
    const knnOpts = { k: options.k };
    const rawAcc = await knnAccuracy(xTrain, trainLabels, queries(test.images, rowSize), testLabels, knnOpts);
    const pcaAcc = await knnAccuracy(pcaTrain, trainLabels, queries(await pcaTest.data() as Float32Array, components), testLabels, knnOpts);
    const aeAcc = await knnAccuracy(fromTyped(trainCodes.values, [train.n, trainCodes.width]), trainLabels,
      queries(testCodes.values, testCodes.width), testLabels, knnOpts);
    knn = { k: options.k, queries: q, trainRows: train.n, rawPixels: rawAcc, pcaCodes: pcaAcc, autoencoderCodes: aeAcc };
  }
  const t2 = performance.now();
  const probeEpochs = options.probeEpochs ?? 10;
  let linearProbe: BaselineMetrics['linearProbe'] = null;
  if (probeEpochs > 0 && trainLabels && allTestLabels) {
    const probe = (tr: Float32Array, te: Float32Array, d: number) => linearProbeAccuracy(tr, trainLabels, te, allTestLabels, d, { epochs: probeEpochs });
    linearProbe = {
      epochs: probeEpochs,
      rawPixels: await probe(train.images, test.images, rowSize),
      pcaCodes: await probe(Float32Array.from(await pcaTrain.data()), Float32Array.from(await pcaTest.data()), components),
      autoencoderCodes: await probe(trainCodes.values, testCodes.values, trainCodes.width),
    };
  }
  const t3 = performance.now();
  for (const t of [xTrain, xTest, pcaTrain, pcaTest]) t.dispose();
  const explained = pca.totalExplainedVarianceRatio();
  pca.dispose();
  return {
    components, pcaTestMse: pcaMse, pcaPsnr: psnr(pcaMse), pcaExplainedVariance: explained,
    knn,
    linearProbe,
    seconds: { pca: (t1 - t0) / 1000, knn: (t2 - t1) / 1000, linearProbe: (t3 - t2) / 1000 },
  };
}

/**
 * Reconstruction MSE per value over the rows of `x` (eval mode), without the model's own loss
 * terms or penalties; read from the same pass as the objective, which is discarded.
 */
export async function datasetMse(model: Autoencoder, x: Dataset, batchSize = 500): Promise<number> {
  const params = model.parameters();
  const meter = new MetricMeter(['mse'], params.length === 0 || canReadSync(params[0]));
  try {
    await evaluateLoss('sweep', model, x, null, makeObjective('sweep', model, 'mse'), batchSize, meter);
    return (await meter.read()).valMse as number;
  } finally {
    meter.dispose();
  }
}
