// Sparse autoencoder: a penalty on the code z is added to the loss (Module.addLoss), so that
// few units are active for each input.
//   l1  weight · (1/n) Σ_i Σ_j |z_ij|             (Keras's activity_regularizer l1, per example)
//   kl  weight · Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j = mean_i z_ij  (Ng's sparse autoencoder; z must be in (0, 1),
//       so the encoder should end in a Sigmoid)
import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { abs, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { klSparsity } from '../losses/kl-divergence.js';
import { Autoencoder } from './autoencoder.js';

export interface SparseOptions {
  penalty: 'l1' | 'kl';
  /** λ for l1, β for kl. */
  weight: number;
  /** Target mean activation for kl (default 0.05). */
  rho?: number;
}

export class SparseAutoencoder extends Autoencoder {
  readonly penalty: 'l1' | 'kl';
  readonly weight: number;
  readonly rho: number;

  constructor(encoder: Module, decoder: Module, options: SparseOptions) {
    super(encoder, decoder);
    if (options.penalty !== 'l1' && options.penalty !== 'kl') throw new Error(`SparseAutoencoder: penalty must be 'l1' or 'kl', got '${String(options.penalty)}'`);
    if (!(options.weight >= 0)) throw new Error(`SparseAutoencoder: weight must be ≥ 0, got ${options.weight}`);
    this.penalty = options.penalty;
    this.weight = options.weight;
    this.rho = options.rho ?? 0.05;
    if (!(this.rho > 0 && this.rho < 1)) throw new Error(`SparseAutoencoder: rho must be in (0, 1), got ${this.rho}`);
  }

  static from(ae: Autoencoder, options: SparseOptions): SparseAutoencoder {
    return new SparseAutoencoder(ae.encoder, ae.decoder, options);
  }

  /** The penalty on a batch of codes, without the weight. */
  sparsityPenalty(z: Tensor): Tensor {
    return this.penalty === 'l1' ? mul(sum(abs(z)), 1 / z.shape[0]) : klSparsity(z, this.rho);
  }

  override forward(x: Tensor): Tensor {
    const z = this.encode(x);
    // One forward, one term: a term left over from an earlier pass (say, a predict) is dropped.
    this.clearLosses();
    if (this.weight > 0) this.addLoss(mul(this.sparsityPenalty(z), this.weight));
    return this.decode(z);
  }
}
