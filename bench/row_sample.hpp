// What every row of every benchmark program records around its timed loop: the canary
// (bench/canary.hpp) and the load of the process tree and of the machine (bench/proc_sample.hpp).
#ifndef BENCH_ROW_SAMPLE_HPP_
#define BENCH_ROW_SAMPLE_HPP_

#include <benchmark/benchmark.h>

#include "proc_sample.hpp"

namespace bench {

// Construct it just before the timed loop (it runs the canary, then samples /proc) and call
// finish() just after: finish() samples again, runs the canary, and sets the counters the
// report reads (canary_seconds, cores_busy, machine_busy, machine_steal, system_seconds,
// minor_faults, major_faults). Neither part is timed by Google Benchmark.
class RowSample {
 public:
  RowSample();
  void finish(benchmark::State& state) const;

 private:
  double canary_;
  ProcSample before_;
};

}  // namespace bench

#endif  // BENCH_ROW_SAMPLE_HPP_
