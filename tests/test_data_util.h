// Helpers for the data tests: a temporary directory removed at the end of the test, and files written into it.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace htp::testing {

class TempDir {
 public:
  TempDir();  // a fresh directory under the system temp directory
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Writes `bytes` to `path`, creating the parent directories; returns path.
std::string write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);
std::string write_text(const std::string& path, const std::string& text);
std::string write_gzip(const std::string& path, const std::vector<uint8_t>& bytes);
// Image files from interleaved H × W × channels pixels (stb_image_write); returns path.
std::string write_png(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels);
std::string write_jpg(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb);
std::vector<uint8_t> file_bytes(const std::string& path);

// doctest::Contains for a std::string (it takes a C string).
inline doctest::Contains contains(const std::string& s) { return doctest::Contains(s.c_str()); }

}  // namespace htp::testing
