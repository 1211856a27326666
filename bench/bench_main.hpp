// The command line and the run of a benchmark program: its own flags beside Google Benchmark's,
// --help for both, a one-line error with exit status 2 for anything it cannot take, then the
// benchmarks in rounds (rounds.hpp) and the record.
#ifndef BENCH_BENCH_MAIN_HPP_
#define BENCH_BENCH_MAIN_HPP_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rounds.hpp"

namespace bench {

// One of a program's own flags: "--name=VALUE", or "--name" alone for a switch (empty `value`).
struct Flag {
  std::string name;   // with the leading "--"
  std::string value;  // what VALUE is, shown by --help ("LIST", "N"); empty for a switch
  std::string help;   // one line for --help, with the default
  // Takes VALUE (empty for a switch). Throws cli::UsageError naming the value and what is
  // accepted; cli::parse_int and its siblings do.
  std::function<void(std::string_view)> set;
};

struct Program {
  std::string name;     // for messages: "sweep_bench"
  std::string summary;  // the line under "usage:"
  std::vector<Flag> flags;
  // Google Benchmark flags used unless the command line gives the same flag, e.g.
  // "--benchmark_repetitions=9" (the number of rounds, see rounds.hpp).
  std::vector<std::string> defaults;
  // The row a row is compared with and paired with, round by round (Rounds::baseline); empty
  // for a program whose rows stand alone.
  std::function<std::string(const std::string&)> baseline;
};

// A --workers value: comma-separated integers from 1 to 1024, returned sorted without
// repeats. Throws cli::UsageError "invalid --workers '<text>': expected a comma-separated list
// of integers from 1 to 1024".
std::vector<int> parse_worker_list(std::string_view text);

// What initialize() read, for run_benchmarks().
struct Settings {
  Rounds rounds;                   // --benchmark_repetitions, --max-rounds, --max-ci
  std::string out;                 // --benchmark_out: the record, written at the end; "" for none
  std::string out_format;          // --benchmark_out_format: json, csv or console
  std::vector<std::string> flags;  // the Google Benchmark flags in effect, defaults included
};

// Reads the command line (cli::CommandLine). Sets the program's own flags through Flag::set
// and the flags every benchmark program has (--max-rounds, --max-ci; the old underscore
// spellings are aliases), checks the values of the Google Benchmark flags that
// benchmark::Initialize() would take without complaint, answer with its usage text and exit
// status 0, or refuse in words of its own (a bad --benchmark_format, --benchmark_time_unit,
// --benchmark_filter, --benchmark_min_time or --benchmark_context, an --benchmark_out in a
// missing directory), refuses --benchmark_report_aggregates_only and
// --benchmark_display_aggregates_only (the record keeps every round), then calls
// benchmark::Initialize() with Google Benchmark's repetitions at 1 (rounds replace them) and
// adds the machine's context (machine::context()) to every record.
//
// -h or --help prints the usage (this program's flags, then Google Benchmark's) and exits 0.
// Anything else it cannot take prints one line on stderr, "<name>: <what is wrong>: expected
// <what is accepted>", and exits with status 2, before any benchmark runs or file is written.
// Call it first in main(), while the process has a single thread.
Settings initialize(const Program& program, int argc, char** argv);

// Runs the benchmarks that the filter selects in rounds (run_rounds()), shows them as
// --benchmark_format says, writes the record to --benchmark_out at the end, and returns
// main()'s exit status: 0; 2 when the filter selects none (one line on stderr,
// "<program>: invalid --benchmark_filter ...", and no file written); 1 when the record cannot
// be written (one line on stderr). `settings` is what initialize() returned.
int run_benchmarks(const Program& program, const Settings& settings);

}  // namespace bench

#endif  // BENCH_BENCH_MAIN_HPP_
