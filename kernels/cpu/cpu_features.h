// Run-time CPU feature detection: SIMD kernels are compiled for several ISAs and chosen here, never with -march=native.
// HTP_CPU_ISA=avx512|avx2|portable caps the choice (for benchmarks and for testing every path on one machine).
#pragma once

namespace htp::kernels::cpu {

enum class Isa { portable, avx2, avx512 };

Isa best_isa();               // the best ISA this CPU supports, capped by HTP_CPU_ISA
const char* isa_name(Isa isa);

}  // namespace htp::kernels::cpu
