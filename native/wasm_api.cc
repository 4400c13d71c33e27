// The WebAssembly module's exports: addon.cc's functions for the wasm build, calling the same
// kernel families (elementwise.cc, reduce.cc, conv.cc, optim.cc, gemm.cc) through the portable
// kernel table (simd_portable.cc, gemm_portable.cc), which clang compiles to 128-bit wasm SIMD.
// Arguments are linear-memory addresses and numbers; the caller is src/backend/wasm/, which
// checks sizes before calling (there are no exceptions here: a bad op code returns 0).
#include "conv.h"
#include "conv_direct.h"
#include "elementwise.h"
#include "gemm.h"
#include "gather.h"
#include "optim.h"
#include "random.h"
#include "reduce.h"
#include "thread_pool.h"

using namespace tessera;

#define EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace {
const IsaKernels* K = portableKernels();
}

// The worker that ran each task of one pool job, each busy `spin` loop iterations (thread_pool.h).
EXPORT(tessera_parallel_for_owners) void tessera_parallel_for_owners(int* owners, long tasks, long spin) {
  parallelForOwners(owners, tasks, spin);
}
EXPORT(tessera_unary) void tessera_unary(int op, const float* x, float* out, long n, double alpha, double beta) {
  unary(K, op, x, out, n, alpha, beta);
}
EXPORT(tessera_activation_grad) int tessera_activation_grad(int act, const float* y, const float* g, float* out, long n) {
  return activationGrad(K, act, y, g, out, n);
}
// meta: [rank, outShape, aStrides, bStrides]
EXPORT(tessera_binary) int tessera_binary(int op, const float* a, const float* b, float* out, const double* meta) {
  return binary(K, op, a, b, out, meta);
}
EXPORT(tessera_bce_logits_with_grad) void tessera_bce_logits_with_grad(const float* z, const float* x, float* loss, float* grad, long n) {
  bceLogitsWithGrad(K, z, x, loss, grad, n);
}
// meta: [rank, outShape, condStrides, aStrides, bStrides]
EXPORT(tessera_where) int tessera_where(const float* cond, const float* a, const float* b, float* out, const double* meta) {
  return where(cond, a, b, out, meta);
}
// meta: [rank, srcOffset, dstOffset, shape, srcStrides, dstStrides]
EXPORT(tessera_copy) int tessera_copy(const float* src, float* dst, const double* meta) { return copy(src, dst, meta); }
EXPORT(tessera_reduce) int tessera_reduce(int op, const float* x, float* out, long outer, long size, long inner) {
  return reduce(K, op, x, out, outer, size, inner);
}
EXPORT(tessera_softmax) void tessera_softmax(const float* x, float* out, long outer, long size, long inner, int log) {
  softmax(K, x, out, outer, size, inner, log != 0);
}
EXPORT(tessera_matmul) void tessera_matmul(const float* a, const float* b, float* out, long batch, long m, long n, long k,
    int transA, int transB, long strideA, long strideB, const float* bias, int act) {
  gemmBatched(K, BatchedGemm{batch, m, n, k, a, strideA, transA != 0, b, strideB, transB != 0, out, bias, act});
}
// geometry: [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]
static ConvGeometry geometry(const double* m) {
  return ConvGeometry{(long)m[0], (long)m[1], (long)m[2], (long)m[3], (long)m[4], (long)m[5], (long)m[6], (long)m[7],
      (long)m[8], (long)m[9], (long)m[10], (long)m[11], (long)m[12], (long)m[13]};
}
EXPORT(tessera_im2col) void tessera_im2col(const float* x, float* cols, const double* g) { im2col(x, cols, geometry(g)); }
EXPORT(tessera_col2im) void tessera_col2im(const float* cols, float* out, const double* g) { col2im(cols, out, geometry(g)); }
// Direct convolution and max pooling (conv_direct.cc); bias, gbias and argmax may be 0 (none: argmax pools y, conv_direct.h); act is an
// ActCode applied after the bias (src/backend/opcodes.ts's ACTIVATION_CODES).
EXPORT(tessera_conv_forward) void tessera_conv_forward(const float* x, const float* w, const float* bias, float* y,
    const double* g, long cout, int act, float* argmax) {
  convForward(K, x, w, bias, y, geometry(g), cout, act, argmax);
}
EXPORT(tessera_conv_backward_data) void tessera_conv_backward_data(const float* gy, const float* w, const float* bias,
    float* gx, const double* g, long cout, int act) {
  convBackwardData(K, gy, w, bias, gx, geometry(g), cout, act);
}
EXPORT(tessera_conv_backward_weight) void tessera_conv_backward_weight(const float* x, const float* gy, float* gw,
    float* gbias, const double* g, long cout, const float* argmax, const float* pooledY, int act) {
  convBackwardWeight(K, x, gy, gw, gbias, geometry(g), cout, argmax, pooledY, act);
}
EXPORT(tessera_max_pool) void tessera_max_pool(const float* x, float* y, float* argmax, const double* g) {
  maxPoolForward(K, x, y, argmax, geometry(g));
}
EXPORT(tessera_max_pool_backward) void tessera_max_pool_backward(const float* gy, const float* argmax, float* gx, const double* g) {
  maxPoolBackward(gy, argmax, gx, geometry(g));
}
// The caller has checked every row index against the data set.
EXPORT(tessera_gather_bytes) void tessera_gather_bytes(const unsigned char* src, long rowSize, const unsigned* rows, long n,
    double divisor, float* out) {
  gatherBytes(src, rowSize, rows, n, (float)divisor, out);
}
// counter is a whole number below 2^53 (JavaScript's, as src/backend/philox.ts takes it); 0 for an unknown kind.
// x: gaussianNoise's input (0 for the other kinds), checked by the caller.
EXPORT(tessera_random) int tessera_random(int kind, float* out, long n, double k0, double k1, double counter, double mean,
    double std, double threshold, double value, const float* x, double low, double high) {
  RandomArgs a{(uint32_t)k0, (uint32_t)k1, (uint64_t)counter, mean, std, (uint32_t)threshold, (float)value};
  a.x = x; a.low = (float)low; a.high = (float)high;
  if (kind == RNG_GAUSSIAN_NOISE && x == nullptr) return 0;
  return randomFill(K, kind, out, n, a);
}
// The VAE's latent layer (simd_latent.inc): stats [rows, 2·latent] = μ ‖ log σ², eps and z [rows, latent],
// kl [rows]; dz and dkl may be 0 (absent: no contribution). The caller has checked every length.
EXPORT(tessera_reparameterize) void tessera_reparameterize(const float* stats, const float* eps, float* z, float* kl,
    long rows, long latent) {
  K->reparameterize(stats, eps, z, kl, rows, latent);
}
EXPORT(tessera_reparameterize_backward) void tessera_reparameterize_backward(const float* stats, const float* eps,
    const float* dz, const float* dkl, float* dstats, long rows, long latent) {
  K->reparameterizeBackward(stats, eps, dz, dkl, dstats, rows, latent);
}
EXPORT(tessera_sgd) void tessera_sgd(float* param, const float* grad, float* buf, long n, double lr, double momentum,
    double dampening, double weightDecay, double sign, int nesterov, int firstStep) {
  sgdStep(K, param, grad, buf, n, SgdArgs{lr, momentum, dampening, weightDecay, sign, nesterov != 0, firstStep != 0, buf != nullptr});
}
EXPORT(tessera_adam) void tessera_adam(float* param, const float* grad, float* m, float* v, float* vMax, long n, double lr,
    double beta1, double beta2, double eps, double weightDecay, double stepSize, double bc2Sqrt, int decoupled) {
  adamStep(K, param, grad, m, v, vMax, n, AdamArgs{lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt, decoupled != 0});
}
// The table's facts for describe() and the op-count check against src/backend/opcodes.ts.
EXPORT(tessera_gemm_mr) int tessera_gemm_mr() { return K->mr; }
EXPORT(tessera_gemm_nr) int tessera_gemm_nr() { return K->nr; }
EXPORT(tessera_unary_op_count) int tessera_unary_op_count() { return U_COUNT; }
EXPORT(tessera_binary_op_count) int tessera_binary_op_count() { return B_COUNT; }
EXPORT(tessera_reduce_op_count) int tessera_reduce_op_count() { return R_COUNT; }
EXPORT(tessera_pool_threads) int tessera_pool_threads() { return poolThreads(); }
