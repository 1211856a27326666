// The per-task rows that the process pool (overhead_bench) and the MPI pool (mpi_bench) share:
// a trivial task's round trip, N trivial tasks submitted then each result taken, and map over
// N integers. Each row builds its own pool of state.range(0) workers outside the timed loop and
// ends by calling finish(state, tasks, sample), which records the row as its program does.
#ifndef BENCH_POOL_ROWS_HPP_
#define BENCH_POOL_ROWS_HPP_

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "futures/futures.hpp"
#include "row_sample.hpp"

namespace bench {

// The trivial task: it crosses to a worker and back with one int each way.
inline int identity(int x) { return x; }

// One task at a time: the round trip through a worker.
template <class Pool, class Finish>
void round_trip_row(benchmark::State& state, Finish finish) {
  Pool pool(static_cast<int>(state.range(0)));
  const RowSample sample;
  for (auto _ : state) benchmark::DoNotOptimize(pool.submit(identity, 1).result());
  finish(state, 1, sample);
}

// state.range(1) tasks submitted, then each result taken in submission order.
template <class Pool, class Finish>
void submit_then_result_row(benchmark::State& state, Finish finish) {
  const auto tasks = state.range(1);
  Pool pool(static_cast<int>(state.range(0)));
  std::vector<futures::Future<int>> fs;
  fs.reserve(static_cast<std::size_t>(tasks));
  const RowSample sample;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < tasks; ++i)
      fs.push_back(pool.submit(identity, static_cast<int>(i)));
    long sum = 0;
    for (const auto& f : fs) sum += f.result();
    benchmark::DoNotOptimize(sum);
    fs.clear();
  }
  finish(state, tasks, sample);
}

// map over state.range(2) integers, state.range(1) items per task.
template <class Pool, class Finish>
void map_row(benchmark::State& state, Finish finish) {
  const auto items = state.range(2);
  Pool pool(static_cast<int>(state.range(0)));
  std::vector<int> in(static_cast<std::size_t>(items), 1);
  futures::MapOptions options;
  options.chunksize = static_cast<int>(state.range(1));
  const RowSample sample;
  for (auto _ : state) {
    long sum = 0;
    for (int v : pool.map(identity, in, options)) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  finish(state, items, sample);
}

}  // namespace bench

#endif  // BENCH_POOL_ROWS_HPP_
