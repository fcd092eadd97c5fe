// .npy reading and writing (format described in tensor/npy.h; reference: numpy/lib/format.py, read_array_header and
// _write_array_header / _wrap_header). The header dict is read by a small recursive-descent parser for the subset of
// Python literals numpy writes (strings, True/False, tuples of integers); every error reports the file's byte offset.
#include "tensor/npy.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include "tensor/creation.h"

namespace htp {
namespace {

static_assert(std::endian::native == std::endian::little, ".npy support assumes a little-endian host");

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMagicLen = 8;              // the magic string and two version bytes
constexpr size_t kArrayAlign = 64;           // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

// The dtypes supported, as numpy writes their 'descr' (byte order '<', or '|' for one-byte types).
struct NpyType {
  const char* descr;
  DType dtype;
};
constexpr NpyType kTypes[] = {{"<f4", DType::f32}, {"<f8", DType::f64}, {"<f2", DType::f16}, {"<i8", DType::i64},
                              {"<i4", DType::i32}, {"|u1", DType::u8}, {"|b1", DType::boolean}};
constexpr const char* kSupported = "'<f4' '<f8' '<f2' '<i8' '<i4' '|u1' '|b1'";

struct Preamble {
  int major = 0;
  size_t header_start = 0;  // byte offset of the dict text
  size_t header_len = 0;
};

// Reads the magic, version and header length from the first `n` bytes (n >= 12 unless the file is shorter).
Preamble parse_preamble(const uint8_t* p, size_t n, const std::string& name) {
  HTP_CHECK(n >= 10, name, ": truncated: ", n, " bytes, shorter than the 10-byte .npy preamble");
  HTP_CHECK(std::memcmp(p, kMagic, sizeof kMagic) == 0, name,
            ": not a .npy file: bad magic at byte 0 (expected \\x93NUMPY)");
  Preamble pre;
  pre.major = p[6];
  const int minor = p[7];
  HTP_CHECK((pre.major >= 1 && pre.major <= 3) && minor == 0, name, ": unsupported .npy version ", pre.major, ".",
            minor, " at byte 6 (supported: 1.0, 2.0, 3.0)");
  if (pre.major == 1) {
    pre.header_len = p[8] | (size_t(p[9]) << 8);
    pre.header_start = 10;
  } else {
    HTP_CHECK(n >= 12, name, ": truncated: ", n, " bytes, shorter than the 12-byte .npy ", pre.major,
              ".0 preamble");
    pre.header_len = p[8] | (size_t(p[9]) << 8) | (size_t(p[10]) << 16) | (size_t(p[11]) << 24);
    pre.header_start = 12;
  }
  return pre;
}

struct Header {
  DType dtype = DType::f32;
  Shape shape;
  size_t data_bytes = 0;
};

// Parses the header dict text, which starts at byte `base` of the file.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, size_t base, const std::string& name) : s_(text), base_(base), name_(name) {}

  Header parse() {
    skip_space();
    expect('{', "the header is not a Python dict literal");
    bool have_descr = false, have_order = false, have_shape = false;
    Header h;
    skip_space();
    while (peek() != '}') {
      const size_t key_at = pos_;
      const std::string key = parse_string("a quoted key");
      skip_space();
      expect(':', "expected ':' after the key");
      skip_space();
      if (key == "descr") {
        have_descr = true;
        h.dtype = parse_descr();
      } else if (key == "fortran_order") {
        have_order = true;
        const size_t at = pos_;
        if (parse_bool())
          fail_at(at, "'fortran_order' is True; only C-order arrays are supported (save np.ascontiguousarray(a))");
      } else if (key == "shape") {
        have_shape = true;
        h.shape = parse_shape();
      } else {
        fail_at(key_at, "unexpected key '" + key + "' in the header (expected 'descr', 'fortran_order', 'shape')");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != '}') {
        fail("expected ',' or '}' in the header dict");
      }
    }
    ++pos_;
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    const size_t end = base_ + s_.size();
    HTP_CHECK(have_descr, name_, ": the header (bytes ", base_, " to ", end, ") has no 'descr' field");
    HTP_CHECK(have_order, name_, ": the header (bytes ", base_, " to ", end, ") has no 'fortran_order' field");
    HTP_CHECK(have_shape, name_, ": the header (bytes ", base_, " to ", end, ") has no 'shape' field");
    h.data_bytes = dtype_size(h.dtype);
    for (int64_t d : h.shape)
      HTP_CHECK(!__builtin_mul_overflow(h.data_bytes, static_cast<size_t>(d), &h.data_bytes), name_, ": shape ",
                shape_str(h.shape), " is too large");
    return h;
  }

 private:
  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    throw Error(detail::concat(name_, ": ", what, " (header byte ", base_ + at, ")"));
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  void expect(char c, const char* what) {
    if (peek() != c) fail(what);
    ++pos_;
  }

  std::string parse_string(const char* what) {
    const char q = peek();
    if (q != '\'' && q != '"') fail(std::string("expected ") + what);
    const size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return out;
  }

  bool parse_bool() {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("expected True or False for 'fortran_order'");
  }

  DType parse_descr() {
    const size_t at = pos_;
    if (peek() == '[') fail_at(at, std::string("'descr' is a structured dtype; supported dtypes: ") + kSupported);
    const std::string d = parse_string("a dtype string for 'descr'");
    const bool has_order = !d.empty() && std::string_view("<>|=!").find(d[0]) != std::string_view::npos;
    const char order = has_order ? d[0] : '=';
    const std::string code = has_order ? d.substr(1) : d;  // kind and size, e.g. "f4"
    for (const NpyType& t : kTypes) {
      if (code != t.descr + 1) continue;
      if ((order == '>' || order == '!') && dtype_size(t.dtype) > 1)
        fail_at(at, "big-endian dtype '" + d + "' is not supported; save it little-endian (a.astype('<" + code +
                        "')) instead");
      return t.dtype;
    }
    fail_at(at, "unsupported dtype '" + d + "'; supported: " + kSupported);
  }

  Shape parse_shape() {
    expect('(', "expected a tuple for 'shape'");
    Shape shape;
    skip_space();
    while (peek() != ')') {
      const size_t at = pos_;
      int64_t v = 0;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a non-negative integer in 'shape'");
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, peek() - '0', &v))
          fail_at(at, "dimension in 'shape' is too large");
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 long literal
      shape.push_back(v);
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in 'shape'");
      }
    }
    ++pos_;
    return shape;
  }

  const std::string& s_;
  size_t base_;
  const std::string& name_;
  size_t pos_ = 0;
};

// The header text must lie within the `size` bytes of the file.
void check_header_fits(const Preamble& pre, size_t size, const std::string& name) {
  HTP_CHECK(size - pre.header_start >= pre.header_len, name, ": truncated header: the length field at byte 8 says ",
            pre.header_len, " bytes, but only ", size - pre.header_start, " follow byte ", pre.header_start);
}

void check_data_size(const Header& h, size_t data_offset, size_t found, const std::string& name) {
  HTP_CHECK(found == h.data_bytes, name, ": expected ", h.data_bytes, " bytes of data after the ", data_offset,
            "-byte header, found ", found, " (", dtype_name(h.dtype), shape_str(h.shape), ")");
}

// Booleans other than 0 and 1 become 1, the only encoding htp's bool tensors use.
void normalize_bools(Tensor& t) {
  if (t.dtype() != DType::boolean) return;
  uint8_t* p = static_cast<uint8_t*>(t.raw_data());
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] != 0;
}

const char* descr_of(DType dt) {
  for (const NpyType& t : kTypes)
    if (t.dtype == dt) return t.descr;
  throw Error(detail::concat("save_npy: ", dtype_name(dt), " has no .npy dtype; convert with .to(DType::f32) first"));
}

// The preamble and padded header numpy.save writes for a C-order array of this dtype and shape.
std::string encode_header(DType dt, const Shape& shape) {
  std::string shape_repr = "(";
  for (size_t i = 0; i < shape.size(); ++i) shape_repr += (i ? ", " : "") + std::to_string(shape[i]);
  shape_repr += shape.size() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + descr_of(dt) + "', 'fortran_order': False, 'shape': " +
                     shape_repr + ", }";
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  const size_t hlen = dict.size() + 1;  // with the final '\n'
  int major = 1;
  size_t len_bytes = 2;
  size_t pad = kArrayAlign - (kMagicLen + len_bytes + hlen) % kArrayAlign;
  if (hlen + pad > 0xffff) {
    major = 2;
    len_bytes = 4;
    pad = kArrayAlign - (kMagicLen + len_bytes + hlen) % kArrayAlign;
  }
  const size_t total = hlen + pad;
  std::string out(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < len_bytes; ++i) out += static_cast<char>((total >> (8 * i)) & 0xff);
  out += dict;
  out.append(pad, ' ');
  out += '\n';
  return out;
}

std::string errno_text() { return std::strerror(errno); }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

Tensor parse_npy(const uint8_t* data, size_t size, const std::string& name) {
  const Preamble pre = parse_preamble(data, size, name);
  check_header_fits(pre, size, name);
  const std::string text(reinterpret_cast<const char*>(data) + pre.header_start, pre.header_len);
  const Header h = HeaderParser(text, pre.header_start, name).parse();
  const size_t data_offset = pre.header_start + pre.header_len;
  check_data_size(h, data_offset, size - data_offset, name);
  Tensor t = from_buffer(data + data_offset, h.shape, h.dtype);
  normalize_bools(t);
  return t;
}

Tensor load_npy(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  HTP_CHECK(f, "load_npy: cannot open '", path, "': ", errno_text());
  struct stat st;
  HTP_CHECK(fstat(fileno(f.get()), &st) == 0, "load_npy: cannot stat '", path, "': ", errno_text());
  HTP_CHECK(S_ISREG(st.st_mode), "load_npy: '", path, "' is not a regular file");
  const size_t size = static_cast<size_t>(st.st_size);

  uint8_t pre_bytes[12];
  const size_t n_pre = std::fread(pre_bytes, 1, std::min<size_t>(sizeof pre_bytes, size), f.get());
  const Preamble pre = parse_preamble(pre_bytes, n_pre, path);
  check_header_fits(pre, size, path);
  std::string text(pre.header_len, '\0');
  HTP_CHECK(std::fseek(f.get(), static_cast<long>(pre.header_start), SEEK_SET) == 0 &&
                std::fread(text.data(), 1, text.size(), f.get()) == text.size(),
            "load_npy: error reading the header of '", path, "': ", errno_text());
  const Header h = HeaderParser(text, pre.header_start, path).parse();
  const size_t data_offset = pre.header_start + pre.header_len;
  check_data_size(h, data_offset, size - data_offset, path);

  Tensor t = empty(h.shape, h.dtype);
  HTP_CHECK(h.data_bytes == 0 || std::fread(t.raw_data(), 1, h.data_bytes, f.get()) == h.data_bytes,
            "load_npy: error reading ", h.data_bytes, " bytes of data from '", path, "' at byte ", data_offset, ": ",
            errno_text());
  normalize_bools(t);
  return t;
}

std::vector<uint8_t> encode_npy(const Tensor& t) {
  HTP_CHECK(t.defined(), "encode_npy: undefined tensor");
  const std::string header = encode_header(t.dtype(), t.shape());
  const Tensor c = t.to(Device::cpu()).contiguous();
  const size_t bytes = static_cast<size_t>(c.numel()) * c.element_size();
  std::vector<uint8_t> out(header.begin(), header.end());
  out.resize(header.size() + bytes);
  if (bytes) std::memcpy(out.data() + header.size(), c.raw_data(), bytes);
  return out;
}

void save_npy(const std::string& path, const Tensor& t) {
  HTP_CHECK(t.defined(), "save_npy: undefined tensor for '", path, "'");
  const std::string header = encode_header(t.dtype(), t.shape());
  const Tensor c = t.to(Device::cpu()).contiguous();
  const size_t bytes = static_cast<size_t>(c.numel()) * c.element_size();

  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    File f(std::fopen(tmp.c_str(), "wb"));
    HTP_CHECK(f, "save_npy: cannot open '", tmp, "' for writing: ", errno_text());
    const bool ok = std::fwrite(header.data(), 1, header.size(), f.get()) == header.size() &&
                    (bytes == 0 || std::fwrite(c.raw_data(), 1, bytes, f.get()) == bytes) &&
                    std::fflush(f.get()) == 0;
    if (!ok) {
      const std::string why = errno_text();
      f.reset();
      std::remove(tmp.c_str());
      throw Error(detail::concat("save_npy: error writing '", tmp, "': ", why));
    }
    if (std::fclose(f.release()) != 0) {
      const std::string why = errno_text();
      std::remove(tmp.c_str());
      throw Error(detail::concat("save_npy: error closing '", tmp, "': ", why));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    std::remove(tmp.c_str());
    throw Error(detail::concat("save_npy: cannot rename '", tmp, "' to '", path, "': ", why));
  }
}

}  // namespace htp
