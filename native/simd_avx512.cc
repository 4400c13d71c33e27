// The avx512 kernel table. AVX-512 (F, DQ, BW, VL): 8 doubles or 16 floats per zmm register.
// This translation unit is compiled with its own -m flags (see binding.gyp).
#include <immintrin.h>
#include "isa.h"

namespace tessera {
namespace avx512 {
void gemmMicro(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate);
void gemmMicroRows(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate);
void gemmMicroEdge(int rows, long kc, const float* pa, long step, bool rowsA, const float* pb, long bStep, float* c,
    long ldc, bool accumulate);
void packA(const float* src, long sp, long sk, long count, long kc, float* dst);
void packB(const float* src, long sp, long sk, long count, long kc, float* dst);
namespace {
constexpr const char* kIsaName = "avx512";
constexpr int kMR = 14, kNR = 32;
#include "simd_kernels.inc"
}  // namespace
}  // namespace avx512

const IsaKernels* avx512Kernels() { return &avx512::kTable; }
}  // namespace tessera
