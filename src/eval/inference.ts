// A trained run's model applied to rows: pushed through in batches (eval mode, no graph), the
// outputs' rows gathered on the host. What `tessera train`, `eval`, `encode` and `reconstruct` share.
import type { Tensor } from '../tensor.js';
import { fromTyped } from '../ops/creation.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { BatchSizer } from '../train/batch-sizer.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { featureShapeOf } from '../models/build-model.js';
import type { TrainConfig } from '../models/run-config.js';

/** A run folder's config and its trained model (src/cli/run-folder.ts readRun loads one). */
export interface LoadedRun {
  dir: string;
  config: TrainConfig;
  model: Autoencoder;
}

/**
 * Applies fn to the rows of `data` (n × rowSize) in batches of at most `batchSize` rows, sized
 * by bytes (src/train/batch-sizer.ts), inputs shaped [b, ...featureShape], and concatenates the
 * outputs' rows on the host.
 */
export async function mapBatches(data: Float32Array, n: number, featureShape: number[], batchSize: number,
  fn: (x: Tensor) => Tensor): Promise<{ values: Float32Array; width: number }> {
  const rowSize = featureShape.reduce((a, b) => a * b, 1);
  let out: Float32Array | null = null;
  let width = 0;
  const sizer = new BatchSizer(batchSize);
  for (const [r0, r1] of sizer.ranges(n)) {
    const y = sizer.run(r1 - r0, () => noGrad(() => tidy(() => fn(fromTyped(data.subarray(r0 * rowSize, r1 * rowSize), [r1 - r0, ...featureShape])))));
    const host = await y.data();
    y.dispose();
    if (out === null) {
      width = host.length / (r1 - r0);
      out = new Float32Array(n * width);
    }
    out.set(host, r0 * width);
  }
  return { values: out ?? new Float32Array(0), width };
}

export async function reconstructRows(run: LoadedRun, data: Float32Array, n: number, batchSize = 500): Promise<Float32Array> {
  run.model.eval();
  return (await mapBatches(data, n, featureShapeOf(run.config), batchSize, (x) => run.model.forward(x))).values;
}

/** Codes [n, width] (a VAE's are the means μ). */
export async function encodeRows(run: LoadedRun, data: Float32Array, n: number, batchSize = 500): Promise<{ values: Float32Array; width: number }> {
  run.model.eval();
  return mapBatches(data, n, featureShapeOf(run.config), batchSize, (x) => {
    const z = run.model.encode(x);
    return z.rank === 2 ? z : z.reshape([z.shape[0], z.size / z.shape[0]]);
  });
}
