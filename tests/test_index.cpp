// Indexing, gathering and joining: kernels against plain loops (every dim, negative dims, non-contiguous views,
// empty and duplicate indices), gradchecks of the autograd functions, and error messages.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "autograd/functions/index.h"
#include "gradcheck.h"
#include "kernels/index.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using testing::check_approx;
using testing::contains;
using testing::error_of;
using testing::random_tensor;

namespace {

Tensor index_tensor(const std::vector<int64_t>& values, const Shape& shape) { return tensor(values, shape); }

// Random int64 indices in [0, bound).
Tensor random_index(const Shape& shape, int64_t bound, uint64_t seed) {
  std::vector<double> u = random_tensor(shape, DType::f64, seed, 0, 1).to_vector();
  std::vector<int64_t> v;
  for (double x : u) v.push_back(std::min<int64_t>(static_cast<int64_t>(x * bound), bound - 1));
  return index_tensor(v, shape);
}

using Pos = std::array<int64_t, 3>;

int64_t flat(const Shape& shape, const Pos& p) { return (p[0] * shape[1] + p[1]) * shape[2] + p[2]; }

// Calls fn(p) for every position of a 3-D shape in row-major order.
template <class F>
void for_each_pos(const Shape& shape, F&& fn) {
  for (int64_t i = 0; i < shape[0]; ++i)
    for (int64_t j = 0; j < shape[1]; ++j)
      for (int64_t k = 0; k < shape[2]; ++k) fn(Pos{i, j, k});
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("index_select along every dim, with duplicate, empty and negative-dim cases") {
    for (DType dt : {DType::f32, DType::f64, DType::i64, DType::boolean}) {
      Tensor x = random_tensor({3, 4, 5}, dt, 1, -5, 5);
      const std::vector<double> xv = x.to_vector();
      for (int64_t dim = -3; dim < 3; ++dim) {
        const int64_t d = dim < 0 ? dim + 3 : dim;
        CAPTURE(dim);
        Tensor idx = index_tensor({2, 0, 2, 1}, {4});
        Tensor out = kernels::index_select(x, dim, idx);
        Shape shape = x.shape();
        shape[d] = 4;
        REQUIRE(out.shape() == shape);
        std::vector<double> expected;
        const std::vector<int64_t> iv{2, 0, 2, 1};
        for_each_pos(shape, [&](Pos p) {
          p[d] = iv[p[d]];
          expected.push_back(xv[flat(x.shape(), p)]);
        });
        check_approx(out, expected);
        shape[d] = 0;
        CHECK(kernels::index_select(x, dim, index_tensor({}, {0})).shape() == shape);
      }
    }
    // Non-contiguous input.
    Tensor x = random_tensor({4, 3, 2}, DType::f64, 2, -5, 5).permute({2, 1, 0});  // [2, 3, 4]
    Tensor out = kernels::index_select(x, 2, index_tensor({3, 1}, {2}));
    check_approx(out.select(2, 0), x.select(2, 3).contiguous().to_vector());
    check_approx(out.select(2, 1), x.select(2, 1).contiguous().to_vector());
  }

  TEST_CASE("index_select_backward adds the gradient slices back, duplicates accumulating") {
    Tensor g = random_tensor({2, 3, 4}, DType::f64, 3, -5, 5);
    const std::vector<double> gv = g.to_vector();
    const std::vector<int64_t> iv{1, 1, 4};
    Tensor dx = kernels::index_select_backward(g, {2, 5, 4}, -2, index_tensor(iv, {3}));
    std::vector<double> expected(2 * 5 * 4, 0.0);
    for_each_pos(g.shape(), [&](Pos p) {
      Pos q = p;
      q[1] = iv[p[1]];
      expected[flat({2, 5, 4}, q)] += gv[flat(g.shape(), p)];
    });
    check_approx(dx, expected);
  }

  TEST_CASE("gather along every dim with an index smaller than the input") {
    Tensor x = random_tensor({3, 4, 5}, DType::f32, 4, -5, 5);
    const std::vector<double> xv = x.to_vector();
    for (int64_t d = 0; d < 3; ++d) {
      CAPTURE(d);
      Shape ishape{2, 3, 4};
      ishape[d] = 6;  // larger than x along dim is allowed
      Tensor idx = random_index(ishape, x.size(d), 10 + d);
      const std::vector<double> iv = idx.to_vector();
      std::vector<double> expected;
      for_each_pos(ishape, [&](Pos p) {
        const int64_t f = flat(ishape, p);
        p[d] = static_cast<int64_t>(iv[f]);
        expected.push_back(xv[flat(x.shape(), p)]);
      });
      check_approx(kernels::gather(x, d - 3, idx), expected);
      check_approx(kernels::gather(x.transpose(0, 2).contiguous().transpose(0, 2), d, idx), expected);  // strided x
    }
    CHECK(kernels::gather(x, 1, zeros({3, 0, 5}, DType::i64)).shape() == Shape{3, 0, 5});
  }

  TEST_CASE("scatter_add accumulates duplicates along every dim and leaves self unchanged") {
    for (DType dt : {DType::f64, DType::i64}) {
      Tensor self = random_tensor({3, 4, 5}, dt, 5, -5, 5);
      Tensor src = random_tensor({3, 4, 6}, dt, 6, -5, 5);
      const std::vector<double> self_v = self.to_vector(), src_v = src.to_vector();
      for (int64_t d = 0; d < 3; ++d) {
        CAPTURE(d);
        const Shape ishape{2, 3, 4};
        Tensor idx = random_index(ishape, self.size(d), 20 + d);  // 2-4 entries per target line: duplicates
        const std::vector<double> iv = idx.to_vector();
        std::vector<double> expected = self_v;
        for_each_pos(ishape, [&](Pos p) {
          Pos q = p;
          q[d] = static_cast<int64_t>(iv[flat(ishape, p)]);
          expected[flat(self.shape(), q)] += src_v[flat(src.shape(), p)];
        });
        check_approx(kernels::scatter_add(self, d, idx, src), expected);
        check_approx(self, self_v);
        // In place into a non-contiguous self.
        Tensor t = self.transpose(0, 1).contiguous().transpose(0, 1);
        const uint64_t version = t.version();
        kernels::scatter_add_(t, d, idx, src);
        check_approx(t, expected);
        CHECK(t.version() > version);
      }
    }
  }

  TEST_CASE("masked_fill broadcasts the mask") {
    Tensor x = random_tensor({2, 3, 4}, DType::f32, 7, -5, 5);
    const std::vector<double> xv = x.to_vector();
    const std::vector<bool> mv{true, false, false, true};
    for (const Shape& mshape : {Shape{4}, Shape{1, 1, 4}}) {
      Tensor out = kernels::masked_fill(x, tensor(mv, mshape), -7.5);
      std::vector<double> expected = xv;
      for (size_t i = 0; i < expected.size(); ++i)
        if (mv[i % 4]) expected[i] = -7.5;
      check_approx(out, expected);
    }
    Tensor full_mask =
        kernels::masked_fill(zeros({2, 3, 4}, DType::i64), tensor(std::vector<bool>(24, true), {2, 3, 4}), 3);
    for (double v : full_mask.to_vector()) CHECK(v == 3);
    Tensor xt = x.transpose(1, 2);  // [2, 4, 3], non-contiguous
    Tensor col = tensor(std::vector<bool>{false, true, false, false}, {4, 1});
    Tensor out = kernels::masked_fill(xt, col, 1.0);
    for (double v : out.select(1, 1).to_vector()) CHECK(v == 1.0);
    check_approx(out.select(1, 0), xt.select(1, 0).contiguous().to_vector());
    check_approx(x, xv);
  }

  TEST_CASE("cat joins different sizes along dim, including empty tensors") {
    Tensor a = random_tensor({2, 3, 2}, DType::f64, 8, -5, 5), b = random_tensor({2, 1, 2}, DType::f64, 9, -5, 5);
    Tensor e = zeros({2, 0, 2}, DType::f64);
    Tensor c = random_tensor({2, 2, 3}, DType::f64, 10, -5, 5).transpose(1, 2).narrow(1, 0, 2);  // [2, 2, 2] strided
    Tensor out = kernels::cat({a, e, b, c}, -2);
    REQUIRE(out.shape() == Shape{2, 6, 2});
    std::vector<Tensor> parts{a, b, c};
    const std::vector<int64_t> starts{0, 3, 4};
    for (size_t k = 0; k < parts.size(); ++k)
      check_approx(out.narrow(1, starts[k], parts[k].size(1)).contiguous(), parts[k].contiguous().to_vector());
    // Along dims 0 and 2, and of an integer dtype.
    Tensor i0 = tensor(std::vector<int64_t>{1, 2, 3, 4}, {2, 2}), i1 = tensor(std::vector<int64_t>{5, 6}, {1, 2});
    check_approx(kernels::cat({i0, i1}, 0), {1, 2, 3, 4, 5, 6});
    check_approx(kernels::cat({i0, i1.t()}, 1), {1, 2, 5, 3, 4, 6});
    CHECK(kernels::cat({e, e}, 1).shape() == Shape{2, 0, 2});
  }

  TEST_CASE("stack inserts a new dim") {
    Tensor a = tensor({1, 2, 3, 4, 5, 6}).view({2, 3}), b = tensor({7, 8, 9, 10, 11, 12}).view({2, 3});
    check_approx(kernels::stack({a, b}, 0), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    check_approx(kernels::stack({a, b}, 1), {1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12});
    Tensor s = kernels::stack({a, b}, -1);
    CHECK(s.shape() == Shape{2, 3, 2});
    check_approx(s, {1, 7, 2, 8, 3, 9, 4, 10, 5, 11, 6, 12});
  }

  TEST_CASE("split returns views of uneven sizes") {
    Tensor x = random_tensor({2, 7}, DType::f32, 11, -5, 5);
    std::vector<Tensor> parts = kernels::split(x, 3, 1);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].shape() == Shape{2, 3});
    CHECK(parts[2].shape() == Shape{2, 1});
    CHECK(parts[1].storage().data() == x.storage().data());  // a view, no copy
    check_approx(parts[2].contiguous(), x.narrow(1, 6, 1).contiguous().to_vector());
    check_approx(kernels::cat(parts, 1), x.to_vector());
    std::vector<Tensor> sized = kernels::split_with_sizes(x, {1, 0, 6}, -1);
    REQUIRE(sized.size() == 3);
    CHECK(sized[1].shape() == Shape{2, 0});
    check_approx(sized[2].contiguous(), x.narrow(1, 1, 6).contiguous().to_vector());
    CHECK(kernels::split(x, 5, 0).size() == 1);
  }

  TEST_CASE("one_hot gives int64 rows with a single one") {
    Tensor labels = tensor(std::vector<int64_t>{2, 0, 3, 2}, {2, 2});
    Tensor oh = kernels::one_hot(labels, 5);
    CHECK(oh.dtype() == DType::i64);
    REQUIRE(oh.shape() == Shape{2, 2, 5});
    const std::vector<double> v = oh.to_vector();
    const std::vector<int64_t> lv{2, 0, 3, 2};
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t c = 0; c < 5; ++c) CHECK(v[r * 5 + c] == (c == lv[r] ? 1 : 0));
    CHECK(kernels::one_hot(labels).shape() == Shape{2, 2, 4});
  }

  TEST_CASE("indexing kernels on inputs large enough to be split across threads") {
    Tensor x = random_tensor({300, 400}, DType::f32, 30, -5, 5);
    const std::vector<double> xv = x.to_vector();
    Tensor idx = random_index({300, 400}, 300, 31);
    const std::vector<double> iv = idx.to_vector();
    std::vector<double> gathered, scattered(xv.size(), 0.0);
    for (int64_t i = 0; i < 300; ++i)
      for (int64_t j = 0; j < 400; ++j) {
        const int64_t k = static_cast<int64_t>(iv[i * 400 + j]);
        gathered.push_back(xv[k * 400 + j]);
        scattered[k * 400 + j] += xv[i * 400 + j];
      }
    check_approx(kernels::gather(x, 0, idx), gathered);
    std::vector<double> sums = kernels::scatter_add(zeros({300, 400}), 0, idx, x).to_vector();
    for (size_t i = 0; i < sums.size(); ++i) CHECK(sums[i] == doctest::Approx(scattered[i]).epsilon(1e-5).scale(1.0));
    Tensor rows = random_index({500}, 300, 32);
    const std::vector<double> rv = rows.to_vector();
    std::vector<double> selected;
    for (double r : rv)
      for (int64_t j = 0; j < 400; ++j) selected.push_back(xv[static_cast<int64_t>(r) * 400 + j]);
    check_approx(kernels::index_select(x, 0, rows), selected);
    Tensor joined = kernels::cat({x, x.narrow(1, 0, 100)}, 1);
    check_approx(joined.narrow(1, 400, 100).contiguous(), x.narrow(1, 0, 100).contiguous().to_vector());
    check_approx(joined.narrow(1, 0, 400).contiguous(), xv);
  }

  TEST_CASE("indexing errors name the index, the dim and the sizes") {
    Tensor x = zeros({3, 4});
    std::string m = error_of([&] { kernels::index_select(x, 1, index_tensor({0, 4}, {2})); });
    CHECK(contains(m, "index_select: index 4 is out of bounds for dimension 1 with size 4"));
    m = error_of([&] { kernels::index_select(x, 0, index_tensor({-1}, {1})); });
    CHECK(contains(m, "index_select: index -1 is out of bounds for dimension 0 with size 3"));
    m = error_of([&] { kernels::gather(x, -1, index_tensor({0, 9}, {1, 2})); });
    CHECK(contains(m, "gather: index 9 is out of bounds for dimension 1 with size 4"));
    m = error_of([&] { kernels::gather(x, 1, zeros({4, 1}, DType::i64)); });
    CHECK(contains(
        m, "gather: the index int64[4, 1] on cpu is larger than the input float32[3, 4] on cpu in dimension 0"));
    m = error_of([&] { kernels::scatter_add(x, 0, index_tensor({3}, {1, 1}), ones({1, 1})); });
    CHECK(contains(m, "scatter_add: index 3 is out of bounds for dimension 0 with size 3"));
    m = error_of([&] { kernels::gather(x, 0, zeros({1, 1}, DType::i32)); });
    CHECK(contains(m, "gather: the index must be int64, got int32[1, 1] on cpu"));
    m = error_of([&] { kernels::cat({x, zeros({2, 5})}, 0); });
    CHECK(contains(
        m, "cat: tensor 1 has shape [2, 5] but tensor 0 has shape [3, 4]; sizes must match except in dimension 0"));
    m = error_of([&] { kernels::stack({x, zeros({4, 3})}, 0); });
    CHECK(contains(m, "stack: tensor 1 is float32[4, 3] on cpu but tensor 0 is float32[3, 4] on cpu"));
    m = error_of([&] { kernels::masked_fill(x, tensor(std::vector<bool>{true, false, true}, {3}), 0); });
    CHECK(contains(m, "masked_fill: shapes [3, 4] and [3] cannot be broadcast together"));
    m = error_of([&] { kernels::masked_fill(zeros({4}), tensor(std::vector<bool>(8, true), {2, 4}), 0); });
    CHECK(contains(m, "masked_fill: the mask bool[2, 4] on cpu cannot be broadcast to the input float32[4] on cpu"));
    m = error_of([&] { kernels::split_with_sizes(x, {1, 2}, 1); });
    CHECK(contains(m, "split_with_sizes: sizes [1, 2] sum to 3, but dimension 1 of float32[3, 4] on cpu has size 4"));
    m = error_of([&] { kernels::one_hot(index_tensor({1, 5}, {2}), 5); });
    CHECK(contains(m, "one_hot: label 5 is out of range for 5 classes"));
  }
}

TEST_SUITE("gradcheck") {
  TEST_CASE("index_select and gather gradcheck, duplicates included") {
    Tensor idx = index_tensor({2, 0, 2}, {3});
    for (int64_t d = 0; d < 3; ++d)
      CHECK_GRADCHECK([=](const variable_list& v) { return index_select(v[0], d, idx); },
                      {testing::leaf_f64({3, 3, 4}, 1)});
    Tensor gidx = random_index({2, 5, 3}, 4, 2);
    CHECK_GRADCHECK([=](const variable_list& v) { return gather(v[0], 1, gidx); }, {testing::leaf_f64({3, 4, 3}, 3)});
  }

  TEST_CASE("scatter_add gradcheck for self and src") {
    Tensor idx = random_index({2, 3}, 4, 4);
    CHECK_GRADCHECK([=](const variable_list& v) { return scatter_add(v[0], 1, idx, v[1]); },
                    {testing::leaf_f64({3, 4}, 5), testing::leaf_f64({2, 5}, 6)});  // src larger than the index
    Tensor rows = random_index({2, 3}, 3, 7);
    CHECK_GRADCHECK([=](const variable_list& v) { return scatter_add(v[0], 0, rows, v[1]); },
                    {testing::leaf_f64({3, 4}, 8), testing::leaf_f64({2, 3}, 9)});
  }

  TEST_CASE("masked_fill gradcheck") {
    Tensor mask = tensor(std::vector<bool>{true, false, false, true}, {4});
    CHECK_GRADCHECK([=](const variable_list& v) { return masked_fill(v[0], mask, 2.0); },
                    {testing::leaf_f64({3, 4}, 10)});
  }

  TEST_CASE("cat, stack and split gradcheck") {
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return cat({v[0], v[1], v[2]}, 1);
        },
        {testing::leaf_f64({2, 3}, 11), testing::leaf_f64({2, 1}, 12), testing::leaf_f64({2, 0}, 13)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return stack({v[0], v[1]}, 1);
        },
        {testing::leaf_f64({2, 3}, 14), testing::leaf_f64({2, 3}, 15)});
    // Parts reordered and one dropped: the dropped part's gradient is zero.
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          variable_list p = split(v[0], 2, 1);
          return cat({p[2], p[0]}, 1);
        },
        {testing::leaf_f64({3, 5}, 16)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          variable_list p = split_with_sizes(v[0], {1, 3}, 0);
          return cat({p[1], p[0]}, 0);
        },
        {testing::leaf_f64({4, 2}, 17)});
  }
}
