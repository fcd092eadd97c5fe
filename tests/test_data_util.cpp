// The helpers of test_data_util.h (and the one definition of stb_image_write in the test binary).
#include "test_data_util.h"

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace fs = std::filesystem;

namespace htp::testing {
namespace {

void make_parent(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "htp_data_test_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  make_parent(path);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string write_text(const std::string& path, const std::string& text) {
  return write_bytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

std::string write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  make_parent(path);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

std::string write_png(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels) {
  make_parent(path);
  if (!stbi_write_png(path.c_str(), width, height, channels, pixels.data(), width * channels)) {
    throw std::runtime_error("stbi_write_png failed for " + path);
  }
  return path;
}

std::string write_jpg(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb) {
  make_parent(path);
  if (!stbi_write_jpg(path.c_str(), width, height, 3, rgb.data(), 95)) {
    throw std::runtime_error("stbi_write_jpg failed for " + path);
  }
  return path;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace htp::testing
