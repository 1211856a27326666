#include "bench_main.hpp"

#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "context/machine_context.hpp"

namespace bench {
namespace {

namespace fs = std::filesystem;
using cli::UsageError;

// "--name=value" -> "--name"; "--name" -> "--name".
std::string_view flag_name(std::string_view arg) { return arg.substr(0, arg.find('=')); }

// The text after '=', if there is one.
std::optional<std::string_view> flag_value(std::string_view arg) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  return arg.substr(eq + 1);
}

void print_help(const Program& program, const std::vector<Flag>& flags) {
  std::printf("usage: %s [FLAGS]\n%s\n\nThis program's flags:\n", program.name.c_str(),
              program.summary.c_str());
  for (const Flag& flag : flags) {
    const std::string shown = flag.value.empty() ? flag.name : flag.name + "=" + flag.value;
    std::printf("  %-28s %s\n", shown.c_str(), flag.help.c_str());
  }
  std::printf("  %-28s %s\n", "-h, --help", "this text");
  std::printf(
      "\nRounds: --benchmark_repetitions=N is the number of rounds. Each round runs every\n"
      "selected row once, in a shuffled order; then rows whose 95%% interval of the median is\n"
      "wider than --max-ci get more rounds (with the rows they are compared with), up to\n"
      "--max-rounds. The record (--benchmark_out, written at the end) holds every round of\n"
      "every row, repetition_index = round; it has no aggregates, so\n"
      "--benchmark_report_aggregates_only and --benchmark_display_aggregates_only are refused.\n");
  std::printf("\nGoogle Benchmark's flags (this program's defaults:");
  for (const auto& d : program.defaults) std::printf(" %s", d.c_str());
  std::printf(" --benchmark_enable_random_interleaving=true):\n");
  std::fflush(stdout);
  benchmark::PrintDefaultHelp();
}

// Checks the value of one Google Benchmark flag where benchmark::Initialize() would accept a
// bad one or print its usage and exit 0.
void check_benchmark_flag(std::string_view arg) {
  const std::string_view name = flag_name(arg);
  const auto value = flag_value(arg);
  if (!value) return;  // Initialize() reports it as unrecognized
  if (name == "--benchmark_min_time" || name == "--benchmark_min_warmup_time") {
    // Google Benchmark 1.7.1 reads a double, whole (strtod to the end).
    const std::string text(*value);
    char* end = nullptr;
    errno = 0;
    const double seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
        !std::isfinite(seconds)) {
      throw UsageError(cli::invalid(name, *value) +
                       "expected a double (seconds, without a unit: 0.5, not 0.5s)");
    }
  } else if (name == "--benchmark_context") {
    for (std::string_view rest = *value; !rest.empty();) {  // key=value,key=value
      const std::string_view pair = rest.substr(0, rest.find(','));
      if (pair.find('=') == std::string_view::npos) {
        throw UsageError(cli::invalid(name, *value) + "expected KEY=VALUE pairs, comma-separated");
      }
      rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    }
  } else if (name == "--benchmark_format" || name == "--benchmark_out_format") {
    cli::parse_choice(name, *value, {"console", "json", "csv"});
  } else if (name == "--benchmark_time_unit") {
    cli::parse_choice(name, *value, {"ns", "us", "ms", "s"});
  } else if (name == "--benchmark_filter") {
    std::string_view pattern = *value;
    if (pattern.starts_with('-')) pattern.remove_prefix(1);  // a negative filter
    try {
      const std::regex re{std::string(pattern), std::regex::extended};
    } catch (const std::regex_error& e) {
      throw UsageError(cli::invalid(name, *value) +
                       "expected a POSIX extended regular expression (" + e.what() + ")");
    }
  } else if (name == "--benchmark_out") {
    const fs::path path{std::string(*value)};
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    std::string problem;
    struct stat st {};
    if (value->empty() || path.filename().empty()) {
      problem = "no file name";
    } else if (::stat(dir.c_str(), &st) != 0) {
      problem = "directory " + cli::quoted(dir.string()) + ": " + std::strerror(errno);
    } else if (!S_ISDIR(st.st_mode)) {
      problem = cli::quoted(dir.string()) + " is not a directory";
    } else if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      problem = "directory " + cli::quoted(dir.string()) + ": " + std::strerror(errno);
    } else if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      problem = "it is a directory";
    }
    if (!problem.empty()) {
      throw UsageError(cli::invalid(name, *value) + problem +
                       " (expected a file path in an existing, writable directory)");
    }
  }
}

// The one-line message for an argument that benchmark::Initialize() left in argv. The values
// it would refuse were checked before (check_benchmark_flag), so what is left is a flag it does
// not know (said as `line` says it of any option), or one of its flags without its value.
std::string leftover_message(const cli::CommandLine& line, std::string_view arg) {
  const std::string_view name = flag_name(arg);
  if (!flag_value(arg)) {
    return "missing value for " + std::string(name) + ": expected " + std::string(name) +
           "=VALUE (see --help)";
  }
  return line.unknown_option(name);
}

// Passes what is written to it on to `out` line by line, except Google Benchmark's line for a
// filter that selects nothing, which becomes this program's one-line message.
class FilterLineRewriter : public std::streambuf {
 public:
  FilterLineRewriter(std::string program, std::streambuf* out)
      : program_(std::move(program)), out_(out) {}
  ~FilterLineRewriter() override { flush_line(); }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    line_ += traits_type::to_char_type(c);
    if (line_.back() == '\n') flush_line();
    return c;
  }
  // std::cerr syncs after every insertion; a line is passed on only once it is whole.
  int sync() override { return out_->pubsync(); }

 private:
  void flush_line() {
    static constexpr std::string_view kNoMatch = "Failed to match any benchmarks against regex: ";
    if (line_.starts_with(kNoMatch) && line_.ends_with('\n')) {
      const std::string_view filter =
          std::string_view(line_).substr(kNoMatch.size(), line_.size() - kNoMatch.size() - 1);
      line_ = program_ + ": invalid --benchmark_filter " + cli::quoted(filter) +
              ": it selects no benchmark (expected a regular expression matching a name that "
              "--benchmark_list_tests=true prints)\n";
    }
    out_->sputn(line_.data(), static_cast<std::streamsize>(line_.size()));
    line_.clear();
  }

  std::string program_;
  std::streambuf* out_;
  std::string line_;
};

// Google Benchmark's reading of a boolean flag's value (IsTruthyFlagValue): "" and anything
// but 0, f, n, false, no and off (in any case) is true.
bool truthy(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return !(lower == "0" || lower == "f" || lower == "n" || lower == "false" || lower == "no" ||
           lower == "off");
}

// The value of `name` among `flags` ("--name=VALUE"), or `otherwise`.
std::string value_of(const std::vector<std::string>& flags, std::string_view name,
                     std::string_view otherwise) {
  for (const std::string& f : flags) {
    if (flag_name(f) == name) return std::string(flag_value(f).value_or(otherwise));
  }
  return std::string(otherwise);
}

// Takes the flags that rounds replace or that this file handles itself out of `flags` (the
// rest go to benchmark::Initialize()) and into `settings`. Throws UsageError.
// --benchmark_out stays away from Google Benchmark: 1.7.1 opens (and truncates) that file in
// every call of RunSpecifiedBenchmarks, one call per round here, and points the file reporter
// at a stream that dies with the call; run_benchmarks() writes the record itself, at the end.
std::vector<std::string> take_own_benchmark_flags(const std::vector<std::string>& flags,
                                                  Settings& settings) {
  std::vector<std::string> rest;
  settings.out_format = "json";
  for (const std::string& f : flags) {
    const std::string_view name = flag_name(f);
    const auto value = flag_value(f);
    if (name == "--benchmark_report_aggregates_only" ||
        name == "--benchmark_display_aggregates_only") {
      if (truthy(value.value_or(""))) {  // "--name" alone counts as true
        throw UsageError(cli::invalid(name, value.value_or("")) +
                         "this program records every round and no aggregates; the report "
                         "computes medians and intervals from the rounds (expected false)");
      }
      continue;
    }
    const bool ours = name == "--benchmark_repetitions" || name == "--benchmark_out" ||
                      name == "--benchmark_out_format";
    if (!ours) {
      rest.push_back(f);
      continue;
    }
    if (!value) {
      throw UsageError("missing value for " + std::string(name) + ": expected " +
                       std::string(name) + "=VALUE (see --help)");
    }
    if (name == "--benchmark_repetitions") {
      settings.rounds.min_rounds = cli::parse_int(name, *value, 1, 1000, " (the number of rounds)");
    } else if (name == "--benchmark_out") {
      settings.out = *value;
    } else {
      settings.out_format = *value;
    }
  }
  return rest;
}

// A reporter for --benchmark_out_format.
std::unique_ptr<benchmark::BenchmarkReporter> make_file_reporter(const std::string& format) {
  if (format == "console") {
    return std::make_unique<benchmark::ConsoleReporter>(benchmark::ConsoleReporter::OO_None);
  }
  if (format == "csv") {
    BENCHMARK_DISABLE_DEPRECATED_WARNING
    return std::make_unique<benchmark::CSVReporter>();
    BENCHMARK_RESTORE_DEPRECATED_WARNING
  }
  return std::make_unique<benchmark::JSONReporter>();
}

// Explains Google Benchmark's "Library was built as DEBUG" banner, if the library prints it.
void note_library_build() {
  std::ostringstream banner;
  benchmark::BenchmarkReporter::PrintBasicContext(&banner, benchmark::BenchmarkReporter::Context());
  if (banner.str().find("Library was built as DEBUG") == std::string::npos) return;
#ifdef NDEBUG
  std::fprintf(stderr,
               "note: the Google Benchmark library is a debug build (Debian's package is); its "
               "warning below concerns the library's own bookkeeping around each run, not the "
               "timed code, which this program's %s build compiles with optimization\n",
               FUTURES_BENCH_BUILD_TYPE);
#else
  std::fprintf(stderr,
               "note: this program is a %s build, without NDEBUG: its timings are not the "
               "release build's (use the release preset for numbers)\n",
               FUTURES_BENCH_BUILD_TYPE);
#endif
}

}  // namespace

Settings initialize(const Program& program, int argc, char** argv) {
  Settings settings;
  std::vector<Flag> own = program.flags;
  own.push_back({"--max-rounds", "N",
                 "most rounds of a row whose 95% interval of the median is wider than --max-ci, "
                 "1 to 1000 (default 15)",
                 [&settings](std::string_view v) {
                   settings.rounds.max_rounds = cli::parse_int("--max-rounds", v, 1, 1000);
                 }});
  own.push_back({"--max-ci", "X",
                 "widest accepted half-width of that interval, relative to the median, 0 to 1 "
                 "(default 0.05: ±5%)",
                 [&settings](std::string_view v) {
                   settings.rounds.max_ci = cli::parse_number("--max-ci", v, 0, 1);
                 }});
  std::vector<std::string>& flags = settings.flags;
  std::vector<std::string> for_library;
  // This program's flags through CLI11; Google Benchmark's (--benchmark_*) are passed on,
  // checked below, to benchmark::Initialize().
  // The variables the line binds live as long as it does.
  std::vector<std::optional<std::string>> values(own.size());
  std::deque<bool> switches(own.size());  // std::vector<bool> has no bool&
  cli::CommandLine line(program.name, program.summary);
  line.pass_on("--benchmark_");
  try {
    for (std::size_t i = 0; i < own.size(); ++i) {
      const Flag& f = own[i];
      // The spelling with underscores (--max_rounds), these programs' old one, as an alias.
      std::string names = f.name;
      std::string old = f.name;
      std::replace(old.begin() + 2, old.end(), '-', '_');
      if (old != f.name) names += "," + old;
      if (f.value.empty()) {
        line.flag(names, switches[i], f.help);
      } else {
        line.option({names, f.value, f.help, f.value + ": " + f.help}, values[i]);
      }
    }
    if (!line.parse(argc, argv)) {
      print_help(program, own);
      std::exit(0);
    }
    for (std::size_t i = 0; i < own.size(); ++i) {
      if (own[i].value.empty() && switches[i]) own[i].set({});
      if (!own[i].value.empty() && values[i]) own[i].set(*values[i]);
    }
    for (const std::string& arg : line.passed_on()) {
      check_benchmark_flag(arg);
      flags.push_back(arg);
    }
    std::vector<std::string> defaults = program.defaults;
    defaults.emplace_back("--benchmark_enable_random_interleaving=true");
    for (const auto& d : defaults) {
      const bool given = std::any_of(flags.begin(), flags.end(), [&](const std::string& f) {
        return flag_name(f) == flag_name(d);
      });
      if (!given) flags.push_back(d);
    }
    for_library = take_own_benchmark_flags(flags, settings);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(), e.what());
    std::exit(2);
  }

  // Google Benchmark keeps argv[0] (the record's "executable") for the whole run.
  static std::vector<std::string> storage;
  static std::vector<char*> args;
  storage.assign({argc > 0 ? argv[0] : program.name});
  storage.insert(storage.end(), for_library.begin(), for_library.end());
  for (auto& s : storage) args.push_back(s.data());
  args.push_back(nullptr);
  int n = static_cast<int>(storage.size());

  // Initialize() takes the flags it knows out of args; what it leaves, it did not take
  // (ReportUnrecognizedArguments() would say so, in its own words: this program says it in one
  // line, as it says every other mistake).
  benchmark::Initialize(&n, args.data());
  if (n > 1) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(), leftover_message(line, args[1]).c_str());
    std::exit(2);
  }

  // The machine's context in every record; a key given with --benchmark_context wins.
  const auto* given = benchmark::internal::GetGlobalContext();
  for (const auto& [key, value] : machine::context()) {
    if (given == nullptr || !given->contains(key)) benchmark::AddCustomContext(key, value);
  }
  return settings;
}

int run_benchmarks(const Program& program, const Settings& settings) {
  const bool console = value_of(settings.flags, "--benchmark_format", "console") == "console";
  std::vector<Output> outputs{{benchmark::CreateDefaultDisplayReporter(), console}};
  std::ostringstream record;
  std::unique_ptr<benchmark::BenchmarkReporter> file;
  if (!settings.out.empty()) {
    file = make_file_reporter(settings.out_format);
    file->SetOutputStream(&record);
    file->SetErrorStream(&record);
    outputs.push_back({file.get(), false});
  }
  Rounds rounds = settings.rounds;
  rounds.baseline = program.baseline;
  if (console) rounds.before_first_round = note_library_build;
  std::size_t selected = 0;
  {
    FilterLineRewriter rewriter(program.name, std::cerr.rdbuf());
    std::streambuf* const saved = std::cerr.rdbuf(&rewriter);
    selected = run_rounds(rounds, benchmark::GetBenchmarkFilter(), outputs);
    std::cerr.rdbuf(saved);
  }
  benchmark::Shutdown();
  if (selected == 0) return 2;
  if (settings.out.empty() || record.str().empty()) return 0;  // or only listed
  std::ofstream out(settings.out, std::ios::binary | std::ios::trunc);
  out << record.str();
  out.close();
  if (!out) {
    std::fprintf(stderr, "%s: cannot write --benchmark_out %s: %s\n", program.name.c_str(),
                 cli::quoted(settings.out).c_str(), std::strerror(errno));
    std::error_code ec;
    fs::remove(settings.out, ec);
    return 1;
  }
  return 0;
}

std::vector<int> parse_worker_list(std::string_view text) {
  std::vector<int> out;
  try {
    std::size_t from = 0;
    for (;;) {
      const std::size_t comma = text.find(',', from);
      out.push_back(cli::parse_int("--workers", text.substr(from, comma - from), 1, 1024));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
  } catch (const cli::UsageError&) {
    throw cli::UsageError(cli::invalid("--workers", text) +
                          "expected a comma-separated list of integers from 1 to 1024");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace bench
