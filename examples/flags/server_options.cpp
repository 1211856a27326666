#include "server_options.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"

namespace flags {

using cli::CommandLine;

namespace {

constexpr double kMaxDelay = 60;

struct RawOptions {
  std::string mode = "LOCAL";
  std::string port, delay, error_rate, seed, host = "127.0.0.1", dir{kDefaultFlagsDir};
  std::string max_requests, lifetime;
  bool verbose = false;
};

void describe_options(CommandLine& line, RawOptions& raw) {
  line.option("--mode", raw.mode, "MODE",
              "LOCAL (plain), DELAY (--delay 0.5) or ERROR (--error-rate 0.25)", true);
  line.option("--port", raw.port, "PORT",
              "port to listen on (default 8000, 8001, 8002 by mode; 0: any free port)");
  line.option("--host", raw.host, "ADDRESS", "address to listen on", true);
  line.option("--dir", raw.dir, "DIR", "directory of cc.png flag images", true);
  line.option("--delay", raw.delay, "S|MIN-MAX",
              "seconds before each response: S, or MIN-MAX drawn uniformly");
  line.option("--error-rate", raw.error_rate, "P",
              "share of requests answered 418 I'm a teapot, 0 to 1");
  line.option("--seed", raw.seed, "N", "seed of the delays and errors (default 0)");
  line.option("--max-requests", raw.max_requests, "N",
              "stop after N responses (default: no limit)");
  line.option("--lifetime", raw.lifetime, "S", "stop after S seconds (default: no limit)");
  line.flag("-v,--verbose", raw.verbose, "log each request on stderr");
}

constexpr std::string_view kSynopsis =
    "flags_server [--mode LOCAL|DELAY|ERROR] [--port PORT] [--host ADDRESS] [--dir DIR]\n"
    "                    [--delay S|MIN-MAX] [--error-rate P] [--seed N] [--max-requests N]\n"
    "                    [--lifetime S] [-v]";

constexpr const char* kDescription =
    "Serves flag images as /flags/<cc>/<cc>.png over HTTP/1.1, as the book's local test "
    "servers: plainly (LOCAL), after a delay (DELAY) or answering some requests 418 (ERROR). "
    "Stops on SIGINT or SIGTERM and prints how many requests it answered with each status.";

}  // namespace

std::string ServerOptions::describe() const {
  char buf[160];
  if (delay_min == delay_max) {
    std::snprintf(buf, sizeof buf, "delay %g s, error rate %g, seed %llu", delay_min, error_rate,
                  static_cast<unsigned long long>(seed));
  } else {
    std::snprintf(buf, sizeof buf, "delay %g-%g s, error rate %g, seed %llu", delay_min, delay_max,
                  error_rate, static_cast<unsigned long long>(seed));
  }
  return buf;
}

std::optional<ServerOptions> parse_server_options(int argc, const char* const* argv) {
  RawOptions raw;
  CommandLine line("flags_server", kDescription);
  describe_options(line, raw);
  if (!line.parse(argc, argv)) return std::nullopt;

  ServerOptions o;
  o.mode = cli::parse_choice("--mode", raw.mode, {"LOCAL", "DELAY", "ERROR"});
  o.port = o.mode == "LOCAL" ? 8000 : o.mode == "DELAY" ? 8001 : 8002;
  if (o.mode == "DELAY") o.delay_min = o.delay_max = 0.5;
  if (o.mode == "ERROR") o.error_rate = 0.25;
  if (!raw.port.empty()) o.port = cli::parse_int("--port", raw.port, 0, 65535);
  if (!raw.delay.empty()) {
    const std::size_t dash = raw.delay.find('-', 1);
    if (dash == std::string::npos) {
      o.delay_min = o.delay_max = cli::parse_number("--delay", raw.delay, 0, kMaxDelay);
    } else {
      o.delay_min = cli::parse_number("--delay", raw.delay.substr(0, dash), 0, kMaxDelay);
      o.delay_max = cli::parse_number("--delay", raw.delay.substr(dash + 1), 0, kMaxDelay);
      if (o.delay_max < o.delay_min) {
        throw cli::UsageError(cli::invalid("--delay", raw.delay) +
                              "expected MIN-MAX with MIN at most MAX");
      }
    }
  }
  if (!raw.error_rate.empty())
    o.error_rate = cli::parse_number("--error-rate", raw.error_rate, 0, 1);
  if (!raw.seed.empty())
    o.seed = static_cast<std::uint64_t>(cli::parse_int("--seed", raw.seed, 0, 2147483647));
  boost::system::error_code ec;
  boost::asio::ip::make_address_v4(raw.host, ec);
  if (ec) throw cli::UsageError(cli::invalid("--host", raw.host) + "expected an IPv4 address");
  o.host = raw.host;
  o.dir = raw.dir;
  if (!raw.max_requests.empty()) {
    o.max_requests = cli::parse_int("--max-requests", raw.max_requests, 1, 2147483647);
  }
  if (!raw.lifetime.empty())
    o.lifetime_s = cli::parse_number("--lifetime", raw.lifetime, 0.001, 86400);
  o.verbose = raw.verbose;
  return o;
}

std::string server_usage() {
  RawOptions raw;
  CommandLine line("flags_server", kDescription);
  describe_options(line, raw);
  return line.usage(kSynopsis);
}

}  // namespace flags
