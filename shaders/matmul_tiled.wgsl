// matmul_tiled: workgroup-shared tiles with register blocking (8×8 outputs per thread).
//
// A workgroup of WG_X × WG_Y threads computes a BM × BN block of out (BM = 8·WG_Y,
// BN = 8·WG_X). k advances TK at a time: the threads copy an A tile [TK, BM] and a B tile
// [TK, BN] into workgroup memory, then for each of the TK slices every thread loads four
// vec4s (8 values of A's column, 8 of B's row) and does 64 FMAs from registers.
//
// A thread's 8×8 outputs are four 4×4 blocks, each a mat4x4 accumulator (column c holds
// out[rows r0..r0+3, col c0+c]); a block's rows are 4 consecutive rows starting at
// 4·(lid.y + i·WG_Y), its columns 4 consecutive columns at 4·(lid.x + j·WG_X), i, j ∈ {0, 1},
// so neighbouring threads read neighbouring vec4s. Matrices rather than arrays on purpose:
// every index is a constant, so the accumulators stay in registers on every compiler (an
// array indexed in a loop may be spilled to memory, which on Mesa's llvmpipe costs ~4×).
// Out-of-range rows, columns and k read as zero, so any M, N, K work; only stores are guarded.
// WG_X, WG_Y, TK come from the device limits (src/backend/webgpu/kernels-matmul.ts).

#include "matmul_common.wgsl"

const WG_X: u32 = {{WG_X}}u;
const WG_Y: u32 = {{WG_Y}}u;
const TK: u32 = {{TK}}u;
const BM: u32 = WG_Y * 8u;
const BN: u32 = WG_X * 8u;
const BM4: u32 = BM / 4u;
const BN4: u32 = BN / 4u;
const THREADS: u32 = WG_X * WG_Y;

var<workgroup> tile_a: array<vec4<f32>, TK * BM4>;   // [TK][BM]: A[row0 + r, k0 + kk] at (kk, r)
var<workgroup> tile_b: array<vec4<f32>, TK * BN4>;   // [TK][BN]: B[k0 + kk, col0 + c] at (kk, c)

// acc + a ⊗ b: the rank-1 update of a 4×4 block (column c gains a · b[c]).
fn outer_fma(acc: mat4x4<f32>, a: vec4<f32>, b: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(fma(a, vec4<f32>(b.x), acc[0]), fma(a, vec4<f32>(b.y), acc[1]),
                     fma(a, vec4<f32>(b.z), acc[2]), fma(a, vec4<f32>(b.w), acc[3]));
}

// Writes the 4×4 block whose top-left output is (row0, col0), through the epilogue.
fn store_block(acc: mat4x4<f32>, out_base: u32, row0: u32, col0: u32) {
  for (var c = 0u; c < 4u; c++) {
    let col = col0 + c;
    if (col >= u.n) { break; }
    for (var r = 0u; r < 4u; r++) {
      let row = row0 + r;
      if (row < u.m) { out[out_base + row * u.n + col] = epilogue(acc[c][r], col); }
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let batch = wid.z + u.batch_offset;
  let a_base = batch * u.stride_a;
  let b_base = batch * u.stride_b;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  var acc00 = mat4x4<f32>();
  var acc01 = mat4x4<f32>();
  var acc10 = mat4x4<f32>();
  var acc11 = mat4x4<f32>();

  for (var k0 = 0u; k0 < u.k; k0 += TK) {
    // Cooperative loads. The element order follows the operand's storage order, so
    // consecutive threads read consecutive addresses whichever way it is transposed.
    for (var e = li; e < TK * BM; e += THREADS) {
      var r: u32;
      var kk: u32;
      if (TRANS_A) { r = e % BM; kk = e / BM; } else { kk = e % TK; r = e / TK; }
      let gr = row0 + r;
      let gk = k0 + kk;
      var v = 0.0;
      if (gr < u.m && gk < u.k) { v = load_a(a_base, gr, gk); }
      tile_a[kk * BM4 + r / 4u][r % 4u] = v;
    }
    for (var e = li; e < TK * BN; e += THREADS) {
      var c: u32;
      var kk: u32;
      if (TRANS_B) { kk = e % TK; c = e / TK; } else { c = e % BN; kk = e / BN; }
      let gc = col0 + c;
      let gk = k0 + kk;
      var v = 0.0;
      if (gc < u.n && gk < u.k) { v = load_b(b_base, gk, gc); }
      tile_b[kk * BN4 + c / 4u][c % 4u] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a0 = tile_a[kk * BM4 + lid.y];
      let a1 = tile_a[kk * BM4 + lid.y + WG_Y];
      let b0 = tile_b[kk * BN4 + lid.x];
      let b1 = tile_b[kk * BN4 + lid.x + WG_X];
      acc00 = outer_fma(acc00, a0, b0);
      acc01 = outer_fma(acc01, a0, b1);
      acc10 = outer_fma(acc10, a1, b0);
      acc11 = outer_fma(acc11, a1, b1);
    }
    workgroupBarrier();
  }

  let out_base = batch * u.m * u.n;
  let r0 = row0 + lid.y * 4u;
  let r1 = row0 + (lid.y + WG_Y) * 4u;
  let c0 = col0 + lid.x * 4u;
  let c1 = col0 + (lid.x + WG_X) * 4u;
  store_block(acc00, out_base, r0, c0);
  store_block(acc01, out_base, r0, c1);
  store_block(acc10, out_base, r1, c0);
  store_block(acc11, out_base, r1, c1);
}
