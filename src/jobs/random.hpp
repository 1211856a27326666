// Fast, seeded pseudo-random bytes for the jobs' input data: xoshiro256** seeded through
// SplitMix64. Reproducible from the seed on every platform; not for cryptographic use.
#ifndef JOBS_RANDOM_HPP_
#define JOBS_RANDOM_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace jobs {

// Fills `out` with the byte stream that `seed` determines. The stream does not depend on
// out.size(): a shorter fill is a prefix of a longer one with the same seed. Thread-safe.
void fill_random(std::span<std::uint8_t> out, std::uint64_t seed);

// `n` bytes of the stream that `seed` determines, as fill_random() writes them.
std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed);

// The seed of job number `index` of a set whose base seed is `base`. Distinct indexes give
// distinct seeds for the same base.
std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index) noexcept;

}  // namespace jobs

#endif  // JOBS_RANDOM_HPP_
