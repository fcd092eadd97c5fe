// safetensors: round trips of every dtype and shape, F16/BF16 handling, metadata, the exact bytes the writer
// produces, hand-made files, every error message (file name, tensor, byte offset), and the golden fixture of
// tools/make_fixtures.py: a torchvision ResNet-18 (stage widths 16..128) whose PyTorch logits we must reproduce.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "autograd/grad_mode.h"
#include "cuda_test_util.h"
#include "nn/json.h"
#include "nn/models.h"
#include "nn/safetensors.h"
#include "tensor/creation.h"
#include "tensor/npy.h"
#include "test_util.h"

using namespace htp;
using namespace htp::nn;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

// A safetensors file assembled by hand: the 8-byte little-endian length of `header`, the header as given, the data.
Bytes st_bytes(const std::string& header, const std::string& data = "") {
  std::string s(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(s.data(), &n, 8);
  s += header + data;
  return Bytes(s.begin(), s.end());
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

StateDict parse(const Bytes& b, Metadata* meta = nullptr, HalfDTypes halves = HalfDTypes::to_float32) {
  return parse_safetensors(b.data(), b.size(), "m.safetensors", meta, halves);
}

// The message of the error that parse(b) throws, or "(no error)".
std::string parse_error(const Bytes& b) { return testing::error_of([&] { parse(b); }); }

// One F32 tensor 'w' of `shape` over a data buffer of `data_size` zero bytes, with the given data_offsets.
Bytes one_f32(const std::string& shape, const std::string& offsets, size_t data_size) {
  return st_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}",
                  std::string(data_size, '\0'));
}

void write_file(const fs::path& p, const Bytes& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("htp_test_safetensors_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

// tests/fixtures, found by walking up from the working directory (ctest runs in build/tests, by hand one runs from
// the build directory or the repository).
fs::path fixtures() {
  for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "tests" / "fixtures" / "resnet18_w16.safetensors")) return p / "tests" / "fixtures";
    if (p == p.parent_path()) break;
  }
  throw Error("tests/fixtures/resnet18_w16.safetensors not found above " + fs::current_path().string() +
              " (run the tests from the repository or a build directory inside it)");
}

// |a - ref| <= rtol·|ref| + atol everywhere, or a message naming the worst element.
std::string close(const Tensor& a, const Tensor& ref, double rtol, double atol) {
  if (a.shape() != ref.shape()) return "shapes differ: " + shape_str(a.shape()) + " vs " + shape_str(ref.shape());
  const std::vector<double> x = a.to_vector(), r = ref.to_vector();
  size_t worst = 0;
  double worst_excess = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double excess = std::abs(x[i] - r[i]) - (rtol * std::abs(r[i]) + atol);
    if (excess > worst_excess) worst_excess = excess, worst = i;
  }
  if (worst_excess <= 0) return "";
  return "element " + std::to_string(worst) + ": " + std::to_string(x[worst]) + " vs " + std::to_string(r[worst]);
}

bool same(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && a.to_vector() == b.to_vector();
}

// One tensor of every dtype, including a scalar, empty tensors and a non-contiguous view.
StateDict every_dtype() {
  StateDict d;
  d["f32"] = arange(0, 6, 1, DType::f32).view({2, 3});
  d["f64"] = tensor<double>({1.5, -2.25, 1e300}, {3});
  d["i64"] = tensor<int64_t>({INT64_MIN, -1, INT64_MAX, 7}, {2, 1, 2});
  d["i32"] = tensor<int32_t>({-5, 6}, {2});
  d["u8"] = tensor<uint8_t>({0, 255, 17}, {3, 1});
  d["bool"] = tensor<bool>({true, false, true}, {3});
  d["f16"] = tensor<float>({1.0f, -0.5f, 65504.0f, 3.140625f}, {2, 2}).to(DType::f16);
  d["bf16"] = tensor<float>({1.0f, -3.0e38f, 0.15625f}, {3}).to(DType::bf16);
  d["scalar"] = scalar_tensor(42.0, DType::f64);
  d["empty"] = zeros({0}, DType::i32);
  d["empty2d"] = zeros({2, 0, 3});
  d["view"] = arange(0, 12, 1, DType::f32).view({3, 4}).transpose(0, 1).slice(0, 1, 4);
  return d;
}

}  // namespace

TEST_SUITE("nn") {

TEST_CASE("safetensors: round trips of every dtype and shape, in memory and through files") {
  const StateDict in = every_dtype();
  const Metadata meta_in = {{"format", "pt"}, {"quote\"back\\slash", "tab\tnewline\n\x01 é ☃ 😀"}};
  TempDir dir;
  const std::string path = (dir.path / "all.safetensors").string();
  save_safetensors(path, in, meta_in);
  CHECK(std::vector<fs::path>(fs::directory_iterator(dir.path), {}) == std::vector<fs::path>{path});  // no temp file

  const Bytes encoded = encode_safetensors(in, meta_in);
  std::ifstream f(path, std::ios::binary);
  CHECK(Bytes(std::istreambuf_iterator<char>(f), {}) == encoded);

  for (const bool from_file : {false, true}) {
    CAPTURE(from_file);
    Metadata meta = {{"stale", "entry"}};
    const StateDict out =
        from_file ? load_safetensors(path, &meta, HalfDTypes::keep) : parse(encoded, &meta, HalfDTypes::keep);
    CHECK(meta == meta_in);
    REQUIRE(out.size() == in.size());
    for (const auto& [name, t] : in) {
      CAPTURE(name);
      REQUIRE(out.count(name));
      CHECK(out.at(name).is_contiguous());
      CHECK(out.at(name).device() == Device::cpu());
      CHECK(same(out.at(name), t));
    }
  }
}

TEST_CASE("safetensors: F16 and BF16 become float32 on load unless asked to keep them; bools are normalised") {
  const StateDict in = every_dtype();
  const StateDict out = parse(encode_safetensors(in));
  CHECK(out.at("f16").dtype() == DType::f32);
  CHECK(out.at("f16").to_vector() == std::vector<double>{1.0, -0.5, 65504.0, 3.140625});
  CHECK(out.at("bf16").dtype() == DType::f32);
  CHECK(out.at("bf16").to_vector() == in.at("bf16").to(DType::f32).to_vector());
  CHECK(out.at("f32").dtype() == DType::f32);  // the others keep their dtype
  CHECK(out.at("u8").dtype() == DType::u8);

  // F16 bits written by hand: 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504, 0x0001 = 2^-24 (subnormal); BOOL byte 2 → true.
  const Bytes b = st_bytes("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                           "\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[8,10]}}",
                           raw(std::vector<uint16_t>{0x3c00, 0xc000, 0x7bff, 0x0001}) + std::string("\x02\x00", 2));
  const StateDict h = parse(b);
  CHECK(h.at("h").to_vector() == std::vector<double>{1.0, -2.0, 65504.0, std::ldexp(1.0, -24)});
  CHECK(h.at("b").to_vector() == std::vector<double>{1.0, 0.0});
  CHECK(static_cast<const uint8_t*>(h.at("b").raw_data())[0] == 1);
}

TEST_CASE("safetensors: the writer's bytes: metadata first, larger elements first then names, header padded to 8") {
  StateDict d;
  d["b"] = tensor<uint8_t>({1, 2, 3}, {3});
  d["a"] = tensor<float>({1.0f, 2.0f}, {2});
  d["c"] = tensor<double>({0.5}, {1, 1});
  const std::string header =
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"c\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[0,8]},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
      "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[16,19]}}";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  CHECK(padded.size() % 8 == 0);
  const Bytes expected = st_bytes(padded, raw(std::vector<double>{0.5}) + raw(std::vector<float>{1.0f, 2.0f}) +
                                              std::string("\x01\x02\x03", 3));
  CHECK(encode_safetensors(d, {{"format", "pt"}}) == expected);
  CHECK(encode_safetensors({}) == st_bytes("{}      "));
  CHECK(parse(st_bytes("{}")).empty());
}

TEST_CASE("safetensors: hand-made headers: whitespace, escapes, padding, any order of entries") {
  const std::string header =
      " { \"__metadata__\" : { } ,\n\t\"late\" : {\"data_offsets\": [8, 16], \"shape\": [1, 2], \"dtype\": \"I32\"},\r\n"
      "  \"caf\\u00e9\\/\\ud83d\\ude00\\\"\" : {\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}    ";
  // The reference requires '{' first: a leading space is an error, checked below; strip it here.
  Metadata meta = {{"stale", "entry"}};
  const StateDict d =
      parse(st_bytes(header.substr(1), raw(std::vector<double>{-1.25}) + raw(std::vector<int32_t>{3, -4})), &meta);
  CHECK(meta.empty());
  REQUIRE(d.size() == 2);
  CHECK(same(d.at("café/😀\""), scalar_tensor(-1.25, DType::f64)));
  CHECK(same(d.at("late"), tensor<int32_t>({3, -4}, {1, 2})));
  CHECK_THROWS_WITH(parse(st_bytes(header)),
                    "m.safetensors: the header at byte 8 does not start with '{' (not a safetensors file?)");
}

TEST_CASE("safetensors: JSON errors name the file and the byte offset") {
  // {header, message after "m.safetensors: "}; offsets count from the start of the file: the header starts at byte 8.
  const std::pair<std::string, std::string> cases[] = {
      {"{\"a\":", "the JSON text ends early: expected a value at byte 13"},
      {"{\"a\" 1}", "expected ':' after the key at byte 13"},
      {"{\"a\":1 \"b\":2}", "expected ',' or '}' in an object at byte 15"},
      {"{\"a\":[1 2]}", "expected ',' or ']' in an array at byte 16"},
      {"{a:1}", "expected a quoted key at byte 9"},
      {"{\"a\":1} x", "unexpected text after the JSON value at byte 16"},
      {"{\"a\":1.5}", "numbers with a fraction or an exponent are not supported here (expected an integer) at byte 13"},
      {"{\"a\":1e3}", "numbers with a fraction or an exponent are not supported here (expected an integer) at byte 13"},
      {"{\"a\":01}", "leading zeros are not allowed in JSON at byte 13"},
      {"{\"a\":99999999999999999999}", "integer out of the int64 range at byte 13"},
      {"{\"a\":null}",
       "true, false and null are not supported here (expected an object, array, string or integer) at byte 13"},
      {"{\"a\":?}", "expected a JSON value, found '?' at byte 13"},
      {"{\"a", "unterminated string at byte 9"},
      {"{\"a\\q\":1}", "invalid escape in a string at byte 11"},
      {"{\"a\\u12x4\":1}", "expected 4 hex digits after \\u at byte 15"},
      {"{\"\\ud800\":1}", "unpaired UTF-16 high surrogate in a \\u escape at byte 10"},
      {"{\"\\udc00\":1}", "unpaired UTF-16 low surrogate in a \\u escape at byte 10"},
      {"{\"a\xff\":1}", "invalid UTF-8 in a string at byte 11"},
      {"{\"\xc0\xaf\":1}", "invalid UTF-8 in a string at byte 10"},      // overlong '/'
      {"{\"\xed\xa0\x80\":1}", "invalid UTF-8 in a string at byte 10"},  // a surrogate
      {"{\"a\nb\":1}", "unescaped control character in a string at byte 11"},
      {"{\"a\":" + std::string(70, '[') + std::string(70, ']') + "}", "JSON nesting deeper than 64 levels at byte 76"},
  };
  for (const auto& [header, message] : cases) CHECK(parse_error(st_bytes(header)) == "m.safetensors: " + message);
}
TEST_CASE("safetensors: json::parse keeps offsets, integer limits and duplicate keys; quote escapes") {
  const json::Value v = json::parse("{\"k\": [-9223372036854775808, 9223372036854775807, 0], \"k\": \"x\"}", 100, "t");
  REQUIRE(v.members.size() == 2);
  CHECK(v.members[0].key_at == 101);
  CHECK(v.members[0].value.at == 106);
  CHECK(v.members[0].value.items[0].integer == INT64_MIN);
  CHECK(v.members[0].value.items[1].integer == INT64_MAX);
  CHECK(v.members[1].value.string == "x");
  CHECK_THROWS_WITH(json::parse("-9223372036854775809", 0, "t"), "t: integer out of the int64 range at byte 0");
  CHECK_THROWS_WITH(json::parse("-", 0, "t"), "t: expected a digit at byte 1");
  CHECK_THROWS_WITH(json::parse("", 0, "t"), "t: the JSON text ends early: expected a value at byte 0");
  CHECK(json::quote("a\"b\\c\n\x1f/é") == "\"a\\\"b\\\\c\\n\\u001f/é\"");
}

TEST_CASE("safetensors: header errors name the tensor, the field and the byte offset") {
  Bytes huge(16, 0);
  huge[3] = 0x10;  // 0x10000000 = 268435456
  Bytes beyond = st_bytes("{}");
  beyond[0] = 200;
  // {file, message after "m.safetensors: "}.
  const std::pair<Bytes, std::string> cases[] = {
      // The file layer.
      {Bytes{1, 2, 3}, "truncated: 3 bytes, shorter than the 8-byte header length that starts a safetensors file"},
      {huge, "the header length at byte 0 is 268435456 bytes, more than the 100000000 safetensors allows (not a "
             "safetensors file?)"},
      {beyond, "the header length at byte 0 says 200 bytes, but only 2 bytes follow it (the file is 10 bytes: "
               "truncated?)"},
      {st_bytes("[1]"), "the header at byte 8 does not start with '{' (not a safetensors file?)"},
      {st_bytes(""), "the header at byte 8 does not start with '{' (not a safetensors file?)"},

      // Entries.
      {st_bytes("{\"w\":[]}"),
       "tensor 'w' at byte 13 is an array, not an object with dtype, shape and data_offsets"},
      {st_bytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,0]}}"), "tensor 'w' (byte 13) has no 'shape'"},
      {st_bytes("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}", "abcd"), "tensor 'w' (byte 13) has no 'dtype'"},
      {st_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[]}}"), "tensor 'w' (byte 13) has no 'data_offsets'"},
      {st_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"strides\":[]}}", "abcd"),
       "tensor 'w' has an unexpected field 'strides' at byte 60 (expected dtype, shape, data_offsets)"},
      {st_bytes("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}"), "tensor 'w' has 'dtype' twice (byte 28)"},
      {st_bytes("{\"w\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}", "abcd"),
       "tensor 'w': 'dtype' at byte 22 is an integer, not a string"},
      {st_bytes("{\"w\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", "abcd"),
       "tensor 'w' has dtype I8 (byte 22), which htp cannot hold; supported: F32 F64 I64 I32 U8 BOOL F16 BF16"},
      {st_bytes("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", "abcd"),
       "tensor 'w' has dtype F8_E4M3 (byte 22), which htp cannot hold; supported: F32 F64 I64 I32 U8 BOOL F16 BF16"},
      {st_bytes("{\"w\":{\"dtype\":\"float32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "abcd"),
       "tensor 'w' has unknown dtype \"float32\" at byte 22; supported: F32 F64 I64 I32 U8 BOOL F16 BF16"},
      {one_f32("3", "[0,12]", 12), "tensor 'w': 'shape' at byte 36 is an integer, not an array of integers"},
      {one_f32("[3,-1]", "[0,12]", 12),
       "tensor 'w': 'shape' holds something other than a non-negative integer at byte 39"},
      {one_f32("[3,\"4\"]", "[0,12]", 12),
       "tensor 'w': 'shape' holds something other than a non-negative integer at byte 39"},
      {one_f32("[4294967296,4294967296]", "[0,12]", 12),
       "tensor 'w': shape [4294967296, 4294967296] at byte 36 is too large"},
      {one_f32("[3]", "[0]", 12),
       "tensor 'w': 'data_offsets' at byte 55 is not an array of two non-negative integers [BEGIN, END]"},
      {one_f32("[3]", "[0,-12]", 12),
       "tensor 'w': 'data_offsets' at byte 55 is not an array of two non-negative integers [BEGIN, END]"},
      {one_f32("[3]", "[12,0]", 12), "tensor 'w': data_offsets [12, 0] at byte 55 end before they begin"},
      {one_f32("[2,3]", "[0,20]", 20),
       "tensor 'w' is F32[2, 3] = 24 bytes, but its data_offsets [0, 20] at byte 57 span 20"},
      {st_bytes("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
                "ab"),
       "'w' appears twice in the header (bytes 9 and 61)"},

      // Metadata.
      {st_bytes("{\"__metadata__\":[]}"), "__metadata__ at byte 24 is an array, not an object of strings"},
      {st_bytes("{\"__metadata__\":{\"n\":1}}"),
       "__metadata__ entry 'n' at byte 29 is an integer; metadata values must be strings"},
      {st_bytes("{\"__metadata__\":{\"n\":\"1\",\"n\":\"2\"}}"), "__metadata__ entry 'n' appears twice (byte 33)"},
      {st_bytes("{\"__metadata__\":{},\"__metadata__\":{}}"),
       "'__metadata__' appears twice in the header (bytes 9 and 27)"},
  };
  for (const auto& [file, message] : cases) CHECK(parse_error(file) == "m.safetensors: " + message);
}

TEST_CASE("safetensors: the tensors must tile the data buffer: overlaps, holes, trailing bytes, truncation") {
  auto two = [](const std::string& a_offsets, const std::string& b_offsets, size_t data) {
    return st_bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + a_offsets +
                        "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + b_offsets + "}}",
                    std::string(data, '\0'));
  };
  // The header of two("[0,8]", "[8,16]", ...) is 108 bytes, so its data buffer starts at file byte 116; each extra
  // digit in the offsets moves it one byte further.
  CHECK(two("[0,8]", "[8,16]", 16).size() == 116 + 16);
  CHECK(parse(two("[8,16]", "[0,8]", 16)).size() == 2);
  CHECK(parse_error(two("[0,8]", "[4,12]", 12)) ==
        "m.safetensors: tensors 'a' (bytes 0..8) and 'b' (bytes 4..12) of the data buffer overlap");
  CHECK(parse_error(two("[0,8]", "[12,20]", 20)) ==
        "m.safetensors: bytes 8..12 of the data buffer (file bytes 125..129) belong to no tensor (between 'a' and 'b')");
  CHECK(parse_error(two("[4,12]", "[12,20]", 20)) ==
        "m.safetensors: bytes 0..4 of the data buffer (file bytes 118..122) belong to no tensor (before 'a')");
  CHECK(parse_error(two("[0,8]", "[8,16]", 20)) ==
        "m.safetensors: bytes 16..20 of the data buffer (file bytes 132..136) belong to no tensor (after 'b')");
  CHECK(parse_error(st_bytes("{}", "xy")) ==
        "m.safetensors: bytes 0..2 of the data buffer (file bytes 10..12) belong to no tensor (the header lists none)");

  // A truncated file: 'layer1.0.conv1.weight' is F32[256] at buffer bytes 1024..2048, the file stops 1500 bytes in.
  const std::string header = "{\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[256],\"data_offsets\":[0,1024]},"
                             "\"layer1.0.conv1.weight\":{\"dtype\":\"F32\",\"shape\":[256],\"data_offsets\":[1024,2048]}}";
  const Bytes truncated = st_bytes(header, std::string(1500, '\0'));
  CHECK(parse_error(truncated) ==
        "m.safetensors: tensor 'layer1.0.conv1.weight' needs bytes 1024..2048 of the data buffer, but the buffer ends "
        "at byte 1500 (the file is " +
            std::to_string(8 + header.size() + 1500) + " bytes: truncated?)");
  // Empty tensors may sit anywhere between others, but not inside one.
  CHECK(parse(st_bytes("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                       "\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[2,2]},"
                       "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}",
                       "abc"))
            .at("e")
            .shape() == Shape{0, 5});
  CHECK(parse_error(st_bytes("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                             "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[1,1]}}",
                             "ab")) ==
        "m.safetensors: tensors 'a' (bytes 0..2) and 'e' (bytes 1..1) of the data buffer overlap");
}

TEST_CASE("safetensors: file and writer errors name the path and the reason") {
  TempDir dir;
  const std::string missing = (dir.path / "missing.safetensors").string();
  CHECK_THROWS_WITH(load_safetensors(missing),
                    ("load_safetensors: cannot open '" + missing + "': No such file or directory").c_str());
  CHECK_THROWS_WITH(load_safetensors(dir.path.string()), doctest::Contains("is not a regular file"));
  const fs::path truncated = dir.path / "truncated.safetensors";
  Bytes b = encode_safetensors({{"w", zeros({4, 4})}});
  b.resize(b.size() - 10);
  write_file(truncated, b);
  CHECK_THROWS_WITH(load_safetensors(truncated.string()),
                    (truncated.string() + ": tensor 'w' needs bytes 0..64 of the data buffer, but the buffer ends at "
                                          "byte 54 (the file is " +
                     std::to_string(b.size()) + " bytes: truncated?)")
                        .c_str());
  write_file(truncated, Bytes{1, 2});
  CHECK_THROWS_WITH(load_safetensors(truncated.string()),
                    (truncated.string() + ": truncated: 2 bytes, shorter than the 8-byte header length that starts a "
                                          "safetensors file")
                        .c_str());

  const std::string no_dir = (dir.path / "no" / "such" / "dir.safetensors").string();
  CHECK_THROWS_WITH(save_safetensors(no_dir, {{"w", zeros({2})}}), doctest::Contains("No such file or directory"));
  CHECK_THROWS_WITH(save_safetensors(no_dir, {{"w", zeros({2})}}), doctest::Contains(no_dir.c_str()));
  CHECK_THROWS_WITH(encode_safetensors({{"__metadata__", zeros({2})}}),
                    "encode_safetensors: '__metadata__' is reserved and cannot name a tensor");
  CHECK_THROWS_WITH(encode_safetensors({{"bad\xff", zeros({2})}}),
                    "encode_safetensors: tensor name \"bad\xff\" is not valid UTF-8");
  CHECK_THROWS_WITH(encode_safetensors({}, {{"k", "\xc0\xaf"}}),
                    "encode_safetensors: metadata entry \"k\" is not valid UTF-8");
  CHECK_THROWS_WITH(save_safetensors((dir.path / "u.safetensors").string(), {{"w", Tensor()}}),
                    "save_safetensors: tensor 'w' is undefined");
  CHECK(!fs::exists(dir.path / "u.safetensors"));
}

TEST_CASE("safetensors: the fixture written by tools/safetensors_writer.py loads and re-encodes to the same bytes") {
  const fs::path path = fixtures() / "resnet18_w16.safetensors";
  Metadata meta;
  const StateDict w = load_safetensors(path.string(), &meta);
  CHECK(w.size() == 122);  // torchvision resnet18: 62 parameters, 60 batch-norm buffers
  CHECK(w.at("conv1.weight").shape() == Shape{16, 3, 7, 7});
  CHECK(w.at("layer1.0.conv1.weight").shape() == Shape{16, 16, 3, 3});
  CHECK(w.at("layer4.0.downsample.0.weight").shape() == Shape{128, 64, 1, 1});
  CHECK(w.at("fc.weight").shape() == Shape{10, 128});
  CHECK(w.at("bn1.num_batches_tracked").dtype() == DType::i64);
  CHECK(w.at("bn1.num_batches_tracked").item<int64_t>() == 7);
  CHECK(meta.at("generator") == "tools/make_fixtures.py");
  CHECK(meta.count("torch") == 1);
  std::ifstream f(path, std::ios::binary);
  CHECK(encode_safetensors(w, meta) == Bytes(std::istreambuf_iterator<char>(f), {}));
}

TEST_CASE("safetensors: torchvision's ResNet-18 at widths 16..128 from tests/fixtures reproduces PyTorch's outputs") {
  ResNetConfig config = resnet_config(18, 10);
  config.base_width = 16;  // tools/make_fixtures.py: widths 16, 32, 64, 128
  auto net = std::make_shared<ResNet>(config);
  load_into(*net, (fixtures() / "resnet18_w16.safetensors").string());
  net->eval();
  const Variable x(load_npy((fixtures() / "resnet18_w16_input.npy").string()));
  const Tensor logits_ref = load_npy((fixtures() / "resnet18_w16_logits.npy").string());
  const Tensor layer4_ref = load_npy((fixtures() / "resnet18_w16_layer4.npy").string());
  NoGradGuard no_grad;
  const Tensor logits = (*net)(x).data();
  CHECK(close(logits, logits_ref, 1e-4, 0) == "");
  // layer4 ends in a ReLU: exact zeros and small values, so the tolerance is relative to the largest value.
  const Tensor layer4 = net->forward_features(x).data();
  CHECK(close(layer4, layer4_ref, 1e-4, 1e-5 * 31.1) == "");

  // save → load into a fresh model → the same outputs, bit for bit.
  TempDir dir;
  const std::string path = (dir.path / "copy.safetensors").string();
  save_safetensors(path, net->state_dict());
  auto copy = std::make_shared<ResNet>(config);
  load_into(*copy, path);
  copy->eval();
  CHECK((*copy)(x).data().to_vector() == logits.to_vector());

  // A mismatch between the weights and the architecture names the file and the tensor.
  auto wide = std::make_shared<ResNet>(resnet_config(18, 10));
  CHECK_THROWS_WITH(load_into(*wide, path),
                    (path + ": load_state_dict: 'conv1.weight' has shape [16, 3, 7, 7] in the state dict but "
                            "[64, 3, 7, 7] in the model")
                        .c_str());
}

TEST_CASE("safetensors: load_into loads a module's state and names the file in errors") {
  struct Tiny : Module {
    Variable weight = register_parameter("weight", zeros({2, 3}));
    Variable count = register_buffer("count", zeros({}, DType::i64));
    std::string type_name() const override { return "Tiny"; }
    Variable forward(const Variable& x) override { return x; }
  };
  TempDir dir;
  const std::string path = (dir.path / "tiny.safetensors").string();
  const Tensor w = arange(0, 6, 1, DType::f64).view({2, 3});
  save_safetensors(path, {{"weight", w}, {"count", scalar_tensor(5, DType::i64)}});
  Tiny tiny;
  load_into(tiny, path);
  CHECK(tiny.weight.data().dtype() == DType::f32);  // converted to the parameter's dtype
  CHECK(tiny.weight.data().to_vector() == w.to_vector());
  CHECK(tiny.count.data().item<int64_t>() == 5);

  save_safetensors(path, {{"weight", zeros({3, 2})}, {"count", scalar_tensor(5, DType::i64)}});
  CHECK_THROWS_WITH(load_into(tiny, path), (path + ": load_state_dict: 'weight' has shape [3, 2] in the state dict but "
                                                   "[2, 3] in the model")
                                              .c_str());
  save_safetensors(path, {{"weight", zeros({2, 3})}, {"extra", zeros({1})}});
  CHECK_THROWS_WITH(load_into(tiny, path), doctest::Contains((path + ": load_state_dict: the state dict does not match").c_str()));
  CHECK_THROWS_WITH(load_into(tiny, path), doctest::Contains("Missing (1): count."));
  CHECK_THROWS_WITH(load_into(tiny, path), doctest::Contains("Unexpected (1): extra."));
  load_into(tiny, path, /*strict=*/false);  // the shared name loads, the rest is ignored
}

}  // TEST_SUITE("nn")

#ifdef HTP_WITH_CUDA
TEST_SUITE("cuda") {

TEST_CASE("safetensors: tensors on a GPU are copied to the host when saved" * htp::testing::needs_cuda()) {
  StateDict on_gpu;
  for (const auto& [name, t] : every_dtype()) on_gpu[name] = t.to(Device::cuda());
  TempDir dir;
  const std::string path = (dir.path / "gpu.safetensors").string();
  save_safetensors(path, on_gpu);
  CHECK(encode_safetensors(on_gpu) == encode_safetensors(every_dtype()));
  const StateDict back = load_safetensors(path, nullptr, HalfDTypes::keep);
  for (const auto& [name, t] : every_dtype()) {
    CAPTURE(name);
    CHECK(same(back.at(name), t));
  }
}

}  // TEST_SUITE("cuda")
#endif
