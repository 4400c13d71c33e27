// The avx2 kernel table. AVX2 + FMA: each 8-lane double vector is two ymm registers.
// This translation unit is compiled with its own -m flags (see binding.gyp).
#include <immintrin.h>
#include "isa.h"

namespace tessera {
namespace avx2 {
void gemmMicro(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate);
void gemmMicroRows(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate);
void gemmMicroEdge(int rows, long kc, const float* pa, long step, bool rowsA, const float* pb, long bStep, float* c,
    long ldc, bool accumulate);
void packA(const float* src, long sp, long sk, long count, long kc, float* dst);
void packB(const float* src, long sp, long sk, long count, long kc, float* dst);
namespace {
constexpr const char* kIsaName = "avx2";
constexpr int kMR = 6, kNR = 16;
#include "simd_kernels.inc"
}  // namespace
}  // namespace avx2

const IsaKernels* avx2Kernels() { return &avx2::kTable; }
}  // namespace tessera
