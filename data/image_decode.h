// Decoding PNG, JPEG (baseline and progressive), BMP, GIF (first frame), TGA, PSD, PNM and HDR files with stb_image
// (Sean Barrett, public domain, https://github.com/nothings/stb; Debian's libstb-dev) into uint8 [3, H, W].
// Grey images are replicated to three channels and alpha is dropped (not composited), as PIL's convert("RGB") does;
// 16-bit PNGs are reduced to 8 bits. stb_image keeps its error state per thread, so decoding is thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace htp::data {

// The file's bytes. Errors name the file.
std::vector<uint8_t> read_file(const std::string& path);

// uint8 [3, H, W]. Errors name `name` and stb_image's reason ("bad png sig", "unknown image type", …).
Tensor decode_image(const std::vector<uint8_t>& bytes, const std::string& name);
Tensor load_image(const std::string& path);

}  // namespace htp::data
