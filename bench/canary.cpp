#include "canary.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "report/fields.hpp"

namespace bench {
namespace {

constexpr int kSteps = 150'000;

// One chain of dependent multiply, shift and load steps over a table that stays in L1: its
// time follows the core's clock and whatever else shares the core, nothing else.
[[gnu::noinline]] std::uint64_t mix(std::uint64_t seed) {
  std::array<std::uint64_t, 512> table;  // 4 KiB
  std::uint64_t x = seed;
  for (auto& t : table) {
    x += 0x9e3779b97f4a7c15ULL;
    t = x;
  }
  for (int k = 0; k < kSteps; ++k) {
    x ^= table[x & 511];
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 31;
    table[static_cast<std::size_t>(k) & 511] += x;
  }
  return x;
}

}  // namespace

double canary_seconds() {
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t x = mix(0x5eed);
  benchmark::DoNotOptimize(x);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void set_canary(benchmark::State& state, double before) {
  state.counters[std::string(fields::kCanarySeconds)] = std::max(before, canary_seconds());
}

}  // namespace bench
