// Input corruption for denoising autoencoders, with ops on the input's backend (the random
// draws are made there by the backend's counter-based kernel, src/ops/random.ts).
//   gaussian     x̃ = x + std·ε, ε ~ N(0, 1), optionally clipped: one fused op (draw, add, clip in
//                one kernel pass; ops/random.ts gaussianNoise)
//   masking      x̃ = x·m, m ~ Bernoulli(1 − p)
//   salt-pepper  x̃ = s where m = 1, else x; m ~ Bernoulli(p), s = low or high with probability ½ each
import type { Tensor } from '../tensor.js';
import { bernoulli, gaussianNoise } from '../ops/random.js';
import { affine, mul, where } from '../ops/elementwise.js';
import type { Generator } from '../random.js';
import { validateNoise, type NoiseSpec } from '../data/noise.js';

export function corrupt(x: Tensor, noise: NoiseSpec, generator: Generator): Tensor {
  validateNoise(noise);
  const where_ = { generator, backend: x.backend, dtype: x.dtype };
  switch (noise.kind) {
    case 'gaussian':
      return gaussianNoise(x, { generator, std: noise.std, low: noise.clip?.[0], high: noise.clip?.[1] });
    case 'masking':
      return mul(x, bernoulli(x.shape, 1 - noise.p, where_));
    case 'salt-pepper': {
      const low = noise.low ?? 0, high = noise.high ?? 1;
      const hit = bernoulli(x.shape, noise.p, where_);
      const value = affine(bernoulli(x.shape, 0.5, where_), high - low, low);
      return where(hit, value, x);
    }
  }
}
