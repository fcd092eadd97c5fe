#include "kernels/cpu/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace htp::kernels::cpu {
namespace {

Isa detect() {
  Isa isa = Isa::portable;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = Isa::avx2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl"))
    isa = Isa::avx512;
#endif
  if (const char* cap = std::getenv("HTP_CPU_ISA")) {
    Isa want = std::strcmp(cap, "portable") == 0 ? Isa::portable : std::strcmp(cap, "avx2") == 0 ? Isa::avx2 : isa;
    if (static_cast<int>(want) < static_cast<int>(isa)) isa = want;
  }
  return isa;
}

}  // namespace

Isa best_isa() {
  static const Isa isa = detect();
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "portable";
  }
}

}  // namespace htp::kernels::cpu
