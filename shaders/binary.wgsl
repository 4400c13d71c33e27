// binary: out[idx] = a[idx·a_strides] (op) b[idx·b_strides] for every index of shape.
// a, b: broadcast to shape by their strides (0 on broadcast axes) → out: shape, contiguous.
// Rank ≤ 8 (shape and strides are two vec4s each). OP is a code of src/backend/opcodes.ts; the
// case labels are filled in from the same table when the shader is rendered.
// main_vec4: the flat case (same-shape contiguous operands, or a scalar one: A_SCALAR /
// B_SCALAR), four elements per thread through vec4 views of the same buffers.

struct Params {
  shape: array<vec4<i32>, 2>,
  a_strides: array<vec4<i32>, 2>,
  b_strides: array<vec4<i32>, 2>,
  size: u32,
  rank: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> u: Params;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;

const WG: u32 = {{WG}}u;
const OP: u32 = {{OP}}u;
const RUN: u32 = {{RUN}}u;
const A_SCALAR: bool = {{A_SCALAR}};
const B_SCALAR: bool = {{B_SCALAR}};

#include "math.wgsl"
#include "strided.wgsl"

// Binary cross-entropy's clamped log (src/backend/opcodes.ts, 'bce'): −100 below the smallest
// normal float (which the GPU may flush to 0), never log 0.
const TINY_PROB: f32 = 1.1754944e-38;
fn bce_log(q: f32) -> f32 { return select(-100.0, log(max(q, TINY_PROB)), q >= TINY_PROB); }

fn apply(x: f32, y: f32) -> f32 {
  switch (OP) {
    case {{B_ADD}}u: { return x + y; }
    case {{B_SUB}}u: { return x - y; }
    case {{B_MUL}}u: { return x * y; }
    case {{B_DIV}}u: { return x / y; }
    case {{B_POW}}u: { return pow_js(x, y); }
    case {{B_MAXIMUM}}u: { return select(y, x, x > y || x != x); }  // NaN propagates
    case {{B_MINIMUM}}u: { return select(y, x, x < y || x != x); }
    case {{B_GT}}u: { return select(0.0, 1.0, x > y); }
    case {{B_GE}}u: { return select(0.0, 1.0, x >= y); }
    case {{B_LT}}u: { return select(0.0, 1.0, x < y); }
    case {{B_LE}}u: { return select(0.0, 1.0, x <= y); }
    case {{B_EQ}}u: { return select(0.0, 1.0, x == y); }
    case {{B_BCE}}u: { return -(y * bce_log(x) + (1.0 - y) * bce_log(1.0 - x)); }
    case {{B_BCE_GRAD}}u: {
      let q = 1.0 - x;
      return select(0.0, (1.0 - y) / q, q >= TINY_PROB) - select(0.0, y / x, x >= TINY_PROB);
    }
    case {{B_BCE_LOGITS}}u: { return bce_logits(x, y); }
    case {{B_BCE_LOGITS_GRAD}}u: { return sigmoid_f32(x) - y; }
    default: { return x; }
  }
}

// RUN consecutive outputs per thread (1 on GPUs, where neighbours should touch neighbours;
// more on CPU rasterisers): locate the first, then step along the last axis.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.y * nwg.x + wid.x) * WG + lid) * RUN;
  if (first >= u.size) { return; }
  let n_last = last_axis(u.rank, u.shape);
  let step = vec3<i32>(last_axis(u.rank, u.a_strides), last_axis(u.rank, u.b_strides), 0);
  var p = locate_strided(first, u.rank, u.shape, u.a_strides, u.b_strides, NO_STRIDES);
  let end = min(u.size, first + RUN);
  for (var i = first; i < end; i++) {
    out[i] = apply(a[p.off.x], b[p.off.y]);
    p.last += 1;
    if (p.last == n_last) { p = locate_strided(i + 1u, u.rank, u.shape, u.a_strides, u.b_strides, NO_STRIDES); } else { p.off += step; }
  }
}

@compute @workgroup_size(WG)
fn main_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i * 4u >= u.size) { return; }
  var x = a4[i];
  if (A_SCALAR) { x = vec4<f32>(a4[0].x); }
  var y = b4[i];
  if (B_SCALAR) { y = vec4<f32>(b4[0].x); }
  out4[i] = vec4<f32>(apply(x.x, y.x), apply(x.y, y.y), apply(x.z, y.z), apply(x.w, y.w));
}
