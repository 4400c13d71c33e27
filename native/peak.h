// The machine's ceilings, measured by the addon for `tessera profile` (src/inspect/peak.ts): the
// float32 FMA rate of bench/peak/fma_peak.c's loop (native/peak_loops.h) and copy bandwidth.
#pragma once
#include <cstddef>
#include <string>

namespace tessera {

/**
 * GFLOP/s of all `threads` threads together running the FMA loop of `width` bits (512: AVX-512,
 * 256: AVX2 + FMA) for `seconds` of each thread's CPU time (all FLOPs / the longest thread CPU
 * time); a negative number when this CPU or build cannot run it, or when the system refused to
 * start a thread: then `error` says so (the addon throws it as a JavaScript error).
 */
double peakFmaGflops(int width, int threads, double seconds, std::string* error);

/**
 * GB/s of dst[i] = src[i] over `bytes` bytes per array, split over `threads` threads, counting
 * 2·bytes per pass (one read, one write, as STREAM's copy) over the slowest thread's CPU time;
 * the best of `repeats` passes after one untimed pass (page faults). Arrays larger than the
 * caches give memory bandwidth. Negative when the arguments are out of range, or when the system
 * refused to start a thread (then `error` says so).
 */
double peakCopyGbps(size_t bytes, int threads, int repeats, std::string* error);

}  // namespace tessera
