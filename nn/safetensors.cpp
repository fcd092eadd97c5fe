// safetensors reading and writing (format in nn/safetensors.h; reference: huggingface/safetensors
// safetensors/src/tensor.rs — `read_metadata`/`validate` for the checks, `prepare`/`serialize` for the writer's order
// and padding). The header is parsed by nn/json.h into values that remember their byte offsets, then checked entry by
// entry (dtype, shape, offsets against shape × element size) and as a whole (sorted by offset, the tensors must tile
// the data buffer exactly). Files are read with one fread per tensor straight into its storage.
#include "nn/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include "nn/json.h"
#include "tensor/creation.h"

namespace htp::nn {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors support assumes a little-endian host");

constexpr uint64_t kMaxHeaderSize = 100'000'000;  // MAX_HEADER_SIZE in safetensors/src/tensor.rs
constexpr size_t kLengthField = 8;

struct DTypeCode {
  const char* code;
  DType dtype;
};
constexpr DTypeCode kCodes[] = {{"F32", DType::f32}, {"F64", DType::f64}, {"I64", DType::i64},
                                {"I32", DType::i32}, {"U8", DType::u8},   {"BOOL", DType::boolean},
                                {"F16", DType::f16}, {"BF16", DType::bf16}};
constexpr const char* kSupported = "F32 F64 I64 I32 U8 BOOL F16 BF16";
// The rest of the safetensors Dtype enum: valid in a file, not representable here.
constexpr const char* kUnsupported[] = {"I8",      "I16",     "U16",     "U32",         "U64",
                                        "C64",     "F4",      "F6_E2M3", "F6_E3M2",     "F8_E5M2",
                                        "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ"};

const char* code_of(DType dt) {
  for (const DTypeCode& c : kCodes)
    if (c.dtype == dt) return c.code;
  throw Error(detail::concat("safetensors: no code for dtype ", dtype_name(dt)));
}

struct Entry {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  uint64_t begin = 0, end = 0;  // in the data buffer
};

struct Header {
  std::vector<Entry> entries;  // sorted by offset
  Metadata metadata;
  uint64_t data_start = 0;     // file offset of the data buffer
};

std::string range(uint64_t begin, uint64_t end) { return detail::concat(begin, "..", end); }

// Reads N from the first 8 bytes and checks it against the file size.
uint64_t read_header_length(const uint8_t* p, uint64_t file_size, const std::string& name) {
  HTP_CHECK(file_size >= kLengthField, name, ": truncated: ", file_size,
            " bytes, shorter than the 8-byte header length that starts a safetensors file");
  uint64_t n = 0;
  std::memcpy(&n, p, sizeof n);
  HTP_CHECK(n <= kMaxHeaderSize, name, ": the header length at byte 0 is ", n, " bytes, more than the ",
            kMaxHeaderSize, " safetensors allows (not a safetensors file?)");
  HTP_CHECK(n <= file_size - kLengthField, name, ": the header length at byte 0 says ", n, " bytes, but only ",
            file_size - kLengthField, " bytes follow it (the file is ", file_size, " bytes: truncated?)");
  return n;
}

class HeaderChecker {
 public:
  HeaderChecker(const std::string& name, uint64_t header_len, uint64_t file_size)
      : name_(name), data_start_(kLengthField + header_len), buffer_size_(file_size - data_start_) {}

  Header check(std::string_view text) {
    HTP_CHECK(!text.empty() && text[0] == '{', name_, ": the header at byte 8 does not start with '{' (not a "
                                                      "safetensors file?)");
    const json::Value root = json::parse(text, kLengthField, name_);
    Header h;
    h.data_start = data_start_;
    std::map<std::string, size_t> seen;  // name -> key offset
    for (const json::Member& m : root.members) {
      auto [it, fresh] = seen.emplace(m.key, m.key_at);
      HTP_CHECK(fresh, name_, ": '", m.key, "' appears twice in the header (bytes ", it->second, " and ", m.key_at,
                ")");
      if (m.key == "__metadata__") {
        h.metadata = metadata(m.value);
      } else {
        h.entries.push_back(entry(m));
      }
    }
    std::sort(h.entries.begin(), h.entries.end(),
              [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    check_tiling(h.entries);
    return h;
  }

 private:
  Metadata metadata(const json::Value& v) const {
    HTP_CHECK(v.kind == json::Value::Kind::object, name_, ": __metadata__ at byte ", v.at, " is ",
              json::kind_name(v.kind), ", not an object of strings");
    Metadata out;
    for (const json::Member& m : v.members) {
      HTP_CHECK(m.value.kind == json::Value::Kind::string, name_, ": __metadata__ entry '", m.key, "' at byte ",
                m.value.at, " is ", json::kind_name(m.value.kind), "; metadata values must be strings");
      HTP_CHECK(out.emplace(m.key, m.value.string).second, name_, ": __metadata__ entry '", m.key,
                "' appears twice (byte ", m.key_at, ")");
    }
    return out;
  }

  Entry entry(const json::Member& m) const {
    const std::string t = "tensor '" + m.key + "'";
    HTP_CHECK(m.value.kind == json::Value::Kind::object, name_, ": ", t, " at byte ", m.value.at, " is ",
              json::kind_name(m.value.kind), ", not an object with dtype, shape and data_offsets");
    const json::Value *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
    for (const json::Member& f : m.value.members) {
      const json::Value** slot = f.key == "dtype" ? &dtype : f.key == "shape" ? &shape
                                 : f.key == "data_offsets" ? &offsets : nullptr;
      HTP_CHECK(slot, name_, ": ", t, " has an unexpected field '", f.key, "' at byte ", f.key_at,
                " (expected dtype, shape, data_offsets)");
      HTP_CHECK(!*slot, name_, ": ", t, " has '", f.key, "' twice (byte ", f.key_at, ")");
      *slot = &f.value;
    }
    using Field = std::pair<const json::Value*, const char*>;
    for (const auto& [field, what] : {Field{dtype, "dtype"}, Field{shape, "shape"}, Field{offsets, "data_offsets"}})
      HTP_CHECK(field, name_, ": ", t, " (byte ", m.value.at, ") has no '", what, "'");

    Entry e;
    e.name = m.key;
    e.dtype = parse_dtype(*dtype, t);
    HTP_CHECK(shape->kind == json::Value::Kind::array, name_, ": ", t, ": 'shape' at byte ", shape->at, " is ",
              json::kind_name(shape->kind), ", not an array of integers");
    uint64_t bytes = dtype_size(e.dtype);
    for (const json::Value& d : shape->items) {
      HTP_CHECK(d.kind == json::Value::Kind::integer && d.integer >= 0, name_, ": ", t,
                ": 'shape' holds something other than a non-negative integer at byte ", d.at);
      e.shape.push_back(d.integer);
      HTP_CHECK(!__builtin_mul_overflow(bytes, static_cast<uint64_t>(d.integer), &bytes), name_, ": ", t,
                ": shape ", shape_str(e.shape), " at byte ", shape->at, " is too large");
    }
    HTP_CHECK(offsets->kind == json::Value::Kind::array && offsets->items.size() == 2 &&
                  offsets->items[0].kind == json::Value::Kind::integer && offsets->items[0].integer >= 0 &&
                  offsets->items[1].kind == json::Value::Kind::integer && offsets->items[1].integer >= 0,
              name_, ": ", t, ": 'data_offsets' at byte ", offsets->at,
              " is not an array of two non-negative integers [BEGIN, END]");
    e.begin = static_cast<uint64_t>(offsets->items[0].integer);
    e.end = static_cast<uint64_t>(offsets->items[1].integer);
    HTP_CHECK(e.begin <= e.end, name_, ": ", t, ": data_offsets [", e.begin, ", ", e.end, "] at byte ", offsets->at,
              " end before they begin");
    HTP_CHECK(e.end - e.begin == bytes, name_, ": ", t, " is ", code_of(e.dtype), shape_str(e.shape), " = ", bytes,
              " bytes, but its data_offsets [", e.begin, ", ", e.end, "] at byte ", offsets->at, " span ",
              e.end - e.begin);
    return e;
  }

  DType parse_dtype(const json::Value& v, const std::string& t) const {
    HTP_CHECK(v.kind == json::Value::Kind::string, name_, ": ", t, ": 'dtype' at byte ", v.at, " is ",
              json::kind_name(v.kind), ", not a string");
    for (const DTypeCode& c : kCodes)
      if (v.string == c.code) return c.dtype;
    for (const char* code : kUnsupported)
      HTP_CHECK(v.string != code, name_, ": ", t, " has dtype ", code, " (byte ", v.at,
                "), which htp cannot hold; supported: ", kSupported);
    throw Error(detail::concat(name_, ": ", t, " has unknown dtype ", json::quote(v.string), " at byte ", v.at,
                               "; supported: ", kSupported));
  }

  // Sorted by offset, the tensors must tile [0, buffer size) exactly.
  void check_tiling(const std::vector<Entry>& entries) const {
    uint64_t covered = 0;
    const Entry* prev = nullptr;
    for (const Entry& e : entries) {
      HTP_CHECK(e.begin >= covered, name_, ": tensors '", prev ? prev->name : "", "' (bytes ",
                range(prev ? prev->begin : 0, covered), ") and '", e.name, "' (bytes ", range(e.begin, e.end),
                ") of the data buffer overlap");
      HTP_CHECK(e.begin == covered, name_, ": bytes ", range(covered, e.begin), " of the data buffer (file bytes ",
                range(data_start_ + covered, data_start_ + e.begin), ") belong to no tensor (",
                prev ? "between '" + prev->name + "' and '" + e.name + "'" : "before '" + e.name + "'", ")");
      HTP_CHECK(e.end <= buffer_size_, name_, ": tensor '", e.name, "' needs bytes ", range(e.begin, e.end),
                " of the data buffer, but the buffer ends at byte ", buffer_size_, " (the file is ",
                data_start_ + buffer_size_, " bytes: truncated?)");
      covered = e.end;
      prev = &e;
    }
    HTP_CHECK(covered == buffer_size_, name_, ": bytes ", range(covered, buffer_size_),
              " of the data buffer (file bytes ", range(data_start_ + covered, data_start_ + buffer_size_),
              ") belong to no tensor", prev ? " (after '" + prev->name + "')" : std::string(" (the header lists none)"));
  }

  const std::string& name_;
  uint64_t data_start_, buffer_size_;
};

// Booleans other than 0 and 1 become 1, the only encoding htp's bool tensors use; halves become float32 if asked.
Tensor finish(Tensor t, HalfDTypes halves) {
  if (t.dtype() == DType::boolean) {
    uint8_t* p = static_cast<uint8_t*>(t.raw_data());
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] != 0;
  }
  if (halves == HalfDTypes::to_float32 && (t.dtype() == DType::f16 || t.dtype() == DType::bf16))
    return t.to(DType::f32);
  return t;
}

struct Planned {
  const std::string* name;
  const Tensor* tensor;
  uint64_t begin, end;
};

// The writer's order and offsets: by element size, largest first, then by name.
// Names and metadata must be UTF-8, or the file could not be read back (by htp or by the reference).
std::vector<Planned> plan(const StateDict& tensors, const Metadata& metadata, const char* op) {
  for (const auto& [k, v] : metadata)
    HTP_CHECK(json::is_utf8(k) && json::is_utf8(v), op, ": metadata entry ", json::quote(k), " is not valid UTF-8");
  std::vector<Planned> out;
  for (const auto& [name, t] : tensors) {
    HTP_CHECK(name != "__metadata__", op, ": '__metadata__' is reserved and cannot name a tensor");
    HTP_CHECK(json::is_utf8(name), op, ": tensor name ", json::quote(name), " is not valid UTF-8");
    HTP_CHECK(t.defined(), op, ": tensor '", name, "' is undefined");
    code_of(t.dtype());
    out.push_back({&name, &t, 0, 0});
  }
  std::stable_sort(out.begin(), out.end(), [](const Planned& a, const Planned& b) {
    return a.tensor->element_size() > b.tensor->element_size();  // names stay sorted within a size (map order)
  });
  uint64_t at = 0;
  for (Planned& p : out) {
    p.begin = at;
    at += static_cast<uint64_t>(p.tensor->numel()) * p.tensor->element_size();
    p.end = at;
  }
  return out;
}

// The header, length field included, padded with spaces to a multiple of 8.
std::string encode_header(const std::vector<Planned>& planned, const Metadata& metadata) {
  std::string h = "{";
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      if (!first) h += ",";
      h += json::quote(k);
      h += ":";
      h += json::quote(v);
      first = false;
    }
    h += "}";
  }
  for (const Planned& p : planned) {
    if (h.size() > 1) h += ",";
    h += json::quote(*p.name);
    h += ":{\"dtype\":\"";
    h += code_of(p.tensor->dtype());
    h += "\",\"shape\":[";
    for (size_t i = 0; i < p.tensor->shape().size(); ++i) {
      if (i) h += ",";
      h += std::to_string(p.tensor->shape()[i]);
    }
    h += "],\"data_offsets\":[" + std::to_string(p.begin) + "," + std::to_string(p.end) + "]}";
  }
  h += "}";
  h.append((8 - h.size() % 8) % 8, ' ');
  const uint64_t n = h.size();
  std::string out(kLengthField, '\0');
  std::memcpy(out.data(), &n, sizeof n);
  return out + h;
}

std::string errno_text() { return std::strerror(errno); }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

StateDict parse_safetensors(const uint8_t* data, size_t size, const std::string& name, Metadata* metadata,
                            HalfDTypes halves) {
  const uint64_t n = read_header_length(data, size, name);
  const std::string_view text(reinterpret_cast<const char*>(data) + kLengthField, n);
  const Header h = HeaderChecker(name, n, size).check(text);
  StateDict out;
  for (const Entry& e : h.entries)
    out.emplace(e.name, finish(from_buffer(data + h.data_start + e.begin, e.shape, e.dtype), halves));
  if (metadata) *metadata = h.metadata;
  return out;
}

StateDict load_safetensors(const std::string& path, Metadata* metadata, HalfDTypes halves) {
  File f(std::fopen(path.c_str(), "rb"));
  HTP_CHECK(f, "load_safetensors: cannot open '", path, "': ", errno_text());
  struct stat st;
  HTP_CHECK(fstat(fileno(f.get()), &st) == 0, "load_safetensors: cannot stat '", path, "': ", errno_text());
  HTP_CHECK(S_ISREG(st.st_mode), "load_safetensors: '", path, "' is not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);

  uint8_t length_field[kLengthField] = {};
  HTP_CHECK(std::fread(length_field, 1, std::min<uint64_t>(kLengthField, size), f.get()) ==
                std::min<uint64_t>(kLengthField, size),
            "load_safetensors: error reading '", path, "': ", errno_text());
  const uint64_t n = read_header_length(length_field, size, path);
  std::string text(n, '\0');
  HTP_CHECK(std::fread(text.data(), 1, n, f.get()) == n, "load_safetensors: error reading the header of '", path,
            "': ", errno_text());
  const Header h = HeaderChecker(path, n, size).check(text);

  StateDict out;
  for (const Entry& e : h.entries) {
    Tensor t = empty(e.shape, e.dtype);
    const uint64_t bytes = e.end - e.begin;
    HTP_CHECK(bytes == 0 || (fseeko(f.get(), static_cast<off_t>(h.data_start + e.begin), SEEK_SET) == 0 &&
                             std::fread(t.raw_data(), 1, bytes, f.get()) == bytes),
              "load_safetensors: error reading tensor '", e.name, "' (file bytes ",
              range(h.data_start + e.begin, h.data_start + e.end), ") from '", path, "': ", errno_text());
    out.emplace(e.name, finish(t, halves));
  }
  if (metadata) *metadata = h.metadata;
  return out;
}

std::vector<uint8_t> encode_safetensors(const StateDict& tensors, const Metadata& metadata) {
  const std::vector<Planned> planned = plan(tensors, metadata, "encode_safetensors");
  const std::string header = encode_header(planned, metadata);
  std::vector<uint8_t> out(header.begin(), header.end());
  out.resize(header.size() + (planned.empty() ? 0 : planned.back().end));
  for (const Planned& p : planned) {
    const Tensor c = p.tensor->to(Device::cpu()).contiguous();
    if (p.end > p.begin) std::memcpy(out.data() + header.size() + p.begin, c.raw_data(), p.end - p.begin);
  }
  return out;
}

void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  const std::vector<Planned> planned = plan(tensors, metadata, "save_safetensors");
  const std::string header = encode_header(planned, metadata);
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    File f(std::fopen(tmp.c_str(), "wb"));
    HTP_CHECK(f, "save_safetensors: cannot open '", tmp, "' for writing: ", errno_text());
    bool ok = false;
    try {
      ok = std::fwrite(header.data(), 1, header.size(), f.get()) == header.size();
      for (size_t i = 0; ok && i < planned.size(); ++i) {
        const Tensor c = planned[i].tensor->to(Device::cpu()).contiguous();
        const size_t bytes = planned[i].end - planned[i].begin;
        ok = bytes == 0 || std::fwrite(c.raw_data(), 1, bytes, f.get()) == bytes;
      }
      ok = ok && std::fflush(f.get()) == 0;
    } catch (...) {  // a failed device copy: leave no temporary file behind
      f.reset();
      std::remove(tmp.c_str());
      throw;
    }
    if (!ok) {
      const std::string why = errno_text();
      f.reset();
      std::remove(tmp.c_str());
      throw Error(detail::concat("save_safetensors: error writing '", tmp, "': ", why));
    }
    if (std::fclose(f.release()) != 0) {
      const std::string why = errno_text();
      std::remove(tmp.c_str());
      throw Error(detail::concat("save_safetensors: error closing '", tmp, "': ", why));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    std::remove(tmp.c_str());
    throw Error(detail::concat("save_safetensors: cannot rename '", tmp, "' to '", path, "': ", why));
  }
}

void load_into(Module& module, const std::string& path, bool strict) {
  const StateDict state = load_safetensors(path);
  try {
    module.load_state_dict(state, strict);
  } catch (const Error& e) {
    throw Error(detail::concat(path, ": ", e.what()));
  }
}

}  // namespace htp::nn
