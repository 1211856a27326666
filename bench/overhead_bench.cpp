// Executor overhead: the cost of a task that does nothing, so that what a job benchmark
// measures is the job and not the pool. Thread pool rows: submit-then-result of many empty
// tasks (from one thread, and from two at once), one round trip at a time, as_completed, map
// at two chunk sizes, and oneTBB's task_group (run + wait) as the reference for the fastest
// pools (it has no futures).
// Process pool rows: the same shapes, and a raw socket round trip to one forked child with 64
// requests in flight: the physical floor for any process pool. (Pool start-up is timed once,
// by sweep_bench's BM_Startup_* rows, in the region the CPython rows time.)
// Every row's label names its executor (thread, process, tbb, pipe; cpu for the pause row) and
// every row records the canary and the load of the process tree and the machine
// (bench/row_sample.hpp). The rows that fork (ProcessPool, Pipe) belong in a process of their own:
// run them with
// --benchmark_filter='^BM_(ProcessPool|Pipe)_' and the others with
// --benchmark_filter='^BM_(ThreadPool|TBB|SpinPause)' (bench/README.md).
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_main.hpp"
#include "futures/futures.hpp"
#include "pool_rows.hpp"
#include "report/fields.hpp"
#include "row_sample.hpp"

#if __has_include(<oneapi/tbb/task_arena.h>)
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#define FUTURES_BENCH_HAVE_TBB 1
#endif

namespace {

constexpr int kWorkers = 2;

// Records what every row records, after its timed loop: items per second and seconds per task
// (shown with an SI prefix: 150n is 150 ns), the executor in the label, the canary and the
// load (`sample` was taken just before the loop).
void finish_row(benchmark::State& state, std::int64_t tasks, const char* executor,
                const bench::RowSample& sample) {
  sample.finish(state);
  state.SetLabel(std::string(fields::kExecutor) + "=" + executor);
  state.SetItemsProcessed(state.iterations() * tasks);
  state.counters[std::string(fields::kSecondsPerTask)] =
      benchmark::Counter(static_cast<double>(state.iterations() * tasks),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Submits N empty tasks, then takes each result: the executor's throughput per task.
void BM_ThreadPool_SubmitThenResult(benchmark::State& state) {
  const auto tasks = state.range(1);
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  std::vector<futures::Future<void>> fs;
  fs.reserve(static_cast<std::size_t>(tasks));
  const bench::RowSample sample;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < tasks; ++i) fs.push_back(pool.submit([] {}));
    for (const auto& f : fs) f.result();
    fs.clear();
  }
  finish_row(state, tasks, "thread", sample);
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
  const bench::RowSample sample;
  for (auto _ : state) pool.submit([] { return 1; }).result();
  finish_row(state, 1, "thread", sample);
}
BENCHMARK(BM_ThreadPool_RoundTrip)->ArgNames({"workers"})->Arg(kWorkers)->UseRealTime();

// Two threads at once each submit N/2 empty tasks, then take each of their results: the queue
// under two producers (the submitting threads compete with the workers for the 2 cores).
void BM_ThreadPool_TwoProducers(benchmark::State& state) {
  const auto tasks = state.range(1);
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  std::array<std::vector<futures::Future<void>>, 2> fs;
  for (auto& f : fs) f.reserve(static_cast<std::size_t>(tasks / 2));
  const bench::RowSample sample;
  for (auto _ : state) {
    auto produce = [&pool, tasks](std::vector<futures::Future<void>>& out) {
      for (std::int64_t i = 0; i < tasks / 2; ++i) out.push_back(pool.submit([] {}));
      for (const auto& f : out) f.result();
      out.clear();
    };
    std::thread other(produce, std::ref(fs[1]));
    produce(fs[0]);
    other.join();
  }
  finish_row(state, tasks / 2 * 2, "thread", sample);
}
BENCHMARK(BM_ThreadPool_TwoProducers)
    ->ArgNames({"workers", "tasks"})
    ->Args({kWorkers, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Submits N empty tasks and consumes them through as_completed.
void BM_ThreadPool_AsCompleted(benchmark::State& state) {
  const auto tasks = state.range(1);
  futures::ThreadPoolExecutor pool(static_cast<int>(state.range(0)));
  std::vector<futures::Future<int>> fs;
  fs.reserve(static_cast<std::size_t>(tasks));
  const bench::RowSample sample;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < tasks; ++i) fs.push_back(pool.submit([] { return 1; }));
    int sum = 0;
    for (const auto& f : futures::as_completed(fs)) sum += f.result();
    benchmark::DoNotOptimize(sum);
    fs.clear();
  }
  finish_row(state, tasks, "thread", sample);
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
  const bench::RowSample sample;
  for (auto _ : state) {
    long sum = 0;
    for (int v : pool.map([](int x) { return x + 1; }, in, options)) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  finish_row(state, items, "thread", sample);
}
BENCHMARK(BM_ThreadPool_Map)
    ->ArgNames({"workers", "chunksize", "items"})
    ->Args({kWorkers, 1, 100'000})
    ->Args({kWorkers, 100, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One pause of a spin loop (futures::internal::cpu_relax), the unit of every spin before a
// sleep. Its cost differs between CPUs by an order of magnitude, which is why the library
// bounds its spins by time and not by a count of pauses.
void BM_SpinPause(benchmark::State& state) {
  constexpr int kPauses = 1000;
  const bench::RowSample sample;
  for (auto _ : state) {
    for (int i = 0; i < kPauses; ++i) futures::internal::cpu_relax();
  }
  finish_row(state, kPauses, "cpu", sample);
}
BENCHMARK(BM_SpinPause)->UseRealTime();

#ifdef FUTURES_BENCH_HAVE_TBB
// Tasks the current thread ran in BM_TBB_TaskGroup's counting round.
thread_local std::int64_t tbb_tasks_run_here = 0;

// The reference: oneTBB task_group run + wait of N empty tasks in an arena of `workers`
// threads (the calling thread counts as one of them, as TBB does). After the timed loop, one
// more round counts the tasks that the calling thread ran itself in wait() (`caller_share`):
// a task of our pools never runs on the thread that submitted it.
void BM_TBB_TaskGroup(benchmark::State& state) {
  const auto tasks = state.range(1);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  const bench::RowSample sample;
  for (auto _ : state) {
    arena.execute([&] {
      tbb::task_group group;
      for (std::int64_t i = 0; i < tasks; ++i) group.run([] {});
      group.wait();
    });
  }
  finish_row(state, tasks, "tbb", sample);
  arena.execute([&] {
    tbb_tasks_run_here = 0;
    tbb::task_group group;
    for (std::int64_t i = 0; i < tasks; ++i) group.run([] { ++tbb_tasks_run_here; });
    group.wait();
    state.counters["caller_share"] =
        static_cast<double>(tbb_tasks_run_here) / static_cast<double>(tasks);
  });
}
BENCHMARK(BM_TBB_TaskGroup)
    ->ArgNames({"workers", "tasks"})
    ->Args({1, 1'000'000})
    ->Args({kWorkers, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
#endif

void finish_process_row(benchmark::State& state, std::int64_t tasks,
                        const bench::RowSample& sample) {
  finish_row(state, tasks, "process", sample);
}

// Submits N trivial tasks to worker processes, then takes each result.
void BM_ProcessPool_SubmitThenResult(benchmark::State& state) {
  bench::submit_then_result_row<futures::ProcessPoolExecutor>(state, finish_process_row);
}
BENCHMARK(BM_ProcessPool_SubmitThenResult)
    ->ArgNames({"workers", "tasks"})
    ->Args({kWorkers, 100'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One task at a time through a worker process: the wake-up latency across processes.
void BM_ProcessPool_RoundTrip(benchmark::State& state) {
  bench::round_trip_row<futures::ProcessPoolExecutor>(state, finish_process_row);
}
BENCHMARK(BM_ProcessPool_RoundTrip)->ArgNames({"workers"})->Arg(kWorkers)->UseRealTime();

// map over N integers in worker processes, `chunksize` items per message.
void BM_ProcessPool_Map(benchmark::State& state) {
  bench::map_row<futures::ProcessPoolExecutor>(state, finish_process_row);
}
BENCHMARK(BM_ProcessPool_Map)
    ->ArgNames({"workers", "chunksize", "items"})
    ->Args({kWorkers, 100, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The floor: a forked child echoing 16-byte requests over a socketpair, 64 in flight, with no
// encoding, futures or scheduling at all. A process pool cannot beat this per request.
void BM_Pipe_RoundTripFloor(benchmark::State& state) {
  constexpr int kInFlight = 64;
  constexpr std::size_t kMessage = 16;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  const pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    std::array<char, 4096> buf;
    for (;;) {
      const ssize_t n = read(sv[1], buf.data(), buf.size());
      if (n <= 0) _exit(0);
      if (write(sv[1], buf.data(), static_cast<std::size_t>(n)) != n) _exit(1);
    }
  }
  close(sv[1]);
  std::array<char, kMessage * kInFlight> buf{};
  const std::int64_t requests = state.range(0);
  const bench::RowSample sample;
  for (auto _ : state) {
    // Keep kInFlight requests outstanding: send a window, then as many new requests as
    // replies arrived, each batch in one write (the batching a pool's I/O thread may do).
    std::int64_t sent = std::min<std::int64_t>(kInFlight, requests);
    std::int64_t received_bytes = 0;
    if (write(sv[0], buf.data(), kMessage * static_cast<std::size_t>(sent)) < 0) break;
    while (received_bytes < requests * static_cast<std::int64_t>(kMessage)) {
      const ssize_t k = read(sv[0], buf.data(), buf.size());
      if (k <= 0) break;
      const std::int64_t before = received_bytes / static_cast<std::int64_t>(kMessage);
      received_bytes += k;
      const std::int64_t replies = received_bytes / static_cast<std::int64_t>(kMessage) - before;
      const std::int64_t more = std::min(replies, requests - sent);
      if (more > 0 && write(sv[0], buf.data(), kMessage * static_cast<std::size_t>(more)) < 0) {
        break;
      }
      sent += more;
    }
  }
  close(sv[0]);
  waitpid(child, nullptr, 0);
  finish_row(state, requests, "pipe", sample);
}
BENCHMARK(BM_Pipe_RoundTripFloor)
    ->ArgNames({"requests"})
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  const bench::Program program{
      .name = "overhead_bench",
      .summary =
          "Per-task cost of the thread and process pools (empty tasks), beside oneTBB "
          "and a raw socket round trip.",
      .flags = {},
      // The warm-up: a row's first run in a process pays for memory its allocator takes from
      // the system (oneTBB's task_group: 4 times its later time, 68k page faults for 1M tasks),
      // and tools/before_after.sh runs one round per process.
      .defaults = {"--benchmark_repetitions=9", "--benchmark_min_time=0.1",
                   "--benchmark_min_warmup_time=0.05"},
      .baseline = {}};
  return bench::run_benchmarks(program, bench::initialize(program, argc, argv));
}
