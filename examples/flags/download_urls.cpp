// The Python documentation's ThreadPoolExecutor example (concurrent.futures, "ThreadPoolExecutor
// Example"): load_url submitted once per URL to 5 threads, each future mapped back to its URL,
// results taken as they complete. By default the URLs are four flags and one missing image on
// the local flags server (start it with flags_server --mode LOCAL); any http:// URLs can be
// given instead.
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "futures/futures.hpp"
#include "http_client.hpp"

namespace {

constexpr const char* kProgram = "download_urls";

const std::vector<std::string> kDefaultUrls = {
    "http://localhost:8000/flags/cn/cn.png", "http://localhost:8000/flags/br/br.png",
    "http://localhost:8000/flags/in/in.png", "http://localhost:8000/flags/us/us.png",
    "http://localhost:8000/flags/xx/xx.png"};

// The docs' load_url: the body of `url`; throws as urlopen does for an answer other than 200.
std::string load_url(const std::string& url, std::chrono::milliseconds timeout) {
  flags::BaseUrl where = flags::parse_base_url(url);
  const std::string path = where.path.empty() ? "/" : where.path;
  where.path.clear();
  flags::HttpClient client(where, timeout);
  flags::Response response = client.get(path);
  if (response.status != 200) {  // urllib's HTTPError, worded as it is
    throw std::runtime_error("HTTP Error " + std::to_string(response.status) + ": " +
                             response.reason);
  }
  return std::move(response.body);
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_main(kProgram, [&] {
    std::vector<std::string> urls;
    std::string workers_text, timeout_text;
    cli::CommandLine line(
        kProgram,
        "The Python documentation's ThreadPoolExecutor example: loads each URL on a pool of "
        "threads and prints its size, or the exception it raised, as each completes. "
        "Default: four flags and one missing image from flags_server --mode LOCAL.");
    line.positionals("URL", urls, "http:// URLs to load");
    line.option("--workers", workers_text, "N", "threads of the pool (default 5, as the docs)");
    line.option("--timeout", timeout_text, "S", "seconds each load may take (default 60)");
    if (!line.parse(argc, argv)) {
      std::fputs(line.usage("download_urls [-h] [--workers N] [--timeout S] [URL ...]").c_str(),
                 stdout);
      return 0;
    }
    const int workers =
        workers_text.empty() ? 5 : cli::parse_int("--workers", workers_text, 1, 1024);
    const auto timeout = std::chrono::milliseconds(static_cast<long long>(
        (timeout_text.empty() ? 60 : cli::parse_number("--timeout", timeout_text, 0.001, 3600)) *
        1000));
    if (urls.empty()) urls = kDefaultUrls;
    for (const std::string& url : urls) {
      try {
        flags::parse_base_url(url);
      } catch (const std::invalid_argument& e) {
        throw cli::UsageError(cli::invalid("URL", url) + e.what());
      }
    }

    // The docs' with-block and dict comprehension: future -> URL.
    futures::ThreadPoolExecutor executor(workers);
    std::unordered_map<futures::Future<std::string>, std::string> future_to_url;
    for (const std::string& url : urls)
      future_to_url[executor.submit(load_url, url, timeout)] = url;
    std::vector<futures::Future<std::string>> futures_list;
    for (const auto& [future, url] : future_to_url) futures_list.push_back(future);
    for (futures::Future<std::string> future : futures::as_completed(futures_list)) {
      const std::string& url = future_to_url.at(future);
      try {
        const std::string& data = future.result();
        std::printf("'%s' page is %zu bytes\n", url.c_str(), data.size());
      } catch (const std::exception& exc) {
        std::printf("'%s' generated an exception: %s\n", url.c_str(), exc.what());
      }
      std::fflush(stdout);
    }
    return 0;
  });
}
