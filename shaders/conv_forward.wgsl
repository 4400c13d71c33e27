// Direct convolution: y [n, cout, oh, ow] = x [n, c, h, w] ⋆ w [cout, c, kh, kw] (+ bias), then the
// activation (conv_activation.wgsl).
// One thread per output element, summing its c·kh·kw products (padding reads as zero).

#include "conv_params.wgsl"
#include "conv_activation.wgsl"

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const HAS_BIAS: bool = {{HAS_BIAS}};
const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  let ox = i32(t % u.ow);
  let oy = i32((t / u.ow) % u.oh);
  let co = (t / (u.ow * u.oh)) % u.cout;
  let b = t / (u.ow * u.oh * u.cout);
  var s = 0.0;
  if (HAS_BIAS) { s = bias[co]; }
  for (var ci = 0u; ci < u.c; ci++) {
    for (var ki = 0u; ki < u.kh; ki++) {
      let iy = oy * i32(u.sh) - i32(u.ph) + i32(ki * u.dh);
      if (iy < 0 || iy >= i32(u.h)) { continue; }
      for (var kj = 0u; kj < u.kw; kj++) {
        let ix = ox * i32(u.sw) - i32(u.pw) + i32(kj * u.dw);
        if (ix < 0 || ix >= i32(u.w)) { continue; }
        s += wt[((co * u.c + ci) * u.kh + ki) * u.kw + kj] * x[((b * u.c + ci) * u.h + u32(iy)) * u.w + u32(ix)];
      }
    }
  }
  y[t] = activate(s);
}
