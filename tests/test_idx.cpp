// IDX reader: plain and gzipped files made here, and every error path.
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>

#include "data/idx.h"

using namespace htp;

namespace {

std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, uint8_t fill_from) {
  std::vector<uint8_t> b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  size_t n = 1;
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
    n *= d;
  }
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(fill_from + i));
  return b;
}

std::string write_file(const std::string& name, const std::vector<uint8_t>& bytes, bool gzip) {
  const std::string path = "/tmp/htp_test_" + name;
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  return path;
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("IDX images and labels, plain and gzipped") {
  for (bool gz : {false, true}) {
    Tensor images = data::load_idx(write_file(gz ? "img.gz" : "img", idx_bytes({2, 3, 4}, 10), gz));
    CHECK(images.shape() == Shape{2, 3, 4});
    CHECK(images.dtype() == DType::u8);
    CHECK(images.to_vector()[0] == 10);
    CHECK(images.to_vector()[23] == 33);
    Tensor labels = data::load_idx(write_file(gz ? "lab.gz" : "lab", idx_bytes({5}, 0), gz));
    CHECK(labels.to_vector() == std::vector<double>{0, 1, 2, 3, 4});
  }
}

TEST_CASE("IDX errors name the file and the fault") {
  CHECK_THROWS_WITH_AS(data::load_idx("/tmp/htp_no_such_file"), doctest::Contains("/tmp/htp_no_such_file: cannot open"), Error);
  std::vector<uint8_t> b = idx_bytes({2, 3}, 0);
  b.pop_back();
  CHECK_THROWS_WITH_AS(data::parse_idx(b, "x.idx"), doctest::Contains("x.idx: shape [2, 3] needs 6 bytes of data after the 12-byte header, found 5"), Error);
  CHECK_THROWS_WITH_AS(data::parse_idx({0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "f.idx"), doctest::Contains("0xd at byte 2"), Error);
  CHECK_THROWS_WITH_AS(data::parse_idx({0, 0, 8, 3, 0}, "h.idx"), doctest::Contains("3 dimensions need 16 bytes"), Error);
  CHECK_THROWS_WITH_AS(data::parse_idx({1, 2, 3, 4}, "m.idx"), doctest::Contains("not an IDX file"), Error);
  // A gzip stream cut in half.
  const std::string full = write_file("cut.gz", idx_bytes({64, 64}, 0), true);
  std::ifstream in(full, std::ios::binary);
  std::vector<uint8_t> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  raw.resize(raw.size() / 2);
  const std::string cut = write_file("cut_half.gz", raw, false);
  CHECK_THROWS_WITH_AS(data::load_idx(cut), doctest::Contains("corrupt or truncated gzip data"), Error);
}

}  // TEST_SUITE
