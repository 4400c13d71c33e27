/* Peak bfloat16 dot-product rate (VDPBF16PS, AVX512_BF16) beside the float32 FMA peak, in
 * alternating rounds of one process, so that their ratio is read under the same load.
 *
 *   gcc -O2 -march=native -pthread bench/peak/bf16_peak.c -o bench/out/bf16_peak
 *   bench/out/bf16_peak [threads=1] [seconds=0.3] [rounds=7]
 *
 * Why: bf16 matmul inputs are worth building (issue 20) only if the CPU computes bf16
 * products clearly faster than float32 FMAs; this measures the two ceilings side by side.
 *
 * How FLOPs are counted: VDPBF16PS on a zmm holds 32 bfloat16 pairs in each source and, for
 * each of its 16 float32 lanes, does acc += a[2i]·b[2i] + a[2i+1]·b[2i+1]: 32 products and 32
 * additions, 64 FLOP per instruction. That is 2 FLOP per product-add, as for an FMA (a zmm
 * VFMADD = 16 products, 32 FLOP), so the ratio of the two rates is a ratio of products/s.
 * The float32 reference is the widest FMA this CPU runs (zmm if it has AVX-512F, else ymm),
 * fma_peak.c's loop (native/peak_loops.h: 16 chains in zmm, 12 in ymm).
 *
 * Both loops are compiled with target attributes and chosen at run time, so the binary builds
 * with -march=native on any x86-64 and runs there; on a CPU without AVX512_BF16 the bf16
 * figures are null with the reason, and the float32 peak is still measured (exit status 0).
 *
 * Operands: every bf16 pair is a = (1, 1), b = (1, -1), so each lane adds 1 - 1 = 0 and the
 * accumulators keep their integer start values exactly (no overflow, no denormals, whichever
 * order the CPU adds the two products in). Their sum is checked against the exact value: it
 * proves that the instruction ran and its result was used (a mismatch exits 1).
 *
 * Rounds alternate the order (fp32 then bf16, then bf16 then fp32) so drift in the load
 * favours neither. Prints one JSON object: each round's GFLOP/s for all threads together, the
 * medians, spread = (max - min) / median, and the per-round ratio bf16 / fp32.
 */
#include <string.h>

#include "../../native/peak_loops.h"

enum kind { FP32_ZMM, FP32_YMM, BF16_ZMM };

/* One update of the bf16 loop, reading the caller's loop-invariant a and b. */
#define DPBF16(acc) _mm512_dpbf16_ps(acc, a, b)

/* bfloat16 1.0 is 0x3f80, -1.0 is 0xbf80; a 32-bit lane holds the pair (low half, high half). */
__attribute__((target("avx512f,avx512bf16"))) static void run_bf16_zmm(peak_job_t *job) {
  const __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80);  /* (1, 1) */
  const __m512bh b = (__m512bh)_mm512_set1_epi32((int)0xbf803f80u); /* (1, -1) */
  CHAIN_LOOP(CHAINS_16, __m512, _mm512_set1_ps, DPBF16, _mm512_add_ps, job->seconds)
  job->sink = _mm512_reduce_add_ps(total);
  job->flops = 64.0 * 16 * (double)iterations; /* 64 FLOP x 16 chains */
  job->elapsed = t - t0;
}

static void *worker(void *arg) {
  peak_job_t *job = arg;
  switch (job->kind) {
    case FP32_ZMM: run_fp32_zmm(job); break;
    case FP32_YMM: run_fp32_ymm(job); break;
    case BF16_ZMM: run_bf16_zmm(job); break;
  }
  return NULL;
}

/* Runs `threads` copies at once and returns the total rate in GFLOP/s, or -1 when a bf16
 * result is wrong. */
static double measure(enum kind kind, int threads, double seconds, float *sink) {
  peak_job_t jobs[64];
  double total = run_threads(worker, kind, threads, seconds, jobs);
  int failed = failed_thread(jobs, threads);
  if (failed >= 0) {
    fprintf(stderr, "bf16_peak: could not start thread %d of %d: %s\n", failed + 1, threads, strerror(jobs[failed].start_error));
    exit(1);
  }
  for (int t = 0; t < threads; t++) {
    /* Chains start at 0..15 in all 16 lanes and stay there: 16 x (0 + 1 + ... + 15) = 1920. */
    if (kind == BF16_ZMM && jobs[t].sink != 1920.0f) {
      fprintf(stderr, "bf16_peak: VDPBF16PS gave a chain sum of %g in thread %d, expected exactly 1920\n",
              (double)jobs[t].sink, t);
      return -1;
    }
    *sink += jobs[t].sink;
  }
  return total;
}

static int compare(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Median and (max - min) / median of n samples. */
static void summarize(const double *samples, int n, double *median, double *spread) {
  double sorted[1000];
  memcpy(sorted, samples, n * sizeof *samples);
  qsort(sorted, n, sizeof *sorted, compare);
  *median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  *spread = *median > 0 ? (sorted[n - 1] - sorted[0]) / *median : 0;
}

static void print_series(const char *name, const double *samples, int n) {
  double median, spread;
  summarize(samples, n, &median, &spread);
  printf("\"%s\": [", name);
  for (int r = 0; r < n; r++) printf("%s%.3f", r ? ", " : "", samples[r]);
  printf("], \"%s_median\": %.4g, \"%s_spread\": %.3f, ", name, median, name, spread);
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  double seconds = argc > 2 ? atof(argv[2]) : 0.3;
  int rounds = argc > 3 ? atoi(argv[3]) : 7;
  if (threads < 1 || threads > 64 || !(seconds > 0) || rounds < 1 || rounds > 1000) {
    fprintf(stderr, "bf16_peak: expected [threads 1..64] [seconds > 0] [rounds 1..1000], got %s %s %s\n",
            argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "", argc > 3 ? argv[3] : "");
    return 2;
  }
  __builtin_cpu_init();
  int has512 = __builtin_cpu_supports("avx512f");
  int hasBf16 = has512 && __builtin_cpu_supports("avx512bf16");
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    fprintf(stderr, "bf16_peak: this CPU has no AVX2 FMA; nothing to measure\n");
    return 3;
  }
  enum kind fp32 = has512 ? FP32_ZMM : FP32_YMM;
  double fp32Rates[1000], bf16Rates[1000], ratios[1000];
  float sink = 0;
  for (int r = 0; r < rounds; r++) {
    int bf16First = r % 2 == 1;
    if (hasBf16 && bf16First) bf16Rates[r] = measure(BF16_ZMM, threads, seconds, &sink);
    fp32Rates[r] = measure(fp32, threads, seconds, &sink);
    if (hasBf16 && !bf16First) bf16Rates[r] = measure(BF16_ZMM, threads, seconds, &sink);
    if (hasBf16 && bf16Rates[r] < 0) return 1;
    if (hasBf16) ratios[r] = bf16Rates[r] / fp32Rates[r];
  }
  printf("{\"threads\": %d, \"seconds\": %g, \"rounds\": %d, \"fp32_isa\": \"%s\", ", threads, seconds, rounds,
         has512 ? "avx512 zmm FMA" : "avx2 ymm FMA");
  print_series("fp32_gflops", fp32Rates, rounds);
  if (hasBf16) {
    print_series("bf16_gflops", bf16Rates, rounds);
    print_series("ratio", ratios, rounds);
    printf("\"bf16_reason\": null, ");
  } else {
    const char *why = has512 ? "this CPU has AVX-512F but not AVX512_BF16 (no VDPBF16PS)"
                             : "this CPU has neither AVX-512F nor AVX512_BF16 (no VDPBF16PS)";
    fprintf(stderr, "bf16_peak: %s; bf16 figures are null\n", why);
    printf("\"bf16_gflops\": null, \"bf16_gflops_median\": null, \"bf16_gflops_spread\": null, "
           "\"ratio\": null, \"ratio_median\": null, \"ratio_spread\": null, \"bf16_reason\": \"%s\", ", why);
  }
  printf("\"sink\": %g}\n", (double)sink);
  return 0;
}
