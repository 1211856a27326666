// Worker-count and job-size sweeps of the book's CPU-bound jobs (ARCFOUR and SHA-256):
// the sequential baseline, ThreadPoolExecutor and ProcessPoolExecutor, and peers doing the
// same jobs (OpenMP, oneTBB, Boost.Asio thread_pool, std::async), plus pool start-up rows.
// bench/README.md explains the method; tools/report turns the JSON record into CSV and plots.
//
// Its own flags are listed in program() below and by --help; the rest go to Google Benchmark,
// with 5 interleaved repetitions unless the command line says otherwise.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <semaphore>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "bench_main.hpp"
#include "cli/cli.hpp"
#include "futures/futures.hpp"
#include "jobs/jobs.hpp"

#ifdef FUTURES_BENCH_HAVE_OPENMP
#include <omp.h>
#endif
#ifdef FUTURES_BENCH_HAVE_TBB
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>
#endif
#ifdef FUTURES_BENCH_HAVE_ASIO
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Configuration

struct Config {
  std::vector<int> workers{1, 2, 4, 8};
  double scale = 32;
  int iterations = 1;
  int granularity_iterations = 2;
  int granularity_workers = 2;
  std::size_t granularity_bytes = std::size_t{64} << 20;
  std::vector<std::size_t> granularity_sizes{1 << 10,   4 << 10, 16 << 10, 64 << 10,
                                             256 << 10, 1 << 20, 4 << 20};
  bool peers = true;
  bool startup = true;
};

// The comma-separated worker counts of --workers, sorted, without duplicates.
std::vector<int> parse_worker_list(std::string_view text) {
  std::vector<int> out;
  try {
    std::size_t from = 0;
    for (;;) {
      const std::size_t comma = text.find(',', from);
      out.push_back(cli::parse_int("--workers", text.substr(from, comma - from), 1, 1024));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
  } catch (const cli::UsageError&) {
    throw cli::UsageError(cli::invalid("--workers", text) +
                          "expected a comma-separated list of integers from 1 to 1024");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bench::Program program(Config& config) {
  auto integer = [](std::string name, int lo, int hi, int& target) {
    return [name = std::move(name), lo, hi, &target](std::string_view v) {
      target = cli::parse_int(name, v, lo, hi);
    };
  };
  return {
      .name = "sweep_bench",
      .summary =
          "The job-set sweeps: ARCFOUR and SHA-256 jobs, sequential and on each "
          "executor, across worker counts and job sizes.",
      .flags = {{"--workers", "LIST", "worker counts, comma-separated, 1 to 1024 (default 1,2,4,8)",
                 [&config](std::string_view v) { config.workers = parse_worker_list(v); }},
                {"--scale", "X",
                 "job-set size factor: the book's job sizes times X, 0.001 to 10000 (default 32)",
                 [&config](std::string_view v) {
                   config.scale = cli::parse_number("--scale", v, 1e-3, 1e4);
                 }},
                {"--iterations", "N",
                 "iterations per repetition of a job-set row, 1 to 1000000 (default 1)",
                 integer("--iterations", 1, 1'000'000, config.iterations)},
                {"--granularity_workers", "N",
                 "workers of the job-size sweep, 0 (no sweep) to 1024 (default 2)",
                 integer("--granularity_workers", 0, 1024, config.granularity_workers)},
                {"--granularity_mib", "X",
                 "total bytes of the job-size sweep in MiB, 4 to 65536 (default 64)",
                 [&config](std::string_view v) {
                   config.granularity_bytes = static_cast<std::size_t>(
                       cli::parse_number("--granularity_mib", v, 4, 65536) * (1 << 20));
                 }},
                {"--granularity_iterations", "N",
                 "iterations per repetition of a job-size row, 1 to 1000000 (default 2)",
                 integer("--granularity_iterations", 1, 1'000'000, config.granularity_iterations)},
                {"--no_peers", "", "leave out the OpenMP, oneTBB, Asio and std::async rows",
                 [&config](std::string_view) { config.peers = false; }},
                {"--no_startup", "", "leave out the pool start-up rows",
                 [&config](std::string_view) { config.startup = false; }}},
      .defaults = {"--benchmark_repetitions=5", "--benchmark_enable_random_interleaving=true"}};
}

// ---------------------------------------------------------------------------------------------
// Job sets

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
std::uint64_t fold(std::size_t size) { return size; }
std::uint64_t fold(const std::string& digest) {
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

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

JobSet book_set(Workload workload, double scale) {
  JobSet set{workload, {}, 0, std::nullopt};
  const jobs::JobSetOptions options{.count = 12, .scale = scale};
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

// The expected checksum, computed on first use (outside any timed region).
std::uint64_t expected_of(JobSet& set) {
  if (!set.expected) set.expected = run_sequential(set);
  return *set.expected;
}

// Submits every job of the set to an executor of this library and folds the results.
template <class Pool>
std::uint64_t run_on_pool(Pool& pool, const JobSet& set) {
  std::uint64_t sum = 0;
  if (set.workload == Workload::arcfour) {
    std::vector<futures::Future<std::size_t>> fs;
    fs.reserve(set.jobs.size());
    for (const Job& j : set.jobs) {
      fs.push_back(
          pool.submit(&jobs::arcfour_test, j.size, std::string(jobs::kArcfourKey), j.seed));
    }
    for (const auto& f : fs) sum += fold(f.result());
  } else {
    std::vector<futures::Future<std::string>> fs;
    fs.reserve(set.jobs.size());
    for (const Job& j : set.jobs) fs.push_back(pool.submit(&jobs::sha_job, j.size, j.seed));
    for (const auto& f : fs) sum += fold(f.result());
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting. Worker processes of a ProcessPoolExecutor are grandchildren of this process
// (a fork server forks them) that are still alive when a row ends, so neither
// RUSAGE_SELF nor RUSAGE_CHILDREN sees their time: the CPU time of the whole process tree is
// this process's RUSAGE_SELF plus utime + stime of every live descendant in /proc. The
// machine-wide busy time from /proc/stat is recorded beside it, to show what other programs
// took from the machine during the row.

struct CpuSample {
  double tree_seconds = 0;     // this process and its live descendants
  double machine_seconds = 0;  // every CPU of the machine, busy (not idle, iowait or steal)
  double steal_seconds = 0;    // every CPU of the machine, taken by the hypervisor
  std::chrono::steady_clock::time_point at;
};

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double descendants_cpu_seconds() {
  struct Proc {
    long ppid;
    double seconds;
  };
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::map<long, Proc> procs;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return 0;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream in("/proc/" + std::string(entry->d_name) + "/stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    const auto paren = line.rfind(')');  // the command name may hold spaces and parentheses
    if (paren == std::string::npos) continue;
    std::istringstream fields(line.substr(paren + 2));
    std::string state;
    long ppid = 0;
    fields >> state >> ppid;
    std::string skip;
    for (int k = 0; k < 9; ++k) fields >> skip;  // fields 5 to 13
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    fields >> utime >> stime;
    procs[pid] = {ppid, static_cast<double>(utime + stime) / ticks};
  }
  closedir(dir);
  std::set<long> tree{static_cast<long>(getpid())};
  double total = 0;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, proc] : procs) {
      if (!tree.contains(pid) && tree.contains(proc.ppid)) {
        tree.insert(pid);
        total += proc.seconds;
        grew = true;
      }
    }
  }
  return total;
}

// Busy and stolen seconds of all CPUs, from the first line of /proc/stat.
std::pair<double, double> machine_seconds() {
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  return {static_cast<double>(user + nice + system + irq + softirq) / ticks,
          static_cast<double>(steal) / ticks};
}

CpuSample sample_cpu() {
  CpuSample s;
  s.tree_seconds = self_cpu_seconds() + descendants_cpu_seconds();
  std::tie(s.machine_seconds, s.steal_seconds) = machine_seconds();
  s.at = std::chrono::steady_clock::now();
  return s;
}

// Times a job set: `run` does the whole set once and returns the checksum. Records the
// counters the report reads.
template <class Run>
void time_set(benchmark::State& state, JobSet& set, int workers, Run&& run) {
  const std::uint64_t expected = expected_of(set);
  std::uint64_t got = expected;
  const CpuSample before = sample_cpu();
  for (auto _ : state) {
    got = run();
    benchmark::DoNotOptimize(got);
  }
  const CpuSample after = sample_cpu();
  if (got != expected) {
    const std::string message =
        "the results differ from the sequential run's: " + std::to_string(got) +
        " != " + std::to_string(expected);
    state.SkipWithError(message.c_str());
    return;
  }
  const auto iterations = static_cast<std::int64_t>(state.iterations());
  const double wall = std::chrono::duration<double>(after.at - before.at).count();
  state.SetBytesProcessed(iterations * static_cast<std::int64_t>(set.total_bytes));
  state.SetItemsProcessed(iterations * static_cast<std::int64_t>(set.jobs.size()));
  const double jobs = static_cast<double>(set.jobs.size());
  const double total = static_cast<double>(set.total_bytes);
  state.counters["workers"] = workers;
  state.counters["jobs"] = jobs;
  state.counters["total_bytes"] = total;
  state.counters["job_bytes"] = total / jobs;
  state.counters["cores_busy"] = (after.tree_seconds - before.tree_seconds) / wall;
  state.counters["machine_busy"] = (after.machine_seconds - before.machine_seconds) / wall;
  state.counters["machine_steal"] = (after.steal_seconds - before.steal_seconds) / wall;
}

// ---------------------------------------------------------------------------------------------
// Executors. Pools are built outside the timed region and warmed up; thread pools start their
// threads lazily, so every worker is made to start before timing begins.

// Process pools are forked first thing in main(), while this process has a single thread.
std::map<int, std::unique_ptr<futures::ProcessPoolExecutor>>& process_pools() {
  static std::map<int, std::unique_ptr<futures::ProcessPoolExecutor>> pools;
  return pools;
}

void warm_up(futures::ThreadPoolExecutor& pool, int workers) {
  std::latch all_started(workers);
  std::vector<futures::Future<void>> fs;
  for (int k = 0; k < workers; ++k)
    fs.push_back(pool.submit([&] { all_started.arrive_and_wait(); }));
  for (const auto& f : fs) f.result();
}

void warm_up(futures::ProcessPoolExecutor& pool, int workers) {
  std::vector<futures::Future<int>> fs;
  for (int k = 0; k < workers; ++k)
    fs.push_back(pool.submit(
        +[](int x) { return x; }, k));
  for (const auto& f : fs) f.result();
}

enum class Executor { sequential, thread, process, openmp, tbb, asio, std_async };

struct ExecutorInfo {
  Executor executor;
  const char* name;  // BM_<name>_<Workload>
  bool peer;
};

constexpr ExecutorInfo kExecutors[] = {
    {Executor::sequential, "Sequential", false},
    {Executor::thread, "ThreadPool", false},
    {Executor::process, "ProcessPool", false},
#ifdef FUTURES_BENCH_HAVE_OPENMP
    {Executor::openmp, "OpenMP", true},
#endif
#ifdef FUTURES_BENCH_HAVE_TBB
    {Executor::tbb, "TBB", true},
#endif
#ifdef FUTURES_BENCH_HAVE_ASIO
    {Executor::asio, "Asio", true},
#endif
    {Executor::std_async, "StdAsync", true},
};

void run_row(benchmark::State& state, Executor executor, JobSet& set, int workers) {
  switch (executor) {
    case Executor::sequential:
      time_set(state, set, 1, [&] { return run_sequential(set); });
      return;
    case Executor::thread: {
      futures::ThreadPoolExecutor pool(workers);
      warm_up(pool, workers);
      time_set(state, set, workers, [&] { return run_on_pool(pool, set); });
      return;
    }
    case Executor::process: {
      auto& pool = *process_pools().at(workers);
      warm_up(pool, workers);
      time_set(state, set, workers, [&] { return run_on_pool(pool, set); });
      return;
    }
    case Executor::openmp:
#ifdef FUTURES_BENCH_HAVE_OPENMP
    {
#pragma omp parallel num_threads(workers)
      benchmark::DoNotOptimize(omp_get_thread_num());
      time_set(state, set, workers, [&] {
        // An atomic rather than reduction(+ : sum): g++ 12 at -O3 returned 0 from the
        // reduction inside this lambda.
        const auto n = static_cast<long>(set.jobs.size());
        std::atomic<std::uint64_t> sum{0};
#pragma omp parallel for num_threads(workers) schedule(dynamic, 1)
        for (long k = 0; k < n; ++k) {
          sum += run_job(set.workload, set.jobs[static_cast<std::size_t>(k)]);
        }
        return sum.load();
      });
    }
#endif
      return;
    case Executor::tbb:
#ifdef FUTURES_BENCH_HAVE_TBB
    {
      // Without this, oneTBB caps its threads at the number of CPUs.
      tbb::global_control allow(tbb::global_control::max_allowed_parallelism,
                                static_cast<std::size_t>(workers));
      tbb::task_arena arena(workers);
      arena.initialize();
      time_set(state, set, workers, [&] {
        std::atomic<std::uint64_t> sum{0};
        arena.execute([&] {
          tbb::parallel_for(
              tbb::blocked_range<std::size_t>(0, set.jobs.size(), 1),
              [&](const tbb::blocked_range<std::size_t>& r) {
                for (std::size_t k = r.begin(); k != r.end(); ++k) {
                  sum += run_job(set.workload, set.jobs[k]);
                }
              },
              tbb::simple_partitioner());
        });
        return sum.load();
      });
    }
#endif
      return;
    case Executor::asio:
#ifdef FUTURES_BENCH_HAVE_ASIO
    {
      boost::asio::thread_pool pool(static_cast<std::size_t>(workers));
      time_set(state, set, workers, [&] {
        std::atomic<std::uint64_t> sum{0};
        std::latch done(static_cast<std::ptrdiff_t>(set.jobs.size()));
        for (const Job& job : set.jobs) {
          boost::asio::post(pool, [&, job] {
            sum += run_job(set.workload, job);
            done.count_down();
          });
        }
        done.wait();
        return sum.load();
      });
      pool.join();
    }
#endif
      return;
    case Executor::std_async:
      // One std::async thread per job, at most `workers` of them running at a time.
      time_set(state, set, workers, [&] {
        std::counting_semaphore<1024> slots(workers);
        std::vector<std::future<std::uint64_t>> fs;
        fs.reserve(set.jobs.size());
        for (const Job& job : set.jobs) {
          slots.acquire();
          fs.push_back(std::async(std::launch::async, [&, job] {
            const std::uint64_t r = run_job(set.workload, job);
            slots.release();
            return r;
          }));
        }
        std::uint64_t sum = 0;
        for (auto& f : fs) sum += f.get();
        return sum;
      });
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Progress: every row has a fixed iteration count, so Google Benchmark calls a row's function
// once per repetition, and the calls can be counted. (Its reporters hear of a row only after
// the row's last repetition, which random interleaving puts near the end.)

struct Progress {
  std::size_t total = 0;
  std::size_t started = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

Progress& progress() {
  static Progress p;
  return p;
}

void report_progress(const std::string& name) {
  Progress& p = progress();
  ++p.started;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - p.start).count();
  std::fprintf(stderr, "[%zu/%zu] %s (%zu left, %.0f s so far)\n", p.started, p.total, name.c_str(),
               p.total > p.started ? p.total - p.started : 0, elapsed);
}

// ---------------------------------------------------------------------------------------------
// Pool start-up: construct, run one empty task per worker (so that every thread or process
// exists), shut down. Reported per pool.

constexpr int kStartupIterations = 5;

void BM_Startup_ThreadPool(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    futures::ThreadPoolExecutor pool(workers);
    warm_up(pool, workers);
  }
}

void BM_Startup_ProcessPool(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    futures::ProcessPoolExecutor pool(workers);
    warm_up(pool, workers);
  }
}

// ---------------------------------------------------------------------------------------------
// Registration and progress

std::vector<std::unique_ptr<JobSet>>& job_sets() {
  static std::vector<std::unique_ptr<JobSet>> sets;
  return sets;
}

const char* workload_name(Workload w) { return w == Workload::arcfour ? "Arcfour" : "Sha"; }

std::vector<std::string> register_all(const Config& config) {
  std::vector<std::string> names;
  auto add = [&](const ExecutorInfo& info, Workload workload, JobSet& set, int workers,
                 std::optional<std::size_t> job_bytes) {
    std::string name = std::string("BM_") + info.name + "_" + workload_name(workload);
    std::string shown = name + "/workers:" + std::to_string(workers);
    if (job_bytes) shown += "/job_bytes:" + std::to_string(*job_bytes);
    auto* b = benchmark::RegisterBenchmark(
        name.c_str(), [executor = info.executor, &set, workers, shown](benchmark::State& state) {
          report_progress(shown);
          run_row(state, executor, set, workers);
        });
    b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
    const int iterations = job_bytes ? config.granularity_iterations : config.iterations;
    if (job_bytes) {
      b->ArgNames({"workers", "job_bytes"})->Args({workers, static_cast<std::int64_t>(*job_bytes)});
    } else {
      b->ArgNames({"workers"})->Arg(workers);
    }
    b->Iterations(iterations);
    // The name as Google Benchmark spells it, for counting what the filter selects.
    names.push_back(shown + "/iterations:" + std::to_string(iterations) +
                    "/process_time/real_time");
  };

  for (Workload workload : {Workload::arcfour, Workload::sha}) {
    auto& set =
        *job_sets().emplace_back(std::make_unique<JobSet>(book_set(workload, config.scale)));
    for (const ExecutorInfo& info : kExecutors) {
      if (info.peer && !config.peers) continue;
      if (info.executor == Executor::sequential) {
        add(info, workload, set, 1, std::nullopt);
        continue;
      }
      for (int w : config.workers) add(info, workload, set, w, std::nullopt);
    }
  }

  if (config.granularity_workers > 0) {
    for (std::size_t bytes : config.granularity_sizes) {
      auto& set = *job_sets().emplace_back(
          std::make_unique<JobSet>(uniform_set(Workload::sha, bytes, config.granularity_bytes)));
      for (const ExecutorInfo& info : kExecutors) {
        if (info.peer) continue;
        const int w = info.executor == Executor::sequential ? 1 : config.granularity_workers;
        add(info, Workload::sha, set, w, bytes);
      }
    }
  }

  if (config.startup) {
    for (auto* fn : {&BM_Startup_ThreadPool, &BM_Startup_ProcessPool}) {
      const std::string name =
          fn == &BM_Startup_ThreadPool ? "BM_Startup_ThreadPool" : "BM_Startup_ProcessPool";
      for (int w : config.workers) {
        const std::string shown = name + "/workers:" + std::to_string(w);
        auto* b = benchmark::RegisterBenchmark(name.c_str(), [fn, shown](benchmark::State& state) {
          report_progress(shown);
          fn(state);
        });
        b->ArgNames({"workers"})->Arg(w)->UseRealTime()->Unit(benchmark::kMicrosecond);
        b->Iterations(kStartupIterations);
        names.push_back(shown + "/iterations:" + std::to_string(kStartupIterations) + "/real_time");
      }
    }
  }
  return names;
}

// How many runs the filter selects, as Google Benchmark matches it (a regular expression,
// negated by a leading '-'), times the repetitions.
std::size_t count_runs(const std::vector<std::string>& names,
                       const std::vector<std::string>& flags) {
  std::string filter;
  long repetitions = 1;
  for (const std::string_view arg : flags) {
    if (arg.starts_with("--benchmark_filter=")) filter = arg.substr(19);
    if (arg.starts_with("--benchmark_repetitions=")) {
      repetitions = std::strtol(std::string(arg.substr(24)).c_str(), nullptr, 10);
    }
  }
  bool negate = false;
  if (!filter.empty() && filter[0] == '-') {
    negate = true;
    filter.erase(0, 1);
  }
  if (filter.empty() || filter == "all") filter = ".";
  std::size_t n = 0;
  try {
    const std::regex re(filter, std::regex::extended);
    for (const auto& name : names) n += std::regex_search(name, re) != negate ? 1 : 0;
  } catch (const std::regex_error&) {
    n = names.size();
  }
  return n * static_cast<std::size_t>(std::max(1L, repetitions));
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  const bench::Program sweep = program(config);
  const std::vector<std::string> flags = bench::initialize(sweep, argc, argv);

  // Fork the process pools while this process has one thread.
  std::set<int> pool_sizes(config.workers.begin(), config.workers.end());
  if (config.granularity_workers > 0) pool_sizes.insert(config.granularity_workers);
  for (int w : pool_sizes) {
    process_pools()[w] = std::make_unique<futures::ProcessPoolExecutor>(w);
  }

  const auto names = register_all(config);
  progress().total = count_runs(names, flags);
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("sweep_scale", std::to_string(config.scale));
  return bench::run_benchmarks(sweep.name, flags);
}
