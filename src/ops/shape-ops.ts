// Ops that move data without arithmetic: reshape (an alias), and the strided copies behind
// permute, expand, slice, pad and concat. Each one's backward is another op of this file.
import type { Backend, DType } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { assertValidShape, broadcastStrides, normalizeAxes, normalizeAxis, sameShape, shapeStr, sizeOf, stridesOf, type Shape } from '../shape.js';
import { checkSame, checkSameShape, checkTensor, empty, filled, record, sumTo, uploaded } from './op.js';

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  if (sameShape(shape, x.shape)) return x;  // the common no-op (a dense layer's 2-D input): nothing to check or copy
  // One -1 is inferred from the other dimensions, as in NumPy.
  const infer = shape.indexOf(-1);
  const target = [...shape];
  if (infer >= 0) {
    if (shape.indexOf(-1, infer + 1) >= 0) throw new Error(`reshape: only one dimension can be -1, got ${shapeStr(shape)}`);
    const known = sizeOf(shape.filter((_, i) => i !== infer));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
    }
    target[infer] = x.size / known;
  }
  assertValidShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(target)} (${sizeOf(target)} elements)`);
  }
  if (sameShape(target, x.shape)) return x;
  const y = x.view(target, 'reshape');
  return record(y, 'reshape', [x], (g) => [reshape(g, x.shape)], { attrs: { shape: target } });
}

export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  checkTensor('flatten', x);
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startAxis, x.rank);
  const e = normalizeAxis('flatten', endAxis, x.rank);
  if (s > e) throw new Error(`flatten: start axis ${startAxis} comes after end axis ${endAxis} for shape ${shapeStr(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  checkTensor('squeeze', x);
  const ax = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axes, x.rank);
  const a = ax.find((k) => x.shape[k] !== 1);
  if (a !== undefined) throw new Error(`squeeze: axis ${a} of shape ${shapeStr(x.shape)} has size ${x.shape[a]}, expected 1`);
  return reshape(x, x.shape.filter((_, i) => !ax.includes(i)));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', x);
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** out[i] = x[i permuted]: a strided copy. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', x);
  const p = perm.length === x.rank ? perm.map((a) => normalizeAxis('permute', a, x.rank)) : [];
  if (new Set(p).size !== x.rank || p.length !== x.rank) {
    throw new Error(`permute: [${perm.join(', ')}] is not a permutation of the ${x.rank} axes of ${shapeStr(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  const outShape = p.map((a) => x.shape[a]);
  const xStrides = stridesOf(x.shape);
  const out = empty(outShape, x.dtype, x.backend);
  x.backend.copy(x.storage('permute'), 0, p.map((a) => xStrides[a]), out.storage('permute'), 0, stridesOf(outShape), outShape);
  const inverse = p.map((_, i) => p.indexOf(i));
  return record(out, 'permute', [x], (g) => [permute(g, inverse)], { attrs: { perm: p } });
}

export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  checkTensor('transpose', x);
  if (x.rank < 2) return x;
  const a = normalizeAxis('transpose', axis0, x.rank), b = normalizeAxis('transpose', axis1, x.rank);
  return permute(x, x.shape.map((_, i) => (i === a ? b : i === b ? a : i)));
}

/** Broadcasts x to `shape` (NumPy rules, -1 keeps a dimension) by a copy with zero strides. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('expand', x);
  if (shape.length < x.rank) throw new Error(`expand: cannot expand ${shapeStr(x.shape)} to fewer dimensions ${shapeStr(shape)}`);
  const lead = shape.length - x.rank;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  const i = x.shape.findIndex((d, k) => d !== target[lead + k] && d !== 1);
  if (i >= 0) throw new Error(`expand: dimension ${i} of ${shapeStr(x.shape)} has size ${x.shape[i]}; it cannot expand to ${target[lead + i]} (target ${shapeStr(shape)})`);
  assertValidShape('expand', target);
  if (sameShape(target, x.shape)) return x;
  const out = empty(target, x.dtype, x.backend);
  // Broadcast axes are read with stride 0.
  x.backend.copy(x.storage('expand'), 0, broadcastStrides(x.shape, target), out.storage('expand'), 0, stridesOf(target), target);
  return record(out, 'expand', [x], (g) => [sumTo(g, x.shape)], { attrs: { shape: target } });
}

/** x[starts[0]:ends[0], starts[1]:ends[1], …]; missing axes are taken whole. */
export function slice(x: Tensor, starts: readonly number[], ends?: readonly (number | undefined)[]): Tensor {
  checkTensor('slice', x);
  if (starts.length > x.rank || (ends && ends.length > x.rank)) {
    throw new Error(`slice: ${Math.max(starts.length, ends?.length ?? 0)} bounds given for a tensor of rank ${x.rank} (shape ${shapeStr(x.shape)})`);
  }
  // Python-like bounds: negative counts from the end, clamped to the axis; missing: the whole axis.
  const bound = (v: number | undefined, d: number, whole: number): number => {
    const b = v === undefined ? whole : Math.min(Math.max(v < 0 ? v + x.shape[d] : v, 0), x.shape[d]);
    if (!Number.isInteger(b)) throw new Error(`slice: bounds must be integers, got ${starts[d]}:${ends?.[d]}`);
    return b;
  };
  const begin = x.shape.map((_, d) => bound(starts[d], d, 0));
  const size = x.shape.map((n, d) => Math.max(0, bound(ends?.[d], d, n) - begin[d]));
  if (sameShape(size, x.shape)) return x;
  const xStrides = stridesOf(x.shape);
  const offset = begin.reduce((acc, b, d) => acc + b * xStrides[d], 0);
  const out = empty(size, x.dtype, x.backend);
  if (out.size > 0) x.backend.copy(x.storage('slice'), offset, xStrides, out.storage('slice'), 0, stridesOf(size), size);
  return record(out, 'slice', [x], (g) => [padInto(g, x.shape, begin)], { attrs: { begin, size } });
}

/** A zero tensor of `shape` with x written at `begin`: slice's adjoint. */
export function padInto(x: Tensor, shape: Shape, begin: readonly number[]): Tensor {
  checkTensor('padInto', x);
  if (shape.length !== x.rank || begin.some((b, d) => b < 0 || b + x.shape[d] > shape[d])) {
    throw new Error(`padInto: ${shapeStr(x.shape)} at [${begin.join(', ')}] does not fit in ${shapeStr(shape)}`);
  }
  const out = filled(shape, 0, x.dtype, x.backend);
  const outStrides = stridesOf(shape);
  const offset = begin.reduce((acc, b, d) => acc + b * outStrides[d], 0);
  if (x.size > 0) x.backend.copy(x.storage('padInto'), 0, stridesOf(x.shape), out.storage('padInto'), offset, outStrides, x.shape);
  return record(out, 'padInto', [x], (g) => [slice(g, begin, begin.map((b, d) => b + x.shape[d]))], { attrs: { shape, begin } });
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('concat: expected at least one tensor');
  const { backend, dtype } = checkSame('concat', [...tensors], tensors.map((_, i) => `tensor ${i}`));
  const first = tensors[0];
  const a = normalizeAxis('concat', axis, first.rank);
  if (tensors.some((t) => t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i]))) {
    throw new Error(`concat: shapes ${tensors.map((x) => shapeStr(x.shape)).join(', ')} differ outside axis ${a}`);
  }
  const outShape = [...first.shape];
  outShape[a] = tensors.reduce((acc, t) => acc + t.shape[a], 0);
  const out = empty(outShape, dtype, backend);
  const outStrides = stridesOf(outShape);
  let at = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(at);
    if (t.size > 0) backend.copy(t.storage('concat'), 0, stridesOf(t.shape), out.storage('concat'), at * outStrides[a], outStrides, t.shape);
    at += t.shape[a];
  }
  // Each input's gradient is its slab of g along the axis.
  return record(out, 'concat', [...tensors], (g) => tensors.map((t, i) => (!t.requiresGrad ? null
    : slice(g, g.shape.map((_, d) => (d === a ? offsets[i] : 0)), g.shape.map((n, d) => (d === a ? offsets[i] + t.shape[a] : n))))),
  { attrs: { axis: a } });
}

/** Joins tensors of one shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected at least one tensor');
  const a = normalizeAxis('stack', axis, tensors[0].rank + 1);
  return concat(tensors.map((t) => unsqueeze(t, a)), a);
}

/** A copy that owns its storage. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', x);
  const out = empty(x.shape, x.dtype, x.backend);
  if (x.size > 0) x.backend.copy(x.storage('clone'), 0, [1], out.storage('clone'), 0, [1], [x.size]);
  return record(out, 'clone', [x], (g) => [g]);
}

/** Moves data to another backend and/or dtype; the gradient moves back. */
export function to(x: Tensor, target: { backend?: Backend; dtype?: DType }): Tensor {
  checkTensor('to', x);
  const { backend = x.backend, dtype = x.dtype } = target;
  if (backend === x.backend && dtype === x.dtype) return x;
  if (!backend.supportsDType(dtype)) throw new Error(`to: the '${backend.name}' backend does not support ${dtype}`);
  const host = x.peek('to');
  if (host === null) {
    throw new Error(`to: cannot move a tensor off the '${x.backend.name}' backend synchronously; read it with 'await tensor.data()' and pass that to tensor()`);
  }
  const out = uploaded(host.subarray(0, x.size), x.shape, dtype, backend);
  const from = { backend: x.backend, dtype: x.dtype };
  return record(out, 'to', [x], (g) => [to(g, from)], { attrs: { backend: backend.name, dtype } });
}

/**
 * Overwrites target's data with value's, in place (optimizers, running statistics, loading
 * weights). Not recorded in the graph: use it under noGrad on leaves.
 */
export function assign(target: Tensor, value: Tensor): Tensor {
  checkSameShape('assign', target, value, () => `value of shape ${shapeStr(value.shape)} does not match target ${shapeStr(target.shape)}`);
  if (target.size > 0) target.backend.copy(value.storage('assign'), 0, [1], target.storage('assign'), 0, [1], [target.size]);
  return target;
}
