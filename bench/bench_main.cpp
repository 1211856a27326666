#include "bench_main.hpp"

#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>

#include "cli/cli.hpp"

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

void print_help(const Program& program) {
  std::printf("usage: %s [FLAGS]\n%s\n\nThis program's flags:\n", program.name.c_str(),
              program.summary.c_str());
  for (const Flag& flag : program.flags) {
    const std::string shown = flag.value.empty() ? flag.name : flag.name + "=" + flag.value;
    std::printf("  %-28s %s\n", shown.c_str(), flag.help.c_str());
  }
  std::printf("  %-28s %s\n", "-h, --help", "this text");
  std::printf("\nGoogle Benchmark's flags");
  if (!program.defaults.empty()) {
    std::string defaults;
    for (const auto& d : program.defaults) defaults += " " + d;
    std::printf(" (this program's defaults:%s)", defaults.c_str());
  }
  std::printf(":\n");
  std::fflush(stdout);
  benchmark::PrintDefaultHelp();
}

// Checks the value of one Google Benchmark flag where benchmark::Initialize() would accept a
// bad one or print its usage and exit 0.
void check_benchmark_flag(std::string_view arg) {
  const std::string_view name = flag_name(arg);
  const auto value = flag_value(arg);
  if (!value) return;  // Initialize() reports it as unrecognized
  if (name == "--benchmark_format" || name == "--benchmark_out_format") {
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

// The one-line message for an argument that benchmark::Initialize() left in argv, with what it
// wrote on std::cerr about it ("The value of flag --x is expected to be a double, but ...").
std::string leftover_message(const Program& program, std::string_view arg,
                             const std::string& complaint) {
  const std::string_view name = flag_name(arg);
  const auto value = flag_value(arg);
  const std::string marker = "is expected to be a ";
  if (const auto at = complaint.find(marker); at != std::string::npos && value) {
    const auto start = at + marker.size();
    std::string type = complaint.substr(start, complaint.find(',', start) - start);
    if (name == "--benchmark_min_time") type += " (seconds, without a unit: 0.5, not 0.5s)";
    return cli::invalid(name, *value) + "expected a " + type;
  }
  if (name.starts_with("--benchmark_") && !value) {
    return "missing value for " + std::string(name) + ": expected " + std::string(name) +
           "=VALUE (see --help)";
  }
  if (arg.starts_with("-")) {
    std::string accepted = program.flags.empty() ? "expected --help" : "expected one of ";
    for (const Flag& flag : program.flags) accepted += flag.name + ", ";
    if (!program.flags.empty()) accepted += "--help,";
    return "unknown flag " + cli::quoted(name) + ": " + accepted +
           " or a --benchmark_* flag of Google Benchmark (see --help)";
  }
  return "unexpected argument " + cli::quoted(arg) + ": this program takes flags only (see --help)";
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

}  // namespace

std::vector<std::string> initialize(const Program& program, int argc, char** argv) {
  std::vector<std::string> flags;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (arg == "--") break;
      if (arg == "-h" || arg == "--help") {
        print_help(program);
        std::exit(0);
      }
    }
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      const std::string_view name = flag_name(arg);
      const auto own = std::find_if(program.flags.begin(), program.flags.end(),
                                    [&](const Flag& f) { return f.name == name; });
      if (own == program.flags.end()) {
        check_benchmark_flag(arg);
        flags.emplace_back(arg);
        continue;
      }
      const auto value = flag_value(arg);
      if (own->value.empty() && value) {
        throw UsageError(cli::invalid(own->name, *value) + own->name +
                         " is a switch and takes no value");
      }
      if (!own->value.empty() && !value) {
        throw UsageError("missing value for " + own->name + ": expected " + own->name + "=" +
                         own->value + ": " + own->help);
      }
      own->set(value.value_or(std::string_view{}));
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(), e.what());
    std::exit(2);
  }
  for (const auto& d : program.defaults) {
    const bool given = std::any_of(flags.begin(), flags.end(), [&](const std::string& f) {
      return flag_name(f) == flag_name(d);
    });
    if (!given) flags.push_back(d);
  }

  std::vector<std::string> storage{program.name};
  storage.insert(storage.end(), flags.begin(), flags.end());
  std::vector<char*> args;
  for (auto& s : storage) args.push_back(s.data());
  args.push_back(nullptr);
  int n = static_cast<int>(storage.size());

  // Initialize() explains a bad value on std::cerr and leaves the flag in args; that text is
  // kept for the one-line message.
  std::ostringstream complaint;
  std::streambuf* const saved = std::cerr.rdbuf(complaint.rdbuf());
  benchmark::Initialize(&n, args.data());
  std::cerr.rdbuf(saved);
  if (n > 1) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(),
                 leftover_message(program, args[1], complaint.str()).c_str());
    std::exit(2);
  }
  std::cerr << complaint.str();
  return flags;
}

int run_benchmarks(const std::string& program, const std::vector<std::string>& flags) {
  std::size_t ran = 0;
  {
    FilterLineRewriter rewriter(program, std::cerr.rdbuf());
    std::streambuf* const saved = std::cerr.rdbuf(&rewriter);
    ran = benchmark::RunSpecifiedBenchmarks();
    std::cerr.rdbuf(saved);
  }
  benchmark::Shutdown();
  if (ran > 0) return 0;
  for (const auto& f : flags) {
    if (flag_name(f) != "--benchmark_out") continue;
    const fs::path out{std::string(*flag_value(f))};
    std::error_code ec;
    if (fs::is_regular_file(out, ec) && fs::file_size(out, ec) == 0) fs::remove(out, ec);
  }
  return 2;
}

}  // namespace bench
