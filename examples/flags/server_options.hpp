// flags_server's command line: the mode (LOCAL, DELAY, ERROR) and what it sets by default, the
// address, and the bounds that make a test's server stop by itself.
#ifndef EXAMPLES_FLAGS_SERVER_OPTIONS_HPP_
#define EXAMPLES_FLAGS_SERVER_OPTIONS_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flags {

// Where Debian's iso-flags-png-320x240 puts its images (cc.png, lower case).
inline constexpr std::string_view kDefaultFlagsDir = "/usr/share/iso-flags-png-320x240";

struct ServerOptions {
  std::string mode = "LOCAL";  // LOCAL, DELAY or ERROR: sets the defaults of the next three
  int port = 8000;             // 8000, 8001, 8002 by mode, as the book; 0: any free port
  double delay_min = 0;        // seconds before each response, drawn uniformly from
  double delay_max = 0;        //   [delay_min, delay_max]
  double error_rate = 0;       // the share of requests answered 418 I'm a teapot
  std::uint64_t seed = 0;      // the delays and errors follow from it
  std::string host = "127.0.0.1";
  std::string dir{kDefaultFlagsDir};
  long long max_requests = 0;  // stop after this many responses; 0: no limit
  double lifetime_s = 0;       // stop after this many seconds; 0: no limit
  bool verbose = false;        // a line per request on stderr

  // "delay 0.5 s, error rate 0.25, seed 0"
  std::string describe() const;
};

// Parses argv. Returns nullopt when -h or --help was given. Throws cli::UsageError.
std::optional<ServerOptions> parse_server_options(int argc, const char* const* argv);

// flags_server --help.
std::string server_usage();

}  // namespace flags

#endif  // EXAMPLES_FLAGS_SERVER_OPTIONS_HPP_
