/* Memory bandwidth by a STREAM-like triad: a[i] = b[i] + s * c[i] over arrays far larger
 * than the caches.
 *
 *   gcc -O2 -march=native -pthread bench/peak/triad.c -o bench/out/triad
 *   bench/out/triad [threads=1] [mib_per_array=256] [repeats=10]
 *
 * Bytes counted per element as STREAM does: 8 read (b, c) + 4 written (a) = 12 for floats,
 * ignoring the write-allocate read of a (so the figure is comparable with STREAM's).
 * Each thread owns a contiguous slice and touches it first (first-touch page placement).
 * Prints one JSON object with every repeat's GB/s (1 GB = 1e9 bytes).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  float *a, *b, *c;
  size_t begin, end;
  pthread_barrier_t *start, *done;
  int repeats;
} slice_t;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *worker(void *arg) {
  slice_t *s = arg;
  for (size_t i = s->begin; i < s->end; i++) { s->a[i] = 0; s->b[i] = 1; s->c[i] = 2; }
  const float scalar = 3.0f;
  for (int r = 0; r < s->repeats; r++) {
    pthread_barrier_wait(s->start);
    for (size_t i = s->begin; i < s->end; i++) s->a[i] = s->b[i] + scalar * s->c[i];
    pthread_barrier_wait(s->done);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  long mib = argc > 2 ? atol(argv[2]) : 256;
  int repeats = argc > 3 ? atoi(argv[3]) : 10;
  if (threads < 1 || threads > 64 || mib < 1 || repeats < 1 || repeats > 1000) {
    fprintf(stderr, "triad: expected [threads 1..64] [mib_per_array >= 1] [repeats 1..1000]\n");
    return 2;
  }
  size_t n = (size_t)mib * 1024 * 1024 / sizeof(float);
  float *a = aligned_alloc(64, n * sizeof(float)), *b = aligned_alloc(64, n * sizeof(float)),
        *c = aligned_alloc(64, n * sizeof(float));
  if (!a || !b || !c) { fprintf(stderr, "triad: cannot allocate 3 x %ld MiB\n", mib); return 1; }
  pthread_barrier_t start, done;
  pthread_barrier_init(&start, NULL, threads + 1);
  pthread_barrier_init(&done, NULL, threads + 1);
  pthread_t ids[64];
  slice_t slices[64];
  for (int t = 0; t < threads; t++) {
    slices[t] = (slice_t){ a, b, c, n * t / threads, n * (t + 1) / threads, &start, &done, repeats };
    pthread_create(&ids[t], NULL, worker, &slices[t]);
  }
  printf("{\"threads\": %d, \"mib_per_array\": %ld, \"bytes_per_pass\": %zu, \"gbps\": [", threads, mib, 12 * n);
  for (int r = 0; r < repeats; r++) {
    pthread_barrier_wait(&start); /* every thread has finished the previous pass (or its init) */
    double t0 = now();
    pthread_barrier_wait(&done);
    double dt = now() - t0;
    printf("%s%.3f", r ? ", " : "", 12.0 * n / dt / 1e9);
  }
  for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
  double check = 0;
  for (size_t i = 0; i < n; i += 4096) check += a[i];
  printf("], \"check\": %g}\n", check / (double)((n + 4095) / 4096));
  return 0;
}
