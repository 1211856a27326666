// The command line of a benchmark program: its own flags beside Google Benchmark's, --help for
// both, and a one-line error with exit status 2 for anything it cannot take.
#ifndef BENCH_BENCH_MAIN_HPP_
#define BENCH_BENCH_MAIN_HPP_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  // "--benchmark_repetitions=5".
  std::vector<std::string> defaults;
};

// Reads the command line. Sets the program's own flags through Flag::set, checks the Google
// Benchmark flags that benchmark::Initialize() would take without complaint or answer with
// its usage text and exit status 0 (a bad --benchmark_format, --benchmark_time_unit or
// --benchmark_filter, an --benchmark_out in a missing directory), then calls
// benchmark::Initialize(). Returns the Google Benchmark flags in effect, defaults included.
//
// -h or --help prints the usage (this program's flags, then Google Benchmark's) and exits 0.
// Anything else it cannot take prints one line on stderr, "<name>: <what is wrong>: expected
// <what is accepted>", and exits with status 2, before any benchmark runs or file is written.
// Call it first in main(), while the process has a single thread.
std::vector<std::string> initialize(const Program& program, int argc, char** argv);

// Runs the benchmarks that the filter selects and returns main()'s exit status: 0, or 2 when
// the filter selects none (one line on stderr, "<program>: invalid --benchmark_filter ...",
// and the empty file Google Benchmark opened for --benchmark_out is removed). `flags` is what
// initialize() returned.
int run_benchmarks(const std::string& program, const std::vector<std::string>& flags);

}  // namespace bench

#endif  // BENCH_BENCH_MAIN_HPP_
