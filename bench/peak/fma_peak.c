/* Peak single-precision FMA rate of this machine, per core and for all threads.
 *
 *   gcc -O2 -march=native -pthread bench/peak/fma_peak.c -o bench/out/fma_peak
 *   bench/out/fma_peak [threads=1] [seconds=0.3]
 *
 * Each thread keeps CHAINS independent accumulators and updates acc = acc * a + b with one
 * fused multiply-add per register per iteration. An FMA has a latency of about 4 cycles and
 * a core issues 2 per cycle, so at least 8 independent chains are needed to keep both FMA
 * pipes busy; 16 leaves headroom and still fits the 16 (AVX2) / 32 (AVX-512) registers.
 * flops = 2 (mul + add) x lanes (16 floats in a zmm, 8 in a ymm) x CHAINS x iterations.
 * The chains are sixteen named variables, not an array: at -O2 GCC keeps an array of vectors
 * in memory, and the store-to-load round trip through the stack would be measured instead.
 * Prints one JSON object: GFLOP/s in total and per thread, for AVX-512 (if built) and AVX2.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 16
#define BLOCK 4096 /* iterations between clock reads */

/* Declares acc0..acc15 = SET(0..15), runs BLOCK iterations of acc = FMA(acc, a, b) on each
 * until `seconds` have passed, and leaves their sum in `total` (a vector of TYPE). */
#define FMA_LOOP(TYPE, SET, FMA, ADD)                                                      \
  TYPE acc0 = SET(0), acc1 = SET(1), acc2 = SET(2), acc3 = SET(3), acc4 = SET(4),          \
       acc5 = SET(5), acc6 = SET(6), acc7 = SET(7), acc8 = SET(8), acc9 = SET(9),          \
       acc10 = SET(10), acc11 = SET(11), acc12 = SET(12), acc13 = SET(13),                 \
       acc14 = SET(14), acc15 = SET(15);                                                   \
  const TYPE a = SET(0.9999f), b = SET(0.001f);                                            \
  long iterations = 0;                                                                     \
  double t0 = now(), t = t0;                                                               \
  while (t - t0 < job->seconds) {                                                          \
    for (int i = 0; i < BLOCK; i++) {                                                      \
      acc0 = FMA(acc0, a, b); acc1 = FMA(acc1, a, b); acc2 = FMA(acc2, a, b);              \
      acc3 = FMA(acc3, a, b); acc4 = FMA(acc4, a, b); acc5 = FMA(acc5, a, b);              \
      acc6 = FMA(acc6, a, b); acc7 = FMA(acc7, a, b); acc8 = FMA(acc8, a, b);              \
      acc9 = FMA(acc9, a, b); acc10 = FMA(acc10, a, b); acc11 = FMA(acc11, a, b);          \
      acc12 = FMA(acc12, a, b); acc13 = FMA(acc13, a, b); acc14 = FMA(acc14, a, b);        \
      acc15 = FMA(acc15, a, b);                                                            \
    }                                                                                      \
    iterations += BLOCK;                                                                   \
    t = now();                                                                             \
  }                                                                                        \
  TYPE total = ADD(ADD(ADD(ADD(acc0, acc1), ADD(acc2, acc3)), ADD(ADD(acc4, acc5), ADD(acc6, acc7))), \
                   ADD(ADD(ADD(acc8, acc9), ADD(acc10, acc11)), ADD(ADD(acc12, acc13), ADD(acc14, acc15))));

typedef struct {
  int use512;
  double seconds;  /* how long to run */
  double flops;    /* out */
  double elapsed;  /* out */
  float sink;      /* out: keeps the compiler from dropping the work */
} job_t;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* acc converges to b / (1 - a) = 1e-3 / 1e-4 = 10: no overflow, no denormals. */
#if defined(__AVX512F__)
static void run512(job_t *job) {
  FMA_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps)
  job->sink = _mm512_reduce_add_ps(total);
  job->flops = 2.0 * 16 * CHAINS * (double)iterations;
  job->elapsed = t - t0;
}
#endif

static void run256(job_t *job) {
  FMA_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps)
  float lanes[8];
  _mm256_storeu_ps(lanes, total);
  job->sink = lanes[0] + lanes[7];
  job->flops = 2.0 * 8 * CHAINS * (double)iterations;
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
  printf("{\"threads\": %d, \"seconds\": %g, \"chains\": %d, ", threads, seconds, CHAINS);
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
