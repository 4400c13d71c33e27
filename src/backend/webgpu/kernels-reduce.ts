// Reductions and softmax of the webgpu backend, on a tensor viewed as [outer, size, inner].
// Shaders: reduce.wgsl, softmax.wgsl.
import type { ReduceOp } from '../backend.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import type { KernelSpec } from './dispatcher.js';
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

/** Elements per workgroup in the first pass of a two-pass reduction. */
const CHUNK_PER_THREAD = 16;

/**
 * Pieces per row for a two-pass reduction: rows long enough that one workgroup each would
 * leave the device idle (fewer than 64 workgroups in all) are cut into chunks of
 * 16·WG elements; 1 means one pass.
 */
export function chunksFor(size: number, outputs: number, wg: number): number {
  const chunk = CHUNK_PER_THREAD * wg;
  if (outputs >= 64 || size < 2 * chunk) return 1;
  return Math.ceil(size / chunk);
}

function reduceSpec(rt: GpuRuntime, op: number, tree: boolean, pairsIn: boolean, pairsOut: boolean): KernelSpec {
  return {
    shader: 'reduce', entry: tree ? 'reduce_tree' : 'reduce_serial',
    defines: { WG: rt.config.wg, OP: op, PAIRS_IN: pairsIn, PAIRS_OUT: pairsOut },
    bindings: ['read', 'read', 'write', 'write'],
  };
}

// x: [outer, size, inner] → out: [outer, inner]
export function reduce(rt: GpuRuntime, op: ReduceOp, x: GpuStorage, out: GpuStorage, outer: number, size: number,
  inner: number): void {
  const code = REDUCE_CODES[op];
  if (code === undefined) throw new Error(`webgpu reduce: unknown op '${String(op)}' (expected sum, max, min, argmax, argmin)`);
  const outputs = outer * inner;
  if (outputs === 0) return;
  if (size === 0) { fill(rt, out, outputs, EMPTY_RESULT[op]); return; }
  const wg = rt.config.wg;
  const chunks = chunksFor(size, outputs, wg);
  if (chunks === 1) {
    const tree = useTree(size, outputs);
    const u = new UniformBuilder().u32(outer).u32(size).u32(inner).u32(size).u32(1).finish();
    rt.run(reduceSpec(rt, code, tree, false, false), [x, null, out, null], u, tree ? rt.grid(outputs, 1) : rt.grid(outputs, wg));
    return;
  }
  // Pass 1: partials [outputs, chunks] (values, and indices for arg ops).
  const isArg = op === 'argmax' || op === 'argmin';
  const partials = rt.scratch(outputs * chunks);
  const indices = isArg ? rt.scratch(outputs * chunks) : null;
  const chunk = CHUNK_PER_THREAD * wg;
  const u1 = new UniformBuilder().u32(outer).u32(size).u32(inner).u32(chunk).u32(chunks).finish();
  rt.run(reduceSpec(rt, code, true, false, isArg), [x, null, partials, indices], u1, rt.grid(outputs * chunks, 1));
  // Pass 2: the partials viewed as [outputs, chunks, 1].
  const tree = useTree(chunks, outputs);
  const u2 = new UniformBuilder().u32(outputs).u32(chunks).u32(1).u32(chunks).u32(1).finish();
  rt.run(reduceSpec(rt, code, tree, isArg, false), [partials, indices, out, null], u2, tree ? rt.grid(outputs, 1) : rt.grid(outputs, wg));
  rt.releaseScratch(partials);
  if (indices) rt.releaseScratch(indices);
}

function launchSoftmax(rt: GpuRuntime, x: GpuStorage, out: GpuStorage, outer: number, size: number, inner: number, log: boolean): void {
  const wg = rt.config.wg;
  const outputs = outer * inner;
  const tree = useTree(size, outputs);
  const u = new UniformBuilder().u32(outer).u32(size).u32(inner).finish();
  rt.run({ shader: 'softmax', entry: `softmax_${tree ? 'tree' : 'serial'}`, defines: { WG: wg, LOG: log }, bindings: ['read', 'write'] },
    [x, out], u, tree ? rt.grid(outputs, 1) : rt.grid(outputs, wg));
}

// x: [outer, size, inner] → out: same shape
export function softmax(rt: GpuRuntime, x: GpuStorage, out: GpuStorage, outer: number, size: number, inner: number,
  log: boolean): void {
  if (outer * inner * size === 0) return;
  launchSoftmax(rt, x, out, outer, size, inner, log);
}
