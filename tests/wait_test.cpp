#include "futures/wait.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "futures/futures.hpp"
#include "test_util.hpp"

namespace futures {
namespace {

using ::futures::testing::Gate;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using namespace std::chrono_literals;

class WaitTest : public ::testing::TestWithParam<int> {
 protected:
  // A future that finishes only once `gate` opens. Holding a worker each, so the pool gets
  // enough threads for the gated tasks plus one for the quick ones.
  Future<int> gated(Gate gate, int value) {
    return pool_.submit([gate, value] {
      gate.wait();
      return value;
    });
  }
  ThreadPoolExecutor pool_{GetParam() + 2};
};

INSTANTIATE_TEST_SUITE_P(Workers, WaitTest, ::testing::Values(1, 2, 4),
                         [](const auto& p) { return "w" + std::to_string(p.param); });

TEST_P(WaitTest, AllCompletedWaitsForEveryFuture) {
  std::vector<Future<int>> fs;
  for (int i = 0; i < 50; ++i) fs.push_back(pool_.submit([i] { return i; }));
  auto [done, not_done] = wait(fs);
  EXPECT_EQ(done.size(), 50u);
  EXPECT_TRUE(not_done.empty());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(done[i].result(), i);  // input order kept
}

TEST_P(WaitTest, FirstCompletedReturnsOnceOneIsDone) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  Future<int> quick = pool_.submit([] { return 2; });
  auto r = wait(std::vector{slow, quick}, {}, ReturnWhen::first_completed);
  EXPECT_THAT(r.done, ElementsAre(quick));
  EXPECT_THAT(r.not_done, ElementsAre(slow));
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(WaitTest, FirstCompletedReturnsAtOnceIfOneIsAlreadyDone) {
  Gate gate;
  Future<int> quick = pool_.submit([] { return 2; });
  quick.result();
  Future<int> slow = gated(gate, 1);
  auto r = wait({slow, quick}, {}, ReturnWhen::first_completed);
  EXPECT_THAT(r.done, ElementsAre(quick));
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(WaitTest, FirstExceptionReturnsOnTheFirstFailure) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  Future<int> ok = pool_.submit([] { return 2; });
  ok.result();
  Future<int> bad = pool_.submit([]() -> int { throw std::runtime_error("boom"); });
  auto r = wait({slow, ok, bad}, {}, ReturnWhen::first_exception);
  EXPECT_THAT(r.done, ElementsAre(ok, bad));
  EXPECT_THAT(r.not_done, ElementsAre(slow));
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(WaitTest, FirstExceptionDoesNotCountCancelledFutures) {
  Gate gate;
  std::vector<Future<int>> blockers;
  for (int i = 0; i < GetParam() + 2; ++i) blockers.push_back(gated(gate, i));
  Future<int> queued = pool_.submit([] { return 0; });
  ASSERT_TRUE(queued.cancel());
  // Only the timeout ends this wait: a cancelled future is not an exception.
  auto r = wait({blockers[0], queued}, 30ms, ReturnWhen::first_exception);
  EXPECT_THAT(r.done, ElementsAre(queued));
  EXPECT_THAT(r.not_done, ElementsAre(blockers[0]));
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(WaitTest, FirstExceptionWaitsForAllWhenNoneFails) {
  std::vector<Future<int>> fs;
  for (int i = 0; i < 20; ++i) fs.push_back(pool_.submit([i] { return i; }));
  auto r = wait(fs, {}, ReturnWhen::first_exception);
  EXPECT_EQ(r.done.size(), 20u);
}

TEST_P(WaitTest, TimeoutReturnsWhatIsDoneWithoutThrowing) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  Future<int> quick = pool_.submit([] { return 2; });
  auto r = wait({slow, quick}, 20ms);
  EXPECT_THAT(r.done, ElementsAre(quick));
  EXPECT_THAT(r.not_done, ElementsAre(slow));
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(WaitTest, DeadlineFormReturnsWhatIsDoneByThen) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  Future<int> quick = pool_.submit([] { return 2; });
  quick.result();
  auto r = wait({slow, quick}, std::chrono::steady_clock::now() + 20ms);
  EXPECT_THAT(r.done, ElementsAre(quick));
  EXPECT_THAT(r.not_done, ElementsAre(slow));
  r = wait(std::vector{slow, quick}, std::chrono::system_clock::now() - 1s,
           ReturnWhen::first_completed);
  EXPECT_THAT(r.done, ElementsAre(quick));
  gate.open();
  r = wait({slow, quick}, std::chrono::steady_clock::time_point::max());
  EXPECT_THAT(r.done, ElementsAre(slow, quick));
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(WaitTest, DuplicatesCountOnce) {
  Future<int> f = pool_.submit([] { return 1; });
  Future<int> g = pool_.submit([] { return 2; });
  auto r = wait(std::vector{f, g, f, f, g});
  EXPECT_THAT(r.done, ElementsAre(f, g));
}

// Many futures, each several times over: every one kept once, at its first place.
TEST(DedupeTest, KeepsTheFirstOfEachStateInOrder) {
  std::vector<Promise<int>> promises(1000);
  std::vector<internal::StateBase*> states;
  std::vector<internal::StateBase*> expected;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t k = 0; k < promises.size(); k += static_cast<std::size_t>(round) + 1) {
      Future<int> f = promises[k].get_future();
      internal::StateBase* s = internal::FutureAccess::state(f);
      if (round == 0) expected.push_back(s);
      states.push_back(s);
    }
  }
  std::reverse(states.begin() + static_cast<std::ptrdiff_t>(expected.size()), states.end());
  EXPECT_EQ(internal::dedupe(states), expected);
  EXPECT_EQ(internal::dedupe({}), std::vector<internal::StateBase*>{});
}

TEST_P(WaitTest, EmptyInputReturnsAtOnce) {
  std::vector<Future<int>> none;
  EXPECT_TRUE(wait(none, {}, ReturnWhen::first_completed).done.empty());
  EXPECT_TRUE(wait(none).not_done.empty());
}

TEST_P(WaitTest, MixesFuturesOfDifferentExecutors) {
  ThreadPoolExecutor other(1);
  Gate gate;
  Future<int> mine = gated(gate, 1);
  Future<int> theirs = other.submit([] { return 2; });
  auto r = wait({mine, theirs}, {}, ReturnWhen::first_completed);
  EXPECT_THAT(r.done, ElementsAre(theirs));
  gate.open();
  EXPECT_EQ(wait({mine, theirs}).done.size(), 2u);
}

class AsCompletedTest : public WaitTest {};
INSTANTIATE_TEST_SUITE_P(Workers, AsCompletedTest, ::testing::Values(1, 2, 4),
                         [](const auto& p) { return "w" + std::to_string(p.param); });

TEST_P(AsCompletedTest, YieldsFinishedFirstThenInCompletionOrder) {
  Gate first, second;
  Future<int> done_before = pool_.submit([] { return 0; });
  done_before.result();
  Future<int> a = gated(first, 1);
  Future<int> b = gated(second, 2);
  std::vector<int> order;
  for (const Future<int>& f : as_completed({a, b, done_before})) {
    order.push_back(f.result());
    if (order.size() == 1) second.open();  // b completes before a
    if (order.size() == 2) first.open();
  }
  EXPECT_THAT(order, ElementsAre(0, 2, 1));
}

TEST_P(AsCompletedTest, YieldsEachFutureOnce) {
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(pool_.submit([i] { return i; }));
  fs.push_back(fs[3]);
  fs.push_back(fs[3]);
  std::vector<int> seen(100, 0);
  for (const auto& f : as_completed(fs)) ++seen[static_cast<std::size_t>(f.result())];
  EXPECT_EQ(seen, std::vector<int>(100, 1));
}

TEST_P(AsCompletedTest, TimeoutThrowsWithTheUnfinishedCount) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  Future<int> quick = pool_.submit([] { return 2; });
  quick.result();
  std::vector<int> got;
  try {
    for (const auto& f : as_completed({slow, quick}, 20ms)) got.push_back(f.result());
    FAIL() << "as_completed should have timed out";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "1 (of 2) futures unfinished");
  }
  EXPECT_THAT(got, ElementsAre(2));
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

// Unlike a timeout, whose clock starts at the first increment (as Python's), a deadline is
// fixed when as_completed() is called.
TEST_P(AsCompletedTest, DeadlineIsFixedWhenCalledNotWhenIterated) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  Future<int> quick = pool_.submit([] { return 2; });
  quick.result();
  auto range = as_completed({slow, quick}, std::chrono::steady_clock::now() - 1s);
  std::vector<int> got;
  try {
    for (const auto& f : range) got.push_back(f.result());
    FAIL() << "as_completed should have passed its deadline";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "1 (of 2) futures unfinished");
  }
  EXPECT_THAT(got, ElementsAre(2));  // what was done already is yielded first
  got.clear();
  gate.open();
  for (const auto& f :
       as_completed(std::vector{slow, quick}, std::chrono::system_clock::now() + 1h)) {
    got.push_back(f.result());
  }
  std::sort(got.begin(), got.end());
  EXPECT_THAT(got, ElementsAre(1, 2));
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(AsCompletedTest, CountsCancelledFuturesAsCompleted) {
  Gate gate;
  std::vector<Future<int>> blockers;
  for (int i = 0; i < GetParam() + 2; ++i) blockers.push_back(gated(gate, i));
  Future<int> queued = pool_.submit([] { return 0; });
  auto range = as_completed({queued});
  std::thread canceller([queued] { queued.cancel(); });  // completes it while begin() waits
  auto it = range.begin();
  canceller.join();
  EXPECT_TRUE((*it).cancelled());
  ++it;
  EXPECT_TRUE(it == range.end());
  gate.open();
  pool_.shutdown();  // before the gate goes out of scope
}

TEST_P(AsCompletedTest, WatchesFuturesThatCompleteDuringIteration) {
  Gate gate;
  Future<int> f = gated(gate, 5);
  auto range = as_completed({f});
  std::thread opener([gate] { gate.open(); });
  std::vector<int> got;
  for (const auto& x : range) got.push_back(x.result());
  opener.join();
  EXPECT_THAT(got, ElementsAre(5));
}

TEST_P(AsCompletedTest, DropsItsReferenceOnceAFutureIsYielded) {
  std::weak_ptr<int> watch;
  std::vector<Future<std::shared_ptr<int>>> fs;
  fs.push_back(pool_.submit([] { return std::make_shared<int>(1); }));
  fs.push_back(pool_.submit([] { return std::make_shared<int>(2); }));
  watch = fs[0].result();
  pool_.shutdown();  // the workers have dropped their references too
  auto range = as_completed(fs);
  fs.clear();  // the range is now the only holder
  auto it = range.begin();
  const bool first_is_watched = (*it).result().get() == watch.lock().get();
  ++it;
  if (first_is_watched) {
    EXPECT_TRUE(watch.expired());
  } else {
    ++it;
    EXPECT_TRUE(watch.expired());
  }
}

TEST_P(AsCompletedTest, AbandonedIterationUnregistersCleanly) {
  Gate gate;
  Future<int> slow = gated(gate, 1);
  {
    auto range = as_completed({slow}, 1ms);
    EXPECT_THROW(range.begin(), TimeoutError);
  }
  gate.open();  // completion must not touch the destroyed waiter
  EXPECT_EQ(slow.result(), 1);
}

}  // namespace
}  // namespace futures
