// Batches of a data set through a transform pipeline, decoded and augmented on worker threads ahead of the model
// (the role of PyTorch's DataLoader).
//
// Epoch e visits the samples in index order or, with `shuffle`, in the order permutation(N) (tensor/random.h) draws
// from a Generator seeded with `seed` at offset e. Batch b holds positions [bB, bB + B) of that order (the last one
// shorter, or left out with drop_last). Sample i is transformed with SampleRng(seed, e, i) (data/sample_rng.h).
// `workers` threads (std::thread, apart from the kernels' pool) each build whole batches, claimed in order; at most
// `prefetch` batches are claimed ahead of the consumer, which receives batch b only after batch b - 1. The batches
// are therefore the same for any number of workers, 0 included (everything on the calling thread).
//
// An exception while reading or transforming a sample reaches the consumer when it asks for that batch, as an
// htp::Error naming the sample index and file (Dataset::sample_name). The destructor and start_epoch stop the
// running epoch's workers after their current batch and join them.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "data/dataset.h"
#include "data/transforms.h"

namespace htp::data {

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = false;
  bool drop_last = false;
  int workers = 4;
  int prefetch = 0;  // batches claimed ahead of the consumer; 0: 2 × workers
  uint64_t seed = 0;
};

struct Batch {
  Tensor images;  // float32 [B, C, H, W]
  Tensor labels;  // int64 [B] for single-label samples, float32 [B, num_classes] for multi-hot targets
  std::vector<int64_t> indices;           // the samples' data set indices
  std::vector<std::vector<Box>> boxes;    // per sample
};

// Stacks transformed samples (float32 images of one shape; all labels or all targets). Errors name the samples by
// their data set indices.
Batch collate(std::vector<Sample> samples, std::vector<int64_t> indices);

class Loader {
 public:
  Loader(std::shared_ptr<const Dataset> dataset, TransformPtr transform, LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  int64_t num_batches() const;
  const LoaderOptions& options() const { return options_; }

  // Starts epoch `epoch` (0 <= epoch < 2^23), abandoning the running one.
  void start_epoch(int64_t epoch);
  // The epoch's next batch; nullopt after the last one. Needs start_epoch first.
  std::optional<Batch> next();

 private:
  struct Epoch;
  Batch make_batch(const Epoch& epoch, int64_t b) const;
  void work(Epoch& epoch) const;
  void stop();

  std::shared_ptr<const Dataset> dataset_;
  TransformPtr transform_;
  LoaderOptions options_;
  std::unique_ptr<Epoch> epoch_;
};

}  // namespace htp::data
