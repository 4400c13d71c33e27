// Packing for the js GEMM: copies op(A) and op(B) into float64 panels the micro-kernel reads
// with unit stride, whatever the transpose flags. Packing costs O(mk + kn); the product O(mnk).
import type { TypedArray } from '../backend.js';

/** Rows of C (and of an A panel) per micro-kernel call. */
export const MR = 3; // the unrolled full-panel copies in packA and the micro-kernel assume 3
/** Columns of C (and of a B panel) per micro-kernel call. */
export const NR = 4; // likewise 4

/**
 * op(A) [m, k] → panels [⌈m/MR⌉][k][MR] in `dst` from dstOff (rows past m are zero), where
 * op(A)[i, t] = a[ao + t·m + i] when transA (storage [k, m]) else a[ao + i·k + t].
 */
export function packA(a: TypedArray, ao: number, m: number, k: number, transA: boolean, dst: Float64Array, dstOff: number): void {
  const panels = Math.ceil(m / MR);
  for (let ip = 0; ip < panels; ip++) {
    const i0 = ip * MR, rows = Math.min(MR, m - i0), po = dstOff + ip * k * MR;
    if (rows === MR) {
      // Full panel, unrolled over its MR = 3 rows (one store run per t).
      if (transA) {
        for (let t = 0, s = ao + i0, d = po; t < k; t++, s += m, d += 3) { dst[d] = a[s]; dst[d + 1] = a[s + 1]; dst[d + 2] = a[s + 2]; }
      } else {
        const s0 = ao + i0 * k, s1 = s0 + k, s2 = s1 + k;
        for (let t = 0, d = po; t < k; t++, d += 3) { dst[d] = a[s0 + t]; dst[d + 1] = a[s1 + t]; dst[d + 2] = a[s2 + t]; }
      }
      continue;
    }
    dst.fill(0, po, po + k * MR);
    if (transA) {
      // Storage row t holds op(A)[·, t]: MR neighbours are contiguous.
      for (let t = 0; t < k; t++) {
        const s = ao + t * m + i0, d = po + t * MR;
        for (let r = 0; r < rows; r++) dst[d + r] = a[s + r];
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const s = ao + (i0 + r) * k;
        for (let t = 0, d = po + r; t < k; t++, d += MR) dst[d] = a[s + t];
      }
    }
  }
}

/**
 * op(B) [k, n] → panels [⌈n/NR⌉][k][NR] in `dst` from dstOff (columns past n are zero), where
 * op(B)[t, j] = b[bo + j·k + t] when transB (storage [n, k]) else b[bo + t·n + j].
 */
export function packB(b: TypedArray, bo: number, k: number, n: number, transB: boolean, dst: Float64Array, dstOff: number): void {
  const panels = Math.ceil(n / NR);
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR, cols = Math.min(NR, n - j0), po = dstOff + jp * k * NR;
    if (cols === NR) {
      // Full panel, unrolled over its NR = 4 columns.
      if (transB) {
        const s0 = bo + j0 * k, s1 = s0 + k, s2 = s1 + k, s3 = s2 + k;
        for (let t = 0, d = po; t < k; t++, d += 4) { dst[d] = b[s0 + t]; dst[d + 1] = b[s1 + t]; dst[d + 2] = b[s2 + t]; dst[d + 3] = b[s3 + t]; }
      } else {
        for (let t = 0, s = bo + j0, d = po; t < k; t++, s += n, d += 4) { dst[d] = b[s]; dst[d + 1] = b[s + 1]; dst[d + 2] = b[s + 2]; dst[d + 3] = b[s + 3]; }
      }
      continue;
    }
    dst.fill(0, po, po + k * NR);
    if (transB) {
      for (let c = 0; c < cols; c++) {
        const s = bo + (j0 + c) * k;
        for (let t = 0, d = po + c; t < k; t++, d += NR) dst[d] = b[s + t];
      }
    } else {
      for (let t = 0; t < k; t++) {
        const s = bo + t * n + j0, d = po + t * NR;
        for (let c = 0; c < cols; c++) dst[d + c] = b[s + c];
      }
    }
  }
}
