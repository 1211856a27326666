#include "futures/promise.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <functional>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "futures/executor.hpp"
#include "futures/futures.hpp"
#include "test_util.hpp"

namespace futures {
namespace {

using ::futures::testing::Gate;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// An executor written the way CPython's docs describe for Executor implementations: it runs
// each task in submit(), completing the future through a Promise.
class InlineExecutor {
 public:
  template <class F, class... Args>
  [[nodiscard]] auto submit(F&& fn, Args&&... args) -> Future<std::invoke_result_t<F, Args...>> {
    using R = std::invoke_result_t<F, Args...>;
    if (shutdown_) throw ShutdownError();
    Promise<R> promise;
    Future<R> future = promise.get_future();
    if (!promise.set_running_or_notify_cancel()) return future;
    try {
      if constexpr (std::is_void_v<R>) {
        std::invoke(std::forward<F>(fn), std::forward<Args>(args)...);
        promise.set_result();
      } else {
        promise.set_result(std::invoke(std::forward<F>(fn), std::forward<Args>(args)...));
      }
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
    return future;
  }

  template <class F, class Range>
  [[nodiscard]] auto map(F&& fn, const Range& items) {
    std::vector<std::invoke_result_t<F&, std::ranges::range_reference_t<const Range>>> out;
    for (const auto& item : items) out.push_back(submit(fn, item).result());
    return out;
  }

  void shutdown(bool /*wait*/ = true, bool /*cancel_futures*/ = false) { shutdown_ = true; }

 private:
  bool shutdown_ = false;
};

static_assert(Executor<InlineExecutor>);
static_assert(Executor<ThreadPoolExecutor>);
static_assert(Executor<ProcessPoolExecutor>);
static_assert(!Executor<int>);
static_assert(!std::is_copy_constructible_v<Promise<int>>);

int twice(int x) { return 2 * x; }

// CPython: test_done_callback_with_result.
TEST(PromiseTest, SetResultFinishesTheFutureAndRunsCallbacks) {
  Promise<int> promise;
  Future<int> f = promise.get_future();
  int seen = 0;
  f.add_done_callback([&](const Future<int>& done) { seen = done.result(); });
  EXPECT_EQ(f.state(), FutureState::pending);
  promise.set_result(5);
  EXPECT_EQ(seen, 5);
  EXPECT_EQ(f.result(), 5);
  EXPECT_EQ(f.exception(), nullptr);
}

TEST(PromiseTest, GetFutureMayBeCalledAnyNumberOfTimes) {
  Promise<std::string> promise;
  Future<std::string> a = promise.get_future();
  Future<std::string> b = promise.get_future();
  EXPECT_EQ(a, b);
  promise.set_result("x");
  EXPECT_EQ(promise.get_future().result(), "x");
  EXPECT_EQ(b.result(), "x");
}

// CPython: test_done_callback_with_exception.
TEST(PromiseTest, SetExceptionIsRethrownByResult) {
  Promise<int> promise;
  Future<int> f = promise.get_future();
  promise.set_exception(std::make_exception_ptr(std::out_of_range("test")));
  EXPECT_THROW(f.result(), std::out_of_range);
  EXPECT_NE(f.exception(), nullptr);
  EXPECT_THROW(promise.set_exception(nullptr), std::invalid_argument);
}

// CPython documents set_running_or_notify_cancel "for use by Executor implementations":
// True moves the future to running, False means it was cancelled.
TEST(PromiseTest, SetRunningOrNotifyCancelReportsCancellation) {
  Promise<int> running;
  EXPECT_TRUE(running.set_running_or_notify_cancel());
  EXPECT_TRUE(running.get_future().running());
  EXPECT_FALSE(running.get_future().cancel());  // CPython test_cancel: a running future stays
  // CPython raises RuntimeError('Future in unexpected state') for a second call.
  EXPECT_THROW(running.set_running_or_notify_cancel(), InvalidStateError);

  Promise<int> cancelled;
  EXPECT_TRUE(cancelled.get_future().cancel());
  EXPECT_FALSE(cancelled.set_running_or_notify_cancel());
  EXPECT_TRUE(cancelled.get_future().cancelled());
}

// CPython: test_multiple_set_result, test_multiple_set_exception (same message shape).
TEST(PromiseTest, SettingTwiceThrowsInvalidStateError) {
  Promise<int> promise;
  promise.set_result(1);
  try {
    promise.set_result(2);
    FAIL() << "set a result twice";
  } catch (const InvalidStateError& e) {
    EXPECT_THAT(e.what(),
                MatchesRegex("FINISHED: <Future at 0x[0-9a-f]+ state=finished returned int>"));
  }
  EXPECT_THROW(promise.set_exception(std::make_exception_ptr(std::logic_error("x"))),
               InvalidStateError);
  EXPECT_EQ(promise.get_future().result(), 1);
}

// CPython 3.8+: set_result on a cancelled future raises InvalidStateError("CANCELLED: ...").
TEST(PromiseTest, SetResultAfterCancelThrowsInvalidStateError) {
  Promise<int> promise;
  Future<int> f = promise.get_future();
  ASSERT_TRUE(f.cancel());
  try {
    promise.set_result(1);
    FAIL() << "set a result on a cancelled future";
  } catch (const InvalidStateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("CANCELLED: <Future at 0x"));
  }
  EXPECT_THROW(f.result(), CancelledError);
}

TEST(PromiseTest, DroppedPromiseFailsItsFutureWithBrokenExecutor) {
  Future<int> pending = Promise<int>().get_future();
  try {
    (void)pending.result();
    FAIL() << "a dropped promise left a result";
  } catch (const BrokenExecutor& e) {
    EXPECT_STREQ(e.what(), "promise dropped");
  }

  std::optional<Promise<int>> running(std::in_place);
  Future<int> f = running->get_future();
  ASSERT_TRUE(running->set_running_or_notify_cancel());
  std::latch waiting(1);
  std::thread waiter([&] {
    waiting.count_down();
    EXPECT_THROW((void)f.result(), BrokenExecutor);
  });
  waiting.wait();
  running.reset();  // wakes the waiter, whether it sleeps already or not
  waiter.join();

  Future<int> finished = [] {
    Promise<int> p;
    p.set_result(3);
    return p.get_future();
  }();
  EXPECT_EQ(finished.result(), 3);  // dropping a fulfilled promise changes nothing
}

TEST(PromiseTest, MovedPromiseKeepsItsFuture) {
  Promise<int> a;
  Future<int> f = a.get_future();
  Promise<int> b = std::move(a);
  b.set_result(4);
  EXPECT_EQ(f.result(), 4);
}

TEST(PromiseTest, VoidPromise) {
  Promise<void> promise;
  Future<void> f = promise.get_future();
  EXPECT_FALSE(f.done());
  promise.set_result();
  f.result();
  EXPECT_TRUE(f.done());
  EXPECT_THROW(promise.set_result(), InvalidStateError);
}

TEST(PromiseTest, ConcurrentSettersHaveExactlyOneWinner) {
  constexpr int kSetters = 4;
  for (int round = 0; round < 50; ++round) {
    Promise<int> promise;
    std::barrier start(kSetters);
    std::atomic<int> won{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> setters;
    for (int i = 0; i < kSetters; ++i) {
      setters.emplace_back([&, i] {
        start.arrive_and_wait();
        try {
          if (i % 2 == 0) {
            promise.set_result(i);
          } else {
            promise.set_exception(std::make_exception_ptr(std::runtime_error("e")));
          }
          ++won;
        } catch (const InvalidStateError&) {
          ++refused;
        }
      });
    }
    for (auto& t : setters) t.join();
    EXPECT_EQ(won, 1);
    EXPECT_EQ(refused, kSetters - 1);
  }
}

TEST(PromiseTest, SetFromAnotherThreadWakesWaiters) {
  Promise<int> promise;
  Future<int> f = promise.get_future();
  std::thread setter([&] { promise.set_result(8); });
  EXPECT_EQ(f.result(), 8);
  setter.join();
}

// A user's executor is usable wherever the library's are: wait(), as_completed() and done
// callbacks see its futures as they see a pool's, and they mix with a pool's futures.
TEST(ExecutorTest, InlineExecutorBuiltOnPromiseWorksWithWaitAndAsCompleted) {
  InlineExecutor inline_executor;
  std::vector<Future<int>> fs;
  for (int i = 0; i < 4; ++i) fs.push_back(inline_executor.submit(twice, i));
  fs.push_back(inline_executor.submit([]() -> int { throw std::runtime_error("bad"); }));

  std::vector<int> order;
  for (const Future<int>& f : as_completed(fs)) {
    if (f.exception() == nullptr) order.push_back(f.result());
  }
  EXPECT_EQ(order, (std::vector<int>{0, 2, 4, 6}));  // all done: input order, as CPython

  ThreadPoolExecutor pool(1);
  Gate gate;
  Future<int> slow = pool.submit([gate] {
    gate.wait();
    return 100;
  });
  const auto split =
      wait(std::vector<Future<int>>{slow, fs[1]}, std::nullopt, ReturnWhen::first_completed);
  ASSERT_EQ(split.done.size(), 1u);
  EXPECT_EQ(split.done[0], fs[1]);
  EXPECT_EQ(split.not_done[0], slow);

  const auto failed = wait(fs, std::nullopt, ReturnWhen::first_exception);
  EXPECT_TRUE(failed.not_done.empty());

  int called = 0;
  fs[2].add_done_callback([&](const Future<int>& f) { called = f.result(); });
  EXPECT_EQ(called, 4);  // already done: runs at once in the caller, as CPython

  EXPECT_EQ(inline_executor.map(twice, std::vector{1, 2, 3}), (std::vector<int>{2, 4, 6}));
  inline_executor.shutdown();
  EXPECT_THROW((void)inline_executor.submit(twice, 1), ShutdownError);
  gate.open();
  EXPECT_EQ(slow.result(), 100);
}

// Futures completed from other threads through promises arrive in completion order.
TEST(ExecutorTest, AsCompletedYieldsPromiseFuturesInCompletionOrder) {
  std::vector<Promise<int>> promises(3);
  std::vector<Future<int>> fs;
  for (const auto& p : promises) fs.push_back(p.get_future());
  std::latch got_first(1);
  std::thread setter([&] {
    promises[2].set_result(2);
    got_first.wait();  // the rest finish while as_completed is already watching
    promises[0].set_result(0);
    promises[1].set_result(1);
  });
  std::vector<int> order;
  for (const Future<int>& f : as_completed(fs)) {
    order.push_back(f.result());
    if (order.size() == 1) got_first.count_down();
  }
  setter.join();
  EXPECT_EQ(order, (std::vector<int>{2, 0, 1}));
}

}  // namespace
}  // namespace futures
