// im2col: x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]; padding reads as zero.
// cols[b, (ch·kh + ki)·kw + kj, oy·ow + ox] = x[b, ch, oy·sh − ph + ki·dh, ox·sw − pw + kj·dw].
// One thread per (column row, oy): it writes the ow elements of that output row in a loop,
// so the index arithmetic (integer division, slow on CPUs without SIMD division) is paid
// once per ow elements. SH and SW are compile-time constants for the same reason.

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  ph: u32, pw: u32, dh: u32, dw: u32,
  oh: u32, ow: u32, total: u32,   // total = n·c·kh·kw·oh threads
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> cols: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const SH: u32 = {{SH}}u;
const SW: u32 = {{SW}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  // t = row·oh + oy, row = (plane·kh + ki)·kw + kj, plane = b·c + ch
  let oy = t % u.oh;
  let row = t / u.oh;
  let kj = row % u.kw;
  let ki = (row / u.kw) % u.kh;
  let plane = row / (u.kw * u.kh);
  let out_base = row * u.oh * u.ow + oy * u.ow;
  let iy = i32(oy * SH + ki * u.dh) - i32(u.ph);
  if (iy < 0 || iy >= i32(u.h)) {
    for (var ox = 0u; ox < u.ow; ox++) { cols[out_base + ox] = 0.0; }
    return;
  }
  let x_base = plane * u.h * u.w + u32(iy) * u.w;
  var ix = i32(kj * u.dw) - i32(u.pw);
  for (var ox = 0u; ox < u.ow; ox++) {
    var v = 0.0;
    if (ix >= 0 && ix < i32(u.w)) { v = x[x_base + u32(ix)]; }
    cols[out_base + ox] = v;
    ix += i32(SW);
  }
}
