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

/** How gemmBatched splits a product among `threads` threads (gemm.cc says why). */
struct GemmSplit {
  bool parallel;      // worth a second thread at all (≥ kParallelFlops)
  long partsM, partsN;  // each batch item is split into partsM row blocks × partsN column blocks
  bool bInPlace;      // row blocks read B in place (no packing pass before them)
};
GemmSplit gemmSplit(const IsaKernels* K, long batch, long m, long n, long k, bool transA, bool transB, int threads);

/** out = act(A·B + bias) per batch item; threads over batch items or row/column blocks. */
void gemmBatched(const IsaKernels* K, const BatchedGemm& g);
/** The reference: one dot product per output, accumulated in double (as the js naive kernel). */
void gemmNaive(const BatchedGemm& g);

}  // namespace tessera
