/* The timed loops of the machine's FMA peak, shared by the peak benchmarks (bench/peak/fma_peak.c,
 * bf16_peak.c) and the addon's peak measurement for `tessera profile` (native/peak.cc), so that
 * both measure one loop (plain C that also compiles as C++, x86-64 only). N independent
 * accumulators, each updated once per iteration by one vector instruction, so that the rate is
 * bounded by the arithmetic pipes, not by one instruction's latency.
 *
 * An update has a latency of 4-6 cycles and a core issues up to 2 per cycle, so at least
 * 8-12 independent chains are needed to keep the pipes busy. With 32 vector registers
 * (AVX-512) 16 chains leave headroom; with 16 (AVX2 alone, e.g. Zen 3) 16 chains and the two
 * operands do not fit, GCC keeps two chains on the stack and the store-to-load round trip is
 * measured instead (this happened), so AVX2 loops use 12. The chains are named variables, not
 * an array, for the same reason: at -O2 GCC keeps an array of vectors in memory.
 */
#ifndef TESSERA_NATIVE_PEAK_LOOPS_H
#define TESSERA_NATIVE_PEAK_LOOPS_H

#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 4096 /* iterations between clock reads */

/* The loops' clock: wall time by default (the benchmarks report the machine as it runs); an
 * includer may define PEAK_CLOCK first (native/peak.cc: CLOCK_THREAD_CPUTIME_ID, the thread's CPU
 * time, so that the ceiling the profiler divides by does not drop when other processes share the
 * cores). */
#ifndef PEAK_CLOCK
#define PEAK_CLOCK CLOCK_MONOTONIC
#endif

static inline double now(void) {
  struct timespec ts;
  clock_gettime(PEAK_CLOCK, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* X-macro lists of chain indices: LIST(X, ...) expands X(i, ...) for each chain i. */
#define CHAINS_12(X, ...) X(0, __VA_ARGS__) X(1, __VA_ARGS__) X(2, __VA_ARGS__) X(3, __VA_ARGS__) \
  X(4, __VA_ARGS__) X(5, __VA_ARGS__) X(6, __VA_ARGS__) X(7, __VA_ARGS__) X(8, __VA_ARGS__)        \
  X(9, __VA_ARGS__) X(10, __VA_ARGS__) X(11, __VA_ARGS__)
#define CHAINS_16(X, ...) CHAINS_12(X, __VA_ARGS__) X(12, __VA_ARGS__) X(13, __VA_ARGS__)         \
  X(14, __VA_ARGS__) X(15, __VA_ARGS__)
#define CHAIN_DECLARE(i, TYPE, SET) TYPE acc##i = SET(i);
#define CHAIN_STEP(i, STEP) acc##i = STEP(acc##i);
#define CHAIN_SUM(i, ADD) total = ADD(total, acc##i);

/* Declares acc0, acc1, ... = SET(0), SET(1), ... (one per chain of LIST), runs BLOCK
 * iterations of acc = STEP(acc) on each until `seconds` have passed, and leaves `iterations`
 * (per chain), the elapsed time `t - t0` and the sum of the chains in `total` (a vector of
 * TYPE). STEP is a macro of one argument that may read the caller's loop-invariant operands. */
#define CHAIN_LOOP(LIST, TYPE, SET, STEP, ADD, seconds)                                    \
  LIST(CHAIN_DECLARE, TYPE, SET)                                                           \
  long iterations = 0;                                                                     \
  double t0 = now(), t = t0;                                                               \
  while (t - t0 < (seconds)) {                                                             \
    for (int i = 0; i < BLOCK; i++) { LIST(CHAIN_STEP, STEP) }                             \
    iterations += BLOCK;                                                                   \
    t = now();                                                                             \
  }                                                                                        \
  TYPE total = SET(0);                                                                     \
  LIST(CHAIN_SUM, ADD)

/* One benchmark thread: which loop, for how long, and what it did. */
typedef struct {
  int kind;        /* the caller's loop selector, read by its worker */
  double seconds;  /* how long to run */
  double flops;    /* out */
  double elapsed;  /* out */
  float sink;      /* out: the chains' sum, used so that the compiler keeps the work */
  int start_error; /* out: pthread_create's error code when this thread could not start, else 0 */
} peak_job_t;

/* The float32 FMA loops, compiled for their ISA whatever -march says and chosen at run time:
 * acc = acc * a + b converges to b / (1 - a) = 1e-3 / 1e-4 = 10: no overflow, no denormals.
 * flops = 2 (mul + add) x lanes (16 floats in a zmm, 8 in a ymm) x chains x iterations. */
#define FMA512(acc) _mm512_fmadd_ps(acc, a, b)
#define FMA256(acc) _mm256_fmadd_ps(acc, a, b)
#define ZMM_CHAINS 16 /* the length of CHAINS_16 */
#define YMM_CHAINS 12 /* the length of CHAINS_12 */

__attribute__((target("avx512f"))) static void run_fp32_zmm(peak_job_t *job) {
  const __m512 a = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(0.001f);
  CHAIN_LOOP(CHAINS_16, __m512, _mm512_set1_ps, FMA512, _mm512_add_ps, job->seconds)
  job->sink = _mm512_reduce_add_ps(total);
  job->flops = 2.0 * 16 * ZMM_CHAINS * (double)iterations;
  job->elapsed = t - t0;
}

__attribute__((target("avx2,fma"))) static void run_fp32_ymm(peak_job_t *job) {
  const __m256 a = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(0.001f);
  CHAIN_LOOP(CHAINS_12, __m256, _mm256_set1_ps, FMA256, _mm256_add_ps, job->seconds)
  float lanes[8];
  _mm256_storeu_ps(lanes, total);
  job->sink = lanes[0] + lanes[7];
  job->flops = 2.0 * 8 * YMM_CHAINS * (double)iterations;
  job->elapsed = t - t0;
}

/* Runs `threads` copies of worker at once, each on its jobs[t] = {kind, seconds}; returns the
 * total rate in GFLOP/s (all flops / the longest elapsed time) and leaves each job's results.
 * When the system refuses a thread, the ones already running are joined and -1 is returned, with
 * pthread_create's error code in that job's start_error: the caller reports it (the benchmarks
 * exit, the addon throws a JavaScript error; a library never ends its host process). */
static double run_threads(void *(*worker)(void *), int kind, int threads, double seconds, peak_job_t *jobs) {
  pthread_t ids[64];
  int started = 0, error = 0;
  memset(jobs, 0, sizeof(peak_job_t) * (size_t)threads);
  for (int t = 0; t < threads; t++) {
    jobs[t].kind = kind;
    jobs[t].seconds = seconds;
  }
  for (; started < threads; started++) {
    error = pthread_create(&ids[started], NULL, worker, &jobs[started]);
    if (error != 0) {
      jobs[started].start_error = error;
      break;
    }
  }
  double flops = 0, longest = 0;
  for (int t = 0; t < started; t++) {
    pthread_join(ids[t], NULL);
    flops += jobs[t].flops;
    if (jobs[t].elapsed > longest) longest = jobs[t].elapsed;
  }
  return error != 0 ? -1.0 : flops / longest / 1e9;
}

/* The first job that could not start (its start_error set), or -1 when all started. */
static int failed_thread(const peak_job_t *jobs, int threads) {
  for (int t = 0; t < threads; t++) if (jobs[t].start_error != 0) return t;
  return -1;
}

#endif
