// Matrix multiply of the js backend: a naive reference and a cache-blocked kernel.
import type { Activation, MatmulParams, TypedArray } from '../backend.js';

/**
 * Reference: out[b] = A[b]·B[b] with A [m,k] (or stored [k,m] when transA) and B [k,n]
 * (or stored [n,k] when transB). One dot product per output, in float64 accumulation.
 * The benchmarks check the fast kernels against this before they time them.
 */
export function matmulNaive(a: TypedArray, b: TypedArray, out: TypedArray, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA, bo = bi * strideB, oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) {
          const av = transA ? a[ao + t * m + i] : a[ao + i * k + t];
          const bv = transB ? b[bo + j * k + t] : b[bo + t * n + j];
          s += av * bv;
        }
        out[oo + i * n + j] = s;
      }
    }
  }
}

const BLOCK_K = 128;
const BLOCK_N = 1024;

// One product: C[m,n] = A[m,k]·B[k,n], both row-major and contiguous (packed by the caller).
// i-k-j order with four rows of C at once: each loaded row of B feeds four FMAs.
function gemmRowMajor(a: TypedArray, b: TypedArray, c: TypedArray, co: number, m: number, n: number, k: number): void {
  c.fill(0, co, co + m * n);
  for (let k0 = 0; k0 < k; k0 += BLOCK_K) {
    const k1 = Math.min(k, k0 + BLOCK_K);
    for (let j0 = 0; j0 < n; j0 += BLOCK_N) {
      const j1 = Math.min(n, j0 + BLOCK_N);
      let i = 0;
      for (; i + 3 < m; i += 4) {
        const c0 = co + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        for (let t = k0; t < k1; t++) {
          const a0 = a[i * k + t], a1 = a[(i + 1) * k + t], a2 = a[(i + 2) * k + t], a3 = a[(i + 3) * k + t];
          const bo = t * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[bo + j];
            c[c0 + j] += a0 * bv; c[c1 + j] += a1 * bv; c[c2 + j] += a2 * bv; c[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = co + i * n;
        for (let t = k0; t < k1; t++) {
          const a0 = a[i * k + t];
          const bo = t * n;
          for (let j = j0; j < j1; j++) c[c0 + j] += a0 * b[bo + j];
        }
      }
    }
  }
}

/** Copies a [rows, cols] matrix stored transposed ([cols, rows]) into row-major `dst`. */
function packTransposed(src: TypedArray, so: number, rows: number, cols: number, dst: TypedArray): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[r * cols + c] = src[so + c * rows + r];
}

export function applyEpilogue(out: TypedArray, oo: number, m: number, n: number, bias: TypedArray | undefined,
  act: Activation): void {
  if (bias) for (let i = 0; i < m; i++) { const r = oo + i * n; for (let j = 0; j < n; j++) out[r + j] += bias[j]; }
  const end = oo + m * n;
  switch (act) {
    case 'none': return;
    case 'relu': for (let i = oo; i < end; i++) if (!(out[i] > 0)) out[i] = 0; return;
    case 'sigmoid':
      for (let i = oo; i < end; i++) {
        const v = out[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v)); else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      return;
    case 'tanh': for (let i = oo; i < end; i++) out[i] = Math.tanh(out[i]); return;
  }
}

export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  const Ctor = out.constructor as Float32ArrayConstructor | Float64ArrayConstructor;
  const packA = transA ? new Ctor(m * k) : null;
  const packB = transB ? new Ctor(k * n) : null;
  let packedBFor = -1;
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA, bo = bi * strideB, oo = bi * m * n;
    let aMat: TypedArray, bMat: TypedArray;
    if (packA) { packTransposed(a, ao, m, k, packA); aMat = packA; } else aMat = a.subarray(ao, ao + m * k);
    if (packB) {
      // A broadcast B (strideB 0) is packed once.
      if (packedBFor !== bo) { packTransposed(b, bo, k, n, packB); packedBFor = bo; }
      bMat = packB;
    } else bMat = b.subarray(bo, bo + k * n);
    gemmRowMajor(aMat, bMat, out, oo, m, n, k);
    applyEpilogue(out, oo, m, n, p.bias as TypedArray | undefined, p.activation ?? 'none');
  }
}
