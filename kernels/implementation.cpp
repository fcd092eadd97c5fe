#include "kernels/implementation.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "tensor/error.h"

namespace htp::kernels {
namespace {

constexpr int kFamilies = 3;

const char* env_name(OpFamily family) {
  switch (family) {
    case OpFamily::matmul: return "HTP_MATMUL";
    case OpFamily::conv2d: return "HTP_CONV2D";
    case OpFamily::batch_norm: return "HTP_BATCH_NORM";
  }
  return "";
}

const char* vendor_token(OpFamily family) { return family == OpFamily::matmul ? "cublas" : "cudnn"; }

// An unknown value is an error naming the variable and the accepted values (a typo must not silently benchmark the
// wrong side).
Implementation from_env(OpFamily family) {
  const char* v = std::getenv(env_name(family));
  if (v == nullptr || *v == '\0' || std::strcmp(v, "ours") == 0) return Implementation::ours;
  if (std::strcmp(v, vendor_token(family)) == 0) return Implementation::vendor;
  throw Error(detail::concat("environment variable ", env_name(family), "='", v, "': expected 'ours' or '",
                             vendor_token(family), "'"));
}

bool tf32_from_env() {
  const char* v = std::getenv("HTP_ALLOW_TF32");
  if (v == nullptr || *v == '\0' || std::strcmp(v, "0") == 0) return false;
  if (std::strcmp(v, "1") == 0) return true;
  throw Error(detail::concat("environment variable HTP_ALLOW_TF32='", v, "': expected 0 or 1"));
}

// -1: not decided yet (the environment is read on first use), else the Implementation value.
std::atomic<int> g_choice[kFamilies] = {-1, -1, -1};
std::atomic<int> g_tf32{-1};

}  // namespace

Implementation implementation(OpFamily family) {
  std::atomic<int>& slot = g_choice[static_cast<int>(family)];
  int v = slot.load(std::memory_order_relaxed);
  if (v < 0) {
    int expected = -1;
    slot.compare_exchange_strong(expected, static_cast<int>(from_env(family)));
    v = slot.load(std::memory_order_relaxed);
  }
  return static_cast<Implementation>(v);
}

void set_implementation(OpFamily family, Implementation choice) {
  g_choice[static_cast<int>(family)].store(static_cast<int>(choice), std::memory_order_relaxed);
}

bool allow_tf32() {
  int v = g_tf32.load(std::memory_order_relaxed);
  if (v < 0) {
    int expected = -1;
    g_tf32.compare_exchange_strong(expected, tf32_from_env() ? 1 : 0);
    v = g_tf32.load(std::memory_order_relaxed);
  }
  return v == 1;
}

void set_allow_tf32(bool allow) { g_tf32.store(allow ? 1 : 0, std::memory_order_relaxed); }

std::string op_family_name(OpFamily family) {
  switch (family) {
    case OpFamily::matmul: return "matmul";
    case OpFamily::conv2d: return "conv2d";
    case OpFamily::batch_norm: return "batch_norm";
  }
  return "?";
}

std::string vendor_name(OpFamily family) { return family == OpFamily::matmul ? "cuBLAS" : "cuDNN"; }

std::string implementation_name(OpFamily family) {
  return implementation(family) == Implementation::ours ? "ours" : vendor_name(family);
}

ScopedImplementation::ScopedImplementation(OpFamily family, Implementation choice)
    : family_(family), previous_(implementation(family)) {
  set_implementation(family, choice);
}

ScopedImplementation::~ScopedImplementation() { set_implementation(family_, previous_); }

}  // namespace htp::kernels
