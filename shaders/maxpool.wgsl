// Max pooling: y [n, c, oh, ow] and argmax (iy·w + ix of the window's first maximum in its
// plane, as a float; a NaN wins). Padding lies outside every window. One thread per output.

#include "conv_params.wgsl"

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<f32>;
@group(0) @binding(3) var<uniform> u: Params;

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  let ox = i32(t % u.ow);
  let oy = i32((t / u.ow) % u.oh);
  let plane = t / (u.ow * u.oh);
  var best = 0.0;
  var at = -1;
  var done = false;
  for (var ki = 0u; ki < u.kh && !done; ki++) {
    let iy = oy * i32(u.sh) - i32(u.ph) + i32(ki * u.dh);
    if (iy < 0 || iy >= i32(u.h)) { continue; }
    for (var kj = 0u; kj < u.kw; kj++) {
      let ix = ox * i32(u.sw) - i32(u.pw) + i32(kj * u.dw);
      if (ix < 0 || ix >= i32(u.w)) { continue; }
      let v = x[plane * u.h * u.w + u32(iy) * u.w + u32(ix)];
      let nan = v != v;
      if (at < 0 || v > best || nan) {
        best = v;
        at = iy * i32(u.w) + ix;
        if (nan) { done = true; break; }
      }
    }
  }
  y[t] = best;
  argmax[t] = f32(at);
}
