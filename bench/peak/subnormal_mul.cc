// What a subnormal operand costs one AVX-512 instruction on this core, per element over 64K floats
// (in L2), 200 passes: a multiply with a subnormal input (and output, or an output that underflows to
// 0), an add with one, and the float/double conversions either way, against a plain multiply.
// native/simd_optim.inc's subnormal path rests on these (bench/RESULTS.md, "Subnormal moments").
//   g++ -O2 -mavx512f -o /tmp/subnormal_mul bench/peak/subnormal_mul.cc && /tmp/subnormal_mul
#include <immintrin.h>
#include <chrono>
#include <cstdio>
int main() {
  const int N = 1 << 16;
  alignas(64) static float a[N], b[N], o[N];
  alignas(64) static double d[N];
  auto run = [&](const char* name, auto f) {
    auto t0 = std::chrono::steady_clock::now();
    for (int rep = 0; rep < 200; rep++) f();
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / (200.0 * N);
    std::printf("%-40s %.3f ns an element (o[5] = %g)\n", name, ns, o[5]);
  };
  for (int i = 0; i < N; i++) { a[i] = 1.4e-45f; b[i] = 0.9f; d[i] = 1e-45; }
  run("mul: subnormal in, subnormal out", [&] { for (int i = 0; i < N; i += 16) _mm512_store_ps(o + i, _mm512_mul_ps(_mm512_load_ps(a + i), _mm512_load_ps(b + i))); });
  run("mul: subnormal in, 0 out", [&] { for (int i = 0; i < N; i += 16) _mm512_store_ps(o + i, _mm512_mul_ps(_mm512_load_ps(a + i), _mm512_set1_ps(1e-3f))); });
  run("add: subnormal + 0", [&] { for (int i = 0; i < N; i += 16) _mm512_store_ps(o + i, _mm512_add_ps(_mm512_load_ps(a + i), _mm512_setzero_ps())); });
  run("double to float, subnormal out", [&] { for (int i = 0; i < N; i += 8) _mm256_store_ps(o + i, _mm512_cvtpd_ps(_mm512_load_pd(d + i))); });
  run("float to double, subnormal in", [&] { for (int i = 0; i < N; i += 8) _mm512_store_pd(d + i, _mm512_cvtps_pd(_mm256_load_ps(a + i))); });
  for (int i = 0; i < N; i++) a[i] = 1.5f;
  run("mul: normal", [&] { for (int i = 0; i < N; i += 16) _mm512_store_ps(o + i, _mm512_mul_ps(_mm512_load_ps(a + i), _mm512_load_ps(b + i))); });
  return 0;
}
