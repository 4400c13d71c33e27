// The js gatherRows kernel (Backend.gatherRows): rows of bytes scaled to float32. JavaScript
// divides in float64 and rounds to float32, which gives the bits of native's float32 division
// for integer divisors up to 2^24 (a quotient b/d is never close enough to a float32 rounding
// midpoint for the double rounding to matter), so divisor 255 gives exactly `pixel / 255`.

/** Each byte's quotient, rounded to float32 once: a lookup is cheaper than a division per value. */
const tables = new Map<number, Float32Array>();
function quotients(divisor: number): Float32Array {
  let t = tables.get(divisor);
  if (!t) {
    t = Float32Array.from({ length: 256 }, (_, b) => b / divisor);
    tables.set(divisor, t);
  }
  return t;
}

/** What Backend.gatherRows returns when the rows are there already: nothing is left to finish. */
export const finished = (): void => {};

/**
 * out[i·rowSize + j] = src[rows[i]·rowSize + j] / divisor: one table lookup per byte. At once,
 * also when asked for the background (Backend.gatherRows): JavaScript has no threads to leave it to.
 */
export function gatherRows(src: Uint8Array, rowSize: number, rows: ArrayLike<number>, divisor: number, out: Float32Array | Float64Array): () => void {
  const lut = quotients(divisor);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i] * rowSize;
    const o = i * rowSize;
    for (let j = 0; j < rowSize; j++) out[o + j] = lut[src[from + j]];
  }
  return finished;
}
