// Random numbers for augmenting one sample, reproducible whatever thread handles it.
//
// The stream is Philox4x32-10 (tensor/philox.h) with key = the loader's seed and call offset
// 2^63 + epoch · 2^40 + index, read one 32-bit word after another: a sample's augmentation depends only on
// (seed, epoch, index), never on the worker that draws it or on the order samples are drawn in. Offsets at or above
// 2^63 are never reached by a Generator's own calls (one per call from 0), so the loader's shuffle, which uses a
// Generator with the same seed, draws from other streams. Uniforms and integers read words as tensor/random.h does
// for float64 rand (u53) and randint (multiply-shift).
#pragma once
#include <cstdint>

#include "tensor/philox.h"

namespace htp::data {

class SampleRng {
 public:
  // epoch < 2^23 and index < 2^40.
  SampleRng(uint64_t seed, uint64_t epoch, uint64_t index);

  uint32_t word();                        // the next 32-bit word
  double uniform();                       // [0, 1), 53 bits from two words
  double uniform(double lo, double hi);   // lo + (hi - lo) · uniform()
  int64_t randint(int64_t lo, int64_t hi);  // [lo, hi), needs lo < hi; two words

 private:
  PhiloxStream stream_;
  PhiloxCounter block_{};
  uint64_t next_ = 0;  // index of the next word
};

}  // namespace htp::data
