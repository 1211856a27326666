#include "futures/future.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
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

TEST_P(FutureTest, DeadlineFormsOfResultAndException) {
  using std::chrono::steady_clock;
  using std::chrono::system_clock;
  Gate gate;
  Future<int> f = pool_.submit([gate] {
    gate.wait();
    return 5;
  });
  EXPECT_THROW(f.result(steady_clock::now() + 20ms), TimeoutError);
  EXPECT_THROW(f.result(system_clock::now() + 20ms), TimeoutError);
  EXPECT_THROW(f.exception(steady_clock::now() - 1s), TimeoutError);
  try {
    (void)f.result(steady_clock::now());
    FAIL() << "a pending future returned by a deadline already passed";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "future not done by the deadline");
  }
  gate.open();
  EXPECT_EQ(f.result(steady_clock::time_point::max()), 5);  // no limit, no overflow
  EXPECT_EQ(f.result(std::chrono::time_point_cast<std::chrono::seconds>(system_clock::now()) + 1h),
            5);
  EXPECT_EQ(f.result(steady_clock::now() - 1s), 5);  // done: a past deadline still returns
  EXPECT_EQ(f.exception(system_clock::time_point::max()), nullptr);
  EXPECT_EQ(pool_.submit([] { return 6; }).result(steady_clock::now() + 1h), 6);
  Future<void> v = pool_.submit([] {});
  v.result(steady_clock::now() + 1h);
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
  for (int i = 0; i < 5; ++i)
    f.add_done_callback([&order, i](const Future<int>&) { order.push_back(i); });
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

// A value that counts its copies and moves, to see what result() and take() cost.
struct Counted {
  static inline std::atomic<int> copies{0};
  static inline std::atomic<int> moves{0};
  int value = 0;
  explicit Counted(int v) : value(v) {}
  Counted(const Counted& other) : value(other.value) { ++copies; }
  Counted(Counted&& other) noexcept : value(other.value) { ++moves; }
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;
};

Future<Counted> finished_counted(int v) {
  Promise<Counted> promise;
  promise.set_result(Counted(v));
  return promise.get_future();  // the promise is gone: this is the only handle
}

static_assert(std::is_same_v<decltype(std::declval<const Future<int>&>().result()), const int&>);
static_assert(std::is_same_v<decltype(std::declval<Future<int>>().result()), int>);
static_assert(std::is_same_v<decltype(std::declval<Future<void>&>().result()), void>);
static_assert(std::is_same_v<decltype(std::declval<Future<int>&>().take()), int>);

TEST(FutureTypeTest, ResultReturnsAReferenceToTheOneStoredValue) {
  Future<Counted> f = finished_counted(5);
  const Future<Counted> copy = f;
  Counted::copies = 0;
  const Counted& a = f.result();
  const Counted& b = copy.result(std::chrono::seconds(1));
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.value, 5);
  EXPECT_EQ(Counted::copies, 0);
}

TEST(FutureTypeTest, ResultOnTheLastHandleMovesAndOnASharedOneCopies) {
  Counted::copies = 0;
  Counted::moves = 0;
  Counted moved = finished_counted(1).result();
  EXPECT_EQ(moved.value, 1);
  EXPECT_EQ(Counted::copies, 0);

  Future<Counted> f = finished_counted(2);
  const Future<Counted> other = f;
  Counted copied = std::move(f).result();
  EXPECT_EQ(copied.value, 2);
  EXPECT_EQ(Counted::copies, 1);
  EXPECT_EQ(other.result().value, 2);  // the other handle still sees the value
}

TEST(FutureTypeTest, TakeMovesTheResultOutOnce) {
  Future<Counted> f = finished_counted(3);
  const Future<Counted> copy = f;
  Counted::copies = 0;
  Counted taken = copy.take();
  EXPECT_EQ(taken.value, 3);
  EXPECT_EQ(Counted::copies, 0);
  EXPECT_THROW((void)f.result(), InvalidStateError);
  EXPECT_THROW((void)f.take(), InvalidStateError);
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.exception(), nullptr);
}

TEST(FutureTypeTest, TakeRethrowsLikeResult) {
  ThreadPoolExecutor pool(1);
  Future<int> failed = pool.submit([]() -> int { throw std::out_of_range("x"); });
  EXPECT_THROW((void)failed.take(), std::out_of_range);
  EXPECT_THROW((void)failed.take(), std::out_of_range);  // nothing was taken
  Promise<int> promise;
  Future<int> cancelled = promise.get_future();
  cancelled.cancel();
  EXPECT_THROW((void)cancelled.take(), CancelledError);
}

TEST(FutureTypeTest, MoveOnlyResultFromThreadPool) {
  ThreadPoolExecutor pool(2);
  Future<std::unique_ptr<int>> f = pool.submit([] { return std::make_unique<int>(7); });
  EXPECT_EQ(*f.result(), 7);
  std::unique_ptr<int> owned = f.take();
  EXPECT_EQ(*owned, 7);
  Future<std::unique_ptr<int>> g =
      pool.submit([](std::unique_ptr<int> p) { return p; }, std::make_unique<int>(8));
  EXPECT_EQ(*g.take(), 8);
}

TEST(FutureTypeTest, MoveOnlyDoneCallback) {
  ThreadPoolExecutor pool(1);
  Future<int> f = pool.submit([] { return 4; });
  std::latch called(2);
  int seen = 0;
  auto owned = std::make_unique<int>(10);
  f.add_done_callback([&, p = std::move(owned)](const Future<int>& done) {
    seen = *p + done.result();
    called.count_down();
  });
  f.add_done_callback(
      [&, p = std::make_unique<int>(0)](const Future<int>&) { called.count_down(); });
  called.wait();
  EXPECT_EQ(seen, 14);
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
