#include "job_sets.hpp"

#include <algorithm>
#include <string>

#include "report/fields.hpp"

namespace bench {

std::uint64_t run_job(Workload workload, const Job& job) {
  if (workload == Workload::arcfour) {
    return fold(jobs::arcfour_test(job.size, std::string(jobs::kArcfourKey), job.seed));
  }
  return fold(jobs::sha_job(job.size, job.seed));
}

std::uint64_t run_sequential(const JobSet& set) {
  std::uint64_t sum = 0;
  for (const Job& job : set.jobs) sum += run_job(set.workload, job);
  return sum;
}

JobSet book_set(Workload workload, int count, double scale) {
  JobSet set{workload, {}, 0, std::nullopt};
  const jobs::JobSetOptions options{.count = count, .scale = scale};
  if (workload == Workload::arcfour) {
    for (const auto& j : jobs::arcfour_jobs(options)) set.jobs.push_back({j.size, j.seed});
  } else {
    for (const auto& j : jobs::sha_jobs(options)) set.jobs.push_back({j.size, j.seed});
  }
  for (const Job& j : set.jobs) set.total_bytes += j.size;
  return set;
}

JobSet uniform_set(Workload workload, std::size_t job_bytes, std::size_t total_bytes) {
  JobSet set{workload, {}, 0, std::nullopt};
  const std::size_t count = std::max<std::size_t>(1, total_bytes / job_bytes);
  for (std::size_t k = 0; k < count; ++k) {
    set.jobs.push_back({job_bytes, jobs::derive_seed(jobs::kDefaultSeed, k)});
  }
  set.total_bytes = count * job_bytes;
  return set;
}

std::uint64_t expected_of(JobSet& set) {
  if (!set.expected) set.expected = run_sequential(set);
  return *set.expected;
}

bool finish_job_set_row(benchmark::State& state, JobSet& set, int workers, std::uint64_t got) {
  const std::uint64_t expected = expected_of(set);
  if (got != expected) {
    std::string message = "the results differ from the sequential run's: ";
    message += std::to_string(got);
    message += " != ";
    message += std::to_string(expected);
    state.SkipWithError(message.c_str());
    return false;
  }
  const auto iterations = static_cast<std::int64_t>(state.iterations());
  state.SetBytesProcessed(iterations * static_cast<std::int64_t>(set.total_bytes));
  state.SetItemsProcessed(iterations * static_cast<std::int64_t>(set.jobs.size()));
  const double jobs = static_cast<double>(set.jobs.size());
  const double total = static_cast<double>(set.total_bytes);
  state.counters[std::string(fields::kWorkers)] = workers;
  state.counters[std::string(fields::kJobs)] = jobs;
  state.counters[std::string(fields::kTotalBytes)] = total;
  state.counters[std::string(fields::kJobBytes)] = total / jobs;
  return true;
}

}  // namespace bench
