// Single-precision matrix multiply: the packed, cache-blocked driver and the naive reference.
#pragma once
#include "isa.h"

namespace tessera {

/** A matrix seen through strides: element (i, j) is at p[i·rs + j·cs]. */
struct MatView { const float* p; long rs, cs; };

struct BatchedGemm {
  long batch, m, n, k;
  const float* a; long strideA; bool transA;   // A [m,k], or stored [k,m] when transA
  const float* b; long strideB; bool transB;   // B [k,n], or stored [n,k] when transB
  float* out;                                  // [batch, m, n], contiguous
  const float* bias;                           // [n] or null
  int act;                                     // ActCode
};

/** out = act(A·B + bias) per batch item; threads over batch items or row/column blocks. */
void gemmBatched(const IsaKernels* K, const BatchedGemm& g);
/** The reference: one dot product per output, accumulated in double (as the js naive kernel). */
void gemmNaive(const BatchedGemm& g);

}  // namespace tessera
