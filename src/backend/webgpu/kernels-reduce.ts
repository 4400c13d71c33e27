// Reductions and softmax of the webgpu backend, on a tensor viewed as [outer, size, inner].
// Shaders: reduce.wgsl, softmax.wgsl.
import type { ReduceOp } from '../backend.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';
import { fill } from './kernels-elementwise.js';

const REDUCE_CODES: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 };

/** What a reduction over zero elements gives (the js backend's results). */
const EMPTY_RESULT: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity, argmax: NaN, argmin: NaN };

/**
 * A workgroup per output (tree) pays off for long rows and few outputs; a thread per output
 * (serial) for short rows, or when there are enough outputs to keep the device busy anyway.
 */
export function useTree(size: number, outputs: number): boolean {
  return size >= 64 && outputs < 8192;
}

function launch(rt: GpuRuntime, shader: 'reduce' | 'softmax', defines: Record<string, number | boolean>,
  x: GpuStorage, out: GpuStorage, outer: number, size: number, inner: number): void {
  const wg = rt.config.wg;
  const outputs = outer * inner;
  const tree = useTree(size, outputs);
  const u = new UniformBuilder().u32(outer).u32(size).u32(inner).finish();
  rt.run({ shader, entry: `${shader}_${tree ? 'tree' : 'serial'}`, defines: { WG: wg, ...defines }, bindings: ['read', 'write'] },
    [x, out], u, tree ? rt.grid(outputs, 1) : rt.grid(outputs, wg));
}

// x: [outer, size, inner] → out: [outer, inner]
export function reduce(rt: GpuRuntime, op: ReduceOp, x: GpuStorage, out: GpuStorage, outer: number, size: number,
  inner: number): void {
  const code = REDUCE_CODES[op];
  if (code === undefined) throw new Error(`webgpu reduce: unknown op '${String(op)}' (expected sum, max, min, argmax, argmin)`);
  if (outer * inner === 0) return;
  if (size === 0) { fill(rt, out, outer * inner, EMPTY_RESULT[op]); return; }
  launch(rt, 'reduce', { OP: code }, x, out, outer, size, inner);
}

// x: [outer, size, inner] → out: same shape
export function softmax(rt: GpuRuntime, x: GpuStorage, out: GpuStorage, outer: number, size: number, inner: number,
  log: boolean): void {
  if (outer * inner * size === 0) return;
  launch(rt, 'softmax', { LOG: log }, x, out, outer, size, inner);
}
