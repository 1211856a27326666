#include "jobs/random.hpp"

#include <bit>
#include <cstring>

namespace jobs {
namespace {

constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15;

// SplitMix64's output function: a bijection on 64-bit words.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna), its state seeded from SplitMix64 as its authors advise,
// which also rules out the all-zero state.
class Xoshiro256StarStar {
 public:
  explicit Xoshiro256StarStar(std::uint64_t seed) noexcept {
    for (std::uint64_t& word : s_) {
      seed += kGoldenGamma;
      word = mix64(seed);
    }
  }

  std::uint64_t operator()() noexcept {
    const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

 private:
  std::uint64_t s_[4];
};

// The generator's words are laid out least significant byte first on every platform.
std::uint64_t to_little_endian(std::uint64_t word) noexcept {
  if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(word);
  return word;
}

}  // namespace

void fill_random(std::span<std::uint8_t> out, std::uint64_t seed) {
  Xoshiro256StarStar next(seed);
  std::uint8_t* dst = out.data();
  std::size_t n = out.size();
  for (; n >= 8; n -= 8, dst += 8) {
    const std::uint64_t word = to_little_endian(next());
    std::memcpy(dst, &word, 8);
  }
  if (n > 0) {
    const std::uint64_t word = to_little_endian(next());
    std::memcpy(dst, &word, n);
  }
}

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint8_t> out(n);
  fill_random(out, seed);
  return out;
}

std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index) noexcept {
  // base + (index + 1) * gamma is distinct for distinct indexes (gamma is odd), and mix64 is
  // a bijection, so distinct indexes keep distinct seeds.
  return mix64(base + (index + 1) * kGoldenGamma);
}

}  // namespace jobs
