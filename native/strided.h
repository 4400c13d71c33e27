// Walking the index space of a shape with several strided operands (broadcasting binary ops,
// where, strided copy). Axes of size 1 are dropped and adjacent axes that are contiguous for
// every operand are merged first, so a broadcast add of [64, 128] + [128] is 64 runs of 128,
// and a contiguous copy is one run.
#pragma once

namespace tessera {

constexpr int kMaxRank = 16;
constexpr int kMaxOperands = 4;

struct StridedSpace {
  int rank = 0, operands = 0;
  long shape[kMaxRank];
  long strides[kMaxOperands][kMaxRank];
  long total = 1;

  /** Builds the space from JS doubles: shape[rank], then rank strides per operand. */
  bool init(int rank, int operands, const double* shape, const double* const* strides);

  /** Calls run(offsets[operands], length) for each last-axis run of flat indices [begin, end). */
  template <typename F>
  void forRuns(long begin, long end, const long* base, F&& run) const {
    long off[kMaxOperands];
    for (int o = 0; o < operands; o++) off[o] = base[o];
    if (rank == 0) { if (begin < end) run(off, 1L); return; }
    long idx[kMaxRank];
    long rem = begin;
    for (int d = rank - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      for (int o = 0; o < operands; o++) off[o] += idx[d] * strides[o][d];
    }
    const long last = shape[rank - 1];
    long pos = begin;
    while (pos < end) {
      long n = last - idx[rank - 1];
      if (n > end - pos) n = end - pos;
      run(off, n);
      pos += n;
      // Advance past the run: the last axis, then an odometer over the leading axes.
      idx[rank - 1] += n;
      for (int o = 0; o < operands; o++) off[o] += n * strides[o][rank - 1];
      for (int d = rank - 1; d > 0 && idx[d] == shape[d]; d--) {
        idx[d] = 0;
        idx[d - 1]++;
        for (int o = 0; o < operands; o++) off[o] += strides[o][d - 1] - shape[d] * strides[o][d];
      }
    }
  }
};

}  // namespace tessera
