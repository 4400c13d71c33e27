// Run-time ISA choice: one binary runs on any x86-64 (and arm64 through the portable path).
// The compiler's __builtin_cpu_supports reads cpuid and also checks that the OS saves the
// wide registers (XCR0), which a bare cpuid bit does not tell.
#include "cpu_features.h"
#include <cstdlib>

namespace tessera {

CpuFeatures detectCpu() {
  CpuFeatures f{false, false};
#if defined(TESSERA_X64)
  __builtin_cpu_init();
  f.avx2Fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  // The AVX-512 translation units use F, DQ, BW and VL.
  f.avx512 = f.avx2Fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#endif
  return f;
}

std::string availableIsas() {
  CpuFeatures f = detectCpu();
  std::string s;
  if (f.avx512) s += "avx512,";
  if (f.avx2Fma) s += "avx2,";
  return s + "portable";
}

static const IsaKernels* active = nullptr;

static const IsaKernels* byName(const std::string& name, std::string& err) {
  CpuFeatures f = detectCpu();
  if (name == "portable") return portableKernels();
#if defined(TESSERA_X64)
  if (name == "avx2") {
    if (f.avx2Fma) return avx2Kernels();
    err = "setNativeIsa: this CPU lacks AVX2+FMA (available: " + availableIsas() + ")";
    return nullptr;
  }
  if (name == "avx512") {
    if (f.avx512) return avx512Kernels();
    err = "setNativeIsa: this CPU lacks AVX-512 F/DQ/BW/VL (available: " + availableIsas() + ")";
    return nullptr;
  }
#else
  (void)f;
  if (name == "avx2" || name == "avx512") {
    err = "setNativeIsa: '" + name + "' exists only on x86-64 builds (available: portable)";
    return nullptr;
  }
#endif
  err = "setNativeIsa: unknown ISA '" + name + "' (expected portable, avx2 or avx512)";
  return nullptr;
}

static const IsaKernels* fastest() {
#if defined(TESSERA_X64)
  CpuFeatures f = detectCpu();
  if (f.avx512) return avx512Kernels();
  if (f.avx2Fma) return avx2Kernels();
#endif
  return portableKernels();
}

const IsaKernels* activeKernels() {
  if (active == nullptr) {
    active = fastest();
    const char* env = std::getenv("TESSERA_ISA");
    if (env != nullptr && *env != '\0') {
      std::string err;
      const IsaKernels* k = byName(env, err);
      if (k != nullptr) active = k;  // an unusable TESSERA_ISA keeps the fastest; nativeInfo() shows it
    }
  }
  return active;
}

std::string setIsa(const std::string& name) {
  std::string err;
  const IsaKernels* k = byName(name, err);
  if (k == nullptr) return err;
  active = k;
  return "";
}

}  // namespace tessera
