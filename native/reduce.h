// Reductions and softmax over the middle axis of a tensor viewed as [outer, size, inner].
#pragma once
#include "isa.h"
#include "thread_pool.h"

namespace tessera {

// Codes: REDUCE_OPS of src/backend/opcodes.ts, in its order (test/backend/opcodes.test.ts checks);
// new ops go at the end, before R_COUNT.
enum ReduceCode { R_SUM, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_SUM_SQUARES, R_COUNT };

// A sum over one long contiguous row (outer 1, inner 1: a loss over a whole batch) in blocks of
// kRowBlock elements (more for rows over 64 blocks: at most 64 blocks, summed on the stack), each
// summed by blockSum(begin, n) in double on some thread, then the blocks' sums added in block
// order. The blocks depend on the row's length only, so the result is the same for every thread
// count. R_SUM's row sum, and bceLogitsWithGrad's sum of its losses (elementwise.cc), the same value.
constexpr long kRowBlock = 1L << 15, kMaxRowBlocks = 64;
template <typename F>
double sumInRowBlocks(long size, F blockSum) {
  const long block = size <= kMaxRowBlocks * kRowBlock ? kRowBlock : ((size + kMaxRowBlocks - 1) / kMaxRowBlocks + 15) / 16 * 16;
  const long blocks = (size + block - 1) / block;
  double partial[kMaxRowBlocks];
  parallelRange(blocks, 1, [&](long begin, long end) {
    for (long b = begin; b < end; b++) partial[b] = blockSum(b * block, size - b * block < block ? size - b * block : block);
  });
  double s = 0;
  for (long b = 0; b < blocks; b++) s += partial[b];
  return s;
}

// x: [outer, size, inner] → out: [outer, inner]
bool reduce(const IsaKernels* K, int op, const float* x, float* out, long outer, long size, long inner);
// x: [outer, size, inner] → out: same shape, (log-)softmax along size.
void softmax(const IsaKernels* K, const float* x, float* out, long outer, long size, long inner, bool log);

}  // namespace tessera
