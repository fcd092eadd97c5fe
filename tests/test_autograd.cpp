// The autograd engine: accumulation, graph shapes, retain_graph, grad(), hooks, rules, version checks, deep graphs.
// Uses a local test op (square, with raw loops) so these tests depend only on the engine and the view functions.
#include <doctest/doctest.h>

#include "autograd/engine.h"
#include "autograd/functions/views.h"
#include "gradcheck.h"
#include "tensor/creation.h"

using namespace htp;

namespace {

struct SquareBackward : Node {
  SavedTensor x;
  std::string name() const override { return "SquareBackward"; }
  tensor_list apply(tensor_list&& g) override {
    Tensor xs = x.get(*this).contiguous(), gs = g[0].contiguous();
    Tensor out = empty_like(xs);
    for (int64_t i = 0; i < xs.numel(); ++i) out.data<double>()[i] = 2 * xs.data<double>()[i] * gs.data<double>()[i];
    return {out};
  }
  void release_saved() override { x.reset(); }
};

Variable square(const Variable& v) {
  Tensor xs = v.data().contiguous();
  Tensor out = empty_like(xs);
  for (int64_t i = 0; i < xs.numel(); ++i) out.data<double>()[i] = xs.data<double>()[i] * xs.data<double>()[i];
  return record<SquareBackward>({v}, out, [&](SquareBackward& n) { n.x.save(v); });
}

Tensor f64(std::vector<double> v, Shape s) { return tensor(v, s); }

std::vector<double> values(const Tensor& t) { return t.to_vector(); }

}  // namespace

TEST_SUITE("autograd") {

TEST_CASE("a leaf accumulates its gradient over backward calls") {
  Variable x(f64({1, 2, 3}, {3}), true);
  Variable y = square(x);
  y.backward(ones({3}, DType::f64), {true, nullptr});
  CHECK(values(x.grad()) == std::vector<double>{2, 4, 6});
  y.backward(ones({3}, DType::f64));
  CHECK(values(x.grad()) == std::vector<double>{4, 8, 12});
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradients from several paths are summed (diamond)") {
  Variable x(f64({3}, {1}), true);
  Variable a = square(x);                      // x^2
  Variable b = reshape(square(a), {1});        // x^4
  Variable c = square(reshape(x, {1, 1}));     // x^2 via another path
  backward({b, c});                            // d/dx (x^4 + x^2) = 4x^3 + 2x = 114
  CHECK(values(x.grad())[0] == doctest::Approx(114.0));
}

TEST_CASE("backward through the same graph twice needs retain_graph") {
  Variable x(f64({2}, {1}), true);
  Variable y = square(square(x));
  y.backward();
  try {
    y.backward();
    FAIL("second backward should have thrown");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("retain_graph") != std::string::npos);
  }
}

TEST_CASE("grad() returns gradients without touching .grad and prunes unrelated work") {
  Variable x(f64({1, 2}, {2}), true), w(f64({3}, {1}), true);
  Variable y = square(x);
  Variable z = square(w);
  tensor_list g = grad({reshape(y, {2})}, {x}, {ones({2}, DType::f64)});
  CHECK(values(g[0]) == std::vector<double>{2, 4});
  CHECK_FALSE(x.grad().defined());
  CHECK_THROWS_WITH_AS(grad({y}, {w}, {ones({2}, DType::f64)}), doctest::Contains("not used by the outputs"), Error);
  tensor_list unused = grad({z}, {x, w}, {ones({1}, DType::f64)}, {}, true);
  CHECK_FALSE(unused[0].defined());
  CHECK(values(unused[1]) == std::vector<double>{6});
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("grad() with respect to an intermediate result") {
  Variable x(f64({1, 2}, {2}), true);
  Variable h = square(x);  // h = x^2
  Variable y = square(h);  // y = h^2, dy/dh = 2h
  tensor_list g = grad({y}, {h}, {ones({2}, DType::f64)});
  CHECK(values(g[0]) == std::vector<double>{2, 8});
}

TEST_CASE("no graph is recorded under NoGradGuard, after detach, or without requires_grad") {
  Variable x(f64({1, 2}, {2}), true);
  {
    NoGradGuard guard;
    CHECK_FALSE(grad_enabled());
    CHECK_FALSE(square(x).requires_grad());
  }
  CHECK(grad_enabled());
  CHECK_FALSE(square(x.detach()).requires_grad());
  CHECK_FALSE(square(Variable(f64({1}, {1}))).requires_grad());
  CHECK_THROWS_WITH_AS(square(x.detach()).backward(), doctest::Contains("does not require grad"), Error);
}

TEST_CASE("tensor hooks replace the gradient; retain_grad keeps a non-leaf gradient") {
  Variable x(f64({1, 2}, {2}), true);
  Variable h = square(x);
  h.retain_grad();
  h.register_hook([](const Tensor& g) { return full_like(g, 10.0); });  // d(loss)/dh replaced by 10
  Variable y = square(h);
  y.backward(ones({2}, DType::f64));
  CHECK(values(h.grad()) == std::vector<double>{2, 8});  // retain_grad runs first: it sees the original gradient
  Variable x3(f64({1, 2}, {2}), true);
  Variable h3 = square(x3);
  h3.retain_grad();
  Variable y3 = square(h3);
  y3.backward(ones({2}, DType::f64), {true, nullptr});
  y3.backward(ones({2}, DType::f64));
  CHECK(values(h3.grad()) == std::vector<double>{4, 16});  // accumulated over both passes, like a leaf
  CHECK(values(x.grad()) == std::vector<double>{20, 40});
  Variable w(f64({3}, {1}), true);
  w.register_hook([](const Tensor& g) { return full_like(g, 0.5); });  // leaf hook, before accumulation
  square(w).backward();
  CHECK(values(w.grad()) == std::vector<double>{0.5});
  CHECK(values(grad({square(w)}, {w})[0]) == std::vector<double>{0.5});  // grad() applies leaf hooks too
}

TEST_CASE("backward rules replace a node's backward; post-hooks see its result") {
  struct HalfSquare : BackwardRules {
    int calls = 0;
    std::optional<tensor_list> apply(Node& node, const tensor_list& g) override {
      auto* sq = dynamic_cast<SquareBackward*>(&node);
      if (!sq) return std::nullopt;
      ++calls;
      return tensor_list{g[0].clone()};  // pretend d(x^2)/dx = 1
    }
  } rules;
  Variable x(f64({3, 4}, {2}), true);
  Variable y = reshape(square(x), {2});
  BackwardOptions options;
  options.rules = &rules;
  y.backward(ones({2}, DType::f64), options);
  CHECK(rules.calls == 1);
  CHECK(values(x.grad()) == std::vector<double>{1, 1});

  Variable x2(f64({3}, {1}), true);
  Variable y2 = square(x2);
  bool seen = false;
  y2.grad_fn()->add_post_hook([&](tensor_list& gin, const tensor_list& gout) {
    seen = gout.size() == 1 && gin.size() == 1;
    gin[0] = zeros_like(gin[0]);
  });
  y2.backward();
  CHECK(seen);
  CHECK(values(x2.grad()) == std::vector<double>{0});
}

TEST_CASE("nodes carry the tag of the innermost NodeTagScope") {
  Variable x(f64({1}, {1}), true);
  Variable a, b, c;
  {
    NodeTagScope outer("layer1");
    a = square(x);
    {
      NodeTagScope inner("layer1.conv2");
      b = square(a);
    }
    c = square(b);
  }
  CHECK(a.grad_fn()->tag == "layer1");
  CHECK(b.grad_fn()->tag == "layer1.conv2");
  CHECK(c.grad_fn()->tag == "layer1");
  CHECK(square(c).grad_fn()->tag.empty());
}

TEST_CASE("a saved tensor modified in place is detected") {
  Variable x(f64({1, 2}, {2}), true);
  Variable y = square(x);
  x.mutable_data().fill_(3.0);
  CHECK_THROWS_WITH_AS(y.backward(ones({2}, DType::f64)), doctest::Contains("modified in place"), Error);
}

TEST_CASE("backward errors name the problem") {
  Variable x(f64({1, 2}, {2}), true);
  Variable y = square(x);
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("single-element"), Error);
  CHECK_THROWS_WITH_AS(y.backward(ones({3}, DType::f64)), doctest::Contains("[3]"), Error);
  CHECK_THROWS_WITH_AS(Variable(arange(3), true), doctest::Contains("floating-point"), Error);
  CHECK_THROWS_WITH_AS(y.requires_grad_(false), doctest::Contains("only leaves"), Error);
}

TEST_CASE("very deep graphs neither recurse in backward nor in destruction") {
  Variable x(f64({2}, {1}), true);
  Variable y = x;
  for (int i = 0; i < 200000; ++i) y = reshape(y, {1});
  y.backward();
  CHECK(values(x.grad()) == std::vector<double>{1});
  y = Variable();  // drops the 200k-node chain
}

TEST_CASE("the backward order is deterministic") {
  auto run = [] {
    Variable x(f64({0.1, 0.2, 0.3}, {3}), true);
    Variable s = square(x);
    Variable y = reshape(square(reshape(s, {3, 1})), {3});
    for (int i = 0; i < 5; ++i) y = reshape(square(y), {3});
    backward({y, s}, {ones({3}, DType::f64), ones({3}, DType::f64)});
    return values(x.grad());
  };
  CHECK(run() == run());
}

}  // TEST_SUITE

TEST_SUITE("gradcheck") {

TEST_CASE("views: reshape, permute, transpose, slice, narrow, select, expand, squeeze, unsqueeze, flatten") {
  using testing::leaf_f64;
  auto sq = [](const Variable& v) { return square(v); };
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(reshape(v[0], {6, 2})); }, {leaf_f64({2, 3, 2})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(permute(v[0], {2, 0, 1})); }, {leaf_f64({2, 3, 4})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(transpose(v[0], 0, -1)); }, {leaf_f64({2, 3, 4})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(slice(v[0], 1, -4, 6, 2)); }, {leaf_f64({2, 7})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(narrow(v[0], 0, 1, 2)); }, {leaf_f64({4, 2})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(select(v[0], 1, -1)); }, {leaf_f64({3, 2})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(expand(v[0], {2, 3, 4})); }, {leaf_f64({3, 1})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(unsqueeze(squeeze(v[0]), 0)); }, {leaf_f64({3, 1, 2})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(flatten(v[0], 1)); }, {leaf_f64({2, 3, 2})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(contiguous(t(v[0]))); }, {leaf_f64({2, 3})});
  CHECK_GRADCHECK([&](const variable_list& v) { return sq(clone(v[0])); }, {leaf_f64({2, 3})});
}

}  // TEST_SUITE
