#include "apps/explain_method.h"

#include <sstream>

#include "tensor/error.h"

namespace htp::app {
namespace {

std::string join_numbers(const std::vector<double>& values) {
  std::ostringstream os;
  os.precision(17);
  for (size_t i = 0; i < values.size(); ++i) os << (i ? "," : "") << values[i];
  return os.str();
}

}  // namespace

xai::MethodOptions parse_method_options(const std::string& text) {
  xai::MethodOptions options;
  std::string key, value;
  auto flush = [&] {
    if (!key.empty()) options.set(key, value);
  };
  std::stringstream parts(text);
  std::string piece;
  while (std::getline(parts, piece, ',')) {
    const size_t eq = piece.find('=');
    if (eq == std::string::npos) {
      HTP_CHECK(!key.empty(), "--option '", text, "': '", piece, "' is not key=value");
      value += "," + piece;
      continue;
    }
    flush();
    key = piece.substr(0, eq);
    value = piece.substr(eq + 1);
    HTP_CHECK(!key.empty(), "--option '", text, "': '", piece, "' has no key before '='");
  }
  flush();
  return options;
}

std::unique_ptr<xai::AttributionMethod> make_model_method(const ExplainableModel& model, const std::string& name,
                                                          xai::MethodOptions options) {
  const InputEncoding& encoding = model.backbone.encoding;
  if (name == "lrp" && !encoding.bcos && !options.has("stats") && !options.has("mean") && !options.has("std")) {
    options.set("mean", join_numbers(encoding.mean));
    options.set("std", join_numbers(encoding.std));
  }
  if (name == "lime" && !options.has("output"))
    options.set("output", model.sigmoid_confidence() ? "sigmoid" : "softmax");
  return xai::make_method(name, options);
}

}  // namespace htp::app
