#include "apps/train_checkpoint.h"

#include <filesystem>

#include "nn/safetensors.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

constexpr const char* kFormat = "htp-checkpoint-1";

void check_exists(const std::string& path) {
  HTP_CHECK(std::filesystem::exists(path), "checkpoint '", path, "' does not exist");
  HTP_CHECK(std::filesystem::is_regular_file(path), "checkpoint '", path, "' is not a file");
}

Json parse_metadata(const nn::Metadata& meta, const std::string& key, const std::string& path) {
  auto it = meta.find(key);
  HTP_CHECK(it != meta.end(), "checkpoint '", path, "': the metadata has no '", key, "'");
  try {
    return Json::parse(it->second);
  } catch (const std::exception& e) {
    throw Error("checkpoint '" + path + "': metadata '" + key + "' is not valid JSON: " + e.what());
  }
}

// Flattened "a.b" -> value pairs of a JSON object, for naming differences.
void flatten(const Json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out[prefix] = j.dump();
  }
}

}  // namespace

nn::StateDict Checkpoint::section(const std::string& prefix) const {
  const std::string p = prefix + ".";
  nn::StateDict out;
  for (const auto& [name, t] : tensors)
    if (name.rfind(p, 0) == 0) out[name.substr(p.size())] = t;
  return out;
}

void save_checkpoint(const std::string& path, const std::string& kind, const Json& settings, const Json& state,
                     const std::vector<std::pair<std::string, nn::StateDict>>& sections) {
  nn::StateDict all;
  for (const auto& [prefix, dict] : sections)
    for (const auto& [name, t] : dict) all[prefix + "." + name] = t;
  const nn::Metadata meta = {
      {"htp.format", kFormat}, {"htp.kind", kind}, {"htp.settings", settings.dump()}, {"htp.state", state.dump()}};
  nn::save_safetensors(path, all, meta);
}

bool is_checkpoint(const std::string& path) {
  check_exists(path);
  nn::Metadata meta;
  nn::load_safetensors(path, &meta);
  return meta.count("htp.format") > 0;
}

Checkpoint load_checkpoint(const std::string& path) {
  check_exists(path);
  Checkpoint c;
  c.path = path;
  nn::Metadata meta;
  c.tensors = nn::load_safetensors(path, &meta);
  auto format = meta.find("htp.format");
  HTP_CHECK(format != meta.end(), "'", path, "' is a safetensors file but not an htp checkpoint (no htp.format ",
            "metadata): plain weights?");
  HTP_CHECK(format->second == kFormat, "checkpoint '", path, "' has format '", format->second, "', expected '", kFormat,
            "'");
  auto kind = meta.find("htp.kind");
  HTP_CHECK(kind != meta.end(), "checkpoint '", path, "': the metadata has no 'htp.kind'");
  c.kind = kind->second;
  c.settings = parse_metadata(meta, "htp.settings", path);
  c.state = parse_metadata(meta, "htp.state", path);
  return c;
}

std::string resolve_checkpoint_path(const std::string& file_or_dir) {
  if (std::filesystem::is_directory(file_or_dir))
    return (std::filesystem::path(file_or_dir) / kCheckpointFile).string();
  return file_or_dir;
}

void check_same_settings(const Checkpoint& checkpoint, const Json& settings) {
  std::map<std::string, std::string> stored, now;
  flatten(checkpoint.settings, "", stored);
  flatten(settings, "", now);
  std::string diffs;
  for (const auto& [key, value] : now) {
    auto it = stored.find(key);
    const std::string before = it == stored.end() ? "(absent)" : it->second;
    if (before != value) diffs += "\n  " + key + ": checkpoint " + before + ", this run " + value;
  }
  for (const auto& [key, value] : stored)
    if (!now.count(key)) diffs += "\n  " + key + ": checkpoint " + value + ", this run (absent)";
  HTP_CHECK(diffs.empty(), "--resume: checkpoint '", checkpoint.path,
            "' was made with other settings (repeat the original command with --resume):", diffs);
}

}  // namespace htp::app
