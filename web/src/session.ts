// The playground's training session: a model of src/models built from the page's settings, its
// optimizer, and one training step as src/train/fit.ts takes it (zeroGrad → forward → loss + the
// terms the model added, train/loss.ts's objective → backward → step, in one tidy scope). No DOM and no Node module: the
// page runs it on the webgpu or js backend, and test/web runs it in Node on the js backend to
// check the page's first loss.
import { registerBackend, setBackend, type Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { tidy } from '../../src/memory.js';
import { noGrad } from '../../src/autograd.js';
import { fromTyped, gatherRows as gatherImageRows } from '../../src/ops/creation.js';
import { makeObjective, objective, type Objective } from '../../src/train/loss.js';
import { Generator } from '../../src/random.js';
import { mseLoss } from '../../src/losses/regression.js';
import { getOptimizer, type OPTIMIZER_NAMES } from '../../src/optim/index.js';

type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
import type { Optimizer } from '../../src/optim/optimizer.js';
import type { ActivationName } from '../../src/nn/activations.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { convAutoencoder } from '../../src/models/conv-autoencoder.js';
import { DenoisingAutoencoder } from '../../src/models/denoising-autoencoder.js';
import { SparseAutoencoder } from '../../src/models/sparse-autoencoder.js';
import { VAE, denseVae } from '../../src/models/vae.js';
import { LayerProbe } from './probe.js';

export const MODEL_KINDS = ['dense', 'conv', 'denoising', 'sparse', 'vae'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface Settings {
  model: ModelKind;
  /** Width of the code z. */
  latent: number;
  /** Width of the hidden layer (dense models) or channels of the first level (conv). */
  hidden: number;
  activation: ActivationName;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  dropout: number;
  batchNorm: boolean;
  /** σ of the denoising model's gaussian corruption. */
  noise: number;
  /** Weight of the VAE's KL term. */
  beta: number;
  /** Weight of the sparse model's L1 penalty on the code. */
  sparsity: number;
  seed: number;
}

export const DEFAULT_SETTINGS: Settings = {
  model: 'dense', latent: 8, hidden: 64, activation: 'relu', optimizer: 'adam', lr: 0.003, batchSize: 32,
  dropout: 0, batchNorm: false, noise: 0.3, beta: 1, sparsity: 1e-3, seed: 1,
};

/** 28×28 grey images, one row of 784 values in [0, 1] each. */
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

function buildModel(s: Settings, generator: Generator): Autoencoder {
  const common = { inputDim: PIXELS, hidden: [s.hidden], latent: s.latent, activation: s.activation, generator };
  switch (s.model) {
    case 'conv':
      return convAutoencoder({ inputShape: [1, IMAGE_SIZE, IMAGE_SIZE], channels: [Math.max(1, s.hidden >> 3), Math.max(1, s.hidden >> 4)],
        latent: s.latent, activation: s.activation, batchNorm: s.batchNorm, generator });
    case 'vae':
      return denseVae({ ...common, beta: s.beta });
    case 'denoising':
      return DenoisingAutoencoder.from(denseAutoencoder({ ...common, dropout: s.dropout || undefined, batchNorm: s.batchNorm }),
        { noise: { kind: 'gaussian', std: s.noise, clip: [0, 1] }, generator });
    case 'sparse':
      return SparseAutoencoder.from(denseAutoencoder({ ...common, dropout: s.dropout || undefined, batchNorm: s.batchNorm }),
        { penalty: 'l1', weight: s.sparsity });
    default:
      return denseAutoencoder({ ...common, dropout: s.dropout || undefined, batchNorm: s.batchNorm });
  }
}

/**
 * The rows `order[from … from+n)` (indices wrapping around) of `images` (n·784 bytes, 0…255) as
 * floats in [0, 1], by src's gatherRows on js (a host copy; also before the session's backend is set).
 */
export function gatherRows(images: Uint8Array, order: ArrayLike<number>, from: number, n: number): Float32Array {
  const out = new Float32Array(n * PIXELS);
  gatherImageRows(images, PIXELS, Uint32Array.from({ length: n }, (_, r) => order[(from + r) % order.length]), 255, out, jsBackend);
  return out;
}

export class Session {
  readonly model: Autoencoder;
  readonly optimizer: Optimizer;
  /** The reconstruction loss plus the terms the model adds (a VAE's KL, a sparsity penalty), as fit's. */
  readonly objective: Objective;
  readonly probe: LayerProbe;
  /** Draws the batch order (its own stream, so the model's noise draws do not shift it). */
  readonly batchGenerator: Generator;
  steps = 0;

  constructor(readonly settings: Settings, readonly backend: Backend) {
    registerBackend(backend);
    setBackend(backend.name);
    this.model = buildModel(settings, new Generator(settings.seed));
    this.optimizer = getOptimizer(settings.optimizer, this.model.parameters(), { lr: settings.lr });
    this.objective = makeObjective('playground', this.model, this.model instanceof VAE ? this.model.reconstructionLoss : (pred, target) => mseLoss(pred, target));
    this.probe = new LayerProbe(this.model);
    this.batchGenerator = new Generator(settings.seed + 1);
  }

  /** The input shape of one batch of n rows: images for the conv model, flat rows otherwise. */
  batchShape(n: number): number[] {
    return this.settings.model === 'conv' ? [n, 1, IMAGE_SIZE, IMAGE_SIZE] : [n, PIXELS];
  }

  /**
   * One training step on `rows` (n·784 values); returns the loss. With `record`, the probe keeps
   * each layer's output for the views, until the caller's probe.collect reads and frees them.
   */
  async step(rows: Float32Array, record = false): Promise<number> {
    const n = rows.length / PIXELS;
    this.model.train(true);
    this.optimizer.zeroGrad();
    this.probe.recording = record;
    const loss = tidy(() => {
      const x = fromTyped(rows, this.batchShape(n), { backend: this.backend });
      const total = objective(this.model, this.model.forward(x), x, this.objective);
      total.backward();
      this.optimizer.step();
      return total.detach();
    });
    this.probe.recording = false;
    const value = (await loss.data())[0];
    loss.dispose();
    this.steps++;
    return value;
  }

  /** The mean loss on `rows` in eval mode, without a graph (the VAE's KL term included). */
  async evaluate(rows: Float32Array): Promise<number> {
    this.model.eval();
    try {
      const loss = noGrad(() => tidy(() => {
        const x = fromTyped(rows, this.batchShape(rows.length / PIXELS), { backend: this.backend });
        return objective(this.model, this.model.forward(x), x, this.objective);
      }));
      const value = (await loss.data())[0];
      loss.dispose();
      return value;
    } finally {
      this.model.train(true);
    }
  }

  /** Reconstructions of `rows` in eval mode: n·784 values (the codes stay on the backend). */
  async reconstruct(rows: Float32Array): Promise<Float32Array> {
    this.model.eval();
    try {
      const recon = noGrad(() => tidy(() => {
        const x = fromTyped(rows, this.batchShape(rows.length / PIXELS), { backend: this.backend });
        return this.model.decode(this.model.encode(x));
      }));
      const out = Float32Array.from(await recon.data());
      recon.dispose();
      return out;
    } finally {
      this.model.train(true);
    }
  }

  /** The codes of `rows` in eval mode (n·latent values; no decoder pass). */
  async encode(rows: Float32Array): Promise<{ codes: Float32Array; latent: number }> {
    this.model.eval();
    try {
      const codes = noGrad(() => tidy(() => this.model.encode(fromTyped(rows, this.batchShape(rows.length / PIXELS), { backend: this.backend }))));
      const out = { codes: Float32Array.from(await codes.data()), latent: codes.shape[1] ?? 1 };
      codes.dispose();
      return out;
    } finally {
      this.model.train(true);
    }
  }

  /** Decodes the codes (rows of `latent` values), in eval mode. */
  async decode(codes: Float32Array, latent: number): Promise<Float32Array> {
    this.model.eval();
    try {
      const out = noGrad(() => tidy(() => this.model.decode(fromTyped(codes, [codes.length / latent, latent], { backend: this.backend }))));
      const data = Float32Array.from(await out.data());
      out.dispose();
      return data;
    } finally {
      this.model.train(true);
    }
  }
}
