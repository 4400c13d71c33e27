/* Peak single-precision FMA rate of this machine, per core and for all threads.
 *
 *   gcc -O2 -march=native -pthread bench/peak/fma_peak.c -o bench/out/fma_peak
 *   bench/out/fma_peak [threads=1] [seconds=0.3]
 *
 * Each thread keeps independent accumulators (16 in zmm, 12 in ymm: native/peak_loops.h says why, and
 * holds the loops) and updates acc = acc * a + b with one fused multiply-add per register per
 * iteration. flops = 2 (mul + add) x lanes (16 floats in a zmm, 8 in a ymm) x chains x iterations.
 * Prints one JSON object: GFLOP/s in total and per thread, for AVX-512 (null if the CPU lacks
 * it, detected at run time) and AVX2.
 */
#include "../../native/peak_loops.h"
#include <string.h>

static void *worker(void *arg) {
  peak_job_t *job = arg;
  if (job->kind == 512) run_fp32_zmm(job);
  else run_fp32_ymm(job);
  return NULL;
}

/* Runs `threads` copies at once; total rate = all flops / the longest elapsed time. */
static double measure(int width, int threads, double seconds, double *per_thread_min, float *sink) {
  peak_job_t jobs[64];
  double total = run_threads(worker, width, threads, seconds, jobs), slowest = 1e300;
  int failed = failed_thread(jobs, threads);
  if (failed >= 0) {
    fprintf(stderr, "fma_peak: could not start thread %d of %d: %s\n", failed + 1, threads, strerror(jobs[failed].start_error));
    exit(1);
  }
  for (int t = 0; t < threads; t++) {
    double rate = jobs[t].flops / jobs[t].elapsed / 1e9;
    if (rate < slowest) slowest = rate;
    *sink += jobs[t].sink;
  }
  *per_thread_min = slowest;
  return total;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  double seconds = argc > 2 ? atof(argv[2]) : 0.3;
  if (threads < 1 || threads > 64 || seconds <= 0) {
    fprintf(stderr, "fma_peak: expected [threads 1..64] [seconds > 0], got %s %s\n",
            argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
    return 2;
  }
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    fprintf(stderr, "fma_peak: this CPU has no AVX2 FMA; nothing to measure\n");
    return 3;
  }
  float sink = 0;
  double slowest256, total256 = measure(256, threads, seconds, &slowest256, &sink);
  printf("{\"threads\": %d, \"seconds\": %g, \"chains_avx512\": %d, \"chains_avx2\": %d, ", threads, seconds,
         ZMM_CHAINS, YMM_CHAINS);
  if (__builtin_cpu_supports("avx512f")) {
    double slowest512, total512 = measure(512, threads, seconds, &slowest512, &sink);
    printf("\"avx512_gflops\": %.3f, \"avx512_gflops_per_thread\": %.3f, \"avx512_slowest_thread\": %.3f, ",
           total512, total512 / threads, slowest512);
  } else {
    printf("\"avx512_gflops\": null, \"avx512_gflops_per_thread\": null, \"avx512_slowest_thread\": null, ");
  }
  printf("\"avx2_gflops\": %.3f, \"avx2_gflops_per_thread\": %.3f, \"avx2_slowest_thread\": %.3f, \"sink\": %g}\n",
         total256, total256 / threads, slowest256, (double)sink);
  return 0;
}
