// Tensor basics: creation functions, metadata, copies and versions, item/to_vector, printing, devices.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/creation.h"
#include "tensor/device_backend.h"

using namespace htp;

namespace {

const std::vector<DType> kAllDTypes = {DType::f32, DType::f64, DType::i64, DType::i32,
                                       DType::u8,  DType::boolean, DType::f16, DType::bf16};

// No CUDA backend registered: the build these error checks are for.
bool cpu_only_build() {
  try {
    device_backend(DeviceType::CUDA);
    return false;
  } catch (const Error&) {
    return true;
  }
}

}  // namespace

TEST_SUITE("tensor") {

TEST_CASE("creation: zeros, ones, full, empty, scalar_tensor and the *_like functions") {
  for (DType dt : kAllDTypes) {
    CAPTURE(dtype_name(dt));
    const Tensor z = zeros({2, 3}, dt);
    CHECK(z.shape() == Shape{2, 3});
    CHECK(z.strides() == Strides{3, 1});
    CHECK(z.dtype() == dt);
    CHECK(z.device() == Device::cpu());
    CHECK(z.is_contiguous());
    CHECK(z.offset() == 0);
    CHECK(z.numel() == 6);
    CHECK(z.element_size() == dtype_size(dt));
    CHECK(z.storage().nbytes() == 6 * dtype_size(dt));
    CHECK(z.to_vector() == std::vector<double>(6, 0.0));
    CHECK(ones({4}, dt).to_vector() == std::vector<double>(4, 1.0));
    CHECK(full({2, 2}, 7, dt).to_vector() == std::vector<double>(4, dt == DType::boolean ? 1.0 : 7.0));
    const Tensor like = full_like(z, 2);
    CHECK(like.shape() == z.shape());
    CHECK(like.dtype() == dt);
    CHECK(!like.storage().is_same(z.storage()));
    CHECK(zeros_like(like).to_vector() == std::vector<double>(6, 0.0));
    CHECK(ones_like(like).to_vector() == std::vector<double>(6, 1.0));
    CHECK(empty_like(like).shape() == Shape{2, 3});
  }
  CHECK(full({3}, -2.5, DType::f64).to_vector() == std::vector<double>(3, -2.5));
  const Tensor s = scalar_tensor(4.5, DType::f64);
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.shape().empty());
  CHECK(s.item<double>() == 4.5);
  const Tensor e = empty({2, 0, 3});
  CHECK(e.numel() == 0);
  CHECK(e.is_contiguous());
  CHECK(e.to_vector().empty());
  CHECK_THROWS_WITH(empty({2, -1}), "empty: negative size in shape [2, -1]");
  CHECK_THROWS_WITH(zeros({-3}), "empty: negative size in shape [-3]");
}

TEST_CASE("creation: arange") {
  CHECK(arange(0, 5).to_vector() == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(arange(0, 5).dtype() == DType::f32);
  const Tensor i = arange(5);
  CHECK(i.dtype() == DType::i64);
  CHECK(i.to_vector() == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(arange(5, 0, -1).to_vector() == std::vector<double>{5, 4, 3, 2, 1});
  CHECK(arange(-3, 3, 2, DType::i32).to_vector() == std::vector<double>{-3, -1, 1});
  CHECK(arange(0, 1, 0.25, DType::f64).to_vector() == std::vector<double>{0, 0.25, 0.5, 0.75});
  const std::vector<double> down = arange(1, 0, -0.3, DType::f64).to_vector();
  REQUIRE(down.size() == 4);  // ceil(1 / 0.3)
  CHECK(down[3] == doctest::Approx(0.1));
  CHECK(arange(0, 1, 0.1).numel() == 10);
  CHECK(arange(0, 10, 3).to_vector() == std::vector<double>{0, 3, 6, 9});
  CHECK(arange(3, 3).numel() == 0);
  CHECK(arange(0).numel() == 0);
  CHECK_THROWS_WITH(arange(0, 5, 0), "arange: step must be nonzero");
  CHECK_THROWS_WITH(arange(0, 5, -1), doctest::Contains("goes the wrong way for step -1"));
}

TEST_CASE("creation: linspace") {
  CHECK(linspace(0, 1, 5, DType::f64).to_vector() == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(linspace(3, 10, 2).to_vector() == std::vector<double>{3, 10});
  CHECK(linspace(3, 10, 0).numel() == 0);
  CHECK(linspace(1, -1, 3, DType::f64).to_vector() == std::vector<double>{1, 0, -1});
  const std::vector<double> v = linspace(0, 0.3, 7, DType::f64).to_vector();
  CHECK(v.front() == 0.0);
  CHECK(v.back() == 0.3);  // the end point is exact
  CHECK(v[3] == doctest::Approx(0.15));
  CHECK_THROWS_WITH(linspace(0, 1, -1), "linspace: steps must be non-negative, got -1");
}

// numpy.linspace(3, 10, 1) and torch.linspace(3, 10, 1) both give [3.]: a single point is the start.
TEST_CASE("creation: linspace with one step gives the start point") {
  CHECK(linspace(3, 10, 1).to_vector() == std::vector<double>{3});
}

TEST_CASE("creation: eye") {
  CHECK(eye(3).to_vector() == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Tensor wide = eye(2, 3, DType::i64);
  CHECK(wide.shape() == Shape{2, 3});
  CHECK(wide.dtype() == DType::i64);
  CHECK(wide.to_vector() == std::vector<double>{1, 0, 0, 0, 1, 0});
  CHECK(eye(3, 2).to_vector() == std::vector<double>{1, 0, 0, 1, 0, 0});
  CHECK(eye(1).to_vector() == std::vector<double>{1});
  CHECK(eye(0).shape() == Shape{0, 0});
  CHECK_THROWS_WITH(eye(-1), "eye: sizes must be non-negative, got n = -1, m = -1");
}

TEST_CASE("creation: from_buffer and tensor()") {
  std::vector<int32_t> buf = {1, 2, 3, 4, 5, 6};
  const Tensor t = from_buffer(buf.data(), {3, 2}, DType::i32);
  buf[0] = 100;  // the tensor holds a copy
  CHECK(t.shape() == Shape{3, 2});
  CHECK(t.to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(from_buffer(nullptr, {0, 4}, DType::f32).numel() == 0);
  CHECK_THROWS_WITH(from_buffer(nullptr, {2}, DType::f32), "from_buffer: null data for shape [2]");

  const Tensor f = tensor({1.5f, -2.f, 3.f});
  CHECK(f.dtype() == DType::f32);
  CHECK(f.shape() == Shape{3});
  CHECK(f.to_vector() == std::vector<double>{1.5, -2, 3});
  const Tensor d = tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(d.dtype() == DType::f64);
  CHECK(d.shape() == Shape{2, 3});
  const Tensor b = tensor(std::vector<bool>{true, false, true}, {3});
  CHECK(b.dtype() == DType::boolean);
  CHECK(b.to_vector() == std::vector<double>{1, 0, 1});
  CHECK(tensor(std::vector<int64_t>{7}, {}).item<int64_t>() == 7);
  CHECK_THROWS_WITH(tensor(std::vector<float>{1, 2, 3, 4, 5}, {2, 3}), "tensor: 5 values do not fill shape [2, 3]");
}

TEST_CASE("metadata: sizes, strides, describe, data<T>, undefined tensors") {
  const Tensor t = zeros({2, 3, 4});
  CHECK(t.dim() == 3);
  CHECK(t.size(-1) == 4);
  CHECK(t.size(0) == 2);
  CHECK(t.stride(0) == 12);
  CHECK(t.stride(-2) == 4);
  CHECK_THROWS_WITH(t.size(3), "size: dimension 3 is out of range for a tensor of rank 3 (expected -3 to 2)");
  CHECK_THROWS_WITH(t.stride(-4), "stride: dimension -4 is out of range for a tensor of rank 3 (expected -3 to 2)");
  CHECK(t.describe() == "float32[2, 3, 4] on cpu");
  CHECK(zeros({}, DType::u8).describe() == "uint8[] on cpu");
  CHECK(t.data<float>() == t.raw_data());
  CHECK_THROWS_WITH(t.data<double>(), "data<T>(): the tensor is float32[2, 3, 4] on cpu, not float64");

  const Tensor u;
  CHECK(!u.defined());
  CHECK(u.describe() == "undefined tensor");
  CHECK(u.str() == "tensor(undefined)");
  CHECK(u.version() == 0);
  CHECK_THROWS_WITH(u.raw_data(), "data access on an undefined tensor");
  CHECK_THROWS_WITH(u.data<float>(), "data<T>(): the tensor is undefined");

  CHECK_THROWS_WITH(Tensor(Storage(16, Device::cpu()), {2, 2}, {2}, 0, DType::f32),
                    "Tensor: shape [2, 2] and strides [2] differ in rank");
  CHECK_THROWS_WITH(Tensor(Storage(16, Device::cpu()), {2, -2}, {2, 1}, 0, DType::f32),
                    "Tensor: negative size in shape [2, -2]");
}

TEST_CASE("copies: contiguous, clone, copy_ with broadcasting and conversion, fill_, versions") {
  const Tensor a = arange(0, 6, 1).view({2, 3});
  CHECK(a.contiguous().storage().is_same(a.storage()));
  const Tensor at = a.t();
  CHECK(!at.is_contiguous());
  const Tensor c = at.contiguous();
  CHECK(c.is_contiguous());
  CHECK(!c.storage().is_same(a.storage()));
  CHECK(c.strides() == Strides{2, 1});
  CHECK(c.to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});

  Tensor cl = a.clone();
  CHECK(!cl.storage().is_same(a.storage()));
  cl.fill_(9);
  CHECK(a.to_vector() == std::vector<double>{0, 1, 2, 3, 4, 5});

  Tensor dst = zeros({2, 3}, DType::f64);
  const uint64_t v0 = dst.version();
  dst.copy_(tensor({1.f, 2.f, 3.f}));  // broadcast over rows, float32 -> float64
  CHECK(dst.to_vector() == std::vector<double>{1, 2, 3, 1, 2, 3});
  CHECK(dst.version() == v0 + 1);
  dst.copy_(tensor(std::vector<int64_t>{5, 6}, {2, 1}));
  CHECK(dst.to_vector() == std::vector<double>{5, 5, 5, 6, 6, 6});
  CHECK(dst.version() == v0 + 2);
  dst.fill_(0.5);
  CHECK(dst.version() == v0 + 3);
  dst.zero_();
  CHECK(dst.version() == v0 + 4);
  CHECK(dst.to_vector() == std::vector<double>(6, 0.0));
  dst.bump_version();
  CHECK(dst.version() == v0 + 5);

  // A view shares the version counter of its storage.
  Tensor row = dst.select(0, 1);
  row.fill_(1);
  CHECK(dst.version() == v0 + 6);
  CHECK(dst.to_vector() == std::vector<double>{0, 0, 0, 1, 1, 1});

  // Copying into a strided view writes only its elements.
  Tensor base = zeros({3, 3});
  base.t().select(0, 0).copy_(tensor({7.f, 8.f, 9.f}));  // the first column of base
  CHECK(base.to_vector() == std::vector<double>{7, 0, 0, 8, 0, 0, 9, 0, 0});

  Tensor empty_dst = zeros({0, 3});
  const uint64_t ve = empty_dst.version();
  empty_dst.copy_(tensor({1.f, 2.f, 3.f}));
  empty_dst.fill_(1);
  CHECK(empty_dst.version() == ve + 2);

  CHECK_THROWS_WITH(dst.copy_(zeros({4})), doctest::Contains("expand: cannot expand float32[4] on cpu to [2, 3]"));
  CHECK_THROWS_WITH(dst.copy_(Tensor()), "copy_: undefined tensor");
  Tensor undefined;
  CHECK_THROWS_WITH(undefined.fill_(1), "fill_: undefined tensor");
}

// copy_ from a source that overlaps the destination must not read elements it has already overwritten
// (PyTorch either copies correctly or refuses partial overlap with an error).
TEST_CASE("copies: copy_ from an overlapping view of the destination") {
  Tensor a = arange(0, 9, 1).view({3, 3});
  bool threw = false;
  try {
    a.copy_(a.t());
  } catch (const Error&) {
    threw = true;
  }
  if (!threw) CHECK(a.to_vector() == std::vector<double>{0, 3, 6, 1, 4, 7, 2, 5, 8});
}

TEST_CASE("item and to_vector") {
  CHECK(scalar_tensor(2.5).item<float>() == 2.5f);
  CHECK(scalar_tensor(2.5).item<double>() == 2.5);
  CHECK(scalar_tensor(-2.5).item<int64_t>() == -2);
  CHECK(scalar_tensor(2.5).item<int32_t>() == 2);
  CHECK(scalar_tensor(200, DType::u8).item<uint8_t>() == 200);
  CHECK(scalar_tensor(0.25).item<bool>());
  CHECK(!scalar_tensor(0, DType::boolean).item<bool>());
  CHECK(scalar_tensor(1.5, DType::f16).item<double>() == 1.5);
  CHECK(scalar_tensor(3, DType::bf16).item<float>() == 3.f);
  CHECK(full({1, 1, 1}, 4).item<float>() == 4.f);
  const Tensor m = arange(0, 6, 1).view({2, 3});
  CHECK(m.select(0, 1).select(0, 2).item<float>() == 5.f);  // a view with an offset
  CHECK_THROWS_WITH(m.item<float>(), "item(): the tensor is float32[2, 3] on cpu, not a single element");
  CHECK_THROWS_WITH(zeros({0}).item<float>(), "item(): the tensor is float32[0] on cpu, not a single element");
  CHECK(m.t().to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});
  CHECK(arange(4, DType::u8).to_vector() == std::vector<double>{0, 1, 2, 3});
}

TEST_CASE("printing: shape, dtype, device and values; large tensors are summarised") {
  // The format documented in tensor/print.cpp.
  CHECK(arange(1, 7, 1).view({2, 3}).str() == "tensor(float32[2, 3] on cpu) [[1, 2, 3], [4, 5, 6]]");
  CHECK(scalar_tensor(2.5).str() == "tensor(float32[] on cpu) 2.5");
  CHECK(arange(3).str() == "tensor(int64[3] on cpu) [0, 1, 2]");
  CHECK(tensor(std::vector<bool>{true, false}, {2}).str() == "tensor(bool[2] on cpu) [true, false]");
  CHECK(zeros({0}).str() == "tensor(float32[0] on cpu) []");
  CHECK(tensor({0.1f}).str().find("0.1") != std::string::npos);
  const std::string big = arange(1000).str();
  CHECK(big == "tensor(int64[1000] on cpu) [0, 1, 2, ..., 997, 998, 999]");
  const std::string grid = zeros({100, 100}, DType::f16).str();
  CHECK(grid.rfind("tensor(float16[100, 100] on cpu) [[0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0]", 0) == 0);
  CHECK(grid.find("..., [0, 0, 0, ...") != std::string::npos);  // rows are elided too
  CHECK(grid.size() < 400);
  const std::string small = arange(64).str();  // at the threshold: printed in full
  CHECK(small.find("...") == std::string::npos);
  CHECK(small.find(", 63]") != std::string::npos);
  std::ostringstream os;
  os << arange(2);
  CHECK(os.str() == arange(2).str());
}

// int64 values are printed exactly, not through a double (which rounds above 2^53 and overflows at INT64_MAX).
TEST_CASE("printing: int64 values beyond 2^53") {
  const Tensor t = tensor(std::vector<int64_t>{INT64_MAX, (int64_t(1) << 53) + 1}, {2});
  CHECK(t.str() == "tensor(int64[2] on cpu) [9223372036854775807, 9007199254740993]");
}

TEST_CASE("devices: parse, str, and a clear error for CUDA in a CPU-only build") {
  CHECK(Device::parse("cpu") == Device::cpu());
  CHECK(Device::parse("cuda") == Device::cuda(0));
  CHECK(Device::parse("cuda:3") == Device::cuda(3));
  CHECK(Device::cuda(2).str() == "cuda:2");
  CHECK(Device::cpu().str() == "cpu");
  CHECK(Device::cuda().is_cuda());
  CHECK(!Device::cuda().is_cpu());
  for (const char* bad : {"gpu", "CPU", "cuda:", "cuda:x", "cuda:-1", "cuda:1x", ""})
    CHECK_THROWS_WITH(Device::parse(bad),
                      (std::string("unknown device '") + bad + "': expected cpu, cuda or cuda:N").c_str());
  const Tensor t = zeros({2});
  CHECK(t.to(Device::cpu()).storage().is_same(t.storage()));

  if (cpu_only_build()) {
    CHECK_THROWS_WITH(zeros({2}).to(Device::cuda()), doctest::Contains("device cuda:0 is not available"));
    CHECK_THROWS_WITH(zeros({2}, DType::f32, Device::cuda(1)), doctest::Contains("device cuda:1 is not available"));
    CHECK_THROWS_WITH(device_backend(DeviceType::CUDA), doctest::Contains("no backend for device type cuda"));
  } else {  // a round trip through the GPU keeps every dtype's values
    for (DType dt : kAllDTypes) {
      const Tensor h = arange(0, 10, 1, dt).view({2, 5}).t();
      const Tensor g = h.to(Device::cuda());
      CHECK(g.device() == Device::cuda());
      CHECK(g.to(Device::cpu()).to_vector() == h.to_vector());
    }
  }
}

// Only "cuda:" followed by decimal digits names a device; stoi's leading spaces and signs are not part of it.
TEST_CASE("devices: parse rejects signs and spaces in the index") {
  CHECK_THROWS_AS(Device::parse("cuda: 1"), Error);
  CHECK_THROWS_AS(Device::parse("cuda:+1"), Error);
}

}  // TEST_SUITE

TEST_SUITE("tensor") {

TEST_CASE("regressions: rank-0 dimension access, size overflow, out-of-range conversions") {
  Tensor s = scalar_tensor(1.0);
  CHECK_THROWS_WITH_AS(s.size(0), doctest::Contains("is a scalar (rank 0) and has no dimension 0"), Error);
  CHECK_THROWS_WITH_AS(s.select(0, 0), doctest::Contains("rank 0"), Error);
  CHECK_THROWS_WITH_AS(s.transpose(0, 0), doctest::Contains("rank 0"), Error);
  CHECK_THROWS_WITH_AS(empty({int64_t(1) << 62, 4}), doctest::Contains("more than 2^63"), Error);
  CHECK_THROWS_WITH_AS(eye(2, -5), doctest::Contains("m = -5"), Error);
  CHECK_THROWS_WITH_AS(full({2}, 300, DType::u8), doctest::Contains("cannot be converted to uint8"), Error);
  // Float-to-integer conversion saturates (C++ leaves out-of-range conversion undefined); NaN becomes 0.
  Tensor f = tensor(std::vector<float>{1e10f, -1e10f, std::nanf(""), 2.7f}, {4});
  CHECK(f.to(DType::i32).to_vector() == std::vector<double>{2147483647.0, -2147483648.0, 0.0, 2.0});
  CHECK(f.to(DType::u8).to_vector() == std::vector<double>{255.0, 0.0, 0.0, 2.0});
  CHECK_THROWS_WITH_AS(Tensor(arange(4)).unsqueeze(3), doctest::Contains("rank 1 (expected -2 to 1)"), Error);
}

}  // TEST_SUITE
