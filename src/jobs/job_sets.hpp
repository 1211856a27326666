// The book's CPU-bound jobs (Fluent Python ch. 17, arcfour_futures.py and sha_futures.py) as
// plain functions of plain values, ready to cross a process boundary, and the job sets the
// book submits, as data.
#ifndef JOBS_JOB_SETS_HPP_
#define JOBS_JOB_SETS_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jobs {

// The book's constants. kArcfourKey is 44 bytes, a newline in the middle.
inline constexpr std::size_t kArcfourSize = std::size_t{1} << 18;
inline constexpr int kArcfourJobs = 12;
inline constexpr std::string_view kArcfourKey = "'Twas brillig, and the slithy toves\nDid gyre";
inline constexpr std::size_t kShaSize = std::size_t{1} << 20;
inline constexpr int kShaJobs = 12;
// The base seed of the job sets unless a caller picks another.
inline constexpr std::uint64_t kDefaultSeed = 2015;

// The book's arcfour_test(size, key): makes `size` random bytes from `seed`, encrypts them
// with arcfour(key, data, 20), decrypts the result and checks that it matches the input.
// Returns `size`. Throws std::runtime_error on a mismatch and std::invalid_argument for a bad
// key (see arcfour()). Thread-safe.
std::size_t arcfour_test(std::size_t size, std::string key, std::uint64_t seed);

// The book's sha(size): SHA-256 of `size` random bytes made from `seed`, as 64 hex digits.
// The same arguments give the same digest. Thread-safe.
std::string sha_job(std::size_t size, std::uint64_t seed);

// One call of arcfour_test() or sha_job(), as data.
struct ArcfourJob {
  std::size_t size;
  std::string key;
  std::uint64_t seed;
};
struct ShaJob {
  std::size_t size;
  std::uint64_t seed;
};

// How to shape a job set: `count` jobs (the book's JOBS), every size multiplied by `scale`
// (rounded to whole bytes), and seeds derived from `seed`, one distinct seed per job.
struct JobSetOptions {
  int count = 12;  // kArcfourJobs and kShaJobs alike
  double scale = 1.0;
  std::uint64_t seed = kDefaultSeed;
};

// The book's ARCFOUR jobs, largest first: for i = count down to 1,
// size = SIZE + int(SIZE / count * (i - count / 2)) with SIZE = 2^18, times `scale`, and the
// key kArcfourKey. With the defaults: 12 jobs from 393216 down to 152918 bytes.
// Throws std::invalid_argument if count < 1, or scale is not a positive finite number or
// rounds a size down to 0 bytes.
std::vector<ArcfourJob> arcfour_jobs(const JobSetOptions& options = {});

// The book's SHA-256 jobs: `count` jobs of 1 MiB times `scale`. Throws as arcfour_jobs().
std::vector<ShaJob> sha_jobs(const JobSetOptions& options = {});

}  // namespace jobs

#endif  // JOBS_JOB_SETS_HPP_
