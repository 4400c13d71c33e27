// The avx512 kernel table. AVX-512 (F, DQ, BW, VL): 8 doubles or 16 floats per zmm register.
// This translation unit is compiled with its own -m flags (see binding.gyp).
#include <immintrin.h>
#include "isa.h"

namespace tessera {
namespace avx512 {
TESSERA_GEMM_ENTRY_POINTS  // defined in gemm_<isa>.cc, through gemm_kernel.inc
namespace {
constexpr const char* kIsaName = "avx512";
constexpr int kMR = 14, kNR = 32;
#include "simd_kernels.inc"
}  // namespace
}  // namespace avx512

const IsaKernels* avx512Kernels() { return &avx512::kTable; }
}  // namespace tessera
