#include "job_program.hpp"

#include <algorithm>
#include <thread>

#include "cli/cli.hpp"

namespace examples {

using cli::CommandLine;
using cli::parse_choice;
using cli::parse_int;
using cli::parse_number;
using cli::split_command_line;

int cpu_count() noexcept {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

JobProgramArgs parse_job_program_args(int argc, const char* const* argv) {
  const std::string jobs_accepted = "an integer from 1 to " + std::to_string(kMaxJobs);
  const CommandLine cl = split_command_line(argc, argv,
                                            {{"--executor", "thread or process"},
                                             {"--scale", "a number from 0.001 to 100"},
                                             {"--jobs", jobs_accepted}},
                                            "WORKERS");
  JobProgramArgs args;
  if (cl.help) {
    args.help = true;
    return args;
  }
  if (auto it = cl.options.find("--executor"); it != cl.options.end()) {
    args.executor = parse_choice("--executor", it->second, {"thread", "process"}) == "thread"
                        ? ExecutorKind::thread
                        : ExecutorKind::process;
  }
  if (auto it = cl.options.find("--scale"); it != cl.options.end()) {
    args.job_set.scale = parse_number("--scale", it->second, kMinScale, kMaxScale);
  }
  if (auto it = cl.options.find("--jobs"); it != cl.options.end()) {
    args.job_set.count = parse_int("--jobs", it->second, 1, kMaxJobs);
  }
  const bool threads = args.executor == ExecutorKind::thread;
  const int max_workers = threads ? kMaxThreadWorkers : kMaxProcessWorkers;
  if (cl.positional) {
    args.workers = parse_int(
        "WORKERS", *cl.positional, 1, max_workers,
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
