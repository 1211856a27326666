// The flags2 programs' shared part, as the book's flags2_common.py: the command line (codes
// or first letters, -a, -e, -l, -m, -s or --url, -v, --dest, --timeout), the opening lines,
// the closing counts, and main().
#ifndef EXAMPLES_FLAGS_FLAGS2_COMMON_HPP_
#define EXAMPLES_FLAGS_FLAGS2_COMMON_HPP_

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "download.hpp"
#include "http_client.hpp"

namespace flags {

// What distinguishes one flags2 program: its name and its concurrency bounds.
struct Flags2Program {
  std::string_view name;         // "flags2_threadpool"
  std::string_view description;  // a line for --help
  int default_concur_req = 1;    // -m's default
  int max_concur_req = 1;        // -m is capped at this
};

// A parsed command line.
struct Flags2Args {
  std::vector<std::string> cc_list;  // sorted, limited
  std::string server_label;          // LOCAL, DELAY, ERROR, or URL for --url
  BaseUrl base;
  int concur_req = 1;  // min(-m, max_concur_req, number of codes)
  bool verbose = false;
  std::filesystem::path dest = "downloaded";
  std::chrono::milliseconds timeout = kDefaultTimeout;
};

// Parses argv; nullopt for --help (the caller prints flags2_usage). Throws cli::UsageError.
std::optional<Flags2Args> parse_flags2_args(const Flags2Program& program, int argc,
                                            const char* const* argv);

std::string flags2_usage(const Flags2Program& program);

// Downloads args.cc_list with args.concur_req requests at a time, saving into args.dest;
// prints per-flag lines when args.verbose, else a progress bar on stderr.
using DownloadMany = std::function<Counter(const Flags2Args& args)>;

// The book's main(): parses the command line, checks the server and the output directory,
// prints the opening lines, downloads, prints the closing counts and the elapsed time.
// Returns the exit status (2 for a bad command line, nothing written then).
int flags2_main(const Flags2Program& program, int argc, const char* const* argv,
                const DownloadMany& download_many);

// The verbose line for one flag: "CN OK", "XX not found", "BR error: HTTP 418 - I'm a teapot".
std::string outcome_line(std::string_view cc, const Outcome& outcome);

}  // namespace flags

#endif  // EXAMPLES_FLAGS_FLAGS2_COMMON_HPP_
