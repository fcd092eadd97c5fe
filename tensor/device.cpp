#include "tensor/device.h"

#include "tensor/error.h"

namespace htp {

std::string Device::str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }

Device Device::parse(const std::string& s) {
  if (s == "cpu") return cpu();
  if (s == "cuda") return cuda(0);
  const std::string digits = s.rfind("cuda:", 0) == 0 ? s.substr(5) : "";
  if (!digits.empty() && digits.size() <= 4 && digits.find_first_not_of("0123456789") == std::string::npos)
    return cuda(std::stoi(digits));
  throw Error("unknown device '" + s + "': expected cpu, cuda or cuda:N");
}

}  // namespace htp
