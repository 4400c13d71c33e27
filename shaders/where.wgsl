// where: out[idx] = cond[idx·c_strides] != 0 ? a[idx·a_strides] : b[idx·b_strides].
// cond, a, b: broadcast to shape by strides (0 = broadcast) → out: shape, contiguous. Rank ≤ 8.

struct Params {
  shape: array<vec4<i32>, 2>,
  c_strides: array<vec4<i32>, 2>,
  a_strides: array<vec4<i32>, 2>,
  b_strides: array<vec4<i32>, 2>,
  size: u32,
  rank: u32,
}

@group(0) @binding(0) var<storage, read> cond: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const RUN: u32 = {{RUN}}u;

#include "strided.wgsl"

// RUN consecutive outputs per thread, as in binary.wgsl.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.y * nwg.x + wid.x) * WG + lid) * RUN;
  if (first >= u.size) { return; }
  let n_last = last_axis(u.rank, u.shape);
  let step = vec3<i32>(last_axis(u.rank, u.c_strides), last_axis(u.rank, u.a_strides), last_axis(u.rank, u.b_strides));
  var p = locate_strided(first, u.rank, u.shape, u.c_strides, u.a_strides, u.b_strides);
  let end = min(u.size, first + RUN);
  for (var i = first; i < end; i++) {
    out[i] = select(b[p.off.z], a[p.off.y], cond[p.off.x] != 0.0);
    p.last += 1;
    if (p.last == n_last) { p = locate_strided(i + 1u, u.rank, u.shape, u.c_strides, u.a_strides, u.b_strides); } else { p.off += step; }
  }
}
