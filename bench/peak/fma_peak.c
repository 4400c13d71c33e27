/* Peak single-precision FMA rate of this machine, per core and for all threads.
 *
 *   gcc -O2 -march=native -pthread bench/peak/fma_peak.c -o bench/out/fma_peak
 *   bench/out/fma_peak [threads=1] [seconds=0.3]
 *
 * Each thread keeps independent accumulators (16 in zmm, 12 in ymm: chains.h says why) and
 * updates acc = acc * a + b with one fused multiply-add per register per iteration.
 * flops = 2 (mul + add) x lanes (16 floats in a zmm, 8 in a ymm) x chains x iterations.
 * Prints one JSON object: GFLOP/s in total and per thread, for AVX-512 (if built) and AVX2.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "chains.h"

/* One fused multiply-add of the loop: acc * a + b with the caller's a and b. */
#define FMA512(acc) _mm512_fmadd_ps(acc, a, b)
#define FMA256(acc) _mm256_fmadd_ps(acc, a, b)
#define ZMM_CHAINS 16 /* the length of CHAINS_16 */
#define YMM_CHAINS 12 /* the length of CHAINS_12 */

typedef struct {
  int use512;
  double seconds;  /* how long to run */
  double flops;    /* out */
  double elapsed;  /* out */
  float sink;      /* out: keeps the compiler from dropping the work */
} job_t;

/* acc converges to b / (1 - a) = 1e-3 / 1e-4 = 10: no overflow, no denormals. */
#if defined(__AVX512F__)
static void run512(job_t *job) {
  const __m512 a = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(0.001f);
  CHAIN_LOOP(CHAINS_16, __m512, _mm512_set1_ps, FMA512, _mm512_add_ps, job->seconds)
  job->sink = _mm512_reduce_add_ps(total);
  job->flops = 2.0 * 16 * ZMM_CHAINS * (double)iterations;
  job->elapsed = t - t0;
}
#endif

static void run256(job_t *job) {
  const __m256 a = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(0.001f);
  CHAIN_LOOP(CHAINS_12, __m256, _mm256_set1_ps, FMA256, _mm256_add_ps, job->seconds)
  float lanes[8];
  _mm256_storeu_ps(lanes, total);
  job->sink = lanes[0] + lanes[7];
  job->flops = 2.0 * 8 * YMM_CHAINS * (double)iterations;
  job->elapsed = t - t0;
}

static void *worker(void *arg) {
  job_t *job = arg;
#if defined(__AVX512F__)
  if (job->use512) { run512(job); return NULL; }
#endif
  run256(job);
  return NULL;
}

/* Runs `threads` copies at once; total rate = all flops / the longest elapsed time. */
static double measure(int use512, int threads, double seconds, double *per_thread_min, float *sink) {
  pthread_t ids[64];
  job_t jobs[64];
  for (int t = 0; t < threads; t++) {
    jobs[t] = (job_t){ .use512 = use512, .seconds = seconds };
    pthread_create(&ids[t], NULL, worker, &jobs[t]);
  }
  double flops = 0, longest = 0, slowest = 1e300;
  for (int t = 0; t < threads; t++) {
    pthread_join(ids[t], NULL);
    flops += jobs[t].flops;
    if (jobs[t].elapsed > longest) longest = jobs[t].elapsed;
    double rate = jobs[t].flops / jobs[t].elapsed / 1e9;
    if (rate < slowest) slowest = rate;
    *sink += jobs[t].sink;
  }
  *per_thread_min = slowest;
  return flops / longest / 1e9;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  double seconds = argc > 2 ? atof(argv[2]) : 0.3;
  if (threads < 1 || threads > 64 || seconds <= 0) {
    fprintf(stderr, "fma_peak: expected [threads 1..64] [seconds > 0], got %s %s\n",
            argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
    return 2;
  }
  float sink = 0;
  double slowest256, total256 = measure(0, threads, seconds, &slowest256, &sink);
  printf("{\"threads\": %d, \"seconds\": %g, \"chains_avx512\": %d, \"chains_avx2\": %d, ", threads, seconds,
         ZMM_CHAINS, YMM_CHAINS);
#if defined(__AVX512F__)
  double slowest512, total512 = measure(1, threads, seconds, &slowest512, &sink);
  printf("\"avx512_gflops\": %.3f, \"avx512_gflops_per_thread\": %.3f, \"avx512_slowest_thread\": %.3f, ",
         total512, total512 / threads, slowest512);
#else
  printf("\"avx512_gflops\": null, \"avx512_gflops_per_thread\": null, \"avx512_slowest_thread\": null, ");
#endif
  printf("\"avx2_gflops\": %.3f, \"avx2_gflops_per_thread\": %.3f, \"avx2_slowest_thread\": %.3f, \"sink\": %g}\n",
         total256, total256 / threads, slowest256, (double)sink);
  return 0;
}
