// Errors: one exception type, messages written for the user (op name, shapes, dtypes, devices, file names).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace htp {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <class... Args>
std::string concat(Args&&... args) {
  std::ostringstream s;
  (s << ... << std::forward<Args>(args));
  return s.str();
}
}  // namespace detail

}  // namespace htp

// HTP_CHECK(cond, parts...) throws htp::Error with the parts streamed together when cond is false.
#define HTP_CHECK(cond, ...)                                          \
  do {                                                                \
    if (!(cond)) throw ::htp::Error(::htp::detail::concat(__VA_ARGS__)); \
  } while (0)
