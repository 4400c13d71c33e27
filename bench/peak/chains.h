/* The timed loop shared by the peak benchmarks (fma_peak.c, bf16_peak.c): N independent
 * accumulators, each updated once per iteration by one vector instruction, so that the rate
 * is bounded by the arithmetic pipes, not by one instruction's latency.
 *
 * An update has a latency of 4-6 cycles and a core issues up to 2 per cycle, so at least
 * 8-12 independent chains are needed to keep the pipes busy. With 32 vector registers
 * (AVX-512) 16 chains leave headroom; with 16 (AVX2 alone, e.g. Zen 3) 16 chains and the two
 * operands do not fit, GCC keeps two chains on the stack and the store-to-load round trip is
 * measured instead (this happened), so AVX2 loops use 12. The chains are named variables, not
 * an array, for the same reason: at -O2 GCC keeps an array of vectors in memory.
 */
#ifndef TESSERA_BENCH_PEAK_CHAINS_H
#define TESSERA_BENCH_PEAK_CHAINS_H

#include <time.h>

#define BLOCK 4096 /* iterations between clock reads */

static inline double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
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

#endif
