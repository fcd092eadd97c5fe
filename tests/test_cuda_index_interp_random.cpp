// The CUDA index and interpolate twins (kernels/cuda/{index,interpolate}.cu) and the device Philox fills
// (kernels/cuda/random.cu) against the CPU. Index and interpolate go through the public kernels, so the dispatch is
// covered too; both are bitwise equal to the CPU by construction (data movement, or sums in the CPU's order), so they
// are compared exactly. Random uniforms are bitwise equal to the CPU's stream; normals are compared with an ulp-level
// tolerance (CUDA's log / cos / sin against glibc's). Compiled in CUDA builds only; skipped without a device.
#ifdef HTP_WITH_CUDA
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cuda_test_util.h"
#include "kernels/index.h"
#include "kernels/interpolate.h"
#include "tensor/creation.h"
#include "tensor/random.h"

using namespace htp;
using htp::testing::check_close;
using htp::testing::check_equal;
using htp::testing::needs_cuda;
using htp::testing::Tolerance;
using htp::testing::uniform_cpu;

namespace {

Tensor on_cuda(const Tensor& t) { return t.to(Device::cuda()); }

// Integers in [lo, hi) as an int64 CPU tensor.
Tensor int_tensor(const Shape& shape, int64_t lo, int64_t hi, uint64_t seed) {
  return uniform_cpu(shape, DType::f64, seed, static_cast<double>(lo), static_cast<double>(hi)).to(DType::i64);
}

// Data of any dtype: uniform values for floats, small integers otherwise (bools from them).
Tensor sample(const Shape& shape, DType dt, uint64_t seed) {
  if (is_floating(dt)) return uniform_cpu(shape, DType::f32, seed).to(dt);
  if (dt == DType::boolean) return int_tensor(shape, 0, 2, seed).to(dt);
  return int_tensor(shape, 0, 100, seed).to(dt);
}

const std::vector<DType> kAllDTypes = {DType::f32, DType::f64, DType::i64, DType::i32,
                                       DType::u8,  DType::boolean, DType::f16, DType::bf16};
const std::vector<DType> kNumeric = {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8, DType::boolean};

}  // namespace

TEST_SUITE("cuda") {

// ---- index ---------------------------------------------------------------------------------------------------------

TEST_CASE("index_select and its backward (index_add_) against the CPU, duplicates included" * needs_cuda()) {
  for (DType dt : kAllDTypes) {
    const Tensor x = sample({5, 7, 3}, dt, 1);
    for (int64_t dim : {0, 1, 2, -1}) {
      const int64_t n = x.size(dim < 0 ? dim + 3 : dim);
      const Tensor index = int_tensor({11}, 0, n, 2 + static_cast<uint64_t>(dim + 1));  // duplicates likely
      const std::string name = std::string("index_select ") + dtype_name(dt) + " dim " + std::to_string(dim);
      check_equal(kernels::index_select(on_cuda(x), dim, on_cuda(index)), kernels::index_select(x, dim, index), name);
      if (dt == DType::f16 || dt == DType::bf16) continue;  // index_add_ is numeric-only, as on the CPU
      Shape gshape = x.shape();
      gshape[dim < 0 ? dim + 3 : dim] = 11;
      const Tensor g = sample(gshape, dt, 3);
      check_equal(kernels::index_select_backward(on_cuda(g), x.shape(), dim, on_cuda(index)),
                  kernels::index_select_backward(g, x.shape(), dim, index), name + " backward");
    }
  }
  // A long index with many duplicates into few rows (the embedding-gradient shape), and a transposed input.
  const Tensor index = int_tensor({3000}, 0, 7, 4);
  const Tensor g = uniform_cpu({3000, 33}, DType::f32, 5);
  check_equal(kernels::index_select_backward(on_cuda(g), {7, 33}, 0, on_cuda(index)),
              kernels::index_select_backward(g, {7, 33}, 0, index), "index_add_ many duplicates");
  const Tensor base = uniform_cpu({6, 9}, DType::f64, 6);
  const Tensor idx = tensor(std::vector<int64_t>{8, 0, 3, 3}, {4});
  check_equal(kernels::index_select(on_cuda(base).t(), 0, on_cuda(idx)), kernels::index_select(base.t(), 0, idx),
              "index_select transposed");
  // Empty index.
  const Tensor none = empty({0}, DType::i64);
  CHECK((kernels::index_select(on_cuda(base), 1, on_cuda(none)).shape() == Shape{6, 0}));
}

TEST_CASE("gather and scatter_add against the CPU: dims, strides, duplicates" * needs_cuda()) {
  for (DType dt : kAllDTypes) {
    const Tensor x = sample({4, 6, 5}, dt, 11);
    for (int64_t dim : {0, 1, 2}) {
      const Tensor index = int_tensor({3, 4, 5}, 0, x.size(dim), 12 + static_cast<uint64_t>(dim));
      const std::string name = std::string(dtype_name(dt)) + " dim " + std::to_string(dim);
      check_equal(kernels::gather(on_cuda(x), dim, on_cuda(index)), kernels::gather(x, dim, index), "gather " + name);
      const Tensor xt = x.permute({2, 0, 1}), xtd = on_cuda(x).permute({2, 0, 1});
      const Tensor it = int_tensor({4, 3, 6}, 0, xt.size(dim), 13 + static_cast<uint64_t>(dim));
      check_equal(kernels::gather(xtd, dim, on_cuda(it)), kernels::gather(xt, dim, it), "gather permuted " + name);
      if (dt == DType::f16 || dt == DType::bf16) continue;  // scatter_add is numeric-only, as on the CPU
      const Tensor self = sample({4, 6, 5}, dt, 14), src = sample({3, 5, 6}, dt, 15);
      check_equal(kernels::scatter_add(on_cuda(self), dim, on_cuda(index), on_cuda(src)),
                  kernels::scatter_add(self, dim, index, src), "scatter_add " + name);
      // In place into a strided view, from a transposed src.
      Tensor base = sample({4, 12, 5}, dt, 16), base_d = on_cuda(base);
      Tensor view = base.slice(1, 0, 12, 2), view_d = base_d.slice(1, 0, 12, 2);
      const Tensor srcb = sample({6, 5, 4}, dt, 17);
      kernels::scatter_add_(view, dim, index, srcb.permute({2, 0, 1}));
      kernels::scatter_add_(view_d, dim, on_cuda(index), on_cuda(srcb).permute({2, 0, 1}));
      check_equal(base_d, base, "scatter_add_ strided " + name);
    }
  }
  // Many duplicates along dim: every line adds 200 values into 3 slots, in the CPU's order.
  const Tensor self = zeros({3, 8}), src = uniform_cpu({200, 8}, DType::f32, 18);
  const Tensor index = int_tensor({200, 8}, 0, 3, 19);
  check_equal(kernels::scatter_add(on_cuda(self), 0, on_cuda(index), on_cuda(src)),
              kernels::scatter_add(self, 0, index, src), "scatter_add duplicates");
}

TEST_CASE("masked_fill, cat, stack and one_hot against the CPU" * needs_cuda()) {
  for (DType dt : kNumeric) {
    const Tensor x = sample({5, 6, 7}, dt, 21);
    const Tensor mask = int_tensor({6, 1}, 0, 2, 22).to(DType::boolean);
    check_equal(kernels::masked_fill(on_cuda(x), on_cuda(mask), 3.0), kernels::masked_fill(x, mask, 3.0),
                std::string("masked_fill broadcast ") + dtype_name(dt));
    const Tensor full_mask = int_tensor({7, 6, 5}, 0, 2, 23).to(DType::boolean);
    check_equal(kernels::masked_fill(on_cuda(x).permute({2, 1, 0}), on_cuda(full_mask), 7.0),
                kernels::masked_fill(x.permute({2, 1, 0}), full_mask, 7.0),
                std::string("masked_fill permuted ") + dtype_name(dt));
  }
  for (DType dt : kAllDTypes) {
    const Tensor a = sample({3, 2, 5}, dt, 24), b = sample({3, 4, 5}, dt, 25), c = sample({3, 0, 5}, dt, 26);
    for (int64_t dim : {1, -2}) {
      check_equal(kernels::cat({on_cuda(a), on_cuda(c), on_cuda(b).slice(1, 0, 4, 2)}, dim),
                  kernels::cat({a, c, b.slice(1, 0, 4, 2)}, dim),
                  std::string("cat dim ") + std::to_string(dim) + " " + dtype_name(dt));
    }
    check_equal(kernels::cat({on_cuda(a), on_cuda(a)}, 0), kernels::cat({a, a}, 0),
                std::string("cat dim 0 ") + dtype_name(dt));
    const Tensor p = sample({5, 2, 3}, dt, 28);  // permuted to [3, 2, 5]: a non-contiguous input
    check_equal(kernels::cat({on_cuda(a), on_cuda(p).permute({2, 1, 0})}, 2),
                kernels::cat({a, p.permute({2, 1, 0})}, 2), std::string("cat last dim ") + dtype_name(dt));
    check_equal(kernels::stack({on_cuda(a), on_cuda(a)}, 1), kernels::stack({a, a}, 1),
                std::string("stack ") + dtype_name(dt));
  }
  const Tensor labels = int_tensor({4, 7}, 0, 9, 27);
  check_equal(kernels::one_hot(on_cuda(labels), 9), kernels::one_hot(labels, 9), "one_hot");
  check_equal(kernels::one_hot(on_cuda(labels)), kernels::one_hot(labels), "one_hot inferred classes");
}

TEST_CASE("out-of-range indices and labels on the device are errors, as on the CPU" * needs_cuda()) {
  const Tensor x = on_cuda(uniform_cpu({4, 5}, DType::f32, 31));
  const Tensor bad = on_cuda(tensor(std::vector<int64_t>{0, 5}, {2}));
  CHECK_THROWS_WITH(kernels::index_select(x, 1, bad), doctest::Contains("index 5 is out of bounds for dimension 1"));
  CHECK_THROWS_WITH(kernels::index_select_backward(on_cuda(zeros({4, 2})), {4, 5}, 1, bad),
                    doctest::Contains("out of bounds"));
  const Tensor bad2 = on_cuda(tensor(std::vector<int64_t>{0, -1, 2, 3}, {2, 2}));
  CHECK_THROWS_WITH(kernels::gather(x, 0, bad2), doctest::Contains("index -1 is out of bounds"));
  CHECK_THROWS_WITH(kernels::scatter_add(x, 0, bad2, x), doctest::Contains("index -1 is out of bounds"));
  CHECK_THROWS_WITH(kernels::one_hot(on_cuda(tensor(std::vector<int64_t>{1, 4}, {2})), 3),
                    doctest::Contains("label 4 is out of range for 3 classes"));
}

// ---- interpolate ---------------------------------------------------------------------------------------------------

TEST_CASE("interpolate_bilinear forward and backward are bitwise equal to the CPU" * needs_cuda()) {
  struct Case {
    Shape shape;
    std::array<int64_t, 2> size;
  };
  const std::vector<Case> cases = {{{2, 3, 5, 7}, {11, 13}}, {{2, 3, 16, 16}, {7, 5}}, {{1, 2, 1, 1}, {4, 3}},
                                   {{1, 1, 6, 9}, {1, 1}},   {{2, 2, 9, 4}, {9, 4}},   {{1, 3, 3, 50}, {17, 123}}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Case& c : cases) {
      for (bool align : {false, true}) {
        const std::string name = std::string("interpolate_bilinear ") + dtype_name(dt) + " " + shape_str(c.shape) +
                                 (align ? " align_corners" : "");
        const Tensor x = uniform_cpu(c.shape, dt, 41);
        const Tensor want = kernels::interpolate_bilinear_forward(x, c.size, align);
        check_equal(kernels::interpolate_bilinear_forward(on_cuda(x), c.size, align), want, name + " forward");
        const Tensor gy = uniform_cpu(want.shape(), dt, 42);
        check_equal(kernels::interpolate_bilinear_backward(on_cuda(gy), c.shape, align),
                    kernels::interpolate_bilinear_backward(gy, c.shape, align), name + " backward");
      }
    }
  }
  const Tensor base = uniform_cpu({2, 8, 3, 6}, DType::f32, 43);
  check_equal(kernels::interpolate_bilinear_forward(on_cuda(base).permute({0, 2, 1, 3}), {5, 9}, false),
              kernels::interpolate_bilinear_forward(base.permute({0, 2, 1, 3}), {5, 9}, false),
              "interpolate_bilinear permuted input");
}

// ---- random --------------------------------------------------------------------------------------------------------

TEST_CASE("rand and uniform_ on the device are bitwise equal to the CPU stream" * needs_cuda()) {
  const std::vector<uint64_t> seeds = {0, 1, 123456789012345ull};
  const std::vector<uint64_t> offsets = {0, 5, (uint64_t{1} << 33) + 7};
  const std::vector<Shape> shapes = {{1}, {3}, {4}, {5}, {1027}, {317, 331}};
  for (DType dt : {DType::f32, DType::f64, DType::f16, DType::bf16}) {
    for (uint64_t seed : seeds) {
      for (uint64_t offset : offsets) {
        for (const Shape& shape : shapes) {
          const std::string name = std::string("rand ") + dtype_name(dt) + " seed " + std::to_string(seed) +
                                   " offset " + std::to_string(offset) + " " + shape_str(shape);
          Generator gc(seed), gd(seed);
          gc.set_offset(offset);
          gd.set_offset(offset);
          const Tensor want = rand(shape, dt, Device::cpu(), &gc);
          const Tensor got = rand(shape, dt, Device::cuda(), &gd);
          CHECK(got.device().is_cuda());
          check_equal(got, want, name);
          CHECK(gd.offset() == gc.offset());
        }
      }
    }
    // uniform_ into a non-contiguous device tensor, with a range.
    Generator gc(7), gd(7);
    Tensor host = zeros({9, 40}, dt), dev = zeros({9, 40}, dt, Device::cuda());
    uniform_(host.slice(1, 3, 40, 3), -2.0, 5.0, &gc);
    uniform_(dev.slice(1, 3, 40, 3), -2.0, 5.0, &gd);
    check_equal(dev, host, std::string("uniform_ strided ") + dtype_name(dt));
    const uint64_t version = dev.version();
    uniform_(dev, 0.5, 0.75, &gd);
    CHECK(dev.version() > version);
  }
}

TEST_CASE("randn and normal_ on the device match the CPU stream to an ulp" * needs_cuda()) {
  // Box–Muller in double with CUDA's log/sqrt/cos/sin (within 1-2 ulp of glibc's): float64 results agree to ~1e-15
  // relative; rounded to float32 / float16 / bfloat16 they are equal or one ulp of that type apart.
  auto tolerance = [](DType dt) -> Tolerance {
    switch (dt) {
      case DType::f64: return {1e-14, 1e-15};
      case DType::f32: return {3e-7, 1e-12};
      case DType::f16: return {1e-3, 1e-7};
      default: return {8e-3, 1e-7};
    }
  };
  for (DType dt : {DType::f32, DType::f64, DType::f16, DType::bf16}) {
    for (uint64_t seed : {uint64_t{0}, uint64_t{99}}) {
      for (const Shape& shape : {Shape{1}, Shape{3}, Shape{6}, Shape{1001}, Shape{64, 257}}) {
        const std::string name = std::string("randn ") + dtype_name(dt) + " seed " + std::to_string(seed) + " " +
                                 shape_str(shape);
        Generator gc(seed), gd(seed);
        check_close(randn(shape, dt, Device::cuda(), &gd), randn(shape, dt, Device::cpu(), &gc), tolerance(dt), name);
      }
    }
    Generator gc(3), gd(3);
    gc.set_offset(41);
    gd.set_offset(41);
    Tensor host = zeros({12, 30}, dt), dev = zeros({12, 30}, dt, Device::cuda());
    normal_(host.t(), 1.5, 0.25, &gc);
    normal_(dev.t(), 1.5, 0.25, &gd);
    check_close(dev, host, tolerance(dt), std::string("normal_ transposed ") + dtype_name(dt));
    CHECK(gd.offset() == gc.offset());
  }
}

}  // TEST_SUITE
#endif  // HTP_WITH_CUDA
