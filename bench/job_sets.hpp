// The job sets sweep_bench and mpi_bench time: the book's ARCFOUR and SHA-256 jobs, or jobs of
// one size, each set checked against the checksum of its sequential run; and how a pool of
// this library runs a set.
#ifndef BENCH_JOB_SETS_HPP_
#define BENCH_JOB_SETS_HPP_

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "futures/futures.hpp"
#include "jobs/jobs.hpp"

namespace bench {

enum class Workload { arcfour, sha };

struct Job {
  std::size_t size;
  std::uint64_t seed;
};

struct JobSet {
  Workload workload;
  std::vector<Job> jobs;
  std::size_t total_bytes = 0;
  std::optional<std::uint64_t> expected;  // the results' checksum, computed once, sequentially
};

// A job's result folded into a number, so that a whole set is checked against one checksum.
inline std::uint64_t fold(std::size_t size) { return size; }
inline std::uint64_t fold(const std::string& digest) {
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

// One job, in the calling thread, folded.
std::uint64_t run_job(Workload workload, const Job& job);
// The whole set in the calling thread: the sum of its folded results.
std::uint64_t run_sequential(const JobSet& set);
// The book's job set of `count` jobs, their sizes times `scale`.
JobSet book_set(Workload workload, int count, double scale);
// total_bytes in jobs of job_bytes each (at least one job).
JobSet uniform_set(Workload workload, std::size_t job_bytes, std::size_t total_bytes);
// The expected checksum, computed on first use (outside any timed region).
std::uint64_t expected_of(JobSet& set);

// After a job-set row's timed loop: if `got`, the checksum of the set's last run, is not the
// sequential run's, skips the row with an error saying so and returns false; otherwise records
// the bytes and jobs processed and the counters the report reads (workers, jobs, total and
// per-job bytes) and returns true.
bool finish_job_set_row(benchmark::State& state, JobSet& set, int workers, std::uint64_t got);

// How the pool rows take a set's results.
enum class Collect {
  in_order,  // each future's result() in submission order, as a loop over the futures does
  wait,      // futures::wait() on the whole set first: one wake-up of this thread
};

// The results of a set's futures, folded, taken as `collect` says.
template <class T>
std::uint64_t collect_results(const std::vector<futures::Future<T>>& fs, Collect collect) {
  if (collect == Collect::wait) futures::wait(fs);
  std::uint64_t sum = 0;
  for (const auto& f : fs) sum += fold(f.result());
  return sum;
}

// Submits every job of the set to an executor of this library and folds the results.
template <class Pool>
std::uint64_t run_on_pool(Pool& pool, const JobSet& set, Collect collect) {
  if (set.workload == Workload::arcfour) {
    std::vector<futures::Future<std::size_t>> fs;
    fs.reserve(set.jobs.size());
    for (const Job& j : set.jobs) {
      fs.push_back(
          pool.submit(&jobs::arcfour_test, j.size, std::string(jobs::kArcfourKey), j.seed));
    }
    return collect_results(fs, collect);
  }
  std::vector<futures::Future<std::string>> fs;
  fs.reserve(set.jobs.size());
  for (const Job& j : set.jobs) fs.push_back(pool.submit(&jobs::sha_job, j.size, j.seed));
  return collect_results(fs, collect);
}

}  // namespace bench

#endif  // BENCH_JOB_SETS_HPP_
