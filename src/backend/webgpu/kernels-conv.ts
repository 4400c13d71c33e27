// im2col / col2im of the webgpu backend. Shaders: im2col.wgsl (a thread per output row of
// cols), col2im.wgsl (a thread per image row, each pixel gathering: no atomics needed).
// The strides are compiled into the shaders: a few pipelines (strides 1 and 2, mostly).
import type { Activation, Conv2dGeometry } from '../backend.js';
import { activationCode } from '../opcodes.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

/** The geometry in Conv2dGeometry's order, then `after` (the thread count; cout first for the direct kernels). */
function geometryUniform(g: Conv2dGeometry, ...after: number[]): Uint8Array {
  const u = new UniformBuilder();
  for (const key of ['n', 'c', 'h', 'w', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw', 'oh', 'ow'] as const) {
    const v = g[key];
    if (!Number.isInteger(v) || v < 0) throw new Error(`webgpu conv: geometry ${key} = ${v} is not a non-negative integer`);
    if ((key === 'sh' || key === 'sw') && v === 0) throw new Error(`webgpu conv: stride ${key} must be at least 1`);
    u.u32(v);
  }
  for (const v of after) u.u32(v);
  return u.finish();
}

// x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]
export function im2col(rt: GpuRuntime, x: GpuStorage, cols: GpuStorage, g: Conv2dGeometry): void {
  if (g.n * g.c * g.kh * g.kw * g.oh * g.ow === 0) return;
  const threads = g.n * g.c * g.kh * g.kw * g.oh;
  const wg = rt.config.wg;
  rt.run({ shader: 'im2col', entry: 'main', defines: { WG: wg, SH: g.sh, SW: g.sw }, bindings: ['read', 'write'] },
    [x, cols], geometryUniform(g, threads), rt.grid(threads, wg));
}

// cols [n, c·kh·kw, oh·ow] → out [n, c, h, w] (overwritten)
export function col2im(rt: GpuRuntime, cols: GpuStorage, out: GpuStorage, g: Conv2dGeometry): void {
  if (g.n * g.c * g.h * g.w === 0) return;
  const threads = g.n * g.c * g.h;
  const wg = rt.config.wg;
  rt.run({ shader: 'col2im', entry: 'main', defines: { WG: wg, SH: g.sh, SW: g.sw }, bindings: ['read', 'write'] },
    [cols, out], geometryUniform(g, threads), rt.grid(threads, wg));
}

// The direct convolution and max pooling kernels (conv_forward.wgsl, conv_backward_data.wgsl,
// conv_backward_weight.wgsl, maxpool.wgsl, maxpool_backward.wgsl): one thread per element of
// the output, each gathering what it needs, so no kernel needs atomics.
function launch(rt: GpuRuntime, shader: string, storages: (GpuStorage | null)[], bindings: ('read' | 'write')[],
  g: Conv2dGeometry, cout: number, total: number, defines: Record<string, number | boolean> = {}): void {
  if (total === 0) return;
  const wg = rt.config.wg;
  rt.run({ shader, entry: 'main', defines: { WG: wg, ...defines }, bindings }, storages, geometryUniform(g, cout, total), rt.grid(total, wg));
}

export function conv2d(rt: GpuRuntime, x: GpuStorage, w: GpuStorage, bias: GpuStorage | null, y: GpuStorage, g: Conv2dGeometry, cout: number,
  act: Activation = 'none'): void {
  launch(rt, 'conv_forward', [x, w, bias, y], ['read', 'read', 'read', 'write'], g, cout, g.n * cout * g.oh * g.ow,
    { HAS_BIAS: bias !== null, ACT: activationCode('webgpu conv2d', act) });
}

export function conv2dBackwardData(rt: GpuRuntime, gy: GpuStorage, w: GpuStorage, bias: GpuStorage | null, gx: GpuStorage, g: Conv2dGeometry, cout: number,
  act: Activation = 'none'): void {
  launch(rt, 'conv_backward_data', [gy, w, bias, gx], ['read', 'read', 'read', 'write'], g, cout, g.n * g.c * g.h * g.w,
    { HAS_BIAS: bias !== null, ACT: activationCode('webgpu conv2dBackwardData', act) });
}

export function conv2dBackwardWeight(rt: GpuRuntime, x: GpuStorage, gy: GpuStorage, gw: GpuStorage, gbias: GpuStorage | null, g: Conv2dGeometry, cout: number): void {
  const total = cout * g.c * g.kh * g.kw + (gbias !== null ? cout : 0);
  launch(rt, 'conv_backward_weight', [x, gy, gw, gbias], ['read', 'read', 'write', 'write'], g, cout, total, { HAS_BIAS: gbias !== null });
}

export function maxPool2d(rt: GpuRuntime, x: GpuStorage, y: GpuStorage, argmax: GpuStorage, g: Conv2dGeometry): void {
  launch(rt, 'maxpool', [x, y, argmax], ['read', 'write', 'write'], g, 0, g.n * g.c * g.oh * g.ow);
}

export function maxPool2dBackward(rt: GpuRuntime, gy: GpuStorage, argmax: GpuStorage, gx: GpuStorage, g: Conv2dGeometry): void {
  launch(rt, 'maxpool_backward', [gy, argmax, gx], ['read', 'read', 'write'], g, 0, g.n * g.c * g.h * g.w);
}
