// Which implementation runs an op on a GPU: our hand-written kernels or the vendor library beside them, and whether
// FP32 GEMMs may use TF32 tensor cores. Chosen at run time, never needed for correctness: every op has our kernel,
// and a vendor choice in a build without that library (or on the CPU) falls back to ours.
//
//   op family    vendor        environment variable (read once, on first use)
//   matmul       cuBLAS        HTP_MATMUL=ours|cublas
//   conv2d       cuDNN         HTP_CONV2D=ours|cudnn
//   batch_norm   cuDNN         HTP_BATCH_NORM=ours|cudnn
//   TF32 for FP32 GEMM / conv  HTP_ALLOW_TF32=0|1   (default 0: FP32 stays FP32 unless asked, unlike cuBLAS' habit)
//
// The API overrides the environment:  kernels::set_implementation(OpFamily::matmul, Implementation::vendor);
// ScopedImplementation restores the previous choice on scope exit (benchmarks and tests use it to run both sides).
#pragma once
#include <string>

namespace htp::kernels {

enum class OpFamily { matmul, conv2d, batch_norm };
enum class Implementation { ours, vendor };

Implementation implementation(OpFamily family);
void set_implementation(OpFamily family, Implementation choice);
bool allow_tf32();
void set_allow_tf32(bool allow);

std::string op_family_name(OpFamily family);        // "matmul", "conv2d", "batch_norm"
std::string vendor_name(OpFamily family);           // "cuBLAS", "cuDNN"
std::string implementation_name(OpFamily family);   // "ours" or the vendor's name, as currently chosen

class ScopedImplementation {
 public:
  ScopedImplementation(OpFamily family, Implementation choice);
  ~ScopedImplementation();
  ScopedImplementation(const ScopedImplementation&) = delete;
  ScopedImplementation& operator=(const ScopedImplementation&) = delete;

 private:
  OpFamily family_;
  Implementation previous_;
};

}  // namespace htp::kernels
