// Persistent thread pool: workers spin briefly after a job (the next kernel call usually comes
// within microseconds, and a condition-variable wake-up costs ~10-50 µs), then sleep, so an idle
// engine burns no CPU. Tasks are claimed from an atomic counter: uneven tasks balance themselves.
#include "thread_pool.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera {
namespace {

constexpr auto kSpin = std::chrono::microseconds(200);

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<unsigned long> generation{0};
  std::atomic<long> next{0};
  std::atomic<long> done{0};
  std::atomic<int> active{0};   // workers still inside the current job
  long tasks = 0;
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  std::atomic<bool> stopping{false};
  int threads = 1;

  void runTasks(int worker) {
    for (;;) {
      long t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= tasks) return;
      fn(ctx, t, worker);
      done.fetch_add(1, std::memory_order_release);
    }
  }

  void workerLoop(int worker) {
    unsigned long seen = 0;
    for (;;) {
      // Spin for a while, then sleep on the condition variable.
      auto until = std::chrono::steady_clock::now() + kSpin;
      while (generation.load(std::memory_order_acquire) == seen && !stopping) {
        if (std::chrono::steady_clock::now() > until) {
          std::unique_lock<std::mutex> lock(mutex);
          wake.wait(lock, [&] { return generation.load() != seen || stopping.load(); });
          break;
        }
      }
      if (stopping) return;
      seen = generation.load(std::memory_order_acquire);
      runTasks(worker);
      active.fetch_sub(1, std::memory_order_release);
    }
  }

  void start(int n) {
    threads = n < 1 ? 1 : n;
    stopping = false;
    for (int w = 1; w < threads; w++) workers.emplace_back([this, w] { workerLoop(w); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }

  void run(long n, TaskFn f, void* c) {
    if (threads <= 1 || n <= 1) {
      for (long t = 0; t < n; t++) f(c, t, 0);
      return;
    }
    tasks = n; fn = f; ctx = c;
    next.store(0, std::memory_order_relaxed);
    done.store(0, std::memory_order_relaxed);
    active.store(threads - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex);
      generation.fetch_add(1, std::memory_order_release);
    }
    wake.notify_all();
    runTasks(0);
    // Wait until every task finished and every worker left the job (so the next job's
    // counters are not reset under a worker still reading them).
    while (done.load(std::memory_order_acquire) < n || active.load(std::memory_order_acquire) > 0) {
      std::this_thread::yield();
    }
  }
};

int defaultThreads() {
  const char* env = std::getenv("TESSERA_THREADS");
  if (env != nullptr) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

Pool* pool() {
  // Never destroyed: joining threads from a static destructor at process exit can deadlock.
  static Pool* p = [] { Pool* q = new Pool(); q->start(defaultThreads()); return q; }();
  return p;
}

}  // namespace

void parallelFor(long tasks, TaskFn fn, void* ctx) { pool()->run(tasks, fn, ctx); }

int poolThreads() { return pool()->threads; }

void setThreads(int n) {
  Pool* p = pool();
  if (n < 1) n = 1;
  if (n == p->threads) return;
  p->stop();
  p->start(n);
}

}  // namespace tessera
