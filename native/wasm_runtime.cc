// What the WebAssembly build needs in place of libc's allocator and std::thread (native builds
// use thread_pool.cc and the C library instead): a thread-safe allocator over the shared linear
// memory, and thread_pool.h's parallelFor run by Web/Node workers that JavaScript starts
// (src/backend/wasm/module.ts). Every worker instantiates the same module on the same shared
// memory and parks in tessera_worker_loop.
#include <stddef.h>
#include <stdint.h>
#include "thread_pool.h"
#include "pool_claim.h"

extern "C" unsigned char __heap_base;

namespace {

// ---- allocator -------------------------------------------------------------------------------
// Size classes four to a doubling (≤ 25% slack), each with a free list; blocks are carved from
// the top of the heap and never given back, like the js backend's host pool (src/backend/js/
// host-pool.ts): a training step frees and re-creates the same few dozen sizes. Every block has a
// 64-byte header (its class), so payloads are 64-byte aligned (one cache line, any SIMD width).
constexpr uintptr_t kHeader = 64;
constexpr int kClasses = 4 * 32;
struct FreeBlock { FreeBlock* next; };
FreeBlock* freeLists[kClasses];
uintptr_t heapTop = 0, heapEnd = 0;
int lock = 0;

void acquire() {
  while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE) != 0) {
    while (__atomic_load_n(&lock, __ATOMIC_RELAXED) != 0) {}
  }
}
void release() { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

// The smallest class holding `bytes`: class c holds (4 + c % 4) · 2^(c / 4) · 16 bytes.
int classOf(size_t bytes) {
  size_t units = (bytes + 15) / 16;
  if (units < 4) units = 4;
  int c = 0;
  size_t base = 1;  // units is in [4·base, 8·base)
  while (base * 8 <= units) { base *= 2; c += 4; }
  const size_t steps = (units + base - 1) / base - 4;  // 0 … 4; 4 is the next doubling's first class
  return c + (int)steps;
}
size_t classBytes(int c) { return (size_t)(4 + c % 4) << (c / 4) << 4; }

}  // namespace

extern "C" {

__attribute__((export_name("malloc"))) void* malloc(size_t size) {
  const int c = classOf(size);
  if (c >= kClasses || size > 0xC0000000u) return nullptr;
  acquire();
  FreeBlock* b = freeLists[c];
  if (b != nullptr) {
    freeLists[c] = b->next;
    release();
    return b;
  }
  if (heapTop == 0) heapTop = heapEnd = ((uintptr_t)&__heap_base + kHeader - 1) / kHeader * kHeader;
  const uintptr_t need = kHeader + classBytes(c);
  if (heapEnd - heapTop < need) {
    const uintptr_t pages = (need - (heapEnd - heapTop) + 65535) / 65536;
    const uintptr_t grownAt = __builtin_wasm_memory_grow(0, pages);
    if (grownAt == (uintptr_t)-1) { release(); return nullptr; }
    // The memory's end, wherever other growth left it (only this allocator grows it).
    heapEnd = (grownAt + pages) * 65536;
  }
  uintptr_t block = heapTop;
  heapTop += need;
  release();
  *(int*)block = c;
  return (void*)(block + kHeader);
}

__attribute__((export_name("free"))) void free(void* p) {
  if (p == nullptr) return;
  const int c = *(int*)((uintptr_t)p - kHeader);
  acquire();
  FreeBlock* b = (FreeBlock*)p;
  b->next = freeLists[c];
  freeLists[c] = b;
  release();
}

// The compiler turns malloc followed by zeroing (a std::vector of zeros) into calloc.
void* calloc(size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) return nullptr;
  void* p = malloc(count * size);
  if (p != nullptr) __builtin_memset(p, 0, count * size);
  return p;
}

void* aligned_alloc(size_t alignment, size_t size) { return alignment <= kHeader ? malloc(size) : nullptr; }

// A thread_local with a destructor (conv_direct.cc's scratch) registers it here on first use.
// Workers run until the module is dropped and their memory goes with it: nothing to run.
int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }

}  // extern "C"

// ---- thread pool -----------------------------------------------------------------------------
// thread_pool.cc's design in wasm atomics: one job at a time, posted by the calling thread (worker
// 0), tasks claimed one by one from pool_claim.h's word (the caller from the front, workers from
// the back), so a worker that is slow to wake (asleep, or preempted on a busy machine) costs
// nothing: the caller claims the rest itself and then waits only for tasks a worker has actually
// started. (Waiting for every worker to check in, as this pool first did, made two threads 0.45x
// one under load.) A worker that wakes late finds its generation gone and its compare-and-swap
// failing, so it never runs a task of a job whose fn/ctx it did not see.
namespace {

// Spin iterations (an atomic load each, ~1 ns) before memory.atomic.wait: ~100 us, as the native
// pool's spin, since a training step's next kernel call comes within microseconds and a wake-up
// from a wait costs tens of microseconds.
constexpr int kSpin = 100000;

struct Pool {
  uint64_t claim = 0;     // (generation, back, front): pool_claim.h
  long tasks = 0;         // the current job's task count
  uint64_t generation = 0;
  int done = 0;           // tasks of the current job finished (the caller waits for count)
  int wake = 0;           // bumped per job and at stop; idle workers wait on it
  int sleepers = 0;       // workers inside memory.atomic.wait on `wake` (the caller notifies only then)
  int threads = 1;        // pool size, the caller included; workers with id >= threads sit out
  int stopping = 0;
  int callerWaits = 0;    // may the calling thread block (Node: yes; a browser's main thread: no)
  tessera::TaskFn fn = nullptr;
  void* ctx = nullptr;
} pool;

void runTasks(int worker) {
  uint64_t w = __atomic_load_n(&pool.claim, __ATOMIC_ACQUIRE), task, next;
  for (;;) {
    if (!tessera::nextClaim(w, worker, task, next)) return;
    if (!__atomic_compare_exchange_n(&pool.claim, &w, next, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
    // The task is ours and its job is still running: fn and ctx are that job's.
    const int tasks = (int)pool.tasks;
    pool.fn(pool.ctx, (long)task, worker);
    if (__atomic_add_fetch(&pool.done, 1, __ATOMIC_ACQ_REL) == tasks && worker != 0) {
      __builtin_wasm_memory_atomic_notify(&pool.done, 1);
    }
    w = __atomic_load_n(&pool.claim, __ATOMIC_ACQUIRE);
  }
}
}  // namespace

namespace tessera {

int poolThreads() { return pool.threads; }

void parallelFor(long tasks, TaskFn fn, void* ctx) {
  if (pool.threads <= 1 || tasks <= 1 || (uint64_t)tasks > tessera::kClaimMaxTasks) {
    for (long t = 0; t < tasks; t++) fn(ctx, t, 0);
    return;
  }
  pool.fn = fn; pool.ctx = ctx;
  __atomic_store_n(&pool.done, 0, __ATOMIC_RELAXED);
  pool.generation = (pool.generation + 1) & tessera::kClaimGenerationMask;
  pool.tasks = tasks;
  __atomic_store_n(&pool.claim, tessera::claimWord(pool.generation, (uint64_t)tasks), __ATOMIC_SEQ_CST);
  __atomic_fetch_add(&pool.wake, 1, __ATOMIC_SEQ_CST);
  // A worker counts itself a sleeper before it waits, and its wait returns at once if `wake` moved.
  // All sleepers: a notify for n may wake workers that sit out (id >= threads) instead of those in.
  if (__atomic_load_n(&pool.sleepers, __ATOMIC_SEQ_CST) > 0) __builtin_wasm_memory_atomic_notify(&pool.wake, -1);
  runTasks(0);
  // Only tasks a worker has claimed and not finished are left: spin a little, then (where the
  // calling thread may block) wait in slices, the wasm stand-in for yielding the core.
  for (int spin = 0;; spin++) {
    const int d = __atomic_load_n(&pool.done, __ATOMIC_ACQUIRE);
    if (d >= tasks) return;
    if (spin > kSpin && pool.callerWaits) __builtin_wasm_memory_atomic_wait32(&pool.done, d, 50000);
  }
}

}  // namespace tessera

extern "C" {

/** A worker's life: wait for a job, take tasks; returns when the pool stops. */
__attribute__((export_name("tessera_worker_loop"))) void tessera_worker_loop(int id) {
  int seen = __atomic_load_n(&pool.wake, __ATOMIC_ACQUIRE);
  for (;;) {
    for (int spin = 0; __atomic_load_n(&pool.wake, __ATOMIC_ACQUIRE) == seen; spin++) {
      if (spin < kSpin) continue;
      __atomic_fetch_add(&pool.sleepers, 1, __ATOMIC_SEQ_CST);
      __builtin_wasm_memory_atomic_wait32(&pool.wake, seen, -1);
      __atomic_fetch_sub(&pool.sleepers, 1, __ATOMIC_SEQ_CST);
    }
    seen = __atomic_load_n(&pool.wake, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&pool.stopping, __ATOMIC_ACQUIRE)) return;
    if (id >= pool.threads) continue;
    runTasks(id);
  }
}

/** Called by JavaScript once workers 1 ... n-1 are parked in tessera_worker_loop. */
__attribute__((export_name("tessera_set_threads"))) void tessera_set_threads(int n) { pool.threads = n < 1 ? 1 : n; }

/** Whether the calling thread may block in memory.atomic.wait (never on a browser's main thread). */
__attribute__((export_name("tessera_set_caller_waits"))) void tessera_set_caller_waits(int waits) { pool.callerWaits = waits; }

/** Wakes every worker to return from tessera_worker_loop (their threads then end). */
__attribute__((export_name("tessera_stop_workers"))) void tessera_stop_workers() {
  pool.threads = 1;
  __atomic_store_n(&pool.stopping, 1, __ATOMIC_RELEASE);
  __atomic_fetch_add(&pool.wake, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&pool.wake, -1);
}

/** After the stopped workers have ended: lets new ones (a later setThreads) run. */
__attribute__((export_name("tessera_restart_pool"))) void tessera_restart_pool() { __atomic_store_n(&pool.stopping, 0, __ATOMIC_RELEASE); }

}  // extern "C"
