// The loader: order, shuffling and drop_last; batches identical for 0, 1 and 3 workers under random augmentation;
// bounded prefetch; errors from workers naming the sample; clean shutdown mid-epoch; collate errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>

#include "data/loader.h"
#include "tensor/creation.h"
#include "test_data_util.h"

using namespace htp;

namespace {

// Sample i: a uint8 [3, 12, 10] image whose pixel (r, c) of channel k is (i + 7r + 3c + k) mod 256, label i mod 3;
// sample `bad` throws.
class Synthetic : public data::Dataset {
 public:
  explicit Synthetic(int64_t n, int64_t bad = -1, bool multi_label = false) : n_(n), bad_(bad), multi_(multi_label) {}
  int64_t size() const override { return n_; }
  data::Sample get(int64_t i) const override {
    ++gets;
    HTP_CHECK(i != bad_, "synthetic failure");
    data::Sample s;
    s.image = empty({3, 12, 10}, DType::u8);
    uint8_t* p = s.image.data<uint8_t>();
    for (int64_t k = 0; k < 3; ++k)
      for (int64_t r = 0; r < 12; ++r)
        for (int64_t c = 0; c < 10; ++c) p[(k * 12 + r) * 10 + c] = static_cast<uint8_t>((i + 7 * r + 3 * c + k) % 256);
    if (multi_) {
      s.target = data::multi_hot({i % 4}, 4);
      s.boxes = {{i % 4, 0, 0, 5, 5}};
    } else {
      s.label = i % 3;
    }
    return s;
  }
  const std::vector<std::string>& class_names() const override { return names_; }
  std::string sample_name(int64_t i) const override { return "synthetic/" + std::to_string(i) + ".png"; }

  mutable std::atomic<int64_t> gets{0};

 private:
  int64_t n_, bad_;
  bool multi_;
  std::vector<std::string> names_ = {"a", "b", "c"};
};

data::LoaderOptions opts(int64_t batch, bool shuffle, bool drop_last, int workers, uint64_t seed = 0) {
  data::LoaderOptions o;
  o.batch_size = batch;
  o.shuffle = shuffle;
  o.drop_last = drop_last;
  o.workers = workers;
  o.seed = seed;
  return o;
}

std::vector<data::Batch> epoch(data::Loader& loader, int64_t e) {
  loader.start_epoch(e);
  std::vector<data::Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

std::vector<int64_t> all_indices(const std::vector<data::Batch>& batches) {
  std::vector<int64_t> out;
  for (const auto& b : batches) out.insert(out.end(), b.indices.begin(), b.indices.end());
  return out;
}

data::TransformPtr augment() {
  return data::compose({data::random_resized_crop(6, 5), data::horizontal_flip(0.5), data::to_float()});
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("loader: order, partial last batch, drop_last, stacking") {
  auto ds = std::make_shared<Synthetic>(10);
  data::Loader loader(ds, data::to_float(), opts(4, false, false, 2));
  CHECK(loader.num_batches() == 3);
  const std::vector<data::Batch> batches = epoch(loader, 0);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0].indices == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(batches[2].indices == std::vector<int64_t>{8, 9});
  CHECK(batches[0].images.shape() == Shape{4, 3, 12, 10});
  CHECK(batches[0].images.dtype() == DType::f32);
  CHECK(batches[2].images.shape() == Shape{2, 3, 12, 10});
  CHECK(batches[1].labels.dtype() == DType::i64);
  CHECK(batches[1].labels.to_vector() == std::vector<double>{1, 2, 0, 1});
  // Pixel (k=1, r=2, c=3) of sample 5: (5 + 14 + 9 + 1) / 255.
  CHECK(batches[1].images.select(0, 1).select(0, 1).select(0, 2).select(0, 3).item<float>() == doctest::Approx(29.0 / 255));

  data::Loader dropping(ds, data::to_float(), opts(4, false, true, 2));
  CHECK(dropping.num_batches() == 2);
  CHECK(all_indices(epoch(dropping, 0)) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK_FALSE(dropping.next().has_value());
  data::Loader unstarted(ds, data::to_float(), opts(4, false, false, 2));
  CHECK_THROWS_WITH_AS(unstarted.next(), testing::contains("Loader::next: call start_epoch first"), Error);
}

TEST_CASE("loader: shuffling is a seeded permutation per epoch") {
  auto ds = std::make_shared<Synthetic>(50);
  data::Loader a(ds, data::to_float(), opts(8, true, false, 2, 11));
  data::Loader b(ds, data::to_float(), opts(8, true, false, 3, 11));
  data::Loader c(ds, data::to_float(), opts(8, true, false, 2, 12));
  const std::vector<int64_t> a0 = all_indices(epoch(a, 0)), a1 = all_indices(epoch(a, 1));
  std::vector<int64_t> sorted = a0;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
  CHECK(a0 != identity);
  CHECK(a0 != a1);
  CHECK(all_indices(epoch(b, 0)) == a0);
  CHECK(all_indices(epoch(b, 1)) == a1);
  CHECK(all_indices(epoch(c, 0)) != a0);
  CHECK(all_indices(epoch(a, 0)) == a0);  // an epoch can be replayed
}

TEST_CASE("loader: augmented batches are the same for 0, 1 and 3 workers") {
  auto ds = std::make_shared<Synthetic>(23);
  std::vector<std::vector<double>> reference;
  for (int workers : {0, 1, 3}) {
    data::Loader loader(ds, augment(), opts(5, true, false, workers, 99));
    for (int64_t e : {0, 1}) {
      const std::vector<data::Batch> batches = epoch(loader, e);
      REQUIRE(batches.size() == 5);
      for (size_t k = 0; k < batches.size(); ++k) {
        CHECK(batches[k].images.shape()[1] == 3);
        std::vector<double> v = batches[k].images.to_vector();
        const std::vector<double> idx(batches[k].indices.begin(), batches[k].indices.end());
        v.insert(v.end(), idx.begin(), idx.end());
        if (workers == 0) {
          reference.push_back(v);
        } else {
          CHECK_MESSAGE(v == reference[static_cast<size_t>(e) * 5 + k], "workers ", workers, " epoch ", e, " batch ", k);
        }
      }
    }
  }
  // Epochs differ in their augmentation, not only in their order: sample 0 of epoch 0 and epoch 1.
  data::Loader plain(ds, augment(), opts(23, false, false, 1, 99));
  const Tensor e0 = epoch(plain, 0)[0].images, e1 = epoch(plain, 1)[0].images;
  CHECK(e0.select(0, 0).to_vector() != e1.select(0, 0).to_vector());
}

TEST_CASE("loader: prefetch bounds the batches made ahead of the consumer") {
  auto ds = std::make_shared<Synthetic>(100);
  data::LoaderOptions o = opts(1, false, false, 3);
  o.prefetch = 2;
  data::Loader loader(ds, data::to_float(), o);
  // Waits (at most 5 s) until the workers have read `n` samples, then a little longer for any excess.
  auto settle = [&](int64_t n) {
    for (int k = 0; k < 500 && ds->gets.load() < n; ++k) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return ds->gets.load();
  };
  loader.start_epoch(0);
  CHECK(settle(2) == 2);
  REQUIRE(loader.next().has_value());
  CHECK(settle(3) == 3);
}

TEST_CASE("loader: a worker's exception reaches the consumer naming the sample; shutdown mid-epoch") {
  auto ds = std::make_shared<Synthetic>(12, 6);
  for (int workers : {0, 3}) {
    data::Loader loader(ds, data::to_float(), opts(4, false, false, workers));
    loader.start_epoch(0);
    CHECK(loader.next().has_value());
    CHECK_THROWS_WITH_AS(loader.next(), testing::contains("loader: sample 6 (synthetic/6.png), epoch 0: synthetic failure"),
                         Error);
    const auto last = loader.next();  // the batches after a failed one still come
    REQUIRE(last.has_value());
    CHECK(last->indices.front() == 8);
    CHECK_FALSE(loader.next().has_value());
  }
  {
    data::Loader abandoned(std::make_shared<Synthetic>(1000), augment(), opts(2, true, false, 3));
    abandoned.start_epoch(0);
    CHECK(abandoned.next().has_value());
    abandoned.start_epoch(1);  // abandons epoch 0 with batches in flight
    CHECK(abandoned.next().has_value());
  }  // the destructor joins the workers of epoch 1
}

TEST_CASE("loader: multi-hot targets and boxes; collate errors") {
  auto ds = std::make_shared<Synthetic>(6, -1, true);
  data::Loader loader(ds, data::compose({data::resize(6, 5), data::to_float()}), opts(3, false, false, 1));
  const std::vector<data::Batch> batches = epoch(loader, 0);
  REQUIRE(batches.size() == 2);
  CHECK(batches[1].labels.shape() == Shape{3, 4});
  CHECK(batches[1].labels.dtype() == DType::f32);
  CHECK(batches[1].labels.select(0, 0).to_vector() == std::vector<double>{0, 0, 0, 1});
  REQUIRE(batches[1].boxes.size() == 3);
  CHECK(batches[1].boxes[0][0].label == 3);
  CHECK(batches[1].boxes[0][0].x1 == 2.5);  // 5 · (5 / 10)

  data::Loader raw(std::make_shared<Synthetic>(2), data::compose({}), opts(2, false, false, 0));
  raw.start_epoch(0);
  CHECK_THROWS_WITH_AS(raw.next(), testing::contains("collate: sample 0 has image uint8[3, 12, 10] on cpu, expected float32"),
                       Error);
  std::vector<data::Sample> mixed(2);
  mixed[0].image = zeros({3, 2, 2});
  mixed[0].label = 1;
  mixed[1].image = zeros({3, 2, 3});
  mixed[1].label = 1;
  CHECK_THROWS_WITH_AS(data::collate(mixed, {4, 9}),
                       testing::contains("collate: sample 9 has image float32[3, 2, 3] on cpu but sample 4 has float32[3, 2, 2]"),
                       Error);
  mixed[1].image = zeros({3, 2, 2});
  mixed[1].label = -1;
  mixed[1].target = zeros({4});
  CHECK_THROWS_WITH_AS(data::collate(mixed, {4, 9}), testing::contains("differ in having a class label or a target"), Error);
  CHECK_THROWS_WITH_AS(data::Loader(std::make_shared<Synthetic>(2), data::to_float(), opts(0, false, false, 1)),
                       testing::contains("batch_size must be >= 1"), Error);
}

}  // TEST_SUITE
