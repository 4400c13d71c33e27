// The portable kernel table. Portable: SSE2 on any x86-64, NEON on arm64, via the same vector-extension code.
// This translation unit is compiled with its own -m flags (see binding.gyp).
#include "isa.h"

namespace tessera {
namespace portable {
void gemmMicro(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate);
void gemmMicroRows(long kc, const float* pa, long step, const float* pb, long bStep, float* c, long ldc, bool accumulate);
void gemmMicroEdge(int rows, long kc, const float* pa, long step, bool rowsA, const float* pb, long bStep, float* c,
    long ldc, bool accumulate);
void packA(const float* src, long sp, long sk, long count, long kc, float* dst);
void packB(const float* src, long sp, long sk, long count, long kc, float* dst);
namespace {
constexpr const char* kIsaName = "portable";
constexpr int kMR = 4, kNR = 16;
#include "simd_kernels.inc"
}  // namespace
}  // namespace portable

const IsaKernels* portableKernels() { return &portable::kTable; }
}  // namespace tessera
