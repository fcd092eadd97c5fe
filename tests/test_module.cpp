// nn::Module: registration, dotted names, modes, freezing, state dicts, node tags.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "nn/module.h"
#include "tensor/creation.h"

using namespace htp;
using namespace htp::nn;

namespace {

struct Affine : Module {
  Variable weight = register_parameter("weight", full({3}, 2.0));
  Variable bias = register_parameter("bias", zeros({3}));
  Variable count = register_buffer("count", zeros({1}));
  std::string type_name() const override { return "Affine"; }
  Variable forward(const Variable& x) override { return add(mul(x, weight), bias); }
};

struct Block : Module {
  std::shared_ptr<Affine> first = register_module("first", std::make_shared<Affine>());
  std::shared_ptr<Affine> second = register_module("second", std::make_shared<Affine>());
  std::string type_name() const override { return "Block"; }
  Variable forward(const Variable& x) override { return (*second)((*first)(x)); }
};

struct Net : Module {
  std::shared_ptr<Block> layer1 = register_module("layer1", std::make_shared<Block>());
  Variable scale = register_parameter("scale", ones({1}));
  std::string type_name() const override { return "Net"; }
  Variable forward(const Variable& x) override { return mul((*layer1)(x), scale); }
};

std::vector<std::string> names(const std::vector<std::pair<std::string, Variable>>& list) {
  std::vector<std::string> out;
  for (const auto& [n, _] : list) out.push_back(n);
  return out;
}

}  // namespace

TEST_SUITE("nn") {

TEST_CASE("parameters, buffers and modules are listed by dotted name in registration order") {
  Net net;
  CHECK(names(net.named_parameters()) == std::vector<std::string>{"scale", "layer1.first.weight", "layer1.first.bias",
                                                                  "layer1.second.weight", "layer1.second.bias"});
  CHECK(names(net.named_buffers()) == std::vector<std::string>{"layer1.first.count", "layer1.second.count"});
  CHECK(net.num_parameters() == 13);
  CHECK(net.layer1->second->path() == "layer1.second");
  CHECK(&net.submodule("layer1.second") == net.layer1->second.get());
  CHECK_THROWS_WITH_AS(net.submodule("layer1.third"), doctest::Contains("'layer1.third' does not exist"), Error);
  std::vector<std::string> module_names;
  for (const auto& [n, m] : net.named_modules()) module_names.push_back(n);
  CHECK(module_names == std::vector<std::string>{"", "layer1", "layer1.first", "layer1.second"});
}

TEST_CASE("calling a module tags its backward nodes with the module path") {
  Net net;
  Variable y = net(Variable(ones({3})));
  CHECK(y.grad_fn()->tag.empty());  // the root's own op
  Node* add_node = y.grad_fn()->next_edges[0].node.get();
  CHECK(add_node->tag == "layer1.second");
}

TEST_CASE("forward hooks see the input and output of every call") {
  Net net;
  std::vector<std::string> seen;
  Variable captured;
  net.layer1->second->add_forward_hook([&](Module& m, const Variable& in, const Variable& out) {
    seen.push_back(m.path());
    captured = out;
    CHECK(in.shape() == out.shape());
  });
  Variable y = net(Variable(ones({3})));
  CHECK(seen == std::vector<std::string>{"layer1.second"});
  CHECK(captured.data().to_vector() == std::vector<double>{4, 4, 4});  // (1 · 2) · 2
  net.layer1->second->clear_forward_hooks();
  net(Variable(ones({3})));
  CHECK(seen.size() == 1);
}

TEST_CASE("train/eval, freeze and to() reach every submodule") {
  Net net;
  net.eval();
  CHECK_FALSE(net.layer1->first->is_training());
  net.train();
  CHECK(net.layer1->second->is_training());
  net.freeze();
  for (const Variable& p : net.parameters()) CHECK_FALSE(p.requires_grad());
  CHECK_THROWS_WITH_AS(net.to(Device::cuda()), doctest::Contains("cuda"), Error);
  net.to(DType::f64);
  CHECK(net.layer1->first->weight.dtype() == DType::f64);
  CHECK(net.layer1->first->count.dtype() == DType::f64);
  CHECK(net(Variable(ones({3}, DType::f64))).dtype() == DType::f64);
}

TEST_CASE("state_dict round trip, strictness and shape errors") {
  Net a, b;
  a.layer1->first->weight.mutable_data().fill_(5.0);
  a.layer1->first->count.mutable_data().fill_(7.0);
  b.load_state_dict(a.state_dict());
  CHECK(b.layer1->first->weight.data().to_vector() == std::vector<double>{5, 5, 5});
  CHECK(b.layer1->first->count.data().to_vector() == std::vector<double>{7});
  // The loaded tensor is a copy: changing a does not change b.
  a.layer1->first->weight.mutable_data().fill_(1.0);
  CHECK(b.layer1->first->weight.data().to_vector() == std::vector<double>{5, 5, 5});
  Variable y = b(Variable(ones({3})));
  CHECK(y.data().to_vector() == std::vector<double>{10, 10, 10});  // 1 · 5 · 2 · 1

  StateDict partial = a.state_dict();
  partial.erase("scale");
  partial["extra.weight"] = zeros({1});
  CHECK_THROWS_WITH_AS(b.load_state_dict(partial), doctest::Contains("Missing (1): scale"), Error);
  CHECK_THROWS_WITH_AS(b.load_state_dict(partial), doctest::Contains("Unexpected (1): extra.weight"), Error);
  b.load_state_dict(partial, /*strict=*/false);
  StateDict wrong = a.state_dict();
  wrong["layer1.first.bias"] = zeros({4});
  CHECK_THROWS_WITH_AS(b.load_state_dict(wrong), doctest::Contains("'layer1.first.bias' has shape [4]"), Error);
}

}  // TEST_SUITE
