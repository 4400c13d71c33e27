// AVX2+FMA GEMM micro-kernel: 6 × 16 (12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of
// 16 registers), the classic Haswell-era shape.
#include <immintrin.h>
#include "gemm_avx_transpose.h"
#include "isa.h"

namespace tessera {
namespace avx2 {
#define VEC __m256
#define W 8
#define MR 6
#define NR 16
#define LOADU _mm256_loadu_ps
#define STOREU _mm256_storeu_ps
#define SET1 _mm256_set1_ps
#define SETZERO _mm256_setzero_ps
#define FMADD _mm256_fmadd_ps
#define TRANSPOSE8 transpose8x8
#define ADD _mm256_add_ps
#include "gemm_kernel.inc"
#undef VEC
#undef W
#undef LOADU
#undef STOREU
#undef SET1
#undef SETZERO
#undef FMADD
#undef ADD
#undef TRANSPOSE8
void gemmMicro(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate) {
  microKernel<false>(kc, pa, step, pb, bStep, c, ldc, accumulate);
}
void gemmMicroRows(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate) {
  microKernel<true>(kc, pa, step, pb, bStep, c, ldc, accumulate);
}
void gemmMicroEdge(int rows, long kc, const float* pa, long step, bool rowsA, const float* pb, long bStep, float* c,
    long ldc, bool accumulate) {
  microKernelRows(rows, kc, pa, step, rowsA, pb, bStep, c, ldc, accumulate);
}
void packA(const float* src, long sp, long sk, long count, long kc, float* dst) {
  packPanelsT<MR>(src, sp, sk, count, kc, dst);
}
void packB(const float* src, long sp, long sk, long count, long kc, float* dst) {
  packPanelsT<NR>(src, sp, sk, count, kc, dst);
}
#undef MR
#undef NR
}  // namespace avx2
}  // namespace tessera
