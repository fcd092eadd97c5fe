// Test helpers for nn modules.
//
// module_gradcheck(m, x): converts m to float64 and runs CHECK_GRADCHECK on y = m(x) with respect to the input x
// (a float64 leaf, e.g. testing::leaf_f64) and every parameter of m that requires grad. Parameters are shared Variable
// handles, so the finite differences perturb the module's own weights.
#pragma once
#include "gradcheck.h"
#include "nn/module.h"

namespace htp::testing {

inline void module_gradcheck(nn::Module& module, const Variable& input, double eps = 1e-6, double atol = 1e-5,
                             double rtol = 1e-3) {
  module.to(DType::f64);
  variable_list inputs{input};
  for (const Variable& p : module.parameters()) inputs.push_back(p);
  CHECK_GRADCHECK([&module](const variable_list& v) { return module(v[0]); }, inputs, eps, atol, rtol);
}

}  // namespace htp::testing
