// Worker-count and job-size sweeps of the book's CPU-bound jobs (ARCFOUR and SHA-256):
// the sequential baseline, ThreadPoolExecutor and ProcessPoolExecutor, and peers doing the
// same jobs (OpenMP, oneTBB, Boost.Asio thread_pool, std::async), plus pool start-up rows.
// bench/README.md explains the method; tools/report turns the JSON record into CSV and plots.
//
// Its own flags are listed in program() below and by --help; the rest go to Google Benchmark.
// Rows run in rounds (bench/rounds.hpp), 9 unless the command line says otherwise; every
// job-set row is paired, round by round, with the sequential row of its job set. The job sets,
// and how a pool of this library runs one, are in bench/job_sets.hpp.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <semaphore>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench_main.hpp"
#include "cli/cli.hpp"
#include "futures/futures.hpp"
#include "job_sets.hpp"
#include "jobs/jobs.hpp"
#include "report/fields.hpp"
#include "rounds.hpp"
#include "row_sample.hpp"

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

using bench::book_set;
using bench::Collect;
using bench::expected_of;
using bench::Job;
using bench::JobSet;
using bench::run_job;
using bench::run_on_pool;
using bench::run_sequential;
using bench::uniform_set;
using bench::Workload;

// ---------------------------------------------------------------------------------------------
// Configuration

// Which rows this process runs. A fork leaves every page of this process copy-on-write, so a
// row that runs after one pays a page fault for each page it writes first: the rows that fork
// run in processes of their own when run_bench.sh asks for the parts one at a time.
enum class Part {
  all,              // every row; the process pools forked first thing
  threads,          // the rows that fork nothing: sequential, thread pool, peers, thread start-up
  processes,        // the process-pool rows and the sequential rows they are paired with
  process_startup,  // the process-pool start-up rows, which fork new pools all along
};

struct Config {
  Part part = Part::all;
  Collect collect = Collect::in_order;
  std::vector<int> workers{1, 2, 4, 8};
  double scale = 16;
  int jobs = 12;  // the book's JOBS
  int iterations = 1;
  int granularity_iterations = 2;
  int granularity_workers = 2;
  std::size_t granularity_bytes = std::size_t{64} << 20;
  std::vector<std::size_t> granularity_sizes{1 << 10,   4 << 10, 16 << 10, 64 << 10,
                                             256 << 10, 1 << 20, 4 << 20};
  bool peers = true;
  bool startup = true;
};

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
                 [&config](std::string_view v) { config.workers = bench::parse_worker_list(v); }},
                {"--scale", "X",
                 "job-set size factor: the book's job sizes times X, 0.001 to 10000 (default 16)",
                 [&config](std::string_view v) {
                   config.scale = cli::parse_number("--scale", v, 1e-3, 1e4);
                 }},
                {"--jobs", "N",
                 "jobs per job set, 1 to 10000 (default 12, the book's); with more cores than "
                 "jobs the largest job bounds the speedup",
                 integer("--jobs", 1, 10'000, config.jobs)},
                {"--iterations", "N",
                 "iterations per repetition of a job-set row, 1 to 1000000 (default 1)",
                 integer("--iterations", 1, 1'000'000, config.iterations)},
                {"--granularity-workers", "N",
                 "workers of the job-size sweep, 0 (no sweep) to 1024 (default 2)",
                 integer("--granularity-workers", 0, 1024, config.granularity_workers)},
                {"--granularity-mib", "X",
                 "total bytes of the job-size sweep in MiB, 4 to 65536 (default 64)",
                 [&config](std::string_view v) {
                   config.granularity_bytes = static_cast<std::size_t>(
                       cli::parse_number("--granularity-mib", v, 4, 65536) * (1 << 20));
                 }},
                {"--granularity-iterations", "N",
                 "iterations per repetition of a job-size row, 1 to 1000000 (default 2)",
                 integer("--granularity-iterations", 1, 1'000'000, config.granularity_iterations)},
                {"--no-peers", "", "leave out the OpenMP, oneTBB, Asio and std::async rows",
                 [&config](std::string_view) { config.peers = false; }},
                {"--no-startup", "", "leave out the pool start-up rows",
                 [&config](std::string_view) { config.startup = false; }},
                {"--collect", "HOW",
                 "how the pool rows take a set's results: in-order (each result() in "
                 "submission order) or wait (futures::wait() on the set, then each result) "
                 "(default in-order)",
                 [&config](std::string_view v) {
                   config.collect =
                       cli::parse_choice("--collect", v, {"in-order", "wait"}) == "wait"
                           ? Collect::wait
                           : Collect::in_order;
                 }},
                {"--part", "NAME",
                 "the rows of one process: all; threads (no fork); processes (process pools "
                 "and their sequential rows); process_startup (default all)",
                 [&config](std::string_view v) {
                   const std::string part = cli::parse_choice(
                       "--part", v, {"all", "threads", "processes", "process_startup"});
                   config.part = part == "threads"     ? Part::threads
                                 : part == "processes" ? Part::processes
                                 : part == "all"       ? Part::all
                                                       : Part::process_startup;
                 }}},
      .defaults = {"--benchmark_repetitions=9"},
      .baseline = {}};
}

// ---------------------------------------------------------------------------------------------
// Timing a job set

const char* workload_label(Workload w) { return w == Workload::arcfour ? "arcfour" : "sha"; }

// "executor=thread workload=arcfour": what the row is, for the report.
std::string row_label(std::string_view executor, Workload workload) {
  return std::string(fields::kExecutor) + "=" + std::string(executor) + " " +
         std::string(fields::kWorkload) + "=" + workload_label(workload);
}

// Times a job set: `run` does the whole set once and returns the checksum. Records the
// counters the report reads: the set's size, the process tree's CPU time and page faults, the
// machine's busy and stolen time, and the canary (bench/row_sample.hpp).
template <class Run>
void time_set(benchmark::State& state, JobSet& set, int workers, Run&& run) {
  const std::uint64_t expected = expected_of(set);
  std::uint64_t got = expected;
  const bench::RowSample sample;
  for (auto _ : state) {
    got = run();
    benchmark::DoNotOptimize(got);
  }
  sample.finish(state);
  finish_job_set_row(state, set, workers, got);
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
  const char* name;   // BM_<name>_<Workload>
  const char* label;  // the row's executor= in its label, as the report names it
  bool peer;
};

constexpr ExecutorInfo kExecutors[] = {
    {Executor::sequential, "Sequential", "sequential", false},
    {Executor::thread, "ThreadPool", "thread", false},
    {Executor::process, "ProcessPool", "process", false},
#ifdef FUTURES_BENCH_HAVE_OPENMP
    {Executor::openmp, "OpenMP", "openmp", true},
#endif
#ifdef FUTURES_BENCH_HAVE_TBB
    {Executor::tbb, "TBB", "tbb", true},
#endif
#ifdef FUTURES_BENCH_HAVE_ASIO
    {Executor::asio, "Asio", "asio", true},
#endif
    {Executor::std_async, "StdAsync", "std-async", true},
};

void run_row(benchmark::State& state, Executor executor, JobSet& set, int workers,
             Collect collect) {
  switch (executor) {
    case Executor::sequential:
      time_set(state, set, 1, [&] { return run_sequential(set); });
      return;
    case Executor::thread: {
      futures::ThreadPoolExecutor pool(workers);
      warm_up(pool, workers);
      time_set(state, set, workers, [&] { return run_on_pool(pool, set, collect); });
      return;
    }
    case Executor::process: {
      auto& pool = *process_pools().at(workers);
      warm_up(pool, workers);
      time_set(state, set, workers, [&] { return run_on_pool(pool, set, collect); });
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
// Pool start-up: construct, run one trivial task per worker to completion (so that every
// thread or process exists), shut down and wait. The region bench/python/cpython_bench.py's
// start-up rows time. Reported per pool (real time) and per worker (seconds_per_task).

constexpr int kStartupIterations = 5;

template <class Pool>
void time_startup(benchmark::State& state, const char* executor) {
  const int workers = static_cast<int>(state.range(0));
  const bench::RowSample sample;
  for (auto _ : state) {
    Pool pool(workers);
    warm_up(pool, workers);
    pool.shutdown(true);
  }
  sample.finish(state);
  state.SetLabel(std::string(fields::kExecutor) + "=" + executor);
  state.counters[std::string(fields::kWorkers)] = workers;
  state.counters[std::string(fields::kSecondsPerTask)] =
      benchmark::Counter(static_cast<double>(state.iterations() * workers),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Startup_ThreadPool(benchmark::State& state) {
  time_startup<futures::ThreadPoolExecutor>(state, "thread");
}

void BM_Startup_ProcessPool(benchmark::State& state) {
  time_startup<futures::ProcessPoolExecutor>(state, "process");
}

// ---------------------------------------------------------------------------------------------
// Registration

std::vector<std::unique_ptr<JobSet>>& job_sets() {
  static std::vector<std::unique_ptr<JobSet>> sets;
  return sets;
}

// Each job-set row's run name -> the run name of the sequential row of its job set.
std::map<std::string, std::string>& baselines() {
  static std::map<std::string, std::string> names;
  return names;
}

const char* workload_name(Workload w) { return w == Workload::arcfour ? "Arcfour" : "Sha"; }

bool in_part(Part part, Executor executor) {
  switch (part) {
    case Part::all:
      return true;
    case Part::threads:
      return executor != Executor::process;
    case Part::processes:
      return executor == Executor::sequential || executor == Executor::process;
    case Part::process_startup:
      return false;
  }
  return false;
}

// Registers the rows of `config.part`.
void register_all(const Config& config) {
  // Adds a job-set row; returns its run name as Google Benchmark spells it.
  auto add = [&](const ExecutorInfo& info, Workload workload, JobSet& set, int workers,
                 std::optional<std::size_t> job_bytes) {
    std::string name = std::string("BM_") + info.name + "_" + workload_name(workload);
    std::string shown = name + "/workers:" + std::to_string(workers);
    if (job_bytes) shown += "/job_bytes:" + std::to_string(*job_bytes);
    auto* b = benchmark::RegisterBenchmark(
        name.c_str(),
        [info, &set, workers, shown, collect = config.collect](benchmark::State& state) {
          bench::announce_row(shown);
          state.SetLabel(row_label(info.label, set.workload));
          run_row(state, info.executor, set, workers, collect);
        });
    b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
    const int iterations = job_bytes ? config.granularity_iterations : config.iterations;
    if (job_bytes) {
      b->ArgNames({"workers", "job_bytes"})->Args({workers, static_cast<std::int64_t>(*job_bytes)});
    } else {
      b->ArgNames({"workers"})->Arg(workers);
    }
    b->Iterations(iterations);
    return shown + "/iterations:" + std::to_string(iterations) + "/process_time/real_time";
  };
  // Which peers a job set gets: every one, or only the ceilings (OpenMP and oneTBB, which
  // return no futures), or none.
  enum class Peers { all, ceilings, none };
  auto add_set = [&](JobSet& set, const std::vector<int>& workers, Peers peers,
                     std::optional<std::size_t> job_bytes) {
    std::string sequential;
    std::vector<std::string> others;
    for (const ExecutorInfo& info : kExecutors) {
      const bool ceiling = info.executor == Executor::openmp || info.executor == Executor::tbb;
      const bool wanted =
          !info.peer || peers == Peers::all || (peers == Peers::ceilings && ceiling);
      if (!wanted || !in_part(config.part, info.executor)) continue;
      if (info.executor == Executor::sequential) {
        sequential = add(info, set.workload, set, 1, job_bytes);
        continue;
      }
      for (int w : workers) others.push_back(add(info, set.workload, set, w, job_bytes));
    }
    for (const std::string& row : others) baselines()[row] = sequential;
  };

  for (Workload workload : {Workload::arcfour, Workload::sha}) {
    add_set(*job_sets().emplace_back(
                std::make_unique<JobSet>(book_set(workload, config.jobs, config.scale))),
            config.workers, config.peers ? Peers::all : Peers::none, std::nullopt);
  }
  if (config.granularity_workers > 0) {
    for (std::size_t bytes : config.granularity_sizes) {
      add_set(*job_sets().emplace_back(std::make_unique<JobSet>(
                  uniform_set(Workload::sha, bytes, config.granularity_bytes))),
              {config.granularity_workers}, config.peers ? Peers::ceilings : Peers::none, bytes);
    }
  }

  if (!config.startup) return;
  const bool threads = config.part == Part::all || config.part == Part::threads;
  const bool processes = config.part == Part::all || config.part == Part::process_startup;
  for (auto* fn : {&BM_Startup_ThreadPool, &BM_Startup_ProcessPool}) {
    const bool thread = fn == &BM_Startup_ThreadPool;
    if (thread ? !threads : !processes) continue;
    const std::string name = thread ? "BM_Startup_ThreadPool" : "BM_Startup_ProcessPool";
    for (int w : config.workers) {
      const std::string shown = name + "/workers:" + std::to_string(w);
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [fn, shown](benchmark::State& state) {
        bench::announce_row(shown);
        fn(state);
      });
      b->ArgNames({"workers"})->Arg(w)->UseRealTime()->Unit(benchmark::kMicrosecond);
      b->Iterations(kStartupIterations);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  bench::Program sweep = program(config);
  const bench::Settings settings = bench::initialize(sweep, argc, argv);
  if (config.part == Part::process_startup && !config.startup) {
    std::fprintf(stderr,
                 "sweep_bench: invalid --part 'process_startup': --no-startup leaves it no rows "
                 "(expected another part, or no --no-startup)\n");
    return 2;
  }

  // Fork the process pools while this process has little memory (each pool is forked while
  // the ones before it sleep: the library keeps its I/O threads out of the way of a fork).
  if (config.part == Part::all || config.part == Part::processes) {
    std::set<int> pool_sizes(config.workers.begin(), config.workers.end());
    if (config.granularity_workers > 0) pool_sizes.insert(config.granularity_workers);
    for (int w : pool_sizes) {
      process_pools()[w] = std::make_unique<futures::ProcessPoolExecutor>(w);
    }
  }

  register_all(config);
  sweep.baseline = [](const std::string& row) {
    const auto it = baselines().find(row);
    return it == baselines().end() ? std::string() : it->second;
  };
  benchmark::AddCustomContext("sweep_scale", std::to_string(config.scale));
  benchmark::AddCustomContext("sweep_collect",
                              config.collect == Collect::wait ? "wait" : "in-order");
  return bench::run_benchmarks(sweep, settings);
}
