// What arcfour_futures and sha_futures share: their command line ([WORKERS] --executor
// --scale --jobs), their MPI session (--executor mpi, under mpirun), and the book's main():
// submit the jobs, print each result as it completes, then "<n> workers, elapsed time: <s>s".
#ifndef EXAMPLES_JOB_PROGRAM_HPP_
#define EXAMPLES_JOB_PROGRAM_HPP_

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "futures/futures.hpp"
#include "jobs/jobs.hpp"
#if FUTURES_EXAMPLES_HAVE_MPI
#include "futures/mpi.hpp"
#endif

namespace examples {

// Upper bounds on WORKERS: enough to oversubscribe any machine, few enough not to exhaust it.
inline constexpr int kMaxThreadWorkers = 4096;
inline constexpr int kMaxProcessWorkers = 1024;
// Bounds on --scale and --jobs.
inline constexpr double kMinScale = 0.001;
inline constexpr double kMaxScale = 100;
inline constexpr int kMaxJobs = 10000;

enum class ExecutorKind { process, thread, mpi };

struct JobProgramArgs {
  bool help = false;  // print the help and exit; nothing else is set
  // Checked against the executor's bound; default: the number of CPUs (for mpi, unset: every
  // worker rank).
  std::optional<int> workers;
  ExecutorKind executor = ExecutorKind::process;
  jobs::JobSetOptions job_set;  // count and scale from --jobs and --scale
};

// The number of CPUs, as the default WORKERS.
int cpu_count() noexcept;

// Parses "[WORKERS] [--executor thread|process|mpi] [--scale S] [--jobs N]" or --help.
// Throws cli::UsageError naming the bad value and what is accepted (and for mpi in a build
// without MPI).
JobProgramArgs parse_job_program_args(int argc, const char* const* argv);

// The help shared by both programs, after a program's own description: the arguments, the
// options and their defaults. `default_jobs` is the book's job count.
std::string job_program_options_help(int default_jobs);

// A job program's MPI session. Under mpirun, start_if_launched() starts MPI before the
// command line is read and the worker ranks serve rank 0's pool; alone, MPI starts only for
// --executor mpi, as a job of one rank, which the pool refuses with a message naming mpirun.
class JobProgramMpi {
 public:
  // Under mpirun: starts MPI; a worker rank serves until rank 0 ends, and gets its exit
  // status back. Rank 0, and a program not under mpirun, get nullopt.
  std::optional<int> start_if_launched(int& argc, char**& argv);
  // For --executor mpi: starts MPI if start_if_launched() did not.
  void start(int& argc, char**& argv);

 private:
#if FUTURES_EXAMPLES_HAVE_MPI
  std::optional<futures::MPIRuntime> runtime_;
#endif
};

// The book's main(): builds the executor that `args` asks for, calls submit_all(executor) for
// a std::vector of futures, prints print(result) for each as it completes, shuts the
// executor down and prints the status line. Returns the exit status. Throws what a job or the
// executor throws (a job's exception is rethrown as soon as its future comes up).
template <class SubmitAll, class Print>
int run_job_program(const JobProgramArgs& args, SubmitAll submit_all, Print print) {
  const auto t0 = std::chrono::steady_clock::now();
  int actual_workers = 0;
  auto body = [&](auto& executor) {
    actual_workers = executor.max_workers();
    const auto to_do = submit_all(executor);
    for (const auto& future : futures::as_completed(to_do)) {
      print(future.result());
      std::fflush(stdout);  // show each result as it arrives, even through a pipe
    }
  };
  if (args.executor == ExecutorKind::process) {
    futures::ProcessPoolExecutor executor(*args.workers);
    body(executor);
  } else if (args.executor == ExecutorKind::thread) {
    futures::ThreadPoolExecutor executor(*args.workers);
    body(executor);
  } else {
#if FUTURES_EXAMPLES_HAVE_MPI
    futures::MPIPoolExecutor executor(futures::MPIPoolOptions{args.workers});
    body(executor);
#endif
  }  // the executor's destructor waits for its workers, like the book's `with` block
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;
  std::printf("%d workers, elapsed time: %.2fs\n", actual_workers, elapsed.count());
  return 0;
}

}  // namespace examples

#endif  // EXAMPLES_JOB_PROGRAM_HPP_
