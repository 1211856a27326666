// The book's flags2_asyncio.py: one thread, up to -m requests in flight as C++20 coroutines on
// Boost.Asio (the semaphore is -m coroutines taking codes from one list), each image saved by
// a thread pool task that the coroutine awaits (asyncio.to_thread), a progress bar or a line
// per flag.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: include it first.
// clang-format off
#include <utility>
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "download_async.hpp"
#include "flags2_common.hpp"
#include "futures/futures.hpp"
#include "progress_bar.hpp"

namespace {

namespace asio = boost::asio;

// What the coroutines share; all of them run on the one thread.
struct Run {
  const flags::Flags2Args& args;
  futures::ThreadPoolExecutor& savers;
  flags::ProgressBar& bar;
  flags::Counter counter;
  std::size_t next = 0;
};

// One of -m request slots: takes the next code until none is left, on a connection of its own.
asio::awaitable<void> worker(Run& run) {
  flags::AsyncHttpClient client(co_await asio::this_coro::executor, run.args.base,
                                run.args.timeout);
  while (run.next < run.args.cc_list.size()) {
    const std::string cc = run.args.cc_list[run.next++];
    const flags::Outcome outcome =
        co_await flags::async_download_one(client, cc, run.args.dest, run.savers);
    run.counter.add(outcome.status);
    if (run.args.verbose) std::printf("%s\n", flags::outcome_line(cc, outcome).c_str());
    run.bar.update();
  }
}

flags::Counter download_many(const flags::Flags2Args& args) {
  flags::raise_open_files_limit();
  asio::io_context loop(1);
  futures::ThreadPoolExecutor savers(4);
  flags::ProgressBar bar(static_cast<int>(args.cc_list.size()), args.verbose ? nullptr : stderr);
  Run run{args, savers, bar, {}, 0};
  std::exception_ptr failure;
  for (int k = 0; k < args.concur_req; ++k) {
    asio::co_spawn(loop, worker(run), [&](std::exception_ptr e) {
      if (e && !failure) {
        failure = e;
        loop.stop();
      }
    });
  }
  loop.run();
  if (failure) std::rethrow_exception(failure);
  return run.counter;
}

}  // namespace

int main(int argc, char** argv) {
  const flags::Flags2Program program{
      "flags2_asyncio",
      "Download flags for country codes, up to -m at a time as coroutines on one thread.", 1000,
      1000};
  return flags::flags2_main(program, argc, argv, download_many);
}
