// B-cos building blocks (nn/bcos.h) against loops over the formulas of xai-methods.md A.1–A.4, A.7, A.9 and
// paper.md §2.2/§2.4: BcosConv2d (B = 1, 1.5, 2, 3; max_out; stride, padding, groups, dilation), BcosLinear, weight
// normalisation, the [x, 1 − x] encoding, uncentred batch norm (train/eval, running_var), detachable layer and group
// norms, the logit layer; explanation mode (completeness of x ⊙ ∂y/∂x, unchanged outputs, scoped guard);
// float64 gradchecks of every layer in normal mode and of the detached formulation in explanation mode.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <ostream>
#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"
#include "kernels/binary.h"
#include "nn/bcos.h"
#include "tensor/creation.h"

using namespace htp;
using namespace htp::nn;
using testing::leaf_f64;

namespace {

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

// The B-cos scaling of A.1 step 5 for one output.
double bcos_out(double o, double n, double b) {
  if (b == 1.0) return o;
  if (b == 2.0) return o * std::abs(o) / n;
  return o * std::pow(std::abs(o / n) + 1e-6, b - 1.0);
}

struct ConvCase {
  int64_t N, C, H, W, O, k, stride, pad, dil, groups;
  double b;
  int64_t M;
};

// For CAPTURE: the layer hyperparameters of a case.
std::ostream& operator<<(std::ostream& os, const ConvCase& c) {
  return os << "{C " << c.C << ", k " << c.k << ", stride " << c.stride << ", pad " << c.pad << ", dil " << c.dil
            << ", groups " << c.groups << ", B " << c.b << ", M " << c.M << "}";
}

// BcosConv2d from the definition (A.2): unit-norm filters, max over consecutive groups of M channels, patch norm
// sqrt(Σ_{patch, group channels} x² + 1e-6) with zero padding.
std::vector<double> bcos_conv_loop(const std::vector<double>& x, std::vector<double> w, const ConvCase& c, Shape& ys) {
  const int64_t OM = c.O * c.M, Cg = c.C / c.groups, OMg = OM / c.groups, Og = c.O / c.groups;
  const int64_t fl = Cg * c.k * c.k;
  for (int64_t j = 0; j < OM; ++j) {
    double s = 0;
    for (int64_t i = 0; i < fl; ++i) s += w[j * fl + i] * w[j * fl + i];
    for (int64_t i = 0; i < fl; ++i) w[j * fl + i] /= std::sqrt(s);
  }
  auto len = [&](int64_t in) { return (in + 2 * c.pad - c.dil * (c.k - 1) - 1) / c.stride + 1; };
  const int64_t OH = len(c.H), OW = len(c.W);
  ys = {c.N, c.O, OH, OW};
  // Σ over the patch of group g of f(channel offset, x value, tap index).
  auto patch = [&](int64_t n, int64_t g, int64_t i, int64_t j, const std::function<double(int64_t, double)>& f) {
    double s = 0;
    for (int64_t ci = 0; ci < Cg; ++ci)
      for (int64_t a = 0; a < c.k; ++a)
        for (int64_t bb = 0; bb < c.k; ++bb) {
          const int64_t y = i * c.stride - c.pad + a * c.dil, xx = j * c.stride - c.pad + bb * c.dil;
          if (y < 0 || y >= c.H || xx < 0 || xx >= c.W) continue;
          s += f((ci * c.k + a) * c.k + bb, x[((n * c.C + g * Cg + ci) * c.H + y) * c.W + xx]);
        }
    return s;
  };
  std::vector<double> out;
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t ko = 0; ko < c.O; ++ko)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double o = -std::numeric_limits<double>::infinity();
          for (int64_t m = 0; m < c.M; ++m) {
            const int64_t row = ko * c.M + m;
            o = std::max(o, patch(n, row / OMg, i, j, [&](int64_t t, double v) { return w[row * fl + t] * v; }));
          }
          const double sq = patch(n, ko / Og, i, j, [](int64_t, double v) { return v * v; });
          out.push_back(bcos_out(o, std::sqrt(sq + 1e-6), c.b));
        }
  return out;
}

std::shared_ptr<BcosConv2d> make_conv(const ConvCase& c) {
  auto m = std::make_shared<BcosConv2d>(c.C, c.O, c.k, c.stride, c.pad, c.dil, c.groups, c.b, c.M);
  m->to(DType::f64);
  m->linear->weight.mutable_data().copy_(leaf_f64(m->linear->weight.shape(), 7).data());
  return m;
}

// BcosLinear from the definition (A.1): rows x [R, D], weights [O·M, D].
std::vector<double> bcos_linear_loop(const std::vector<double>& x, const std::vector<double>& w, int64_t R, int64_t D,
                                     int64_t O, int64_t M, double b) {
  std::vector<double> out;
  for (int64_t r = 0; r < R; ++r) {
    double xx = 0;
    for (int64_t d = 0; d < D; ++d) xx += x[r * D + d] * x[r * D + d];
    const double n = std::sqrt(xx) + 1e-12;
    for (int64_t k = 0; k < O; ++k) {
      double o = -std::numeric_limits<double>::infinity();
      for (int64_t m = 0; m < M; ++m) {
        double dot = 0, ww = 0;
        for (int64_t d = 0; d < D; ++d) {
          dot += w[(k * M + m) * D + d] * x[r * D + d];
          ww += w[(k * M + m) * D + d] * w[(k * M + m) * D + d];
        }
        o = std::max(o, dot / std::sqrt(ww));
      }
      out.push_back(bcos_out(o, n, b));
    }
  }
  return out;
}

// Explanation-mode gradcheck: the analytic gradient of `detached` (run with explanation mode on) against central
// differences of `frozen`, the same map with the detached factors held at their values at `inputs`. Also checks
// that both give the same forward values there.
void check_frozen_gradcheck(const std::function<Variable(const variable_list&)>& detached,
                            const std::function<Variable(const variable_list&)>& frozen, const variable_list& inputs) {
  const Variable y = detached(inputs);
  CHECK(max_abs_diff(y.data().to_vector(), frozen(inputs).data().to_vector()) < 1e-12);
  std::vector<double> r(static_cast<size_t>(y.numel()));
  for (size_t i = 0; i < r.size(); ++i) r[i] = std::sin(1.0 + 3.7 * static_cast<double>(i));
  const Tensor seed = from_buffer(r.data(), y.shape(), DType::f64);
  const tensor_list analytic = grad({y}, inputs, {seed});
  const double eps = 1e-6;
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor data = inputs[k].data();
    double* p = data.data<double>();
    const std::vector<double> a = analytic[k].to_vector();
    int failures = 0;
    for (int64_t i = 0; i < inputs[k].numel(); ++i) {
      const double orig = p[i];
      NoGradGuard ng;
      p[i] = orig + eps;
      const double lp = testing::dot_with(frozen(inputs).data(), r);
      p[i] = orig - eps;
      const double lm = testing::dot_with(frozen(inputs).data(), r);
      p[i] = orig;
      const double numeric = (lp - lm) / (2 * eps);
      if (!(std::abs(a[i] - numeric) <= 1e-5 + 1e-3 * std::abs(numeric))) ++failures;
    }
    CHECK_MESSAGE(failures == 0, "input ", k, ": ", failures, " element(s) differ from the frozen formulation");
  }
}

// encoding → BcosConv2d → BNU → BcosConv2d (max_out 2, stride 2) → global average → BcosLinear → LogitLayer.
// The encoding is applied by the caller so that contributions are taken w.r.t. the 6-channel input (A.7).
struct TinyBcosNet : Module {
  std::shared_ptr<BcosConv2d> conv1 = register_module("conv1", std::make_shared<BcosConv2d>(6, 4, 3, 1, 1));
  std::shared_ptr<BatchNormUncentered2d> bn1 = register_module("bn1", std::make_shared<BatchNormUncentered2d>(4));
  std::shared_ptr<BcosConv2d> conv2 =
      register_module("conv2", std::make_shared<BcosConv2d>(4, 6, 3, 2, 1, 1, 1, 2.0, 2));
  std::shared_ptr<BcosLinear> fc = register_module("fc", std::make_shared<BcosLinear>(6, 3));
  std::shared_ptr<LogitLayer> logit =
      register_module("logit", std::make_shared<LogitLayer>(std::nullopt, bcos_logit_bias(3)));
  std::string type_name() const override { return "TinyBcosNet"; }
  Variable forward(const Variable& x) override { return (*logit)((*fc)(mean((*conv2)((*bn1)((*conv1)(x))), {2, 3}))); }
};

std::shared_ptr<TinyBcosNet> make_tiny_net() {
  auto net = std::make_shared<TinyBcosNet>();
  net->to(DType::f64);
  uint64_t seed = 11;
  for (auto& [name, p] : net->named_parameters()) p.mutable_data().copy_(leaf_f64(p.shape(), ++seed, 0.5, 1.5).data());
  for (auto& [name, p] : net->named_parameters())
    if (name.find("linear.weight") != std::string::npos) p.mutable_data().copy_(leaf_f64(p.shape(), ++seed).data());
  net->bn1->running_var.mutable_data().copy_(leaf_f64({4}, 99, 0.2, 2.0).data());
  return net;
}

// Σ_input x ⊙ ∂y[n, c]/∂x over sample n's input, for every class c.
std::vector<double> contribution_sums(Module& net, const Variable& x6, int64_t n) {
  std::vector<double> sums;
  const Variable y = net(x6);
  for (int64_t c = 0; c < y.size(1); ++c) {
    const Tensor g = grad({select(select(y, 0, n), 0, c)}, {x6}, {}, BackwardOptions{/*retain_graph=*/true})[0];
    const std::vector<double> gv = g.select(0, n).to_vector(), xv = x6.data().select(0, n).to_vector();
    double s = 0;
    for (size_t i = 0; i < gv.size(); ++i) s += gv[i] * xv[i];
    sums.push_back(s);
  }
  return sums;
}

std::vector<double> logits_minus_bias(const Variable& y, int64_t n, double bias) {
  std::vector<double> out;
  for (int64_t c = 0; c < y.size(1); ++c) out.push_back(y.data().select(0, n).select(0, c).item<double>() - bias);
  return out;
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), 1e-300));
  return m;
}

Variable image6(const Shape& shape, uint64_t seed, double scale = 1.0) {
  const Variable x = leaf_f64(shape, seed, 0.0, 1.0);
  return Variable(mul(add_inverse(x), scale).data().contiguous(), true);
}

}  // namespace

TEST_SUITE("nn") {
TEST_CASE("BcosConv2d matches the A.2 formula (B, max_out, stride, padding, groups, dilation)") {
  const std::vector<ConvCase> cases = {
      {2, 3, 6, 5, 4, 3, 1, 1, 1, 1, 2.0, 1}, {1, 4, 7, 6, 3, 3, 2, 1, 1, 1, 2.0, 2},
      {2, 3, 5, 5, 2, 3, 1, 0, 1, 1, 1.5, 1}, {1, 3, 6, 6, 3, 2, 2, 1, 1, 1, 3.0, 2},
      {1, 4, 5, 5, 4, 3, 1, 1, 1, 2, 2.0, 1}, {1, 4, 5, 5, 4, 3, 1, 1, 1, 2, 2.0, 2},
      {1, 3, 7, 7, 2, 3, 1, 2, 2, 1, 2.0, 1}, {1, 3, 5, 5, 2, 3, 1, 2, 1, 1, 2.0, 1},
      {2, 3, 5, 4, 3, 1, 1, 0, 1, 1, 2.0, 1}, {1, 3, 5, 5, 4, 3, 1, 1, 1, 1, 1.0, 2},
  };
  for (const ConvCase& c : cases) {
    CAPTURE(c);
    auto m = make_conv(c);
    const Variable x = leaf_f64({c.N, c.C, c.H, c.W}, 3);
    Shape ys;
    const std::vector<double> expect =
        bcos_conv_loop(x.data().to_vector(), m->linear->weight.data().to_vector(), c, ys);
    const Variable y = (*m)(x);
    CHECK(y.shape() == ys);
    CHECK(max_abs_diff(y.data().to_vector(), expect) < 1e-12);
  }
}

TEST_CASE("BcosConv2d: the patch norm counts padded zeros and repeats per group") {
  BcosConv2d m(4, 6, 3, 1, 1, 1, 2);
  m.to(DType::f64);
  const Variable x(full({1, 4, 3, 3}, 2.0, DType::f64));
  const Variable n = bcos_patch_norm(x, *m.linear, 6);
  CHECK(n.shape() == Shape{1, 6, 3, 3});
  // Corner: 2×2 taps inside × 2 channels of the group × 2² = 16; centre: 9 taps × 2 × 4 = 72.
  CHECK(n.data().select(1, 5).select(1, 0).select(1, 0).item<double>() == doctest::Approx(std::sqrt(32 + 1e-6)));
  CHECK(n.data().select(1, 0).select(1, 1).select(1, 1).item<double>() == doctest::Approx(std::sqrt(72 + 1e-6)));
  BcosConv2d single(4, 6, 3, 1, 1);
  single.to(DType::f64);
  CHECK(bcos_patch_norm(x, *single.linear, 6).shape() == Shape{1, 1, 3, 3});
}

TEST_CASE("BcosConv2d and BcosLinear: the output does not depend on the scale of the stored weights") {
  const ConvCase c{1, 3, 5, 5, 4, 3, 1, 1, 1, 1, 2.0, 2};
  auto m = make_conv(c);
  const Variable x = leaf_f64({1, 3, 5, 5}, 5);
  const std::vector<double> before = (*m)(x).data().to_vector();
  // Scale each stored filter by a different positive factor: ŵ, hence the output, stays the same.
  Tensor scale = arange(1.0, 9.0, 1.0, DType::f64).reshape({8, 1, 1, 1});
  Tensor& w = m->linear->weight.mutable_data();
  w.copy_(kernels::mul(w, kernels::mul(scale, 3.7)));
  CHECK(max_abs_diff((*m)(x).data().to_vector(), before) < 1e-12);
  // The normalised weight has unit norm per filter.
  const std::vector<double> nw = m->linear->normalized_weight().data().to_vector();
  for (int j = 0; j < 8; ++j) {
    double s = 0;
    for (int i = 0; i < 27; ++i) s += nw[j * 27 + i] * nw[j * 27 + i];
    CHECK(s == doctest::Approx(1.0).epsilon(1e-12));
  }

  BcosLinear lin(5, 3);
  lin.to(DType::f64);
  const Variable v = leaf_f64({2, 5}, 6);
  const std::vector<double> lb = lin(v).data().to_vector();
  Tensor& lw = lin.linear->weight.mutable_data();
  lw.copy_(kernels::mul(lw, 123.0));
  CHECK(max_abs_diff(lin(v).data().to_vector(), lb) < 1e-12);
}

TEST_CASE("BcosLinear matches the A.1 formula (B, max_out, leading dims)") {
  struct Case {
    double b;
    int64_t M;
  };
  for (const Case& k : {Case{2.0, 1}, Case{2.0, 2}, Case{1.5, 1}, Case{3.0, 3}, Case{1.0, 2}}) {
    CAPTURE(k.b);
    CAPTURE(k.M);
    BcosLinear m(5, 4, k.b, k.M);
    m.to(DType::f64);
    m.linear->weight.mutable_data().copy_(leaf_f64({4 * k.M, 5}, 8).data());
    const Variable x = leaf_f64({2, 3, 5}, 9);
    const Variable y = m(x);
    CHECK(y.shape() == Shape{2, 3, 4});
    CHECK(
        max_abs_diff(y.data().to_vector(), bcos_linear_loop(x.data().to_vector(), m.linear->weight.data().to_vector(),
                                                            6, 5, 4, k.M, k.b)) < 1e-12);
  }
}

TEST_CASE("B-cos layers use B-cos-v2 parameter names and reject bad inputs naming the module") {
  BcosConv2d conv(6, 8, 3, 1, 1, 1, 1, 2.0, 2);
  CHECK(conv.state_dict().count("linear.weight") == 1);
  CHECK(conv.linear->weight.shape() == Shape{16, 6, 3, 3});
  CHECK(conv.state_dict().size() == 1);
  BcosLinear lin(10, 3);
  CHECK(lin.state_dict().count("linear.weight") == 1);
  CHECK(lin.linear->weight.shape() == Shape{3, 10});

  struct Holder : Module {
    std::shared_ptr<BcosConv2d> conv = register_module("conv", std::make_shared<BcosConv2d>(6, 8, 3));
    std::shared_ptr<BcosLinear> fc = register_module("fc", std::make_shared<BcosLinear>(4, 2));
    std::string type_name() const override { return "Holder"; }
    Variable forward(const Variable& x) override { return x; }
  } h;
  CHECK_THROWS_WITH_AS((*h.conv)(Variable(zeros({1, 3, 5, 5}))),
                       doctest::Contains("BcosConv2d 'conv': expected input [N, 6, H, W], got float32[1, 3, 5, 5]"),
                       Error);
  CHECK_THROWS_WITH_AS((*h.fc)(Variable(zeros({2, 5}))),
                       doctest::Contains("BcosLinear 'fc': expected input [..., 4], got float32[2, 5]"), Error);
  CHECK_THROWS_WITH_AS(BcosConv2d(6, 8, 3, 1, 1, 1, 1, 2.0, 0), doctest::Contains("max_out must be >= 1"), Error);
  CHECK_THROWS_WITH_AS(BcosConv2d(6, 8, 3, 1, 1, 1, 4), doctest::Contains("groups must divide"), Error);
}

TEST_CASE("add_inverse: [x, 1 − x] along the channel dim") {
  const Variable x(tensor<float>({0.0f, 0.25f, 1.0f, 0.5f, 0.75f, 0.1f}, {1, 3, 1, 2}));
  const std::vector<double> y = AddInverse()(x).data().to_vector();
  const std::vector<double> expect = {0.0, 0.25, 1.0, 0.5, 0.75, 0.1, 1.0, 0.75, 0.0, 0.5, 0.25, 0.9};
  REQUIRE(y.size() == expect.size());
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(expect[i]).epsilon(1e-7));
  CHECK(add_inverse(Variable(zeros({3, 4, 5}))).shape() == Shape{6, 4, 5});
  CHECK_THROWS_WITH_AS(add_inverse(Variable(zeros({3, 4}))), doctest::Contains("add_inverse: expected an image"),
                       Error);
}

TEST_CASE("BatchNormUncentered2d: uncentred x over the centred biased variance, running_var, eval") {
  const int64_t N = 3, C = 2, H = 4, W = 5;
  BatchNormUncentered2d bn(C);
  bn.to(DType::f64);
  CHECK(bn.state_dict().size() == 4);  // weight, running_mean, running_var, num_batches_tracked (NoBias)
  CHECK(bn.state_dict().count("bias") == 0);
  CHECK(bn.num_batches_tracked.dtype() == DType::i64);
  bn.weight.mutable_data().copy_(tensor<double>({1.5, -0.5}, {C}));
  const Variable x = leaf_f64({N, C, H, W}, 21, -1.0, 3.0);
  const std::vector<double> xv = x.data().to_vector();
  std::vector<double> var(C);
  for (int64_t c = 0; c < C; ++c) {
    double s = 0, ss = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < H * W; ++i) s += xv[(n * C + c) * H * W + i];
    const double mu = s / (N * H * W);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < H * W; ++i) ss += std::pow(xv[(n * C + c) * H * W + i] - mu, 2);
    var[c] = ss / (N * H * W);
  }
  const double gamma[2] = {1.5, -0.5};
  auto expect = [&](const std::vector<double>& v) {
    std::vector<double> out(xv.size());
    for (size_t i = 0; i < xv.size(); ++i) {
      const int64_t c = (static_cast<int64_t>(i) / (H * W)) % C;
      out[i] = gamma[c] * xv[i] / std::sqrt(v[c] + 1e-5);
    }
    return out;
  };
  CHECK(max_abs_diff(bn(x).data().to_vector(), expect(var)) < 1e-12);
  CHECK(max_abs_diff(bn.running_var.data().to_vector(), {0.9 + 0.1 * var[0], 0.9 + 0.1 * var[1]}) < 1e-15);
  bn(x);
  const std::vector<double> rv = {0.9 * (0.9 + 0.1 * var[0]) + 0.1 * var[0],
                                  0.9 * (0.9 + 0.1 * var[1]) + 0.1 * var[1]};
  CHECK(max_abs_diff(bn.running_var.data().to_vector(), rv) < 1e-15);
  CHECK(bn.num_batches_tracked.item<int64_t>() == 2);
  CHECK(max_abs_diff(bn.running_mean.data().to_vector(), {0.0, 0.0}) == 0.0);

  bn.eval();
  const std::vector<double> stored = bn.running_var.data().to_vector();
  CHECK(max_abs_diff(bn(x).data().to_vector(), expect(rv)) < 1e-12);
  CHECK(bn.running_var.data().to_vector() == stored);  // eval does not update
  CHECK(bn.num_batches_tracked.item<int64_t>() == 2);

  BatchNormUncentered2d with_bias(C, 1e-5, 0.1, /*bias=*/true);
  CHECK(with_bias.state_dict().count("bias") == 1);
  CHECK_THROWS_WITH_AS(bn(Variable(zeros({2, 3, 4, 4}, DType::f64))),
                       doctest::Contains("BatchNormUncentered2d '': expected input [N, 2, H, W]"), Error);
}

TEST_CASE("BatchNormUncentered1d: statistics over N (and L)") {
  BatchNormUncentered1d bn(2);
  bn.to(DType::f64);
  const Variable x(tensor<double>({1.0, 2.0, 3.0, -2.0, 5.0, 0.0}, {3, 2}));
  // channel 0: {1, 3, 5}, var 8/3; channel 1: {2, -2, 0}, var 8/3.
  const std::vector<double> y = bn(x).data().to_vector();
  const double s = std::sqrt(8.0 / 3.0 + 1e-5);
  CHECK(max_abs_diff(y, {1 / s, 2 / s, 3 / s, -2 / s, 5 / s, 0.0}) < 1e-12);
  CHECK(bn(Variable(zeros({4, 2, 3}, DType::f64))).shape() == Shape{4, 2, 3});
  CHECK_THROWS_WITH_AS(bn(Variable(zeros({4, 2, 3, 3}, DType::f64))), doctest::Contains("BatchNormUncentered1d"),
                       Error);
}

TEST_CASE("DetachableLayerNorm and DetachableGroupNorm2d match the centred formulas in both modes") {
  DetachableLayerNorm ln(4);
  ln.to(DType::f64);
  CHECK(ln.state_dict().size() == 1);
  ln.weight.mutable_data().copy_(tensor<double>({1.0, 2.0, -1.0, 0.5}, {4}));
  const Variable x = leaf_f64({3, 4}, 31, -2.0, 2.0);
  const std::vector<double> xv = x.data().to_vector();
  std::vector<double> expect;
  for (int r = 0; r < 3; ++r) {
    double mu = 0, v = 0;
    for (int i = 0; i < 4; ++i) mu += xv[r * 4 + i] / 4;
    for (int i = 0; i < 4; ++i) v += std::pow(xv[r * 4 + i] - mu, 2) / 4;
    const double g[4] = {1.0, 2.0, -1.0, 0.5};
    for (int i = 0; i < 4; ++i) expect.push_back((xv[r * 4 + i] - mu) / std::sqrt(v + 1e-5) * g[i]);
  }
  CHECK(max_abs_diff(ln(x).data().to_vector(), expect) < 1e-12);
  {
    ExplanationModeGuard on(ln);
    CHECK(max_abs_diff(ln(x).data().to_vector(), expect) < 1e-12);
  }
  DetachableLayerNorm ln2(Shape{2, 3});
  ln2.to(DType::f64);
  const Variable x2 = leaf_f64({4, 2, 3}, 33);
  const std::vector<double> normal2 = ln2(x2).data().to_vector();
  set_explanation_mode(ln2, true);
  CHECK(max_abs_diff(ln2(x2).data().to_vector(), normal2) < 1e-12);
  CHECK_THROWS_WITH_AS(
      ln2(Variable(zeros({4, 3, 2}, DType::f64))),
      doctest::Contains("DetachableLayerNorm '': the last dims of float64[4, 3, 2] on cpu must be [2, 3]"), Error);

  DetachableGroupNorm2d gn(2, 4, 1e-5, /*bias=*/true);
  gn.to(DType::f64);
  gn.weight.mutable_data().copy_(tensor<double>({1.0, -2.0, 0.5, 3.0}, {4}));
  gn.bias.mutable_data().copy_(tensor<double>({0.1, 0.2, 0.3, 0.4}, {4}));
  const Variable z = leaf_f64({2, 4, 3, 2}, 32, -1.0, 2.0);
  const std::vector<double> zv = z.data().to_vector();
  std::vector<double> gexp(zv.size());
  for (int n = 0; n < 2; ++n)
    for (int g = 0; g < 2; ++g) {
      const int base = (n * 4 + g * 2) * 6;
      double mu = 0, v = 0;
      for (int i = 0; i < 12; ++i) mu += zv[base + i] / 12;
      for (int i = 0; i < 12; ++i) v += std::pow(zv[base + i] - mu, 2) / 12;
      for (int i = 0; i < 12; ++i) {
        const int c = g * 2 + i / 6;
        const double gamma[4] = {1.0, -2.0, 0.5, 3.0}, beta[4] = {0.1, 0.2, 0.3, 0.4};
        gexp[base + i] = (zv[base + i] - mu) / std::sqrt(v + 1e-5) * gamma[c] + beta[c];
      }
    }
  CHECK(max_abs_diff(gn(z).data().to_vector(), gexp) < 1e-12);
  set_explanation_mode(gn, true);
  CHECK(max_abs_diff(gn(z).data().to_vector(), gexp) < 1e-12);
}

TEST_CASE("LogitLayer: + (−log(K − 1)), optional temperature") {
  CHECK(bcos_logit_bias(1000) == doctest::Approx(-6.906754778648554).epsilon(1e-14));
  CHECK(bcos_logit_bias(20) == doctest::Approx(-2.9444389791664403).epsilon(1e-14));
  CHECK(bcos_logit_bias(80) == doctest::Approx(-4.3694478524670215).epsilon(1e-14));
  CHECK_THROWS_WITH_AS(bcos_logit_bias(1), doctest::Contains("at least 2 classes"), Error);
  const Variable z(tensor<double>({1.0, -2.0}, {1, 2}));
  LogitLayer bias_only(std::nullopt, bcos_logit_bias(1000));
  CHECK(max_abs_diff(bias_only(z).data().to_vector(), {1.0 - 6.906754778648554, -2.0 - 6.906754778648554}) < 1e-12);
  LogitLayer both(10.0, 0.5);
  CHECK(max_abs_diff(both(z).data().to_vector(), {0.6, 0.3}) < 1e-15);
  CHECK(LogitLayer()(z).data().to_vector() == z.data().to_vector());
  CHECK(bias_only.state_dict().empty());
}

TEST_CASE("explanation mode: set on every Detachable module, scoped guard restores") {
  auto net = make_tiny_net();
  CHECK(set_explanation_mode(*net, true) == 4);  // conv1, bn1, conv2, fc
  CHECK(net->conv1->explanation_mode());
  CHECK(net->fc->explanation_mode());
  set_explanation_mode(*net, false);
  net->fc->set_explanation_mode(true);  // a head left on (the reference quirk of A.7) is restored as it was
  {
    ExplanationModeGuard on(*net);
    CHECK(net->bn1->explanation_mode());
    CHECK(net->conv2->explanation_mode());
  }
  CHECK(!net->conv1->explanation_mode());
  CHECK(!net->bn1->explanation_mode());
  CHECK(net->fc->explanation_mode());
}

TEST_CASE("explanation mode: contributions x ⊙ ∂y_c/∂x sum to y_c − logit bias; outputs unchanged") {
  auto net = make_tiny_net();
  net->eval();
  const double b = bcos_logit_bias(3);
  const Variable x6 = image6({1, 3, 7, 6}, 41);
  const Variable y_normal = (*net)(x6);
  std::vector<double> sums_normal = contribution_sums(*net, x6, 0);
  const Tensor g_normal = grad({select(select(y_normal, 0, 0), 0, 1)}, {x6})[0];
  {
    ExplanationModeGuard on(*net);
    const Variable y = (*net)(x6);
    CHECK(y.data().to_vector() == y_normal.data().to_vector());  // identical outputs
    CHECK(max_rel_diff(contribution_sums(*net, x6, 0), logits_minus_bias(y, 0, b)) < 1e-10);
    // The dynamic linear weights W(x) differ from the plain gradient (per pixel), though B-cos layers are positively
    // homogeneous of degree 1, so by Euler's theorem the plain x ⊙ ∇y also sums to y − b up to the 1e-6 in the norms.
    const Tensor g = grad({select(select(y, 0, 0), 0, 1)}, {x6})[0];
    const std::vector<double> gv = g.to_vector();
    double g_max = 0;
    for (double v : gv) g_max = std::max(g_max, std::abs(v));
    CHECK(max_abs_diff(gv, g_normal.to_vector()) > 0.1 * g_max);
  }
  const double normal_gap = max_rel_diff(sums_normal, logits_minus_bias(y_normal, 0, b));
  CHECK(normal_gap > 1e-9);  // not exact: the epsilons break the homogeneity
  CHECK(normal_gap < 1e-2);
}

TEST_CASE("explanation mode: completeness holds where normal mode's does not (norm epsilon, batch statistics)") {
  const double b = bcos_logit_bias(3);
  // Small inputs: the 1e-6 inside the patch norms is no longer negligible, the network no longer homogeneous.
  {
    auto net = make_tiny_net();
    net->eval();
    const Variable x6 = image6({1, 3, 6, 6}, 42, 1e-3);
    const std::vector<double> target = logits_minus_bias((*net)(x6), 0, b);
    CHECK(max_rel_diff(contribution_sums(*net, x6, 0), target) > 1e-3);
    ExplanationModeGuard on(*net);
    CHECK(max_rel_diff(contribution_sums(*net, x6, 0), target) < 1e-10);
  }
  // BNU in training mode: the batch variance depends on x (degree 0); detached it is a constant.
  {
    auto net = make_tiny_net();
    const Variable x6 = image6({2, 3, 6, 6}, 43);
    const std::vector<double> target = logits_minus_bias((*net)(x6), 1, b);
    CHECK(max_rel_diff(contribution_sums(*net, x6, 1), target) > 0.1);
    ExplanationModeGuard on(*net);
    CHECK(max_rel_diff(contribution_sums(*net, x6, 1), target) < 1e-10);
    // Sample 1's logits do not depend on sample 0's pixels once the variance is detached.
    const Variable y = (*net)(x6);
    const Tensor g = grad({select(select(y, 0, 1), 0, 0)}, {x6})[0];
    CHECK(max_abs_diff(g.select(0, 0).contiguous().to_vector(), std::vector<double>(6 * 36, 0.0)) == 0.0);
  }
}

}  // TEST_SUITE("nn")

TEST_SUITE("gradcheck") {
TEST_CASE("gradcheck: BcosConv2d w.r.t. input and weights (B = 2, 1.5, 1; max_out; groups; dilation)") {
  const std::vector<ConvCase> cases = {
      {1, 3, 4, 4, 2, 3, 1, 1, 1, 1, 2.0, 1}, {1, 2, 5, 4, 2, 3, 2, 1, 1, 1, 2.0, 2},
      {1, 2, 4, 4, 2, 3, 1, 1, 1, 1, 1.5, 1}, {1, 4, 4, 4, 2, 3, 1, 1, 1, 2, 2.0, 1},
      {1, 2, 5, 5, 2, 3, 1, 1, 2, 1, 2.0, 1}, {1, 2, 4, 4, 3, 3, 1, 1, 1, 1, 1.0, 2},
  };
  for (const ConvCase& c : cases) {
    CAPTURE(c);
    auto m = make_conv(c);
    CHECK_GRADCHECK([&](const variable_list& v) { return (*m)(v[0]); },
                    {leaf_f64({c.N, c.C, c.H, c.W}, 51), m->linear->weight});
  }
}

TEST_CASE("gradcheck: BcosLinear w.r.t. input and weights (B = 2, 3; max_out)") {
  for (auto [b, M] : std::vector<std::pair<double, int64_t>>{{2.0, 1}, {3.0, 2}}) {
    BcosLinear m(4, 3, b, M);
    m.to(DType::f64);
    CHECK_GRADCHECK([&](const variable_list& v) { return m(v[0]); }, {leaf_f64({2, 4}, 52), m.linear->weight});
  }
}

TEST_CASE("gradcheck: uncentred batch norm (train and eval), detachable norms, encoding, logit layer") {
  BatchNormUncentered2d bn(3, 1e-5, 0.1, /*bias=*/true);
  bn.to(DType::f64);
  bn.weight.mutable_data().copy_(leaf_f64({3}, 53, 0.5, 1.5).data());
  CHECK_GRADCHECK([&](const variable_list& v) { return bn(v[0]); }, {leaf_f64({2, 3, 2, 3}, 54), bn.weight, bn.bias});
  bn.eval();
  CHECK_GRADCHECK([&](const variable_list& v) { return bn(v[0]); }, {leaf_f64({2, 3, 2, 3}, 55), bn.weight, bn.bias});
  BatchNormUncentered1d bn1(3);
  bn1.to(DType::f64);
  CHECK_GRADCHECK([&](const variable_list& v) { return bn1(v[0]); }, {leaf_f64({4, 3}, 56), bn1.weight});

  DetachableLayerNorm ln(5, 1e-5, /*bias=*/true);
  ln.to(DType::f64);
  CHECK_GRADCHECK([&](const variable_list& v) { return ln(v[0]); }, {leaf_f64({3, 5}, 57), ln.weight, ln.bias});
  DetachableGroupNorm2d gn(2, 4);
  gn.to(DType::f64);
  CHECK_GRADCHECK([&](const variable_list& v) { return gn(v[0]); }, {leaf_f64({2, 4, 2, 2}, 58), gn.weight});

  CHECK_GRADCHECK([](const variable_list& v) { return add_inverse(v[0]); }, {leaf_f64({1, 2, 2, 2}, 59)});
  LogitLayer logit(2.0, -1.0);
  CHECK_GRADCHECK([&](const variable_list& v) { return logit(v[0]); }, {leaf_f64({2, 3}, 60)});
}

TEST_CASE("gradcheck: explanation mode is the gradient of the detached formulation") {
  // BcosConv2d: out = s0 ⊙ maxout(conv(x, V/‖V‖)) with s0 = |o0|/n0 (B = 2) or (|o0/n0| + 1e-6)^(B−1) frozen.
  for (const ConvCase& c :
       {ConvCase{1, 2, 4, 4, 2, 3, 1, 1, 1, 1, 2.0, 2}, ConvCase{1, 2, 4, 4, 2, 3, 2, 1, 1, 1, 3.0, 1}}) {
    CAPTURE(c.b);
    auto m = make_conv(c);
    const Variable x = leaf_f64({c.N, c.C, c.H, c.W}, 61);
    Tensor s0;
    {
      NoGradGuard ng;
      const Variable o0 = nn::max_out((*m->linear)(x), 1, c.M);
      const Variable n0 = bcos_patch_norm(x, *m->linear, c.O);
      s0 = div(bcos_scale(o0, n0, c.b, false), o0).data();
    }
    set_explanation_mode(*m, true);
    check_frozen_gradcheck([&](const variable_list& v) { return (*m)(v[0]); },
                           [&](const variable_list& v) {
                             const Variable w = div(v[1], norm(v[1], 2.0, {1, 2, 3}, true));
                             return mul(Variable(s0),
                                        nn::max_out(conv2d(v[0], w, Variable(), m->linear->params), 1, c.M));
                           },
                           {x, m->linear->weight});
  }
  // BcosLinear: out = (|o0| / ‖x0‖) ⊙ x ŵᵀ.
  {
    BcosLinear m(4, 3);
    m.to(DType::f64);
    const Variable x = leaf_f64({2, 4}, 62);
    Tensor s0;
    {
      NoGradGuard ng;
      s0 = div(abs((*m.linear)(x)), add(norm(x, 2.0, {-1}, true), 1e-12)).data();
    }
    set_explanation_mode(m, true);
    check_frozen_gradcheck([&](const variable_list& v) { return m(v[0]); },
                           [&](const variable_list& v) {
                             return mul(Variable(s0), linear(v[0], div(v[1], norm(v[1], 2.0, {1}, true))));
                           },
                           {x, m.linear->weight});
  }
  // BNU in training: y = γ x / sqrt(var0 + ε) with the batch variance var0 frozen.
  {
    BatchNormUncentered2d bn(2);
    bn.to(DType::f64);
    const Variable x = leaf_f64({2, 2, 2, 3}, 63);
    const Tensor var0 = var(x.detach(), {0, 2, 3}, false, true).data();
    set_explanation_mode(bn, true);
    check_frozen_gradcheck([&](const variable_list& v) { return bn(v[0]); },
                           [&](const variable_list& v) {
                             return mul(reshape(v[1], {1, 2, 1, 1}), div(v[0], sqrt(add(Variable(var0), 1e-5))));
                           },
                           {x, bn.weight});
  }
  // DetachableLayerNorm: y = (x − mean(x)) / sqrt(var0 + ε) · γ, only the variance frozen.
  {
    DetachableLayerNorm ln(4);
    ln.to(DType::f64);
    const Variable x = leaf_f64({3, 4}, 64);
    const Tensor var0 = var(x.detach(), {1}, false, true).data();
    set_explanation_mode(ln, true);
    check_frozen_gradcheck([&](const variable_list& v) { return ln(v[0]); },
                           [&](const variable_list& v) {
                             return mul(div(sub(v[0], mean(v[0], {1}, true)), sqrt(add(Variable(var0), 1e-5))), v[1]);
                           },
                           {x, ln.weight});
  }
}

}  // TEST_SUITE("gradcheck")
