// MPIPoolExecutor's rows, run under mpirun: `tests/mpi/mpirun.sh N mpi_bench [flags]`. Rank 0
// runs the rows; ranks 1..N-1 serve its pools. The book's job sets (as sweep_bench's, with
// their own sequential rows) on the MPI pool at each worker count, and its overhead rows in
// the shapes of overhead_bench's process pool rows: one trivial task at a time (round trip),
// many submitted then collected, and map with chunksize 100.
//
// Every row records the job's ranks and this machine's CPUs (fields::kRanks, kCpus); the
// report flags a row whose job has more ranks than CPUs as oversubscribed. The process tree
// of every row is mpirun's: all ranks' CPU time counts as the row's own.
//
// --idle=SECONDS measures instead what the pool costs when there is nothing to do: the CPU
// time of rank 0 and of each worker rank while rank 0 holds a pool with no task, then while
// it waits on one task of SECONDS.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_main.hpp"
#include "cli/cli.hpp"
#include "futures/futures.hpp"
#include "futures/mpi.hpp"
#include "job_sets.hpp"
#include "pool_rows.hpp"
#include "proc_sample.hpp"
#include "report/fields.hpp"
#include "row_sample.hpp"

namespace {

using bench::Collect;
using bench::JobSet;
using bench::Workload;

struct Config {
  std::vector<int> workers;  // default: 1 .. ranks - 1
  double scale = 16;
  int jobs = 12;
  std::optional<double> idle_seconds;
};

bench::Program program(Config& config) {
  return {
      .name = "mpi_bench",
      .summary =
          "MPIPoolExecutor under mpirun: the book's job sets across worker ranks, and "
          "the pool's cost per task. Run as `mpirun -n N mpi_bench`.",
      .flags = {{"--workers", "LIST",
                 "worker-rank counts, comma-separated, each at most N-1 (default 1..N-1)",
                 [&config](std::string_view v) { config.workers = bench::parse_worker_list(v); }},
                {"--scale", "X",
                 "job-set size factor: the book's job sizes times X, 0.001 to 10000 (default 16)",
                 [&config](std::string_view v) {
                   config.scale = cli::parse_number("--scale", v, 1e-3, 1e4);
                 }},
                {"--jobs", "N", "jobs per job set, 1 to 10000 (default 12, the book's)",
                 [&config](std::string_view v) {
                   config.jobs = cli::parse_int("--jobs", v, 1, 10'000);
                 }},
                {"--idle", "SECONDS",
                 "instead of the rows: the CPU time of every rank while rank 0's pool idles "
                 "SECONDS, then while it waits SECONDS on one task, 0.1 to 600",
                 [&config](std::string_view v) {
                   config.idle_seconds = cli::parse_number("--idle", v, 0.1, 600);
                 }}},
      .defaults = {"--benchmark_repetitions=9"},
      .baseline = {}};
}

int g_ranks = 1;  // the MPI job's ranks, for every row's counters

// What every row records beside the load: the job's ranks and this machine's CPUs.
void set_job_counters(benchmark::State& state) {
  state.counters[std::string(fields::kRanks)] = g_ranks;
  state.counters[std::string(fields::kCpus)] =
      static_cast<double>(std::thread::hardware_concurrency());
}

std::string row_label(const char* executor, std::optional<Workload> workload) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, wrongly) on the chain of operator+.
  std::string label(fields::kExecutor);
  label += '=';
  label += executor;
  if (workload) {
    label += ' ';
    label += fields::kWorkload;
    label += '=';
    label += *workload == Workload::arcfour ? "arcfour" : "sha";
  }
  return label;
}

// ---------------------------------------------------------------------------------------------
// Job sets

std::vector<std::unique_ptr<JobSet>>& job_sets() {
  static std::vector<std::unique_ptr<JobSet>> sets;
  return sets;
}

// Each MPI row's run name -> its sequential row's.
std::map<std::string, std::string>& baselines() {
  static std::map<std::string, std::string> names;
  return names;
}

// workers == 0: the sequential row.
void time_set(benchmark::State& state, JobSet& set, int workers) {
  const std::uint64_t expected = bench::expected_of(set);
  std::optional<futures::MPIPoolExecutor> pool;
  if (workers > 0) pool.emplace(workers);
  std::uint64_t got = expected;
  const bench::RowSample sample;
  for (auto _ : state) {
    got = pool ? bench::run_on_pool(*pool, set, Collect::in_order) : bench::run_sequential(set);
    benchmark::DoNotOptimize(got);
  }
  sample.finish(state);
  set_job_counters(state);
  bench::finish_job_set_row(state, set, workers > 0 ? workers : 1, got);
}

void register_job_sets(const Config& config) {
  for (Workload workload : {Workload::arcfour, Workload::sha}) {
    JobSet& set = *job_sets().emplace_back(
        std::make_unique<JobSet>(bench::book_set(workload, config.jobs, config.scale)));
    const std::string suffix = workload == Workload::arcfour ? "Arcfour" : "Sha";
    auto add = [&](const char* name, const char* executor, int workers) {
      const std::string base = std::string("BM_") + name + "_" + suffix;
      const std::string shown = base + "/workers:" + std::to_string(workers > 0 ? workers : 1);
      auto* b = benchmark::RegisterBenchmark(
          base.c_str(), [&set, workers, shown, executor, workload](benchmark::State& state) {
            bench::announce_row(shown);
            state.SetLabel(row_label(executor, workload));
            time_set(state, set, workers);
          });
      b->ArgNames({"workers"})->Arg(workers > 0 ? workers : 1);
      b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond)->Iterations(1);
      return shown + "/iterations:1/process_time/real_time";
    };
    const std::string sequential = add("Sequential", "sequential", 0);
    for (int w : config.workers) baselines()[add("MPIPool", "mpi", w)] = sequential;
  }
}

// ---------------------------------------------------------------------------------------------
// Overhead: the shapes of overhead_bench's process pool rows, at 2 worker ranks or fewer.

void finish_overhead_row(benchmark::State& state, std::int64_t tasks,
                         const bench::RowSample& sample) {
  sample.finish(state);
  set_job_counters(state);
  state.SetLabel(row_label("mpi", std::nullopt));
  state.SetItemsProcessed(state.iterations() * tasks);
  state.counters[std::string(fields::kSecondsPerTask)] =
      benchmark::Counter(static_cast<double>(state.iterations() * tasks),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// One trivial task at a time: the round trip through a worker rank.
void BM_MPIPool_RoundTrip(benchmark::State& state) {
  bench::round_trip_row<futures::MPIPoolExecutor>(state, finish_overhead_row);
}

// N trivial tasks submitted, then each result taken.
void BM_MPIPool_SubmitThenResult(benchmark::State& state) {
  bench::submit_then_result_row<futures::MPIPoolExecutor>(state, finish_overhead_row);
}

// map over N integers, `chunksize` items per message.
void BM_MPIPool_Map(benchmark::State& state) {
  bench::map_row<futures::MPIPoolExecutor>(state, finish_overhead_row);
}

void register_overhead(int workers) {
  const std::string w = std::to_string(workers);
  auto announce = [](std::string shown, void (*fn)(benchmark::State&)) {
    return [shown = std::move(shown), fn](benchmark::State& state) {
      bench::announce_row(shown);
      fn(state);
    };
  };
  benchmark::RegisterBenchmark("BM_MPIPool_RoundTrip",
                               announce("BM_MPIPool_RoundTrip/workers:" + w, &BM_MPIPool_RoundTrip))
      ->ArgNames({"workers"})
      ->Arg(workers)
      ->UseRealTime()
      ->MinTime(0.25);
  benchmark::RegisterBenchmark(
      "BM_MPIPool_SubmitThenResult",
      announce("BM_MPIPool_SubmitThenResult/workers:" + w, &BM_MPIPool_SubmitThenResult))
      ->ArgNames({"workers", "tasks"})
      ->Args({workers, 10'000})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(1);
  benchmark::RegisterBenchmark("BM_MPIPool_Map",
                               announce("BM_MPIPool_Map/workers:" + w, &BM_MPIPool_Map))
      ->ArgNames({"workers", "chunksize", "items"})
      ->Args({workers, 100, 1'000'000})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(1);
}

// ---------------------------------------------------------------------------------------------
// --idle

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int nap(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return 0;
}

int measure_idle(double seconds) {
  futures::MPIPoolExecutor pool;
  pool.submit(&nap, 0.0).result();  // the manager thread runs
  double t0 = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  std::printf(
      "mpi_bench: rank 0: %.3f s of CPU in %.1f s holding a pool with no task (%.2f%% of a core)\n",
      cpu_seconds() - t0, seconds, 100 * (cpu_seconds() - t0) / seconds);
  t0 = cpu_seconds();
  pool.submit(&nap, seconds).result();
  const double busy = cpu_seconds() - t0;
  std::printf("mpi_bench: rank 0: %.3f s of CPU in %.1f s waiting on one task (%.2f%% of a core)\n",
              busy, seconds, 100 * busy / seconds);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun the worker ranks serve before anything else; rank 0 reads the command line.
  // Static, so that an exit from initialize() (--help, a bad flag) still ends MPI and lets the
  // worker ranks go.
  static std::optional<futures::MPIRuntime> mpi;
  Config config;
  if (futures::MPIRuntime::launched_by_mpirun()) {
    mpi.emplace(argc, argv);
    if (mpi->is_worker()) {
      const double t0 = cpu_seconds();
      const auto started = std::chrono::steady_clock::now();
      const int status = mpi->serve();
      const std::chrono::duration<double> served = std::chrono::steady_clock::now() - started;
      for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]).starts_with("--idle")) {
          std::printf("mpi_bench: rank %d: %.3f s of CPU in %.1f s serving (%.2f%% of a core)\n",
                      mpi->rank(), cpu_seconds() - t0, served.count(),
                      100 * (cpu_seconds() - t0) / served.count());
        }
      }
      return status;
    }
  }
  bench::Program bench_program = program(config);
  const bench::Settings settings = bench::initialize(bench_program, argc, argv);
  if (!mpi) {
    std::fprintf(stderr,
                 "mpi_bench: not under mpirun: run it as mpirun -n N mpi_bench, N >= 2 "
                 "(tests/mpi/mpirun.sh N mpi_bench sets the flags this machine needs)\n");
    return 2;
  }
  g_ranks = mpi->size();
  const int available = mpi->size() - 1;
  if (available < 1) {
    std::fprintf(stderr,
                 "mpi_bench: the job has no worker rank: run it with mpirun -n N, N >= 2\n");
    return 2;
  }
  if (config.workers.empty()) {
    for (int w = 1; w <= available; ++w) config.workers.push_back(w);
  }
  if (config.workers.back() > available) {
    std::fprintf(stderr,
                 "mpi_bench: invalid --workers: %d worker ranks asked, the job has %d (mpirun -n "
                 "%d): expected counts from 1 to %d\n",
                 config.workers.back(), available, mpi->size(), available);
    return 2;
  }
  if (config.idle_seconds) return measure_idle(*config.idle_seconds);
  bench::count_tree_from(static_cast<long>(getppid()));  // mpirun: every rank of the job
  register_job_sets(config);
  register_overhead(std::min(2, available));
  bench_program.baseline = [](const std::string& row) {
    const auto it = baselines().find(row);
    return it == baselines().end() ? std::string() : it->second;
  };
  benchmark::AddCustomContext("sweep_scale", std::to_string(config.scale));
  benchmark::AddCustomContext("mpi_ranks", std::to_string(mpi->size()));
  return bench::run_benchmarks(bench_program, settings);
}
