// activation_grad: out[i] = g[i] · act'(x[i]), written with the activation's output y = act(x)
// so the backward pass needs neither x nor a second kernel.   y, g: [size] → out: [size]
//   relu     act' = 0 where y ≤ 0, else 1 (1 at y = NaN, as PyTorch's threshold_backward; multiplied,
//            not selected: a NaN or ∞ in g stays as in g · step(y))
//   sigmoid  act' = y (1 − y)
//   tanh     act' = 1 − y²
// main takes one element per thread; main_vec4 four, through vec4 views of the same buffers,
// when out's buffer belongs to this tensor alone (the last vec4 may spill into its padding).
// ACT is the activation's code (ACTIVATIONS in src/backend/opcodes.ts, which fills in the case labels),
// a constant, so the switch folds away at pipeline creation. float32 math in the js backend's
// order (g · (y · (1 − y)), g · (1 − y · y), each step rounded to f32, as the native kernel):
// equal to it unless the shader compiler fuses a multiply-add (tests keep a small tolerance).

struct Params {
  size: u32,
}

@group(0) @binding(0) var<storage, read> y: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> u: Params;
@group(0) @binding(0) var<storage, read> y4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> g4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;

const WG: u32 = {{WG}}u;
const ACT: u32 = {{ACT}}u;

// NaN by its bits (the compiler may fold a NaN comparison, see is_nan_f32 in math.wgsl).
fn is_nan4(v: vec4<f32>) -> vec4<bool> {
  return (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
}

fn derivative(v: vec4<f32>) -> vec4<f32> {
  switch (ACT) {
    case {{ACT_RELU}}u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), (v > vec4<f32>(0.0)) | is_nan4(v)); }
    case {{ACT_SIGMOID}}u: { return v * (1.0 - v); }
    case {{ACT_TANH}}u: { return 1.0 - v * v; }
    default: { return vec4<f32>(1.0); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i < u.size) { out[i] = g[i] * derivative(vec4<f32>(y[i])).x; }
}

@compute @workgroup_size(WG)
fn main_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i * 4u >= u.size) { return; }
  out4[i] = g4[i] * derivative(y4[i]);
}
