// Direct convolution driver. Per image, the input is laid out as zero-padded "phase planes":
// with stride s, plane (ry, rx) of channel ci holds xpad[a·sh + ry][b·sw + rx] (xpad: x with its
// zero padding), Wq columns wide. A tap (ki, kj) of output (oy, ox) then reads plane
// ((ki·dh) mod sh, (kj·dw) mod sw) at row oy + ki·dh div sh, column ox + kj·dw div sw: one
// fixed offset per tap from the output's flattened grid position q = oy·Wq + ox. The ISA kernels
// (conv_kernel.inc) compute the whole grid, columns ox ≥ ow included (discarded, ≤ a few %),
// so their inner loops are plain vector loads and FMAs.
//
// The input gradient (and ConvTranspose2d) is the same kernel run on the output gradient with
// the kernel flipped and transposed, split into the s² phases of the input grid (stride s):
// each phase is a stride-1 correlation with the taps that land on it, so no multiply is by an
// inserted zero and nothing is scattered.
//
// Threads split the batch (the weight gradient: blocks of images × groups of output channels):
// each image's planes and grid live in per-thread scratch, in L2.
#include "conv_direct.h"
#include <cmath>
#include <cstring>
#include <vector>
#include "thread_pool.h"

namespace tessera {
namespace {

inline long roundUp(long v, long m) { return (v + m - 1) / m * m; }

// Portable 4-lane vectors (SSE2 here, SIMD128 in the wasm build) for the data movement around
// the ISA kernels: deinterleaving stride-2 columns. (The 2×2 max pool is an ISA kernel: simd_pool.inc.)
typedef float v4f __attribute__((vector_size(16)));

inline v4f load4(const float* p) { v4f v; std::memcpy(&v, p, sizeof v); return v; }

// Where everything sits for one convolution's grid.
struct GridLayout {
  long hq, wq;        // phase plane rows and columns
  long phases;        // sh·sw
  long planeStride;   // floats per phase plane (≥ every read of the kernels)
  long len;           // grid length: oh·wq rounded up to kConvGridAlign
  std::vector<long> tapOff;  // per tap: phase·planeStride + row offset·wq + column offset
};

GridLayout layoutFor(long oh, long ow, long kh, long kw, long sh, long sw, long dh, long dw) {
  GridLayout L;
  const long hNeed = (oh - 1) * sh + (kh - 1) * dh + 1, wNeed = (ow - 1) * sw + (kw - 1) * dw + 1;
  L.hq = (hNeed + sh - 1) / sh;
  L.wq = (wNeed + sw - 1) / sw;
  L.phases = sh * sw;
  L.len = roundUp(oh * L.wq, kConvGridAlign);
  const long offMax = ((kh - 1) * dh / sh) * L.wq + (kw - 1) * dw / sw;
  L.planeStride = roundUp(std::max(L.hq * L.wq, L.len + offMax), 16);
  L.tapOff.resize(kh * kw);
  for (long ki = 0; ki < kh; ki++) {
    for (long kj = 0; kj < kw; kj++) {
      const long phase = ((ki * dh) % sh) * sw + (kj * dw) % sw;
      L.tapOff[ki * kw + kj] = phase * L.planeStride + (ki * dh / sh) * L.wq + kj * dw / sw;
    }
  }
  return L;
}

// The phase planes of one image's c channels (x: [c, h, w]) into dst [c][phases][planeStride].
void fillPlanes(const float* x, long c, long h, long w, long sh, long sw, long ph, long pw, const GridLayout& L, float* dst) {
  std::memset(dst, 0, sizeof(float) * c * L.phases * L.planeStride);
  if (sw == 2) {
    // Stride 2 across (the autoencoders' down- and upsampling layers): each input row is read once
    // and split into its two column phases, four pairs at a time. Column ix lands in the phase of
    // (ix + pw) mod 2 at b = (ix + pw) div 2: x[2k] at k + ⌊pw/2⌋, x[2k + 1] at k + ⌈pw/2⌉.
    const long rxEven = pw % 2, bEven = pw / 2, bOdd = (pw + 1) / 2;
    for (long ch = 0; ch < c; ch++) {
      for (long ry = 0; ry < sh; ry++) {
        float* even = dst + (ch * L.phases + ry * 2 + rxEven) * L.planeStride;
        float* odd = dst + (ch * L.phases + ry * 2 + 1 - rxEven) * L.planeStride;
        for (long a = 0; a < L.hq; a++) {
          const long iy = a * sh + ry - ph;
          if (iy < 0 || iy >= h) continue;
          const float* xr = x + (ch * h + iy) * w;
          float* pe = even + a * L.wq + bEven;
          float* po = odd + a * L.wq + bOdd;
          long k = 0;
          for (; 2 * k + 8 <= w && k + 4 + bOdd <= L.wq; k += 4) {
            const v4f lo = load4(xr + 2 * k), hi = load4(xr + 2 * k + 4);
            const v4f e = __builtin_shufflevector(lo, hi, 0, 2, 4, 6), o = __builtin_shufflevector(lo, hi, 1, 3, 5, 7);
            std::memcpy(pe + k, &e, sizeof e);
            std::memcpy(po + k, &o, sizeof o);
          }
          // bOdd ≥ bEven: where the even column is past the plane or the row, so is the odd one.
          for (; 2 * k < w && k + bEven < L.wq; k++) {
            pe[k] = xr[2 * k];
            if (2 * k + 1 < w && k + bOdd < L.wq) po[k] = xr[2 * k + 1];
          }
        }
      }
    }
    return;
  }
  for (long ch = 0; ch < c; ch++) {
    for (long ry = 0; ry < sh; ry++) {
      for (long rx = 0; rx < sw; rx++) {
        float* plane = dst + (ch * L.phases + ry * sw + rx) * L.planeStride;
        // Columns b with 0 ≤ b·sw + rx − pw < w.
        const long base = rx - pw;
        const long bLo = base >= 0 ? 0 : (-base + sw - 1) / sw;
        long bHi = w - base <= 0 ? 0 : (w - base + sw - 1) / sw;
        if (bHi > L.wq) bHi = L.wq;
        for (long a = 0; a < L.hq; a++) {
          const long iy = a * sh + ry - ph;
          if (iy < 0 || iy >= h) continue;
          const float* xr = x + (ch * h + iy) * w + base;
          float* pr = plane + a * L.wq;
          if (sw == 1) { if (bHi > bLo) std::memcpy(pr + bLo, xr + bLo, sizeof(float) * (bHi - bLo)); continue; }
          for (long b = bLo; b < bHi; b++) pr[b] = xr[b * sw];
        }
      }
    }
  }
}

// Asks for floats [p, p + n) ahead of use: each image's input streams from memory (W2's maps are
// 12.8 MB) while the one before it is computed, instead of stalling the plane fill. (Prefetching
// the outputs for writing measured no gain.) Prefetches never fault.
inline void prefetchFloats(const float* p, long n) {
  for (long i = 0; i < n; i += 16) __builtin_prefetch(p + i, 0, 3);
}

thread_local std::vector<float> tlsScratch;

float* scratch(long floats) {
  if (static_cast<long>(tlsScratch.size()) < floats) tlsScratch.resize(floats);
  return tlsScratch.data();
}

}  // namespace

void convForward(const IsaKernels* K, const float* x, const float* w, const float* bias, float* y,
    const ConvGeometry& g, long cout, int act, float* argmax) {
  if (g.n == 0 || cout == 0 || g.oh * g.ow == 0) return;
  // With argmax: the 2×2 pool of each channel's map, read from the grid while it is in this
  // thread's cache, so the full-size map is never stored (W2's first layer writes 12.8 MB and
  // the pool read them back: bench/RESULTS.md, "The first convolution and its pool in one pass").
  const long pooledH = g.oh / 2, pooledW = g.ow / 2;
  const GridLayout L = layoutFor(g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
  const long inFloats = g.c * L.phases * L.planeStride, taps = g.kh * g.kw;
  parallelRange(g.n, 1, [&](long begin, long end) {
    float* planes = scratch(inFloats + cout * L.len);
    float* grid = planes + inFloats;
    for (long b = begin; b < end; b++) {
      fillPlanes(x + b * g.c * g.h * g.w, g.c, g.h, g.w, g.sh, g.sw, g.ph, g.pw, L, planes);
      if (b + 1 < end) prefetchFloats(x + (b + 1) * g.c * g.h * g.w, g.c * g.h * g.w);
      K->convGridForward(planes, L.phases * L.planeStride, L.tapOff.data(), taps, g.c, w, cout, grid, L.len, L.len);
      for (long co = 0; co < cout; co++) {
        const float bv = bias != nullptr ? bias[co] : 0.0f;
        float* gc = grid + co * L.len;
        if (argmax != nullptr) {
          // The bias first, as the stored map has it, then maxPoolForward's row kernel on the grid's
          // rows, with the indices of the map it stands for (rows ow apart): the same values and argmax.
          for (long oy = 0; oy < 2 * pooledH; oy++)
            for (long ox = 0; ox < 2 * pooledW; ox++) gc[oy * L.wq + ox] += bv;
          const long plane = (b * cout + co) * pooledH * pooledW;
          for (long py = 0; py < pooledH; py++)
            K->maxPool2x2Row(gc + 2 * py * L.wq, gc + (2 * py + 1) * L.wq, y + plane + py * pooledW, argmax + plane + py * pooledW,
                pooledW, 2 * py * g.ow, g.ow);
          // The activation on the pooled plane (relu after the pool is the pool after relu: max commutes with it).
          if (act != ACT_NONE) K->epilogue(y + plane, 0, 1, pooledH * pooledW, nullptr, act);
          continue;
        }
        float* yc = y + (b * cout + co) * g.oh * g.ow;
        for (long oy = 0; oy < g.oh; oy++)
          for (long ox = 0; ox < g.ow; ox++) yc[oy * g.ow + ox] = gc[oy * L.wq + ox] + bv;
      }
      if (act != ACT_NONE && argmax == nullptr) K->epilogue(y + b * cout * g.oh * g.ow, 0, 1, cout * g.oh * g.ow, nullptr, act);
    }
  });
}

void convBackwardData(const IsaKernels* K, const float* gy, const float* w, const float* bias, float* gx,
    const ConvGeometry& g, long cout, int act) {
  if (g.n == 0 || g.c == 0 || g.h * g.w == 0) return;
  if (cout == 0 || g.oh * g.ow == 0) {
    for (long i = 0; i < g.n * g.c * g.h * g.w; i++) gx[i] = bias != nullptr ? bias[(i / (g.h * g.w)) % g.c] : 0.0f;
    if (act != ACT_NONE) K->epilogue(gx, 0, 1, g.n * g.c * g.h * g.w, nullptr, act);
    return;
  }
  // gx[iy][ix] = Σ_{co, ki, kj} w[co][ci][ki][kj] · gy[oy][ox] where oy·sh = iy + ph − ki·dh. Split
  // gx into sh·sw phases (iy mod sh, ix mod sw): within one phase the taps that ever divide
  // exactly are fixed, and each reads gy at a fixed offset, so every phase is a stride-1
  // correlation of the zero-bordered gy planes with its own taps, written back with stride s.
  const long offY = (g.kh - 1) * g.dh - g.ph, offX = (g.kw - 1) * g.dw - g.pw;
  auto floorDiv = [](long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  // Rows/columns of zero border above/left of gy so that every offset is ≥ 0.
  const long mT = offY > 0 ? (offY + g.sh - 1) / g.sh : 0, mL = offX > 0 ? (offX + g.sw - 1) / g.sw : 0;
  // A phase: its first row and column, its rows and columns, and per tap the gy plane offset
  // (row, column) until the plane width is known, then row·width + column.
  struct Phase { long ry, rx, ha, wb; std::vector<long> rows, cols, tapOff; std::vector<float> w; };
  std::vector<Phase> phases;
  long maxRowOff = 0, maxColOff = 0;
  for (long ry = 0; ry < g.sh && ry < g.h; ry++) {
    for (long rx = 0; rx < g.sw && rx < g.w; rx++) {
      Phase ph{ry, rx, (g.h - ry + g.sh - 1) / g.sh, (g.w - rx + g.sw - 1) / g.sw, {}, {}, {}, {}};
      std::vector<long> kis, kjs;
      // With the flipped index kf = kh − 1 − ki, row a of the phase reads gy row a + ty / sh,
      // ty = ry + kf·dh − offY, when sh divides ty (the same for columns).
      for (long kf = 0; kf < g.kh; kf++) {
        const long ty = ry + kf * g.dh - offY;
        if (((ty % g.sh) + g.sh) % g.sh == 0) kis.push_back(kf);
      }
      for (long kf = 0; kf < g.kw; kf++) {
        const long tx = rx + kf * g.dw - offX;
        if (((tx % g.sw) + g.sw) % g.sw == 0) kjs.push_back(kf);
      }
      for (long kf : kis) for (long lf : kjs) {
        const long rowOff = floorDiv(ry + kf * g.dh - offY, g.sh) + mT, colOff = floorDiv(rx + lf * g.dw - offX, g.sw) + mL;
        maxRowOff = std::max(maxRowOff, rowOff);
        maxColOff = std::max(maxColOff, colOff);
        ph.rows.push_back(rowOff);
        ph.cols.push_back(colOff);
      }
      // Weights of this phase's taps, [ci][co][tap] (the kernel's [out][in][tap] with gx's channels out).
      const long pt = static_cast<long>(kis.size() * kjs.size());
      ph.w.resize(g.c * cout * (pt > 0 ? pt : 1));
      for (long ci = 0; ci < g.c; ci++)
        for (long co = 0; co < cout; co++) {
          long t = 0;
          for (long kf : kis) for (long lf : kjs)
            ph.w[(ci * cout + co) * pt + t++] = w[((co * g.c + ci) * g.kh + (g.kh - 1 - kf)) * g.kw + (g.kw - 1 - lf)];
        }
      phases.push_back(std::move(ph));
    }
  }
  const long haMax = (g.h + g.sh - 1) / g.sh, wbMax = (g.w + g.sw - 1) / g.sw;
  const long wg = std::max(mL + g.ow, wbMax + maxColOff);           // gy plane width (and the grid's)
  const long hg = std::max(mT + g.oh, haMax + maxRowOff);
  const long len = roundUp(haMax * wg, kConvGridAlign);
  const long planeStride = roundUp(std::max(hg * wg, len + maxRowOff * wg + maxColOff), 16);
  for (Phase& ph : phases)
    for (size_t t = 0; t < ph.rows.size(); t++) ph.tapOff.push_back(ph.rows[t] * wg + ph.cols[t]);
  const long inFloats = cout * planeStride, nPhases = static_cast<long>(phases.size());
  // Stride 2 across (ConvTranspose2d's upsampling): the two column phases of a row are computed
  // first, then interleaved into it four pairs at a time instead of stored one column apart.
  bool pairColumns = g.sw == 2 && g.w >= 2;
  for (const Phase& ph : phases) pairColumns = pairColumns && ph.tapOff.size() > 0;
  parallelRange(g.n, 1, [&](long begin, long end) {
    // One [c][len] grid per phase when the row pairs them, else one reused by each phase in turn.
    float* planes = scratch(inFloats + (pairColumns ? nPhases : 1) * g.c * len);
    for (long b = begin; b < end; b++) {
      if (b + 1 < end) prefetchFloats(gy + (b + 1) * cout * g.oh * g.ow, cout * g.oh * g.ow);
      std::memset(planes, 0, sizeof(float) * inFloats);
      for (long co = 0; co < cout; co++) {
        const float* src = gy + (b * cout + co) * g.oh * g.ow;
        float* plane = planes + co * planeStride;
        for (long oy = 0; oy < g.oh; oy++) std::memcpy(plane + (oy + mT) * wg + mL, src + oy * g.ow, sizeof(float) * g.ow);
      }
      float* dstImage = gx + b * g.c * g.h * g.w;
      for (long p = 0; p < nPhases; p++) {
        const Phase& ph = phases[p];
        const long pt = static_cast<long>(ph.tapOff.size());
        float* grid = planes + inFloats + (pairColumns ? p : 0) * g.c * len;  // [c][len] of this phase
        if (pt == 0) {
          for (long ci = 0; ci < g.c; ci++)
            for (long a = 0; a < ph.ha; a++)
              for (long bb = 0; bb < ph.wb; bb++) dstImage[(ci * g.h + a * g.sh + ph.ry) * g.w + bb * g.sw + ph.rx] = bias != nullptr ? bias[ci] : 0.0f;
          continue;
        }
        const long phaseLen = roundUp(ph.ha * wg, kConvGridAlign);
        K->convGridForward(planes, planeStride, ph.tapOff.data(), pt, cout, ph.w.data(), g.c, grid, len, phaseLen);
        if (pairColumns) continue;
        for (long ci = 0; ci < g.c; ci++) {
          const float* gc = grid + ci * len;
          const float bv = bias != nullptr ? bias[ci] : 0.0f;
          for (long a = 0; a < ph.ha; a++) {
            float* dst = dstImage + (ci * g.h + a * g.sh + ph.ry) * g.w + ph.rx;
            const float* row = gc + a * wg;
            if (g.sw == 1) for (long bb = 0; bb < ph.wb; bb++) dst[bb] = row[bb] + bv;
            else for (long bb = 0; bb < ph.wb; bb++) dst[bb * g.sw] = row[bb] + bv;
          }
        }
      }
      // Phases are ordered (ry, rx), so row phase ry's even and odd columns are phases 2·ry and 2·ry + 1.
      for (long p = 0; pairColumns && p < nPhases; p += 2) {
        const Phase& ph = phases[p];
        const float* evenGrid = planes + inFloats + p * g.c * len;
        const float* oddGrid = evenGrid + g.c * len;
        for (long ci = 0; ci < g.c; ci++) {
          const float bv = bias != nullptr ? bias[ci] : 0.0f;
          for (long a = 0; a < ph.ha; a++) {
            float* dst = dstImage + (ci * g.h + a * g.sh + ph.ry) * g.w;
            const float* even = evenGrid + ci * len + a * wg;
            const float* odd = oddGrid + ci * len + a * wg;
            long ix = 0;
            for (; ix + 8 <= g.w; ix += 8) {
              const v4f e = load4(even + ix / 2) + bv, o = load4(odd + ix / 2) + bv;
              const v4f lo = __builtin_shufflevector(e, o, 0, 4, 1, 5), hi = __builtin_shufflevector(e, o, 2, 6, 3, 7);
              std::memcpy(dst + ix, &lo, sizeof lo);
              std::memcpy(dst + ix + 4, &hi, sizeof hi);
            }
            for (; ix < g.w; ix++) dst[ix] = ((ix & 1) != 0 ? odd : even)[ix / 2] + bv;
          }
        }
      }
      if (act != ACT_NONE) K->epilogue(dstImage, 0, 1, g.c * g.h * g.w, nullptr, act);
    }
  });
}

namespace {
// The float lanes one output channel's weight gradient takes: kConvGridAlign floats a weight and bias.
long lanesPerChannelOf(long c, long taps, bool bias) { return (c * taps + (bias ? 1 : 0)) * kConvGridAlign; }
}  // namespace

long convWeightGroup(long c, long taps, bool bias, long cout) {
  constexpr long kLaneFloats = 1L << 20;  // 4 MiB of float lanes a thread (convBackwardWeight says why)
  return std::min(cout, std::max<long>(8, kLaneFloats / lanesPerChannelOf(c, taps, bias) / 8 * 8));
}

void convBackwardWeight(const IsaKernels* K, const float* x, const float* gy, float* gw, float* gbias,
    const ConvGeometry& g, long cout, const float* argmax, const float* pooledY, int act) {
  const long taps = g.kh * g.kw, wSize = cout * g.c * taps;
  if (g.n == 0 || g.oh * g.ow == 0 || wSize == 0) {
    if (wSize > 0) std::memset(gw, 0, sizeof(float) * wSize);
    if (gbias != nullptr && cout > 0) std::memset(gbias, 0, sizeof(float) * cout);
    return;
  }
  const GridLayout L = layoutFor(g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
  const long inFloats = g.c * L.phases * L.planeStride;
  // The kernel sums each weight in float lanes; every kFlushImages images they go into a double
  // partial, one per block of images, and the blocks' partials are added in block order at the end.
  // Blocks are fixed by n and the weights' size, never by the thread count, and each is summed
  // alone: whichever thread runs which blocks, the result is the same bits. (A partial per thread,
  // over n/2 images each, made the last bits depend on the count.) A block is kFlushImages images,
  // or a multiple where more than kMaxBlocks partials (or 16 MiB of them) would be needed.
  constexpr long kFlushImages = 16, kMaxBlocks = 256;
  // Per block: the weight sums, then (with gbias) the cout bias sums.
  const long per = wSize + (gbias != nullptr ? cout : 0);
  const long maxBlocks = std::max<long>(1, std::min<long>(kMaxBlocks, (1L << 21) / per));
  const long flushes = (g.n + kFlushImages - 1) / kFlushImages;
  const long blockImages = kFlushImages * ((flushes + maxBlocks - 1) / maxBlocks);
  const long blocks = (g.n + blockImages - 1) / blockImages;
  std::vector<double> partial(blocks * per, 0.0);
  // The float lanes are kConvGridAlign floats (64 bytes) per weight, in each thread's scratch (which
  // keeps its largest size): all of a 512→512 3×3 layer's would take 151 MB a thread. So the output
  // channels go in groups whose lanes fit kLaneFloats (4 MiB; a multiple of 8 channels, the kernel's
  // widest block, and at least 8), each group over the kFlushImages images before the next, the images'
  // planes filled again per group (at 8 channels of 512 inputs, 1.4% of the FMAs' work). A weight's
  // lanes and partial get the same sums in the same order whatever the groups, so they change no bit.
  // 512→512 3×3: 8 channels, 2.4 MB of lanes; W2's layers (at most 74 KB) are one group.
  const long lanesPerChannel = lanesPerChannelOf(g.c, taps, gbias != nullptr);
  const long group = convWeightGroup(g.c, taps, gbias != nullptr, cout);
  const long ohw = g.oh * g.ow, imageFloats = g.c * g.h * g.w, groups = (cout + group - 1) / group;
  // With argmax, gy is the 2×2 pool's gradient (conv2dMaxPool's): a plane of gyPlane floats per channel.
  const long gyPlane = argmax != nullptr ? (g.oh / 2) * (g.ow / 2) : ohw;
  // The tasks are (block, group) pairs, block-major, so that a wide layer (one block, many groups: 512→512
  // takes 64) is shared among threads too. A task writes only its group's part of its block's partial and
  // sums it as above, so the bits stay those of one thread. One run of tasks per thread, as the split by
  // thread count had it: each thread prefetches its next image within its run, and a run of 8 tasks
  // measured no better end to end for W2, whose layers are one group (bench/RESULTS.md, "Two threads for W2").
  const int threads = poolThreads();
  const long tasks = blocks * groups;
  parallelRange(tasks, (tasks + threads - 1) / threads, [&](long firstTask, long endTask) {
    float* planes = scratch(inFloats + group * L.len + group * lanesPerChannel + (act != ACT_NONE ? gyPlane : 0));
    float* grid = planes + inFloats;    // [group][L.len]: the group's gy rows
    float* lanes = grid + group * L.len;  // [group·c·taps][kConvGridAlign]: the weights', then [group][kConvGridAlign] the biases'
    float* masked = lanes + group * lanesPerChannel;  // with act: a pooled plane's gradient through act' (pooledY's), written before read
    std::memset(grid, 0, sizeof(float) * group * (L.len + lanesPerChannel));  // grid columns ≥ ow and its tail stay zero
    for (long block = firstTask / groups; block * groups < endTask; block++) {
      // This run's groups of the block: channels [cBegin, cEnd).
      const long cBegin = std::max(firstTask - block * groups, 0L) * group;
      const long cEnd = std::min(cout, std::min(endTask - block * groups, groups) * group);
      const long begin = block * blockImages, end = std::min(g.n, begin + blockImages);
      const long runEnd = std::min(g.n, (endTask + groups - 1) / groups * blockImages);  // past this run's last image
      double* acc = partial.data() + block * per;
      for (long f0 = begin; f0 < end; f0 += kFlushImages) {  // begin is a multiple of kFlushImages
        const long f1 = std::min(end, f0 + kFlushImages);
        for (long c0 = cBegin; c0 < cEnd; c0 += group) {
          const long cg = std::min(group, cout - c0);
          for (long b = f0; b < f1; b++) {
            fillPlanes(x + b * imageFloats, g.c, g.h, g.w, g.sh, g.sw, g.ph, g.pw, L, planes);
            // The next image this thread reads: the group's next, else the flush's first for the next group,
            // else the next flush's (or the next block's, at its first group) in this run.
            const long next = b + 1 < f1 ? b + 1 : c0 + group < cEnd ? f0 : f1 < runEnd ? f1 : -1;
            const long nextC0 = b + 1 < f1 ? c0 : c0 + group < cEnd ? c0 + group : f1 < end ? cBegin : 0;
            if (next >= 0) {
              prefetchFloats(x + next * imageFloats, imageFloats);
              prefetchFloats(gy + (next * cout + nextC0) * gyPlane, std::min(group, cout - nextC0) * gyPlane);
              if (argmax != nullptr) prefetchFloats(argmax + (next * cout + nextC0) * gyPlane, std::min(group, cout - nextC0) * gyPlane);
            }
            for (long co = 0; co < cg; co++) {
              const float* src = gy + (b * cout + c0 + co) * gyPlane;
              float* rows = grid + co * L.len;
              if (argmax == nullptr) {
                for (long oy = 0; oy < g.oh; oy++) std::memcpy(rows + oy * L.wq, src + oy * g.ow, sizeof(float) * g.ow);
                continue;
              }
              // The pool's backward (maxPoolBackward) into the grid's rows: zeros, then each window's
              // gradient added at its argmax, the same values as the stored map's. The argmax is iy·ow + ix
              // of the map, in the window's 2×2 corner: its offset from the corner, 0, 1, ow or ow + 1,
              // gives the grid's cell without a division or a branch (writing all four cells by the
              // offset, mispredicted branches made it 2.4× slower than this).
              const float* at = argmax + (b * cout + c0 + co) * gyPlane;
              if (act != ACT_NONE) {
                K->activationGrad(act, pooledY + (b * cout + c0 + co) * gyPlane, src, masked, gyPlane);
                src = masked;
              }
              for (long oy = 0; oy < g.oh; oy++) std::memset(rows + oy * L.wq, 0, sizeof(float) * g.ow);
              const long pooledW = g.ow / 2, down = L.wq - g.ow;
              for (long py = 0, i = 0; py < g.oh / 2; py++) {
                for (long px = 0; px < pooledW; px++, i++) {
                  if (!(at[i] >= 0)) continue;
                  const long off = static_cast<long>(at[i]) - 2 * (py * g.ow + px);
                  rows[2 * (py * L.wq + px) + off + (off >= g.ow) * down] += src[i];
                }
              }
            }
            K->convGridWeight(planes, L.phases * L.planeStride, L.tapOff.data(), taps, g.c, grid, L.len, cg, L.len,
                lanes, gbias != nullptr ? lanes + cg * g.c * taps * kConvGridAlign : nullptr);
          }
          // The group's weights are [c0·c·taps, (c0 + cg)·c·taps) of gw, its biases [c0, c0 + cg) of gbias.
          const long groupWeights = cg * g.c * taps, groupLanes = groupWeights + (gbias != nullptr ? cg : 0);
          for (long i = 0; i < groupLanes; i++) {
            const float* li = lanes + i * kConvGridAlign;
            double s = 0;
            for (long l = 0; l < kConvGridAlign; l++) s += li[l];
            acc[i < groupWeights ? c0 * g.c * taps + i : wSize + c0 + (i - groupWeights)] += s;
          }
          std::memset(lanes, 0, sizeof(float) * groupLanes * kConvGridAlign);
        }
      }
    }
  });
  for (long i = 0; i < per; i++) {
    double s = 0;
    for (long t = 0; t < blocks; t++) s += partial[t * per + i];
    if (i < wSize) gw[i] = static_cast<float>(s);
    else gbias[i - wSize] = static_cast<float>(s);
  }
}

void convForwardNaive(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g, long cout) {
  for (long b = 0; b < g.n; b++)
    for (long co = 0; co < cout; co++)
      for (long oy = 0; oy < g.oh; oy++)
        for (long ox = 0; ox < g.ow; ox++) {
          double s = bias != nullptr ? bias[co] : 0.0;
          for (long ci = 0; ci < g.c; ci++)
            for (long ki = 0; ki < g.kh; ki++)
              for (long kj = 0; kj < g.kw; kj++) {
                const long iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                s += static_cast<double>(w[((co * g.c + ci) * g.kh + ki) * g.kw + kj]) * x[((b * g.c + ci) * g.h + iy) * g.w + ix];
              }
          y[((b * cout + co) * g.oh + oy) * g.ow + ox] = static_cast<float>(s);
        }
}

void convBackwardDataNaive(const float* gy, const float* w, const float* bias, float* gx, const ConvGeometry& g, long cout) {
  std::vector<double> acc(g.n * g.c * g.h * g.w, 0.0);
  if (bias != nullptr) for (size_t i = 0; i < acc.size(); i++) acc[i] = bias[(static_cast<long>(i) / (g.h * g.w)) % g.c];
  for (long b = 0; b < g.n; b++)
    for (long co = 0; co < cout; co++)
      for (long oy = 0; oy < g.oh; oy++)
        for (long ox = 0; ox < g.ow; ox++) {
          const double gv = gy[((b * cout + co) * g.oh + oy) * g.ow + ox];
          for (long ci = 0; ci < g.c; ci++)
            for (long ki = 0; ki < g.kh; ki++)
              for (long kj = 0; kj < g.kw; kj++) {
                const long iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                acc[((b * g.c + ci) * g.h + iy) * g.w + ix] += gv * w[((co * g.c + ci) * g.kh + ki) * g.kw + kj];
              }
        }
  for (size_t i = 0; i < acc.size(); i++) gx[i] = static_cast<float>(acc[i]);
}

void convBackwardWeightNaive(const float* x, const float* gy, float* gw, float* gbias, const ConvGeometry& g, long cout) {
  for (long co = 0; gbias != nullptr && co < cout; co++) {
    double s = 0;
    for (long b = 0; b < g.n; b++)
      for (long p = 0; p < g.oh * g.ow; p++) s += gy[(b * cout + co) * g.oh * g.ow + p];
    gbias[co] = static_cast<float>(s);
  }
  for (long co = 0; co < cout; co++)
    for (long ci = 0; ci < g.c; ci++)
      for (long ki = 0; ki < g.kh; ki++)
        for (long kj = 0; kj < g.kw; kj++) {
          double s = 0;
          for (long b = 0; b < g.n; b++)
            for (long oy = 0; oy < g.oh; oy++)
              for (long ox = 0; ox < g.ow; ox++) {
                const long iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                s += static_cast<double>(gy[((b * cout + co) * g.oh + oy) * g.ow + ox]) * x[((b * g.c + ci) * g.h + iy) * g.w + ix];
              }
          gw[((co * g.c + ci) * g.kh + ki) * g.kw + kj] = static_cast<float>(s);
        }
}

namespace {

// The first maximum of a window (a NaN wins at once), as the general loop below picks it.
// Branch-free: which candidate wins is data, and mispredicted branches cost more than the pool.
inline void take(float v, long i, float& best, long& at) {
  const bool win = at < 0 || v > best || (v != v && best == best);
  best = win ? v : best;
  at = win ? i : at;
}

}  // namespace

void maxPoolForward(const IsaKernels* K, const float* x, float* y, float* argmax, const ConvGeometry& g) {
  const long planes = g.n * g.c, ohw = g.oh * g.ow;
  const bool twoByTwo = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1;
  parallelRange(planes, (1L << 14) / (ohw * g.kh * g.kw + 1) + 1, [&](long begin, long end) {
    for (long p = begin; p < end; p++) {
      const float* xp = x + p * g.h * g.w;
      if (twoByTwo) {
        // The autoencoders' pool: four candidates per output, no bounds checks, a row at a time.
        for (long oy = 0; oy < g.oh; oy++) {
          const long at = 2 * oy * g.w;
          K->maxPool2x2Row(xp + at, xp + at + g.w, y + p * ohw + oy * g.ow, argmax + p * ohw + oy * g.ow, g.ow, at, g.w);
        }
        continue;
      }
      for (long oy = 0; oy < g.oh; oy++) {
        for (long ox = 0; ox < g.ow; ox++) {
          float best = -INFINITY;
          long at = -1;
          for (long ki = 0; ki < g.kh && !(at >= 0 && best != best); ki++) {
            const long iy = oy * g.sh - g.ph + ki * g.dh;
            if (iy < 0 || iy >= g.h) continue;
            for (long kj = 0; kj < g.kw && !(at >= 0 && best != best); kj++) {
              const long ix = ox * g.sw - g.pw + kj * g.dw;
              if (ix < 0 || ix >= g.w) continue;
              take(xp[iy * g.w + ix], iy * g.w + ix, best, at);
            }
          }
          y[p * ohw + oy * g.ow + ox] = best;
          argmax[p * ohw + oy * g.ow + ox] = static_cast<float>(at);
        }
      }
    }
  });
}

void maxPoolBackward(const float* gy, const float* argmax, float* gx, const ConvGeometry& g) {
  const long planes = g.n * g.c, ohw = g.oh * g.ow, hw = g.h * g.w;
  parallelRange(planes, (1L << 14) / (hw + 1) + 1, [&](long begin, long end) {
    for (long p = begin; p < end; p++) {
      float* gp = gx + p * hw;
      std::memset(gp, 0, sizeof(float) * hw);
      for (long i = 0; i < ohw; i++) {
        const long at = static_cast<long>(argmax[p * ohw + i]);
        if (at >= 0) gp[at] += gy[p * ohw + i];
      }
    }
  });
}

}  // namespace tessera
