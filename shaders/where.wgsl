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

// Where index i of shape sits in cond, a and b, and i's coordinate on the last axis.
struct Pos {
  c: i32,
  a: i32,
  b: i32,
  last: i32,
}

fn locate(i: u32) -> Pos {
  var rest = i32(i);
  var p = Pos(0, 0, 0, 0);
  for (var d = i32(u.rank) - 1; d >= 0; d--) {
    let n = u.shape[d / 4][d % 4];
    let c = rest % n;
    rest = rest / n;
    if (d == i32(u.rank) - 1) { p.last = c; }
    p.c += c * u.c_strides[d / 4][d % 4];
    p.a += c * u.a_strides[d / 4][d % 4];
    p.b += c * u.b_strides[d / 4][d % 4];
  }
  return p;
}

// RUN consecutive outputs per thread, as in binary.wgsl.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.y * nwg.x + wid.x) * WG + lid) * RUN;
  if (first >= u.size) { return; }
  let d = max(i32(u.rank) - 1, 0);
  let n_last = u.shape[d / 4][d % 4];
  let step_c = u.c_strides[d / 4][d % 4];
  let step_a = u.a_strides[d / 4][d % 4];
  let step_b = u.b_strides[d / 4][d % 4];
  var p = locate(first);
  let end = min(u.size, first + RUN);
  for (var i = first; i < end; i++) {
    out[i] = select(b[p.b], a[p.a], cond[p.c] != 0.0);
    p.last += 1;
    if (p.last == n_last) { p = locate(i + 1u); } else { p.c += step_c; p.a += step_a; p.b += step_b; }
  }
}
