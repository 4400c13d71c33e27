// Reductions and softmax of the webgpu backend, on a tensor viewed as [outer, size, inner].
// Shaders: reduce.wgsl, softmax.wgsl.
import type { ReduceOp } from '../backend.js';
import { REDUCE_CODES } from '../opcodes.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import type { KernelSpec } from './dispatcher.js';
import { UniformBuilder } from './uniforms.js';
import { fill } from './kernels-elementwise.js';

/** What a reduction over zero elements gives (the js backend's results). */
const EMPTY_RESULT: Record<ReduceOp, number> = { sum: 0, sumSquares: 0, max: -Infinity, min: Infinity, argmax: NaN, argmin: NaN };

/** Tree (a workgroup per row) for long rows and few outputs; else serial (a thread per row). */
function useTree(rt: GpuRuntime, size: number, outputs: number): boolean {
  return size >= 64 && outputs < rt.config.serialMinOutputs;
}

/**
 * How a reduction runs: `chunks` pieces per row in pass 1 (1 = single pass), `chunk`
 * elements each, pass 1 by tree or serial. Rows long enough that one workgroup each would
 * leave the device idle (fewer than 64 outputs, rows of 2 pieces or more) take two passes.
 * A piece is a workgroup's (64 elements per thread) on a GPU, one thread's 4096 elements on
 * a CPU rasteriser, where barriers cost more than they save.
 */
function reducePlan(rt: GpuRuntime, size: number, outputs: number): { chunks: number; chunk: number; tree: boolean } {
  const tree = useTree(rt, size, outputs);
  const pieceTree = !rt.config.cpu;
  const piece = pieceTree ? 64 * rt.config.wg : 4096;
  if (outputs >= 64 || size < 2 * piece) return { chunks: 1, chunk: size, tree };
  return { chunks: Math.ceil(size / piece), chunk: piece, tree: pieceTree };
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
  if (code === undefined) throw new Error(`webgpu reduce: unknown op '${String(op)}' (expected sum, sumSquares, max, min, argmax, argmin)`);
  const outputs = outer * inner;
  if (outputs === 0) return;
  if (size === 0) { fill(rt, out, outputs, EMPTY_RESULT[op]); return; }
  const wg = rt.config.wg;
  const plan = reducePlan(rt, size, outputs);
  const grid = (tree: boolean, slots: number) => (tree ? rt.grid(slots, 1) : rt.grid(slots, wg));
  if (plan.chunks === 1) {
    const u = new UniformBuilder().u32(outer).u32(size).u32(inner).u32(size).u32(1).finish();
    rt.run(reduceSpec(rt, code, plan.tree, false, false), [x, null, out, null], u, grid(plan.tree, outputs));
    return;
  }
  // Pass 1: partials [outputs, chunks] (values, and indices for arg ops).
  const isArg = op === 'argmax' || op === 'argmin';
  const slots = outputs * plan.chunks;
  const partials = rt.alloc(slots);
  const indices = isArg ? rt.alloc(slots) : null;
  const u1 = new UniformBuilder().u32(outer).u32(size).u32(inner).u32(plan.chunk).u32(plan.chunks).finish();
  rt.run(reduceSpec(rt, code, plan.tree, false, isArg), [x, null, partials, indices], u1, grid(plan.tree, slots));
  // Pass 2: the partials viewed as [outputs, chunks, 1]. Partial sums of squares are added
  // as they are (a plain sum), never squared again.
  const tree2 = useTree(rt, plan.chunks, outputs);
  const u2 = new UniformBuilder().u32(outputs).u32(plan.chunks).u32(1).u32(plan.chunks).u32(1).finish();
  const code2 = op === 'sumSquares' ? REDUCE_CODES.sum : code;
  rt.run(reduceSpec(rt, code2, tree2, isArg, false), [partials, indices, out, null], u2, grid(tree2, outputs));
  // Freed right after encoding: a later kernel of the same batch that reuses the buffers runs
  // after the ones that read them (commands are ordered).
  rt.free(partials);
  if (indices) rt.free(indices);
}

function launchSoftmax(rt: GpuRuntime, x: GpuStorage, out: GpuStorage, outer: number, size: number, inner: number, log: boolean): void {
  const wg = rt.config.wg;
  const outputs = outer * inner;
  const tree = useTree(rt, size, outputs);
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
