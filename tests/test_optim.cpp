// Optimisers and learning-rate schedules (nn/optim/): updates against scalar re-implementations of the PyTorch /
// mmpretrain pseudo-code and hand-computed numbers, parameter groups, state dicts; schedules against closed forms
// and against a step-by-step simulation of mmengine's chainable schedulers and its ParamSchedulerHook.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "nn/optim/adam.h"
#include "nn/optim/lars.h"
#include "nn/optim/schedule.h"
#include "nn/optim/sgd.h"
#include "tensor/creation.h"

using namespace htp;
using namespace htp::nn;

namespace {

Variable param(const std::vector<double>& values) {
  return Variable(tensor(values, {static_cast<int64_t>(values.size())}), true);
}

void set_grad(Variable& p, const std::vector<double>& g) { p.set_grad(tensor(g, {static_cast<int64_t>(g.size())})); }

void check_close(const Tensor& actual, const std::vector<double>& expected, double eps = 1e-12) {
  const std::vector<double> a = actual.to_vector();
  REQUIRE(a.size() == expected.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(expected[i]).epsilon(eps));
}

const std::vector<std::vector<double>> kGrads = {{0.5, 1.0, -0.25}, {-1.0, 2.0, 0.75}, {0.3, -0.4, 0.0}};
const std::vector<double> kStart = {1.0, -2.0, 0.5};

// torch.optim.SGD pseudo-code on plain doubles (one parameter tensor).
std::vector<double> sgd_reference(double lr, double mu, double dampening, double wd, bool nesterov) {
  std::vector<double> p = kStart, b(p.size());
  for (size_t step = 0; step < kGrads.size(); ++step)
    for (size_t i = 0; i < p.size(); ++i) {
      double d = kGrads[step][i] + wd * p[i];
      if (mu != 0) {
        b[i] = step == 0 ? d : mu * b[i] + (1 - dampening) * d;
        d = nesterov ? d + mu * b[i] : b[i];
      }
      p[i] -= lr * d;
    }
  return p;
}

// torch.optim.Adam / AdamW pseudo-code.
std::vector<double> adam_reference(double lr, double b1, double b2, double eps, double wd, bool decoupled) {
  std::vector<double> p = kStart, m(p.size()), v(p.size());
  for (size_t step = 0; step < kGrads.size(); ++step) {
    const double t = static_cast<double>(step + 1);
    for (size_t i = 0; i < p.size(); ++i) {
      double g = kGrads[step][i];
      if (decoupled) p[i] *= 1 - lr * wd;
      else g += wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(b1, t)), v_hat = v[i] / (1 - std::pow(b2, t));
      p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
  }
  return p;
}

// mmpretrain LARS pseudo-code.
std::vector<double> lars_reference(double lr, double mu, double wd, double eta, bool exclude) {
  std::vector<double> p = kStart, b(p.size());
  for (size_t step = 0; step < kGrads.size(); ++step) {
    double pn = 0, gn = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      pn += p[i] * p[i];
      gn += kGrads[step][i] * kGrads[step][i];
    }
    pn = std::sqrt(pn);
    gn = std::sqrt(gn);
    const double local = exclude || pn == 0 || gn == 0 ? 1.0 : eta * pn / (gn + wd * pn + 1e-8);
    for (size_t i = 0; i < p.size(); ++i) {
      const double d = (kGrads[step][i] + wd * p[i]) * lr * local;
      b[i] = step == 0 ? d : mu * b[i] + d;
      p[i] -= b[i];
    }
  }
  return p;
}

template <class Opt, class Options>
Tensor run_steps(const Options& options, GroupOptions group = {}) {
  Variable p = param(kStart);
  Opt opt({ParamGroup{{{"w", p}}, group}}, options);
  for (const auto& g : kGrads) {
    opt.zero_grad();
    set_grad(p, g);
    opt.step();
  }
  return p.data();
}

// ---- mmengine simulation: chainable _get_value formulas, step() windows, ParamSchedulerHook order ----------------
struct SimScheduler {
  enum Kind { step, multi_step, linear, cosine } kind;
  int64_t begin, end;
  bool by_epoch;
  double gamma = 0.1, start = 1, stop = 1;
  int64_t step_size = 1, t_max = 1;
  std::vector<int64_t> milestones = {};
  int64_t last_step = -1, global_step = -1;

  void advance(double& lr) {
    ++global_step;
    if (global_step < begin || global_step >= end) return;
    const int64_t t = ++last_step;
    switch (kind) {
      case step:
        if (t != 0 && t % step_size == 0) lr *= gamma;
        break;
      case multi_step:
        for (int64_t m : milestones)
          if (m == t) lr *= gamma;
        break;
      case linear: {
        const double total = static_cast<double>(end - begin - 1);
        lr = t == 0 ? lr * start
                    : lr * (1 + (stop - start) / (total * start + static_cast<double>(t - 1) * (stop - start)));
        break;
      }
      case cosine: {
        const double pi = std::numbers::pi, T = static_cast<double>(t_max);
        if (t == 0) break;
        if ((t - 1 - t_max) % (2 * t_max) == 0) lr += (1.0 - std::cos(pi / T)) / 2;  // base value 1
        else lr = (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) * lr;
        break;
      }
    }
  }
};

// The lr factor of every iteration of a run of `epochs` epochs, as mmengine's runner produces it.
std::vector<double> simulate(std::vector<SimScheduler> schedulers, int64_t iters_per_epoch, int64_t epochs) {
  double lr = 1.0;
  for (auto& s : schedulers) s.advance(lr);  // each constructor calls step() once
  std::vector<double> out;
  for (int64_t e = 0; e < epochs; ++e) {
    for (int64_t i = 0; i < iters_per_epoch; ++i) {
      out.push_back(lr);
      for (auto& s : schedulers)
        if (!s.by_epoch) s.advance(lr);
    }
    for (auto& s : schedulers)
      if (s.by_epoch) s.advance(lr);
  }
  return out;
}

void check_against_simulation(const LrSchedule& schedule, const std::vector<double>& simulated) {
  int failures = 0;
  for (size_t i = 0; i < simulated.size(); ++i) {
    const double f = schedule.factor(static_cast<int64_t>(i));
    if (std::abs(f - simulated[i]) > 1e-9 * std::max(1.0, std::abs(simulated[i])) && failures++ < 5)
      FAIL_CHECK("iteration " << i << ": factor " << f << ", mmengine " << simulated[i]);
  }
  CHECK(failures == 0);
}

}  // namespace

TEST_SUITE("nn") {

// ---- SGD -----------------------------------------------------------------------------------------------------------

TEST_CASE("SGD with momentum and weight decay: two hand-computed steps") {
  Variable p = param({1.0, -2.0});
  SGD opt({ParamGroup{{{"w", p}}}}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
  set_grad(p, {0.5, 1.0});
  opt.step();
  // d = g + 0.01 p = [0.51, 0.98];  b = d;  p = p - 0.1 b
  check_close(p.data(), {0.949, -2.098});
  set_grad(p, {-1.0, 2.0});
  opt.step();
  // d = [-0.99051, 1.97902];  b = 0.9 [0.51, 0.98] + d = [-0.53151, 2.86102];  p = p - 0.1 b
  check_close(p.data(), {1.002151, -2.384102});
  check_close(opt.state_dict().at("w.momentum_buffer"), {-0.53151, 2.86102});
}

TEST_CASE("SGD matches torch.optim.SGD: plain, momentum, dampening, nesterov, weight decay") {
  check_close(run_steps<SGD>(SGDOptions{.lr = 0.3}), sgd_reference(0.3, 0, 0, 0, false));
  check_close(run_steps<SGD>(SGDOptions{.lr = 0.3, .momentum = 0.9}), sgd_reference(0.3, 0.9, 0, 0, false));
  check_close(run_steps<SGD>(SGDOptions{.lr = 0.3, .momentum = 0.9, .dampening = 0.5}),
              sgd_reference(0.3, 0.9, 0.5, 0, false));
  check_close(run_steps<SGD>(SGDOptions{.lr = 0.3, .momentum = 0.9, .weight_decay = 0.1, .nesterov = true}),
              sgd_reference(0.3, 0.9, 0, 0.1, true));
  // Without momentum no state is kept.
  Variable p = param(kStart);
  SGD opt({ParamGroup{{{"w", p}}}}, {.lr = 0.1});
  set_grad(p, kGrads[0]);
  opt.step();
  CHECK(opt.state_dict().empty());
}

TEST_CASE("SGD in float32 updates in place and keeps dtype and storage") {
  Variable p(tensor(std::vector<float>{1.f, 2.f}, {2}), true);
  const void* storage = p.data().raw_data();
  SGD opt({ParamGroup{{{"w", p}}}}, {.lr = 0.5, .momentum = 0.9});
  p.set_grad(tensor(std::vector<float>{1.f, -1.f}, {2}));
  opt.step();
  CHECK(p.dtype() == DType::f32);
  CHECK(p.data().raw_data() == storage);
  check_close(p.data(), {0.5, 2.5}, 1e-6);
}

TEST_CASE("SGD option errors") {
  Variable p = param(kStart);
  CHECK_THROWS_WITH_AS(SGD({ParamGroup{{{"w", p}}}}, {.lr = 0.1, .nesterov = true}),
                       doctest::Contains("Nesterov momentum needs momentum > 0"), Error);
  CHECK_THROWS_WITH_AS(SGD({ParamGroup{{{"w", p}}}}, {.lr = -1}), doctest::Contains("learning rate must be >= 0"),
                       Error);
  CHECK_THROWS_WITH_AS(SGD({ParamGroup{{{"w", p}, {"w", param({1})}}}}, {}), doctest::Contains("'w' appears twice"),
                       Error);
  CHECK_THROWS_WITH_AS(SGD({ParamGroup{{{"a", p}}}, ParamGroup{{{"b", p}}}}, {}), doctest::Contains("listed twice"),
                       Error);
}

// ---- Adam / AdamW --------------------------------------------------------------------------------------------------

TEST_CASE("Adam's first step moves every weight by lr * g / (|g| + eps) (bias correction)") {
  Variable p = param({1.0, -2.0, 0.5});
  Adam opt({ParamGroup{{{"w", p}}}}, {.lr = 0.01, .eps = 1e-8});
  set_grad(p, {0.5, -4.0, 1e-3});
  opt.step();
  check_close(p.data(), {1.0 - 0.01 * 0.5 / (0.5 + 1e-8), -2.0 + 0.01 * 4.0 / (4.0 + 1e-8),
                         0.5 - 0.01 * 1e-3 / (1e-3 + 1e-8)});
  CHECK(opt.state_dict().at("w.step").item<int64_t>() == 1);
  check_close(opt.state_dict().at("w.exp_avg"), {0.05, -0.4, 1e-4});
  check_close(opt.state_dict().at("w.exp_avg_sq"), {0.25e-3, 16e-3, 1e-9});
}

TEST_CASE("Adam (L2) and AdamW (decoupled) match torch over three steps") {
  check_close(run_steps<Adam>(AdamOptions{.lr = 0.1}), adam_reference(0.1, 0.9, 0.999, 1e-8, 0, false));
  check_close(run_steps<Adam>(AdamOptions{.lr = 0.1, .beta1 = 0.8, .beta2 = 0.95, .eps = 1e-3, .weight_decay = 0.2}),
              adam_reference(0.1, 0.8, 0.95, 1e-3, 0.2, false));
  check_close(run_steps<AdamW>(AdamOptions{.lr = 0.1, .weight_decay = 0.2}),
              adam_reference(0.1, 0.9, 0.999, 1e-8, 0.2, true));
  // The two weight decays differ.
  const std::vector<double> l2 = adam_reference(0.1, 0.9, 0.999, 1e-8, 0.2, false);
  CHECK(std::abs(run_steps<AdamW>(AdamOptions{.lr = 0.1, .weight_decay = 0.2}).to_vector()[0] - l2[0]) > 1e-4);
  Variable p = param(kStart);
  CHECK(AdamW({ParamGroup{{{"w", p}}}}, {}).type_name() == "AdamW");
  CHECK_THROWS_WITH_AS(Adam({ParamGroup{{{"w", p}}}}, {.beta2 = 1.0}),
                       doctest::Contains("Adam: betas must be in [0, 1)"), Error);
}

// ---- LARS ----------------------------------------------------------------------------------------------------------

TEST_CASE("LARS: trust ratio eta |p| / (|g| + wd |p| + eps), lr inside the momentum buffer") {
  check_close(run_steps<LARS>(LARSOptions{.lr = 4.8, .momentum = 0.9, .weight_decay = 1e-2}),
              lars_reference(4.8, 0.9, 1e-2, 0.001, false));
  // Excluded parameters: local lr 1 (and BYOL gives them decay_mult 0).
  check_close(run_steps<LARS>(LARSOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-2},
                              GroupOptions{.decay_mult = 0, .lars_exclude = true}),
              lars_reference(0.1, 0.9, 0, 0.001, true));
  // One hand-computed first step: p = [3, 4] (|p| = 5), g = [0, 2] (|g| = 2), wd 0.5:
  // local = 0.001 * 5 / (2 + 2.5 + 1e-8);  p -= lr * local * (g + 0.5 p)
  Variable p = param({3.0, 4.0});
  LARS opt({ParamGroup{{{"w", p}}}}, {.lr = 2.0, .momentum = 0.9, .weight_decay = 0.5});
  set_grad(p, {0.0, 2.0});
  opt.step();
  const double local = 0.001 * 5 / (4.5 + 1e-8);
  check_close(p.data(), {3.0 - 2.0 * local * 1.5, 4.0 - 2.0 * local * 4.0});
  check_close(opt.state_dict().at("w.momentum_buffer"), {2.0 * local * 1.5, 2.0 * local * 4.0});
}

TEST_CASE("LARS with BYOL's paramwise keys excludes norm layers and biases from decay and adaptation") {
  Variable conv = param(kStart), bias = param(kStart), bn = param(kStart);
  const auto groups = paramwise_groups({{"layer1.0.conv1.weight", conv}, {"head.fc.bias", bias},
                                        {"layer1.0.downsample.1.weight", bn}},
                                       byol_lars_keys());
  REQUIRE(groups.size() == 3);
  LARS opt(groups, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-2});
  for (const auto& g : kGrads) {
    opt.zero_grad();
    for (Variable* v : {&conv, &bias, &bn}) set_grad(*v, g);
    opt.step();
  }
  check_close(conv.data(), lars_reference(0.1, 0.9, 1e-2, 0.001, false));
  check_close(bias.data(), lars_reference(0.1, 0.9, 0, 0.001, true));
  check_close(bn.data(), lars_reference(0.1, 0.9, 0, 0.001, true));
}

// ---- groups, zero_grad, state dicts --------------------------------------------------------------------------------

TEST_CASE("paramwise_groups: longest key first, frozen parameters left out, empty groups dropped") {
  Variable a = param({1}), b = param({1}), c = param({1}), frozen(tensor(std::vector<double>{1}, {1}), false);
  const std::map<std::string, GroupOptions> keys = {
      {"head", {.lr_mult = 10}}, {"head.fc", {.lr_mult = 20}}, {"unused", {.lr_mult = 3}}};
  const auto groups =
      paramwise_groups({{"backbone.w", a}, {"head.fc.w", b}, {"head.bn.w", c}, {"head.x", frozen}}, keys);
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].params.size() == 1);
  CHECK(groups[0].params[0].first == "backbone.w");
  CHECK(groups[1].options.lr_mult == 20);  // "head.fc" (7 chars) wins over "head" for head.fc.w
  CHECK(groups[1].params[0].first == "head.fc.w");
  CHECK(groups[2].options.lr_mult == 10);
  CHECK(groups[2].params[0].first == "head.bn.w");
}

TEST_CASE("group lr_mult and decay_mult scale the group's learning rate and weight decay") {
  Variable backbone = param({1.0}), head = param({1.0});
  SGD opt({ParamGroup{{{"backbone", backbone}}}, ParamGroup{{{"head", head}}, {.lr_mult = 10, .decay_mult = 0}}},
          {.lr = 0.01, .weight_decay = 0.5});
  set_grad(backbone, {1.0});
  set_grad(head, {1.0});
  opt.step();
  check_close(backbone.data(), {1.0 - 0.01 * (1.0 + 0.5)});
  check_close(head.data(), {1.0 - 0.1 * 1.0});
  opt.set_lr(0.02);
  set_grad(head, {1.0});
  backbone.zero_grad();
  opt.step();
  check_close(backbone.data(), {1.0 - 0.01 * 1.5});  // no gradient: untouched
  check_close(head.data(), {1.0 - 0.1 - 0.2});
}

TEST_CASE("zero_grad drops the gradients; parameters without a gradient are skipped") {
  Variable p = param(kStart);
  SGD opt({ParamGroup{{{"w", p}}}}, {.lr = 1.0, .momentum = 0.9});
  set_grad(p, kGrads[0]);
  opt.zero_grad();
  CHECK_FALSE(p.grad().defined());
  opt.step();
  check_close(p.data(), kStart);
  CHECK(opt.state_dict().empty());
}

TEST_CASE("optimizer state dict round trip resumes identically; load errors name the key") {
  Variable p = param(kStart), q = param(kStart);
  AdamOptions options{.lr = 0.1, .weight_decay = 0.1};
  Adam first({ParamGroup{{{"w", p}}}}, options);
  set_grad(p, kGrads[0]);
  first.step();
  StateDict saved;
  for (const auto& [k, t] : first.state_dict()) saved[k] = t.clone();
  q.mutable_data().copy_(p.data());

  Adam resumed({ParamGroup{{{"w", q}}}}, options);
  resumed.load_state_dict(saved);
  for (size_t s = 1; s < kGrads.size(); ++s) {
    set_grad(p, kGrads[s]);
    set_grad(q, kGrads[s]);
    first.step();
    resumed.step();
  }
  check_close(q.data(), p.data().to_vector(), 1e-15);
  check_close(p.data(), adam_reference(0.1, 0.9, 0.999, 1e-8, 0.1, false));

  CHECK_THROWS_WITH_AS(resumed.load_state_dict({{"v.exp_avg", zeros({3}, DType::f64)}}),
                       doctest::Contains("state 'v.exp_avg' names no parameter"), Error);
  CHECK_THROWS_WITH_AS(resumed.load_state_dict({{"w.momentum_buffer", zeros({3}, DType::f64)}}),
                       doctest::Contains("unknown slot 'momentum_buffer'"), Error);
  CHECK_THROWS_WITH_AS(resumed.load_state_dict({{"w.exp_avg", zeros({2}, DType::f64)}}),
                       doctest::Contains("state 'w.exp_avg' is float64[2]"), Error);
}

// ---- schedules -----------------------------------------------------------------------------------------------------

TEST_CASE("imagenet_steplr: x0.1 at epochs 60 and 80") {
  const LrSchedule s = imagenet_steplr(100);
  CHECK(s.factor(0) == 1.0);
  CHECK(s.factor(5999) == 1.0);
  CHECK(s.factor(6000) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.factor(7999) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.factor(8000) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.factor(9999) == doctest::Approx(0.01).epsilon(1e-15));
}

TEST_CASE("imagenet_coslr: per-iteration linear warm-up from 0.01, then cosine per epoch") {
  const int64_t E = 10;
  const LrSchedule s = imagenet_coslr(E);
  const double pi = std::numbers::pi;
  CHECK(s.factor(0) == doctest::Approx(0.01).epsilon(1e-15));                  // warm-up start
  CHECK(s.factor(1) == doctest::Approx(0.01 + 0.99 / 49).epsilon(1e-14));      // T = 5 E - 1 = 49
  CHECK(s.factor(25) == doctest::Approx(0.01 + 0.99 * 25 / 49).epsilon(1e-14));
  CHECK(s.factor(49) == doctest::Approx(1.0).epsilon(1e-14));                  // end of warm-up
  CHECK(s.factor(50) == doctest::Approx(1.0).epsilon(1e-14));                  // cosine t = 0 (epoch 5)
  CHECK(s.factor(59) == doctest::Approx(1.0).epsilon(1e-14));                  // still epoch 5
  CHECK(s.factor(60) == doctest::Approx(0.5 * (1 + std::cos(pi / 95))).epsilon(1e-14));
  CHECK(s.factor(525) == doctest::Approx(0.5 * (1 + std::cos(pi * 47 / 95))).epsilon(1e-14));  // middle
  CHECK(s.factor(999) == doctest::Approx(0.5 * (1 + std::cos(pi * 94 / 95))).epsilon(1e-12));  // last epoch
  CHECK(s.factor(5000) == doctest::Approx(0.5 * (1 + std::cos(pi * 94 / 95))).epsilon(1e-12)); // kept after end
}

TEST_CASE("cosine converted to iterations reaches 1/2 in the middle and 0 at T_max") {
  const auto cos_iter = CosineAnnealingLR(95, {.begin = 5, .end = 100}).to_iterations(10);
  CHECK(cos_iter->window().begin == 50);
  CHECK(cos_iter->window().end == 1000);
  CHECK_FALSE(cos_iter->window().by_epoch);
  CHECK(cos_iter->factor(0) == 1.0);
  CHECK(cos_iter->factor(475) == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(cos_iter->factor(950) == doctest::Approx(0.0));
  CHECK(std::abs(cos_iter->factor(950)) < 1e-15);
}

TEST_CASE("multilabel_steplr: warm-up from 1e-7 over the first epoch, then x0.1 every 6 epochs") {
  const LrSchedule s = multilabel_steplr(20);
  CHECK(s.factor(0) == doctest::Approx(1e-7).epsilon(1e-12));
  CHECK(s.factor(10) == doctest::Approx(1e-7 + (1 - 1e-7) * 10 / 19).epsilon(1e-12));
  CHECK(s.factor(19) == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(s.factor(20) == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(s.factor(119) == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(s.factor(120) == doctest::Approx(0.1).epsilon(1e-14));
  CHECK(s.factor(12 * 20) == doctest::Approx(0.01).epsilon(1e-14));
}

TEST_CASE("the paper's schedules equal a step-by-step simulation of mmengine") {
  const int64_t E = 7;
  using K = SimScheduler;
  check_against_simulation(imagenet_steplr(E),
                           simulate({{.kind = K::multi_step, .begin = 0, .end = kScheduleForever, .by_epoch = true,
                                      .milestones = {60, 80}}},
                                    E, 100));
  check_against_simulation(
      imagenet_coslr(E),
      simulate({{.kind = K::linear, .begin = 0, .end = 5 * E, .by_epoch = false, .start = 0.01, .stop = 1.0},
                {.kind = K::cosine, .begin = 5, .end = 100, .by_epoch = true, .t_max = 95}},
               E, 100));
  check_against_simulation(
      multilabel_steplr(E),
      simulate({{.kind = K::linear, .begin = 0, .end = E, .by_epoch = false, .start = 1e-7, .stop = 1.0},
                {.kind = K::step, .begin = 0, .end = kScheduleForever, .by_epoch = true, .step_size = 6}},
               E, 50));
  // Iteration-based cosine with a late begin and a window shorter than T_max.
  const ScheduleWindow window{.begin = 10, .end = 30, .by_epoch = false};
  check_against_simulation(LrSchedule(E).add(std::make_shared<CosineAnnealingLR>(40, window)),
                           simulate({{.kind = K::cosine, .begin = 10, .end = 30, .by_epoch = false, .t_max = 40}}, E,
                                    6));
}

TEST_CASE("StepLR, MultiStepLR and scheduler errors") {
  StepLR step(3, 0.5);
  CHECK(step.factor(2) == 1.0);
  CHECK(step.factor(3) == 0.5);
  CHECK(step.factor(7) == 0.25);
  const auto multi = MultiStepLR({2, 5}, 0.1).to_iterations(4);
  CHECK(multi->factor(7) == 1.0);
  CHECK(multi->factor(8) == doctest::Approx(0.1));
  CHECK(multi->factor(20) == doctest::Approx(0.01));
  CHECK_THROWS_WITH_AS(StepLR(0), doctest::Contains("step_size must be > 0"), Error);
  CHECK_THROWS_WITH_AS(LinearLR(0.1, 1.0, {}), doctest::Contains("needs a finite end"), Error);
  CHECK_THROWS_WITH_AS(LinearLR(1.5, 1.0, {.end = 3}), doctest::Contains("in [0, 1]"), Error);
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(5, {.begin = 4, .end = 4}), doctest::Contains("0 <= begin < end"), Error);
  CHECK_THROWS_WITH_AS(LinearLR(0.1, 1.0, {.end = 3, .by_epoch = false}).to_iterations(5),
                       doctest::Contains("only an epoch-based scheduler"), Error);
}

}  // TEST_SUITE("nn")
