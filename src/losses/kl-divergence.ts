// Kullback–Leibler divergences.
//   klDivLoss(input, target)  PyTorch's kl_div: input holds log-probabilities log q, target holds
//                             probabilities p (or log p with logTarget); pointwise p·(log p − log q),
//                             0 where p = 0. 'batchmean' divides the sum by the batch size.
//   gaussianKl(μ, log σ²)     KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j) per example
//                             (summed over the latent axis), then averaged ('mean') or summed over the batch.
//   klSparsity(a, ρ)          Σ_j ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)), ρ̂_j = mean activation of
//                             unit j over the batch (sigmoid codes, so 0 < ρ̂ < 1).
import type { Tensor } from '../tensor.js';
import { add, clamp, exp, gt, log, mul, rsub, square, sub, where } from '../ops/elementwise.js';
import { mean, sum } from '../ops/reduce.js';
import { shapeStr } from '../shape.js';
import { checkPair, reduce, type Reduction } from './reduction.js';

export interface KlDivOptions {
  reduction?: Reduction | 'batchmean';
  logTarget?: boolean;
}

export function klDivLoss(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  checkPair('klDivLoss', input, target);
  let pointwise: Tensor;
  if (options.logTarget) {
    pointwise = mul(exp(target), sub(target, input));
  } else {
    // xlogy(p, p) − p·log q, with 0·log 0 = 0: log is taken of p where p > 0 and of 1 elsewhere.
    const positive = gt(target, 0);
    const pLogP = mul(target, log(where(positive, target, 1)));
    pointwise = sub(pLogP, mul(target, input));
  }
  if (options.reduction === 'batchmean') {
    const batch = input.rank === 0 ? 1 : input.shape[0];
    return mul(sum(pointwise), 1 / batch);
  }
  return reduce('klDivLoss', pointwise, options.reduction);
}

export function gaussianKl(mu: Tensor, logvar: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkPair('gaussianKl', mu, logvar);
  if (mu.rank < 1) throw new Error(`gaussianKl: expected μ of shape [n, latent] or [latent], got ${shapeStr(mu.shape)}`);
  const terms = sub(sub(add(logvar, 1), square(mu)), exp(logvar));
  const perExample = mul(sum(terms, -1), -0.5);
  return reduce('gaussianKl', perExample, options.reduction);
}

export function klSparsity(activations: Tensor, rho: number): Tensor {
  if (!(rho > 0 && rho < 1)) throw new Error(`klSparsity: target activation rho must be in (0, 1), got ${rho}`);
  if (activations.rank < 2) throw new Error(`klSparsity: expected activations [n, units], got ${shapeStr(activations.shape)}`);
  // ρ̂ is kept away from 0 and 1 so that a saturated unit gives a large but finite penalty.
  const eps = activations.dtype === 'float64' ? 1e-12 : 1e-6;
  const rhoHat = clamp(mean(activations, 0), eps, 1 - eps);
  const a = mul(log(mul(rhoHat, 1 / rho)), -rho);                     // ρ log(ρ/ρ̂) = −ρ log(ρ̂/ρ)
  const b = mul(log(mul(rsub(1, rhoHat), 1 / (1 - rho))), -(1 - rho)); // (1−ρ) log((1−ρ)/(1−ρ̂))
  return sum(add(a, b));
}
