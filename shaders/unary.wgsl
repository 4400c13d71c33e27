// unary: out[i] = f(x[i]).   x: [size] → out: [size]
// main takes one element per thread; main_vec4 four (x4/out4 view the same buffers as
// vec4s: half the memory operations, about twice the speed on llvmpipe). main_vec4 runs
// when out's buffer belongs to this tensor alone, so the last vec4 may spill into its padding.
// OP selects the formula at pipeline creation (a constant, so the switch folds away); the case
// labels are the op codes of src/backend/opcodes.ts, filled in when the shader is rendered. Formulas match the
// js backend: stable sigmoid and softplus, exact (erf-based) GELU.

struct Params {
  size: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;
@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out4: array<vec4<f32>>;

const WG: u32 = {{WG}}u;
const OP: u32 = {{OP}}u;
const SELU_ALPHA: f32 = 1.6732632423543772;
const SELU_SCALE: f32 = 1.0507009873554805;
const SQRT1_2: f32 = 0.7071067811865476;

#include "math.wgsl"

fn apply(v: f32) -> f32 {
  switch (OP) {
    case {{U_NEG}}u: { return -v; }
    case {{U_ABS}}u: { return abs(v); }
    case {{U_SIGN}}u: { return select(sign(v), v, is_nan_f32(v)); }  // NaN stays NaN
    case {{U_EXP}}u: { return exp(v); }
    case {{U_LOG}}u: { return log(v); }
    case {{U_SQRT}}u: { return sqrt(v); }
    case {{U_SQUARE}}u: { return v * v; }
    case {{U_RECIPROCAL}}u: { return 1.0 / v; }
    case {{U_SIN}}u: { return sin(v); }
    case {{U_COS}}u: { return cos(v); }
    case {{U_ERF}}u: { return erf_f32(v); }
    case {{U_RELU}}u: { return relu_f32(v); }  // NaN stays NaN, as PyTorch
    case {{U_STEP}}u: { return select(0.0, 1.0, v > 0.0); }
    case {{U_SIGMOID}}u: { return sigmoid_f32(v); }
    case {{U_TANH}}u: { return tanh_f32(v); }
    case {{U_SOFTPLUS}}u: { return max(v, 0.0) + log1p_f32(exp(-abs(v))); }  // softplus = max(x,0) + log1p(e^-|x|)
    case {{U_GELU}}u: { return 0.5 * v * (1.0 + erf_f32(v * SQRT1_2)); }  // gelu = x·Φ(x)
    case {{U_SELU}}u: { return SELU_SCALE * select(SELU_ALPHA * expm1_f32(v), v, v > 0.0); }
    case {{U_LEAKY_RELU}}u: { return select(u.alpha * v, v, v > 0.0); }
    case {{U_ELU}}u: { return select(u.alpha * expm1_f32(v), v, v > 0.0); }
    case {{U_AFFINE}}u: { return u.alpha * v + u.beta; }
    case {{U_POW_SCALAR}}u: { return pow_js(v, u.alpha); }
    case {{U_CLAMP}}u: { return select(select(select(v, u.beta, v > u.beta), u.alpha, v < u.alpha), v, is_nan_f32(v)); }  // NaN stays NaN
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i < u.size) { out[i] = apply(x[i]); }
}

@compute @workgroup_size(WG)
fn main_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i * 4u >= u.size) { return; }
  let v = x4[i];
  out4[i] = vec4<f32>(apply(v.x), apply(v.y), apply(v.z), apply(v.w));
}
