// Persistent thread pool. The calling thread runs tasks too, and tasks are claimed one by one
// from a shared word (pool_claim.h: the caller from the front, workers from the back), so a worker
// that is slow to wake (asleep, or preempted on a busy machine) costs nothing: the caller simply
// claims the remaining tasks itself and only ever waits for tasks a worker has actually started.
// Workers spin briefly after a job (the next kernel call usually comes within microseconds; a
// condition-variable wake-up costs ~10-50 µs), then sleep.
#include "thread_pool.h"
#include "pool_claim.h"
#include "pool_trace.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace tessera {
namespace {

// Measured on W1 (2 threads): 1000 µs instead of 100 µs cut worker sleeps per training step
// but did not change s/epoch beyond the run-to-run noise, so the short spin stays.
constexpr long kSpinDefaultUs = 100;

// How long an idle worker spins before it sleeps: kSpinDefaultUs, or TESSERA_SPIN_US (read once;
// for measuring the trade-off on other machines).
std::chrono::microseconds spinTime() {
  static const long us = [] {
    const char* env = std::getenv("TESSERA_SPIN_US");
    long v = env != nullptr ? std::atol(env) : -1;
    return v >= 0 ? v : kSpinDefaultUs;
  }();
  return std::chrono::microseconds(us);
}
struct Pool {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> claim{0};
  std::atomic<long> done{0};
  std::atomic<bool> stopping{false};
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  uint64_t generation = 0;  // written by the thread that holds `running`
  int threads = 1;
  std::mutex running;       // one job at a time (JS worker_threads may call in concurrently)
  // TESSERA_POOL_TRACE is read once; with it unset the trace costs one test of this per job and task.
  PoolTrace& trace = PoolTrace::get();
  const bool tracing = trace.on();

  // The background job (startBackground): one at a time, owned by the thread that started it
  // until its wait. Its tasks are claimed through a word of their own, as a job's: the workers take
  // them from the back between jobs, and the owner's wait takes the rest from the front.
  std::atomic<uint64_t> bgClaim{0};
  std::atomic<long> bgDone{0};
  TaskFn bgFn = nullptr;
  void* bgCtx = nullptr;
  long bgTasks = 0;          // written by the owner before it publishes bgClaim
  uint64_t bgGeneration = 0;
  std::atomic<bool> bgBusy{false};  // set from startBackground to waitBackground

  bool backgroundLeft() {
    uint64_t task, next;
    return nextClaim(bgClaim.load(std::memory_order_acquire), 1, task, next);
  }

  /** Claims and runs one task of the background job; false when none is left unclaimed. */
  bool runBackgroundTask(int worker) {
    uint64_t w = bgClaim.load(std::memory_order_acquire), task, next;
    do {
      if (!nextClaim(w, worker, task, next)) return false;
    } while (!bgClaim.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire));
    // Claimed: its job cannot end (nor another start) before this task is counted done.
    bgFn(bgCtx, static_cast<long>(task), worker);
    bgDone.fetch_add(1, std::memory_order_release);
    return true;
  }

  /** Runs every unclaimed background task here and waits for those a worker is running. */
  void drainBackground() {
    while (runBackgroundTask(0)) {}
    while (bgDone.load(std::memory_order_acquire) < bgTasks) std::this_thread::yield();
  }

  /** Claims and runs tasks of generation `gen` until none is left. */
  void runTasks(uint64_t gen, int worker) {
    uint64_t w = claim.load(std::memory_order_acquire), task, next;
    for (;;) {
      if (claimGeneration(w) != gen || !nextClaim(w, worker, task, next)) return;
      if (!claim.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      // The task is ours and its job is still running: fn and ctx are that job's.
      if (tracing && worker != 0) trace.workerClaimed();
      fn(ctx, static_cast<long>(task), worker);
      done.fetch_add(1, std::memory_order_release);
      w = claim.load(std::memory_order_acquire);
    }
  }

  void workerLoop(int worker) {
    uint64_t seen = claimGeneration(claim.load(std::memory_order_acquire));
    for (;;) {
      auto until = std::chrono::steady_clock::now() + spinTime();
      while (claimGeneration(claim.load(std::memory_order_acquire)) == seen && !stopping.load(std::memory_order_relaxed)) {
        // Between jobs, the background job's tasks, one at a time: a job published meanwhile is
        // joined after the task in hand (its first tasks go to the caller, as to a late waker).
        if (runBackgroundTask(worker)) {
          until = std::chrono::steady_clock::now() + spinTime();
          continue;
        }
        if (std::chrono::steady_clock::now() > until) {
          std::unique_lock<std::mutex> lock(mutex);
          if (tracing) trace.sleeps(1);
          wake.wait(lock, [&] { return claimGeneration(claim.load()) != seen || stopping.load() || backgroundLeft(); });
          if (tracing) trace.sleeps(-1);
          break;
        }
      }
      if (stopping.load()) return;
      seen = claimGeneration(claim.load(std::memory_order_acquire));
      runTasks(seen, worker);
    }
  }

  /** Starts n-1 workers; if the system refuses one, keeps those started and returns why. */
  std::string start(int n) {
    n = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
    stopping.store(false);
    workers.reserve(static_cast<size_t>(n - 1));
    std::string error;
    for (int w = 1; w < n; w++) {
      try {
        workers.emplace_back([this, w] { workerLoop(w); });
      } catch (const std::system_error& e) {
        error = e.what();
        break;
      }
    }
    threads = static_cast<int>(workers.size()) + 1;
    return error;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping.store(true);
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }

  void run(long n, TaskFn f, void* c) {
    std::unique_lock<std::mutex> own(running, std::try_to_lock);
    // Busy with another caller's job (or nothing to share): run the tasks here, serially.
    if (!own.owns_lock() || threads <= 1 || n <= 1 || static_cast<uint64_t>(n) > kClaimMaxTasks) {
      if (tracing && own.owns_lock()) trace.publish(reinterpret_cast<void*>(f), n, true);
      for (long t = 0; t < n; t++) f(c, t, 0);
      if (tracing && own.owns_lock()) trace.end();
      return;
    }
    fn = f;
    ctx = c;
    done.store(0, std::memory_order_relaxed);
    generation = (generation + 1) & kClaimGenerationMask;
    {
      // Published under the mutex so a worker about to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(mutex);
      // The trace counts the sleeping workers under the mutex they fall asleep holding: exact.
      if (tracing) trace.publish(reinterpret_cast<void*>(f), n, false);
      claim.store(claimWord(generation, static_cast<uint64_t>(n)), std::memory_order_release);
    }
    wake.notify_all();
    runTasks(generation, 0);
    if (tracing) trace.callerDone();
    // Only tasks a worker has claimed and not finished are left: wait for those.
    while (done.load(std::memory_order_acquire) < n) std::this_thread::yield();
    if (tracing) trace.end();
  }

  /** See startBackground (thread_pool.h). */
  bool startBackground(long n, TaskFn f, void* c) {
    bool idle = false;
    if (threads <= 1 || n <= 0 || static_cast<uint64_t>(n) > kClaimMaxTasks || !bgBusy.compare_exchange_strong(idle, true)) {
      for (long t = 0; t < n; t++) f(c, t, 0);
      return false;
    }
    bgFn = f;
    bgCtx = c;
    bgTasks = n;
    bgDone.store(0, std::memory_order_relaxed);
    bgGeneration = (bgGeneration + 1) & kClaimGenerationMask;
    {
      // Under the mutex, as a job's word, so that a worker about to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(mutex);
      bgClaim.store(claimWord(bgGeneration, static_cast<uint64_t>(n)), std::memory_order_release);
    }
    wake.notify_all();
    return true;
  }

  void waitBackground() {
    drainBackground();
    bgBusy.store(false, std::memory_order_release);
  }
};

// TESSERA_THREADS when it is a whole number in [1, kMaxThreads], else the hardware's count. The JS
// loader (src/backend/native/index.ts) refuses a bad value with a message before any kernel runs;
// this is only the C++ side's own guard.
int defaultThreads() {
  const char* env = std::getenv("TESSERA_THREADS");
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (*end == '\0' && n >= 1) return n > kMaxThreads ? kMaxThreads : static_cast<int>(n);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw > static_cast<unsigned>(kMaxThreads) ? kMaxThreads : static_cast<int>(hw);
}

Pool* pool() {
  // Never destroyed: joining threads from a static destructor at process exit can deadlock.
  static Pool* p = [] { Pool* q = new Pool(); q->start(defaultThreads()); return q; }();
  return p;
}

}  // namespace

void parallelFor(long tasks, TaskFn fn, void* ctx) { pool()->run(tasks, fn, ctx); }

bool startBackground(long tasks, TaskFn fn, void* ctx) { return pool()->startBackground(tasks, fn, ctx); }

void waitBackground() { pool()->waitBackground(); }

int poolThreads() { return pool()->threads; }

int setThreads(int n, std::string* error) {
  Pool* p = pool();
  n = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
  std::lock_guard<std::mutex> own(p->running);  // never under a running job
  if (n == p->threads) return n;
  p->drainBackground();  // a background job's tasks all run before its workers stop (its owner still waits)
  p->stop();
  std::string why = p->start(n);
  if (error != nullptr) *error = why;
  return p->threads;
}

}  // namespace tessera
