// Variational autoencoder (Kingma & Welling 2014). The encoder outputs [n, 2·latent]: μ in the
// first half, log σ² in the second. In training, z = μ + σ·ε with ε ~ N(0, I) drawn from a
// seeded Generator (the reparameterisation trick: the randomness is an input, so gradients
// reach μ and σ); in eval mode z = μ. The forward pass adds β·KL(q(z|x) ‖ N(0, I)) via addLoss,
// the KL summed over the latent axis and averaged over the batch, so it pairs with a
// reconstruction loss of the same scale: `vae.reconstructionLoss` (BCE or squared error summed
// over the features, averaged over the batch).
// With BCE and a decoder that ends in Sigmoid (denseVae's), the training forward keeps the
// decoder's logits beside the reconstruction σ(logits) it returns (deferred: computed when first
// read, so a fit() step, whose loss reads only the logits, never pays for it), and reconstructionLoss takes
// BCE on those logits (bceWithLogitsLoss: one kernel pass writes the loss and its derivative, float32 math)
// instead of BCE on the probabilities (two double-precision logs per element) followed by the
// sigmoid's derivative: the same loss, −[x·log σ(z) + (1 − x)·log(1 − σ(z))], without σ's
// rounding near 0 and 1 (PyTorch's clamp of each log at −100 is reached only past |z| ≈ 88).
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { randn } from '../ops/random.js';
import { add, exp, mul } from '../ops/elementwise.js';
import { slice } from '../ops/shape-ops.js';
import { sum } from '../ops/reduce.js';
import { reparameterize } from '../ops/latent.js';
import { shapeStr } from '../shape.js';
import type { Module } from '../nn/module.js';
import { defaultGenerator, type Generator } from '../random.js';
import { gaussianKl } from '../losses/kl-divergence.js';
import { bceLoss, bceWithLogitsLoss } from '../losses/binary-cross-entropy.js';
import { checkProbabilities } from '../losses/check-values.js';
import { sigmoidDeferred } from '../ops/activation.js';
import { Sequential } from '../nn/sequential.js';
import { Sigmoid } from '../nn/activations.js';
import { mseLoss } from '../losses/regression.js';
import { Autoencoder } from './autoencoder.js';
import { mlp } from './dense-autoencoder.js';
import type { ActivationName } from '../nn/activations.js';
import type { ModelInit } from '../nn/init.js';

export interface VaeOptions {
  latent: number;
  /** Weight of the KL term (β-VAE, Higgins et al. 2017); default 1. */
  beta?: number;
  /** The reconstruction term of `reconstructionLoss` (default 'bce'). */
  reconstruction?: 'bce' | 'mse';
  generator?: Generator;
}

export class VAE extends Autoencoder {
  readonly latent: number;
  beta: number;
  readonly reconstruction: 'bce' | 'mse';
  readonly generator: Generator;
  /** Each training reconstruction σ(z) → its logits z, for reconstructionLoss (weak: gone with the step). */
  private readonly logitsOf = new WeakMap<Tensor, Tensor>();

  constructor(encoder: Module, decoder: Module, options: VaeOptions) {
    super(encoder, decoder);
    if (!Number.isInteger(options.latent) || options.latent < 1) throw new Error(`VAE: latent must be a positive integer, got ${options.latent}`);
    this.latent = options.latent;
    this.beta = options.beta ?? 1;
    if (!(this.beta >= 0)) throw new Error(`VAE: beta must be ≥ 0, got ${this.beta}`);
    this.reconstruction = options.reconstruction ?? 'bce';
    this.generator = options.generator ?? defaultGenerator;
  }

  /** μ and log σ² of q(z | x). */
  encodeDistribution(x: Tensor): { mu: Tensor; logvar: Tensor } {
    return this.split(this.encodeStats(x));
  }

  /** The encoder's output [n, 2·latent]: μ ‖ log σ², checked. */
  private encodeStats(x: Tensor): Tensor {
    const h = this.encoder.call(x);
    const l = this.latent;
    if (h.rank !== 2 || h.shape[1] !== 2 * l) {
      throw new Error(`VAE: the encoder must output [n, ${2 * l}] (μ and log σ² for latent ${l}), got ${shapeStr(h.shape)}`);
    }
    return h;
  }

  private split(h: Tensor): { mu: Tensor; logvar: Tensor } {
    const l = this.latent;
    return { mu: slice(h, [0, 0], [h.shape[0], l]), logvar: slice(h, [0, l], [h.shape[0], 2 * l]) };
  }

  /** The mean code μ (deterministic), e.g. for plotting the latent space. */
  override encode(x: Tensor): Tensor {
    return this.encodeDistribution(x).mu;
  }

  /** z = μ + e^(½ log σ²)·ε from elementwise ops (forward takes the fused op, src/ops/latent.ts). */
  reparameterize(mu: Tensor, logvar: Tensor): Tensor {
    const eps = randn(mu.shape, { generator: this.generator, backend: mu.backend, dtype: mu.dtype });
    return add(mu, mul(exp(mul(logvar, 0.5)), eps));
  }

  override forward(x: Tensor): Tensor {
    const h = this.encodeStats(x);
    this.clearLosses();
    if (!this.training) {
      const { mu, logvar } = this.split(h);
      if (this.beta > 0) this.addLoss(mul(gaussianKl(mu, logvar, { reduction: 'mean' }), this.beta));
      return this.decode(mu);
    }
    // Training: z and the KL of each row in one kernel pass on the unsliced stats (ε from the
    // backend's Philox kernel, the same numbers on every backend).
    const n = h.shape[0];
    const eps = randn([n, this.latent], { generator: this.generator, backend: h.backend, dtype: h.dtype });
    const { z, kl } = reparameterize(h, eps);
    if (this.beta > 0) this.addLoss(mul(sum(kl), this.beta / n));
    return this.decodeForLoss(z);
  }

  /** decode(z), keeping the logits when the loss can use them (BCE, a decoder ending in Sigmoid). */
  private decodeForLoss(z: Tensor): Tensor {
    const d = this.decoder;
    if (this.reconstruction !== 'bce' || !(d instanceof Sequential) || !(d.at(-1) instanceof Sigmoid)) return this.decode(z);
    const logits = d.forwardFirst(z, d.length - 1);
    const pred = sigmoidDeferred(logits);
    this.logitsOf.set(pred, logits);
    return pred;
  }

  /** Reconstruction loss per example: summed over features, averaged over the batch. */
  readonly reconstructionLoss = (pred: Tensor, target: Tensor): Tensor => {
    const n = pred.rank === 0 ? 1 : pred.shape[0];
    const logits = this.logitsOf.get(pred);
    let total: Tensor;
    if (this.reconstruction === 'mse') total = mseLoss(pred, target, { reduction: 'sum' });
    else if (logits === undefined) total = bceLoss(pred, target, { reduction: 'sum' });
    else {
      // The target is checked on the host as bceLoss checks it (values in [0, 1]; not on webgpu, which
      // cannot read it synchronously); σ(z) is in [0, 1] by construction.
      checkProbabilities('VAE.reconstructionLoss', 'target', target, '');
      total = bceWithLogitsLoss(logits, target, { reduction: 'sum' });
    }
    return mul(total, 1 / n);
  };

  /** Decodes n draws of z ~ N(0, I) (in eval mode, without a graph). */
  sample(n: number, generator: Generator = this.generator): Tensor {
    if (!Number.isInteger(n) || n < 1) throw new Error(`VAE.sample: n must be a positive integer, got ${n}`);
    const like = this.parameters()[0];
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => this.decode(randn([n, this.latent], { generator, backend: like?.backend, dtype: like?.dtype })));
    } finally {
      this.train(wasTraining);
    }
  }
}

export interface DenseVaeOptions {
  inputDim?: number;
  hidden?: number[];
  latent?: number;
  activation?: ActivationName;
  output?: ActivationName;
  beta?: number;
  reconstruction?: 'bce' | 'mse';
  generator?: Generator;
  /** Initial weights (default 'glorot', Keras's Dense default; src/nn/init.ts). */
  init?: ModelInit;
}

/** A dense VAE: encoder inputDim → hidden → 2·latent, decoder latent → hidden → inputDim (sigmoid). */
export function denseVae(options: DenseVaeOptions = {}): VAE {
  const inputDim = options.inputDim ?? 784;
  const hidden = options.hidden ?? [256];
  const latent = options.latent ?? 2;
  const generator = options.generator ?? defaultGenerator;
  const activation = options.activation ?? 'relu';
  const encoder = mlp([inputDim, ...hidden, 2 * latent], { activation, last: 'none', generator, init: options.init });
  const decoder = mlp([latent, ...[...hidden].reverse(), inputDim], { activation, last: options.output ?? 'sigmoid', generator, init: options.init });
  return new VAE(encoder, decoder, { latent, beta: options.beta, reconstruction: options.reconstruction, generator });
}

