// copy: dst[dst_offset + idx·dst_strides] = src[src_offset + idx·src_strides] for every
// index of shape. Transpose/permute, slice, pad, concat and expand are all this kernel.
// Rank ≤ 8 (after merging axes). RUN consecutive elements per thread.

struct Params {
  shape: array<vec4<i32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<i32>, 2>,
  size: u32,
  rank: u32,
  src_offset: i32,
  dst_offset: i32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const RUN: u32 = {{RUN}}u;

#include "strided.wgsl"

// The shared walk, started at the two operands' offsets (x: src, y: dst).
fn locate(i: u32) -> Located {
  var p = locate_strided(i, u.rank, u.shape, u.src_strides, u.dst_strides, NO_STRIDES);
  p.off += vec3<i32>(u.src_offset, u.dst_offset, 0);
  return p;
}

// RUN consecutive elements per thread, as in binary.wgsl.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.y * nwg.x + wid.x) * WG + lid) * RUN;
  if (first >= u.size) { return; }
  let n_last = last_axis(u.rank, u.shape);
  let step = vec3<i32>(last_axis(u.rank, u.src_strides), last_axis(u.rank, u.dst_strides), 0);
  var p = locate(first);
  let end = min(u.size, first + RUN);
  for (var i = first; i < end; i++) {
    dst[p.off.y] = src[p.off.x];
    p.last += 1;
    if (p.last == n_last) { p = locate(i + 1u); } else { p.off += step; }
  }
}
