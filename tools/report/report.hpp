// The benchmark report: reads Google Benchmark JSON records (several files, possibly from
// different programs), derives speedup and overhead tables, writes them as CSV with the
// machine's context, draws the plots with gnuplot, and compares two result files.
#ifndef REPORT_REPORT_HPP_
#define REPORT_REPORT_HPP_

#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace report {

// Bad input: unreadable or malformed files, bad flags, an output directory that cannot be
// created or written to. The program exits with status 2 and writes nothing.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where and how a record was measured.
struct Context {
  std::string cpu_model = "unknown";
  std::string compiler = "unknown";
  std::string flags = "unknown";
  std::string build_type = "unknown";
  std::string git_revision = "unknown";
  std::string date = "unknown";
  std::string load = "unknown";  // load average over 1, 5 and 15 minutes at the start
  int cpus = 0;
};

// One benchmark (one run name of one input file) across its repetitions.
struct Series {
  std::string run_name;  // as Google Benchmark prints it
  std::string family;    // the run name's first segment: BM_ThreadPool_Arcfour
  std::vector<std::pair<std::string, std::string>> args;  // workers=2, job_bytes=1024, ...
  std::string workload;  // sweep rows only: arcfour, sha, ...
  std::string executor;  // sweep rows only: sequential, thread, process, ...
  int source = 0;        // index of the input file
  std::vector<double> seconds;  // real time per iteration, one entry per repetition
  std::map<std::string, std::vector<double>> counters;  // one entry per repetition
  // When the record holds only aggregates (--benchmark_report_aggregates_only).
  std::optional<double> aggregate_median;
  std::optional<double> aggregate_cv;
  int aggregate_repetitions = 0;
};

// One input file.
struct Input {
  std::string path;
  Context context;
  std::vector<Series> series;
};

// Parses a benchmark record: Google Benchmark's JSON (--benchmark_out_format=json), or the
// same shape from another source. A row may name its "workload" and "executor" itself;
// otherwise they come from a name BM_<Executor>_<Workload> with a known executor. Throws
// InputError naming the file and what is wrong.
Input parse_record(std::string_view json_text, const std::string& path);
Input load_record(const std::string& path);

struct Stats {
  double median = 0;
  double cv = 0;  // standard deviation / mean of the repetitions; 0 for one repetition
  double min = 0;
  double max = 0;
  int repetitions = 0;
};

// One row of speedup.csv: a workload run by an executor at a worker count and a job size.
struct SpeedupRow {
  std::string workload;
  std::string executor;
  int workers = 1;
  double jobs = 0;
  double job_bytes = 0;    // mean bytes per job
  double total_bytes = 0;  // bytes of the whole job set
  Stats time;              // seconds for the whole job set
  double speedup = 0;      // NaN without a baseline
  double efficiency = 0;   // speedup / min(workers, cpus); NaN without a baseline
  double mb_per_s = 0;
  double cores_busy = 0;    // median CPU-seconds of the process tree per second
  double machine_busy = 0;  // median CPU-seconds of the whole machine per second
  double machine_steal = 0;  // median CPU-seconds per second taken by the hypervisor
  // CPython rows only: the C++ time per input byte of the matching configuration (executor
  // without "cpython-", same workload and workers, from the C++ main job set) divided by this
  // row's time per input byte; < 1 means C++ is faster. NaN otherwise.
  double cpp_over_cpython = 0;
  std::string benchmark;    // the run name it came from
  int source = 0;
  Context context;
};

// One row of overhead.csv: any benchmark that is not part of the sweep.
struct OverheadRow {
  std::string benchmark;  // family name
  std::string args;       // "workers=2 tasks=1000000"
  Stats time;             // seconds per iteration
  double per_task_seconds = 0;  // seconds_per_task counter, else 1 / items_per_second
  std::string counters;         // the other counters' medians, "name=value;..."
  Context context;
};

struct Report {
  std::vector<SpeedupRow> speedup;
  std::vector<OverheadRow> overhead;
};

// The job-size sweep of one executor: the smallest job size from which the executor stays
// faster than sequential, and from which it stays within 90% of ideal.
struct BreakEven {
  std::string workload;
  std::string executor;
  int workers = 0;
  double total_bytes = 0;
  std::optional<double> break_even_bytes;
  std::optional<double> near_ideal_bytes;
};

Stats stats_of(const std::vector<double>& values);

// Speedup is the median time of the baseline (executor "sequential", or "<family>-sequential"
// for an executor "<family>-<kind>" when present) of the same workload, jobs and job size,
// from the same file when it has one, divided by the row's median time.
Report analyze(const std::vector<Input>& inputs);
std::vector<BreakEven> break_even(const Report& report);

std::string speedup_csv(const Report& report);
std::string overhead_csv(const Report& report);

// A plot to draw: gnuplot runs `script` with `vars` set and `datafile` holding `data`.
struct PlotJob {
  std::string script;  // plot_speedup.gp or plot_granularity.gp
  std::string data;    // the data file's text
  std::map<std::string, std::string> vars;  // gnuplot expressions
  std::filesystem::path png;
  std::filesystem::path svg;
};

// The plots of a report: speedup and efficiency per workload, the job-size sweeps, and, for a
// workload with CPython rows, gil_<workload> (both languages' pools against each language's
// sequential run).
std::vector<PlotJob> plot_jobs(const Report& report, const std::filesystem::path& plots);

// The terminal summary: speedup per executor and worker count (CPython's executors in a block
// of their own, with C++'s speed per byte against CPython's), the job-size sweeps with their
// break-even sizes, and the overhead rows.
std::string summary(const Report& report);

// A CSV file as read back: a header and rows of fields.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
CsvTable parse_csv(std::string_view text, const std::string& path);  // throws InputError

// Two result files side by side (speedup.csv or overhead.csv from two machines, or before and
// after): per row both medians, the ratio b / a and whether the difference is within the noise
// (|ratio - 1| <= 2 * sqrt(cv_a^2 + cv_b^2)). Throws InputError if the files do not match.
std::string compare(const CsvTable& a, const std::string& a_name, const CsvTable& b,
                    const std::string& b_name);

// The program: `report [options] RECORD.json...` or `report compare A.csv B.csv`. Returns the
// exit status: 0, 1 when writing or plotting failed (nothing replaced), 2 for bad input (one
// line on `err`), among it a --results or --plots directory that cannot be created or written
// to. On 1 or 2 the directories that the run created are removed again.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace report

#endif  // REPORT_REPORT_HPP_
