// Max pooling's backward: gx [n, c, h, w] = Σ of gy over the windows whose argmax is that
// pixel. No atomics: each pixel visits the windows that contain it (as col2im does).

#include "conv_params.wgsl"

@group(0) @binding(0) var<storage, read> gy: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<f32>;
@group(0) @binding(2) var<storage, read_write> gx: array<f32>;
@group(0) @binding(3) var<uniform> u: Params;

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  let ix = i32(t % u.w);
  let iy = i32((t / u.w) % u.h);
  let plane = t / (u.w * u.h);
  let me = f32(iy * i32(u.w) + ix);
  var s = 0.0;
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
      let o = (plane * u.oh + oy) * u.ow + ox;
      if (argmax[o] == me) { s += gy[o]; }
    }
  }
  gx[t] = s;
}
