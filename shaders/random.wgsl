// random: Philox4x32-10 draws, as src/backend/philox.ts (the reference) defines them. One
// invocation per 128-bit block b: counter (lo32(counter + b), hi32(counter + b), 0, 0) under the
// key gives the words of elements 4b .. 4b + 3.
//   KIND {{RNG_BITS}}: the words themselves (out bound as array<u32>)
//   KIND {{RNG_UNIFORM}}: (w >> 8)·2^-24, exact in f32
//   KIND {{RNG_BERNOULLI}}: (w >> 8) < threshold ? value : 0, an integer comparison
//   KIND {{RNG_NORMAL}}: Box–Muller on the word pairs (w0, w1) and (w2, w3) (see normal_pair below)
//   KIND {{RNG_GAUSSIAN_NOISE}}: clamp(x + normal, low, high) (x bound at 1; a placeholder otherwise)
// WGSL has no 64-bit integers: the 32×32 → 64-bit products are built from 16-bit halves.
#include "math.wgsl"

struct Params {
  size: u32,
  key0: u32,
  key1: u32,
  counter_lo: u32,
  counter_hi: u32,
  threshold: u32,
  value: f32,
  mean: f32,
  std_dev: f32,
  low: f32,
  high: f32,
}

@group(0) @binding(0) var<storage, read_write> out: array<{{OUT_TYPE}}>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const KIND: u32 = {{KIND}}u;

// The high word of a·b (u32), from 16-bit halves whose partial products fit in u32.
fn mulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let lh = al * bh; let hl = ah * bl;
  let mid = ((al * bl) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox(c_in: vec4u, k_in: vec2u) -> vec4u {
  var c = c_in;
  var k = k_in;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = mulhi(0xD2511F53u, c.x); let lo0 = 0xD2511F53u * c.x;
    let hi1 = mulhi(0xCD9E8D57u, c.z); let lo1 = 0xCD9E8D57u * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

// The reference's float32 Box–Muller step by step (src/backend/philox.ts, normalPair), with its
// constants; WGSL may fuse a multiply and an add, so the result is within a few float32 ulps of it
// rather than equal. ln(k·2^-24) for whole k in [1, 2^24]: k = 2^e·m by the float's bits, m in
// (√½, √2], then Cephes logf's polynomial in f = m − 1.
fn ln_unit(k: u32) -> f32 {
  let bits = bitcast<u32>(f32(k));
  var e = i32(bits >> 23u) - 127;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421354) { m = m * 0.5; e = e + 1; }
  let n = f32(e - 24);
  let f = m - 1.0;
  let z = f * f;
  var p = 7.0376836292e-2;
  p = p * f - 1.1514610310e-1;
  p = p * f + 1.1676998740e-1;
  p = p * f - 1.2420140846e-1;
  p = p * f + 1.4249322787e-1;
  p = p * f - 1.6668057665e-1;
  p = p * f + 2.0000714765e-1;
  p = p * f - 2.4999993993e-1;
  p = p * f + 3.3333331174e-1;
  var y = (f * z) * p;
  y = y + n * -2.12194440e-4;
  y = y - 0.5 * z;
  return (f + y) + n * 0.693359375;
}

// (cos θ, sin θ), θ = 2π·j·2^-24 for whole j in [0, 2^24): q = round(j/2^22) quarter turns off in
// integers, Cephes sinf and cosf on |a| ≤ π/4, then turned by q.
fn cos_sin_turns(j: u32) -> vec2f {
  let q = (j + 0x200000u) >> 22u;
  let a = f32(i32(j) - i32(q << 22u)) * 3.7450703895e-7;   // 2π·2^-24 in f32
  let z = a * a;
  let s = (((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z) * a + a;
  let c = (((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z) * z - 0.5 * z + 1.0;
  let turned = select(vec2f(c, s), vec2f(-s, c), (q & 1u) == 1u);
  return select(turned, -turned, (q & 2u) == 2u);
}

// The pair mean + std·(r cos θ, r sin θ) of words (w0, w1): r = √(−2 ln u1), u1 = ((w0 >> 8) + 1)·2^-24.
fn normal_pair(w0: u32, w1: u32) -> vec2f {
  let r = sqrt(max(-2.0 * ln_unit((w0 >> 8u) + 1u), 0.0));
  return u.mean + u.std_dev * (r * cos_sin_turns(w1 >> 8u));
}

fn word_value(w: u32) -> {{OUT_TYPE}} {
  if (KIND == {{RNG_BITS}}u) { return {{OUT_TYPE}}(w); }
  if (KIND == {{RNG_UNIFORM}}u) { return {{OUT_TYPE}}(f32(w >> 8u) * 5.9604645e-8); }
  return {{OUT_TYPE}}(select(0.0, u.value, (w >> 8u) < u.threshold));
}

fn store(i: u32, v: f32) {
  if (i >= u.size) { return; }
  if (KIND == {{RNG_GAUSSIAN_NOISE}}u) {
    let s = x[i] + v;
    out[i] = {{OUT_TYPE}}(select(select(select(s, u.high, s > u.high), u.low, s < u.low), s, is_nan_f32(s)));  // NaN stays NaN
  } else {
    out[i] = {{OUT_TYPE}}(v);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.y * nwg.x + wid.x) * WG + lid;
  if (b * 4u >= u.size) { return; }
  let lo = u.counter_lo + b;
  let hi = u.counter_hi + select(0u, 1u, lo < b);   // the carry of the 64-bit counter
  let w = philox(vec4u(lo, hi, 0u, 0u), vec2u(u.key0, u.key1));
  if (KIND == {{RNG_NORMAL}}u || KIND == {{RNG_GAUSSIAN_NOISE}}u) {
    // Each pair once: elements 4b, 4b + 1 from (w.x, w.y), 4b + 2, 4b + 3 from (w.z, w.w).
    let p01 = normal_pair(w.x, w.y);
    let p23 = normal_pair(w.z, w.w);
    store(b * 4u, p01.x); store(b * 4u + 1u, p01.y); store(b * 4u + 2u, p23.x); store(b * 4u + 3u, p23.y);
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    if (b * 4u + j < u.size) { out[b * 4u + j] = word_value(w[j]); }
  }
}
