// The files a training run writes besides its checkpoints: run settings as pretty JSON and a JSONL log (one JSON
// object per line: one per training epoch, one per evaluation), both with keys in insertion order.
//
//   write_json_file(out / "settings.json", settings);        // atomically: a temporary file, then a rename
//   JsonlLog log(out / "log.jsonl");
//   log.restart();                  // a fresh run: empties the log
//   log.keep_through_epoch(3);      // a resumed run: drops records of epochs after the checkpoint's
//   log.append({{"kind", "train"}, {"epoch", 4}, {"loss", 0.31}});
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace htp::app {

using Json = nlohmann::ordered_json;

// Pretty-printed (2 spaces), by way of a temporary file in the same directory and a rename; errors name the file.
void write_json_file(const std::string& path, const Json& value);
Json read_json_file(const std::string& path);                      // errors name the file

class JsonlLog {
 public:
  explicit JsonlLog(std::string path);
  const std::string& path() const { return path_; }

  void restart();
  // Keeps the records whose "epoch" is <= epoch (and those without one); rewrites the file atomically.
  void keep_through_epoch(int64_t epoch);
  void append(const Json& record);    // one line, flushed
  std::vector<Json> records() const;  // the file's records, in order; a malformed line is an error naming it

 private:
  std::string path_;
};

}  // namespace htp::app
