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
}  // namespace avx512
}  // namespace tessera
