// The avx2 kernel table. AVX2 + FMA: each 8-lane double vector is two ymm registers.
// This translation unit is compiled with its own -m flags (see binding.gyp).
#include <immintrin.h>
#include "isa.h"

namespace tessera {
namespace avx2 {
TESSERA_GEMM_ENTRY_POINTS  // defined in gemm_<isa>.cc, through gemm_kernel.inc
namespace {
constexpr const char* kIsaName = "avx2";
constexpr int kMR = 6, kNR = 16;
#include "simd_kernels.inc"
}  // namespace
}  // namespace avx2

const IsaKernels* avx2Kernels() { return &avx2::kTable; }
}  // namespace tessera
