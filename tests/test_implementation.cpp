// kernels/implementation.h: the run-time choice between our GPU kernels and cuBLAS / cuDNN, and the TF32 switch.
#include <doctest/doctest.h>

#include "kernels/implementation.h"

using namespace htp::kernels;

TEST_SUITE("kernels") {
  TEST_CASE("implementation choice: set, scoped restore, names") {
    const Implementation before = implementation(OpFamily::conv2d);
    set_implementation(OpFamily::matmul, Implementation::ours);
    CHECK(implementation_name(OpFamily::matmul) == "ours");
    {
      ScopedImplementation use_cublas(OpFamily::matmul, Implementation::vendor);
      CHECK(implementation(OpFamily::matmul) == Implementation::vendor);
      CHECK(implementation_name(OpFamily::matmul) == "cuBLAS");
      CHECK(implementation(OpFamily::conv2d) == before);  // families are independent
    }
    CHECK(implementation(OpFamily::matmul) == Implementation::ours);
    CHECK(vendor_name(OpFamily::conv2d) == "cuDNN");
    CHECK(op_family_name(OpFamily::batch_norm) == "batch_norm");
  }

  TEST_CASE("TF32 switch round-trips") {
    const bool before = allow_tf32();
    set_allow_tf32(true);
    CHECK(allow_tf32());
    set_allow_tf32(false);
    CHECK_FALSE(allow_tf32());
    set_allow_tf32(before);
  }
}
