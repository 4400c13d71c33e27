// A persistent pool of worker threads. The calling (JS main) thread takes part as worker 0,
// so a pool of n threads starts n-1 std::threads, once, and keeps them.
#pragma once
#include <cstddef>
#if !defined(__wasm__)
#include <string>
#endif

namespace tessera {

using TaskFn = void (*)(void* ctx, long task, int worker);

/** Runs fn(ctx, t, worker) for t in [0, tasks), spread over the pool; returns when all are done. */
void parallelFor(long tasks, TaskFn fn, void* ctx);

/**
 * The most threads a pool may have. More than the hardware runs at once only time-slices (and
 * parallelRange makes at most 4 chunks per thread, so 4·kMaxThreads tasks per job); 1024 is above
 * the hardware threads of today's largest two-socket servers (2 × 384), while each thread reserves
 * an 8 MiB stack: 100,000 threads would ask for 800 GB of address space and hit the kernel's
 * thread limits, which std::thread reports by throwing (an abort, had it not been caught).
 */
constexpr int kMaxThreads = 1024;

#if !defined(__wasm__)
/**
 * Starts fn(ctx, t, worker) for t in [0, tasks) in the background and returns: the pool's workers
 * take its tasks between jobs (a job published meanwhile is joined after the task in hand), and
 * waitBackground() runs what is left on the calling thread and returns when every task is done.
 * One background job at a time: with one thread in the pool, or another background job not yet
 * waited for, the tasks run here and now and it returns false (then there is nothing to wait for).
 * ctx must stay valid until the wait. (The WebAssembly pool has no background jobs.)
 */
bool startBackground(long tasks, TaskFn fn, void* ctx);
/** Finishes the background job this thread started (startBackground returned true). */
void waitBackground();
#endif

/** Threads used by parallelFor (the machine's cores, or TESSERA_THREADS, or setThreads). */
int poolThreads();
#if !defined(__wasm__)
// (The WebAssembly pool is sized from JavaScript, which starts its workers: wasm_runtime.cc.)
/**
 * Resizes the pool to n threads (clamped to [1, kMaxThreads]). When the system refuses to start
 * a thread, the pool keeps the ones it got; returns the count it runs with, and `error` (if not
 * null) says why it is short.
 */
int setThreads(int n, std::string* error = nullptr);
#endif

/**
 * owners[t] = the worker that ran task t of one job of `tasks` tasks, each task busy for `spin`
 * loop iterations first: for the tests of the claim order (pool_claim.h; test/backend/pool-claim.test.ts).
 */
inline void parallelForOwners(int* owners, long tasks, long spin) {
  struct Ctx { int* owners; long spin; } ctx{owners, spin};
  parallelFor(tasks, [](void* p, long t, int worker) {
    Ctx* c = static_cast<Ctx*>(p);
    c->owners[t] = worker;
    for (volatile long i = 0; i < c->spin; i = i + 1) {}
  }, &ctx);
}

/**
 * Convenience: splits [0, n) in chunks of at least `grain`, up to four per thread. More chunks
 * than threads let the caller take over a share of a worker that is preempted (a busy machine)
 * instead of waiting for it; a claim costs ~50 ns.
 */
template <typename F>
void parallelRange(long n, long grain, F&& body) {
  int threads = poolThreads();
  if (threads <= 1) { body(0L, n); return; }
  long chunks = grain > 0 ? (n + grain - 1) / grain : 1;
  if (chunks > 4L * threads) chunks = 4L * threads;
  if (chunks <= 1) { body(0L, n); return; }
  struct Ctx { F* body; long n, chunks; } ctx{&body, n, chunks};
  parallelFor(chunks, [](void* p, long t, int) {
    Ctx* c = static_cast<Ctx*>(p);
    long begin = c->n * t / c->chunks, end = c->n * (t + 1) / c->chunks;
    (*c->body)(begin, end);
  }, &ctx);
}

}  // namespace tessera
