#include "kernels/matmul.h"

#include "kernels/checks.h"
#include "kernels/cpu/matmul.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/matmul.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

// out[B, M, N] = a[B, M, K] · b[B, K, N] (+ out when accumulate) on the operands' device.
void run_batched(const char* op, const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate) {
  HTP_DEVICE_CALL(op, out.device(), batched_matmul, a, b, out, accumulate);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_floating_pair(a, "a", b, "b", "matmul");
  HTP_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least one dimension, got a ", a.describe(),
            " and b ", b.describe());
  const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;  // [..., M, K]
  const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;  // [..., K, N]
  const int64_t M = a2.size(-2), K = a2.size(-1), N = b2.size(-1);
  HTP_CHECK(b2.size(-2) == K, "matmul: inner dimensions differ (", K, " vs ", b2.size(-2), ") for a ", a.describe(),
            " and b ", b.describe());
  const Shape batch_a(a2.shape().begin(), a2.shape().end() - 2), batch_b(b2.shape().begin(), b2.shape().end() - 2);
  Shape batch;
  try {
    batch = broadcast_shapes(batch_a, batch_b, "matmul");
  } catch (const Error& e) {
    throw Error(detail::concat("matmul: the batch dimensions of a ", a.describe(), " and b ", b.describe(),
                               " do not broadcast (", e.what(), ")"));
  }
  const int64_t nb = shape_numel(batch);
  auto stacked = [&](const Tensor& t, int64_t rows, int64_t cols) {
    Shape full = batch;
    full.push_back(rows);
    full.push_back(cols);
    return t.expand(full).reshape({nb, rows, cols});
  };
  Shape out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  Tensor out = empty(out_shape, a.dtype(), a.device());
  run_batched("matmul", stacked(a2, M, K), stacked(b2, K, N), out.view({nb, M, N}), false);
  if (a.dim() == 1) out = out.squeeze(-2);
  if (b.dim() == 1) out = out.squeeze(-1);
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_floating_pair(a, "a", b, "b", "bmm");
  HTP_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0) && a.size(2) == b.size(1),
            "bmm: expected a [B, M, K] and b [B, K, N], got a ", a.describe(), " and b ", b.describe());
  Tensor out = empty({a.size(0), a.size(1), b.size(2)}, a.dtype(), a.device());
  run_batched("bmm", a, b, out, false);
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_floating_pair(x, "input", weight, "weight", "linear");
  HTP_CHECK(weight.dim() == 2, "linear: weight must be [out, in], got ", weight.describe());
  const int64_t out_features = weight.size(0), in_features = weight.size(1);
  HTP_CHECK(x.dim() >= 1 && x.size(-1) == in_features, "linear: input ", x.describe(), " does not end in ", in_features,
            " features as weight ", weight.describe(), " expects");
  if (bias.defined()) {
    check_floating_pair(x, "input", bias, "bias", "linear");
    HTP_CHECK(bias.dim() == 1 && bias.size(0) == out_features, "linear: bias ", bias.describe(), " must be [",
              out_features, "] for weight ", weight.describe());
  }
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  const int64_t rows = shape_numel(Shape(x.shape().begin(), x.shape().end() - 1));
  Tensor out3 = out.view({1, rows, out_features});
  if (bias.defined()) out3.copy_(bias.expand(out3.shape()));
  run_batched("linear", x.reshape({1, rows, in_features}), weight.t().unsqueeze(0), out3, bias.defined());
  return out;
}

}  // namespace htp::kernels
