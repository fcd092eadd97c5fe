// safetensors files (huggingface/safetensors, docs/ and safetensors/src/tensor.rs): read and write named tensors.
//
// Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON (may end with spaces)
//   {"__metadata__": {"key": "value", ...},
//    "layer1.0.conv1.weight": {"dtype": "F32", "shape": [64, 64, 3, 3], "data_offsets": [BEGIN, END]}, ...}
// then the data buffer. Offsets are relative to the buffer's start, END is one past the last byte; each tensor is
// packed in C order, little-endian. The tensors must cover the buffer exactly: no holes, no overlaps, no trailing
// bytes. __metadata__ is optional and maps strings to strings. N is at most 100,000,000 (MAX_HEADER_SIZE).
//
// Dtypes read and written: F32 F64 I64 I32 U8 BOOL F16 BF16. F16 and BF16 become float32 on load unless
// HalfDTypes::keep is asked for. Other safetensors dtypes (I8, I16, U16, U32, U64, C64, F8_*, ...) are an error
// naming the tensor and the dtype. Every malformed file is an htp::Error naming the file, the tensor where there is
// one, and the byte offset: "model.safetensors: tensor 'layer1.0.conv1.weight' needs bytes 1024..2048 of the data
// buffer, but the buffer ends at byte 1500 (the file is 1620 bytes: truncated?)".
//
// Writing follows the reference writer: tensors ordered by element size (largest first, so every tensor is aligned
// to its element size) then by name, the header padded with spaces to a multiple of 8 bytes, __metadata__ first.
//
//   nn::Metadata meta;
//   nn::StateDict w = nn::load_safetensors("resnet18.safetensors", &meta);
//   nn::save_safetensors("copy.safetensors", w, {{"source", "torchvision"}});
//   nn::load_into(model, "resnet18.safetensors");  // load_state_dict, errors prefixed with the file name
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/tensor.h"

namespace htp::nn {

using Metadata = std::map<std::string, std::string>;

enum class HalfDTypes { to_float32, keep };  // what loading does with F16 and BF16 tensors

// CPU tensors by name. `metadata`, when given, receives __metadata__ (cleared first).
StateDict load_safetensors(const std::string& path, Metadata* metadata = nullptr,
                           HalfDTypes halves = HalfDTypes::to_float32);

// Writes any tensors (non-contiguous ones in row-major order, non-CPU ones copied to the host first) to a temporary
// file in the same directory, then renames it over `path`. "__metadata__" cannot name a tensor.
void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});

// In-memory versions; `name` stands for the file in error messages.
StateDict parse_safetensors(const uint8_t* data, size_t size, const std::string& name, Metadata* metadata = nullptr,
                            HalfDTypes halves = HalfDTypes::to_float32);
std::vector<uint8_t> encode_safetensors(const StateDict& tensors, const Metadata& metadata = {});

// module.load_state_dict(load_safetensors(path), strict), with any error prefixed by the file name.
void load_into(Module& module, const std::string& path, bool strict = true);

}  // namespace htp::nn
