// The adjoint of conv_forward in x (ConvTranspose2d's forward): gx [n, c, h, w] from gy
// [n, cout, oh, ow] and w [cout, c, kh, kw], plus bias [c] if HAS_BIAS, then the activation. No atomics: each input pixel gathers the outputs
// that read it, oy = (iy + ph − ki·dh) / sh where that divides exactly and lies in [0, oh).

#include "conv_params.wgsl"
#include "conv_activation.wgsl"

@group(0) @binding(0) var<storage, read> gy: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const HAS_BIAS: bool = {{HAS_BIAS}};

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  let ix = i32(t % u.w);
  let iy = i32((t / u.w) % u.h);
  let ci = (t / (u.w * u.h)) % u.c;
  let b = t / (u.w * u.h * u.c);
  var s = 0.0;
  if (HAS_BIAS) { s = bias[ci]; }
  for (var ki = 0u; ki < u.kh; ki++) {
    let ty = iy + i32(u.ph) - i32(ki * u.dh);
    if (ty < 0 || ty % i32(u.sh) != 0) { continue; }
    let oy = u32(ty / i32(u.sh));
    if (oy >= u.oh) { continue; }
    for (var kj = 0u; kj < u.kw; kj++) {
      let tx = ix + i32(u.pw) - i32(kj * u.dw);
      if (tx < 0 || tx % i32(u.sw) != 0) { continue; }
      let ox = u32(tx / i32(u.sw));
      if (ox >= u.ow) { continue; }
      for (var co = 0u; co < u.cout; co++) {
        s += gy[((b * u.cout + co) * u.oh + oy) * u.ow + ox] * wt[((co * u.c + ci) * u.kh + ki) * u.kw + kj];
      }
    }
  }
  gx[t] = activate(s);
}
