// Matrix multiply of the js backend: a naive reference and a packed, register-blocked kernel
// (gemm-pack.ts packs the operands, gemm-kernel.ts holds the 3×4 float64 micro-kernel).
import type { Activation, MatmulParams, TypedArray } from '../backend.js';
import { MR, NR, packA, packB } from './gemm-pack.js';
import { gemmPacked } from './gemm-kernel.js';

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

/**
 * out[oo.., m×n] = act(out + bias[j]) in place. Each step rounds to out's dtype as it is stored
 * (the bias add, then the activation of that stored value). Done row by row so the second
 * sweep finds the row in L1.
 */
export function applyEpilogue(out: TypedArray, oo: number, m: number, n: number, bias: TypedArray | undefined,
  act: Activation): void {
  for (let i = 0; i < m; i++) {
    const r = oo + i * n, end = r + n;
    if (bias) for (let j = 0; j < n; j++) out[r + j] += bias[j];
    switch (act) {
      case 'none': break;
      // ≤ 0 → 0; NaN stays NaN (PyTorch's relu)
      case 'relu': for (let x = r; x < end; x++) if (out[x] <= 0) out[x] = 0; break;
      case 'sigmoid':
        // 1/(1+e^−v) for v ≥ 0, e^v/(1+e^v) below (no overflow); e^−|v| is the exp of both branches.
        for (let x = r; x < end; x++) {
          const v = out[x], e = Math.exp(-Math.abs(v));
          out[x] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        }
        break;
      case 'tanh': for (let x = r; x < end; x++) out[x] = Math.tanh(out[x]); break;
    }
  }
}

/** Float64 packing scratch (packed A, then packed B) reused across calls: JS is single-threaded. */
let scratch = new Float64Array(0);
/** Larger packings (> 32 MiB) get a buffer of their own for the call, so none is held forever. */
const SCRATCH_KEEP = 1 << 22;

function packBuffer(size: number): Float64Array {
  if (size <= scratch.length) return scratch;
  if (size > SCRATCH_KEEP) return new Float64Array(size);
  scratch = new Float64Array(Math.min(SCRATCH_KEEP, Math.max(size, 2 * scratch.length)));
  return scratch;
}

/**
 * Fast kernel: out[b] = act(op(A[b])·op(B[b]) + bias), shapes as in matmulNaive. Packs op(A) and
 * op(B) into float64 panels (once per call for a broadcast operand, strideA/strideB 0), runs the
 * 3×4 register-blocked core in float64 accumulators, stores into out, then applies the epilogue.
 */
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  const bias = p.bias as TypedArray | undefined, act = p.activation ?? 'none';
  if (batch === 0 || m === 0 || n === 0) return;
  const mp = Math.ceil(m / MR) * MR, np = Math.ceil(n / NR) * NR;
  const pk = packBuffer((mp + np) * k), bBase = mp * k;
  let packedAFor = -1, packedBFor = -1;
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA, bo = bi * strideB, oo = bi * m * n;
    if (k === 0) { out.fill(0, oo, oo + m * n); applyEpilogue(out, oo, m, n, bias, act); continue; }
    if (packedAFor !== ao) { packA(a, ao, m, k, transA, pk, 0); packedAFor = ao; }
    if (packedBFor !== bo) { packB(b, bo, k, n, transB, pk, bBase); packedBFor = bo; }
    gemmPacked(pk, 0, bBase, out, oo, m, n, k);
    applyEpilogue(out, oo, m, n, bias, act);
  }
}
