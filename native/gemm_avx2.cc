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
}  // namespace avx2
}  // namespace tessera
