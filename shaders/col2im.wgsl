// col2im: cols [n, c·kh·kw, oh·ow] → out [n, c, h, w], the adjoint of im2col (overlaps add).
// No atomics: each output pixel (b, ch, iy, ix) gathers every (ki, kj, oy, ox) that im2col
// read it into: iy = oy·sh − ph + ki·dh, so oy = (iy + ph − ki·dh) / sh when that divides
// exactly and lands in [0, oh); the same for x.
// One thread per image row (plane, iy), looping over its w pixels, so the index arithmetic
// is paid once per row; SH and SW are compile-time constants (division by a constant is a
// multiply, where division by a uniform is a slow scalar instruction on CPUs).

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  ph: u32, pw: u32, dh: u32, dw: u32,
  oh: u32, ow: u32, total: u32,   // total = n·c·h threads
}

@group(0) @binding(0) var<storage, read> cols: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const SH: i32 = {{SH}};
const SW: i32 = {{SW}};

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  if (t >= u.total) { return; }
  let iy = i32(t % u.h);
  let plane = t / u.h;   // b·c + ch
  let ohw = u.oh * u.ow;
  let out_base = t * u.w;
  for (var ix = 0; ix < i32(u.w); ix++) {
    var sum = 0.0;
    for (var ki = 0u; ki < u.kh; ki++) {
      let ty = iy + i32(u.ph) - i32(ki * u.dh);
      if (ty < 0 || ty % SH != 0) { continue; }
      let oy = u32(ty / SH);
      if (oy >= u.oh) { continue; }
      let row_base = (plane * u.kh + ki) * u.kw;
      for (var kj = 0u; kj < u.kw; kj++) {
        let tx = ix + i32(u.pw) - i32(kj * u.dw);
        if (tx < 0 || tx % SW != 0) { continue; }
        let ox = u32(tx / SW);
        if (ox >= u.ow) { continue; }
        sum += cols[(row_base + kj) * ohw + oy * u.ow + ox];
      }
    }
    out[out_base + u32(ix)] = sum;
  }
}
