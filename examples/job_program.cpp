#include "job_program.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <thread>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"

namespace examples {

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
  line.option({"--executor", "KIND", "process or thread", "thread or process"}, executor);
  line.option({"--scale", "S", "job size factor", "a number from 0.001 to 100"}, scale);
  line.option({"--jobs", "N", "jobs to submit", "an integer from 1 to " + std::to_string(kMaxJobs)},
              jobs);
  JobProgramArgs args;
  if (!line.parse(argc, argv)) {
    args.help = true;
    return args;
  }
  if (executor) {
    args.executor = cli::parse_choice("--executor", *executor, {"thread", "process"}) == "thread"
                        ? ExecutorKind::thread
                        : ExecutorKind::process;
  }
  if (scale) args.job_set.scale = cli::parse_number("--scale", *scale, kMinScale, kMaxScale);
  if (jobs) args.job_set.count = cli::parse_int("--jobs", *jobs, 1, kMaxJobs);
  const bool threads = args.executor == ExecutorKind::thread;
  const int max_workers = threads ? kMaxThreadWorkers : kMaxProcessWorkers;
  if (workers) {
    args.workers = cli::parse_int(
        "WORKERS", *workers, 1, max_workers,
        threads ? " (the limit for --executor thread)" : " (the limit for --executor process)");
  } else {
    args.workers = std::min(cpu_count(), max_workers);
  }
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
         "  --scale S        multiply every job's size by S, from 0.001 to 100 (default: 1)\n"
         "  --jobs N         submit N jobs, from 1 to " +
         std::to_string(kMaxJobs) + " (default: " + std::to_string(default_jobs) +
         ", as the book)\n"
         "  -h, --help       show this help and exit\n";
}

}  // namespace examples
