// Batch gather from a byte data set (images as uint8, scaled as they are read). A W1 batch is
// 256 rows × 784 pixels: the JavaScript loop (four table lookups per 32-bit load) took ~0.2 ms of a
// ~1.1 ms training step on one thread. Here the conversion is vectorised (zero-extend, convert,
// divide, 8 pixels per instruction group), rows are split over the pool, and later rows are
// prefetched: measured inside fit on one thread, 80 µs per batch without the prefetch, 32-39 µs
// with it (8 rows ahead; 2 and 16 were slower). gatherBytesStart leaves the same gather to the
// pool's workers between kernels: fit reads each batch that way while the step before it runs.
//
// The per-ISA code comes from target_clones: the compiler emits the loop for AVX-512, AVX2 and
// the baseline, and the loader picks one by CPUID. Unlike the GEMM and elementwise kernels it
// does not follow TESSERA_ISA: every version computes the same correctly rounded quotients, so
// the choice changes speed only.
#include "gather.h"
#include "thread_pool.h"
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace tessera {
namespace {

#if defined(TESSERA_X64) && defined(__GNUC__) && !defined(__clang__)
#define TESSERA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TESSERA_CLONES
#endif

TESSERA_CLONES
void scaleRow(const uint8_t* __restrict src, float* __restrict dst, long count, float divisor) {
  long j = 0;
#if defined(__wasm_simd128__)
  // clang leaves this loop's byte-to-float conversion scalar on wasm (a convert and a lane insert
  // per pixel: 315 µs CPU of a W1 batch, 150 µs after, bench/RESULTS.md's wasm kernel table), and folds the widening intrinsics back into that. So the
  // bytes are widened to 32-bit lanes and made floats by their bits: 0x4B000000 | b is 2^23 + b,
  // exactly, minus 2^23 is b; the quotients are the same correctly rounded divisions.
  const v128_t d = wasm_f32x4_splat(divisor), bias = wasm_i32x4_splat(0x4B000000), two23 = wasm_f32x4_splat(8388608.0f);
  for (; j + 16 <= count; j += 16) {
    const v128_t b = wasm_v128_load(src + j);
    const v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
    const v128_t w[4] = {wasm_u32x4_extend_low_u16x8(lo), wasm_u32x4_extend_high_u16x8(lo),
                         wasm_u32x4_extend_low_u16x8(hi), wasm_u32x4_extend_high_u16x8(hi)};
    for (int q = 0; q < 4; q++) wasm_v128_store(dst + j + 4 * q, wasm_f32x4_div(wasm_f32x4_sub(wasm_v128_or(w[q], bias), two23), d));
  }
#endif
  for (; j < count; j++) dst[j] = static_cast<float>(src[j]) / divisor;
}

}  // namespace

constexpr long kPrefetchAhead = 8;

namespace {

/** Rows [begin, end) of a gather, asking ahead for row i + ahead (a negative ahead: a thread that walks the rows backwards). */
void gatherRange(const uint8_t* src, long rowSize, const uint32_t* rows, long n, float divisor, float* out, long begin, long end, long ahead) {
  for (long i = begin; i < end; i++) {
    // Rows are scattered over the whole data set (a shuffled batch), so each one starts with
    // cache and TLB misses the hardware prefetcher cannot foresee: ask for a later row now.
    const long later = i + ahead;
    if (later >= 0 && later < n) {
      const uint8_t* p = src + static_cast<long>(rows[later]) * rowSize;
      for (long b = 0; b < rowSize; b += 64) __builtin_prefetch(p + b);
    }
    scaleRow(src + static_cast<long>(rows[i]) * rowSize, out + i * rowSize, rowSize, divisor);
  }
}

}  // namespace

void gatherBytes(const uint8_t* src, long rowSize, const uint32_t* rows, long n, float divisor, float* out) {
  // ~32K values (~128 KB of output) per chunk: a few µs, enough to pay for a second thread.
  const long grain = rowSize > 0 ? (32768 + rowSize - 1) / rowSize : n;
  parallelRange(n, grain, [&](long begin, long end) {
    gatherRange(src, rowSize, rows, end, divisor, out, begin, end, kPrefetchAhead);
  });
}

#if !defined(__wasm__)
// In the background: tasks of ~2K values (~8 KB of output, ~1 µs at one thread), so that a worker
// busy with one joins the next kernel's job soon after it is published (W1 at two threads: one row
// a task and four, the same s/epoch; bench/RESULTS.md, "The next batch gathered while a step runs"). The caller's wait
// takes tasks from the front and the workers from the back (pool_claim.h), so a worker asks ahead
// for the rows before its task's: its next task's.
void gatherTask(void* p, long t, int worker) {
  const GatherJob& j = *static_cast<const GatherJob*>(p);
  const long begin = t * j.rowsPerTask, end = begin + j.rowsPerTask < j.n ? begin + j.rowsPerTask : j.n;
  gatherRange(j.src, j.rowSize, j.rows, j.n, j.divisor, j.out, begin, end, worker == 0 ? kPrefetchAhead : -kPrefetchAhead);
}

constexpr long kBackgroundTaskValues = 2048;

bool gatherBytesStart(GatherJob* job) {
  job->rowsPerTask = job->rowSize > 0 ? (kBackgroundTaskValues + job->rowSize - 1) / job->rowSize : job->n;
  if (job->rowsPerTask < 1) job->rowsPerTask = 1;
  const long tasks = job->n > 0 ? (job->n + job->rowsPerTask - 1) / job->rowsPerTask : 0;
  return startBackground(tasks, gatherTask, job);
}
#endif

}  // namespace tessera
