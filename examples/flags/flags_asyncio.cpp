// The book's flags_asyncio.py: one coroutine per code on one thread (Boost.Asio's io_context
// in asyncio's place), all started at once and gathered; the first failure ends the run.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: include it first.
// clang-format off
#include <utility>
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <string>

#include "download.hpp"
#include "flags_common.hpp"

namespace {

namespace asio = boost::asio;

asio::awaitable<void> download_one(const flags::FlagsArgs& args, std::string cc) {
  flags::AsyncHttpClient client(co_await asio::this_coro::executor, args.base, args.timeout);
  const std::string image = co_await flags::async_get_flag(client, cc);
  flags::save_flag(args.dest, flags::flag_filename(cc), image);
  flags::show(cc);
}

int download_many(const flags::FlagsArgs& args) {
  asio::io_context loop(1);
  std::exception_ptr failure;
  int count = 0;
  for (const std::string& cc : args.cc_list) {
    asio::co_spawn(loop, download_one(args, cc), [&](std::exception_ptr e) {
      if (!e) {
        ++count;
      } else if (!failure) {
        failure = e;  // as asyncio.gather: the first exception propagates
        loop.stop();
      }
    });
  }
  loop.run();
  if (failure) std::rethrow_exception(failure);
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  return flags::flags_main("flags_asyncio", "Download flags with coroutines on one thread.", argc,
                           argv, download_many);
}
