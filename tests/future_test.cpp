#include "futures/future.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "futures/futures.hpp"
#include "test_util.hpp"

namespace futures {
namespace {

using ::futures::testing::Gate;
using ::futures::testing::wait_until_running;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using namespace std::chrono_literals;

static_assert(std::is_base_of_v<std::runtime_error, Error>);
static_assert(std::is_base_of_v<Error, CancelledError>);
static_assert(std::is_base_of_v<Error, TimeoutError>);
static_assert(std::is_base_of_v<Error, InvalidStateError>);
static_assert(std::is_base_of_v<Error, ShutdownError>);
static_assert(std::is_base_of_v<Error, BrokenExecutor>);
static_assert(std::is_base_of_v<BrokenExecutor, BrokenThreadPool>);
static_assert(std::is_base_of_v<BrokenExecutor, BrokenProcessPool>);
static_assert(std::is_base_of_v<Error, RemoteError>);

class FutureTest : public ::testing::TestWithParam<int> {
 protected:
  ThreadPoolExecutor pool_{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Workers, FutureTest, ::testing::Values(1, 2, 4),
                         [](const auto& p) { return "w" + std::to_string(p.param); });

TEST_P(FutureTest, MovesThroughPendingRunningFinished) {
  Gate gate;
  std::vector<Future<void>> blockers;
  for (int i = 0; i < GetParam(); ++i) blockers.push_back(pool_.submit([gate] { gate.wait(); }));
  Future<int> queued = pool_.submit([] { return 7; });
  for (const auto& b : blockers) wait_until_running(b);

  EXPECT_EQ(blockers[0].state(), FutureState::running);
  EXPECT_TRUE(blockers[0].running());
  EXPECT_FALSE(blockers[0].done());
  EXPECT_EQ(queued.state(), FutureState::pending);
  EXPECT_FALSE(queued.done());
  gate.open();
  EXPECT_EQ(queued.result(), 7);
  EXPECT_EQ(queued.state(), FutureState::finished);
  EXPECT_TRUE(queued.done());
  EXPECT_FALSE(queued.running());
}

TEST_P(FutureTest, CancelSucceedsOnlyWhilePending) {
  Gate gate;
  std::vector<Future<void>> blockers;
  for (int i = 0; i < GetParam(); ++i) blockers.push_back(pool_.submit([gate] { gate.wait(); }));
  std::atomic<bool> ran{false};
  Future<void> queued = pool_.submit([&] { ran = true; });
  for (const auto& b : blockers) wait_until_running(b);

  EXPECT_FALSE(blockers[0].cancel());  // running
  EXPECT_TRUE(queued.cancel());
  EXPECT_TRUE(queued.cancel());  // idempotent
  EXPECT_TRUE(queued.cancelled());
  EXPECT_TRUE(queued.done());
  EXPECT_EQ(queued.state(), FutureState::cancelled);
  gate.open();
  pool_.shutdown();
  EXPECT_FALSE(ran);
  EXPECT_FALSE(blockers[0].cancel());  // finished
  EXPECT_FALSE(blockers[0].cancelled());
}

TEST_P(FutureTest, ResultRethrowsTaskException) {
  Future<int> f = pool_.submit([]() -> int { throw std::out_of_range("index 9 of 3"); });
  try {
    f.result();
    FAIL() << "result() should have thrown";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "index 9 of 3");
  }
  // Every call rethrows the same exception object.
  EXPECT_THROW(f.result(), std::out_of_range);
}

TEST_P(FutureTest, ExceptionReturnsTheTaskExceptionOrNull) {
  Future<int> ok = pool_.submit([] { return 1; });
  Future<int> bad = pool_.submit([]() -> int { throw std::domain_error("no"); });
  EXPECT_EQ(ok.exception(), nullptr);
  std::exception_ptr e = bad.exception();
  ASSERT_NE(e, nullptr);
  EXPECT_THROW(std::rethrow_exception(e), std::domain_error);
  EXPECT_EQ(bad.exception(1s), e);
}

TEST_P(FutureTest, CancelledFutureThrowsCancelledError) {
  Gate gate;
  std::vector<Future<void>> blockers;
  for (int i = 0; i < GetParam(); ++i) blockers.push_back(pool_.submit([gate] { gate.wait(); }));
  Future<int> queued = pool_.submit([] { return 1; });
  ASSERT_TRUE(queued.cancel());
  EXPECT_THROW(queued.result(), CancelledError);
  EXPECT_THROW(queued.exception(), CancelledError);
  EXPECT_THROW(queued.result(10ms), CancelledError);
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(FutureTest, TimedResultThrowsTimeoutErrorWhileNotDone) {
  Gate gate;
  Future<int> f = pool_.submit([gate] {
    gate.wait();
    return 5;
  });
  EXPECT_THROW(f.result(20ms), TimeoutError);
  EXPECT_THROW(f.exception(std::chrono::microseconds(0)), TimeoutError);
  EXPECT_THROW(f.result(-1s), TimeoutError);
  gate.open();
  EXPECT_EQ(f.result(60s), 5);
}

TEST_P(FutureTest, VoidFutureCompletesAndRethrows) {
  std::atomic<int> n{0};
  Future<void> ok = pool_.submit([&] { ++n; });
  ok.result();
  EXPECT_EQ(n, 1);
  Future<void> bad = pool_.submit([] { throw std::logic_error("void task"); });
  EXPECT_THROW(bad.result(), std::logic_error);
}

TEST_P(FutureTest, CopiesObserveOneStateAndCompareByIdentity) {
  Future<std::string> a = pool_.submit([] { return std::string("shared"); });
  Future<std::string> b = a;
  Future<std::string> c = pool_.submit([] { return std::string("shared"); });
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::unordered_set<Future<std::string>> set{a, b, c};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(b.result(), "shared");
  EXPECT_TRUE(a.done());
}

TEST_P(FutureTest, DoneCallbackRunsOnceInCompletingThread) {
  Gate gate;
  std::thread::id worker;
  Future<int> f = pool_.submit([&, gate] {
    worker = std::this_thread::get_id();
    gate.wait();
    return 3;
  });
  std::atomic<int> calls{0};
  std::thread::id callback_thread;
  int seen = 0;
  f.add_done_callback([&](const Future<int>& done) {
    ++calls;
    callback_thread = std::this_thread::get_id();
    seen = done.result();
  });
  gate.open();
  f.result();
  pool_.shutdown();  // the callback ran before the worker finished
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(callback_thread, worker);
  EXPECT_EQ(seen, 3);
}

TEST_P(FutureTest, DoneCallbacksRunInTheOrderAdded) {
  Gate gate;
  Future<int> f = pool_.submit([gate] {
    gate.wait();
    return 0;
  });
  std::vector<int> order;  // written by the completing thread only
  for (int i = 0; i < 5; ++i) f.add_done_callback([&order, i](const Future<int>&) { order.push_back(i); });
  gate.open();
  pool_.shutdown();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_P(FutureTest, DoneCallbackOnDoneFutureRunsAtOnceInCaller) {
  Future<int> f = pool_.submit([] { return 1; });
  f.result();
  std::thread::id ran_in;
  f.add_done_callback([&](const Future<int>&) { ran_in = std::this_thread::get_id(); });
  EXPECT_EQ(ran_in, std::this_thread::get_id());
}

TEST_P(FutureTest, DoneCallbackExceptionIsReportedAndSwallowed) {
  Future<int> f = pool_.submit([] { return 1; });
  f.result();
  bool second_ran = false;
  ::testing::internal::CaptureStderr();
  f.add_done_callback([](const Future<int>&) { throw std::runtime_error("callback broke"); });
  f.add_done_callback([&](const Future<int>&) { second_ran = true; });
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("exception calling callback for <Future at"));
  EXPECT_THAT(err, HasSubstr("callback broke"));
  EXPECT_TRUE(second_ran);
}

TEST_P(FutureTest, CancelRunsCallbacksInCancellingThread) {
  Gate gate;
  std::vector<Future<void>> blockers;
  for (int i = 0; i < GetParam(); ++i) blockers.push_back(pool_.submit([gate] { gate.wait(); }));
  Future<int> queued = pool_.submit([] { return 1; });
  std::thread::id ran_in;
  bool saw_cancelled = false;
  queued.add_done_callback([&](const Future<int>& f) {
    ran_in = std::this_thread::get_id();
    saw_cancelled = f.cancelled();
  });
  ASSERT_TRUE(queued.cancel());
  EXPECT_EQ(ran_in, std::this_thread::get_id());
  EXPECT_TRUE(saw_cancelled);
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(FutureTest, ToStringReadsLikePythonRepr) {
  Gate gate;
  std::vector<Future<void>> blockers;
  for (int i = 0; i < GetParam(); ++i) blockers.push_back(pool_.submit([gate] { gate.wait(); }));
  Future<int> pending = pool_.submit([] { return 1; });
  Future<int> cancelled = pool_.submit([] { return 1; });
  cancelled.cancel();
  for (const auto& b : blockers) wait_until_running(b);
  EXPECT_THAT(to_string(blockers[0]), MatchesRegex("<Future at 0x[0-9a-f]+ state=running>"));
  EXPECT_THAT(to_string(pending), MatchesRegex("<Future at 0x[0-9a-f]+ state=pending>"));
  EXPECT_THAT(to_string(cancelled), MatchesRegex("<Future at 0x[0-9a-f]+ state=cancelled>"));
  gate.open();
  pending.result();
  EXPECT_THAT(to_string(pending),
              MatchesRegex("<Future at 0x[0-9a-f]+ state=finished returned int>"));
  Future<std::string> s = pool_.submit([] { return std::string("x"); });
  s.result();
  EXPECT_THAT(to_string(s), HasSubstr("state=finished returned std::string>"));
  Future<int> raised = pool_.submit([]() -> int { throw std::runtime_error("x"); });
  raised.exception();
  EXPECT_THAT(to_string(raised),
              MatchesRegex("<Future at 0x[0-9a-f]+ state=finished raised std::runtime_error>"));
}

TEST(FutureTypeTest, ResultOfMoveOnlyCapturesAndArguments) {
  ThreadPoolExecutor pool(2);
  auto owned = std::make_unique<int>(41);
  Future<int> f = pool.submit([p = std::move(owned)](std::unique_ptr<int> q) { return *p + *q; },
                              std::make_unique<int>(1));
  EXPECT_EQ(f.result(), 42);
}

TEST(FutureTypeTest, PendingFutureIsSmall) {
  // A pending future is one heap block holding the state and the task; a handle is a pointer.
  static_assert(sizeof(Future<int>) == sizeof(void*));
  auto noop = [] {};
  using TaskT = internal::Task<void, decltype(noop)>;
  EXPECT_LE(sizeof(TaskT), 128u);
}

}  // namespace
}  // namespace futures
