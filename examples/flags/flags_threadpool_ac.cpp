// The book's flags_threadpool_ac.py: the first 5 codes submitted to a pool of 3 threads, each
// future printed as it is scheduled, then each result as its future completes (as_completed),
// the futures' reprs showing their states.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "download.hpp"
#include "flags_common.hpp"
#include "futures/futures.hpp"

namespace {

int download_many(const flags::FlagsArgs& args) {
  const std::vector<std::string> cc_list(args.cc_list.begin(), args.cc_list.begin() + 5);
  const auto download_one = [&args](const std::string& cc) {
    thread_local std::optional<flags::HttpClient> client;
    if (!client) client.emplace(args.base, args.timeout);
    const std::string image = flags::get_flag(*client, cc);
    flags::save_flag(args.dest, flags::flag_filename(cc), image);
    flags::show(cc);
    return cc;
  };
  futures::ThreadPoolExecutor executor(3);
  std::vector<futures::Future<std::string>> to_do;
  for (const std::string& cc : cc_list) {
    futures::Future<std::string> future = executor.submit(download_one, cc);
    to_do.push_back(future);
    std::printf("Scheduled for %s: %s\n", cc.c_str(), futures::to_string(future).c_str());
    std::fflush(stdout);
  }
  int count = 0;
  for (futures::Future<std::string> future : futures::as_completed(to_do)) {
    const std::string& res = future.result();
    std::printf("%s result: '%s'\n", futures::to_string(future).c_str(), res.c_str());
    std::fflush(stdout);
    ++count;
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  return flags::flags_main("flags_threadpool_ac",
                           "Download 5 flags with submit and as_completed on 3 threads.", argc,
                           argv, download_many);
}
