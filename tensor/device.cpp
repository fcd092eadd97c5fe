#include "tensor/device.h"

#include "tensor/error.h"

namespace htp {

std::string Device::str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }

Device Device::parse(const std::string& s) {
  if (s == "cpu") return cpu();
  if (s == "cuda") return cuda(0);
  if (s.rfind("cuda:", 0) == 0 && s.size() > 5) {
    size_t used = 0;
    int idx = -1;
    try {
      idx = std::stoi(s.substr(5), &used);
    } catch (...) {
    }
    if (idx >= 0 && used == s.size() - 5) return cuda(idx);
  }
  throw Error("unknown device '" + s + "': expected cpu, cuda or cuda:N");
}

}  // namespace htp
