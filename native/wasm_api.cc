// The WebAssembly module's exports: addon.cc's functions for the wasm build, calling the same
// kernel families (elementwise.cc, reduce.cc, conv.cc, optim.cc, gemm.cc) through the portable
// kernel table (simd_portable.cc, gemm_portable.cc), which clang compiles to 128-bit wasm SIMD.
// Arguments are linear-memory addresses and numbers; the caller is src/backend/wasm/, which
// checks sizes before calling (there are no exceptions here: a bad op code returns 0).
#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "optim.h"
#include "reduce.h"
#include "thread_pool.h"

using namespace tessera;

#define EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace {
const IsaKernels* K = portableKernels();
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
