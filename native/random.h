// Counter-based random numbers (Philox4x32-10): the driver that splits a draw over threads.
#pragma once
#include "isa.h"

namespace tessera {

// out[0:n] as src/backend/philox.ts defines it; kind is a RandomCode (false when it is none).
bool randomFill(const IsaKernels* K, int kind, float* out, long n, const RandomArgs& a);

}  // namespace tessera
