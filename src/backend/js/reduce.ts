// Reductions and softmax of the js backend, on a tensor viewed as [outer, size, inner].
import type { ReduceOp, TypedArray } from '../backend.js';

// x: [outer, size, inner] → out: [outer, inner]
export function reduce(op: ReduceOp, x: TypedArray, out: TypedArray, outer: number, size: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    const ob = o * inner;
    switch (op) {
      case 'sum':
        if (inner === 1) {
          // Four partial sums: fewer dependent adds, and a little less rounding error.
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let r = 0;
          for (; r + 3 < size; r += 4) { s0 += x[base + r]; s1 += x[base + r + 1]; s2 += x[base + r + 2]; s3 += x[base + r + 3]; }
          for (; r < size; r++) s0 += x[base + r];
          out[ob] = (s0 + s1) + (s2 + s3);
        } else {
          for (let i = 0; i < inner; i++) out[ob + i] = 0;
          for (let r = 0; r < size; r++) {
            const row = base + r * inner;
            for (let i = 0; i < inner; i++) out[ob + i] += x[row + i];
          }
        }
        break;
      case 'sumSquares':
        // Σ x², adding the squares in exactly the order `sum` adds values, each square first
        // rounded to the storage dtype, so the result is bit for bit sum(square(x)) without the
        // array of squares. Two loops, not a rounding function chosen at run time: a call
        // through a variable is not inlined and made this 5× slower than sum.
        if (x instanceof Float32Array) sumSquaresF32(x, base, size, inner, out, ob);
        else sumSquaresF64(x, base, size, inner, out, ob);
        break;
      case 'max':
      case 'min': {
        const isMax = op === 'max';
        for (let i = 0; i < inner; i++) {
          let best = size > 0 ? x[base + i] : isMax ? -Infinity : Infinity;
          for (let r = 1; r < size; r++) {
            const v = x[base + r * inner + i];
            // NaN propagates, as in NumPy and PyTorch.
            if (v !== v) { best = v; break; }
            if (isMax ? v > best : v < best) best = v;
          }
          out[ob + i] = best;
        }
        break;
      }
      case 'argmax':
      case 'argmin': {
        const isMax = op === 'argmax';
        for (let i = 0; i < inner; i++) {
          let best = x[base + i];
          let at = 0;
          for (let r = 1; r < size; r++) {
            const v = x[base + r * inner + i];
            if (isMax ? v > best : v < best) { best = v; at = r; }
          }
          out[ob + i] = at;
        }
        break;
      }
      default: {
        const never: never = op;
        throw new Error(`js backend: unknown reduce op '${String(never)}'`);
      }
    }
  }
}

// x: [outer, size, inner] → out: same shape; softmax (or log-softmax) along the middle axis.
export function softmax(x: TypedArray, out: TypedArray, outer: number, size: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) {
      // Subtract the max first: exp never overflows, and log-sum-exp stays exact.
      let max = -Infinity;
      for (let r = 0; r < size; r++) { const v = x[base + r * inner + i]; if (v > max) max = v; }
      let sum = 0;
      for (let r = 0; r < size; r++) sum += Math.exp(x[base + r * inner + i] - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let r = 0; r < size; r++) out[base + r * inner + i] = x[base + r * inner + i] - lse;
      } else {
        const inv = 1 / sum;
        for (let r = 0; r < size; r++) out[base + r * inner + i] = Math.exp(x[base + r * inner + i] - max) * inv;
      }
    }
  }
}

function sumSquaresF32(x: Float32Array, base: number, size: number, inner: number, out: TypedArray, ob: number): void {
  const f = Math.fround;
  if (inner === 1) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let r = 0;
    for (; r + 3 < size; r += 4) {
      const a = x[base + r], b = x[base + r + 1], c = x[base + r + 2], d = x[base + r + 3];
      s0 += f(a * a); s1 += f(b * b); s2 += f(c * c); s3 += f(d * d);
    }
    for (; r < size; r++) { const a = x[base + r]; s0 += f(a * a); }
    out[ob] = (s0 + s1) + (s2 + s3);
    return;
  }
  for (let i = 0; i < inner; i++) out[ob + i] = 0;
  for (let r = 0; r < size; r++) {
    const row = base + r * inner;
    for (let i = 0; i < inner; i++) { const a = x[row + i]; out[ob + i] += f(a * a); }
  }
}

function sumSquaresF64(x: TypedArray, base: number, size: number, inner: number, out: TypedArray, ob: number): void {
  if (inner === 1) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let r = 0;
    for (; r + 3 < size; r += 4) {
      const a = x[base + r], b = x[base + r + 1], c = x[base + r + 2], d = x[base + r + 3];
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
    }
    for (; r < size; r++) { const a = x[base + r]; s0 += a * a; }
    out[ob] = (s0 + s1) + (s2 + s3);
    return;
  }
  for (let i = 0; i < inner; i++) out[ob + i] = 0;
  for (let r = 0; r < size; r++) {
    const row = base + r * inner;
    for (let i = 0; i < inner; i++) { const a = x[row + i]; out[ob + i] += a * a; }
  }
}
