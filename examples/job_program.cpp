#include "job_program.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"

namespace examples {

namespace {

// Which bound a WORKERS error names.
std::string_view limit_note(ExecutorKind kind) {
  switch (kind) {
    case ExecutorKind::thread:
      return " (the limit for --executor thread)";
    case ExecutorKind::mpi:
      return " (the limit for --executor mpi)";
    case ExecutorKind::process:
      break;
  }
  return " (the limit for --executor process)";
}

}  // namespace

int cpu_count() noexcept {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

JobProgramArgs parse_job_program_args(int argc, const char* const* argv) {
  std::optional<std::string> workers;
  std::optional<std::string> executor;
  std::optional<std::string> scale;
  std::optional<std::string> jobs;
  cli::CommandLine line(argc > 0 ? argv[0] : "job_program", "");
  line.positional("WORKERS", workers, "workers in the pool");
  line.option({"--executor", "KIND", "process, thread or mpi", "thread, process or mpi"}, executor);
  line.option({"--scale", "S", "job size factor", "a number from 0.001 to 100"}, scale);
  line.option({"--jobs", "N", "jobs to submit", "an integer from 1 to " + std::to_string(kMaxJobs)},
              jobs);
  JobProgramArgs args;
  if (!line.parse(argc, argv)) {
    args.help = true;
    return args;
  }
  if (executor) {
    const std::string kind =
        cli::parse_choice("--executor", *executor, {"thread", "process", "mpi"});
    args.executor = kind == "thread"    ? ExecutorKind::thread
                    : kind == "process" ? ExecutorKind::process
                                        : ExecutorKind::mpi;
  }
  if (scale) args.job_set.scale = cli::parse_number("--scale", *scale, kMinScale, kMaxScale);
  if (jobs) args.job_set.count = cli::parse_int("--jobs", *jobs, 1, kMaxJobs);
  const bool threads = args.executor == ExecutorKind::thread;
  const int max_workers = threads ? kMaxThreadWorkers : kMaxProcessWorkers;
  if (workers) {
    args.workers = cli::parse_int("WORKERS", *workers, 1, max_workers, limit_note(args.executor));
  } else if (args.executor != ExecutorKind::mpi) {
    args.workers = std::min(cpu_count(), max_workers);
  }
#if !FUTURES_EXAMPLES_HAVE_MPI
  if (args.executor == ExecutorKind::mpi) {
    throw cli::UsageError(
        "--executor mpi: this build has no MPI (futures::mpi is built where CMake finds MPI: "
        "install libopenmpi-dev and configure again)");
  }
#endif
  return args;
}

std::string job_program_options_help(int default_jobs) {
  return "arguments:\n"
         "  WORKERS          workers in the pool: 1 to " +
         std::to_string(kMaxProcessWorkers) + " processes, or 1 to " +
         std::to_string(kMaxThreadWorkers) +
         " threads\n"
         "                   (default: the number of CPUs, here " +
         std::to_string(cpu_count()) +
         ")\n"
         "\n"
         "options:\n"
         "  --executor KIND  process: a futures::ProcessPoolExecutor, as the book (default)\n"
         "                   thread:  a futures::ThreadPoolExecutor\n"
         "                   mpi:     a futures::MPIPoolExecutor over the ranks of\n"
         "                            `mpirun -n N PROGRAM --executor mpi`: rank 0 runs the\n"
         "                            program, ranks 1..N-1 the jobs (WORKERS: at most N-1,\n"
         "                            default all)" +
         std::string(FUTURES_EXAMPLES_HAVE_MPI ? "" : " (not in this build: no MPI)") +
         "\n"
         "  --scale S        multiply every job's size by S, from 0.001 to 100 (default: 1)\n"
         "  --jobs N         submit N jobs, from 1 to " +
         std::to_string(kMaxJobs) + " (default: " + std::to_string(default_jobs) +
         ", as the book)\n"
         "  -h, --help       show this help and exit\n";
}

std::optional<int> JobProgramMpi::start_if_launched(int& argc, char**& argv) {
#if FUTURES_EXAMPLES_HAVE_MPI
  if (!futures::MPIRuntime::launched_by_mpirun()) return std::nullopt;
  runtime_.emplace(argc, argv);
  if (runtime_->is_worker()) return runtime_->serve();
#else
  static_cast<void>(argc);
  static_cast<void>(argv);
#endif
  return std::nullopt;
}

void JobProgramMpi::start(int& argc, char**& argv) {
#if FUTURES_EXAMPLES_HAVE_MPI
  if (!runtime_) runtime_.emplace(argc, argv);
#else
  static_cast<void>(argc);
  static_cast<void>(argv);
#endif
}

}  // namespace examples
