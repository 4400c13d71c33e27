// Counter-based random numbers of the webgpu backend (shaders/random.wgsl): one invocation per
// Philox block, the tensor drawn where it lives (no upload). The words equal the js reference's.
import type { RandomKind, RandomParams } from '../backend.js';
import { RANDOM_CODES } from '../opcodes.js';
import { bernoulliThreshold } from '../philox.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

export function random(rt: GpuRuntime, kind: RandomKind, out: GpuStorage, size: number, key: readonly [number, number],
  counter: number, p: RandomParams, x?: GpuStorage): void {
  if (kind === 'gaussianNoise' && x === undefined) throw new Error('webgpu backend random: gaussianNoise needs its input x');
  if (size === 0) return;
  const wg = rt.config.wg;
  const blocks = Math.ceil(size / 4);
  const u = new UniformBuilder().u32(size).u32(key[0] >>> 0).u32(key[1] >>> 0).u32(counter % 2 ** 32).u32(Math.floor(counter / 2 ** 32))
    .u32(bernoulliThreshold(p.p ?? 0.5)).f32(p.value ?? 1).f32(p.mean ?? 0).f32(p.std ?? 1).f32(p.low ?? -Infinity).f32(p.high ?? Infinity).finish();
  rt.run({ shader: 'random', entry: 'main', defines: { WG: wg, KIND: RANDOM_CODES[kind], OUT_TYPE: kind === 'bits' ? 'u32' : 'f32' }, bindings: ['write', 'read'] },
    [out, kind === 'gaussianNoise' ? x! : null], u, rt.grid(blocks, wg));
}
