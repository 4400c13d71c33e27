/* Core-to-core round trip: how long a cache line takes to go from CPU 0 to CPU 1 and back.
 *
 *   gcc -O2 -march=native -pthread bench/peak/core_latency.c -o bench/out/core_latency
 *   bench/out/core_latency [round trips=200000]
 *
 * Why the benchmark measures it: every multithreaded kernel hands data and a "done" flag from
 * one core to the other, and on this project's machines (2 vCPUs of a cloud VM) the host moves
 * the vCPUs around. Minutes apart, the round trip measured 75-130 ns (the two vCPUs sharing a
 * last-level cache, most likely) and 360-670 ns (apart), and W1 on 2 threads ran anywhere from 0.12 to 0.21
 * s/epoch. The two go together only loosely (the host can move a vCPU during a run), so the
 * figure is context printed next to each 2-thread result, not a correction. Thread 0 (CPU 0)
 * writes an odd number to a shared word and waits for the even reply
 * thread 1 (CPU 1) writes back. Prints one JSON object: the median of 5 batches in ns.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Atomic long word = 0;
static long trips = 200000;

static int pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void* responder(void* arg) {
  long batches = *(long*)arg;
  pin(1);
  for (long b = 0; b < batches; b++) {
    for (long i = 0; i < trips; i++) {
      long want = 2 * (b * trips + i) + 1;
      while (atomic_load_explicit(&word, memory_order_acquire) != want) {}
      atomic_store_explicit(&word, want + 1, memory_order_release);
    }
  }
  return NULL;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc > 1) trips = atol(argv[1]);
  if (trips < 1) { fprintf(stderr, "core_latency: round trips must be >= 1\n"); return 2; }
  long batches = 5;
  pthread_t t;
  if (pin(0) != 0) { fprintf(stderr, "core_latency: cannot pin to CPU 0\n"); return 1; }
  if (pthread_create(&t, NULL, responder, &batches) != 0) { fprintf(stderr, "core_latency: no thread\n"); return 1; }
  double ns[5];
  for (long b = 0; b < batches; b++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < trips; i++) {
      long send = 2 * (b * trips + i) + 1;
      atomic_store_explicit(&word, send, memory_order_release);
      while (atomic_load_explicit(&word, memory_order_acquire) != send + 1) {}
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns[b] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / trips;
  }
  pthread_join(t, NULL);
  qsort(ns, 5, sizeof ns[0], cmp);
  printf("{\"round_trip_ns\": %.1f, \"min_ns\": %.1f, \"max_ns\": %.1f}\n", ns[2], ns[0], ns[4]);
  return 0;
}
