// A record of every thread-pool job, for measuring what the pool does inside a training step:
// set TESSERA_POOL_TRACE=FILE and each job's task count, tasks run by workers, the times it was
// published, its caller ran out of tasks, a worker first claimed one and it ended, and whether a
// worker was asleep when it was published, are written to FILE (tab-separated) at exit.
// bench/pool-trace.mjs names the jobs and sums them up. Off (one branch per job) otherwise.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <dlfcn.h>

namespace tessera {

class PoolTrace {
 public:
  /** The process's trace; on() is false unless TESSERA_POOL_TRACE names a file. */
  static PoolTrace& get() { static PoolTrace* t = new PoolTrace(); return *t; }
  bool on() const { return out_ != nullptr; }
  static int64_t now() { return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

  /** The caller publishes a job of `tasks` tasks of `fn` (serial: run on the calling thread alone). */
  void publish(void* fn, long tasks, bool serial) {
    job_ = Job{fn, static_cast<uint32_t>(tasks), 0, now(), 0, 0, 0, serial ? -1 : sleeping_.load()};
    workerFirst_ = 0;
    workerTasks_ = 0;
  }
  /** A worker (not the caller) claimed a task of the current job. */
  void workerClaimed() {
    int64_t zero = 0;
    workerFirst_.compare_exchange_strong(zero, now());
    workerTasks_.fetch_add(1);
  }
  void callerDone() { job_.callerDone = now(); }
  void end() {
    job_.end = now();
    if (job_.callerDone == 0) job_.callerDone = job_.end;
    job_.workerFirst = workerFirst_.load();
    job_.workerTasks = workerTasks_.load();
    if (jobs_.size() < jobs_.capacity()) jobs_.push_back(job_);
  }
  void sleeps(int delta) { sleeping_ += delta; }

 private:
  struct Job { void* fn; uint32_t tasks, workerTasks; int64_t publish, callerDone, workerFirst, end; int sleepers; };
  FILE* out_ = nullptr;
  std::vector<Job> jobs_;
  Job job_{};
  std::atomic<int64_t> workerFirst_{0};
  std::atomic<uint32_t> workerTasks_{0};
  std::atomic<int> sleeping_{0};

  PoolTrace() {
    const char* path = std::getenv("TESSERA_POOL_TRACE");
    if (path == nullptr || *path == '\0') return;
    out_ = std::fopen(path, "w");
    if (out_ == nullptr) return;
    jobs_.reserve(1 << 20);  // ~50 MB: an hour of W1 steps; later jobs are dropped, not reallocated mid-run
    std::atexit([] { get().dump(); });
  }
  // One line per job: the task function's offset in this library (for `nm`), then the fields above.
  void dump() {
    for (const Job& j : jobs_) {
      Dl_info info;
      const long offset = dladdr(j.fn, &info) != 0 ? static_cast<char*>(j.fn) - static_cast<char*>(info.dli_fbase) : 0;
      std::fprintf(out_, "%lx\t%u\t%u\t%lld\t%lld\t%lld\t%lld\t%d\n", offset, j.tasks, j.workerTasks, static_cast<long long>(j.publish),
          static_cast<long long>(j.callerDone), static_cast<long long>(j.workerFirst), static_cast<long long>(j.end), j.sleepers);
    }
    std::fclose(out_);
    out_ = nullptr;
  }
};

}  // namespace tessera
