// Reduction drivers. Work is split over `outer` (independent output rows) when it is large
// enough; the inner loops are the ISA's vector loops (sum, sumSquares, softmax, max/min of one
// contiguous row) or plain loops over `inner` that the compiler vectorizes (max/min/arg* across
// rows). All keep the js backend's exact first-extreme and NaN rules.
#include "reduce.h"
#include <cstring>
#include "thread_pool.h"

namespace tessera {
namespace {

constexpr long kGrain = 1L << 15;   // elements per thread, at least
constexpr long kChunk = 256;        // columns of `inner` processed at once (stack arrays)

// max/min of one contiguous row x[0:n] (n ≥ 1) with NaN propagation, by the ISA's vector loop
// (a loss's target checked in one pass over a whole batch: bceLoss, the VAE). Its lanes may meet
// −0 and +0 (equal) in another order than the sequential loop, which keeps the first one met, so
// an extreme of zero is the row's first zero.
float extremeRow(const IsaKernels* K, const float* x, long n, bool isMax) {
  const float result = K->extremeRow(x, n, isMax);
  if (result == 0.0f) for (long j = 0;; j++) if (x[j] == 0.0f) return x[j];
  return result;
}

// max/min with NaN propagation: any NaN in the column makes the result NaN.
// x: [size, width] with row stride `inner` → out: [width]
void extreme(const IsaKernels* K, const float* x, float* out, long size, long inner, long width, bool isMax) {
  // Short rows stay on the loop below: the vector kernel's setup and its lane combine (64 lanes on
  // AVX-512) are worth it only on rows of some length (64: a threshold by that lane count, not a
  // measured crossover). inner == 1 means one column (width 1).
  if (inner == 1 && size >= 64) { out[0] = extremeRow(K, x, size, isMax); return; }
  for (long c0 = 0; c0 < width; c0 += kChunk) {
    const long w = width - c0 < kChunk ? width - c0 : kChunk;
    float best[kChunk];
    bool nan[kChunk];
    for (long i = 0; i < w; i++) {
      best[i] = size > 0 ? x[c0 + i] : (isMax ? -__builtin_inff() : __builtin_inff());
      nan[i] = best[i] != best[i];
    }
    for (long r = 1; r < size; r++) {
      const float* row = x + r * inner + c0;
      if (isMax) for (long i = 0; i < w; i++) { float v = row[i]; best[i] = v > best[i] ? v : best[i]; nan[i] |= v != v; }
      else for (long i = 0; i < w; i++) { float v = row[i]; best[i] = v < best[i] ? v : best[i]; nan[i] |= v != v; }
    }
    for (long i = 0; i < w; i++) out[c0 + i] = nan[i] ? __builtin_nanf("") : best[i];
  }
}

// argmax/argmin: index of the first extreme element (strict comparison keeps the first).
void argExtreme(const float* x, float* out, long size, long inner, long width, bool isMax) {
  if (size == 0) { for (long i = 0; i < width; i++) out[i] = 0; return; }
  for (long c0 = 0; c0 < width; c0 += kChunk) {
    const long w = width - c0 < kChunk ? width - c0 : kChunk;
    float best[kChunk];
    float at[kChunk];
    for (long i = 0; i < w; i++) { best[i] = x[c0 + i]; at[i] = 0; }
    for (long r = 1; r < size; r++) {
      const float* row = x + r * inner + c0;
      const float fr = static_cast<float>(r);
      if (isMax) {
        for (long i = 0; i < w; i++) { bool better = row[i] > best[i]; best[i] = better ? row[i] : best[i]; at[i] = better ? fr : at[i]; }
      } else {
        for (long i = 0; i < w; i++) { bool better = row[i] < best[i]; best[i] = better ? row[i] : best[i]; at[i] = better ? fr : at[i]; }
      }
    }
    for (long i = 0; i < w; i++) out[c0 + i] = at[i];
  }
}

// A sum over one long contiguous row (outer 1, inner 1: a loss over a whole batch) in blocks of
// kRowBlock elements (more for rows over 64 blocks: at most 64 blocks, summed on the stack), each
// summed by the ISA's row kernel in double, then the blocks' sums added in block order. The
// blocks depend on the row's length only, so the result is the same for every thread count.
constexpr long kRowBlock = 1L << 15, kMaxRowBlocks = 64;

/** Σ x[0:size] (or Σ x², `squares`) in blocks, over threads; see kRowBlock. */
double sumLongRow(const IsaKernels* K, const float* x, long size, bool squares) {
  const long block = size <= kMaxRowBlocks * kRowBlock ? kRowBlock : ((size + kMaxRowBlocks - 1) / kMaxRowBlocks + 15) / 16 * 16;
  const long blocks = (size + block - 1) / block;
  double partial[kMaxRowBlocks];
  parallelRange(blocks, 1, [&](long begin, long end) {
    for (long b = begin; b < end; b++) {
      const long n = size - b * block < block ? size - b * block : block;
      partial[b] = squares ? K->sumSquaresRow(x + b * block, n) : K->sumRow(x + b * block, n);
    }
  });
  double s = 0;
  for (long b = 0; b < blocks; b++) s += partial[b];
  return s;
}

// out[0:width] = Σ_r add(x[r·inner + 0:width]) over `size` rows, added in order. The sums build up
// kChunk columns at a time in a block on this thread's stack and are stored once. Added into `out` row by
// row, W1's [256×784] column sum took 18.8 µs (p10) at one thread against 11.0–13.8 now, and two threads were
// slower than one (0.7×): neighbouring blocks share a cache line of `out` at their edge unless it
// is 64-byte aligned, which a Float32Array need not be (bench/RESULTS.md, "Two threads: ...").
void sumColumns(void (*add)(float*, const float*, long), const float* x, float* out, long size, long inner, long width) {
  alignas(64) float acc[kChunk];
  for (long c0 = 0; c0 < width; c0 += kChunk) {
    const long w = width - c0 < kChunk ? width - c0 : kChunk;
    std::memset(acc, 0, sizeof(float) * w);
    for (long r = 0; r < size; r++) add(acc, x + r * inner + c0, w);
    std::memcpy(out + c0, acc, sizeof(float) * w);
  }
}

}  // namespace

bool reduce(const IsaKernels* K, int op, const float* x, float* out, long outer, long size, long inner) {
  if (op < R_SUM || op > R_SUM_SQUARES) return false;
  if (outer == 0 || inner == 0) return true;
  if (outer == 1 && inner == 1 && size > kRowBlock && (op == R_SUM || op == R_SUM_SQUARES)) {
    out[0] = static_cast<float>(sumLongRow(K, x, size, op == R_SUM_SQUARES));
    return true;
  }
  const long perOuter = size * inner > 0 ? size * inner : 1;
  // Threads over outer rows; with one outer row and a wide inner axis, over column blocks:
  // enough of them for 4 per thread (as parallelRange's chunks; 784 columns: 7 of 112, not
  // 256 + 256 + 256 + 16), of whole cache lines. Each column is summed over its rows in the same
  // order whatever the blocks, so the result does not depend on the thread count.
  const bool byColumns = outer == 1 && inner >= 128;
  long columns = kChunk;
  if (byColumns) {
    const long want = 4L * poolThreads();
    columns = ((inner + want - 1) / want + 15) / 16 * 16;
    columns = columns < 64 ? 64 : columns > kChunk ? kChunk : columns;
  }
  const long units = byColumns ? (inner + columns - 1) / columns : outer;
  const long unitWork = byColumns ? (size > 0 ? size : 1) * columns : perOuter;
  parallelRange(units, (kGrain + unitWork - 1) / unitWork, [&](long begin, long end) {
    for (long u = begin; u < end; u++) {
      // One unit: outer row o, columns [c0, c0 + w) of inner; rows of x are `inner` apart.
      const long o = byColumns ? 0 : u;
      const long c0 = byColumns ? u * columns : 0;
      const long w = byColumns ? (inner - c0 < columns ? inner - c0 : columns) : inner;
      const float* xo = x + o * size * inner + c0;
      float* oo = out + o * inner + c0;
      switch (op) {
        case R_SUM:
          if (inner == 1) {
            oo[0] = static_cast<float>(K->sumRow(xo, size));  // double accumulation, as js
          } else {
            sumColumns(K->addRow, xo, oo, size, inner, w);
          }
          break;
        case R_SUM_SQUARES:
          // The same loops as R_SUM over the squares (rounded to float), never stored.
          if (inner == 1) {
            oo[0] = static_cast<float>(K->sumSquaresRow(xo, size));
          } else {
            sumColumns(K->addSquaresRow, xo, oo, size, inner, w);
          }
          break;
        case R_MAX: case R_MIN: extreme(K, xo, oo, size, inner, w, op == R_MAX); break;
        default: argExtreme(xo, oo, size, inner, w, op == R_ARGMAX); break;
      }
    }
  });
  return true;
}

void softmax(const IsaKernels* K, const float* x, float* out, long outer, long size, long inner, bool log) {
  if (outer == 0 || inner == 0 || size == 0) return;
  const long perOuter = size * inner;
  if (inner == 1) {
    parallelRange(outer, (kGrain / 4 + size - 1) / size, [&](long begin, long end) {
      for (long o = begin; o < end; o++) K->softmaxRow(x + o * size, out + o * size, size, log);
    });
    return;
  }
  // inner > 1: units are (outer row, block of 64 columns), each independent.
  const long blocks = (inner + 63) / 64;
  parallelRange(outer * blocks, (kGrain / 4 + size * 64 - 1) / (size * 64), [&](long begin, long end) {
    for (long u = begin; u < end; u++) {
      const long o = u / blocks, c0 = (u % blocks) * 64;
      const long w = inner - c0 < 64 ? inner - c0 : 64;
      K->softmaxCols(x + o * perOuter + c0, out + o * perOuter + c0, size, inner, w, log);
    }
  });
}

}  // namespace tessera
