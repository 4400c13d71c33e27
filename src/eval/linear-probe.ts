// Linear probe: how linearly separable the classes are in a representation. A softmax
// regression (one Linear layer, cross-entropy) is trained on standardised training features
// with fit() and Adam, then scored on the test features: accuracy = mean(argmax(x·Wᵀ + b) = y).
// Standardising each feature (mean 0, std 1 on the training set) makes one learning rate suit
// raw pixels and codes alike.
import type { Tensor } from '../tensor.js';
import { Generator } from '../random.js';
import { argmax } from '../ops/reduce.js';
import { fromTyped } from '../ops/creation.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { Linear } from '../nn/linear.js';
import { Adam } from '../optim/adam.js';
import { crossEntropyLoss } from '../losses/cross-entropy.js';
import { fit } from '../train/fit.js';
import { accuracy } from './metrics.js';

export interface LinearProbeOptions {
  epochs?: number;        // default 10
  lr?: number;            // default 1e-2
  batchSize?: number;     // default 256
  seed?: number;          // default 0
}

/** Per-feature mean and std of the rows of x (n × d); a constant feature gets std 1. */
function standardizer(x: Float32Array, n: number, d: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const t = x[i * d + j] - mean[j]; sq[j] += t * t; }
  const std = sq.map((s) => { const v = Math.sqrt(s / n); return v > 1e-8 ? v : 1; });
  return { mean, std };
}

function standardize(x: Float32Array, n: number, d: number, s: { mean: Float64Array; std: Float64Array }): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j] - s.mean[j]) / s.std[j];
  return out;
}

/** Test accuracy of a softmax regression trained on (trainX, trainLabels); rows have d features. */
export async function linearProbeAccuracy(trainX: Float32Array, trainLabels: ArrayLike<number>, testX: Float32Array, testLabels: ArrayLike<number>,
  d: number, options: LinearProbeOptions = {}): Promise<number> {
  const n = trainLabels.length, m = testLabels.length;
  if (trainX.length !== n * d || testX.length !== m * d) {
    throw new Error(`linearProbeAccuracy: expected ${n} × ${d} training and ${m} × ${d} test values, got ${trainX.length} and ${testX.length}`);
  }
  let classes = 0;
  for (let i = 0; i < n; i++) classes = Math.max(classes, trainLabels[i] + 1);
  const s = standardizer(trainX, n, d);
  const generator = new Generator(options.seed ?? 0);
  const probe = new Linear(d, classes, { generator });
  const x = fromTyped(standardize(trainX, n, d, s), [n, d]);
  const y = fromTyped(Float32Array.from(trainLabels), [n]);
  await fit(probe, x, y, {
    optimizer: new Adam(probe.parameters(), { lr: options.lr ?? 1e-2 }), loss: (logits, target) => crossEntropyLoss(logits, target),
    epochs: options.epochs ?? 10, batchSize: options.batchSize ?? 256, shuffle: true, generator,
  });
  x.dispose(); y.dispose();
  probe.eval();
  const predicted = noGrad(() => tidy(() => argmax(probe.forward(fromTyped(standardize(testX, m, d, s), [m, d])), 1)));
  const labels = await predicted.data();
  predicted.dispose();
  return accuracy(Array.from(labels, Math.round), testLabels);
}

/** linearProbeAccuracy on tensors: train [n, d] and test [m, d] feature rows (codes, PCA codes, pixels). */
export async function linearProbe(train: Tensor, trainLabels: ArrayLike<number>, test: Tensor, testLabels: ArrayLike<number>,
  options: LinearProbeOptions = {}): Promise<number> {
  if (train.rank !== 2 || test.rank !== 2 || train.shape[1] !== test.shape[1]) {
    throw new Error(`linearProbe: expected train [n, d] and test [m, d] with the same d, got [${train.shape.join(', ')}] and [${test.shape.join(', ')}]`);
  }
  const rows = async (t: Tensor) => { const v = await t.data(); return v instanceof Float32Array ? v : Float32Array.from(v); };
  return linearProbeAccuracy(await rows(train), trainLabels, await rows(test), testLabels, train.shape[1], options);
}
