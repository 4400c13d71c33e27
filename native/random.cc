// Random draws split over threads at block boundaries: element i depends only on (key,
// counter + ⌊i/4⌋, i mod 4), so each chunk starts its own counter and the result does not
// depend on the thread count.
#include "random.h"
#include "thread_pool.h"

namespace tessera {

constexpr long kGrainBlocks = 1L << 12;

bool randomFill(const IsaKernels* K, int kind, float* out, long n, const RandomArgs& a) {
  if (kind < 0 || kind >= RNG_COUNT) return false;
  const long blocks = (n + 3) / 4;
  parallelRange(blocks, kGrainBlocks, [&](long begin, long end) {
    RandomArgs chunk = a;
    chunk.counter = a.counter + static_cast<uint64_t>(begin);
    if (a.x != nullptr) chunk.x = a.x + 4 * begin;
    const long first = 4 * begin, last = 4 * end < n ? 4 * end : n;
    K->random(kind, out + first, last - first, chunk);
  });
  return true;
}

}  // namespace tessera
