// The book's flags2_threadpool.py: up to -m requests at once on a futures::ThreadPoolExecutor,
// each result taken as it completes (as_completed), a progress bar or a line per flag.
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flags2_common.hpp"
#include "futures/futures.hpp"
#include "progress_bar.hpp"

namespace {

struct Done {
  std::string cc;
  flags::Outcome outcome;
};

flags::Counter download_many(const flags::Flags2Args& args) {
  flags::Counter counter;
  futures::ThreadPoolExecutor executor(args.concur_req);
  std::vector<futures::Future<Done>> to_do;
  for (const std::string& cc : args.cc_list) {
    to_do.push_back(executor.submit([&args, cc] {
      // A connection per worker thread, kept from one flag to the next.
      thread_local std::optional<flags::HttpClient> client;
      if (!client) client.emplace(args.base, args.timeout);
      return Done{cc, flags::download_one(*client, cc, args.dest)};
    }));
  }
  flags::ProgressBar bar(static_cast<int>(to_do.size()), args.verbose ? nullptr : stderr);
  for (futures::Future<Done> future : futures::as_completed(to_do)) {
    const Done& done = future.result();
    counter.add(done.outcome.status);
    if (args.verbose) std::printf("%s\n", flags::outcome_line(done.cc, done.outcome).c_str());
    bar.update();
  }
  return counter;
}

}  // namespace

int main(int argc, char** argv) {
  const flags::Flags2Program program{
      "flags2_threadpool", "Download flags for country codes, up to -m at a time on a thread pool.",
      30, 1000};
  return flags::flags2_main(program, argc, argv, download_many);
}
