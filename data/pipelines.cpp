#include "data/pipelines.h"

namespace htp::data {
namespace {

std::vector<TransformPtr> with_encoding(std::vector<TransformPtr> geometric, InputEncoding encoding) {
  geometric.push_back(to_float());
  geometric.push_back(encoding == InputEncoding::bcos ? bcos_encode() : normalize(kImageNetMean, kImageNetStd));
  return geometric;
}

}  // namespace

TransformPtr imagenet_pipeline(bool train, InputEncoding encoding) {
  if (train) return compose(with_encoding({random_resized_crop(224, 224), horizontal_flip(0.5)}, encoding));
  return compose(with_encoding({resize_short_side(256), center_crop(224, 224)}, encoding));
}

TransformPtr multilabel_pipeline(int64_t size, bool train, InputEncoding encoding) {
  if (train) return compose(with_encoding({random_resized_crop(size, size, {0.7, 1.0}), horizontal_flip(0.5)}, encoding));
  return compose(with_encoding({resize(size, size)}, encoding));
}

TransformPtr encoding_pipeline(InputEncoding encoding) { return compose(with_encoding({}, encoding)); }

}  // namespace htp::data
