// sgd: one in-place SGD step (PyTorch's torch.optim.SGD rule), param, grad, buf: [size].
//   g ← sign·grad + wd·p;  b ← g on the first step, else μ·b + (1 − dampening)·g;
//   g ← nesterov ? g + μ·b : b;  p ← p − lr·g
// HAS_MOMENTUM is false when μ = 0: the buf binding is then a placeholder, never touched.
// f32 math in the js backend's order (src/backend/js/optim.ts), one f32 rounding per step; the
// host passes 1 − dampening rounded once from float64, as js forms it. The compiler may fuse
// multiply-adds: tests keep a tolerance.

struct Params {
  size: u32,
  lr: f32,
  momentum: f32,
  one_minus_dampening: f32,
  weight_decay: f32,
  sign: f32,
  first_step: u32,
  nesterov: u32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf: array<f32>;
@group(0) @binding(3) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const HAS_MOMENTUM: bool = {{HAS_MOMENTUM}};

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= u.size) { return; }
  let p = param[i];
  var g = u.sign * grad[i] + u.weight_decay * p;
  if (HAS_MOMENTUM) {
    var b = g;
    if (u.first_step == 0u) { b = u.momentum * buf[i] + u.one_minus_dampening * g; }
    buf[i] = b;
    g = select(b, g + u.momentum * b, u.nesterov != 0u);
  }
  param[i] = p - u.lr * g;
}
