#include "data/loader.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "tensor/creation.h"
#include "tensor/random.h"

namespace htp::data {

struct Loader::Epoch {
  int64_t number = 0;
  std::vector<int64_t> order;
  int64_t batches = 0;
  int64_t prefetch = 1;

  std::mutex m;
  std::condition_variable cv;
  int64_t claimed = 0, consumed = 0;
  bool stop = false;
  struct Result {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  std::map<int64_t, Result> ready;
  std::vector<std::thread> threads;
};

Batch collate(std::vector<Sample> samples, std::vector<int64_t> indices) {
  HTP_CHECK(!samples.empty() && samples.size() == indices.size(), "collate: ", samples.size(), " samples and ",
            indices.size(), " indices");
  const Sample& first = samples[0];
  for (size_t k = 0; k < samples.size(); ++k) {
    const Tensor& im = samples[k].image;
    HTP_CHECK(im.defined() && im.dtype() == DType::f32 && im.dim() == 3, "collate: sample ", indices[k],
              " has image ", im.defined() ? im.describe() : std::string("(undefined)"),
              ", expected float32 [C, H, W] (end the pipeline with to_float)");
    HTP_CHECK(im.shape() == first.image.shape(), "collate: sample ", indices[k], " has image ", im.describe(),
              " but sample ", indices[0], " has ", first.image.describe(), " (add a resize or crop transform)");
    HTP_CHECK((samples[k].label >= 0) == (first.label >= 0) && samples[k].target.defined() == first.target.defined(),
              "collate: samples ", indices[0], " and ", indices[k], " differ in having a class label or a target");
    if (first.target.defined()) {
      HTP_CHECK(samples[k].target.shape() == first.target.shape(), "collate: sample ", indices[k], " has target ",
                samples[k].target.describe(), " but sample ", indices[0], " has ", first.target.describe());
    }
  }
  HTP_CHECK(first.label >= 0 || first.target.defined(), "collate: sample ", indices[0],
            " has neither a class label nor a target");
  const auto B = static_cast<int64_t>(samples.size());
  Shape shape = first.image.shape();
  shape.insert(shape.begin(), B);
  Batch batch;
  batch.images = empty(shape);
  if (first.target.defined()) {
    batch.labels = empty({B, first.target.size(0)});
  } else {
    batch.labels = empty({B}, DType::i64);
  }
  for (int64_t k = 0; k < B; ++k) {
    Sample& s = samples[k];
    batch.images.select(0, k).copy_(s.image);
    if (s.target.defined()) {
      batch.labels.select(0, k).copy_(s.target);
    } else {
      batch.labels.data<int64_t>()[k] = s.label;
    }
    batch.boxes.push_back(std::move(s.boxes));
  }
  batch.indices = std::move(indices);
  return batch;
}

Loader::Loader(std::shared_ptr<const Dataset> dataset, TransformPtr transform, LoaderOptions options)
    : dataset_(std::move(dataset)), transform_(std::move(transform)), options_(options) {
  HTP_CHECK(dataset_ != nullptr && transform_ != nullptr, "Loader: null data set or transform");
  HTP_CHECK(options_.batch_size >= 1, "Loader: batch_size must be >= 1, got ", options_.batch_size);
  HTP_CHECK(options_.workers >= 0 && options_.prefetch >= 0, "Loader: workers (", options_.workers,
            ") and prefetch (", options_.prefetch, ") must be >= 0");
}

Loader::~Loader() { stop(); }

int64_t Loader::num_batches() const {
  const int64_t n = dataset_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void Loader::stop() {
  if (!epoch_) return;
  {
    std::lock_guard<std::mutex> g(epoch_->m);
    epoch_->stop = true;
  }
  epoch_->cv.notify_all();
  for (std::thread& t : epoch_->threads) t.join();
  epoch_.reset();
}

void Loader::start_epoch(int64_t epoch) {
  HTP_CHECK(epoch >= 0 && epoch < (int64_t{1} << 23), "Loader::start_epoch: epoch ", epoch, " out of [0, 2^23)");
  stop();
  auto e = std::make_unique<Epoch>();
  e->number = epoch;
  const int64_t n = dataset_->size();
  Tensor order;
  if (options_.shuffle) {
    Generator gen(options_.seed);
    gen.set_offset(static_cast<uint64_t>(epoch));
    order = permutation(n, Device::cpu(), &gen);
  } else {
    order = arange(n);
  }
  const int64_t* p = order.data<int64_t>();
  e->order.assign(p, p + n);
  e->batches = num_batches();
  e->prefetch = options_.prefetch > 0 ? options_.prefetch : 2 * std::max(options_.workers, 1);
  epoch_ = std::move(e);
  for (int w = 0; w < options_.workers; ++w) epoch_->threads.emplace_back([this, ep = epoch_.get()] { work(*ep); });
}

Batch Loader::make_batch(const Epoch& epoch, int64_t b) const {
  const int64_t begin = b * options_.batch_size;
  const int64_t end = std::min<int64_t>(begin + options_.batch_size, static_cast<int64_t>(epoch.order.size()));
  std::vector<Sample> samples;
  std::vector<int64_t> indices;
  for (int64_t pos = begin; pos < end; ++pos) {
    const int64_t i = epoch.order[pos];
    try {
      SampleRng rng(options_.seed, static_cast<uint64_t>(epoch.number), static_cast<uint64_t>(i));
      samples.push_back((*transform_)(dataset_->get(i), rng));
    } catch (const std::exception& err) {
      throw Error(detail::concat("loader: sample ", i, " (", dataset_->sample_name(i), "), epoch ", epoch.number, ": ",
                                 err.what()));
    }
    indices.push_back(i);
  }
  return collate(std::move(samples), std::move(indices));
}

void Loader::work(Epoch& e) const {
  for (;;) {
    int64_t b = 0;
    {
      std::unique_lock<std::mutex> lock(e.m);
      e.cv.wait(lock, [&] { return e.stop || e.claimed >= e.batches || e.claimed < e.consumed + e.prefetch; });
      if (e.stop || e.claimed >= e.batches) return;
      b = e.claimed++;
    }
    Epoch::Result r;
    try {
      r.batch = make_batch(e, b);
    } catch (...) {
      r.error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> g(e.m);
      e.ready.emplace(b, std::move(r));
    }
    e.cv.notify_all();
  }
}

std::optional<Batch> Loader::next() {
  HTP_CHECK(epoch_ != nullptr, "Loader::next: call start_epoch first");
  Epoch& e = *epoch_;
  if (options_.workers == 0) {
    if (e.consumed == e.batches) return std::nullopt;
    return make_batch(e, e.consumed++);
  }
  Epoch::Result r;
  {
    std::unique_lock<std::mutex> lock(e.m);
    if (e.consumed == e.batches) return std::nullopt;
    e.cv.wait(lock, [&] { return e.ready.count(e.consumed) > 0; });
    auto it = e.ready.find(e.consumed);
    r = std::move(it->second);
    e.ready.erase(it);
    ++e.consumed;
  }
  e.cv.notify_all();
  if (r.error) std::rethrow_exception(r.error);
  return std::move(r.batch);
}

}  // namespace htp::data
