// A workload's model, loss and data as tessera trains them: shared by the timed child
// (w1-child.ts) and the step profile (step-kernels.ts), so the two see the same step.
import { VAE, buildArchitecture, type Autoencoder, type Dataset, type Generator, type Tensor } from '../../src/index.js';
import type { Workload } from './workloads.js';

export interface WorkloadModel {
  model: Autoencoder;
  /** The reconstruction term: MSE, or the VAE's own (BCE summed per image, averaged over the batch). */
  loss: 'mse' | ((pred: Tensor, target: Tensor) => Tensor);
}

/** Builds the workload's model from `generator` (the CLI's builder: buildArchitecture). */
export function buildWorkloadModel(w: Workload, generator: Generator): WorkloadModel {
  const model = buildArchitecture(w.architecture, generator);
  return { model, loss: model instanceof VAE ? model.reconstructionLoss : 'mse' };
}

/**
 * The first `rows` rows of `data` (all when 0 or more than it holds), each seen as `featureShape`
 * (the conv model takes [1, 28, 28] images; the bytes are the same 784 values per row).
 */
export function workloadRows(data: Dataset, rows: number, featureShape: readonly number[]): Dataset {
  const size = featureShape.reduce((a, b) => a * b, 1);
  const have = data.featureShape.reduce((a, b) => a * b, 1);
  if (size !== have) throw new Error(`bench/tessera/workload-model.ts: rows of [${data.featureShape.join(', ')}] cannot be seen as [${featureShape.join(', ')}]`);
  const length = rows > 0 ? Math.min(rows, data.length) : data.length;
  if (length === data.length && data.featureShape.join() === featureShape.join()) return data;
  const startReadRows = data.startReadRows?.bind(data);
  return {
    length, featureShape: [...featureShape], readRows: (indices, out) => data.readRows(indices, out),
    ...(startReadRows ? { startReadRows: (indices: Uint32Array, out: Float32Array) => startReadRows(indices, out) } : {}),
  };
}
