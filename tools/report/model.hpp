// Stage 2, the model: the records' series as the rows the outputs show. Job-set rows (a
// workload on an executor at a worker count and job size) with their baseline, and overhead
// rows (everything else); every figure with its interval (stage 3, statistics.hpp).
#ifndef REPORT_MODEL_HPP_
#define REPORT_MODEL_HPP_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/record.hpp"
#include "report/statistics.hpp"

namespace report {

// The repetitions of one row.
struct Stats {
  double median = 0;
  double cv = 0;  // standard deviation / mean of the repetitions; 0 for one repetition
  double min = 0;
  double max = 0;
  int repetitions = 0;
  stats::Interval ci{};  // the distribution-free 95% interval of the median (NaN below 6)
};

Stats stats_of(const std::vector<double>& values);

// The medians of the counters that tell whether a row was disturbed (NaN where the record has
// none). See tools/report/fields.hpp.
struct Load {
  double cores_busy = 0;
  double machine_busy = 0;
  double machine_steal = 0;
  double system_seconds = 0;
  double minor_faults = 0;
  double major_faults = 0;
  double canary_seconds = 0;
  // Rows of an MPI job: its ranks and the machine's CPUs (NaN for other rows).
  double ranks = 0;
  double cpus = 0;
};

// Whether a row's figures can be trusted (filled by assess(), quality.hpp).
struct Quality {
  std::vector<std::string> reasons;  // empty: ok

  bool ok() const { return reasons.empty(); }
  // "ok" or "noisy: <reason>; <reason>".
  std::string text() const;
};

// One row of speedup.csv: a workload run by an executor at a worker count and a job size.
struct SpeedupRow {
  std::string workload;
  std::string executor;
  bool io_bound = false;  // the record says bound=io
  int workers = 1;
  double jobs = 0;
  double job_bytes = 0;         // mean bytes per job
  double total_bytes = 0;       // bytes of the whole job set
  std::vector<double> seconds;  // per repetition, for the whole job set
  std::vector<int> rounds;      // the round of each repetition
  Stats time;
  int baseline = -1;    // index in Report::speedup of the sequential row it is measured against
  bool paired = false;  // speedup bootstrapped over rounds shared with the baseline
  stats::Estimate speedup{};     // baseline median / median; NaN without a baseline
  stats::Estimate efficiency{};  // speedup / min(workers, cpus)
  double mb_per_s = 0;
  Load load;
  // Python rows (cpython-<kind>, pypy-<kind>) only: the C++ time per input byte of the
  // matching configuration (executor <kind>, same workload and workers, from the C++ main job
  // set) divided by this row's time per input byte; < 1 means C++ is faster. NaN otherwise.
  stats::Estimate cpp_over_python{};
  // PyPy rows only: the CPython time per input byte of the matching configuration
  // (cpython-<kind>, same workload and workers, from CPython's main job set) divided by this
  // row's; > 1 means PyPy is faster. NaN otherwise.
  stats::Estimate over_cpython{};
  Quality quality;
  std::string benchmark;  // the run name it came from

  // The best speedup the row could reach: min(workers, cores) for CPU-bound work,
  // min(workers, jobs) for I/O-bound work (all requests waiting at once).
  int ideal() const;
  int source = 0;
  Context context;
};

// One row of overhead.csv: any benchmark that is not a job-set row.
struct OverheadRow {
  std::string benchmark;        // family name
  std::string args;             // "workers=2 tasks=1000000"
  std::string executor;         // what the row says it is, if it does
  std::string workload;         // likewise (jobs_bench: the kernel, "arcfour-ours")
  std::vector<double> seconds;  // per repetition, per iteration
  std::vector<int> rounds;      // the round of each repetition
  Stats time;                   // seconds per iteration
  // seconds_per_task counter, else 1 / items_per_second, else seconds per iteration; the
  // interval is the time's, scaled alike.
  stats::Estimate per_task{};
  std::string counters;  // the other counters' medians, "name=value;..."
  Load load;
  Quality quality;
  int source = 0;
  Context context;
};

struct Report {
  std::vector<SpeedupRow> speedup;
  std::vector<OverheadRow> overhead;
};

// The rows of every input. Speedup is the median time of the baseline (executor
// "sequential", or "<family>-sequential" for an executor "<family>-<kind>" when present) of the
// same workload, jobs and job size, from the same file when it has one, divided by the row's
// median time, with a bootstrap interval paired by round when the baseline ran every round
// the row ran (over those rounds).
// Quality is left empty (assess() fills it).
Report build_model(const std::vector<Input>& inputs);

// The times of a series (`seconds`, measured in `rounds_of_seconds`) in the given rounds, in
// that order; empty when the series lacks one of them. Pairs two rows round by round.
std::vector<double> times_in_rounds(const std::vector<double>& seconds,
                                    const std::vector<int>& rounds_of_seconds,
                                    const std::vector<int>& rounds);
// The word "key=value" of an overhead row's args ("workers=2 tasks=1000000"); "" if absent.
std::string_view arg_word(std::string_view args, std::string_view key);
// The rounds that both overhead rows ran, each once, smallest first.
std::vector<int> shared_rounds(const OverheadRow& a, const OverheadRow& b);

// -- views of the model, shared by the outputs -------------------------------------------------

// The Python implementation of a row, from its executor's prefix: "cpython" or "pypy"; empty
// for the C++ executors.
std::string_view python_of(std::string_view executor);
// The Python implementations with rows in the report: "cpython" first, then "pypy".
std::vector<std::string> pythons_of(const Report& r);
bool is_baseline(std::string_view executor);
bool executor_less(const std::string& a, const std::string& b);  // the tables' order
bool same_size(double a, double b);
std::vector<std::string> workloads_of(const Report& r);

// The rows of one workload that the speedup tables and plots show: the (jobs, job size) group
// with the most worker counts, among the rows of one Python implementation (`python`, as
// python_of() names it), or among the C++ rows (`python` empty).
std::vector<const SpeedupRow*> main_group(const Report& r, const std::string& workload,
                                          std::string_view python);

// The executors of a group of rows that have a speedup (baselines left out), in the tables'
// order.
std::vector<std::string> executors_of(const std::vector<const SpeedupRow*>& group);

// Job-size sweeps: rows of one workload and total size that cover at least three job sizes.
struct Sweep {
  std::string workload;
  double total_bytes;
  std::vector<const SpeedupRow*> rows;
  std::vector<double> job_sizes;  // the distinct job sizes of `rows`, smallest first
};
std::vector<Sweep> sweeps_of(const Report& r);

// The lines of a sweep: the (executor, workers) pairs of its rows that have a speedup
// (baselines left out), in the tables' order.
std::vector<std::pair<std::string, int>> lines_of(const Sweep& sweep);

// A mark in a job-size sweep: the smallest job size from which an estimate stays above a
// threshold at every larger size, judged three ways. nullopt: at no size.
struct SizeMark {
  std::optional<double> bytes;    // by the point estimates
  std::optional<double> at_best;  // by each interval's upper end: the mark is no smaller
  std::optional<double> surely;   // by each interval's lower end: the mark is no larger
};
// The mark of `by_size` (job bytes, estimate; any order) for `threshold`: above it, or at or
// above it with `inclusive`. An interval with NaN ends counts as its point estimate for the
// upper end and as failing for the lower end.
SizeMark size_mark(std::vector<std::pair<double, stats::Estimate>> by_size, double threshold,
                   bool inclusive);

// The job-size sweep of one executor: from which job size it stays faster than sequential
// (the break-even size), and from which it stays within 90% of ideal.
struct BreakEven {
  std::string workload;
  std::string executor;
  int workers = 0;
  double total_bytes = 0;
  SizeMark faster;
  SizeMark near_ideal;
};
std::vector<BreakEven> break_even(const Report& report);

// Our executor against a ceiling of the same job-size sweep (OpenMP, else oneTBB: they return
// no futures) at the same workers: the ceiling's time over ours per job size, paired by round
// where both ran in the same rounds. 1 is the ceiling's speed; 0.9 is 10% slower.
struct CeilingRatio {
  std::string workload;
  std::string executor;
  std::string ceiling;
  int workers = 0;
  double total_bytes = 0;
  std::vector<std::pair<double, stats::Estimate>> by_size;  // job bytes, ratio; smallest first
  SizeMark within_10_percent;  // from which job size the ratio stays at or above 0.9
};
std::vector<CeilingRatio> ceiling_ratios(const Report& report);

// Per workload and executor of the main group: the fewest workers whose speedup interval
// reaches within 5% of the best speedup's estimate.
struct Recommendation {
  std::string workload;
  std::string executor;
  const SpeedupRow* fewest = nullptr;  // the recommended worker count's row
  const SpeedupRow* best = nullptr;    // the row with the highest speedup
};
std::vector<Recommendation> recommend(const Report& report);

}  // namespace report

#endif  // REPORT_MODEL_HPP_
