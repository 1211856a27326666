#include "flags2_common.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "country_codes.hpp"

namespace flags {

using cli::CommandLine;

namespace {

constexpr int kMaxLimit = 1 << 20;

// The book's SERVERS, less REMOTE: this port serves nothing from the internet.
struct Server {
  std::string_view label;
  std::string_view url;
};
constexpr Server kServers[] = {{"LOCAL", "http://localhost:8000/flags"},
                               {"DELAY", "http://localhost:8001/flags"},
                               {"ERROR", "http://localhost:8002/flags"}};

struct RawArgs {
  std::vector<std::string> cc;
  bool all = false;
  bool every = false;
  std::string limit, max_req, server = "LOCAL", url, dest = "downloaded", timeout;
  bool verbose = false;
};

std::string description(const Flags2Program& program) {
  return std::string(program.description) +
         " Default: top 20 countries by population. Start the servers with "
         "flags_server --mode LOCAL|DELAY|ERROR.";
}

void describe_options(const Flags2Program& program, CommandLine& line, RawArgs& raw) {
  line.positionals("CC", raw.cc, "country code or 1st letter (eg. B for BA...BZ)");
  line.flag("-a,--all", raw.all, "get all available flags (AD to ZW)");
  line.flag("-e,--every", raw.every, "get flags for every possible code (AA...ZZ)");
  line.option("-l,--limit", raw.limit, "N", "limit to N first codes");
  line.option(
      "-m,--max_req", raw.max_req, "CONCURRENT",
      "maximum concurrent requests (default=" + std::to_string(program.default_concur_req) + ")");
  line.option("-s,--server", raw.server, "LABEL",
              "Server to hit; one of DELAY, ERROR, LOCAL (default=LOCAL)");
  line.option("--url", raw.url, "URL", "any other server's base URL, instead of --server");
  line.option("--dest", raw.dest, "DIR", "directory to save the flags in (default=downloaded)");
  line.option("--timeout", raw.timeout, "S", "seconds each request may take (default=5)");
  line.flag("-v,--verbose", raw.verbose, "output detailed progress info");
}

std::string synopsis(const Flags2Program& program) {
  return std::string(program.name) +
         " [-h] [-a] [-e] [-l N] [-m CONCURRENT] [-s LABEL]\n"
         "       [--url URL] [--dest DIR] [--timeout S] [-v] [CC ...]";
}

void initial_report(const Flags2Args& args) {
  const auto& cc = args.cc_list;
  std::string cc_msg;
  if (cc.size() <= 10) {
    for (std::size_t k = 0; k < cc.size(); ++k) cc_msg += (k ? ", " : "") + cc[k];
  } else {
    cc_msg = "from " + cc.front() + " to " + cc.back();
  }
  std::printf("%s site: %s\n", args.server_label.c_str(), args.base.text().c_str());
  std::printf("Searching for %zu flag%s: %s\n", cc.size(), cc.size() != 1 ? "s" : "",
              cc_msg.c_str());
  if (args.concur_req == 1) {
    std::printf("1 connection will be used.\n");
  } else {
    std::printf("%d concurrent connections will be used.\n", args.concur_req);
  }
  std::fflush(stdout);
}

void final_report(const Counter& counter, double elapsed) {
  std::printf("--------------------\n");
  std::printf("%3d flag%s downloaded.\n", counter.ok, counter.ok != 1 ? "s" : "");
  if (counter.not_found) std::printf("%3d not found.\n", counter.not_found);
  if (counter.error) std::printf("%3d error%s.\n", counter.error, counter.error != 1 ? "s" : "");
  std::printf("Elapsed time: %.2fs\n", elapsed);
}

}  // namespace

std::optional<Flags2Args> parse_flags2_args(const Flags2Program& program, int argc,
                                            const char* const* argv) {
  RawArgs raw;
  CommandLine line(std::string(program.name), description(program));
  describe_options(program, line, raw);
  if (!line.parse(argc, argv)) return std::nullopt;

  Flags2Args args;
  const int max_req = raw.max_req.empty() ? program.default_concur_req
                                          : cli::parse_int("--max_req", raw.max_req, 1, INT_MAX);
  const int limit =
      raw.limit.empty() ? kMaxLimit : cli::parse_int("--limit", raw.limit, 1, kMaxLimit);
  if (!raw.url.empty()) {
    try {
      args.base = parse_base_url(raw.url);
    } catch (const std::invalid_argument& e) {
      throw cli::UsageError(cli::invalid("--url", raw.url) + e.what());
    }
    args.server_label = "URL";
  } else {
    std::string label = raw.server;
    for (char& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const Server* found = nullptr;
    for (const Server& s : kServers) {
      if (s.label == label) found = &s;
    }
    if (found == nullptr) {
      throw cli::UsageError(cli::invalid("--server", raw.server) +
                            "expected one of DELAY, ERROR, LOCAL");
    }
    args.server_label = label;
    args.base = parse_base_url(found->url);
  }
  if (!raw.timeout.empty()) {
    args.timeout = std::chrono::milliseconds(
        static_cast<long long>(cli::parse_number("--timeout", raw.timeout, 0.001, 3600) * 1000));
  }
  args.cc_list = expand_cc_args(raw.every, raw.all, raw.cc, static_cast<std::size_t>(limit));
  args.concur_req =
      std::min({max_req, program.max_concur_req, static_cast<int>(args.cc_list.size())});
  args.verbose = raw.verbose;
  if (raw.dest.empty())
    throw cli::UsageError(cli::invalid("--dest", raw.dest) + "expected a directory");
  args.dest = raw.dest;
  return args;
}

std::string flags2_usage(const Flags2Program& program) {
  RawArgs raw;
  CommandLine line(std::string(program.name), description(program));
  describe_options(program, line, raw);
  return line.usage(synopsis(program));
}

std::string outcome_line(std::string_view cc, const Outcome& outcome) {
  switch (outcome.status) {
    case DownloadStatus::ok:
      return std::string(cc) + " OK";
    case DownloadStatus::not_found:
      return std::string(cc) + " not found";
    case DownloadStatus::error:
      break;
  }
  return std::string(cc) + " error: " + outcome.error;
}

int flags2_main(const Flags2Program& program, int argc, const char* const* argv,
                const DownloadMany& download_many) {
  return cli::run_main(program.name, [&] {
    const std::optional<Flags2Args> args = parse_flags2_args(program, argc, argv);
    if (!args) {
      std::fputs(flags2_usage(program).c_str(), stdout);
      return 0;
    }
    check_server(args->base, args->timeout);
    prepare_dest_dir(args->dest);
    initial_report(*args);
    const auto t0 = std::chrono::steady_clock::now();
    const Counter counter = download_many(*args);
    final_report(counter,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
  });
}

}  // namespace flags
