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
  const AdamSlot slot{param, grad, m, v, vMax, n};
  adamSteps(K, &slot, 1, a);   // one slot: the same chunks as splitting [0, n) alone
}

void adamSteps(const IsaKernels* K, const AdamSlot* slots, long count, const AdamArgs& a) {
  // The group's elements laid end to end, slot after slot, split like one array: W1's eight
  // parameters (two of 50,176, six of 32 to 2,048) make 4 chunks for 2 threads in one job, not a
  // job of 2 chunks per large slot and the small ones on the calling thread. Chunk edges inside a
  // slot land on 16 elements (a cache line), as in adamStep; the update is elementwise, so the
  // result is the same for every split.
  long total = 0;
  for (long s = 0; s < count; s++) total += slots[s].n;
  if (total == 0) return;
  // A global position moved down to its slot's previous 16-element edge (a slot's start stays).
  auto edge = [&](long g) {
    long start = 0;
    for (long s = 0; s < count; s++) {
      if (g < start + slots[s].n) return start + ((g - start) & ~15L);
      start += slots[s].n;
    }
    return total;
  };
  parallelRange(total, kGrain, [&](long begin, long end) {
    begin = edge(begin);
    end = edge(end);
    long start = 0;
    for (long s = 0; s < count && start < end; s++) {
      const AdamSlot& p = slots[s];
      const long from = begin > start ? begin - start : 0, to = end - start < p.n ? end - start : p.n;
      if (from < to)
        K->adam(p.param + from, p.grad + from, p.m + from, p.v + from, p.vMax != nullptr ? p.vMax + from : nullptr, to - from, a);
      start += p.n;
    }
  });
}

}  // namespace tessera
