#include "apps/train_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace htp::app {
namespace {

// Writes `text` to `path` by way of a temporary file in the same directory and a rename.
void write_text_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    HTP_CHECK(f.is_open(), "cannot open '", tmp, "' for writing: ", std::strerror(errno));
    f << text;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw Error("error writing '" + tmp + "' (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path + "': " + why);
  }
}

}  // namespace

void write_json_file(const std::string& path, const Json& value) { write_text_file_atomic(path, value.dump(2) + "\n"); }

Json read_json_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  HTP_CHECK(f.is_open(), "cannot open '", path, "': ", std::strerror(errno));
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return Json::parse(ss.str());
  } catch (const std::exception& e) {
    throw Error("'" + path + "' is not valid JSON: " + e.what());
  }
}

JsonlLog::JsonlLog(std::string path) : path_(std::move(path)) {}

void JsonlLog::restart() { write_text_file_atomic(path_, ""); }

std::vector<Json> JsonlLog::records() const {
  std::vector<Json> out;
  std::ifstream f(path_, std::ios::binary);
  if (!f.is_open()) return out;
  std::string line;
  for (int64_t n = 1; std::getline(f, line); ++n) {
    if (line.empty()) continue;
    try {
      out.push_back(Json::parse(line));
    } catch (const std::exception& e) {
      throw Error(detail::concat("'", path_, "' line ", n, " is not valid JSON: ", e.what()));
    }
  }
  return out;
}

void JsonlLog::keep_through_epoch(int64_t epoch) {
  std::string kept;
  for (const Json& r : records())
    if (!r.contains("epoch") || r["epoch"].get<int64_t>() <= epoch) kept += r.dump() + "\n";
  write_text_file_atomic(path_, kept);
}

void JsonlLog::append(const Json& record) {
  std::ofstream f(path_, std::ios::binary | std::ios::app);
  HTP_CHECK(f.is_open(), "cannot open '", path_, "' for appending: ", std::strerror(errno));
  f << record.dump() << "\n";
  f.flush();
  HTP_CHECK(f.good(), "error writing '", path_, "'");
}

}  // namespace htp::app
