// The names a benchmark record and the report agree on, defined once: the per-row fields that
// say what a row is, and the counters that the report reads. The C++ benchmark programs write
// them, bench/python/cpython_bench.py writes the same strings, tools/report reads them.
#ifndef REPORT_FIELDS_HPP_
#define REPORT_FIELDS_HPP_

#include <string_view>

namespace fields {

// What a row is. The C++ programs carry them in the row's label as "executor=thread
// workload=arcfour" (Google Benchmark writes no other string per row); the CPython script
// writes them as fields of the row. The report reads either, never the benchmark's name.
inline constexpr std::string_view kExecutor = "executor";  // sequential, thread, process, ...
inline constexpr std::string_view kWorkload = "workload";  // arcfour, sha, ...
// What bounds the row: "cpu" (the default when absent) or "io" (the flags downloads: waiting,
// not computing, so the ideal speedup is min(workers, jobs), not min(workers, cores)).
inline constexpr std::string_view kBound = "bound";

// Counters of a job-set row (one value per repetition).
inline constexpr std::string_view kWorkers = "workers";
inline constexpr std::string_view kJobs = "jobs";
inline constexpr std::string_view kJobBytes = "job_bytes";      // mean bytes per job
inline constexpr std::string_view kTotalBytes = "total_bytes";  // bytes of the whole set
// CPU-seconds per wall second over the repetition: of this process and its descendants, of
// the whole machine (busy, not idle or iowait), taken by the hypervisor (steal).
inline constexpr std::string_view kCoresBusy = "cores_busy";
inline constexpr std::string_view kMachineBusy = "machine_busy";
inline constexpr std::string_view kMachineSteal = "machine_steal";
// Of the process tree, per iteration: system (kernel) CPU seconds, minor and major page faults.
inline constexpr std::string_view kSystemSeconds = "system_seconds";
inline constexpr std::string_view kMinorFaults = "minor_faults";
inline constexpr std::string_view kMajorFaults = "major_faults";
// The canary: seconds of a fixed single-thread kernel timed just before and just after the
// repetition, the slower of the two. A host that slows down (another tenant, frequency,
// steal the counters miss) slows the canary; the report compares it with the run's fastest.
inline constexpr std::string_view kCanarySeconds = "canary_seconds";
// Rows of an MPI job (mpi_bench): the job's ranks and the machine's CPUs. More ranks than
// CPUs: oversubscribed, which the report flags.
inline constexpr std::string_view kRanks = "ranks";
inline constexpr std::string_view kCpus = "cpus";
// Overhead rows: seconds per task (else 1 / items_per_second).
inline constexpr std::string_view kSecondsPerTask = "seconds_per_task";

}  // namespace fields

#endif  // REPORT_FIELDS_HPP_
