// matmul_tiled: workgroup-shared tiles with register blocking.
//
// A workgroup of WG_X × WG_Y threads computes a BM × BN block of out (BM = WG_Y·TM,
// BN = WG_X·TN); each thread owns TM × TN outputs, strided by WG_Y rows and WG_X columns so
// neighbouring threads touch neighbouring addresses (coalesced on a GPU, vector lanes on a
// CPU rasteriser). k advances TK at a time: the threads copy an A tile [TK, BM] and a B tile
// [TK, BN] into workgroup memory, then every thread does TM·TN FMAs per loaded
// (TM + TN) values, from registers. Out-of-range rows, columns and k read as zero, so any
// M, N, K work; only the final store is guarded.
// Sizes come from the device limits (src/backend/webgpu/kernels-matmul.ts).

#include "matmul_common.wgsl"

const WG_X: u32 = {{WG_X}}u;
const WG_Y: u32 = {{WG_Y}}u;
const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const TK: u32 = {{TK}}u;
const BM: u32 = WG_Y * TM;
const BN: u32 = WG_X * TN;
const THREADS: u32 = WG_X * WG_Y;

var<workgroup> tile_a: array<f32, TK * BM>;   // [TK][BM]: k-major, so a thread's rows are a stride apart
var<workgroup> tile_b: array<f32, TK * BN>;   // [TK][BN]

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let batch = wid.z + u.batch_offset;
  let a_base = batch * u.stride_a;
  let b_base = batch * u.stride_b;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  var acc: array<f32, TM * TN>;
  for (var i = 0u; i < TM * TN; i++) { acc[i] = 0.0; }
  var a_reg: array<f32, TM>;
  var b_reg: array<f32, TN>;

  for (var k0 = 0u; k0 < u.k; k0 += TK) {
    // Cooperative loads. The element order follows the storage order of the operand, so
    // consecutive threads read consecutive addresses in either transpose.
    for (var e = li; e < TK * BM; e += THREADS) {
      var r: u32;
      var kk: u32;
      if (TRANS_A) { r = e % BM; kk = e / BM; } else { kk = e % TK; r = e / TK; }
      let gr = row0 + r;
      let gk = k0 + kk;
      var v = 0.0;
      if (gr < u.m && gk < u.k) { v = load_a(a_base, gr, gk); }
      tile_a[kk * BM + r] = v;
    }
    for (var e = li; e < TK * BN; e += THREADS) {
      var c: u32;
      var kk: u32;
      if (TRANS_B) { kk = e % TK; c = e / TK; } else { c = e % BN; kk = e / BN; }
      let gc = col0 + c;
      let gk = k0 + kk;
      var v = 0.0;
      if (gc < u.n && gk < u.k) { v = load_b(b_base, gk, gc); }
      tile_b[kk * BN + c] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      for (var i = 0u; i < TM; i++) { a_reg[i] = tile_a[kk * BM + lid.y + i * WG_Y]; }
      for (var j = 0u; j < TN; j++) { b_reg[j] = tile_b[kk * BN + lid.x + j * WG_X]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a_reg[i], b_reg[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }

  let out_base = batch * u.m * u.n;
  for (var i = 0u; i < TM; i++) {
    let row = row0 + lid.y + i * WG_Y;
    if (row >= u.m) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + lid.x + j * WG_X;
      if (col < u.n) { out[out_base + row * u.n + col] = epilogue(acc[i * TN + j], col); }
    }
  }
}
