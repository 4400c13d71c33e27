// The js GEMM's register-blocked core: out = op(A)·op(B) from packed float64 panels (see
// gemm-pack.ts). A 3×4 block of C lives in 12 local doubles across the whole k loop, so each
// step loads 3 values of A and 4 of B for 12 multiply-adds. 12 accumulators + 7 operands is about
// what fits x64's 16 xmm registers; measured on W1's shapes, 3×4 beat 4×4 (spills), 2×4, 4×2, 2×8.
// The loads see only Float64Array (the packed panels), so they stay monomorphic.
import type { TypedArray } from '../backend.js';
import { MR, NR } from './gemm-pack.js';

/** k per pass: an A panel (MR·KC doubles = 6 KiB) and a B panel stay in L1. */
const KC = 256;
/** Columns per pass: the KC×NC slice of packed B (256 KiB) stays in L2 while A panels stream. */
const NC = 128;

/** The 3×4 tile of an edge (cut by m or n), whole and zero-padded, before its valid part is copied out. */
const edge = new Float64Array(MR * NR);

// edge[r·4 + c] = Σ_t pk[ai + 3t + r]·pk[bi + 4t + c]: the same loop as the inlined one below.
function edgeTile(pk: Float64Array, ai: number, bi: number, kc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let t = 0; t < kc; t++, ai += 3, bi += 4) {
    const a0 = pk[ai], a1 = pk[ai + 1], a2 = pk[ai + 2];
    const b0 = pk[bi], b1 = pk[bi + 1], b2 = pk[bi + 2], b3 = pk[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
  }
  edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
  edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
  edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
}

/**
 * out[co + i·n + j] = Σ_t op(A)[i,t]·op(B)[t,j] for i < m, j < n, from packA(op(A))
 * [⌈m/MR⌉][k][MR] at pk[aBase..] and packB(op(B)) [⌈n/NR⌉][k][NR] at pk[bBase..]. Both live in
 * one array: the loop then checks one map and reloads one base pointer per step, not two
 * (TurboFan does not hoist them), measured +7% on the core. k ≥ 1. Full tiles are written in place;
 * tiles cut by m or n go through the `edge` tile. For k > KC the passes add into out (so a
 * float32 out rounds once per KC block of k).
 */
export function gemmPacked(pk: Float64Array, aBase: number, bBase: number, out: TypedArray, co: number,
  m: number, n: number, k: number): void {
  const aPanels = Math.ceil(m / MR), bPanels = Math.ceil(n / NR), ncPanels = NC / NR;
  const mFull = Math.floor(m / MR), nFull = Math.floor(n / NR);
  // Equal k passes of at most KC (784 → 3 × 262, not 256 + 256 + 256 + 16).
  const kStep = Math.ceil(k / Math.ceil(k / KC));
  for (let k0 = 0; k0 < k; k0 += kStep) {
    const kc = Math.min(kStep, k - k0), first = k0 === 0;
    for (let jb = 0; jb < bPanels; jb += ncPanels) {
      const jEnd = Math.min(bPanels, jb + ncPanels);
      for (let ip = 0; ip < aPanels; ip++) {
        const ai = aBase + (ip * k + k0) * MR, ci0 = co + ip * MR * n;
        for (let jp = jb; jp < jEnd; jp++) {
          const bi = bBase + (jp * k + k0) * NR;
          if (ip < mFull && jp < nFull) {
            // The micro-kernel, inlined (a call per tile measured 2-3% slower). Stores into out
            // (Float32Array or Float64Array): 12 stores per tile, against 7·kc monomorphic loads.
            let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
            for (let t = 0, x = ai, y = bi; t < kc; t++, x += 3, y += 4) {
              const a0 = pk[x], a1 = pk[x + 1], a2 = pk[x + 2];
              const b0 = pk[y], b1 = pk[y + 1], b2 = pk[y + 2], b3 = pk[y + 3];
              c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
              c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
              c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            }
            const r0 = ci0 + jp * NR, r1 = r0 + n, r2 = r1 + n;
            if (first) {
              out[r0] = c00; out[r0 + 1] = c01; out[r0 + 2] = c02; out[r0 + 3] = c03;
              out[r1] = c10; out[r1 + 1] = c11; out[r1 + 2] = c12; out[r1 + 3] = c13;
              out[r2] = c20; out[r2 + 1] = c21; out[r2 + 2] = c22; out[r2 + 3] = c23;
            } else {
              out[r0] += c00; out[r0 + 1] += c01; out[r0 + 2] += c02; out[r0 + 3] += c03;
              out[r1] += c10; out[r1 + 1] += c11; out[r1 + 2] += c12; out[r1 + 3] += c13;
              out[r2] += c20; out[r2 + 1] += c21; out[r2 + 2] += c22; out[r2 + 3] += c23;
            }
            continue;
          }
          edgeTile(pk, ai, bi, kc);
          const rows = Math.min(MR, m - ip * MR), cols = Math.min(NR, n - jp * NR);
          for (let r = 0; r < rows; r++) {
            const o = ci0 + r * n + jp * NR;
            for (let cc = 0; cc < cols; cc++) out[o + cc] = first ? edge[r * NR + cc] : out[o + cc] + edge[r * NR + cc];
          }
        }
      }
    }
  }
}
