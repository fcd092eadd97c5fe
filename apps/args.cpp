#include "apps/args.h"

#include <iostream>
#include <sstream>

#include "tensor/error.h"

namespace htp::app {

Args::Args(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

void Args::option(const std::string& name, const std::string& default_value, const std::string& help) {
  order_.push_back(name);
  specs_[name] = {default_value, help, false};
}

void Args::flag(const std::string& name, const std::string& help) {
  order_.push_back(name);
  specs_[name] = {"", help, true};
}

bool Args::parse(const std::vector<std::string>& argv) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << help();
      return false;
    }
    HTP_CHECK(a.rfind("--", 0) == 0, command_, ": unexpected argument '", a, "' (see htp ", command_, " --help)");
    std::string name = a.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = specs_.find(name);
    HTP_CHECK(it != specs_.end(), command_, ": unknown option --", name, " (see htp ", command_, " --help)");
    if (it->second.is_flag) {
      HTP_CHECK(!inline_value, command_, ": --", name, " is a flag and takes no value");
      value.assign(1, '1');  // not `= "1"`: GCC 12 reports a false -Wrestrict on that assignment
    } else if (!inline_value) {
      HTP_CHECK(i + 1 < argv.size(), command_, ": --", name, " needs a value");
      value = argv[++i];
    }
    values_[name] = value;
  }
  return true;
}

std::string Args::get(const std::string& name) const {
  auto v = values_.find(name);
  if (v != values_.end()) return v->second;
  auto s = specs_.find(name);
  HTP_CHECK(s != specs_.end(), command_, ": option --", name, " was never declared");
  return s->second.default_value;
}

int64_t Args::get_int(const std::string& name) const {
  const std::string v = get(name);
  size_t used = 0;
  int64_t out = 0;
  try {
    out = std::stoll(v, &used);
  } catch (...) {
    used = 0;
  }
  HTP_CHECK(used == v.size() && !v.empty(), command_, ": --", name, " expects an integer, got '", v, "'");
  return out;
}

double Args::get_double(const std::string& name) const {
  const std::string v = get(name);
  size_t used = 0;
  double out = 0;
  try {
    out = std::stod(v, &used);
  } catch (...) {
    used = 0;
  }
  HTP_CHECK(used == v.size() && !v.empty(), command_, ": --", name, " expects a number, got '", v, "'");
  return out;
}

bool Args::get_flag(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::help() const {
  std::ostringstream os;
  os << "usage: htp " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const std::string& n : order_) {
    const Spec& s = specs_.at(n);
    std::string left = "  --" + n + (s.is_flag ? "" : " VALUE");
    os << left << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << s.help;
    if (!s.is_flag && !s.default_value.empty()) os << " (default: " << s.default_value << ")";
    os << "\n";
  }
  os << "  --help                    show this help\n";
  return os.str();
}

}  // namespace htp::app
