// SGEMM driver (BLIS-style loop nest around a register-blocked micro-kernel):
//
//   for jc in n by NC:                 B block [KC, NC] packed into NR-wide panels (L3/L2)
//     for pc in k by KC:
//       pack B[pc:pc+KC, jc:jc+NC]
//       for ic in m by MC:             A block [MC, KC] packed into MR-tall panels (L2)
//         pack A[ic:ic+MC, pc:pc+KC]
//         for jr in NC by NR:          one B micro-panel [KC, NR] stays in L1
//           for ir in MC by MR:        micro-kernel: C[MR, NR] (+)= Apanel · Bpanel
//
// Transposes cost nothing extra: packing reads A and B through (row, column) strides.
// The epilogue (bias + activation) runs on each C tile right after its last k block,
// while the tile is still in L1. Threads split the output into more independent blocks than
// there are threads (claimed one by one, so a thread that starts late or is preempted leaves
// its share to the others), over rows or over columns: gemmSplit says which, and why. A weight
// gradient over a batch may also be split into two halves of k, added after (splitsK).
#include "gemm.h"
#include <cstdlib>
#include <cstring>
#include "elementwise.h"
#include "thread_pool.h"

namespace tessera {
namespace {

struct Blocking { long mc, kc, nc; };

Blocking blockingFor(const IsaKernels* K) {
  // KC·NR·4 bytes of B micro-panel (+ MR·KC·4 of A) fit the 48 KiB L1; MC·KC·4 fits L2.
  if (K->mr == 14) return {14 * 12, 256, 1024};
  if (K->mr == 6) return {6 * 24, 256, 1024};
  return {4 * 32, 256, 2048};
}

/** Per-thread packing buffers, grown once and reused (no allocation on the hot path). */
struct PackBuffers {
  float* a = nullptr; long aCap = 0;
  float* b = nullptr; long bCap = 0;
  float* shared = nullptr; long sharedCap = 0;  // the calling thread's: all of B, packed for every block
  float* partial = nullptr; long partialCap = 0;  // the calling thread's: the second half of a split k (splitsK)
  static float* grow(float* p, long& cap, long need) {
    if (need <= cap) return p;
    std::free(p);
    long bytes = ((need * 4 + 63) / 64) * 64;
    cap = need;
    return static_cast<float*>(std::aligned_alloc(64, bytes));
  }
};
thread_local PackBuffers tlsBuffers;

/**
 * All of B packed once for blocks that split the rows: k block pc (rows [pc, pc + kc)), column
 * panel j of NR columns, lies at p + pc·npad + j·kc·NR (npad: the columns padded to panels).
 * A block whose first column is panel `panel0` reads its panels from there instead of packing.
 */
struct SharedB { const float* p; long npad, panel0; };

// C[m, n] (row stride ldc) = act(A[m, k]·B[k, n] + bias), one thread; with addToC (no bias or
// activation) C += A·B, each k block's sum added to C as the blocks after the first are.
void gemmSingle(const IsaKernels* K, long m, long n, long k, MatView A, MatView B, float* C, long ldc,
    const float* bias, int act, const SharedB* shared, bool addToC = false) {
  const int MR = K->mr, NR = K->nr;
  if (k == 0) {
    for (long i = 0; i < m; i++) std::memset(C + i * ldc, 0, sizeof(float) * n);
    if (bias != nullptr || act != ACT_NONE) K->epilogue(C, ldc, m, n, bias, act);
    return;
  }
  const Blocking bl = blockingFor(K);
  PackBuffers& buf = tlsBuffers;
  const long ncMax = n < bl.nc ? n : bl.nc, kcMax = k < bl.kc ? k : bl.kc, mcMax = m < bl.mc ? m : bl.mc;
  if (shared == nullptr) buf.b = PackBuffers::grow(buf.b, buf.bCap, kcMax * ((ncMax + NR - 1) / NR) * NR);
  buf.a = PackBuffers::grow(buf.a, buf.aCap, kcMax * ((mcMax + MR - 1) / MR) * MR);
  alignas(64) float edge[16 * 64];  // an MR × NR tile for partial tiles at the edges
  // With few column panels A is used only a few times per packing: read it in place instead
  // (full MR-row panels; the partial last panel is still packed). Not when A's rows are a
  // multiple of 4 KiB apart: MR rows would then share one L1 set and evict each other.
  const bool rowMajorA = A.cs == 1, transposedA = A.rs == 1 && A.cs != 1;
  const bool directA = (n + NR - 1) / NR <= 4 && (transposedA || (rowMajorA && (A.rs * 4) % 4096 != 0));
  // Likewise a row-major B (full NR-wide panels) when A has at most one MC block: a packed B
  // would serve a single pass over A, while read in place its micro-panel still stays in L1
  // across the MR-row panels. Measured: 64×784×256 (W1's dW) 213 → 254 GFLOP/s.
  const bool directB = shared == nullptr && B.cs == 1 && m <= bl.mc && (B.rs * 4) % 4096 != 0;
  for (long jc = 0; jc < n; jc += bl.nc) {
    const long nc = n - jc < bl.nc ? n - jc : bl.nc;
    for (long pc = 0; pc < k; pc += bl.kc) {
      const long kc = k - pc < bl.kc ? k - pc : bl.kc;
      const bool accumulate = pc > 0 || addToC, last = pc + kc == k;
      // B's panel dimension is its columns j (stride cs), k runs along its rows (stride rs).
      // Direct: only the partial panel after the full ones is packed.
      const long fullCols = directB ? nc / NR * NR : 0;
      if (shared == nullptr) K->packB(B.p + pc * B.rs + (jc + fullCols) * B.cs, B.cs, B.rs, nc - fullCols, kc, buf.b);
      for (long ic = 0; ic < m; ic += bl.mc) {
        const long mc = m - ic < bl.mc ? m - ic : bl.mc;
        // Direct: A is read in place. A short remainder is then merged with the last full tile
        // and the two are split evenly (14 + 4 rows → 9 + 9), so no tile runs on a few
        // accumulator rows. Only a block shorter than MR is still packed.
        const bool split = directA && mc > MR && mc % MR != 0;
        const long inPlace = !directA ? 0 : split ? mc : mc / MR * MR;
        const long splitAt = split ? mc - (MR + mc % MR) : mc, firstHalf = split ? (MR + mc % MR + 1) / 2 : 0;
        K->packA(A.p + (ic + inPlace) * A.rs + pc * A.cs, A.rs, A.cs, mc - inPlace, kc, buf.a);
        for (long jr = 0; jr < nc; jr += NR) {
          const long cols = nc - jr < NR ? nc - jr : NR;
          const bool inPlaceB = jr < fullCols;
          const float* pb = inPlaceB ? B.p + pc * B.rs + jc + jr
              : shared != nullptr ? shared->p + pc * shared->npad + (shared->panel0 + (jc + jr) / NR) * kc * NR
              : buf.b + ((jr - fullCols) / NR) * kc * NR;
          const long bStep = inPlaceB ? B.rs : NR;
          for (long ir = 0; ir < mc;) {
            const long rows = ir < splitAt ? (mc - ir < MR ? mc - ir : MR) : ir == splitAt ? firstHalf : mc - ir;
            float* c = C + (ic + ir) * ldc + jc + jr;
            float* dst = c;
            long ldd = ldc;
            if (cols != NR) {
              // A tile cut by the right edge: computed NR wide into `edge`, the valid part copied.
              dst = edge;
              ldd = NR;
              if (accumulate) for (long r = 0; r < rows; r++) std::memcpy(edge + r * NR, c + r * ldc, sizeof(float) * cols);
            }
            if (ir < inPlace) {
              const float* a0 = A.p + (ic + ir) * A.rs + pc * A.cs;
              const long aStep = rowMajorA ? A.rs : A.cs;
              if (rows < MR) K->gemmMicroEdge(static_cast<int>(rows), kc, a0, aStep, rowMajorA, pb, bStep, dst, ldd, accumulate);
              else if (rowMajorA) K->gemmMicroRows(kc, a0, aStep, pb, bStep, dst, ldd, accumulate);
              else K->gemmMicro(kc, a0, aStep, pb, bStep, dst, ldd, accumulate);
            } else {
              const float* pa = buf.a + ((ir - inPlace) / MR) * kc * MR;
              if (rows < MR) K->gemmMicroEdge(static_cast<int>(rows), kc, pa, MR, false, pb, bStep, dst, ldd, accumulate);
              else K->gemmMicro(kc, pa, MR, pb, bStep, dst, ldd, accumulate);
            }
            if (dst == edge) for (long r = 0; r < rows; r++) std::memcpy(c + r * ldc, edge + r * NR, sizeof(float) * cols);
            if (last && (bias != nullptr || act != ACT_NONE))
              K->epilogue(c, ldc, rows, cols, bias != nullptr ? bias + jc + jr : nullptr, act);
            ir += rows;
          }
        }
      }
    }
  }
}

struct Job {
  const IsaKernels* K;
  const BatchedGemm* g;
  long partsM, partsN;   // each batch item is split into partsM × partsN blocks
  const float* sharedB;  // B packed once for all blocks (batch 1 only), or null: each block packs its own
  long npad;             // sharedB's columns, padded to whole panels
  long kHalf;            // > 0: k summed in two halves, [0, kHalf) and [kHalf, k) (splitsK), each in its own tasks
  float* partial;        // the second half's sums (added to out after the job), or null: added to out by its tasks
};

// A (i, t): [m,k] → (k, 1); stored [k,m] → (1, m). B (t, j): [k,n] → (n, 1); stored [n,k] → (1, k).
MatView viewA(const BatchedGemm& g, const float* a, long m0) {
  return g.transA ? MatView{a + m0, 1, g.m} : MatView{a + m0 * g.k, g.k, 1};
}
MatView viewB(const BatchedGemm& g, const float* b, long n0) {
  return g.transB ? MatView{b + n0 * g.k, 1, g.k} : MatView{b + n0, g.n, 1};
}

void runBlock(void* ctx, long task, int) {
  const Job& job = *static_cast<const Job*>(ctx);
  const BatchedGemm& g = *job.g;
  const long parts = job.partsM * job.partsN;
  // Split k (batch 1): tasks [0, parts) sum k's first half, [parts, 2·parts) its second.
  const long half = job.kHalf > 0 ? task / parts : -1;
  if (half >= 0) task %= parts;
  const long bi = task / parts, pm = (task % parts) / job.partsN, pn = task % job.partsN;
  const int MR = job.K->mr, NR = job.K->nr;
  // Block edges are aligned to the micro-tile so no thread gets extra edge tiles, and every
  // output is computed by the same tile code, in the same k order, whatever the split: results
  // are bit-identical for every thread count.
  const long mTiles = (g.m + MR - 1) / MR, nTiles = (g.n + NR - 1) / NR;
  long m0 = mTiles * pm / job.partsM * MR, m1 = mTiles * (pm + 1) / job.partsM * MR;
  long n0 = nTiles * pn / job.partsN * NR, n1 = nTiles * (pn + 1) / job.partsN * NR;
  if (m1 > g.m) m1 = g.m;
  if (n1 > g.n) n1 = g.n;
  if (m0 >= m1 || n0 >= n1) return;
  const float* a = g.a + bi * g.strideA;
  const float* b = g.b + bi * g.strideB;
  float* c = g.out + bi * g.m * g.n + m0 * g.n + n0;
  // Split k (A transposed, B not: splitsK): the first half into out; the second into `partial`, or
  // added to out where the tasks run in order on one thread (the first half's are then done):
  // fl(first + second) either way.
  const long k0 = half == 1 ? job.kHalf : 0, kn = half < 0 ? g.k : half == 0 ? job.kHalf : g.k - job.kHalf;
  float* dst = half == 1 && job.partial != nullptr ? job.partial + m0 * g.n + n0 : c;
  const SharedB shared{job.sharedB, job.npad, n0 / NR};
  gemmSingle(job.K, m1 - m0, n1 - n0, kn, viewA(g, a + k0 * g.m, m0), viewB(g, b + k0 * g.n, n0), dst, g.n,
      g.bias != nullptr ? g.bias + n0 : nullptr, g.act, job.sharedB != nullptr ? &shared : nullptr, half == 1 && job.partial == nullptr);
}

// Packing all of B for the row blocks: task t packs k block t / groups, panel group t % groups.
struct PackJob {
  const IsaKernels* K;
  MatView B;
  long n, k, kcMax, npad, groups, panelsPerGroup;
  float* dst;
};

void packBlock(void* ctx, long task, int) {
  const PackJob& job = *static_cast<const PackJob*>(ctx);
  const int NR = job.K->nr;
  const long pc = task / job.groups * job.kcMax, kc = job.k - pc < job.kcMax ? job.k - pc : job.kcMax;
  const long panel = task % job.groups * job.panelsPerGroup, col = panel * NR;
  if (col >= job.n) return;
  const long count = job.n - col < job.panelsPerGroup * NR ? job.n - col : job.panelsPerGroup * NR;
  job.K->packB(job.B.p + pc * job.B.rs + col * job.B.cs, job.B.cs, job.B.rs, count, kc, job.dst + pc * job.npad + panel * kc * NR);
}

// Below ~4 MFLOP (≈ 50 µs at the one-thread FMA peak of 85 GFLOP/s in bench/RESULTS.md) waking a second thread costs more than it saves.
constexpr double kParallelFlops = 4.0e6;
// Blocks per thread: more than one, so that a thread that wakes late or is preempted leaves its
// share to the others instead of being waited for (as parallelRange's chunks). At least
// kMinBlockFlops each (≈ 12 µs at that peak: small beside it are a block's claim, one atomic, and
// its edge tiles).
constexpr long kBlocksPerThread = 4;
constexpr double kMinBlockFlops = 1.0e6;
// A weight gradient over a batch (A transposed: dW = Xᵀ·dY, k = the batch's rows) of at least
// 2·kSplitKHalf rows and at most two k blocks is summed in two halves of k, the second added to
// the first (splitsK). At two threads the caller takes the first half's blocks and a worker the
// second's (pool_claim.h's order), and the rows of X and dY each reads are the ones its own core
// wrote in the kernels before (which split rows the same way): read from the other core's cache,
// they cost here what they cost from memory, W1's 784×64×256 Aᵀ 101 µs against 77 read locally
// (bench/RESULTS.md, "Weight gradients in two halves of the batch"). The second half's sums pass
// through a scratch block added to the first's after the job: only where that block (m·n) is at
// most half of what the halves read (k·(m + n)), which W3's 784×256 and 256×784 are not. The
// halves' sums are the same bits at every thread count (one thread adds the second to the first
// in place).
constexpr long kSplitKHalf = 96;
// A product over k ≤ this many terms is split by rows where A is a batch's rows (gemmSplit).
constexpr long kShortK = 128;
// Packing all of B up front is for B up to 8 MiB (W1's and W3's are 0.2–0.8 MiB); larger, each
// row block packs its own, as one thread does.
constexpr long kMaxSharedB = 1L << 21;

/** Whether gemmBatched sums g's k in two halves (see kSplitKHalf); not a function of the thread count. */
bool splitsK(const IsaKernels* K, const BatchedGemm& g) {
  return g.batch == 1 && g.transA && !g.transB && g.bias == nullptr && g.act == ACT_NONE && g.k >= 2 * kSplitKHalf &&
      g.k <= 2 * blockingFor(K).kc && 2.0 * g.m * g.n * g.k >= kParallelFlops &&
      2.0 * g.m * g.n <= static_cast<double>(g.k) * (g.m + g.n);  // in double: long is 32 bits in wasm
}

}  // namespace

GemmSplit gemmSplit(const IsaKernels* K, long batch, long m, long n, long k, bool transA, bool transB, int threads) {
  GemmSplit split{false, 1, 1, false};
  if (batch < 1 || m < 1 || n < 1 || k < 0) return split;  // an empty product (gemmBatched returns early): one block
  const double flops = 2.0 * batch * m * n * k;
  split.parallel = threads > 1 && flops >= kParallelFlops;
  if (!split.parallel) return split;
  const double byWork = flops / kMinBlockFlops;
  long want = kBlocksPerThread * threads;
  if (want > byWork) want = static_cast<long>(byWork);
  if (want < threads) want = threads;
  const long parts = (want + batch - 1) / batch;  // blocks per batch item
  if (parts <= 1) return split;
  const Blocking bl = blockingFor(K);
  const long mTiles = (m + K->mr - 1) / K->mr, nTiles = (n + K->nr - 1) / K->nr;
  // Rows when they have at least as many micro-tiles as the columns, else columns: every row block
  // reads all of B and every column block all of A, so the blocks then read the smaller one again.
  // Where A is a batch's rows (not transposed: X·Wᵀ, dY·W), rows also when k is short (≤ kShortK:
  // the product is more a pass over A and C than arithmetic). The kernels before and after split
  // those rows the same way (the caller the front ones, a worker the back ones: pool_claim.h), so each
  // thread reads the rows its own core wrote: read from the other core's cache they cost here what
  // they cost from memory (bench/RESULTS.md, "Weight gradients in two halves of the batch": W1 at two
  // threads 5% faster with this and splitsK, where by itself, caches warm, its 256×64×784 Bᵀ was
  // faster by columns).
  // Otherwise (A transposed) one exception. Where the row blocks cannot read B in place (B
  // transposed, blocks taller than one MC block, or B's rows 4 KiB apart: gemmSingle's rule), B is
  // packed before them, in a pool job of its own and a wait for its slowest task (or by every
  // block, past kMaxSharedB). Column blocks need no pass when each reads A in place (at most 4
  // panels wide, A transposed or its rows not 4 KiB apart: gemmSingle's rule again), and are taken
  // then if they share out evenly among the threads (as many blocks as wanted, or a multiple of the
  // threads): bench/RESULTS.md, "Two threads: ..." and "Tidying issue 15's loose ends".
  const long rowBlocks = parts < mTiles ? parts : mTiles, blockRows = (mTiles + rowBlocks - 1) / rowBlocks * K->mr;
  // Column blocks of ≤ 4 panels (A read in place) when that needs at most twice the blocks wanted, a
  // multiple of the threads where the panels allow.
  const long narrow = (nTiles + 3) / 4, rounded = (narrow + threads - 1) / threads * threads;
  long colBlocks = parts < nTiles ? parts : nTiles;
  if (narrow > parts && narrow <= 2 * parts) colBlocks = rounded <= nTiles ? rounded : narrow;
  split.bInPlace = !transB && blockRows <= bl.mc && (n * 4) % 4096 != 0;
  const bool aInPlace = (transA || (k * 4) % 4096 != 0) && narrow <= colBlocks;
  const bool evenColumns = colBlocks >= parts || colBlocks % threads == 0;
  const bool rowsOfBatch = !transA && (mTiles >= nTiles || (k <= kShortK && mTiles >= 2 * threads));
  const bool byRows = rowsOfBatch || (mTiles >= nTiles && (split.bInPlace || !aInPlace || !evenColumns));
  if (byRows) split.partsM = rowBlocks;
  else split.partsN = colBlocks;
  return split;
}

void gemmBatched(const IsaKernels* K, const BatchedGemm& g) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  const GemmSplit split = gemmSplit(K, g.batch, g.m, g.n, g.k, g.transA, g.transB, poolThreads());
  Job job{K, &g, split.partsM, split.partsN, nullptr, 0, splitsK(K, g) ? g.k / 2 : 0, nullptr};
  // Row blocks of one product share B: packed once, in parallel, unless each block reads it in place
  // (or k is split: each half's blocks pack their own rows of B).
  const Blocking bl = blockingFor(K);
  const long nTiles = (g.n + K->nr - 1) / K->nr, npad = nTiles * K->nr;
  if (job.partsM > 1 && g.batch == 1 && g.k > 0 && job.kHalf == 0 && !split.bInPlace && npad * g.k <= kMaxSharedB) {
    PackBuffers& buf = tlsBuffers;
    buf.shared = PackBuffers::grow(buf.shared, buf.sharedCap, npad * g.k);
    const long kBlocks = (g.k + bl.kc - 1) / bl.kc, panelsPerGroup = 4;
    PackJob pack{K, viewB(g, g.b, 0), g.n, g.k, bl.kc, npad, (nTiles + panelsPerGroup - 1) / panelsPerGroup, panelsPerGroup,
        buf.shared};
    parallelFor(kBlocks * pack.groups, packBlock, &pack);
    job.sharedB = buf.shared;
    job.npad = npad;
  }
  const long tasks = (job.kHalf > 0 ? 2 : 1) * g.batch * job.partsM * job.partsN;
  if (split.parallel && tasks > 1) {
    // Split k on several threads: the second half's blocks go to a scratch block, added after.
    if (job.kHalf > 0) job.partial = tlsBuffers.partial = PackBuffers::grow(tlsBuffers.partial, tlsBuffers.partialCap, g.m * g.n);
    parallelFor(tasks, runBlock, &job);
    if (job.partial != nullptr) {
      const double flat[] = {1, static_cast<double>(g.m * g.n), 1, 1};  // [rank, shape, a's stride, b's stride]
      binary(K, B_ADD, g.out, job.partial, g.out, flat);
    }
  } else {
    for (long t = 0; t < tasks; t++) runBlock(&job, t, 0);
  }
}

void gemmNaive(const BatchedGemm& g) {
  for (long bi = 0; bi < g.batch; bi++) {
    const float* a = g.a + bi * g.strideA;
    const float* b = g.b + bi * g.strideB;
    float* o = g.out + bi * g.m * g.n;
    for (long i = 0; i < g.m; i++) {
      for (long j = 0; j < g.n; j++) {
        double s = 0;
        for (long t = 0; t < g.k; t++) {
          const float av = g.transA ? a[t * g.m + i] : a[i * g.k + t];
          const float bv = g.transB ? b[j * g.k + t] : b[t * g.n + j];
          s += static_cast<double>(av) * bv;
        }
        o[i * g.n + j] = static_cast<float>(s);
      }
    }
  }
}

}  // namespace tessera
