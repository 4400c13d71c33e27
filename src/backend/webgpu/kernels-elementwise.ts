// Elementwise kernels of the webgpu backend: fill, unary, activationGrad, binary, bceLogitsWithGrad, where, strided copy.
// Shaders: fill.wgsl, unary.wgsl, activation_grad.wgsl, binary.wgsl, bce_logits.wgsl, where.wgsl, copy.wgsl.
import type { ActivationGradOp, BinaryOp, UnaryOp, UnaryParams } from '../backend.js';
import { activationGradCode, BINARY_CODES, UNARY_CODES } from '../opcodes.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

/** Shapes and strides travel as two vec4<i32> each. */
export const MAX_RANK = 8;

function checkRank(op: string, shape: readonly number[], strides: readonly (readonly number[])[]): number {
  for (const s of strides) {
    if (s.length !== shape.length) {
      throw new Error(`webgpu ${op}: strides [${s.join(', ')}] do not match the rank of shape [${shape.join(', ')}]`);
    }
  }
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Merges axes the shaders need not tell apart: size-1 axes go, and axis d joins axis d+1
 * when every operand steps over it as one run (stride[d] = stride[d+1]·shape[d+1]).
 * Same-shape contiguous operands become rank 1, so the shader's index loop runs once.
 */
function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, o) => outStrides[o][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, o) => { outStrides[o][last] = s[d]; });
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, o) => outStrides[o].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** coalesce(), then the shaders' rank limit (checked after merging: a rank-9 view may fit). */
function packed(op: string, shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const c = coalesce(shape, strides);
  if (c.shape.length > MAX_RANK) {
    throw new Error(`webgpu ${op}: rank ${c.shape.length} after merging axes (shape [${shape.join(', ')}]) exceeds the shaders' maximum of ${MAX_RANK}`);
  }
  return c;
}

/** True when strides are row-major contiguous for shape (axes of extent 1 may have any stride). */
function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

export function fill(rt: GpuRuntime, out: GpuStorage, size: number, value: number): void {
  if (size === 0) return;
  const wg = rt.config.wg;
  const u = new UniformBuilder().u32(size).f32(value).finish();
  rt.run({ shader: 'fill', entry: 'main', defines: { WG: wg }, bindings: ['write'] }, [out], u, rt.grid(size, wg));
}

export function unary(rt: GpuRuntime, op: UnaryOp, x: GpuStorage, out: GpuStorage, size: number, p: UnaryParams): void {
  const code = UNARY_CODES[op];
  if (code === undefined) throw new Error(`webgpu unary: unknown op '${String(op)}' (expected one of ${Object.keys(UNARY_CODES).join(', ')})`);
  if (size === 0) return;
  const wg = rt.config.wg;
  const u = new UniformBuilder().u32(size).f32(p.alpha ?? 0).f32(p.beta ?? 0).finish();
  // Four per thread when out is exactly this tensor (the last vec4 may touch its padding).
  const vec4 = size === out.size;
  rt.run({ shader: 'unary', entry: vec4 ? 'main_vec4' : 'main', defines: { WG: wg, OP: code }, bindings: ['read', 'write'] },
    [x, out], u, rt.grid(vec4 ? Math.ceil(size / 4) : size, wg));
}

/** Each named operand holds at least `size` elements, else an error naming the op and the operand. */
function needElements(op: string, size: number, operands: Record<string, GpuStorage>): void {
  for (const [what, s] of Object.entries(operands)) {
    if (s.size < size) throw new Error(`webgpu ${op}: ${what} has ${s.size} elements, expected ${size}`);
  }
}

// y, g: [size] → out: [size], out = g · act'(x) from y = act(x)
export function activationGrad(rt: GpuRuntime, act: ActivationGradOp, y: GpuStorage, g: GpuStorage, out: GpuStorage,
  size: number): void {
  const code = activationGradCode(act);
  if (code === undefined) throw new Error(`webgpu activationGrad: unknown activation '${String(act)}' (expected relu, sigmoid or tanh)`);
  needElements(`activationGrad(${act})`, size, { y, g, out });
  if (size === 0) return;
  const wg = rt.config.wg;
  const u = new UniformBuilder().u32(size).finish();
  // Four per thread when out is exactly this tensor (the last vec4 may touch its padding).
  const vec4 = size === out.size;
  rt.run({ shader: 'activation_grad', entry: vec4 ? 'main_vec4' : 'main', defines: { WG: wg, ACT: code },
    bindings: ['read', 'read', 'write'] }, [y, g, out], u, rt.grid(vec4 ? Math.ceil(size / 4) : size, wg));
}

// logits, target: [size] → loss: [size] (binary 'bceLogits'), grad: [size] (binary 'bceLogitsGrad'), one pass
export function bceLogitsWithGrad(rt: GpuRuntime, logits: GpuStorage, target: GpuStorage, loss: GpuStorage, grad: GpuStorage, size: number): void {
  needElements('bceLogitsWithGrad', size, { logits, target, loss, grad });
  if (size === 0) return;
  const wg = rt.config.wg;
  rt.run({ shader: 'bce_logits', entry: 'main', defines: { WG: wg }, bindings: ['read', 'read', 'write', 'write'] },
    [logits, target, loss, grad], new UniformBuilder().u32(size).finish(), rt.grid(size, wg));
}

export function binary(rt: GpuRuntime, op: BinaryOp, a: GpuStorage, aStrides: readonly number[], b: GpuStorage,
  bStrides: readonly number[], out: GpuStorage, outShape: readonly number[]): void {
  const code = BINARY_CODES[op];
  if (code === undefined) throw new Error(`webgpu binary: unknown op '${String(op)}'`);
  const size = checkRank(`binary ${op}`, outShape, [aStrides, bStrides]);
  if (size === 0) return;
  const wg = rt.config.wg;
  const c = packed(`binary ${op}`, outShape, [aStrides, bStrides, contiguous(outShape)]);
  const u = new UniformBuilder().i32x4(c.shape, 2, 1).i32x4(c.strides[0], 2).i32x4(c.strides[1], 2)
    .u32(size).u32(c.shape.length).finish();
  // Flat: after merging, one axis (or none) that each operand walks with stride 1 or 0.
  const sa = c.shape.length === 0 ? 0 : c.strides[0][0], sb = c.shape.length === 0 ? 0 : c.strides[1][0];
  const vec4 = c.shape.length <= 1 && (sa === 0 || sa === 1) && (sb === 0 || sb === 1) && size === out.size;
  const run = rt.config.stridedRun;
  rt.run({
    shader: 'binary', entry: vec4 ? 'main_vec4' : 'main',
    defines: { WG: wg, OP: code, RUN: run, A_SCALAR: vec4 && sa === 0, B_SCALAR: vec4 && sb === 0 }, bindings: ['read', 'read', 'write'],
  }, [a, b, out], u, rt.grid(Math.ceil(size / (vec4 ? 4 : run)), wg));
}

export function where(rt: GpuRuntime, cond: GpuStorage, cs: readonly number[], a: GpuStorage, as: readonly number[],
  b: GpuStorage, bs: readonly number[], out: GpuStorage, outShape: readonly number[]): void {
  const size = checkRank('where', outShape, [cs, as, bs]);
  if (size === 0) return;
  const wg = rt.config.wg;
  const c = packed('where', outShape, [cs, as, bs, contiguous(outShape)]);
  const u = new UniformBuilder().i32x4(c.shape, 2, 1).i32x4(c.strides[0], 2).i32x4(c.strides[1], 2).i32x4(c.strides[2], 2)
    .u32(size).u32(c.shape.length).finish();
  const run = rt.config.stridedRun;
  rt.run({ shader: 'where', entry: 'main', defines: { WG: wg, RUN: run }, bindings: ['read', 'read', 'read', 'write'] },
    [cond, a, b, out], u, rt.grid(Math.ceil(size / run), wg));
}

export function copy(rt: GpuRuntime, src: GpuStorage, srcOffset: number, srcStrides: readonly number[], dst: GpuStorage,
  dstOffset: number, dstStrides: readonly number[], shape: readonly number[]): void {
  const size = checkRank('copy', shape, [srcStrides, dstStrides]);
  if (size === 0) return;
  if (src !== dst && isContiguous(shape, srcStrides) && isContiguous(shape, dstStrides)) {
    // A plain block move: the copy engine, no shader.
    rt.dispatcher.copy(src.buffer, srcOffset * 4, dst.buffer, dstOffset * 4, size * 4);
    return;
  }
  const wg = rt.config.wg;
  const c = packed('copy', shape, [srcStrides, dstStrides]);
  const u = new UniformBuilder().i32x4(c.shape, 2, 1).i32x4(c.strides[0], 2).i32x4(c.strides[1], 2)
    .u32(size).u32(c.shape.length).i32(srcOffset).i32(dstOffset).finish();
  const run = rt.config.stridedRun;
  rt.run({ shader: 'copy', entry: 'main', defines: { WG: wg, RUN: run }, bindings: ['read', 'write'] },
    [src, dst], u, rt.grid(Math.ceil(size / run), wg));
}
