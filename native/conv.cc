// im2col / col2im. Each (image, channel) pair is independent in both directions (col2im's
// overlapping patches only ever add into their own channel), so threads split over n·c.
// The inner loop over output columns splits into the in-bounds range [oxLo, oxHi), a plain
// strided gather (a memcpy when the stride is 1), and zero padding on either side.
#include "conv.h"
#include <cstring>
#include "thread_pool.h"

namespace tessera {
namespace {

// Output columns ox with 0 ≤ ox·s − p + k·d < w, as [lo, hi).
inline void validRange(long s, long p, long kOff, long w, long ow, long& lo, long& hi) {
  // ix = ox·s + base, base = kOff − p; need ix ≥ 0 and ix < w.
  const long base = kOff - p;
  lo = base >= 0 ? 0 : (-base + s - 1) / s;
  hi = w - base <= 0 ? 0 : (w - base + s - 1) / s;
  if (hi > ow) hi = ow;
  if (lo > hi) lo = hi;
}

void im2colChannel(const float* x, float* cols, const ConvGeometry& g, long plane) {
  const long ohw = g.oh * g.ow;
  const float* xc = x + plane * g.h * g.w;
  float* rowBase = cols + plane * g.kh * g.kw * ohw;  // (b·c + ch)·kh·kw rows of ohw
  for (long ki = 0; ki < g.kh; ki++) {
    for (long kj = 0; kj < g.kw; kj++) {
      float* row = rowBase + (ki * g.kw + kj) * ohw;
      long lo, hi;
      validRange(g.sw, g.pw, kj * g.dw, g.w, g.ow, lo, hi);
      for (long oy = 0; oy < g.oh; oy++) {
        float* r = row + oy * g.ow;
        const long iy = oy * g.sh - g.ph + ki * g.dh;
        if (iy < 0 || iy >= g.h) { std::memset(r, 0, sizeof(float) * g.ow); continue; }
        const float* xr = xc + iy * g.w + kj * g.dw - g.pw;  // xr[ox·sw] is x[iy, ox·sw − pw + kj·dw]
        for (long ox = 0; ox < lo; ox++) r[ox] = 0;
        if (g.sw == 1) std::memcpy(r + lo, xr + lo, sizeof(float) * (hi - lo));
        else for (long ox = lo; ox < hi; ox++) r[ox] = xr[ox * g.sw];
        for (long ox = hi; ox < g.ow; ox++) r[ox] = 0;
      }
    }
  }
}

void col2imChannel(const float* cols, float* out, const ConvGeometry& g, long plane) {
  const long ohw = g.oh * g.ow;
  float* oc = out + plane * g.h * g.w;
  std::memset(oc, 0, sizeof(float) * g.h * g.w);
  const float* rowBase = cols + plane * g.kh * g.kw * ohw;
  for (long ki = 0; ki < g.kh; ki++) {
    for (long kj = 0; kj < g.kw; kj++) {
      const float* row = rowBase + (ki * g.kw + kj) * ohw;
      long lo, hi;
      validRange(g.sw, g.pw, kj * g.dw, g.w, g.ow, lo, hi);
      for (long oy = 0; oy < g.oh; oy++) {
        const long iy = oy * g.sh - g.ph + ki * g.dh;
        if (iy < 0 || iy >= g.h) continue;
        const float* r = row + oy * g.ow;
        float* xr = oc + iy * g.w + kj * g.dw - g.pw;
        if (g.sw == 1) for (long ox = lo; ox < hi; ox++) xr[ox] += r[ox];
        else for (long ox = lo; ox < hi; ox++) xr[ox * g.sw] += r[ox];
      }
    }
  }
}

}  // namespace

void im2col(const float* x, float* cols, const ConvGeometry& g) {
  const long planes = g.n * g.c;
  const long perPlane = g.kh * g.kw * g.oh * g.ow > 0 ? g.kh * g.kw * g.oh * g.ow : 1;
  parallelRange(planes, ((1L << 15) + perPlane - 1) / perPlane, [&](long begin, long end) {
    for (long p = begin; p < end; p++) im2colChannel(x, cols, g, p);
  });
}

void col2im(const float* cols, float* out, const ConvGeometry& g) {
  const long planes = g.n * g.c;
  const long perPlane = g.kh * g.kw * g.oh * g.ow > 0 ? g.kh * g.kw * g.oh * g.ow : 1;
  parallelRange(planes, ((1L << 15) + perPlane - 1) / perPlane, [&](long begin, long end) {
    for (long p = begin; p < end; p++) col2imChannel(cols, out, g, p);
  });
}

}  // namespace tessera
