// Executor overhead: the cost of a task that does nothing, so that what a job benchmark
// measures is the job and not the pool. Rows: submit-then-result of many empty tasks, one
// round trip at a time, as_completed, map at two chunk sizes, and oneTBB's task_group (run +
// wait) as the reference for the fastest pools (it has no futures).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "futures/futures.hpp"

#if __has_include(<oneapi/tbb/task_arena.h>)
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#define FUTURES_BENCH_HAVE_TBB 1
#endif

namespace {

constexpr int kWorkers = 2;

void per_task(benchmark::State& state, std::int64_t tasks) {
  state.SetItemsProcessed(state.iterations() * tasks);
  // Seconds per task (shown with an SI prefix: 150n is 150 ns).
  state.counters["seconds_per_task"] = benchmark::Counter(
      static_cast<double>(state.iterations() * tasks),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Submits N empty tasks, then takes each result: the executor's throughput per task.
void BM_ThreadPool_SubmitThenResult(benchmark::State& state) {
  const auto tasks = state.range(1);
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  std::vector<futures::Future<void>> fs;
  fs.reserve(static_cast<std::size_t>(tasks));
  for (auto _ : state) {
    for (std::int64_t i = 0; i < tasks; ++i) fs.push_back(pool.submit([] {}));
    for (const auto& f : fs) f.result();
    fs.clear();
  }
  per_task(state, tasks);
  auto noop = [] {};
  state.counters["future_bytes"] = sizeof(futures::internal::Task<void, decltype(noop)>);
}
BENCHMARK(BM_ThreadPool_SubmitThenResult)
    ->ArgNames({"workers", "tasks"})
    ->Args({1, 1'000'000})
    ->Args({kWorkers, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One task in flight at a time: submit, wait for its result, repeat. The wake-up latency.
void BM_ThreadPool_RoundTrip(benchmark::State& state) {
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  for (auto _ : state) pool.submit([] { return 1; }).result();
  per_task(state, 1);
}
BENCHMARK(BM_ThreadPool_RoundTrip)
    ->ArgNames({"workers"})
    ->Arg(kWorkers)
    ->UseRealTime();

// Submits N empty tasks and consumes them through as_completed.
void BM_ThreadPool_AsCompleted(benchmark::State& state) {
  const auto tasks = state.range(1);
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  std::vector<futures::Future<int>> fs;
  fs.reserve(static_cast<std::size_t>(tasks));
  for (auto _ : state) {
    for (std::int64_t i = 0; i < tasks; ++i) fs.push_back(pool.submit([] { return 1; }));
    int sum = 0;
    for (const auto& f : futures::as_completed(fs)) sum += f.result();
    benchmark::DoNotOptimize(sum);
    fs.clear();
  }
  per_task(state, tasks);
}
BENCHMARK(BM_ThreadPool_AsCompleted)
    ->ArgNames({"workers", "tasks"})
    ->Args({kWorkers, 100'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// map over N integers with a trivial function, at the given chunk size.
void BM_ThreadPool_Map(benchmark::State& state) {
  const auto items = state.range(2);
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  std::vector<int> in(static_cast<std::size_t>(items), 1);
  futures::MapOptions options;
  options.chunksize = static_cast<int>(state.range(1));
  for (auto _ : state) {
    long sum = 0;
    for (int v : pool.map([](int x) { return x + 1; }, in, options)) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  per_task(state, items);
}
BENCHMARK(BM_ThreadPool_Map)
    ->ArgNames({"workers", "chunksize", "items"})
    ->Args({kWorkers, 1, 100'000})
    ->Args({kWorkers, 100, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

#ifdef FUTURES_BENCH_HAVE_TBB
// The reference: oneTBB task_group run + wait of N empty tasks in an arena of `workers`
// threads (the calling thread counts as one of them, as TBB does).
void BM_TBB_TaskGroup(benchmark::State& state) {
  const auto tasks = state.range(1);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      tbb::task_group group;
      for (std::int64_t i = 0; i < tasks; ++i) group.run([] {});
      group.wait();
    });
  }
  per_task(state, tasks);
}
BENCHMARK(BM_TBB_TaskGroup)
    ->ArgNames({"workers", "tasks"})
    ->Args({1, 1'000'000})
    ->Args({kWorkers, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
#endif

}  // namespace

BENCHMARK_MAIN();
