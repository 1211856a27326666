// Fluent Python's sha_futures.py, ported: 12 jobs that each hash 1 MiB of random data with
// SHA-256, submitted to an executor, each hex digest printed as it completes, then the worker
// count and the elapsed time.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "futures/futures.hpp"
#include "job_program.hpp"
#include "jobs/jobs.hpp"

namespace {

constexpr const char* kProgram = "sha_futures";

void print_help() {
  std::printf(
      "usage: %s [WORKERS] [--executor thread|process|mpi] [--scale S] [--jobs N]\n"
      "\n"
      "Fluent Python's sha_futures.py in C++. Submits the book's SHA-256 jobs to a pool of\n"
      "WORKERS: each job makes 1 MiB of random bytes (times --scale) and hashes them with\n"
      "SHA-256. Prints each job's hex digest as it completes (futures::as_completed), then the\n"
      "number of workers and the elapsed time.\n"
      "\n"
      "%s",
      kProgram, examples::job_program_options_help(jobs::kShaJobs).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  examples::JobProgramMpi mpi;
  return cli::run_main(kProgram, [&] {
    if (const std::optional<int> worker_status = mpi.start_if_launched(argc, argv)) {
      return *worker_status;  // a worker rank of mpirun -n N: it served rank 0's pool
    }
    const examples::JobProgramArgs args = examples::parse_job_program_args(argc, argv);
    if (args.help) {
      print_help();
      return 0;
    }
    if (args.executor == examples::ExecutorKind::mpi) mpi.start(argc, argv);
    const std::vector<jobs::ShaJob> job_set = jobs::sha_jobs(args.job_set);
    return examples::run_job_program(
        args,
        [&](auto& executor) {
          std::vector<futures::Future<std::string>> to_do;
          to_do.reserve(job_set.size());
          for (const jobs::ShaJob& job : job_set) {
            to_do.push_back(executor.submit(&jobs::sha_job, job.size, job.seed));
          }
          return to_do;
        },
        [](const std::string& digest) { std::printf("%s\n", digest.c_str()); });
  });
}
