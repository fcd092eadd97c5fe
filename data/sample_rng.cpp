#include "data/sample_rng.h"

#include "tensor/error.h"

namespace htp::data {

SampleRng::SampleRng(uint64_t seed, uint64_t epoch, uint64_t index) {
  HTP_CHECK(epoch < (uint64_t{1} << 23) && index < (uint64_t{1} << 40), "SampleRng: epoch ", epoch, " or sample index ",
            index, " out of range (epoch < 2^23, index < 2^40)");
  stream_.key = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  stream_.offset = (uint64_t{1} << 63) + (epoch << 40) + index;
}

uint32_t SampleRng::word() {
  if (next_ % 4 == 0) block_ = stream_.block(next_ / 4);
  return block_[next_++ % 4];
}

double SampleRng::uniform() {
  const uint64_t hi = word(), lo = word();
  return static_cast<double>(((hi << 32) | lo) >> 11) * 0x1.0p-53;
}

double SampleRng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

int64_t SampleRng::randint(int64_t lo, int64_t hi) {
  HTP_CHECK(lo < hi, "SampleRng::randint: empty range [", lo, ", ", hi, ")");
  const uint64_t hi_word = word(), lo_word = word();
  const uint64_t x = (hi_word << 32) | lo_word;
  const auto range = static_cast<unsigned __int128>(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo));
  return lo + static_cast<int64_t>((static_cast<unsigned __int128>(x) * range) >> 64);
}

}  // namespace htp::data
