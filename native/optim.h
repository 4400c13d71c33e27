// Fused, in-place optimizer updates (one pass over each parameter).
#pragma once
#include "isa.h"

namespace tessera {

void sgdStep(const IsaKernels* K, float* param, const float* grad, float* buf, long n, const SgdArgs& a);
void adamStep(const IsaKernels* K, float* param, const float* grad, float* m, float* v, float* vMax, long n,
    const AdamArgs& a);

}  // namespace tessera
