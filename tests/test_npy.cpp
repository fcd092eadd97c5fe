// .npy: round trips, the exact bytes numpy.save writes, hand-made version 1/2/3 files, and every error message.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "tensor/creation.h"
#include "tensor/npy.h"

using namespace htp;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

// A .npy file assembled by hand: magic, version major.0, the header length field, the header text as given, data.
Bytes npy_bytes(int major, const std::string& header, const std::string& data = "") {
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  const size_t n = header.size();
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) s += static_cast<char>((n >> (8 * i)) & 0xff);
  s += header + data;
  return Bytes(s.begin(), s.end());
}

// `dict` padded with spaces and '\n' to a multiple of 64 bytes including the preamble, as numpy writes it.
std::string padded(const std::string& dict, size_t preamble = 10) {
  std::string h = dict;
  while ((preamble + h.size() + 1) % 64 != 0) h += ' ';
  return h + '\n';
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

Tensor parse(const Bytes& b) { return parse_npy(b.data(), b.size(), "x.npy"); }

void write_file(const fs::path& p, const Bytes& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// A fresh directory for this process, removed at the end of the test case.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("htp_test_npy_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

bool same(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && a.to_vector() == b.to_vector();
}

}  // namespace

TEST_SUITE("tensor") {

TEST_CASE("npy: encode_npy writes what numpy.save writes for np.arange(6, dtype='<f4').reshape(2, 3)") {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string header = dict;
  header.append(117 - dict.size(), ' ');
  header += '\n';  // 10-byte preamble + 118-byte header = 128, a multiple of 64
  const std::vector<float> data = {0, 1, 2, 3, 4, 5};
  std::string expected = std::string("\x93NUMPY\x01\x00", 8) + std::string("\x76\x00", 2) + header + raw(data);
  const Bytes got = encode_npy(arange(0, 6, 1, DType::f32).view({2, 3}));
  CHECK(std::string(got.begin(), got.end()) == expected);
}

TEST_CASE("npy: the header's layout follows numpy (alignment, growth-axis spaces, version 2 for huge headers)") {
  for (const Shape& shape : {Shape{}, Shape{7}, Shape{123456, 2}, Shape{0, 5}}) {
    const Bytes b = encode_npy(zeros(shape, DType::u8));
    const size_t header_len = b[8] | (b[9] << 8);
    CHECK(b[6] == 1);
    CHECK((10 + header_len) % 64 == 0);
    CHECK(b[10 + header_len - 1] == '\n');
    CHECK(b.size() == 10 + header_len + static_cast<size_t>(shape_numel(shape)));
  }
  // numpy >= 1.24 leaves 21 - len(repr(shape[0])) spaces after the dict for growing the first axis: the dict of a
  // 15-d array (98 characters) would fit a 128-byte preamble + header, but with the 20 spaces it needs 192.
  const Bytes b = encode_npy(zeros(Shape(15, 1), DType::u8));
  const std::string h(b.begin() + 10, b.end() - 1);
  CHECK(h.rfind("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }"
                "                    ",
                0) == 0);
  CHECK(h.size() == 182);

  // 30000 size-1 dimensions make a header larger than 65535 bytes: version 2.0, with a 4-byte length.
  const Tensor many = ones(Shape(30000, 1), DType::i32);
  const Bytes v2 = encode_npy(many);
  CHECK(v2[6] == 2);
  const size_t len2 = v2[8] | (v2[9] << 8) | (v2[10] << 16) | (size_t(v2[11]) << 24);
  CHECK(len2 > 65535);
  CHECK((12 + len2) % 64 == 0);
  CHECK(same(parse(v2), many));
}

TEST_CASE("npy: round trips of every dtype and shape, in memory and through files") {
  TempDir dir;
  const std::vector<DType> dtypes = {DType::f32, DType::f64, DType::f16, DType::i64, DType::i32, DType::u8,
                                     DType::boolean};
  for (DType dt : dtypes) {
    for (const Shape& shape : {Shape{}, Shape{0}, Shape{2, 3, 4}, Shape{3, 0, 2}}) {
      CAPTURE(dtype_name(dt));
      CAPTURE(shape_str(shape));
      Tensor t = arange(0, static_cast<double>(shape_numel(shape)), 1, DType::f64).to(dt).reshape(shape);
      if (shape.empty()) t = scalar_tensor(1, dt);
      const Bytes b = encode_npy(t);
      CHECK(same(parse(b), t));
      const std::string path = (dir.path / "t.npy").string();
      save_npy(path, t);
      CHECK(same(load_npy(path), t));
    }
  }
  // Negative and fractional values, and the exact bit patterns of floats.
  const Tensor f = tensor(std::vector<double>{-1.5, 1e-300, -0.0, 3.25e10}, {2, 2});
  CHECK(same(parse(encode_npy(f)), f));
  const Tensor i = tensor(std::vector<int64_t>{INT64_MIN, -1, INT64_MAX}, {3});
  const Tensor back = parse(encode_npy(i));
  CHECK(std::memcmp(back.raw_data(), i.raw_data(), 24) == 0);
}

TEST_CASE("npy: views are saved in row-major order; the temporary file is gone after save") {
  TempDir dir;
  const Tensor t = arange(0, 12, 1, DType::f32).view({3, 4}).t();  // not contiguous
  const std::string path = (dir.path / "view.npy").string();
  save_npy(path, t);
  const Tensor back = load_npy(path);
  CHECK(back.shape() == Shape{4, 3});
  CHECK(back.to_vector() == std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  CHECK(same(parse(encode_npy(t.select(0, 1))), t.select(0, 1)));
  save_npy(path, zeros({2}));  // overwriting is fine
  CHECK(load_npy(path).shape() == Shape{2});
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.path().filename() != "view.npy" ? 100 : 1;
  CHECK(files == 1);
}

TEST_CASE("npy: hand-made files of versions 1, 2 and 3 and the header variants numpy and others write") {
  const std::string data = raw(std::vector<int64_t>{7, -8, 9});
  const std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
  for (int major : {1, 2, 3}) {
    const Tensor t = parse(npy_bytes(major, padded(dict, major == 1 ? 10 : 12), data));
    CHECK(t.dtype() == DType::i64);
    CHECK(t.shape() == Shape{3});
    CHECK(t.to_vector() == std::vector<double>{7, -8, 9});
  }
  // Keys in another order, double quotes, no trailing comma, no padding, Python 2 longs, '=' or no byte order.
  CHECK(parse(npy_bytes(1, "{\"shape\": (3L,), \"fortran_order\": False, \"descr\": \"=i8\"}", data)).to_vector() ==
        std::vector<double>{7, -8, 9});
  CHECK(parse(npy_bytes(1, "{'descr':'i8','fortran_order':False,'shape':(3,)}\n", data)).numel() == 3);
  const Tensor m = parse(npy_bytes(1, padded("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"),
                                   raw(std::vector<float>{0.5f, -2.f})));
  CHECK(m.shape() == Shape{1, 2});
  CHECK(m.to_vector() == std::vector<double>{0.5, -2});
  const Tensor s = parse(npy_bytes(1, padded("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"),
                                   raw(std::vector<double>{3.5})));
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 3.5);
  // numpy booleans are bytes; anything nonzero is true.
  const Tensor b = parse(npy_bytes(1, padded("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }"),
                                   std::string("\x00\x01\x02", 3)));
  CHECK(b.dtype() == DType::boolean);
  CHECK(std::memcmp(b.raw_data(), "\x00\x01\x01", 3) == 0);
  const Tensor h = parse(npy_bytes(1, padded("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }"),
                                   std::string("\x00\x3c\x00\xc0", 4)));  // 1.0 and -2.0 in binary16
  CHECK(h.dtype() == DType::f16);
  CHECK(h.to_vector() == std::vector<double>{1, -2});
  CHECK(parse(npy_bytes(1, padded("{'descr': '>u1', 'fortran_order': False, 'shape': (1,), }"), "x")).item<int64_t>() ==
        'x');  // byte order does not matter for one-byte types
}

TEST_CASE("npy: error messages name the file and the byte offset or field at fault") {
  const std::string f4 = raw(std::vector<float>(24, 1.f));
  auto with_header = [&](const std::string& dict, const std::string& data) { return npy_bytes(1, padded(dict), data); };
  const std::string good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";

  CHECK_THROWS_WITH(parse(Bytes{0x93, 'N', 'U'}), "x.npy: truncated: 3 bytes, shorter than the 10-byte .npy preamble");
  Bytes bad = npy_bytes(1, padded(good), f4);
  bad[1] = 'n';
  CHECK_THROWS_WITH(parse(bad), "x.npy: not a .npy file: bad magic at byte 0 (expected \\x93NUMPY)");
  bad = npy_bytes(1, padded(good), f4);
  bad[6] = 4;
  CHECK_THROWS_WITH(parse(bad), "x.npy: unsupported .npy version 4.0 at byte 6 (supported: 1.0, 2.0, 3.0)");
  bad = npy_bytes(2, padded(good, 12), f4);
  bad.resize(11);
  CHECK_THROWS_WITH(parse(bad), "x.npy: truncated: 11 bytes, shorter than the 12-byte .npy 2.0 preamble");
  bad = npy_bytes(1, padded(good));
  bad.resize(60);
  CHECK_THROWS_WITH(parse(bad), "x.npy: truncated header: the length field at byte 8 says 118 bytes, but only 50 "
                                "follow byte 10");

  CHECK_THROWS_WITH(parse(with_header("[1, 2]", "")),
                    "x.npy: the header is not a Python dict literal (header byte 10)");
  CHECK_THROWS_WITH(parse(with_header("{'fortran_order': False, 'shape': (2, 3, 4), }", f4)),
                    "x.npy: the header (bytes 10 to 64) has no 'descr' field");
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, }", f4)),
                    "x.npy: the header (bytes 10 to 64) has no 'shape' field");
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'shape': (2, 3, 4), }", f4)),
                    "x.npy: the header (bytes 10 to 64) has no 'fortran_order' field");
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3, 4), }", f4)),
                    "x.npy: unsupported dtype '<c8'; supported: '<f4' '<f8' '<f2' '<i8' '<i4' '|u1' '|b1' "
                    "(header byte 20)");
  CHECK_THROWS_WITH(parse(with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4)),
                    doctest::Contains("x.npy: 'descr' is a structured dtype"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3, 4), }", f4)),
                    "x.npy: big-endian dtype '>f4' is not supported; save it little-endian (a.astype('<f4')) instead "
                    "(header byte 20)");
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }", f4)),
                    doctest::Contains("x.npy: 'fortran_order' is True; only C-order arrays are supported"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", f4)),
                    "x.npy: expected a non-negative integer in 'shape' (header byte 64)");
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", f4)),
                    doctest::Contains("x.npy: unexpected key 'x'"));
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) 'x'}", f4)),
                    "x.npy: expected ',' or '}' in the header dict (header byte 67)");
  CHECK_THROWS_WITH(parse(with_header("{'descr' '<f4'}", f4)), "x.npy: expected ':' after the key (header byte 19)");
  CHECK_THROWS_WITH(parse(with_header("{'descr': '<f4", f4)), "x.npy: unterminated string (header byte 20)");
  CHECK_THROWS_WITH(
      parse(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", f4)),
      "x.npy: dimension in 'shape' is too large (header byte 61)");

  CHECK_THROWS_WITH(parse(with_header(good, f4.substr(0, 40))),
                    "x.npy: expected 96 bytes of data after the 128-byte header, found 40 (float32[2, 3, 4])");
  CHECK_THROWS_WITH(parse(with_header(good, f4 + "extra")),
                    "x.npy: expected 96 bytes of data after the 128-byte header, found 101 (float32[2, 3, 4])");
}

TEST_CASE("npy: file errors name the path and the reason") {
  TempDir dir;
  const std::string missing = (dir.path / "missing.npy").string();
  CHECK_THROWS_WITH(load_npy(missing), ("load_npy: cannot open '" + missing + "': No such file or directory").c_str());
  CHECK_THROWS_WITH(load_npy(dir.path.string()), doctest::Contains("is not a regular file"));
  const fs::path truncated = dir.path / "short.npy";
  write_file(truncated, npy_bytes(1, padded("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }"),
                                  std::string(40, '\0')));
  CHECK_THROWS_WITH(load_npy(truncated.string()),
                    (truncated.string() + ": expected 96 bytes of data after the 128-byte header, found 40 "
                                          "(float32[2, 3, 4])").c_str());
  write_file(truncated, Bytes{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK_THROWS_WITH(load_npy(truncated.string()), doctest::Contains("short.npy: not a .npy file: bad magic at byte 0"));

  const std::string no_dir = (dir.path / "nope" / "x.npy").string();
  CHECK_THROWS_WITH(save_npy(no_dir, zeros({2})), doctest::Contains("No such file or directory"));
  CHECK_THROWS_WITH(save_npy(no_dir, zeros({2})), doctest::Contains(no_dir.c_str()));
  CHECK_THROWS_WITH(save_npy((dir.path / "b.npy").string(), zeros({2}, DType::bf16)),
                    "save_npy: bfloat16 has no .npy dtype; convert with .to(DType::f32) first");
  CHECK_THROWS_WITH(encode_npy(Tensor()), "encode_npy: undefined tensor");
}

}  // TEST_SUITE
