// View operations: shapes, strides and offsets, the elements they address (read back through raw strides, not through
// the view code), shared storage, and every error message.
#include <doctest/doctest.h>

#include <vector>

#include "tensor/creation.h"

using namespace htp;

namespace {

// Element `idx` of a float32 tensor, addressed from its strides and offset alone.
float at(const Tensor& t, const std::vector<int64_t>& idx) {
  REQUIRE(static_cast<int64_t>(idx.size()) == t.dim());
  int64_t off = 0;
  for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides()[d];
  return static_cast<const float*>(t.raw_data())[off];
}

// 0, 1, …, n-1 as float32 in `shape`.
Tensor iota(const Shape& shape) { return arange(0, static_cast<double>(shape_numel(shape)), 1).view(shape); }

}  // namespace

TEST_SUITE("tensor") {

TEST_CASE("view: -1 inference, shared storage, and the errors") {
  const Tensor x = iota({2, 3, 4});
  const Tensor v = x.view({4, -1});
  CHECK(v.shape() == Shape{4, 6});
  CHECK(v.strides() == Strides{6, 1});
  CHECK(v.storage().is_same(x.storage()));
  CHECK(x.view({-1}).shape() == Shape{24});
  CHECK(x.view({2, 1, 12, 1}).strides() == Strides{12, 12, 1, 1});
  CHECK(x.view({24}).to_vector() == x.to_vector());
  CHECK(iota({1}).view({}).dim() == 0);
  CHECK(scalar_tensor(3).view({1, 1}).shape() == Shape{1, 1});
  CHECK(zeros({0, 4}).view({2, 0, 2}).shape() == Shape{2, 0, 2});
  CHECK_THROWS_WITH(zeros({0, 4}).view({2, 0, -1}), "view: cannot infer -1 in [2, 0, -1] for 0 elements (from [0, 4])");

  // Views of views that are not contiguous but whose merged dimensions still are.
  const Tensor rows = iota({4, 6}).narrow(0, 1, 2);  // rows 1 and 2: contiguous in memory
  CHECK(rows.view({12}).to_vector() == std::vector<double>{6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17});
  const Tensor cols = iota({4, 6}).narrow(1, 0, 4);  // stride 6 between rows of 4
  const Tensor split = cols.view({4, 2, 2});
  CHECK(split.strides() == Strides{6, 2, 1});
  CHECK(at(split, {3, 1, 0}) == 20.f);
  const Tensor tr = iota({2, 3, 4}).permute({1, 0, 2});  // [3, 2, 4]; the last dim stays contiguous
  const Tensor tv = tr.view({3, 2, 2, 2});
  CHECK(tv.storage().is_same(tr.storage()));
  CHECK(tv.to_vector() == tr.contiguous().to_vector());

  CHECK_THROWS_WITH(x.view({5, -1}), "view: cannot infer -1 in [5, -1] for 24 elements (from [2, 3, 4])");
  CHECK_THROWS_WITH(x.view({-1, -1}), "view: only one dimension can be -1 in [-1, -1]");
  CHECK_THROWS_WITH(x.view({5, 5}), "view: shape [5, 5] has 25 elements but the tensor [2, 3, 4] has 24");
  CHECK_THROWS_WITH(x.view({2, -2}), "view: invalid size -2 in [2, -2]");
  CHECK_THROWS_WITH(x.transpose(0, 2).view({24}),
                    "view: a float32[4, 3, 2] on cpu with strides [1, 4, 12] cannot be viewed as [24] without a copy; "
                    "use reshape() or contiguous()");
  CHECK_THROWS_WITH(cols.view({16}), doctest::Contains("without a copy"));
}

TEST_CASE("view of strided tensors: whenever it succeeds it keeps the row-major element order") {
  const Tensor x = iota({4, 6, 2});
  const std::vector<Tensor> sources = {x,
                                       x.transpose(0, 1),
                                       x.narrow(1, 1, 4),
                                       x.narrow(0, 1, 2),
                                       x.slice(1, 0, 6, 2),
                                       x.permute({2, 0, 1}),
                                       x.select(2, 1),
                                       x.unsqueeze(1).narrow(2, 0, 3),
                                       x.slice(0, 0, 4, 2).transpose(1, 2)};
  const std::vector<Shape> targets = {{-1}, {2, -1}, {-1, 2}, {3, -1}, {-1, 4}, {2, 2, -1}, {1, -1, 1}, {-1, 2, 1}};
  int views = 0;
  for (const Tensor& t : sources) {
    for (const Shape& target : targets) {
      if (t.numel() % -shape_numel(target) != 0) continue;  // the -1 could not be inferred
      Tensor v;
      try {
        v = t.view(target);
      } catch (const Error&) {
        CHECK(!t.is_contiguous());  // a contiguous tensor can always be viewed
        continue;
      }
      ++views;
      CHECK(v.storage().is_same(t.storage()));
      CHECK(v.to_vector() == t.contiguous().to_vector());
    }
  }
  CHECK(views > 30);
}

TEST_CASE("reshape: a view when possible, else a copy; flatten") {
  const Tensor x = iota({2, 3});
  const Tensor r = x.reshape({3, 2});
  CHECK(r.storage().is_same(x.storage()));
  const Tensor t = x.t();
  const Tensor c = t.reshape({6});
  CHECK(!c.storage().is_same(x.storage()));
  CHECK(c.to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});
  CHECK(t.reshape({-1, 1}).shape() == Shape{6, 1});
  CHECK_THROWS_WITH(t.reshape({4}), "reshape: shape [4] has 4 elements but the tensor [3, 2] has 6");

  const Tensor y = iota({2, 3, 4});
  CHECK(y.flatten().shape() == Shape{24});
  CHECK(y.flatten(1).shape() == Shape{2, 12});
  CHECK(y.flatten(0, 1).shape() == Shape{6, 4});
  CHECK(y.flatten(-2, -1).shape() == Shape{2, 12});
  CHECK(y.flatten(1, 1).shape() == Shape{2, 3, 4});
  CHECK(y.flatten().storage().is_same(y.storage()));
  CHECK(y.transpose(0, 2).flatten().to_vector() == y.transpose(0, 2).contiguous().to_vector());
  CHECK(scalar_tensor(5).flatten().shape() == Shape{1});
  CHECK_THROWS_WITH(y.flatten(2, 1), "flatten: start_dim 2 is after end_dim 1");
  CHECK_THROWS_WITH(y.flatten(3), doctest::Contains("flatten: dimension 3 is out of range"));
}

TEST_CASE("permute, transpose, t") {
  const Tensor x = iota({2, 3, 4});
  const Tensor p = x.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.strides() == Strides{1, 12, 4});
  CHECK(p.storage().is_same(x.storage()));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k) REQUIRE(at(p, {k, i, j}) == static_cast<float>(i * 12 + j * 4 + k));
  CHECK(x.permute({-1, -3, -2}).shape() == Shape{4, 2, 3});
  CHECK_THROWS_WITH(x.permute({0, 1}), "permute: got 2 dimensions for a tensor of rank 3 (float32[2, 3, 4] on cpu)");
  CHECK_THROWS_WITH(x.permute({0, 1, 1}), "permute: dimension 1 appears twice in [0, 1, 1]");
  CHECK_THROWS_WITH(x.permute({0, 1, 3}), doctest::Contains("permute: dimension 3 is out of range"));

  const Tensor tr = x.transpose(-1, 0);
  CHECK(tr.shape() == Shape{4, 3, 2});
  CHECK(tr.strides() == Strides{1, 4, 12});
  CHECK(at(tr, {3, 2, 1}) == 23.f);
  CHECK(x.transpose(1, 1).strides() == x.strides());
  const Tensor m = iota({2, 5});
  CHECK(m.t().shape() == Shape{5, 2});
  CHECK(at(m.t(), {4, 1}) == 9.f);
  CHECK_THROWS_WITH(x.t(), "t(): expected a matrix, got float32[2, 3, 4] on cpu");
}

TEST_CASE("narrow, slice and select") {
  const Tensor x = iota({4, 5});
  const Tensor n = x.narrow(1, 1, 3);
  CHECK(n.shape() == Shape{4, 3});
  CHECK(n.offset() == 1);
  CHECK(at(n, {2, 0}) == 11.f);
  CHECK(x.narrow(0, -2, 2).to_vector() == x.slice(0, 2, 4).to_vector());
  CHECK(x.narrow(0, 4, 0).numel() == 0);
  CHECK_THROWS_WITH(x.narrow(1, 3, 3),
                    "narrow: start 3 and length 3 exceed dimension 1 of size 5 (float32[4, 5] on cpu)");

  const Tensor r = iota({10});
  CHECK(r.slice(0, 1, 8, 3).to_vector() == std::vector<double>{1, 4, 7});
  CHECK(r.slice(0, 0, 10, 4).to_vector() == std::vector<double>{0, 4, 8});
  CHECK(r.slice(0, -3, 100).to_vector() == std::vector<double>{7, 8, 9});
  CHECK(r.slice(0, -100, 2).to_vector() == std::vector<double>{0, 1});
  CHECK(r.slice(0, 2, -5).to_vector() == std::vector<double>{2, 3, 4});
  CHECK(r.slice(0, 5, 2).numel() == 0);
  CHECK(r.slice(0, 11, 20).numel() == 0);
  CHECK(r.slice(0, 9, 10, 5).to_vector() == std::vector<double>{9});
  const Tensor s = x.slice(1, 0, 5, 2);
  CHECK(s.shape() == Shape{4, 3});
  CHECK(s.strides() == Strides{5, 2});
  CHECK(at(s, {3, 2}) == 19.f);
  CHECK(x.slice(-1, 1, 5, 2).slice(0, 1, 4, 2).to_vector() == std::vector<double>{6, 8, 16, 18});
  CHECK_THROWS_WITH(r.slice(0, 0, 5, 0), "slice: step must be positive, got 0");
  CHECK_THROWS_WITH(r.slice(0, 0, 5, -1), "slice: step must be positive, got -1");

  const Tensor row = x.select(0, 2);
  CHECK(row.shape() == Shape{5});
  CHECK(row.offset() == 10);
  CHECK(row.to_vector() == std::vector<double>{10, 11, 12, 13, 14});
  CHECK(x.select(1, -1).to_vector() == std::vector<double>{4, 9, 14, 19});
  CHECK(x.select(0, 1).select(0, 1).dim() == 0);
  CHECK_THROWS_WITH(x.select(0, 4), "select: index 4 is out of range for dimension 0 of size 4 (float32[4, 5] on cpu)");
  CHECK_THROWS_WITH(x.select(1, -6), doctest::Contains("select: index -6 is out of range for dimension 1 of size 5"));
}

TEST_CASE("expand, squeeze, unsqueeze") {
  const Tensor c = iota({3, 1});
  const Tensor e = c.expand({3, 4});
  CHECK(e.shape() == Shape{3, 4});
  CHECK(e.strides() == Strides{1, 0});
  CHECK(e.to_vector() == std::vector<double>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2});
  const Tensor lead = c.expand({2, 3, 4});
  CHECK(lead.shape() == Shape{2, 3, 4});
  CHECK(lead.strides() == Strides{0, 1, 0});
  CHECK(c.expand({-1, 2}).shape() == Shape{3, 2});
  CHECK(c.expand({3, 0}).numel() == 0);
  CHECK(scalar_tensor(7).expand({2, 2}).to_vector() == std::vector<double>(4, 7.0));
  CHECK(c.broadcast_to({5, 3, 2}).shape() == Shape{5, 3, 2});
  CHECK(e.storage().is_same(c.storage()));
  CHECK_THROWS_WITH(c.expand({2, 4}), "expand: cannot expand float32[3, 1] on cpu to [2, 4] (dimension 0: 3 vs 2)");
  CHECK_THROWS_WITH(c.expand({4}), "expand: cannot expand float32[3, 1] on cpu to fewer dimensions [4]");
  CHECK_THROWS_WITH(c.expand({-1, 3, 4}), "expand: size -1 is not allowed for a new leading dimension in [-1, 3, 4]");

  const Tensor x = iota({1, 3, 1, 2});
  CHECK(x.squeeze().shape() == Shape{3, 2});
  CHECK(x.squeeze().strides() == Strides{2, 1});
  CHECK(x.squeeze(2).shape() == Shape{1, 3, 2});
  CHECK(x.squeeze(-4).shape() == Shape{3, 1, 2});
  CHECK(x.squeeze(1).shape() == Shape{1, 3, 1, 2});  // not size 1: unchanged
  CHECK(scalar_tensor(1).squeeze().dim() == 0);
  CHECK(scalar_tensor(1).squeeze(0).dim() == 0);
  CHECK(iota({1}).squeeze().dim() == 0);
  CHECK_THROWS_WITH(x.squeeze(4), doctest::Contains("squeeze: dimension 4 is out of range"));

  const Tensor y = iota({2, 3});
  CHECK(y.unsqueeze(0).shape() == Shape{1, 2, 3});
  CHECK(y.unsqueeze(1).shape() == Shape{2, 1, 3});
  CHECK(y.unsqueeze(2).shape() == Shape{2, 3, 1});
  CHECK(y.unsqueeze(-1).shape() == Shape{2, 3, 1});
  CHECK(y.unsqueeze(-3).shape() == Shape{1, 2, 3});
  CHECK(y.unsqueeze(1).is_contiguous());
  CHECK(y.t().unsqueeze(1).to_vector() == y.t().to_vector());
  CHECK(scalar_tensor(2).unsqueeze(0).shape() == Shape{1});
  CHECK_THROWS_WITH(y.unsqueeze(3), doctest::Contains("unsqueeze: dimension 3 is out of range"));
  CHECK_THROWS_WITH(y.unsqueeze(-4), doctest::Contains("unsqueeze: dimension -4 is out of range"));
}

TEST_CASE("as_strided: windows into the storage, checked against its bounds") {
  const Tensor x = iota({6});
  const Tensor w = x.as_strided({4, 3}, {1, 1}, 0);  // sliding windows of 3
  CHECK(w.to_vector() == std::vector<double>{0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5});
  CHECK(x.as_strided({2}, {-2}, 5).to_vector() == std::vector<double>{5, 3});
  CHECK(x.narrow(0, 2, 2).as_strided({6}, {1}, 0).to_vector() == x.to_vector());  // offsets are absolute
  CHECK(x.as_strided({0, 100}, {100, 1}, 6).numel() == 0);
  CHECK_THROWS_WITH(x.as_strided({4, 3}, {1, 1}, 1),
                    "as_strided: shape [4, 3] strides [1, 1] offset 1 reach outside a storage of 6 elements");
  CHECK_THROWS_WITH(x.as_strided({2}, {-2}, 1), doctest::Contains("reach outside a storage of 6 elements"));
  CHECK_THROWS_WITH(x.as_strided({2}, {1, 1}, 0), "as_strided: shape [2] and strides [1, 1] differ in rank");
  CHECK_THROWS_WITH(x.as_strided({-1}, {1}, 0), "as_strided: negative size in [-1]");
}

TEST_CASE("views share storage: writes through a view are visible everywhere") {
  Tensor x = zeros({3, 4});
  x.narrow(1, 1, 2).fill_(1);
  x.select(0, 2).select(0, 3).fill_(5);
  x.t().select(0, 0).copy_(tensor({7.f, 8.f, 9.f}));
  x.view({12}).slice(0, 0, 12, 11).fill_(-1);  // elements 0 and 11
  CHECK(x.to_vector() == std::vector<double>{-1, 1, 1, 0, 8, 1, 1, 0, 9, 1, 1, -1});
  Tensor e = zeros({3}).unsqueeze(0).expand({2, 3});
  e.select(0, 1).fill_(4);  // both rows alias the same three elements
  CHECK(e.to_vector() == std::vector<double>(6, 4.0));
  CHECK(x.permute({1, 0}).version() == x.version());
}

}  // TEST_SUITE
