// CPU time and page faults of this process's tree and of the whole machine, sampled before and
// after a timed loop and turned into the counters the report reads (report/fields.hpp).
#ifndef BENCH_PROC_SAMPLE_HPP_
#define BENCH_PROC_SAMPLE_HPP_

#include <benchmark/benchmark.h>

#include <chrono>

namespace bench {

// Totals since boot (the machine) or since each process started (the tree) at one instant.
// The tree is this process (getrusage(RUSAGE_SELF), all its threads) and every live descendant
// (/proc/<pid>/stat), each with the children it has waited for (RUSAGE_CHILDREN; cutime,
// cstime, cminflt, cmajflt): worker processes of a ProcessPoolExecutor are grandchildren,
// counted live while they run and in their parent, the fork server, once they exit and are
// reaped (a pool started and shut down within a row).
struct ProcSample {
  double tree_seconds = 0;         // user + system CPU seconds of the tree
  double tree_system_seconds = 0;  // system (kernel) CPU seconds of the tree
  double tree_minor_faults = 0;    // page faults served without I/O
  double tree_major_faults = 0;    // page faults that read from disk
  double machine_seconds = 0;      // busy seconds of every CPU (not idle, iowait or steal)
  double steal_seconds = 0;        // seconds the hypervisor gave to other virtual machines
  std::chrono::steady_clock::time_point at;
};

// Counts the process `root` and its descendants in the tree too (from then on): for a rank of
// an MPI job, its launcher, whose descendants are every rank on this machine.
void count_tree_from(long root);

// Reads /proc and getrusage() now: a few milliseconds with a few hundred processes on the
// machine, so take it outside the timed loop. Never throws; what cannot be read counts 0.
ProcSample sample_proc();

// Sets the counters of a row from samples taken just before and just after its timed loop:
// cores_busy, machine_busy and machine_steal (CPU seconds per wall second), system_seconds,
// minor_faults and major_faults (per iteration).
void set_proc_counters(benchmark::State& state, const ProcSample& before, const ProcSample& after);

}  // namespace bench

#endif  // BENCH_PROC_SAMPLE_HPP_
