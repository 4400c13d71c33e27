// Which instruction sets this CPU (and OS) supports, and which kernel table is active.
#pragma once
#include <string>
#include "isa.h"

namespace tessera {

struct CpuFeatures { bool avx2Fma; bool avx512; };

CpuFeatures detectCpu();
/** Names the ISAs this machine can run, fastest first ("avx512", "avx2", "portable"). */
std::string availableIsas();
/** The active table; chosen on first use from TESSERA_ISA or the fastest available. */
const IsaKernels* activeKernels();
/** Forces an ISA by name; returns an error message, or "" on success. */
std::string setIsa(const std::string& name);

}  // namespace tessera
