// random: Philox4x32-10 draws, as src/backend/philox.ts (the reference) defines them. One
// invocation per 128-bit block b: counter (lo32(counter + b), hi32(counter + b), 0, 0) under the
// key gives the words of elements 4b .. 4b + 3.
//   KIND {{RNG_BITS}}: the words themselves (out bound as array<u32>)
//   KIND {{RNG_UNIFORM}}: (w >> 8)·2^-24, exact in f32
//   KIND {{RNG_BERNOULLI}}: (w >> 8) < threshold ? value : 0, an integer comparison
//   KIND {{RNG_NORMAL}}: Box–Muller on word pairs (see normal_pair below)
// WGSL has no 64-bit integers: the 32×32 → 64-bit products are built from 16-bit halves.

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
}

@group(0) @binding(0) var<storage, read_write> out: array<{{OUT_TYPE}}>;
@group(0) @binding(1) var<uniform> u: Params;

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

// ln x for x in (0, 1]: x = 2^e·m, m in [√½, √2), ln m = 2·atanh(s), s = (m − 1)/(m + 1),
// |s| ≤ 0.172, by its odd series to s^9 (error < 2^-26 relative); m − 1 is exact, so ln x near 1
// keeps its relative accuracy (WGSL's log only promises 2^-21 absolute there).
fn ln_unit(x: f32) -> f32 {
  let fe = frexp(x);                   // x = fract·2^exp, fract in [0.5, 1)
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.70710678) { m = m * 2.0; e = e - 1.0; }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let p = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0))));
  return e * 0.69314718 + 2.0 * s * p;
}

// (cos 2πt, sin 2πt) for t in [0, 1): quarter turns q = round(4t) taken off exactly (t has 24
// fraction bits), then Taylor series on |a| ≤ π/4 (error < 4e-9); WGSL's cos and sin only promise
// 2^-11 absolute.
fn cos_sin_turns(t: f32) -> vec2f {
  let q = round(4.0 * t);
  let a = 6.2831853 * (t - 0.25 * q);
  let a2 = a * a;
  let s = a * (1.0 + a2 * (-1.0 / 6.0 + a2 * (1.0 / 120.0 + a2 * (-1.0 / 5040.0 + a2 * (1.0 / 362880.0)))));
  let c = 1.0 + a2 * (-0.5 + a2 * (1.0 / 24.0 + a2 * (-1.0 / 720.0 + a2 * (1.0 / 40320.0))));
  // Quadrant k = q mod 4 turns (cos a, sin a) by k quarter turns.
  let k = u32(q) & 3u;
  let turned = select(vec2f(c, s), vec2f(-s, c), (k & 1u) == 1u);
  return select(turned, -turned, k >= 2u);
}

// The pair of normals of words (w0, w1): u1 = ((w0 >> 8) + 1)·2^-24 in (0, 1], u2 = (w1 >> 8)·2^-24.
fn normal_pair(w0: u32, w1: u32) -> vec2f {
  let u1 = f32((w0 >> 8u) + 1u) * 5.9604645e-8;
  let u2 = f32(w1 >> 8u) * 5.9604645e-8;
  let r = sqrt(max(-2.0 * ln_unit(u1), 0.0));
  return u.mean + u.std_dev * (r * cos_sin_turns(u2));
}

fn value_of(w: vec4u, j: u32) -> {{OUT_TYPE}} {
  if (KIND == {{RNG_BITS}}u) { return {{OUT_TYPE}}(w[j]); }
  if (KIND == {{RNG_UNIFORM}}u) { return {{OUT_TYPE}}(f32(w[j] >> 8u) * 5.9604645e-8); }
  if (KIND == {{RNG_BERNOULLI}}u) { return {{OUT_TYPE}}(select(0.0, u.value, (w[j] >> 8u) < u.threshold)); }
  let pair = normal_pair(w[j & 2u], w[(j & 2u) + 1u]);
  return {{OUT_TYPE}}(select(pair.x, pair.y, (j & 1u) == 1u));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.y * nwg.x + wid.x) * WG + lid;
  if (b * 4u >= u.size) { return; }
  let lo = u.counter_lo + b;
  let hi = u.counter_hi + select(0u, 1u, lo < b);   // the carry of the 64-bit counter
  let w = philox(vec4u(lo, hi, 0u, 0u), vec2u(u.key0, u.key1));
  for (var j = 0u; j < 4u; j++) {
    if (b * 4u + j < u.size) { out[b * 4u + j] = value_of(w, j); }
  }
}
