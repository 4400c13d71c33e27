// unary: out[i] = f(x[i]).   x: [size] → out: [size]
// main takes one element per thread; main_vec4 four (x4/out4 view the same buffers as
// vec4s: half the memory operations, about twice the speed on llvmpipe). main_vec4 runs
// when out's buffer belongs to this tensor alone, so the last vec4 may spill into its padding.
// OP selects the formula at pipeline creation (a constant, so the switch folds away); the
// numbering is UNARY_CODES in src/backend/webgpu/kernels-elementwise.ts. Formulas match the
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
    case 0u: { return -v; }                                   // neg
    case 1u: { return abs(v); }                               // abs
    case 2u: { return select(sign(v), v, is_nan_f32(v)); }    // sign (NaN stays NaN)
    case 3u: { return exp(v); }                               // exp
    case 4u: { return log(v); }                               // log
    case 5u: { return sqrt(v); }                              // sqrt
    case 6u: { return v * v; }                                // square
    case 7u: { return 1.0 / v; }                              // reciprocal
    case 8u: { return sin(v); }                               // sin
    case 9u: { return cos(v); }                               // cos
    case 10u: { return erf_f32(v); }                          // erf
    case 11u: { return relu_f32(v); }                         // relu (NaN stays NaN, as PyTorch)
    case 12u: { return select(0.0, 1.0, v > 0.0); }           // step
    case 13u: { return sigmoid_f32(v); }                      // sigmoid
    case 14u: { return tanh_f32(v); }                         // tanh
    case 15u: { return max(v, 0.0) + log1p_f32(exp(-abs(v))); }   // softplus = max(x,0) + log1p(e^-|x|)
    case 16u: { return 0.5 * v * (1.0 + erf_f32(v * SQRT1_2)); }  // gelu = x·Φ(x)
    case 17u: { return SELU_SCALE * select(SELU_ALPHA * expm1_f32(v), v, v > 0.0); }  // selu
    case 18u: { return select(u.alpha * v, v, v > 0.0); }     // leakyRelu
    case 19u: { return select(u.alpha * expm1_f32(v), v, v > 0.0); }  // elu
    case 20u: { return u.alpha * v + u.beta; }                // affine
    case 21u: { return pow_js(v, u.alpha); }                  // powScalar
    case 22u: { return select(select(select(v, u.beta, v > u.beta), u.alpha, v < u.alpha), v, is_nan_f32(v)); }  // clamp (NaN stays NaN)
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
