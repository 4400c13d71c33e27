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

// Where index i of shape sits in src and dst, and i's coordinate on the last axis.
struct Pos {
  src: i32,
  dst: i32,
  last: i32,
}

fn locate(i: u32) -> Pos {
  var rest = i32(i);
  var p = Pos(u.src_offset, u.dst_offset, 0);
  for (var d = i32(u.rank) - 1; d >= 0; d--) {
    let n = u.shape[d / 4][d % 4];
    let c = rest % n;
    rest = rest / n;
    if (d == i32(u.rank) - 1) { p.last = c; }
    p.src += c * u.src_strides[d / 4][d % 4];
    p.dst += c * u.dst_strides[d / 4][d % 4];
  }
  return p;
}

// RUN consecutive elements per thread, as in binary.wgsl.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.y * nwg.x + wid.x) * WG + lid) * RUN;
  if (first >= u.size) { return; }
  let d = max(i32(u.rank) - 1, 0);
  let n_last = u.shape[d / 4][d % 4];
  let step_src = u.src_strides[d / 4][d % 4];
  let step_dst = u.dst_strides[d / 4][d % 4];
  var p = locate(first);
  let end = min(u.size, first + RUN);
  for (var i = first; i < end; i++) {
    dst[p.dst] = src[p.src];
    p.last += 1;
    if (p.last == n_last) { p = locate(i + 1u); } else { p.src += step_src; p.dst += step_dst; }
  }
}
