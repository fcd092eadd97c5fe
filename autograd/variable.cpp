#include "autograd/variable.h"

#include "autograd/engine.h"
#include "autograd/variable_impl.h"
#include "kernels/binary.h"

namespace htp {

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<Impl>()) {
  HTP_CHECK(data.defined(), "Variable: cannot wrap an undefined tensor");
  HTP_CHECK(!requires_grad || is_floating(data.dtype()), "Variable: only floating-point tensors can require grad, got ",
            data.describe());
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
}

namespace {
const Variable::Impl& checked(const std::shared_ptr<Variable::Impl>& impl, const char* what) {
  HTP_CHECK(impl != nullptr, what, ": the variable is undefined");
  return *impl;
}
}  // namespace

const Tensor& Variable::data() const { return checked(impl_, "data()").data; }
Tensor& Variable::mutable_data() { return const_cast<Impl&>(checked(impl_, "mutable_data()")).data; }

bool Variable::requires_grad() const { return impl_ && (impl_->requires_grad || impl_->grad_fn != nullptr); }

Variable& Variable::requires_grad_(bool enabled) {
  checked(impl_, "requires_grad_()");
  HTP_CHECK(is_leaf(), "requires_grad_(): only leaves can change requires_grad; use detach() on ", describe());
  HTP_CHECK(!enabled || is_floating(dtype()), "requires_grad_(): only floating-point tensors can require grad, got ",
            describe());
  impl_->requires_grad = enabled;
  return *this;
}

bool Variable::is_leaf() const { return impl_ && impl_->grad_fn == nullptr; }

const Tensor& Variable::grad() const { return checked(impl_, "grad()").grad; }

void Variable::set_grad(Tensor grad) {
  checked(impl_, "set_grad()");
  HTP_CHECK(!grad.defined() || grad.shape() == shape(), "set_grad(): gradient ", grad.describe(),
            " does not match the variable ", describe());
  impl_->grad = std::move(grad);
}

void Variable::zero_grad() {
  if (impl_) impl_->grad = Tensor();
}

const std::shared_ptr<Node>& Variable::grad_fn() const { return checked(impl_, "grad_fn()").grad_fn; }
int Variable::output_nr() const { return checked(impl_, "output_nr()").output_nr; }

Variable Variable::detach() const { return Variable(data(), false); }

void Variable::retain_grad() {
  checked(impl_, "retain_grad()");
  HTP_CHECK(requires_grad(), "retain_grad(): the variable does not require grad (", describe(), ")");
  if (is_leaf() || impl_->retains_grad) return;  // leaves keep .grad() anyway
  impl_->retains_grad = true;
  std::weak_ptr<Impl> weak = impl_;
  impl_->grad_fn->add_pre_hook(impl_->output_nr, [weak](const Tensor& g) {
    // Accumulates over backward passes like a leaf's .grad() (retain_graph: several targets from one forward).
    if (auto self = weak.lock()) self->grad = self->grad.defined() ? kernels::add(self->grad, g) : g.clone();
    return Tensor();
  });
}

void Variable::register_hook(Hook hook) {
  HTP_CHECK(requires_grad(), "register_hook(): the variable does not require grad (", describe(), ")");
  // A leaf's accumulator node lives only as long as some graph uses it, so leaf hooks stay with the leaf.
  if (is_leaf())
    impl_->leaf_hooks.push_back(std::move(hook));
  else
    impl_->grad_fn->add_pre_hook(impl_->output_nr, std::move(hook));
}

void Variable::set_name(std::string name) { const_cast<Impl&>(checked(impl_, "set_name()")).name = std::move(name); }
const std::string& Variable::name() const { return checked(impl_, "name()").name; }

void Variable::backward(const Tensor& grad_output) const { backward(grad_output, BackwardOptions{}); }

void Variable::backward(const Tensor& grad_output, const BackwardOptions& options) const {
  tensor_list seeds;
  if (grad_output.defined()) seeds.push_back(grad_output);
  htp::backward({*this}, seeds, options);
}

Variable Variable::make_result(Tensor data, std::shared_ptr<Node> fn, int output_nr) {
  auto impl = std::make_shared<Impl>();
  impl->data = std::move(data);
  impl->grad_fn = std::move(fn);
  impl->output_nr = output_nr;
  return Variable(std::move(impl));
}

std::shared_ptr<Node> Variable::gradient_edge_node() const {
  if (!impl_) return nullptr;
  if (impl_->grad_fn) return impl_->grad_fn;
  if (!impl_->requires_grad) return nullptr;
  std::shared_ptr<Node> acc = impl_->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(*this);
    impl_->grad_accumulator = acc;
  }
  return acc;
}

int Variable::gradient_edge_input() const { return impl_ && impl_->grad_fn ? impl_->output_nr : 0; }

}  // namespace htp
