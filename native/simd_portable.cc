// The portable kernel table. Portable: SSE2 on any x86-64, NEON on arm64, via the same vector-extension code.
// This translation unit is compiled with its own -m flags (see binding.gyp).
#include "isa.h"

namespace tessera {
namespace portable {
TESSERA_GEMM_ENTRY_POINTS  // defined in gemm_<isa>.cc, through gemm_kernel.inc
namespace {
constexpr const char* kIsaName = "portable";
constexpr int kMR = TESSERA_PORTABLE_MR, kNR = TESSERA_PORTABLE_NR;
#include "simd_kernels.inc"
}  // namespace
}  // namespace portable

const IsaKernels* portableKernels() { return &portable::kTable; }
}  // namespace tessera
