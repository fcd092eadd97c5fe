// Probes (nn/probes.h): shapes, parameter names and counts of the paper's heads, postavgpool semantics against
// per-position references, the B-cos probe against a plain-loop B-cos reference with its logit bias, the class-token
// probe, the factory, and short training runs that must reduce the loss.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "autograd/ops.h"
#include "kernels/binary.h"
#include "nn/bcos.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/optim/sgd.h"
#include "nn/probes.h"
#include "tensor/creation.h"
#include "tensor/random.h"

using namespace htp;
using namespace htp::nn;

namespace {

std::set<std::string> names_of(const std::vector<std::pair<std::string, Variable>>& list) {
  std::set<std::string> out;
  for (const auto& [n, _] : list) out.insert(n);
  return out;
}

void check_close(const Tensor& a, const Tensor& b, double eps) {
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) CHECK(x[i] == doctest::Approx(y[i]).epsilon(eps));
}

// A 1×1 convolution weight [O, I, 1, 1] as a matrix [O, I].
Variable matrix(const Variable& conv_weight) {
  return reshape(conv_weight, {conv_weight.size(0), conv_weight.size(1)});
}

// Features with class-dependent means: class k adds 1.5 to channel k at every position.
struct Toy {
  Tensor features;  // [N, D, 3, 3]
  Tensor labels;    // [N]
};

Toy toy_problem(int64_t n, int64_t dims, int64_t classes) {
  manual_seed(7);
  Tensor f = randn({n, dims, 3, 3});
  std::vector<int64_t> y(static_cast<size_t>(n));
  float* p = f.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    y[i] = i % classes;
    for (int64_t s = 0; s < 9; ++s) p[(i * dims + y[i]) * 9 + s] += 1.5f;
  }
  return {f, tensor(y, {n})};
}

template <class LossFn>
std::pair<double, double> train(Module& probe, const Toy& toy, const SGDOptions& options, int steps, LossFn loss_fn) {
  SGD opt({ParamGroup{probe.named_parameters()}}, options);
  probe.train();
  double first = 0, last = 0;
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    Variable loss = loss_fn(probe(Variable(toy.features)), toy.labels);
    loss.backward();
    opt.step();
    if (s == 0) first = loss.template item<double>();
  }
  {
    NoGradGuard no_grad;
    last = loss_fn(probe(Variable(toy.features)), toy.labels).template item<double>();
  }
  return {first, last};
}

}  // namespace

TEST_SUITE("nn") {

TEST_CASE("every probe kind maps a feature map [N, D, h, w] to logits [N, C]") {
  manual_seed(1);
  const Variable features(randn({3, 8, 4, 5}));
  for (const std::string& kind : probe_kinds()) {
    CAPTURE(kind);
    auto probe = make_probe(kind, 8, 5, 6);
    CHECK(probe->operator()(features).shape() == Shape{3, 5});
  }
  CHECK_THROWS_WITH_AS(make_probe("mlp4", 8, 5),
                       doctest::Contains("unknown probe kind 'mlp4' (kinds: linear, linear-nobias, mlp2, mlp3, "
                                         "mlp2-bnu, mlp3-bnu, bcos-linear, bcos-mlp2, bcos-mlp3)"),
                       Error);
  CHECK_THROWS_WITH_AS((*make_probe("linear", 8, 5))(Variable(randn({3, 7, 2, 2}))),
                       doctest::Contains("LinearProbe: expects a feature map [N, 8, h, w], got float32[3, 7, 2, 2]"),
                       Error);
  CHECK_THROWS_WITH_AS(MLPProbe(8, 5, {.num_layers = 1}), doctest::Contains("num_layers >= 2"), Error);
}

TEST_CASE("probe parameter names follow the official mmpretrain heads") {
  CHECK(names_of(LinearProbe(8, 5).named_parameters()) == std::set<std::string>{"fc.weight", "fc.bias"});
  CHECK(names_of(LinearProbe(8, 5, false).named_parameters()) == std::set<std::string>{"fc.weight"});
  MLPProbe mlp3(8, 5, {.num_layers = 3, .hidden = 6});
  CHECK(names_of(mlp3.named_parameters()) ==
        std::set<std::string>{"fc0.weight", "fc0.bias", "bn0.weight", "bn0.bias", "fc1.weight", "fc1.bias",
                              "bn1.weight", "bn1.bias", "fc2.weight", "fc2.bias"});
  CHECK(names_of(mlp3.named_buffers()) ==
        std::set<std::string>{"bn0.running_mean", "bn0.running_var", "bn0.num_batches_tracked", "bn1.running_mean",
                              "bn1.running_var", "bn1.num_batches_tracked"});
  MLPProbe bcos_bn(8, 5, {.hidden = 6, .bias = false, .is_bcos = true});
  CHECK(names_of(bcos_bn.named_parameters()) == std::set<std::string>{"fc0.weight", "bn0.weight", "fc1.weight"});
  CHECK(bcos_bn.norms[0]->type_name() == "BatchNormUncentered2d");
  CHECK(names_of(make_probe("mlp2-bnu", 8, 5, 6)->named_parameters()) == names_of(bcos_bn.named_parameters()));
  BcosMLPProbe bcos2(8, 5, 2, 6);
  CHECK(names_of(bcos2.named_parameters()) ==
        std::set<std::string>{"fc0.linear.weight", "bn0.weight", "fc1.linear.weight"});
  CHECK(names_of(BcosMLPProbe(8, 5).named_parameters()) == std::set<std::string>{"fc0.linear.weight"});
  CHECK(bcos2.fcs[0]->linear->weight.shape() == Shape{6, 8, 1, 1});
}

TEST_CASE("parameter counts of the paper's probes for 2048 features and 1000 classes") {
  // From the definitions (see nn/probes.h): weights + conv biases + affine BN.
  CHECK(make_probe("linear", 2048, 1000)->num_parameters() == 2'049'000);
  CHECK(make_probe("linear-nobias", 2048, 1000)->num_parameters() == 2'048'000);
  CHECK(make_probe("mlp2", 2048, 1000)->num_parameters() == 6'249'448);
  CHECK(make_probe("mlp3", 2048, 1000)->num_parameters() == 10'449'896);
  // The B-cos-backbone ReLU MLPs: bias-free convolutions, NoBias BNU (a weight per channel, no bias).
  CHECK(make_probe("mlp2-bnu", 2048, 1000)->num_parameters() == 6'244'352);
  CHECK(make_probe("mlp3-bnu", 2048, 1000)->num_parameters() == 10'440'704);
  CHECK(make_probe("bcos-linear", 2048, 1000)->num_parameters() == 2'048'000);
  CHECK(make_probe("bcos-mlp2", 2048, 1000)->num_parameters() == 6'244'352);
  CHECK(make_probe("bcos-mlp3", 2048, 1000)->num_parameters() == 10'440'704);
}

TEST_CASE("postavgpool: a linear probe equals pool-then-linear") {
  manual_seed(2);
  LinearProbe probe(6, 4);
  const Variable features(randn({2, 6, 3, 5}));
  const Variable pooled_features = mean(features, {2, 3});
  check_close(probe(features).data(), linear(pooled_features, matrix(probe.fc->weight), probe.fc->bias).data(), 1e-5);
}

TEST_CASE("postavgpool: an MLP probe applies BN and ReLU per position and pools the logits") {
  manual_seed(3);
  MLPProbe probe(6, 4, {.num_layers = 3, .hidden = 5});
  const Variable features(randn({2, 6, 3, 3}));

  // Per-position reference in eval mode (running statistics mean 0, var 1).
  probe.eval();
  auto bn_eval = [](const Variable& x, const BatchNorm& bn) {
    return add(mul(div(x, std::sqrt(1.0 + bn.eps)), bn.weight), bn.bias);
  };
  const Variable rows = permute(features, {0, 2, 3, 1});  // [N, h, w, D]
  Variable x = bn_eval(linear(rows, matrix(probe.fcs[0]->weight), probe.fcs[0]->bias),
                       static_cast<BatchNorm&>(*probe.norms[0]));
  x = bn_eval(linear(relu(x), matrix(probe.fcs[1]->weight), probe.fcs[1]->bias),
              static_cast<BatchNorm&>(*probe.norms[1]));
  x = linear(relu(x), matrix(probe.fcs[2]->weight), probe.fcs[2]->bias);
  const Tensor expected = mean(x, {1, 2}).data();
  const Tensor actual = probe(features).data();
  check_close(actual, expected, 1e-5);

  // Pooling first gives different logits: the ReLU does not commute with the mean.
  const Tensor pool_first = probe(mean(features, {2, 3}, true)).data();
  double max_diff = 0;
  for (size_t i = 0; i < expected.to_vector().size(); ++i)
    max_diff = std::max(max_diff, std::abs(pool_first.to_vector()[i] - actual.to_vector()[i]));
  CHECK(max_diff > 1e-3);

  // In training, bn0's statistics run over all N·h·w positions.
  probe.train();
  probe(features);
  const Tensor fc0_out = linear(rows, matrix(probe.fcs[0]->weight), probe.fcs[0]->bias).data();  // [N, h, w, H]
  const Tensor batch_mean = mean(Variable(fc0_out), {0, 1, 2}).data();
  check_close(static_cast<BatchNorm&>(*probe.norms[0]).running_mean.data(), kernels::mul(batch_mean, 0.1), 1e-5);
}

TEST_CASE("MLPProbe's optional logit bias adds -log(C - 1)") {
  manual_seed(4);
  MLPProbe with(6, 5, {.hidden = 4, .logit_bias = true});
  MLPProbe without(6, 5, {.hidden = 4});
  without.load_state_dict(with.state_dict());
  with.eval();
  without.eval();
  const Variable features(randn({2, 6, 2, 2}));
  check_close(with(features).data(), kernels::add(without(features).data(), -std::log(4.0)), 1e-6);
}

TEST_CASE("B-cos linear probe: pooled B=2 B-cos scores per position plus the logit bias -log(C - 1)") {
  manual_seed(5);
  const int64_t dims = 4, classes = 3, n = 2, hw = 4;
  BcosMLPProbe probe(dims, classes);
  probe.to(DType::f64);
  const Tensor f = randn({n, dims, 2, 2}, DType::f64);
  const std::vector<double> x = f.to_vector(), w = probe.fcs[0]->linear->weight.data().to_vector();
  std::vector<double> expected(n * classes, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < classes; ++c) {
      double wn = 0;
      for (int64_t d = 0; d < dims; ++d) wn += w[c * dims + d] * w[c * dims + d];
      for (int64_t s = 0; s < hw; ++s) {
        double dot = 0, xn = 0;
        for (int64_t d = 0; d < dims; ++d) {
          const double v = x[(i * dims + d) * hw + s];
          dot += w[c * dims + d] * v;
          xn += v * v;
        }
        dot /= std::sqrt(wn);
        expected[i * classes + c] += dot * std::abs(dot) / std::sqrt(xn + 1e-6) / hw;
      }
      expected[i * classes + c] -= std::log(static_cast<double>(classes - 1));
    }
  check_close(probe(Variable(f)).data(), tensor(expected, {n, classes}), 1e-10);
  CHECK(*probe.logit_layer->bias == doctest::Approx(-std::log(2.0)));
  CHECK(BcosMLPProbe(4, 1000, 3, 8).logit_layer->bias.value() == doctest::Approx(-6.906755).epsilon(1e-6));
}

TEST_CASE("B-cos MLP probe: no bias anywhere, NoBias BNU between B-cos layers, no ReLU") {
  manual_seed(6);
  BcosMLPProbe probe(6, 4, 3, 5);
  for (const auto& [name, p] : probe.named_parameters()) CHECK(name.find("bias") == std::string::npos);
  for (const auto& [name, m] : probe.named_modules()) CHECK(m->type_name() != "ReLU");
  REQUIRE(probe.norms.size() == 2);
  CHECK(probe.norms[1]->type_name() == "BatchNormUncentered2d");
  // Evaluated layer by layer: fc0 → bn0 → fc1 → bn1 → fc2 → mean over positions → + logit bias.
  probe.eval();
  const Variable features(randn({2, 6, 3, 3}));
  Variable x = features;
  for (size_t i = 0; i < 3; ++i) {
    x = (*probe.fcs[i])(x);
    if (i < 2) x = (*probe.norms[i])(x);
  }
  check_close(probe(features).data(), kernels::add(mean(x, {2, 3}).data(), -std::log(3.0)), 1e-6);
}

TEST_CASE("ClassTokenProbe: a linear map of the class token") {
  manual_seed(8);
  ClassTokenProbe probe(6, 3);
  const Variable tokens(randn({2, 5, 6}));
  const Variable cls = select(tokens, 1, 0);
  check_close(probe(tokens).data(), linear(cls, probe.fc->weight, probe.fc->bias).data(), 1e-6);
  check_close(probe(cls).data(), probe(tokens).data(), 1e-7);
  CHECK_THROWS_WITH_AS(probe(Variable(randn({2, 5}))), doctest::Contains("[N, 6] or tokens [N, T, 6]"), Error);
}

TEST_CASE("a linear probe trained with SGD on a toy problem reduces its CE loss") {
  const Toy toy = toy_problem(24, 4, 3);
  manual_seed(9);
  LinearProbe probe(4, 3);
  const auto [first, last] = train(probe, toy, {.lr = 0.5, .momentum = 0.9}, 15, cross_entropy);
  CHECK(last < 0.5 * first);
}

TEST_CASE("MLP and B-cos MLP probes trained with SGD reduce their CE / BCE losses") {
  const Toy toy = toy_problem(24, 4, 3);
  manual_seed(10);
  MLPProbe mlp(4, 3, {.hidden = 8});
  const auto [mlp_first, mlp_last] = train(mlp, toy, {.lr = 0.1, .momentum = 0.9}, 15, cross_entropy);
  CHECK(mlp_last < 0.5 * mlp_first);
  BcosMLPProbe bcos(4, 3, 2, 8);
  const auto [bcos_first, bcos_last] = train(bcos, toy, {.lr = 5.0, .momentum = 0.9}, 15, uniform_off_labels_bce);
  CHECK(bcos_last < 0.8 * bcos_first);
}

}  // TEST_SUITE("nn")
