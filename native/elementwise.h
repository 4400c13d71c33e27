// Elementwise kernels: drivers that walk shapes and split big arrays over threads, calling the
// active ISA's vector loops.
#pragma once
#include "isa.h"

namespace tessera {

// x: [n] → out: [n]
void unary(const IsaKernels* K, int op, const float* x, float* out, long n, double alpha, double beta);
// y, g: [n] → out: [n], out = g · act'(x) from y = act(x); act an ActCode other than ACT_NONE.
// Returns false for an unknown code.
bool activationGrad(const IsaKernels* K, int act, const float* y, const float* g, float* out, long n);
// a, b broadcast to outShape by strides (0 on broadcast axes) → out: outShape, contiguous.
// meta = [rank, outShape[rank], aStrides[rank], bStrides[rank]]
bool binary(const IsaKernels* K, int op, const float* a, const float* b, float* out, const double* meta);
// z (logits), x (targets): [n] → loss: [n] = bceLogits(z, x), grad: [n] = σ(z) − x, one pass.
void bceLogitsWithGrad(const IsaKernels* K, const float* z, const float* x, float* loss, float* grad, long n);
// out = cond != 0 ? a : b. meta = [rank, outShape, condStrides, aStrides, bStrides]
bool where(const float* cond, const float* a, const float* b, float* out, const double* meta);
// dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides].
// meta = [rank, srcOffset, dstOffset, shape, srcStrides, dstStrides]
bool copy(const float* src, float* dst, const double* meta);

}  // namespace tessera
