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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= u.size) { return; }
  var rest = i32(i);
  var ci = 0;
  var ai = 0;
  var bi = 0;
  for (var d = i32(u.rank) - 1; d >= 0; d--) {
    let n = u.shape[d / 4][d % 4];
    let c = rest % n;
    rest = rest / n;
    ci += c * u.c_strides[d / 4][d % 4];
    ai += c * u.a_strides[d / 4][d % 4];
    bi += c * u.b_strides[d / 4][d % 4];
  }
  out[i] = select(b[bi], a[ai], cond[ci] != 0.0);
}
