// The VAE's latent layer on webgpu (shaders/latent.wgsl): the sample and KL with one invocation
// per row, the adjoint with one per latent unit. An absent gradient is bound as a placeholder and
// its term dropped, as in the js reference (src/backend/js/latent.ts).
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

function params(rows: number, latent: number, dz: boolean, dkl: boolean): Uint8Array {
  return new UniformBuilder().u32(rows).u32(latent).u32(dz ? 1 : 0).u32(dkl ? 1 : 0).finish();
}

export function reparameterize(rt: GpuRuntime, stats: GpuStorage, eps: GpuStorage, z: GpuStorage, kl: GpuStorage,
  rows: number, latent: number): void {
  if (rows * latent === 0) return;
  const wg = rt.config.wg;
  rt.run({ shader: 'latent', entry: 'sample', defines: { WG: wg }, bindings: ['read', 'read', 'write', 'write', 'write'] },
    [stats, eps, z, kl, null], params(rows, latent, false, false), rt.grid(rows, wg));
}

export function reparameterizeBackward(rt: GpuRuntime, stats: GpuStorage, eps: GpuStorage, dz: GpuStorage | null,
  dkl: GpuStorage | null, dstats: GpuStorage, rows: number, latent: number): void {
  if (rows * latent === 0) return;
  const wg = rt.config.wg;
  rt.run({ shader: 'latent', entry: 'backward', defines: { WG: wg }, bindings: ['read', 'read', 'read', 'read', 'write'] },
    [stats, eps, dz, dkl, dstats], params(rows, latent, dz !== null, dkl !== null), rt.grid(rows * latent, wg));
}
