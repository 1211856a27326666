#include "flags_common.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "country_codes.hpp"
#include "download.hpp"

namespace flags {

using cli::CommandLine;

namespace {

constexpr std::string_view kDefaultUrl = "http://localhost:8000/flags";

std::runtime_error not_ok(std::string_view cc, const Response& response) {
  return std::runtime_error(std::string(cc) + ": " + outcome_of(response).error);
}

}  // namespace

std::string get_flag(HttpClient& client, std::string_view cc) {
  Response response;
  try {
    response = client.get(flag_path(cc));
  } catch (const TransportError& e) {
    throw std::runtime_error(std::string(cc) + ": " + e.what());
  }
  if (response.status != 200) throw not_ok(cc, response);
  return std::move(response.body);
}

boost::asio::awaitable<std::string> async_get_flag(AsyncHttpClient& client, std::string cc) {
  Response response;
  std::string failure;
  try {
    response = co_await client.get(flag_path(cc));
  } catch (const TransportError& e) {
    failure = cc + ": " + e.what();
  }
  if (!failure.empty()) throw std::runtime_error(failure);
  if (response.status != 200) throw not_ok(cc, response);
  co_return std::move(response.body);
}

void show(std::string_view cc) {
  static std::mutex mu;
  const std::lock_guard<std::mutex> lock(mu);
  std::printf("%.*s ", static_cast<int>(cc.size()), cc.data());
  std::fflush(stdout);
}

int flags_main(std::string_view program, std::string_view description, int argc,
               const char* const* argv, const FlagsDownloadMany& download_many) {
  return cli::run_main(program, [&] {
    std::string url(kDefaultUrl), dest = "downloaded", timeout;
    CommandLine line(std::string(program),
                     std::string(description) +
                         " Downloads the flags of the 20 most populous countries, as the book; "
                         "start a server first with flags_server.");
    line.option("--url", url, "URL",
                "the flags' base URL (default=" + std::string(kDefaultUrl) + ")");
    line.option("--dest", dest, "DIR", "directory to save the flags in (default=downloaded)");
    line.option("--timeout", timeout, "S", "seconds each request may take (default=5)");
    if (!line.parse(argc, argv)) {
      const std::string synopsis =
          std::string(program) + " [-h] [--url URL] [--dest DIR] [--timeout S]";
      std::fputs(line.usage(synopsis).c_str(), stdout);
      return 0;
    }
    FlagsArgs args;
    try {
      args.base = parse_base_url(url);
    } catch (const std::invalid_argument& e) {
      throw cli::UsageError(cli::invalid("--url", url) + e.what());
    }
    if (dest.empty()) throw cli::UsageError(cli::invalid("--dest", dest) + "expected a directory");
    args.dest = dest;
    args.timeout = timeout.empty()
                       ? kDefaultTimeout
                       : std::chrono::milliseconds(static_cast<long long>(
                             cli::parse_number("--timeout", timeout, 0.001, 3600) * 1000));
    args.cc_list.assign(kPop20.begin(), kPop20.end());
    std::sort(args.cc_list.begin(), args.cc_list.end());
    check_server(args.base, args.timeout);
    prepare_dest_dir(args.dest);

    const auto t0 = std::chrono::steady_clock::now();
    const int count = download_many(args);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("\n%d downloads in %.2fs\n", count, elapsed);
    return 0;
  });
}

}  // namespace flags
