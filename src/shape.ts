// Shape arithmetic shared by ops and backends: sizes, strides, broadcasting, axes.

export type Shape = readonly number[];

// Indexed loops over shapes: a tensor's shape is a frozen array, which `for…of` walks through the
// iterator protocol, an object allocated per element even in optimised code (W1: ~5.5 KiB per step,
// bench/tessera/engine-overhead.ts; bench/RESULTS.md, branch overhead).
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function assertValidShape(op: string, shape: Shape): void {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape ${shapeStr(shape)}: every dimension must be a non-negative integer`);
    }
  }
}

/** NumPy broadcasting: align from the right; each pair of dims must match or one must be 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = s[s.length - 1 - i];
      const o = rank - 1 - i;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) { out[o] = d; continue; }
      throw new Error(`${op}: shapes ${shapes.map(shapeStr).join(' and ')} cannot be broadcast together ` +
        `(dimension ${d} vs ${out[o]} at axis ${o - rank} from the end)`);
    }
  }
  return out;
}

/** Strides that read `shape` (contiguous) as if it had `outShape`: 0 on broadcast axes. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const rank = outShape.length;
  const offset = rank - shape.length;
  const s = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) s[offset + i] = shape[i] === 1 && outShape[offset + i] !== 1 ? 0 : own[i];
  return s;
}

/** Resolves a possibly negative axis against a rank, with an error naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${Math.max(rank - 1, 0)}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Sorted, de-duplicated, non-negative axes; undefined means all axes. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes === 'number') return [normalizeAxis(op, axes, rank)];  // one axis: nothing to sort or repeat
  const out = [...new Set(axes.map((a) => normalizeAxis(op, a, rank)))].sort((a, b) => a - b);
  if (out.length !== axes.length) throw new Error(`${op}: repeated axis in [${axes.join(', ')}]`);
  return out;
}
