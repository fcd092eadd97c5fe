// IDX files (the MNIST / Fashion-MNIST format, http://yann.lecun.com/exdb/mnist/), plain or gzipped.
//
// Layout: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64), the number of
// dimensions, then each dimension as a big-endian uint32, then the elements in C order (big-endian). We read the u8
// files the data sets use: images [N, rows, cols] and labels [N].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace htp::data {

// The whole file's bytes, gunzipped when it starts with the gzip magic. Errors name the file.
std::vector<uint8_t> read_maybe_gzipped(const std::string& path);

// A uint8 tensor with the file's shape. Errors name the file and the byte offset at fault.
Tensor parse_idx(const std::vector<uint8_t>& bytes, const std::string& name);
Tensor load_idx(const std::string& path);

}  // namespace htp::data
