// AVX-512 GEMM micro-kernel: 14 × 32 (28 zmm accumulators + 2 B vectors + 1 broadcast = 31 of
// 32 registers). 14 rows give 28 independent FMA chains, enough to cover a 4-cycle FMA latency
// on two FMA pipes; A's broadcasts come straight from memory ({1to16}).
#include <immintrin.h>
#include "gemm_avx_transpose.h"
#include "isa.h"

namespace tessera {
namespace avx512 {
#define VEC __m512
#define W 16
#define MR 14
#define NR 32
#define LOADU _mm512_loadu_ps
#define STOREU _mm512_storeu_ps
#define SET1 _mm512_set1_ps
#define SETZERO _mm512_setzero_ps
#define FMADD _mm512_fmadd_ps
#define TRANSPOSE8 transpose8x8
#define ADD _mm512_add_ps
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
}  // namespace avx512
}  // namespace tessera
