// Portable GEMM micro-kernel: MR × NR (isa.h: 4 × 16 natively, 4 × 8 on wasm) with GCC vector extensions (float4), which compile to
// SSE2 on any x86-64 and to NEON on arm64. No FMA contraction: portable results are plain
// multiply-then-add, like the js backend's float loop.
#include "isa.h"

namespace tessera {
namespace portable {
typedef float v4sf __attribute__((vector_size(16)));
static inline v4sf loadu(const float* p) { v4sf v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void storeu(float* p, v4sf v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v4sf set1(float x) { return v4sf{x, x, x, x}; }
static inline v4sf setzero() { return v4sf{0, 0, 0, 0}; }
static inline v4sf fmadd(v4sf a, v4sf b, v4sf c) { return a * b + c; }
static inline v4sf add(v4sf a, v4sf b) { return a + b; }
#define VEC v4sf
#define W 4
#define MR TESSERA_PORTABLE_MR
#define NR TESSERA_PORTABLE_NR
#define LOADU loadu
#define STOREU storeu
#define SET1 set1
#define SETZERO setzero
#define FMADD fmadd
#define ADD add
#if defined(__wasm__)
// One k step at a time: clang interleaving two keeps both steps' B vectors and broadcasts live,
// more than V8's registers hold beside the accumulators.
#define KC_UNROLL 1
#endif
#include "gemm_kernel.inc"
}  // namespace portable
}  // namespace tessera
