// The addon's peak measurement (native/peak.h). The FMA loop is bench/peak/fma_peak.c's, from
// the header both include. Both loops here are timed by each thread's CPU time, not the wall
// clock: on a shared machine the wall-clock rate of a short loop is whatever share of the core
// it got, and a ceiling measured so would sit below what the kernels reach (fractions of peak
// over 100%). Per CPU-second, the ceiling is the core's; the profile's kernel times are wall
// times, so under load its fractions are deflated rather than inflated.
#include "peak.h"

#include <time.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#if defined(TESSERA_X64)
#define PEAK_CLOCK CLOCK_THREAD_CPUTIME_ID
#include "peak_loops.h"
#endif

namespace tessera {

#if defined(TESSERA_X64)
static void* fmaWorker(void* arg) {
  peak_job_t* job = static_cast<peak_job_t*>(arg);
  if (job->kind == 512) run_fp32_zmm(job);
  else run_fp32_ymm(job);
  return nullptr;
}
#endif

double peakFmaGflops(int width, int threads, double seconds, std::string* error) {
#if defined(TESSERA_X64)
  if (threads < 1 || threads > 64 || !(seconds > 0)) return -1;
  __builtin_cpu_init();
  if (width == 512 && !__builtin_cpu_supports("avx512f")) return -1;
  if (width == 256 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return -1;
  if (width != 512 && width != 256) return -1;
  peak_job_t jobs[64];
  const double gflops = run_threads(fmaWorker, width, threads, seconds, jobs);
  const int failed = failed_thread(jobs, threads);
  if (failed >= 0) {
    *error = "the system refused to start thread " + std::to_string(failed + 1) + " of " + std::to_string(threads) + " (" +
        std::strerror(jobs[failed].start_error) + ")";
    return -1;
  }
  return gflops;
#else
  (void)width; (void)threads; (void)seconds; (void)error;
  return -1;  // the loops are x86-64 intrinsics
#endif
}

double peakCopyGbps(size_t bytes, int threads, int repeats, std::string* error) {
  if (threads < 1 || threads > 64 || repeats < 1 || bytes < 4096) return -1;
  const size_t n = bytes / sizeof(float);
  std::vector<float> src(n), dst(n);
  for (size_t i = 0; i < n; i++) src[i] = static_cast<float>(i & 1023);
  // One pass: each thread copies its slice; the pass takes the slowest thread's CPU time. A thread
  // the system refuses ends the measurement (after joining those started) with `error` set.
  auto pass = [&]() {
    std::vector<double> cpu(threads, 0.0);
    auto slice = [&](int t) {
      const size_t begin = n * t / threads, end = n * (t + 1) / threads;
      timespec a, b;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      std::memcpy(dst.data() + begin, src.data() + begin, (end - begin) * sizeof(float));
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
      cpu[t] = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; t++) {
      try {
        pool.emplace_back(slice, t);
      } catch (const std::system_error& e) {
        *error = "the system refused to start thread " + std::to_string(t + 1) + " of " + std::to_string(threads) + " (" +
            e.what() + ")";
        break;
      }
    }
    slice(0);
    for (auto& th : pool) th.join();
    return error->empty() ? *std::max_element(cpu.begin(), cpu.end()) : -1.0;
  };
  if (pass() < 0) return -1;  // page faults of dst, thread start-up paths
  double best = 1e300;
  for (int r = 0; r < repeats; r++) {
    const double seconds = pass();
    if (seconds < 0) return -1;
    best = std::min(best, seconds);
  }
  volatile float sink = dst[n / 2];
  (void)sink;
  return 2.0 * static_cast<double>(n * sizeof(float)) / best / 1e9;
}

}  // namespace tessera
