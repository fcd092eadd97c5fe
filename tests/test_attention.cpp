// MultiheadSelfAttention (nn/attention.h): timm parameter names, forward against a naive per-head loop, the kept
// attention maps and their gradients (against dL/dA = dL/d(A v) · vᵀ by loops), node tags, errors, gradcheck.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "nn/layers.h"
#include "nn_test_util.h"
#include "tensor/creation.h"

using namespace htp;
using namespace htp::nn;

namespace {

// The naive computation, in double, indexed [b][h][i][j] / [b][i][e] in flat vectors.
struct NaiveAttention {
  std::vector<double> attn;       // [B, H, N, N]
  std::vector<double> y;          // [B, N, C]
  std::vector<double> attn_grad;  // d<y, R>/d attn, [B, H, N, N]
};

NaiveAttention naive_attention(const MultiheadSelfAttention& m, const Tensor& x, const Tensor& r) {
  const int64_t B = x.size(0), N = x.size(1), C = x.size(2), H = m.num_heads, D = C / H;
  const std::vector<double> xv = x.to_vector(), rv = r.to_vector(), wq = m.qkv->weight.data().to_vector(),
                            wp = m.proj->weight.data().to_vector(), bp = m.proj->bias.data().to_vector();
  const std::vector<double> bq =
      m.qkv->bias.defined() ? m.qkv->bias.data().to_vector() : std::vector<double>(3 * C, 0.0);
  // qkv[b, n, t] with t = s C + h D + d for s = q, k, v.
  std::vector<double> qkv(B * N * 3 * C);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t t = 0; t < 3 * C; ++t) {
        double s = bq[t];
        for (int64_t c = 0; c < C; ++c) s += xv[(b * N + n) * C + c] * wq[t * C + c];
        qkv[(b * N + n) * 3 * C + t] = s;
      }
  auto part = [&](int64_t s, int64_t b, int64_t h, int64_t n, int64_t d) {
    return qkv[(b * N + n) * 3 * C + s * C + h * D + d];
  };
  NaiveAttention out;
  out.attn.assign(B * H * N * N, 0.0);
  out.attn_grad.assign(B * H * N * N, 0.0);
  out.y.assign(B * N * C, 0.0);
  std::vector<double> merged(B * N * C, 0.0), dmerged(B * N * C, 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < N; ++i)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t e = 0; e < C; ++e) dmerged[(b * N + i) * C + c] += rv[(b * N + i) * C + e] * wp[e * C + c];
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < N; ++i) {
        double* a = &out.attn[((b * H + h) * N + i) * N];
        double mx = -INFINITY, z = 0;
        for (int64_t j = 0; j < N; ++j) {
          a[j] = 0;
          for (int64_t d = 0; d < D; ++d) a[j] += part(0, b, h, i, d) * part(1, b, h, j, d);
          a[j] /= std::sqrt(static_cast<double>(D));
          mx = std::max(mx, a[j]);
        }
        for (int64_t j = 0; j < N; ++j) z += (a[j] = std::exp(a[j] - mx));
        for (int64_t j = 0; j < N; ++j) a[j] /= z;
        for (int64_t d = 0; d < D; ++d)
          for (int64_t j = 0; j < N; ++j) {
            merged[(b * N + i) * C + h * D + d] += a[j] * part(2, b, h, j, d);
            out.attn_grad[((b * H + h) * N + i) * N + j] += dmerged[(b * N + i) * C + h * D + d] * part(2, b, h, j, d);
          }
      }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < N; ++i)
      for (int64_t e = 0; e < C; ++e) {
        double s = bp[e];
        for (int64_t c = 0; c < C; ++c) s += merged[(b * N + i) * C + c] * wp[e * C + c];
        out.y[(b * N + i) * C + e] = s;
      }
  return out;
}

void check_close(const std::vector<double>& actual, const std::vector<double>& expected, double tol = 1e-10) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1.0));
}

}  // namespace

TEST_SUITE("nn") {
  TEST_CASE("MultiheadSelfAttention has timm's parameter names and shapes") {
    MultiheadSelfAttention attn(8, 2, /*qkv_bias=*/true);
    std::vector<std::string> names;
    for (const auto& [n, p] : attn.named_parameters()) names.push_back(n);
    CHECK(names == std::vector<std::string>{"qkv.weight", "qkv.bias", "proj.weight", "proj.bias"});
    CHECK(attn.qkv->weight.shape() == Shape{24, 8});
    CHECK(attn.proj->weight.shape() == Shape{8, 8});
    CHECK(attn.head_dim == 4);
    CHECK(attn.scale == 0.5);
    CHECK(attn.num_parameters() == 24 * 8 + 24 + 64 + 8);
    MultiheadSelfAttention no_bias(8, 4);
    CHECK(no_bias.named_parameters().size() == 3u);
    CHECK_FALSE(no_bias.qkv->bias.defined());
  }

  TEST_CASE("MultiheadSelfAttention matches a per-head loop; kept maps and their gradients") {
    for (const bool qkv_bias : {true, false}) {
      CAPTURE(qkv_bias);
      MultiheadSelfAttention attn(8, 2, qkv_bias);
      attn.to(DType::f64);
      attn.keep_attention(true);
      const Variable x = testing::leaf_f64({2, 5, 8}, 1, -2.0, 2.0);
      const Tensor r = testing::leaf_f64({2, 5, 8}, 2).data();
      const NaiveAttention ref = naive_attention(attn, x.data(), r);

      const Variable y = attn(x);
      CHECK(y.shape() == Shape{2, 5, 8});
      check_close(y.data().to_vector(), ref.y);
      REQUIRE(attn.attention().shape() == Shape{2, 2, 5, 5});
      check_close(attn.attention().to_vector(), ref.attn);

      y.backward(r);
      REQUIRE(attn.attention_grad().shape() == Shape{2, 2, 5, 5});
      check_close(attn.attention_grad().to_vector(), ref.attn_grad);
    }
  }

  TEST_CASE("MultiheadSelfAttention keeps nothing unless asked; no gradient without a graph") {
    MultiheadSelfAttention attn(4, 2);
    const Variable x(ones({1, 3, 4}));
    attn(x);
    CHECK_FALSE(attn.attention_variable().defined());
    CHECK_THROWS_WITH_AS(attn.attention(), doctest::Contains("no attention was kept"), Error);

    attn.keep_attention(true);
    {
      NoGradGuard no_grad;
      attn(x);
    }
    const std::vector<double> a = attn.attention().to_vector();
    for (int64_t row = 0; row < 2 * 3; ++row)
      CHECK(a[row * 3] + a[row * 3 + 1] + a[row * 3 + 2] == doctest::Approx(1.0));
    CHECK_THROWS_WITH_AS(attn.attention_grad(), doctest::Contains("the kept attention has no gradient"), Error);

    attn.keep_attention(false);  // releases the kept map
    CHECK_FALSE(attn.attention_variable().defined());
  }

  TEST_CASE("MultiheadSelfAttention tags its nodes with its path and checks its input") {
    Sequential blocks{std::make_shared<MultiheadSelfAttention>(4, 2, true)};
    auto& attn = static_cast<MultiheadSelfAttention&>(blocks[0]);
    attn.keep_attention(true);
    const Variable y = blocks(Variable(ones({2, 3, 4}), true));
    CHECK(y.grad_fn()->tag == "0.proj");
    CHECK(attn.attention_variable().grad_fn()->name() == "SoftmaxBackward");
    CHECK(attn.attention_variable().grad_fn()->tag == "0");

    CHECK_THROWS_WITH_AS(blocks(Variable(ones({2, 3, 5}))),
                         "MultiheadSelfAttention '0' (dim 4, 2 heads): expected an input of shape [B, N, 4], got "
                         "float32[2, 3, 5] on cpu",
                         Error);
    CHECK_THROWS_WITH_AS(MultiheadSelfAttention(6, 4),
                         doctest::Contains("dim (6) must be a positive multiple of num_heads (4)"), Error);
  }

}  // TEST_SUITE("nn")

TEST_SUITE("gradcheck") {
  TEST_CASE("MultiheadSelfAttention module gradcheck (B = 2, N = 3, dim = 4, 2 heads)") {
    MultiheadSelfAttention attn(4, 2, /*qkv_bias=*/true);
    testing::module_gradcheck(attn, testing::leaf_f64({2, 3, 4}, 3, -2.0, 2.0));
  }

}  // TEST_SUITE("gradcheck")
