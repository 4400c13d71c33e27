// Reductions and softmax over the middle axis of a tensor viewed as [outer, size, inner].
#pragma once
#include "isa.h"

namespace tessera {

// Codes: REDUCE_OPS of src/backend/opcodes.ts, in its order (test/backend/opcodes.test.ts checks);
// new ops go at the end, before R_COUNT.
enum ReduceCode { R_SUM, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_SUM_SQUARES, R_COUNT };

// x: [outer, size, inner] → out: [outer, inner]
bool reduce(const IsaKernels* K, int op, const float* x, float* out, long outer, long size, long inner);
// x: [outer, size, inner] → out: same shape, (log-)softmax along size.
void softmax(const IsaKernels* K, const float* x, float* out, long outer, long size, long inner, bool log);

}  // namespace tessera
