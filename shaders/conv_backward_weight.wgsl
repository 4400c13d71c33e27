// The adjoint of conv_forward in the weight: gw [cout, c, kh, kw] = Σ over images and output
// pixels of gy · x at the tap; with HAS_BIAS also gbias [cout] = Σ gy per channel. One thread
// per weight element, then one per bias element.

#include "conv_params.wgsl"

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read_write> gw: array<f32>;
@group(0) @binding(3) var<storage, read_write> gbias: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const HAS_BIAS: bool = {{HAS_BIAS}};

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  let weights = u.cout * u.c * u.kh * u.kw;
  if (t >= weights) {
    if (HAS_BIAS) {
      let co = t - weights;
      var sb = 0.0;
      for (var b = 0u; b < u.n; b++) {
        for (var p = 0u; p < u.oh * u.ow; p++) { sb += gy[(b * u.cout + co) * u.oh * u.ow + p]; }
      }
      gbias[co] = sb;
    }
    return;
  }
  let kj = t % u.kw;
  let ki = (t / u.kw) % u.kh;
  let ci = (t / (u.kw * u.kh)) % u.c;
  let co = t / (u.kw * u.kh * u.c);
  var s = 0.0;
  for (var b = 0u; b < u.n; b++) {
    for (var oy = 0u; oy < u.oh; oy++) {
      let iy = i32(oy * u.sh) - i32(u.ph) + i32(ki * u.dh);
      if (iy < 0 || iy >= i32(u.h)) { continue; }
      for (var ox = 0u; ox < u.ow; ox++) {
        let ix = i32(ox * u.sw) - i32(u.pw) + i32(kj * u.dw);
        if (ix < 0 || ix >= i32(u.w)) { continue; }
        s += gy[((b * u.cout + co) * u.oh + oy) * u.ow + ox] * x[((b * u.c + ci) * u.h + u32(iy)) * u.w + u32(ix)];
      }
    }
  }
  gw[t] = s;
}
