// Fused optimizer updates of the webgpu backend, in place: parameters and optimizer state
// never leave the GPU during training. Shaders: sgd.wgsl, adam.wgsl.
import type { AdamParams, SgdParams } from '../backend.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

export function sgdStep(rt: GpuRuntime, param: GpuStorage, grad: GpuStorage, buf: GpuStorage | null, size: number,
  p: SgdParams): void {
  if (size === 0) return;
  const hasMomentum = p.momentum !== 0 && buf !== null;
  const wg = rt.config.wg;
  const u = new UniformBuilder().u32(size).f32(p.lr).f32(p.momentum).f32(1 - p.dampening).f32(p.weightDecay)
    .f32(p.maximize ? -1 : 1).u32(p.firstStep ? 1 : 0).u32(p.nesterov ? 1 : 0).finish();
  rt.run({ shader: 'sgd', entry: 'main', defines: { WG: wg, HAS_MOMENTUM: hasMomentum }, bindings: ['write', 'read', 'write'] },
    [param, grad, hasMomentum ? buf : null], u, rt.grid(size, wg));
}

export function adamStep(rt: GpuRuntime, param: GpuStorage, grad: GpuStorage, m: GpuStorage, v: GpuStorage,
  vMax: GpuStorage | null, size: number, p: AdamParams): void {
  if (size === 0) return;
  if (!(p.step >= 1)) throw new Error(`webgpu adamStep: step must be 1-based, got ${p.step}`);
  // As in the js backend, a vMax buffer means AMSGrad.
  const amsgrad = vMax !== null;
  // Bias corrections in float64 on the host; the shader gets the two scalars it needs.
  const bc1 = 1 - Math.pow(p.beta1, p.step);
  const bc2 = 1 - Math.pow(p.beta2, p.step);
  const wg = rt.config.wg;
  const u = new UniformBuilder().u32(size).f32(p.beta1).f32(p.beta2).f32(1 - p.beta1).f32(1 - p.beta2).f32(p.eps).f32(p.weightDecay)
    .f32(p.decoupled ? 1 - p.lr * p.weightDecay : 1).f32(p.lr / bc1).f32(Math.sqrt(bc2)).u32(p.decoupled ? 1 : 0).finish();
  rt.run({ shader: 'adam', entry: 'main', defines: { WG: wg, AMSGRAD: amsgrad }, bindings: ['write', 'read', 'write', 'write', 'write'] },
    [param, grad, m, v, amsgrad ? vMax : null], u, rt.grid(size, wg));
}
