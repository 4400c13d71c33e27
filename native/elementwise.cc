// Elementwise drivers. Memory-bound loops only pay for a second thread on large arrays
// (~64K elements: below that the wake-up and the split cost more than they save).
#include "elementwise.h"
#include <cstring>
#include "strided.h"
#include "thread_pool.h"

namespace tessera {

constexpr long kParallelGrain = 1L << 15;

bool StridedSpace::init(int r, int ops, const double* shp, const double* const* str) {
  if (r < 0 || r > kMaxRank || ops > kMaxOperands) return false;
  operands = ops;
  rank = 0;
  total = 1;
  for (int d = 0; d < r; d++) {
    long size = static_cast<long>(shp[d]);
    total *= size;
    if (size == 1) continue;  // an axis of size 1 contributes no offset
    bool merge = rank > 0;
    for (int o = 0; o < ops && merge; o++)
      merge = strides[o][rank - 1] == static_cast<long>(str[o][d]) * size;
    if (merge) {
      // The previous axis steps over this one exactly: fold them into one axis.
      shape[rank - 1] *= size;
      for (int o = 0; o < ops; o++) strides[o][rank - 1] = static_cast<long>(str[o][d]);
    } else {
      shape[rank] = size;
      for (int o = 0; o < ops; o++) strides[o][rank] = static_cast<long>(str[o][d]);
      rank++;
    }
  }
  return true;
}

void unary(const IsaKernels* K, int op, const float* x, float* out, long n, double alpha, double beta) {
  // Transcendental ops cost ~10-40 ns per element: they pay for threads at a smaller size.
  const bool heavy = op == U_EXP || op == U_LOG || op == U_SIN || op == U_COS || op == U_ERF ||
                     op == U_SIGMOID || op == U_TANH || op == U_SOFTPLUS || op == U_GELU ||
                     op == U_SELU || op == U_ELU || op == U_POW_SCALAR;
  const long grain = heavy ? kParallelGrain / 8 : kParallelGrain * 2;
  parallelRange(n, grain, [&](long begin, long end) {
    // Chunk edges land on 16 elements (one cache line) so threads never share a line.
    begin = begin & ~15L;
    if (end != n) end = end & ~15L;
    if (begin < end) K->unary(op, x + begin, out + begin, end - begin, alpha, beta);
  });
}

bool activationGrad(const IsaKernels* K, int act, const float* y, const float* g, float* out, long n) {
  if (act != ACT_RELU && act != ACT_SIGMOID && act != ACT_TANH) return false;
  // A few flops per element over three streams: memory-bound like the cheap unary ops, same grain.
  parallelRange(n, kParallelGrain * 2, [&](long begin, long end) {
    begin = begin & ~15L;  // chunk edges on cache lines, as in unary
    if (end != n) end = end & ~15L;
    if (begin < end) K->activationGrad(act, y + begin, g + begin, out + begin, end - begin);
  });
  return true;
}

void bceLogitsWithGrad(const IsaKernels* K, const float* z, const float* x, float* loss, float* grad, long n) {
  // An exp, a log1p and a division per element: heavy like the transcendental unary ops.
  parallelRange(n, kParallelGrain / 8, [&](long begin, long end) {
    begin = begin & ~15L;
    if (end != n) end = end & ~15L;
    if (begin < end) K->bceLogitsWithGrad(z + begin, x + begin, loss + begin, grad + begin, end - begin);
  });
}

bool binary(const IsaKernels* K, int op, const float* a, const float* b, float* out, const double* meta) {
  const int rank = static_cast<int>(meta[0]);
  const double* shape = meta + 1;
  // Output strides are the contiguous ones of outShape.
  double outStrides[kMaxRank];
  double acc = 1;
  for (int d = rank - 1; d >= 0 && d < kMaxRank; d--) { outStrides[d] = acc; acc *= shape[d]; }
  const double* strides[3] = {shape + rank, shape + 2 * rank, outStrides};
  StridedSpace s;
  if (!s.init(rank, 3, shape, strides)) return false;
  if (s.total == 0) return true;
  const long base[3] = {0, 0, 0};
  const long lastA = s.rank ? s.strides[0][s.rank - 1] : 0, lastB = s.rank ? s.strides[1][s.rank - 1] : 0;
  parallelRange(s.total, kParallelGrain * 2, [&](long begin, long end) {
    s.forRuns(begin, end, base, [&](const long* off, long n) {
      K->binaryRun(op, a + off[0], lastA, b + off[1], lastB, out + off[2], n);
    });
  });
  return true;
}

bool where(const float* cond, const float* a, const float* b, float* out, const double* meta) {
  const int rank = static_cast<int>(meta[0]);
  const double* shape = meta + 1;
  double outStrides[kMaxRank];
  double acc = 1;
  for (int d = rank - 1; d >= 0 && d < kMaxRank; d--) { outStrides[d] = acc; acc *= shape[d]; }
  const double* strides[4] = {shape + rank, shape + 2 * rank, shape + 3 * rank, outStrides};
  StridedSpace s;
  if (!s.init(rank, 4, shape, strides)) return false;
  if (s.total == 0) return true;
  const long base[4] = {0, 0, 0, 0};
  const int r = s.rank;
  const long sc = r ? s.strides[0][r - 1] : 0, sa = r ? s.strides[1][r - 1] : 0, sb = r ? s.strides[2][r - 1] : 0;
  parallelRange(s.total, kParallelGrain * 2, [&](long begin, long end) {
    s.forRuns(begin, end, base, [&](const long* off, long n) {
      const float* c = cond + off[0];
      const float* x = a + off[1];
      const float* y = b + off[2];
      float* o = out + off[3];
      if (sc == 1 && sa == 1 && sb == 1) {
        for (long i = 0; i < n; i++) o[i] = c[i] != 0 ? x[i] : y[i];  // vectorizes as a blend
      } else {
        for (long i = 0; i < n; i++) o[i] = c[i * sc] != 0 ? x[i * sa] : y[i * sb];
      }
    });
  });
  return true;
}

namespace {

// dst(i, j) = src(i, j) over an [rows, cols] block, in 8 × 8 tiles so that a transpose
// (src contiguous along i, dst along j) reads and writes whole cache lines from L1 instead of
// touching a new line, and often a new page, for every element. 8, not more: with rows 4 KiB
// apart all of a tile's lines on one side fall in the same L1 set (12 ways).
void copyTiled(const float* src, long ssi, long ssj, float* dst, long dsi, long dsj, long rows, long cols) {
  constexpr long T = 8;
  for (long i0 = 0; i0 < rows; i0 += T) {
    const long i1 = i0 + T < rows ? i0 + T : rows;
    for (long j0 = 0; j0 < cols; j0 += T) {
      const long j1 = j0 + T < cols ? j0 + T : cols;
      for (long j = j0; j < j1; j++)
        for (long i = i0; i < i1; i++) dst[i * dsi + j * dsj] = src[i * ssi + j * ssj];
    }
  }
}

}  // namespace

bool copy(const float* src, float* dst, const double* meta) {
  const int rank = static_cast<int>(meta[0]);
  const long srcOffset = static_cast<long>(meta[1]), dstOffset = static_cast<long>(meta[2]);
  const double* shape = meta + 3;
  const double* strides[2] = {shape + rank, shape + 2 * rank};
  StridedSpace s;
  if (!s.init(rank, 2, shape, strides)) return false;
  if (s.total == 0) return true;
  const int r = s.rank;
  const long ss = r ? s.strides[0][r - 1] : 0, ds = r ? s.strides[1][r - 1] : 0;
  if (r >= 2 && ss != 1 && s.strides[0][r - 2] == 1 && s.shape[r - 1] >= 8 && s.shape[r - 2] >= 8) {
    // A transpose of the last two axes: tiles, one [rows, cols] block per outer index.
    const long rows = s.shape[r - 2], cols = s.shape[r - 1], outer = s.total / (rows * cols);
    const long ssi = s.strides[0][r - 2], dsi = s.strides[1][r - 2];
    parallelRange(outer * ((rows + 31) / 32), (kParallelGrain * 2 + 32 * cols - 1) / (32 * cols), [&](long begin, long end) {
      const long bands = (rows + 31) / 32;
      for (long u = begin; u < end; u++) {
        // Offsets of outer index o (odometer over the axes before the last two).
        long o = u / bands, so = srcOffset, dof = dstOffset;
        for (int d = r - 3; d >= 0; d--) {
          const long idx = o % s.shape[d];
          o /= s.shape[d];
          so += idx * s.strides[0][d];
          dof += idx * s.strides[1][d];
        }
        const long i0 = (u % bands) * 32, n = rows - i0 < 32 ? rows - i0 : 32;
        copyTiled(src + so + i0 * ssi, ssi, ss, dst + dof + i0 * dsi, dsi, ds, n, cols);
      }
    });
    return true;
  }
  const long base[2] = {srcOffset, dstOffset};
  parallelRange(s.total, kParallelGrain * 2, [&](long begin, long end) {
    s.forRuns(begin, end, base, [&](const long* off, long n) {
      const float* from = src + off[0];
      float* to = dst + off[1];
      if (ss == 1 && ds == 1) std::memmove(to, from, sizeof(float) * n);
      else if (ds == 1) for (long i = 0; i < n; i++) to[i] = from[i * ss];
      else for (long i = 0; i < n; i++) to[i * ds] = from[i * ss];
    });
  });
  return true;
}

}  // namespace tessera
