// htp demo: the project's main job. Until the paper's pipeline lands (data, probes, attributions, report), it trains
// a small MLP on a synthetic two-spiral problem with the engine's autograd and plain SGD — a quick end-to-end check
// that tensors, kernels and backward work together. Prints loss and accuracy as it goes.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "autograd/ops.h"
#include "kernels/binary.h"
#include "kernels/reduce.h"
#include "tensor/creation.h"
#include "tensor/random.h"

namespace htp::app {
namespace {

// Two interleaved spirals in the plane, class 0 and class 1, with a little noise.
void make_spirals(int64_t n, Generator& gen, Tensor& x, Tensor& y) {
  Tensor t = rand({n}, DType::f64, Device::cpu(), &gen);
  Tensor noise = randn({n, 2}, DType::f64, Device::cpu(), &gen);
  x = empty({n, 2});
  y = empty({n}, DType::i64);
  for (int64_t i = 0; i < n; ++i) {
    const double r = 0.1 + 0.9 * t.data<double>()[i], angle = 3.0 * M_PI * t.data<double>()[i] + (i % 2) * M_PI;
    x.data<float>()[2 * i] = static_cast<float>(r * std::cos(angle) + 0.03 * noise.data<double>()[2 * i]);
    x.data<float>()[2 * i + 1] = static_cast<float>(r * std::sin(angle) + 0.03 * noise.data<double>()[2 * i + 1]);
    y.data<int64_t>()[i] = i % 2;
  }
}

Variable kaiming_leaf(const Shape& shape, Generator& gen) {
  Tensor w = randn(shape, DType::f32, Device::cpu(), &gen);
  return Variable(kernels::mul(w, std::sqrt(2.0 / static_cast<double>(shape[1]))), true);
}

}  // namespace

int run_demo(const std::vector<std::string>& argv) {
  Args args("demo", "Trains a 2-64-64-2 MLP on two spirals with the engine's autograd (a stand-in until the paper's "
                    "Fashion-MNIST pipeline lands).");
  args.option("steps", "1500", "SGD steps");
  args.option("lr", "0.3", "learning rate");
  args.option("points", "2000", "training points");
  args.option("seed", "0", "random seed");
  if (!args.parse(argv)) return 0;
  const int64_t steps = args.get_int("steps"), n = args.get_int("points");
  const double lr = args.get_double("lr");
  HTP_CHECK(steps > 0 && n > 1 && lr > 0, "demo: --steps, --points and --lr must be positive");

  Generator gen(static_cast<uint64_t>(args.get_int("seed")));
  Tensor x, y;
  make_spirals(n, gen, x, y);
  std::vector<Variable> params = {kaiming_leaf({64, 2}, gen), Variable(zeros({64}), true),
                                  kaiming_leaf({64, 64}, gen), Variable(zeros({64}), true),
                                  kaiming_leaf({2, 64}, gen), Variable(zeros({2}), true)};
  auto forward = [&](const Variable& input) {
    Variable h = relu(linear(input, params[0], params[1]));
    h = relu(linear(h, params[2], params[3]));
    return linear(h, params[4], params[5]);
  };
  Tensor target = y.unsqueeze(1);

  std::printf("htp demo: %lld points, MLP 2-64-64-2, SGD lr %.3g, %lld steps\n", static_cast<long long>(n), lr,
              static_cast<long long>(steps));
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= steps; ++step) {
    Variable logits = forward(Variable(x));
    Variable loss = neg(mean(gather(log_softmax(logits, 1), 1, target)));
    for (Variable& p : params) p.zero_grad();
    loss.backward();
    for (Variable& p : params) kernels::add_scaled_(p.mutable_data(), p.grad(), -lr);
    if (step % 250 == 0 || step == steps) {
      Tensor predicted = kernels::argmax(logits.data(), 1, false);
      const double accuracy = kernels::mean(kernels::eq(predicted, y).to(DType::f32), {}, false).item<double>();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("  step %5lld  loss %.4f  accuracy %5.1f%%  %.0f steps/s\n", static_cast<long long>(step),
                  loss.item<double>(), 100.0 * accuracy, static_cast<double>(step) / seconds);
    }
  }
  return 0;
}

}  // namespace htp::app
