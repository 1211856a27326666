// The canary: a fixed single-thread kernel timed just before and just after a measurement.
// Its work never changes, so a slower canary means a slower host (another tenant on the core,
// a lower clock, time stolen by the hypervisor that /proc/stat does not show).
#ifndef BENCH_CANARY_HPP_
#define BENCH_CANARY_HPP_

#include <benchmark/benchmark.h>

namespace bench {

// Runs the canary kernel once on the calling thread and returns its wall seconds: integer
// mixing over a 4 KiB table (L1 only, no allocation, no system call), the same instructions on
// every call, about half a millisecond on a current x86 core. Thread-safe.
double canary_seconds();

// Runs the canary now and sets fields::kCanarySeconds on `state` to the slower of this run and
// `before`, a canary_seconds() taken just before the timed loop. Call it after the loop.
void set_canary(benchmark::State& state, double before);

}  // namespace bench

#endif  // BENCH_CANARY_HPP_
