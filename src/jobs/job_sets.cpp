#include "jobs/job_sets.hpp"

#include <cmath>
#include <span>
#include <stdexcept>

#include "jobs/arcfour.hpp"
#include "jobs/random.hpp"
#include "jobs/sha256.hpp"

namespace jobs {
namespace {

std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void check_options(const char* function, const JobSetOptions& options) {
  if (options.count < 1) {
    throw std::invalid_argument(std::string(function) + ": count must be 1 or more, got " +
                                std::to_string(options.count));
  }
  if (!std::isfinite(options.scale) || options.scale <= 0) {
    throw std::invalid_argument(std::string(function) +
                                ": scale must be a positive finite number, got " +
                                std::to_string(options.scale));
  }
}

std::size_t scaled(const char* function, std::size_t size, double scale) {
  const double bytes = std::round(static_cast<double>(size) * scale);
  if (bytes < 1) {
    throw std::invalid_argument(std::string(function) + ": scale " + std::to_string(scale) +
                                " makes a job of " + std::to_string(size) +
                                " bytes empty; use a larger scale");
  }
  return static_cast<std::size_t>(bytes);
}

}  // namespace

std::size_t arcfour_test(std::size_t size, std::string key, std::uint64_t seed) {
  const std::vector<std::uint8_t> in_text = random_bytes(size, seed);
  const std::vector<std::uint8_t> cypher_text = arcfour(as_bytes(key), in_text);
  const std::vector<std::uint8_t> out_text = arcfour(as_bytes(key), cypher_text);
  if (in_text != out_text) {
    throw std::runtime_error("arcfour_test: decrypting " + std::to_string(size) +
                             " bytes did not restore the input");
  }
  return size;
}

std::string sha_job(std::size_t size, std::uint64_t seed) {
  return sha256_hex(random_bytes(size, seed));
}

std::vector<ArcfourJob> arcfour_jobs(const JobSetOptions& options) {
  check_options("arcfour_jobs", options);
  const int count = options.count;
  std::vector<ArcfourJob> set;
  set.reserve(static_cast<std::size_t>(count));
  // As the book computes it, in floating point, int() truncating toward zero; the offset is
  // never below -SIZE / 2, so the size stays positive.
  const double step = static_cast<double>(kArcfourSize) / count;
  for (int i = count; i >= 1; --i) {
    const double offset = std::trunc(step * (i - count / 2.0));
    const auto size = static_cast<std::size_t>(static_cast<double>(kArcfourSize) + offset);
    set.push_back({scaled("arcfour_jobs", size, options.scale), std::string(kArcfourKey),
                   derive_seed(options.seed, set.size())});
  }
  return set;
}

std::vector<ShaJob> sha_jobs(const JobSetOptions& options) {
  check_options("sha_jobs", options);
  const std::size_t size = scaled("sha_jobs", kShaSize, options.scale);
  std::vector<ShaJob> set;
  set.reserve(static_cast<std::size_t>(options.count));
  for (int k = 0; k < options.count; ++k) {
    set.push_back({size, derive_seed(options.seed, set.size())});
  }
  return set;
}

}  // namespace jobs
