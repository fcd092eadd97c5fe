#include "data/image_decode.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "tensor/creation.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG  // readable reasons ("Corrupt PNG") rather than the terse codes
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace htp::data {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  HTP_CHECK(in.good(), path, ": cannot open (", std::strerror(errno), ")");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  HTP_CHECK(!in.bad(), path, ": read error after ", bytes.size(), " bytes");
  return bytes;
}

Tensor decode_image(const std::vector<uint8_t>& bytes, const std::string& name) {
  HTP_CHECK(!bytes.empty(), name, ": empty file, not an image");
  HTP_CHECK(bytes.size() <= static_cast<size_t>(INT_MAX), name, ": ", bytes.size(), " bytes is too large to decode");
  int w = 0, h = 0, channels_in_file = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels_in_file, 3),
      stbi_image_free);
  HTP_CHECK(pixels != nullptr, name, ": cannot decode image (", stbi_failure_reason(), ")");
  Tensor hwc = from_buffer(pixels.get(), {h, w, 3}, DType::u8);
  return hwc.permute({2, 0, 1}).contiguous();
}

Tensor load_image(const std::string& path) { return decode_image(read_file(path), path); }

}  // namespace htp::data
