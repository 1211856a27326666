// Stage 1, the record: reads Google Benchmark JSON records (and the CPython script's, of the
// same shape) into series of repetitions, with the machine context each record carries.
#ifndef REPORT_RECORD_HPP_
#define REPORT_RECORD_HPP_

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace report {

// Bad input: unreadable or malformed files, bad flags, an output directory that cannot be
// created or written to. The program exits with status 2 and writes nothing.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where and how a record was measured: the record's "context" object.
struct Context {
  std::string cpu_model = "unknown";
  std::string compiler = "unknown";
  std::string flags = "unknown";
  std::string build_type = "unknown";
  std::string git_revision = "unknown";
  std::string date = "unknown";
  std::string load = "unknown";  // load average over 1, 5 and 15 minutes at the start
  int cpus = 0;
  std::string record;  // the file it came from, without its directory
  // Every key of the context as text (numbers and arrays as JSON), for the machine tables.
  std::map<std::string, std::string> all;

  // The value of `key` in `all`, or "unknown".
  std::string get(std::string_view key) const;
};

// One benchmark (one run name of one input file) across its repetitions.
struct Series {
  std::string run_name;  // as Google Benchmark prints it
  std::string family;    // the run name's first segment: BM_ThreadPool_Arcfour
  std::vector<std::pair<std::string, std::string>> args;  // workers=2, job_bytes=1024, ...
  std::string workload;         // what the row says it is (a field, or the label's workload=...)
  std::string executor;         // likewise: sequential, thread, process, cpython-thread, ...
  std::string bound;            // likewise: "io", or empty for CPU-bound
  int source = 0;               // index of the input file
  std::vector<double> seconds;  // real time per iteration, one entry per repetition
  std::vector<int> rounds;      // the repetition_index of each entry of `seconds`
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
// same shape from another source. A row says what it is in fields "workload" and "executor",
// or in its label as "executor=NAME workload=NAME"; rows that say neither are overhead rows.
// Throws InputError naming the file and what is wrong.
Input parse_record(std::string_view json_text, const std::string& path);
Input load_record(const std::string& path);

}  // namespace report

#endif  // REPORT_RECORD_HPP_
