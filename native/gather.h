// Host data kernels: gathering a batch of rows out of a data set kept as bytes.
#pragma once
#include <cstdint>

namespace tessera {

/**
 * out[i·rowSize + j] = float(src[rows[i]·rowSize + j]) / divisor for i < n, j < rowSize.
 * The division is IEEE float32 (correctly rounded), so divisor 255 gives exactly JavaScript's
 * Math.fround(byte / 255). Callers check that every row index is in range.
 */
void gatherBytes(const uint8_t* src, long rowSize, const uint32_t* rows, long n, float divisor, float* out);

#if !defined(__wasm__)
/** A gatherBytes run in the background (gatherBytesStart); it and its arrays must outlive the wait. */
struct GatherJob {
  const uint8_t* src;
  long rowSize;
  const uint32_t* rows;
  long n;
  float divisor;
  float* out;
  long rowsPerTask;  // set by gatherBytesStart
};

/**
 * gatherBytes begun on the pool's workers between kernels (startBackground, thread_pool.h): true
 * when it was, and waitBackground() then finishes it; false when it ran here already.
 */
bool gatherBytesStart(GatherJob* job);
#endif

}  // namespace tessera
