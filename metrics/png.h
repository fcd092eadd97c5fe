// Writing RGB images as PNG files with stb_image_write (Sean Barrett, public domain, https://github.com/nothings/stb;
// Debian's libstb-dev). The image is uint8 [3, H, W] (as metrics/heatmap.h makes them); errors name the file.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace htp::metrics {

void write_png(const std::string& path, const Tensor& image);

}  // namespace htp::metrics
