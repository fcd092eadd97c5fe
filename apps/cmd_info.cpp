// htp info: what this build is and what the machine offers it.
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/parallel.h"

namespace htp::app {

int run_info(const std::vector<std::string>& argv) {
  Args args("info", "Prints the build configuration and the CPU path chosen at run time.");
  if (!args.parse(argv)) return 0;
  std::cout << "howtoprobe " << HTP_VERSION << "\n"
            << "cpu: simd path " << kernels::cpu::isa_name(kernels::cpu::best_isa()) << ", "
            << kernels::cpu::num_threads() << " threads (HTP_NUM_THREADS, HTP_CPU_ISA override)\n"
#ifdef HTP_WITH_CUDA
            << "cuda: built with the CUDA backend\n";
#else
            << "cuda: not built (configure with -DHTP_CUDA=ON)\n";
#endif
  return 0;
}

}  // namespace htp::app
