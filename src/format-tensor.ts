// Tensor.toString: a header (shape, dtype, backend, the op that made it) and the values as
// PyTorch prints them; and toArray's nested arrays. Presentation, kept out of tensor.ts (which
// delegates here) and so out of the engine core's count, in the core's layer so that tensor.ts
// may import it.
import type { TypedArray } from './backend/backend.js';
import type { Tensor } from './tensor.js';
import { shapeStr, sizeOf, type Shape } from './shape.js';

/** The text `String(tensor)` gives: the header line, then the values. */
export function formatTensor(t: Tensor): string {
  const head = `Tensor(shape=${shapeStr(t.shape)}, dtype=${t.dtype}, backend=${t.backend.name}` +
    `${t.requiresGrad ? ', requiresGrad' : ''}${t.node ? `, op=${t.node.op}` : ''})`;
  const data = t.isDisposed ? null : t.peek('toString');
  if (data === null) return `${head} ${t.isDisposed ? '<disposed>' : '<on device: await data()>'}`;
  return `${head}\n${formatData(data, t.shape)}`;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return v.toFixed(0);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toFixed(4);
}

/** PyTorch-like text: nested brackets, long axes elided with '...' (only the shown values are read). */
function formatData(data: TypedArray, shape: Shape): string {
  const edge = 3;
  const rec = (axis: number, offset: number, indent: string): string => {
    if (axis === shape.length) return formatNumber(data[offset]);
    const n = shape[axis];
    const step = sizeOf(shape.slice(axis + 1));
    const idx = n > 2 * edge + 1 ? [...Array(edge).keys(), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? '...' : rec(axis + 1, offset + i * step, indent + ' ')));
    // The last axis on one line; the others one sub-array a line.
    return `[${parts.join(axis === shape.length - 1 ? ', ' : `,\n${indent} `)}]`;
  };
  return rec(0, 0, '');
}

/** Nested arrays of the data at `offset` laid out in `shape` (row-major). */
export function nest(data: TypedArray, shape: Shape, offset: number): unknown {
  if (shape.length === 0) return data[offset];
  if (shape.length === 1) return Array.from(data.subarray(offset, offset + shape[0]));
  const step = sizeOf(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nest(data, shape.slice(1), offset + i * step));
}
