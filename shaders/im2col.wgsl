// im2col: x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]; padding reads as zero.
// cols[b, (ch·kh + ki)·kw + kj, oy·ow + ox] = x[b, ch, oy·sh − ph + ki·dh, ox·sw − pw + kj·dw].
// One thread per element of cols.

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  ph: u32, pw: u32, dh: u32, dw: u32,
  oh: u32, ow: u32, total: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> cols: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= u.total) { return; }
  // i = ((((b·c + ch)·kh + ki)·kw + kj)·oh + oy)·ow + ox
  let ox = i % u.ow;
  let oy = (i / u.ow) % u.oh;
  let kj = (i / (u.ow * u.oh)) % u.kw;
  let ki = (i / (u.ow * u.oh * u.kw)) % u.kh;
  let plane = i / (u.ow * u.oh * u.kw * u.kh);   // b·c + ch
  let iy = i32(oy * u.sh + ki * u.dh) - i32(u.ph);
  let ix = i32(ox * u.sw + kj * u.dw) - i32(u.pw);
  var v = 0.0;
  if (iy >= 0 && iy < i32(u.h) && ix >= 0 && ix < i32(u.w)) {
    v = x[plane * u.h * u.w + u32(iy) * u.w + u32(ix)];
  }
  cols[i] = v;
}
