// The VAE's latent layer as one op (Kingma & Welling 2014): from stats [n, 2·latent] = μ ‖ log σ²
// (the encoder's output, unsliced) and ε [n, latent] ~ N(0, I), one kernel pass gives
//   z  [n, latent] = μ + e^(½ log σ²)·ε                           (the reparameterisation)
//   kl [n]         = ½ Σ_j (μ² + σ² − 1 − log σ²) = KL(N(μ, σ²) ‖ N(0, I)) per row
// where the elementwise ops took two slice copies and a dozen passes forward and as many back.
// Backward, one pass per output (src/backend/js/latent.ts is the reference):
//   dμ = dz + dkl·μ,   d log σ² = ½·dz·σ·ε + ½·dkl·(σ² − 1)
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from '../grad-mode.js';
import { shapeStr } from '../shape.js';
import { checkSame, checkTensor, empty, record } from './op.js';

export function reparameterize(stats: Tensor, eps: Tensor): { z: Tensor; kl: Tensor } {
  const op = 'reparameterize';
  checkTensor(op, stats, 'stats (μ ‖ log σ²)');
  checkTensor(op, eps, 'eps');
  const { backend, dtype } = checkSame(op, [stats, eps]);
  const [rows, latent] = eps.shape;
  if (eps.rank !== 2 || stats.rank !== 2 || stats.shape[0] !== rows || stats.shape[1] !== 2 * latent) {
    throw new Error(`${op}: expected stats [n, 2·latent] and eps [n, latent], got ${shapeStr(stats.shape)} and ${shapeStr(eps.shape)}`);
  }
  if (eps.requiresGrad) throw new Error(`${op}: eps is noise and gets no gradient; pass it without requiresGrad`);
  const z = empty([rows, latent], dtype, backend), kl = empty([rows], dtype, backend);
  backend.reparameterize(stats.storage(op), eps.storage(op), z.storage(op), kl.storage(op), rows, latent);
  const adjoint = (dz: Tensor | null, dkl: Tensor | null): (Tensor | null)[] => {
    if (isGradEnabled()) throw new Error(`${op}: no second derivatives (createGraph); build z and the KL from elementwise ops for that`);
    const dstats = empty(stats.shape, dtype, backend);
    backend.reparameterizeBackward(stats.storage(op), eps.storage(op), dz?.storage(op) ?? null, dkl?.storage(op) ?? null,
      dstats.storage(op), rows, latent);
    return [dstats, null];
  };
  record(z, op, [stats, eps], (g) => adjoint(g, null), { saved: ['stats', 'eps'] });
  record(kl, 'gaussianKlRows', [stats, eps], (g) => adjoint(null, g), { saved: ['stats', 'eps'] });
  return { z, kl };
}
