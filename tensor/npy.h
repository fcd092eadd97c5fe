// NumPy .npy files (numpy.lib.format, NEP 1): load and save single arrays.
//
// Layout: the magic "\x93NUMPY", a major and a minor version byte, the header length (little-endian uint16 in
// version 1.0, uint32 in 2.0 and 3.0), then the header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and ended by '\n' so that the data starts at a multiple of 64 bytes; then the raw elements in
// C order. Version 3.0 only differs from 2.0 by allowing utf-8 in the header.
//
// Supported here: versions 1.0, 2.0 and 3.0; C order only; little-endian data (the byte-order character may be '<',
// '=' or '|', or absent); dtypes '<f4' '<f8' '<f2' '<i8' '<i4' '|u1' '|b1'. Anything else is an htp::Error naming
// the file and the byte offset or field at fault. save_npy writes exactly what numpy.save writes (numpy >= 1.24,
// including the spare spaces numpy leaves for growing the first axis): version 1.0 when the header fits, else 2.0.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace htp {

Tensor load_npy(const std::string& path);  // a CPU tensor
// Any tensor (non-contiguous ones are written in row-major order, non-CPU ones copied to the host first); bfloat16
// has no .npy dtype and is an error. Writes to a temporary file in the same directory, then renames it over `path`.
void save_npy(const std::string& path, const Tensor& t);

// In-memory versions; `name` stands for the file in error messages.
Tensor parse_npy(const uint8_t* data, size_t size, const std::string& name);
std::vector<uint8_t> encode_npy(const Tensor& t);

}  // namespace htp
