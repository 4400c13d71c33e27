// A persistent pool of worker threads. The calling (JS main) thread takes part as worker 0,
// so a pool of n threads starts n-1 std::threads, once, and keeps them.
#pragma once
#include <cstddef>

namespace tessera {

using TaskFn = void (*)(void* ctx, long task, int worker);

/** Runs fn(ctx, t, worker) for t in [0, tasks), spread over the pool; returns when all are done. */
void parallelFor(long tasks, TaskFn fn, void* ctx);

/** Threads used by parallelFor (the machine's cores, or TESSERA_THREADS, or setThreads). */
int poolThreads();
/** Resizes the pool (n >= 1). */
void setThreads(int n);

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
