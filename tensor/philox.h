// Counter-based random numbers: Philox4x32-10 and the Generator that turns (seed, offset, element index) into bits.
//
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11; the Random123
// reference, philox.h) is a keyed bijection of 128-bit counters: ten rounds of two 32x32->64 multiplications
// (multipliers 0xD2511F53, 0xCD9E8D57) whose high halves are xored with the other two words and the round key; the
// key is bumped by the Weyl constants 0x9E3779B9, 0xBB67AE85 between rounds. Block i of the output depends on nothing
// but (counter, key), so any thread — or a CUDA kernel — computes any element without touching a shared state.
//
// The exact mapping, which the CUDA backend reproduces bit for bit:
//   key      = { seed & 0xffffffff, seed >> 32 }
//   each random call takes the generator's current 64-bit offset o and advances it by 1 (the call's whole output
//   is one stream, so calls never overlap, whatever their sizes);
//   block b  = philox4x32_10({ b & 0xffffffff, b >> 32, o & 0xffffffff, o >> 32 }, key)
//   word j   = block(j / 4)[j % 4]          — the call's 32-bit words, four consecutive ones per block.
// tensor/random.h documents how each distribution reads words (element i of rand float32 is word i, so the four
// outputs of a block are four consecutive elements). Element i therefore depends only on (seed, offset, i).
#pragma once
#include <array>
#include <cstdint>
#include <mutex>

namespace htp {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

// The Random123 philox4x32 with 10 rounds.
PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key);

// The words of one random call: (key, offset) fixed, indexed by block.
struct PhiloxStream {
  PhiloxKey key{};
  uint64_t offset = 0;
  PhiloxCounter block(uint64_t b) const;  // words 4b .. 4b+3
};

// A seed and an offset; thread-safe. Copying is deliberately not allowed (two copies would repeat each other's
// numbers); save and restore the state with seed()/offset()/set_offset() instead.
class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 0;

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  void manual_seed(uint64_t seed);  // sets the seed and rewinds the offset to 0
  uint64_t seed() const;
  uint64_t offset() const;  // the offset the next call will use
  void set_offset(uint64_t offset);
  PhiloxStream next_stream();  // the stream for one random call; advances the offset by 1

 private:
  mutable std::mutex m_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

Generator& default_generator();  // the process-wide generator, seeded with Generator::kDefaultSeed at start-up
void manual_seed(uint64_t seed);  // default_generator().manual_seed(seed)

// `gen`, or the default generator when it is null (the convention of every Generator* argument).
inline Generator& generator_or_default(Generator* gen) { return gen ? *gen : default_generator(); }

}  // namespace htp
