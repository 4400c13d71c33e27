// adam: one in-place Adam / AdamW step (PyTorch's rule), param, grad, m, v, v_max: [size].
//   AdamW: p ← p·(1 − lr·wd);  Adam: g ← g + wd·p
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  v̂ = amsgrad ? (v_max ← max(v_max, v)) : v
//   p ← p − step_size · m / (√v̂ / √(1 − β2ᵗ) + ε),  step_size = lr / (1 − β1ᵗ)
// The bias corrections are computed on the host in float64 and passed in, rounded to f32 once.
// The operations and their order are the js backend's float32 loop (src/backend/js/optim.ts:
// (c2·g)·g, (step_size·m) / denom, one f32 rounding each), so results match it up to what the
// shader compiler may fuse into FMAs (the tests keep a small tolerance for that).

struct Params {
  size: u32,
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,   // 1 − β1 and 1 − β2 from float64: 1 − f32(0.999) is off by 1e-5 relative
  one_minus_beta2: f32,
  eps: f32,
  weight_decay: f32,
  decay_factor: f32,    // 1 − lr·wd (AdamW) or 1
  step_size: f32,
  bc2_sqrt: f32,
  decoupled: u32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> v_max: array<f32>;
@group(0) @binding(5) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const AMSGRAD: bool = {{AMSGRAD}};

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= u.size) { return; }
  var p = param[i];
  var g = grad[i];
  if (u.decoupled != 0u) { p = p * u.decay_factor; } else { g = g + u.weight_decay * p; }
  let mi = u.beta1 * m[i] + u.one_minus_beta1 * g;
  let vi = u.beta2 * v[i] + u.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  var v_hat = vi;
  if (AMSGRAD) {
    v_hat = max(v_max[i], vi);
    v_max[i] = v_hat;
  }
  param[i] = p - u.step_size * mi / (sqrt(v_hat) / u.bc2_sqrt + u.eps);
}
