// Grad mode: whether differentiable ops record backward nodes. Thread-local, on by default.
//   { NoGradGuard guard; auto y = model(x); }   // no graph is recorded inside the scope
#pragma once

namespace htp {

bool grad_enabled();
void set_grad_enabled(bool enabled);

class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace htp
