// What the WebAssembly build needs in place of libc's allocator and std::thread (native builds
// use thread_pool.cc and the C library instead): a thread-safe allocator over the shared linear
// memory, and thread_pool.h's parallelFor run by Web/Node workers that JavaScript starts
// (src/backend/wasm/threads.ts). Every worker instantiates the same module on the same shared
// memory and parks in tessera_worker_loop.
#include <stddef.h>
#include <stdint.h>
#include "thread_pool.h"

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
// One job at a time, posted by the calling thread (worker 0): workers wake on `generation`, claim
// tasks from `next`, and the last one out wakes the caller, which has been taking tasks too.
namespace {
struct Pool {
  int generation = 0;     // bumped per job (and to stop the workers)
  int pending = 0;        // workers still inside the current job
  int threads = 1;        // pool size, the caller included; workers with id ≥ threads sit out
  int stopping = 0;
  long next = 0, tasks = 0;
  tessera::TaskFn fn = nullptr;
  void* ctx = nullptr;
} pool;

// Spins a little before sleeping: a job follows the last within microseconds in a training
// step, and a wake-up from memory.atomic.wait costs tens of microseconds.
void waitWhileEquals(int* addr, int value) {
  for (int spin = 0; spin < 20000; spin++) if (__atomic_load_n(addr, __ATOMIC_ACQUIRE) != value) return;
  while (__atomic_load_n(addr, __ATOMIC_ACQUIRE) == value) __builtin_wasm_memory_atomic_wait32(addr, value, -1);
}

void runTasks(int worker) {
  for (;;) {
    const long t = __atomic_fetch_add(&pool.next, 1, __ATOMIC_ACQ_REL);
    if (t >= pool.tasks) return;
    pool.fn(pool.ctx, t, worker);
  }
}
}  // namespace

namespace tessera {

int poolThreads() { return pool.threads; }

void parallelFor(long tasks, TaskFn fn, void* ctx) {
  if (pool.threads <= 1 || tasks <= 1) {
    for (long t = 0; t < tasks; t++) fn(ctx, t, 0);
    return;
  }
  pool.fn = fn; pool.ctx = ctx; pool.tasks = tasks;
  __atomic_store_n(&pool.next, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&pool.pending, pool.threads - 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&pool.generation, 1, __ATOMIC_RELEASE);
  __builtin_wasm_memory_atomic_notify(&pool.generation, pool.threads - 1);
  runTasks(0);
  for (int p; (p = __atomic_load_n(&pool.pending, __ATOMIC_ACQUIRE)) != 0;) waitWhileEquals(&pool.pending, p);
}

}  // namespace tessera

extern "C" {

/** A worker's life: wait for a job, take tasks, report done; returns when the pool stops. */
__attribute__((export_name("tessera_worker_loop"))) void tessera_worker_loop(int id) {
  int seen = __atomic_load_n(&pool.generation, __ATOMIC_ACQUIRE);
  for (;;) {
    waitWhileEquals(&pool.generation, seen);
    seen = __atomic_load_n(&pool.generation, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&pool.stopping, __ATOMIC_ACQUIRE)) return;
    if (id >= pool.threads) continue;
    runTasks(id);
    if (__atomic_sub_fetch(&pool.pending, 1, __ATOMIC_ACQ_REL) == 0) __builtin_wasm_memory_atomic_notify(&pool.pending, 1);
  }
}

/** Called by JavaScript once workers 1 … n−1 are parked in tessera_worker_loop. */
__attribute__((export_name("tessera_set_threads"))) void tessera_set_threads(int n) { pool.threads = n < 1 ? 1 : n; }

/** Wakes every worker to return from tessera_worker_loop (their threads then end). */
__attribute__((export_name("tessera_stop_workers"))) void tessera_stop_workers() {
  pool.threads = 1;
  __atomic_store_n(&pool.stopping, 1, __ATOMIC_RELEASE);
  __atomic_fetch_add(&pool.generation, 1, __ATOMIC_RELEASE);
  __builtin_wasm_memory_atomic_notify(&pool.generation, -1);
}

}  // extern "C"
