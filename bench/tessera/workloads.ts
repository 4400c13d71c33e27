// The benchmark workloads of the autoencoder family (issue 7's W1, issue 15's W2-W5): each as the
// architecture the CLI builds (src/models/build-model.ts), so the benchmark times the model a user
// gets from `tessera train --model …`, with PyTorch's initialisation so that its twin in
// bench/peers/torch_w1.py (same layers, same init scheme, same data) is a like-for-like peer.
//   W1 dense      784 → 64 ReLU → 32 ReLU → 64 ReLU → 784 sigmoid; MSE
//   W2 conv       Conv2d(1→16, 3×3, pad 1), ReLU, MaxPool 2, Conv2d(16→8), ReLU, MaxPool 2, Flatten,
//                 Linear(392→32) | Linear(32→392), ReLU, Unflatten, ConvTranspose2d(8→8, 3, stride 2,
//                 pad 1, out-pad 1), ReLU, ConvTranspose2d(8→16, …), ReLU, Conv2d(16→1), sigmoid; MSE
//   W3 vae        784 → 256 ReLU → 64 (μ and log σ² of 32) | 32 → 256 ReLU → 784 sigmoid;
//                 BCE summed per image + KL, averaged over the batch
//   W4 denoising  W1 with Gaussian input noise σ = 0.3, clipped to [0, 1] (as the CLI's); MSE on the clean x
//   W5 sparse     W1 with an L1 activity penalty 1e-4 · Σ|z| / n on the code (the CLI's default λ)
// All: Adam(lr 1e-3), batch 256, shuffled each epoch, Fashion-MNIST scaled to [0, 1]; the test loss is
// the training objective on the 10,000 test images in eval mode (no noise; the VAE decodes μ).
// Kept free of a backend so that tests can read the table without loading one.
import type { Architecture } from '../../src/models/architecture.js';

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5'] as const;
export type WorkloadId = (typeof WORKLOADS)[number];

export interface Workload {
  id: WorkloadId;
  /** Short name for table rows, e.g. "W2 conv". */
  title: string;
  /** The CLI's `--model` that builds it. */
  cliModel: 'dense' | 'conv' | 'vae' | 'denoising' | 'sparse';
  architecture: Architecture;
  /** The shape of one input row: [1, 28, 28] for the conv model, [784] otherwise. */
  featureShape: number[];
  /** Training rows of a benchmark run unless told otherwise (the conv epoch is slow: issue 15 uses 12,000). */
  defaultTrainRows: number;
  /** What the test loss is, for the table's label. */
  testLoss: string;
}

// The CLI's choices for these options (build-model.ts): ReLU, a sigmoid output for [0, 1] data.
const dense = { inputDim: 784, hidden: [64], latent: 32, activation: 'relu', output: 'sigmoid', init: 'torch' } as const;

export const WORKLOAD_TABLE: Record<WorkloadId, Workload> = {
  W1: {
    id: 'W1', title: 'W1 dense', cliModel: 'dense', featureShape: [784], defaultTrainRows: 60_000, testLoss: 'MSE',
    architecture: { builder: 'denseAutoencoder', options: { ...dense, hidden: [...dense.hidden] } },
  },
  W2: {
    id: 'W2', title: 'W2 conv', cliModel: 'conv', featureShape: [1, 28, 28], defaultTrainRows: 12_000, testLoss: 'MSE',
    architecture: {
      builder: 'convAutoencoder',
      options: { inputShape: [1, 28, 28], channels: [16, 8], latent: 32, activation: 'relu', output: 'sigmoid', init: 'torch' },
    },
  },
  W3: {
    id: 'W3', title: 'W3 vae', cliModel: 'vae', featureShape: [784], defaultTrainRows: 60_000, testLoss: 'BCE summed per image + KL',
    architecture: {
      builder: 'denseVae',
      options: { inputDim: 784, hidden: [256], latent: 32, activation: 'relu', output: 'sigmoid', beta: 1, reconstruction: 'bce', init: 'torch' },
    },
  },
  W4: {
    id: 'W4', title: 'W4 denoising', cliModel: 'denoising', featureShape: [784], defaultTrainRows: 60_000, testLoss: 'MSE (clean input)',
    architecture: {
      builder: 'denseAutoencoder', options: { ...dense, hidden: [...dense.hidden] },
      wrap: { kind: 'denoising', noise: { kind: 'gaussian', std: 0.3, clip: [0, 1] } },
    },
  },
  W5: {
    id: 'W5', title: 'W5 sparse', cliModel: 'sparse', featureShape: [784], defaultTrainRows: 60_000, testLoss: 'MSE + L1 penalty',
    architecture: {
      builder: 'denseAutoencoder', options: { ...dense, hidden: [...dense.hidden] },
      wrap: { kind: 'sparse', penalty: 'l1', weight: 1e-4 },
    },
  },
};

/** The workload named `id` (W1..W5, case-insensitive), or an error naming the known ones. */
export function workload(id: string, where = 'bench'): Workload {
  const key = id.toUpperCase() as WorkloadId;
  if (!(WORKLOADS as readonly string[]).includes(key)) {
    throw new Error(`${where}: unknown workload '${id}'; expected one of ${WORKLOADS.join(', ')}`);
  }
  return WORKLOAD_TABLE[key];
}

/** A comma-separated list of workloads ("W2,W3" or "all"), in the table's order, without repeats. */
export function parseWorkloads(list: string | undefined, where: string): WorkloadId[] {
  if (!list) throw new Error(`${where}: expected a comma-separated list of workloads (${WORKLOADS.join(', ')}) or 'all'`);
  if (list.trim().toLowerCase() === 'all') return [...WORKLOADS];
  const ids = new Set(list.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => workload(s, where).id));
  if (ids.size === 0) throw new Error(`${where}: expected at least one workload in '${list}'`);
  return WORKLOADS.filter((w) => ids.has(w));
}
