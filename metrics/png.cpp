#include "metrics/png.h"

#include <cstdint>
#include <vector>

#include "tensor/error.h"

// The one stb_image_write implementation of htp_metrics, with internal linkage (STB_IMAGE_WRITE_STATIC) so that it
// cannot clash with another copy linked into the same program.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace htp::metrics {

void write_png(const std::string& path, const Tensor& image) {
  HTP_CHECK(
      image.defined() && image.dim() == 3 && image.size(0) == 3 && image.dtype() == DType::u8 && image.numel() > 0,
      "write_png: ", path, ": expected a non-empty uint8 image [3, H, W], got ",
      image.defined() ? image.describe() : std::string("an undefined tensor"));
  const int64_t H = image.size(1), W = image.size(2);
  HTP_CHECK(H <= (1 << 24) && W <= (1 << 24), "write_png: ", path, ": image ", image.describe(), " is too large");
  const Tensor hwc = image.to(Device::cpu()).permute({1, 2, 0}).contiguous();
  const int ok = stbi_write_png(path.c_str(), static_cast<int>(W), static_cast<int>(H), 3, hwc.data<uint8_t>(),
                                static_cast<int>(3 * W));
  HTP_CHECK(ok != 0, "write_png: cannot write ", path);
}

}  // namespace htp::metrics
