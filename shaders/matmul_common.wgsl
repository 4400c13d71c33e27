// Shared by matmul_naive.wgsl and matmul_tiled.wgsl (pasted in by #include): bindings,
// parameters, element loads that honour the transposes, and the fused epilogue.
//
// out[b] = act(A[b]·B[b] + bias), b = batch_offset + workgroup z.
//   A: [M, K], stored [K, M] when TRANS_A;  B: [K, N], stored [N, K] when TRANS_B;
//   A[b] starts at b·stride_a, B[b] at b·stride_b (a stride of 0 broadcasts one matrix);
//   bias: [N] (read only when HAS_BIAS);  out: [batch, M, N], contiguous.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  stride_a: u32,
  stride_b: u32,
  batch_offset: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const TRANS_A: bool = {{TRANS_A}};
const TRANS_B: bool = {{TRANS_B}};
const HAS_BIAS: bool = {{HAS_BIAS}};
const ACT: u32 = {{ACT}}u;   // ACTIVATIONS of src/backend/opcodes.ts: ACT_NONE, ACT_RELU, ...

#include "math.wgsl"

// A[row, kk] of the batch item starting at base.
fn load_a(base: u32, row: u32, kk: u32) -> f32 {
  if (TRANS_A) { return a[base + kk * u.m + row]; }
  return a[base + row * u.k + kk];
}

// B[kk, col] of the batch item starting at base.
fn load_b(base: u32, kk: u32, col: u32) -> f32 {
  if (TRANS_B) { return b[base + col * u.k + kk]; }
  return b[base + kk * u.n + col];
}

// act(v + bias[col]); relu keeps NaN, like the js epilogue and PyTorch.
fn epilogue(v: f32, col: u32) -> f32 {
  var s = v;
  if (HAS_BIAS) { s += bias[col]; }
  switch (ACT) {
    case {{ACT_RELU}}u: { return relu_f32(s); }
    case {{ACT_SIGMOID}}u: { return sigmoid_f32(s); }
    case {{ACT_TANH}}u: { return tanh_f32(s); }
    default: { return s; }
  }
}
