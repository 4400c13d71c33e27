#include "matmul_common.wgsl"

const WG_X: u32 = {{WG_X}}u;
const WG_Y: u32 = {{WG_Y}}u;
const TK: u32 = {{TK}}u;
const BM: u32 = WG_Y * 4u;
const BN: u32 = WG_X * 4u;
const THREADS: u32 = WG_X * WG_Y;

var<workgroup> tile_a: array<f32, TK * BM>;
var<workgroup> tile_b: array<vec4<f32>, TK * WG_X>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let batch = wid.z + u.batch_offset;
  let a_base = batch * u.stride_a;
  let b_base = batch * u.stride_b;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < u.k; k0 += TK) {
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
      tile_b[kk * WG_X + c / 4u][c % 4u] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let bv = tile_b[kk * WG_X + lid.x];
      let ab = kk * BM + lid.y;
      acc0 = fma(vec4<f32>(tile_a[ab]), bv, acc0);
      acc1 = fma(vec4<f32>(tile_a[ab + WG_Y]), bv, acc1);
      acc2 = fma(vec4<f32>(tile_a[ab + 2u * WG_Y]), bv, acc2);
      acc3 = fma(vec4<f32>(tile_a[ab + 3u * WG_Y]), bv, acc3);
    }
    workgroupBarrier();
  }
  let out_base = batch * u.m * u.n;
  let accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + lid.y + i * WG_Y;
    if (row >= u.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x * 4u + j;
      if (col < u.n) { out[out_base + row * u.n + col] = epilogue(accs[i][j], col); }
    }
  }
}
