// Fused, in-place optimizer updates (one pass over each parameter).
#pragma once
#include "isa.h"

namespace tessera {

void sgdStep(const IsaKernels* K, float* param, const float* grad, float* buf, long n, const SgdArgs& a);
void adamStep(const IsaKernels* K, float* param, const float* grad, float* m, float* v, float* vMax, long n,
    const AdamArgs& a);

/** One parameter of an optimizer group (vMax null unless amsgrad). */
struct AdamSlot { float* param; const float* grad; float* m; float* v; float* vMax; long n; };
/** adamStep over every slot of a group (one step count) as one job: threads split the group's elements, not each slot's. */
void adamSteps(const IsaKernels* K, const AdamSlot* slots, long count, const AdamArgs& a);

}  // namespace tessera
