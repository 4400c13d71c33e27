// Optimizer drivers: the per-element rule lives in the ISA tables (simd_optim.inc); these
// split big parameters over threads at cache-line boundaries. Elements are independent.
#include "optim.h"
#include "thread_pool.h"

namespace tessera {

constexpr long kGrain = 1L << 15;

void sgdStep(const IsaKernels* K, float* param, const float* grad, float* buf, long n, const SgdArgs& a) {
  parallelRange(n, kGrain, [&](long begin, long end) {
    begin &= ~15L;
    if (end != n) end &= ~15L;
    if (begin < end) K->sgd(param + begin, grad + begin, buf != nullptr ? buf + begin : nullptr, end - begin, a);
  });
}

void adamStep(const IsaKernels* K, float* param, const float* grad, float* m, float* v, float* vMax, long n,
    const AdamArgs& a) {
  parallelRange(n, kGrain, [&](long begin, long end) {
    begin &= ~15L;
    if (end != n) end &= ~15L;
    if (begin < end)
      K->adam(param + begin, grad + begin, m + begin, v + begin, vMax != nullptr ? vMax + begin : nullptr,
          end - begin, a);
  });
}

}  // namespace tessera
