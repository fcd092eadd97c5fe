// Philox4x32-10 following the Random123 reference (philox.h: philox4x32round, philox4x32bumpkey), and the Generator.
#include "tensor/philox.h"

namespace htp {
namespace {

constexpr uint32_t kMul0 = 0xD2511F53u;  // PHILOX_M4x32_0
constexpr uint32_t kMul1 = 0xCD9E8D57u;  // PHILOX_M4x32_1
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // PHILOX_W32_0: the golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // PHILOX_W32_1: sqrt(3) - 1

inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

inline PhiloxCounter philox_round(const PhiloxCounter& c, const PhiloxKey& k) {
  uint32_t hi0, lo0, hi1, lo1;
  mulhilo(kMul0, c[0], hi0, lo0);
  mulhilo(kMul1, c[2], hi1, lo1);
  return {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
}

}  // namespace

PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
  counter = philox_round(counter, key);
  for (int r = 1; r < 10; ++r) {
    key[0] += kWeyl0;
    key[1] += kWeyl1;
    counter = philox_round(counter, key);
  }
  return counter;
}

PhiloxCounter PhiloxStream::block(uint64_t b) const {
  return philox4x32_10({static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32), static_cast<uint32_t>(offset),
                        static_cast<uint32_t>(offset >> 32)},
                       key);
}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> g(m_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed() const {
  std::lock_guard<std::mutex> g(m_);
  return seed_;
}

uint64_t Generator::offset() const {
  std::lock_guard<std::mutex> g(m_);
  return offset_;
}

void Generator::set_offset(uint64_t offset) {
  std::lock_guard<std::mutex> g(m_);
  offset_ = offset;
}

PhiloxStream Generator::next_stream() {
  std::lock_guard<std::mutex> g(m_);
  PhiloxStream s;
  s.key = {static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)};
  s.offset = offset_++;
  return s;
}

Generator& default_generator() {
  static Generator g;
  return g;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace htp
