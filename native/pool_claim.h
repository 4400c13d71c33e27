// The claim word of both thread pools (thread_pool.cc natively, wasm_runtime.cc in WebAssembly):
// one 64-bit atomic packs (generation, back, front) of the job being run. Tasks [front, back) are
// unclaimed; a thread claims one with a compare-and-swap of the whole word, so a worker that wakes
// late cannot claim a task of a newer job with an older job's range: its swap fails once the
// generation moved on.
//
// The caller (worker 0) claims from the front and the workers from the back, so that a job's first
// tasks (its first rows, for parallelRange and a GEMM's row blocks) go to the caller and its last
// ones to a worker, job after job: what one kernel's task wrote, the next kernel's task over the
// same rows finds in its own core's cache, and Adam's tasks update the same parameters on the same
// core every step. (Claimed in one order by everyone, a task went to whichever thread came first, a
// different one each kernel: W1 at two threads 0.289 → 0.279 s/epoch with this, bench/RESULTS.md,
// "The caller claims from the front, the workers from the back".) Either side takes the other's tasks when it runs out, so a
// worker that is slow to wake still costs nothing.
#pragma once
#include <cstdint>

namespace tessera {

constexpr int kClaimIdxBits = 20, kClaimCountBits = 20;
constexpr uint64_t kClaimIdxMask = (1ull << kClaimIdxBits) - 1;
/** The most tasks one job may have (a larger one runs serially on the caller). */
constexpr uint64_t kClaimMaxTasks = (1ull << kClaimCountBits) - 1;
constexpr uint64_t kClaimGenerationMask = (1ull << (64 - kClaimIdxBits - kClaimCountBits)) - 1;

/** The word of a new job of `tasks` tasks: all unclaimed. */
inline uint64_t claimWord(uint64_t generation, uint64_t tasks) {
  return (generation << (kClaimIdxBits + kClaimCountBits)) | (tasks << kClaimIdxBits);
}
inline uint64_t claimGeneration(uint64_t w) { return w >> (kClaimIdxBits + kClaimCountBits); }

/**
 * The task `worker` would claim from word w, and the word after the claim: the front task for the
 * caller (worker 0), the back one for the others. False when none is left.
 */
inline bool nextClaim(uint64_t w, int worker, uint64_t& task, uint64_t& next) {
  const uint64_t front = w & kClaimIdxMask, back = (w >> kClaimIdxBits) & kClaimMaxTasks;
  if (front >= back) return false;
  task = worker == 0 ? front : back - 1;
  next = worker == 0 ? w + 1 : w - (1ull << kClaimIdxBits);
  return true;
}

}  // namespace tessera
