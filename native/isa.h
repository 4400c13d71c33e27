// The per-ISA kernel table. Each instruction set (AVX-512, AVX2+FMA, portable) is compiled in
// its own translation units with its own -m flags; the driver code (gemm.cc, elementwise.cc, ...)
// is compiled for the baseline ISA and calls the fastest table the CPU supports, chosen at run
// time by cpu_features.cc. Nothing compiled with AVX flags may be reached on a CPU without them,
// so ISA translation units include no std templates (their weak copies could be merged with the
// baseline ones by the linker) and keep everything else in anonymous namespaces.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tessera {

// Op codes: the names and order of src/backend/opcodes.ts, the one table (UNARY_OPS → U_*, BINARY_OPS →
// B_*, ACTIVATIONS → ACT_*), checked by test/backend/opcodes.test.ts. New ops go at the end, before *_COUNT.
enum UnaryCode {
  U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_SQRT, U_SQUARE, U_RECIPROCAL, U_SIN, U_COS, U_ERF,
  U_RELU, U_STEP, U_SIGMOID, U_TANH, U_SOFTPLUS, U_GELU, U_SELU, U_LEAKY_RELU, U_ELU, U_AFFINE,
  U_POW_SCALAR, U_CLAMP, U_COUNT
};
enum BinaryCode { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_GT, B_GE, B_LT, B_LE, B_EQ, B_BCE, B_BCE_GRAD, B_BCE_LOGITS, B_BCE_LOGITS_GRAD, B_COUNT };
enum ActCode { ACT_NONE, ACT_RELU, ACT_SIGMOID, ACT_TANH };
// What Backend.random writes (RANDOM_KINDS): raw words, uniform, Bernoulli, normal, x + normal clipped.
enum RandomCode { RNG_BITS, RNG_UNIFORM, RNG_BERNOULLI, RNG_NORMAL, RNG_GAUSSIAN_NOISE, RNG_COUNT };
// The parameters of one random draw (src/backend/philox.ts): key, first block counter, normal's
// mean and std, Bernoulli's integer threshold ⌈p·2^24⌉ and the value it writes, gaussianNoise's
// input x (element i of the draw reads x[i]) and clip range.
struct RandomArgs {
  uint32_t k0, k1; uint64_t counter; double mean, std; uint32_t threshold; float value;
  const float* x = nullptr; float low = -__builtin_inff(), high = __builtin_inff();
};

struct SgdArgs { double lr, momentum, dampening, weightDecay, sign; bool nesterov, firstStep, hasBuf; };
struct AdamArgs { double lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt; bool decoupled; };

struct IsaKernels {
  const char* name;
  // GEMM micro-kernel: C[mr, nr] (+)= A[mr, kc] · B[kc, nr], C row stride ldc, with
  // A(r, t) = a[t·step + r] (a packed panel, or a transposed A) for gemmMicro,
  // A(r, t) = a[r·step + t] (a row-major A read in place) for gemmMicroRows, and
  // B(t, j) = b[t·bStep + j] (a packed panel with bStep = nr, or a row-major B in place).
  int mr, nr;
  void (*gemmMicro)(long kc, const float* a, long step, const float* b, long bStep, float* c, long ldc, bool accumulate);
  void (*gemmMicroRows)(long kc, const float* a, long step, const float* b, long bStep, float* c, long ldc, bool accumulate);
  // A short tile: rows (< mr) rows of C, A read as by gemmMicroRows (rowsA) or gemmMicro.
  void (*gemmMicroEdge)(int rows, long kc, const float* a, long step, bool rowsA, const float* b, long bStep, float* c,
      long ldc, bool accumulate);
  // Panel packing (mr-tall for A, nr-wide for B): dst[panel][t][r] = src[(panel·P + r)·sp + t·sk].
  void (*packA)(const float* src, long sp, long sk, long count, long kc, float* dst);
  void (*packB)(const float* src, long sp, long sk, long count, long kc, float* dst);
  // out[i] = f(x[i]) for i < n; math in double so results round like the js backend's, except
  // exp, sigmoid and tanh: float32 math within 2 ulps (vec_mathf.inc).
  void (*unary)(int op, const float* x, float* out, long n, double alpha, double beta);
  // out[i] = g[i] · act'(x[i]) from the output y = act(x), act an ActCode (relu, sigmoid, tanh):
  // relu 1[y > 0], sigmoid y(1 − y), tanh 1 − y², in double like the js backend (bit-equal).
  void (*activationGrad)(int act, const float* y, const float* g, float* out, long n);
  // out[i] = a[i·sa] (op) b[i·sb] for i < n (one run of a broadcasting binary op).
  void (*binaryRun)(int op, const float* a, long sa, const float* b, long sb, float* out, long n);
  // loss[i] = bceLogits(z[i], x[i]), grad[i] = σ(z[i]) − x[i], i < n, one pass (the binary ops' bits).
  void (*bceLogitsWithGrad)(const float* z, const float* x, float* loss, float* grad, long n);
  // Matmul epilogue on a [rows, cols] tile of C with row stride ldc: c = act(c + bias).
  void (*epilogue)(float* c, long ldc, long rows, long cols, const float* bias, int act);
  // Softmax over a contiguous row of length n (inner == 1).
  void (*softmaxRow)(const float* x, float* out, long n, bool log);
  // Softmax over `size` rows of stride `inner`, for `cols` (<= inner) adjacent columns.
  void (*softmaxCols)(const float* x, float* out, long size, long inner, long cols, bool log);
  // sum of a contiguous run in double (the js backend sums inner == 1 rows in double too).
  double (*sumRow)(const float* x, long n);
  // acc[i] += x[i], i < n, in float (the js backend's inner > 1 order).
  void (*addRow)(float* acc, const float* x, long n);
  // Σ x[i]² in double, each square rounded to float first, added in sumRow's order: bit for
  // bit sumRow of the squares (the square kernel rounds x² to float too).
  double (*sumSquaresRow)(const float* x, long n);
  // acc[i] += float(x[i]²), i < n, in float: addRow of the squares, bit for bit.
  void (*addSquaresRow)(float* acc, const float* x, long n);
  void (*sgd)(float* param, const float* grad, float* buf, long n, const SgdArgs& a);
  void (*adam)(float* param, const float* grad, float* m, float* v, float* vMax, long n, const AdamArgs& a);
  // out[0:n] drawn by Philox4x32-10 from blocks a.counter .. a.counter + ⌈n/4⌉ − 1 (kind a RandomCode).
  void (*random)(int kind, float* out, long n, const RandomArgs& a);
  // Direct convolution on a flattened grid (conv_kernel.inc; layout in conv_direct.cc). len is a
  // multiple of kConvGridAlign and every read in[... + tapOff[t] + q], q < len, is in the buffer.
  // out[c·outStride + q] = Σ_{ci < cin, t < taps} w[(c·cin + ci)·taps + t] · in[ci·inStride + tapOff[t] + q], c < cout.
  void (*convGridForward)(const float* in, long inStride, const long* tapOff, long taps, long cin,
      const float* w, long cout, float* out, long outStride, long len);
  // Lane partials (kConvGridAlign floats per weight, lanes beyond the ISA's width left alone):
  // Σ_l lanes[((c·cin + ci)·taps + t)·kConvGridAlign + l] grows by Σ_{q < len} gy[c·gyStride + q] · in[ci·inStride + tapOff[t] + q],
  // and Σ_l biasLanes[c·kConvGridAlign + l] (when not null) by Σ_{q < len} gy[c·gyStride + q].
  void (*convGridWeight)(const float* in, long inStride, const long* tapOff, long taps, long cin,
      const float* gy, long gyStride, long cout, long len, float* lanes, float* biasLanes);
  // The VAE's latent layer (simd_latent.inc): stats [rows, 2·latent] = μ ‖ log σ², eps [rows, latent]
  // → z [rows, latent], kl [rows]; and its adjoint dz (or null), dkl (or null) → dstats [rows, 2·latent].
  void (*reparameterize)(const float* stats, const float* eps, float* z, float* kl, long rows, long latent);
  void (*reparameterizeBackward)(const float* stats, const float* eps, const float* dz, const float* dkl, float* dstats,
      long rows, long latent);
  // max (isMax) or min of x[0:n], n ≥ 1, NaN if any x[i] is NaN; a zero result's sign is any of
  // the zeros' (reduce.cc makes it the first zero's, as the js backend).
  float (*extremeRow)(const float* x, long n, bool isMax);
  // One output row of the 2×2, stride-2, unpadded max pool: y[0:ow] and argmax[0:ow] (plane index
  // base + 2ox (+1) (+w), as a float) from input rows r0 and r1 = r0 + w (simd_pool.inc).
  void (*maxPool2x2Row)(const float* r0, const float* r1, float* y, float* argmax, long ow, long base, long w);
};

// The grid lengths the conv kernels take are multiples of this (one AVX-512 vector; the kernels
// run blocks of several vectors, then single ones).
constexpr long kConvGridAlign = 16;

const IsaKernels* portableKernels();

// The portable micro-tile. 4 × 16 (16 float4 accumulators) where the compiler allocates registers
// itself. WebAssembly's engine does that at load time (V8 on x64: 15 xmm registers, and a
// multiply-add is a mul into a temporary, then an add), so wasm takes a tile whose 8
// accumulators + 2 B vectors + the broadcast A value + that temporary fit: 4 × 12 spilled
// (measured, bench/RESULTS.md "wasm kernels": 4 × 8 with one k step at a time ≈ 1.2× its speed).
#if !defined(TESSERA_PORTABLE_MR)
#if defined(__wasm__)
#define TESSERA_PORTABLE_MR 4
#define TESSERA_PORTABLE_NR 8
#else
#define TESSERA_PORTABLE_MR 4
#define TESSERA_PORTABLE_NR 16
#endif
#endif
#if defined(TESSERA_X64)
const IsaKernels* avx2Kernels();
const IsaKernels* avx512Kernels();
#endif

}  // namespace tessera

// Declares, inside one ISA's namespace, the GEMM entry points its gemm_<isa>.cc defines (through
// gemm_kernel.inc), so that its kernel table in simd_<isa>.cc can point at them.
#define TESSERA_GEMM_ENTRY_POINTS                                                                        \
  void gemmMicro(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc,    \
                 bool accumulate);                                                                        \
  void gemmMicroRows(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc,\
                     bool accumulate);                                                                    \
  void gemmMicroEdge(int rows, long kc, const float* pa, long step, bool rowsA, const float* pb,          \
                     long bStep, float* c, long ldc, bool accumulate);                                    \
  void packA(const float* src, long sp, long sk, long count, long kc, float* dst);                       \
  void packB(const float* src, long sp, long sk, long count, long kc, float* dst);
