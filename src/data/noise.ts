// Input corruption for denoising autoencoders. Each kind draws from the seeded generator, one
// draw (or two for salt-and-pepper) per element, in element order, so a run repeats exactly.
//   gaussian     x̃ = x + std·ε, ε ~ N(0, 1)                 (optionally clipped to [lo, hi])
//   masking      x̃ = 0 with probability p, else x            ("dropout" noise, Vincent et al. 2008)
//   salt-pepper  with probability p, x̃ = lo or hi (each 1/2), else x

import type { Generator } from '../random.js';

export type NoiseSpec =
  | { kind: 'gaussian'; std: number; clip?: [number, number] }
  | { kind: 'masking'; p: number }
  | { kind: 'salt-pepper'; p: number; low?: number; high?: number };

export function validateNoise(noise: NoiseSpec): void {
  if (noise.kind === 'gaussian') {
    if (!(noise.std >= 0) || !Number.isFinite(noise.std)) throw new Error(`noise: gaussian std must be a finite number >= 0, got ${noise.std}`);
    if (noise.clip && !(noise.clip[0] <= noise.clip[1])) throw new Error(`noise: gaussian clip [${noise.clip.join(', ')}] must have low <= high`);
  } else if (noise.kind === 'masking' || noise.kind === 'salt-pepper') {
    if (!(noise.p >= 0 && noise.p <= 1)) throw new Error(`noise: ${noise.kind} p must be in [0, 1], got ${noise.p}`);
  } else {
    throw new Error(`noise: unknown kind '${(noise as { kind: string }).kind}'; expected 'gaussian', 'masking' or 'salt-pepper'`);
  }
}

/** Corrupt `x` in place. */
export function applyNoise(x: Float32Array, noise: NoiseSpec, gen: Generator): void {
  switch (noise.kind) {
    case 'gaussian': {
      const { std, clip } = noise;
      const lo = clip ? clip[0] : -Infinity;
      const hi = clip ? clip[1] : Infinity;
      for (let i = 0; i < x.length; i++) {
        const v = x[i] + std * gen.normal();
        x[i] = v < lo ? lo : v > hi ? hi : v;
      }
      return;
    }
    case 'masking': {
      for (let i = 0; i < x.length; i++) if (gen.uniform() < noise.p) x[i] = 0;
      return;
    }
    case 'salt-pepper': {
      const low = noise.low ?? 0;
      const high = noise.high ?? 1;
      for (let i = 0; i < x.length; i++) {
        if (gen.uniform() < noise.p) x[i] = gen.uniform() < 0.5 ? low : high;
      }
      return;
    }
  }
}
