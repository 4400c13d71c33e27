// matmul_naive: one thread per output element, a plain dot product over k from global memory.
// The reference the tiled kernel is tested against and the benchmark's baseline.
// Grid: x over columns (N), y over rows (M), z over batch items; WG_X × WG_Y threads
// (16 × 16 where the device allows 256 invocations).

#include "matmul_common.wgsl"

const WG_X: u32 = {{WG_X}}u;
const WG_Y: u32 = {{WG_Y}}u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (row >= u.m || col >= u.n) { return; }
  let batch = wid.z + u.batch_offset;
  let a_base = batch * u.stride_a;
  let b_base = batch * u.stride_b;
  var acc = 0.0;
  for (var kk = 0u; kk < u.k; kk++) { acc = fma(load_a(a_base, row, kk), load_b(b_base, kk, col), acc); }
  out[batch * u.m * u.n + row * u.n + col] = epilogue(acc, col);
}
