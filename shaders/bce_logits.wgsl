// bce_logits: BCE on logits and its derivative in one pass (bceWithLogitsLoss's forward when the
// logits need a gradient), each as the binary ops compute it (binary.wgsl, math.wgsl):
//   loss[i] = bce_logits(z, y)  (binary 'bceLogits'),   grad[i] = σ(z) − y  (binary 'bceLogitsGrad')
// z (logits), y (target): [size] → loss, grad: [size]. One element per thread.

struct Params {
  size: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const WG: u32 = {{WG}}u;

#include "math.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= u.size) { return; }
  let z = logits[i];
  let y = targets[i];
  loss[i] = bce_logits(z, y);
  grad[i] = sigmoid_f32(z) - y;
}
