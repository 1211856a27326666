// futures::async_wait: coroutines on Boost.Asio awaiting futures of both pools (the book's
// flags2_asyncio saving files through run_in_executor), exceptions, cancellation, a future
// already done, and the io_context kept running while a wait is pending.
#include "futures/asio.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "futures/futures.hpp"

namespace futures {
namespace {

namespace asio = boost::asio;

long square(long x) { return x * x; }
long fail(long) { throw std::runtime_error("no flag for XX"); }

TEST(AsioTest, ManyCoroutinesAwaitFuturesOfBothPools) {
  asio::io_context ctx;
  ThreadPoolExecutor threads(4);
  ProcessPoolExecutor processes(2);
  const std::thread::id loop_thread = std::this_thread::get_id();
  long sum = 0;
  int resumed_elsewhere = 0;
  constexpr long kCoroutines = 200;
  for (long i = 0; i < kCoroutines; ++i) {
    asio::co_spawn(
        ctx,
        [&, i]() -> asio::awaitable<void> {
          Future<long> f = i % 2 ? threads.submit(square, i) : processes.submit(square, i);
          Future<long> done = co_await async_wait(f, asio::use_awaitable);
          if (std::this_thread::get_id() != loop_thread) ++resumed_elsewhere;
          sum += done.result();  // only the loop's thread touches sum
        },
        asio::detached);
  }
  ctx.run();
  EXPECT_EQ(resumed_elsewhere, 0);
  EXPECT_EQ(sum, (kCoroutines - 1) * kCoroutines * (2 * kCoroutines - 1) / 6);
}

TEST(AsioTest, TheTasksExceptionArrivesAsResultGivesIt) {
  asio::io_context ctx;
  ProcessPoolExecutor processes(1);
  ThreadPoolExecutor threads(1);
  std::vector<std::string> messages;
  for (Future<long> f : {processes.submit(fail, 1L), threads.submit(fail, 2L)}) {
    asio::co_spawn(
        ctx,
        [&, f]() -> asio::awaitable<void> {
          Future<long> done = co_await async_wait(f, asio::use_awaitable);
          try {
            done.result();
          } catch (const std::runtime_error& e) {
            messages.emplace_back(e.what());
          }
        },
        asio::detached);
  }
  ctx.run();
  EXPECT_EQ(messages, (std::vector<std::string>{"no flag for XX", "no flag for XX"}));
}

TEST(AsioTest, ACancelledFutureResumesTheCoroutineWithCancelledError) {
  asio::io_context ctx;
  ThreadPoolExecutor pool(1);
  std::latch release(1);
  Future<void> busy = pool.submit([&] { release.wait(); });
  Future<long> queued = pool.submit(square, 3L);
  bool cancelled_error = false;
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        Future<long> done = co_await async_wait(queued, asio::use_awaitable);
        EXPECT_TRUE(done.cancelled());
        EXPECT_THROW(done.result(), CancelledError);
        cancelled_error = true;
      },
      asio::detached);
  asio::post(ctx, [&] {
    EXPECT_TRUE(queued.cancel());
    release.count_down();
  });
  ctx.run();
  EXPECT_TRUE(cancelled_error);
  busy.result();
}

TEST(AsioTest, AFutureAlreadyDoneCompletesOnTheExecutorNotInline) {
  asio::io_context ctx;
  Promise<int> promise;
  promise.set_result(7);
  int got = 0;
  async_wait(promise.get_future(),
             asio::bind_executor(ctx, [&](Future<int> done) { got = done.result(); }));
  EXPECT_EQ(got, 0);  // posted, not called in async_wait
  ctx.run();
  EXPECT_EQ(got, 7);
}

TEST(AsioTest, RunDoesNotReturnWhileAWaitIsPending) {
  asio::io_context ctx;
  ThreadPoolExecutor pool(1);
  std::latch release(1);
  Future<long> f = pool.submit([&] {
    release.wait();
    return 5L;
  });
  long got = 0;
  async_wait(f, asio::bind_executor(ctx, [&](Future<long> done) { got = done.result(); }));
  // The only other work: releasing the task. Without the wait counted as work, run() would
  // return after this handler, before the task finished.
  asio::post(ctx, [&] { release.count_down(); });
  ctx.run();
  EXPECT_EQ(got, 5);
}

}  // namespace
}  // namespace futures
