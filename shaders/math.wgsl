// Shared scalar helpers, pasted into other shaders by `#include "math.wgsl"`.
// WGSL lacks erf, expm1 and log1p, and its tanh/pow are not safe at the edges, so these
// mirror the formulas of the js backend (src/backend/js/elementwise.ts).

fn f32_inf() -> f32 {
  // A runtime bitcast: an infinite constant expression is a compile error in WGSL.
  let bits = 0x7f800000u;
  return bitcast<f32>(bits);
}

fn f32_nan() -> f32 {
  let bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

// NaN by its bits: the shader compiler may assume no NaNs and fold a comparison or turn a
// select chain into min/max (clamp(NaN) came out as its upper bound on llvmpipe).
fn is_nan_f32(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_inf_f32(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

// max(x, 0) that keeps NaN (PyTorch's relu); written with is_nan_f32 because the compiler
// turns a select on x <= 0 into a max, which drops the NaN.
fn relu_f32(x: f32) -> f32 {
  return select(max(x, 0.0), x, is_nan_f32(x));
}

// e^x − 1 without cancellation near 0 (Kahan: (u − 1)·x / log u with u = e^x).
fn expm1_f32(x: f32) -> f32 {
  if (abs(x) > 0.5) { return exp(x) - 1.0; }
  let u = exp(x);
  if (u == 1.0) { return x; }
  return (u - 1.0) * x / log(u);
}

// log(1 + x) without cancellation near 0 (Kahan: log(u)·x / (u − 1) with u = 1 + x).
fn log1p_f32(x: f32) -> f32 {
  let u = 1.0 + x;
  if (abs(x) > 0.5) { return log(u); }
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}

// erf from the complementary error function of Numerical Recipes (fractional error < 1.2e-7).
fn erf_f32(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let erfc = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return select(erfc - 1.0, 1.0 - erfc, x >= 0.0);
}

// Stable on both sides: never exp of a large positive number.
fn sigmoid_f32(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// Binary cross-entropy on a logit (src/backend/opcodes.ts, 'bceLogits'): c·|z| + log1p(e^−|z|),
// c = z ≥ 0 ? 1 − y : y, c·|z| = 0 where c = 0. NaN by its bits (the compiler may fold NaN away).
fn bce_logits(z: f32, y: f32) -> f32 {
  if (is_nan_f32(z) || is_nan_f32(y)) { return f32_nan(); }
  let a = abs(z);
  let c = select(y, 1.0 - y, z >= 0.0);
  return select(c * a, 0.0, c == 0.0) + log1p_f32(exp(-a));
}

// tanh(x) = sign(x) · (1 − e^-2|x|) / (1 + e^-2|x|), with expm1 so small |x| keeps its digits.
fn tanh_f32(x: f32) -> f32 {
  let e = expm1_f32(-2.0 * abs(x));
  return sign(x) * (-e / (2.0 + e));
}

// Math.pow's rules where WGSL's pow is undefined (x ≤ 0, NaN, ±∞): integer exponents of
// negative bases keep their sign, fractional ones give NaN (but (−∞)^y is ±∞ or ±0, never NaN);
// a NaN exponent gives NaN, a NaN base NaN unless y = 0. NaN is tested by its bits (is_nan_f32).
fn pow_js(x: f32, y: f32) -> f32 {
  if (is_nan_f32(y)) { return f32_nan(); }
  if (y == 0.0) { return 1.0; }
  if (is_nan_f32(x)) { return f32_nan(); }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  let odd = abs(y) % 2.0 == 1.0;
  if (x == 0.0) {
    // ±0: 0 or ∞, negative (−0, −∞) for −0 and an odd integer y
    let r0 = select(f32_inf(), 0.0, y > 0.0);
    return select(r0, -r0, odd && (bitcast<u32>(x) & 0x80000000u) != 0u);
  }
  let r = exp2(y * log2(abs(x)));
  if (x > 0.0) { return r; }
  if (is_inf_f32(x)) { return select(r, -r, odd); }
  if (y != floor(y)) { return f32_nan(); }
  return select(r, -r, odd);
}
