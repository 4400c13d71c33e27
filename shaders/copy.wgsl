// copy: dst[dst_offset + idx·dst_strides] = src[src_offset + idx·src_strides] for every
// index of shape. Transpose/permute, slice, pad, concat and expand are all this kernel.
// Rank ≤ 8. One thread per element of shape.

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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= u.size) { return; }
  var rest = i32(i);
  var si = u.src_offset;
  var di = u.dst_offset;
  for (var d = i32(u.rank) - 1; d >= 0; d--) {
    let n = u.shape[d / 4][d % 4];
    let c = rest % n;
    rest = rest / n;
    si += c * u.src_strides[d / 4][d % 4];
    di += c * u.dst_strides[d / 4][d % 4];
  }
  dst[di] = src[si];
}
