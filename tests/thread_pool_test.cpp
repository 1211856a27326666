#include "futures/thread_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <latch>
#include <mutex>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "futures/futures.hpp"
#include "test_util.hpp"

namespace futures {
namespace {

using ::futures::testing::Gate;
using ::futures::testing::wait_until_running;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string thread_name() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

// What submit() allocates for a task whose callable and arguments are empty, such as
// 1M empty tasks: its state, queue link and callable, in one cache line.
TEST(ThreadPoolExecutorTest, APendingEmptyTaskFitsInACacheLine) {
  auto empty = [] { return 0; };
  auto call = [fn = empty]() mutable { return fn(); };  // as submit() wraps it
  EXPECT_LE(sizeof(internal::Task<int, decltype(call)>), 64u);
  EXPECT_LE(sizeof(internal::Task<void, decltype(call)>), 64u);
}

TEST(ThreadPoolExecutorTest, RejectsNonPositiveMaxWorkers) {
  for (int bad : {0, -1, -100}) {
    try {
      ThreadPoolExecutor pool(bad);
      FAIL() << "accepted max_workers " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("max_workers must be > 0, got " + std::to_string(bad)));
    }
  }
  ThreadPoolOptions options;
  options.max_workers = 0;
  EXPECT_THROW(ThreadPoolExecutor{options}, std::invalid_argument);
}

TEST(ThreadPoolExecutorTest, DefaultMaxWorkersIsPythons) {
  ThreadPoolExecutor pool;
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(pool.max_workers(), std::min(32, cpus + 4));
  EXPECT_EQ(ThreadPoolExecutor(3).max_workers(), 3);
}

class ThreadPoolTest : public ::testing::TestWithParam<int> {
 protected:
  int workers() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Workers, ThreadPoolTest, ::testing::Values(1, 2, 4),
                         [](const auto& p) { return "w" + std::to_string(p.param); });

TEST_P(ThreadPoolTest, RunsAsManyTasksAtOnceAsItHasWorkers) {
  ThreadPoolExecutor pool(workers());
  std::latch all_in(workers());
  std::vector<Future<void>> fs;
  // Each task waits for all the others: this finishes only if they run concurrently.
  for (int i = 0; i < workers(); ++i) fs.push_back(pool.submit([&] { all_in.arrive_and_wait(); }));
  for (auto& f : fs) f.result();
}

TEST_P(ThreadPoolTest, NeverRunsMoreThreadsThanMaxWorkers) {
  ThreadPoolExecutor pool(workers());
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::vector<Future<void>> fs;
  for (int i = 0; i < 500; ++i) {
    fs.push_back(pool.submit([&] {
      std::lock_guard lock(mu);
      threads.insert(std::this_thread::get_id());
    }));
  }
  for (auto& f : fs) f.result();
  EXPECT_LE(threads.size(), static_cast<std::size_t>(workers()));
  EXPECT_FALSE(threads.contains(std::this_thread::get_id()));
}

TEST_P(ThreadPoolTest, PassesArgumentsByValueAndReferencesThroughStdRef) {
  ThreadPoolExecutor pool(workers());
  std::string text = "abc";
  int counter = 0;
  Future<std::size_t> f = pool.submit(
      [](const std::string& s, int& c) {
        c = 7;
        return s.size();
      },
      text, std::ref(counter));
  EXPECT_EQ(f.result(), 3u);
  EXPECT_EQ(counter, 7);
  Future<int> g = pool.submit(std::plus<>{}, 40, 2);
  EXPECT_EQ(g.result(), 42);
}

TEST_P(ThreadPoolTest, SubmitAfterShutdownThrowsShutdownError) {
  ThreadPoolExecutor pool(workers());
  pool.shutdown();
  EXPECT_THROW((void)pool.submit([] { return 1; }), ShutdownError);
  EXPECT_THROW((void)pool.map([](int x) { return x; }, std::vector{1, 2}), ShutdownError);
  try {
    (void)pool.submit([] {});
  } catch (const ShutdownError& e) {
    EXPECT_STREQ(e.what(), "cannot schedule new futures after shutdown");
  }
}

TEST_P(ThreadPoolTest, ShutdownIsIdempotent) {
  ThreadPoolExecutor pool(workers());
  Future<int> f = pool.submit([] { return 1; });
  pool.shutdown();
  pool.shutdown();
  pool.shutdown(false, true);
  EXPECT_EQ(f.result(), 1);
}

TEST_P(ThreadPoolTest, ShutdownWaitsForQueuedTasks) {
  std::atomic<int> ran{0};
  ThreadPoolExecutor pool(workers());
  for (int i = 0; i < 100; ++i) (void)pool.submit([&] { ++ran; });
  pool.shutdown(/*wait=*/true);
  EXPECT_EQ(ran, 100);
}

TEST_P(ThreadPoolTest, DestructorWaitsForQueuedTasks) {
  std::atomic<int> ran{0};
  {
    ThreadPoolExecutor pool(workers());
    for (int i = 0; i < 100; ++i) (void)pool.submit([&] { ++ran; });
  }
  EXPECT_EQ(ran, 100);
}

TEST_P(ThreadPoolTest, ShutdownCancelFuturesCancelsOnlyTasksNotStarted) {
  ThreadPoolExecutor pool(workers());
  Gate gate;
  std::vector<Future<int>> running;
  for (int i = 0; i < workers(); ++i) {
    running.push_back(pool.submit([gate, i] {
      gate.wait();
      return i;
    }));
  }
  for (const auto& f : running) wait_until_running(f);
  std::vector<Future<int>> queued;
  for (int i = 0; i < 10; ++i) queued.push_back(pool.submit([i] { return i; }));
  pool.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  for (const auto& f : queued) EXPECT_TRUE(f.cancelled());
  gate.open();
  pool.shutdown();
  for (int i = 0; i < workers(); ++i) EXPECT_EQ(running[i].result(), i);
}

TEST_P(ThreadPoolTest, ShutdownWithoutWaitReturnsWhileTasksRun) {
  ThreadPoolExecutor pool(workers());
  Gate gate;
  Future<int> f = pool.submit([gate] {
    gate.wait();
    return 9;
  });
  pool.shutdown(/*wait=*/false);  // returns although f cannot finish yet
  EXPECT_FALSE(f.done());
  gate.open();
  EXPECT_EQ(f.result(), 9);
}

TEST_P(ThreadPoolTest, TaskMayShutDownItsOwnPool) {
  ThreadPoolExecutor pool(workers());
  Future<void> f = pool.submit([&pool] { pool.shutdown(/*wait=*/true); });
  f.result();
  EXPECT_THROW((void)pool.submit([] {}), ShutdownError);
}

TEST_P(ThreadPoolTest, NamesThreadsWithPrefixAndIndex) {
  ThreadPoolOptions options;
  options.max_workers = workers();
  options.thread_name_prefix = "crunch";
  ThreadPoolExecutor pool(options);
  std::latch all_in(workers());
  std::vector<Future<std::string>> names;
  for (int i = 0; i < workers(); ++i) {
    names.push_back(pool.submit([&] {
      all_in.arrive_and_wait();  // one task per thread
      return thread_name();
    }));
  }
  std::set<std::string> seen;
  for (auto& n : names) seen.insert(n.result());
  std::set<std::string> expected;
  for (int i = 0; i < workers(); ++i) expected.insert("crunch_" + std::to_string(i));
  EXPECT_EQ(seen, expected);
}

TEST_P(ThreadPoolTest, DefaultThreadNamesCountPools) {
  ThreadPoolExecutor pool(workers());
  // "ThreadPool-<n>_0" cut to the kernel's 15 characters: from the 100th pool of a process
  // (--gtest_repeat gets there) the "0", from the 1000th the "_" too.
  EXPECT_THAT(pool.submit(thread_name).result(), MatchesRegex("ThreadPool-[0-9]+(_0|_)?"));
}

TEST_P(ThreadPoolTest, InitializerRunsOnceInEachThread) {
  std::mutex mu;
  std::multiset<std::thread::id> inits;
  ThreadPoolOptions options;
  options.max_workers = workers();
  options.initializer = [&] {
    std::lock_guard lock(mu);
    inits.insert(std::this_thread::get_id());
  };
  std::set<std::thread::id> ran_on;
  {
    ThreadPoolExecutor pool(options);
    std::latch all_in(workers());
    std::vector<Future<std::thread::id>> fs;
    for (int i = 0; i < workers(); ++i) {
      fs.push_back(pool.submit([&] {
        all_in.arrive_and_wait();
        return std::this_thread::get_id();
      }));
    }
    for (auto& f : fs) ran_on.insert(f.result());
  }
  EXPECT_EQ(inits.size(), static_cast<std::size_t>(workers()));
  for (const auto& id : ran_on) EXPECT_EQ(inits.count(id), 1u);
}

TEST_P(ThreadPoolTest, FailingInitializerBreaksThePool) {
  Gate gate;
  ThreadPoolOptions options;
  options.max_workers = workers();
  options.initializer = [gate] {
    gate.wait();
    throw std::runtime_error("no database");
  };
  ThreadPoolExecutor pool(options);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 10; ++i) fs.push_back(pool.submit([i] { return i; }));
  gate.open();
  for (auto& f : fs) {
    try {
      f.result();
      FAIL() << "a task ran in a broken pool";
    } catch (const BrokenThreadPool& e) {
      EXPECT_THAT(e.what(), HasSubstr("A thread initializer failed"));
      EXPECT_THAT(e.what(), HasSubstr("no database"));
    }
  }
  EXPECT_THROW((void)pool.submit([] { return 0; }), BrokenThreadPool);
  EXPECT_THROW((void)pool.submit([] { return 0; }), BrokenExecutor);
}

// CPython 3.11-3.14 cancel these futures while holding the pool's shutdown lock, so a callback
// that submits blocks forever; here the callback gets ShutdownError.
TEST_P(ThreadPoolTest, DoneCallbackMaySubmitDuringShutdownCancelFutures) {
  ThreadPoolExecutor pool(workers());
  Gate gate;
  std::vector<Future<void>> running;
  for (int i = 0; i < workers(); ++i) running.push_back(pool.submit([gate] { gate.wait(); }));
  for (const auto& f : running) wait_until_running(f);
  std::atomic<int> refused{0};
  std::vector<Future<int>> queued;
  for (int i = 0; i < 3; ++i) {
    queued.push_back(pool.submit([i] { return i; }));
    queued.back().add_done_callback([&](const Future<int>&) {
      try {
        (void)pool.submit([] { return 0; });
      } catch (const ShutdownError&) {
        ++refused;
      }
      pool.shutdown(/*wait=*/false, /*cancel_futures=*/true);  // re-entrant shutdown too
    });
  }
  pool.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  EXPECT_EQ(refused, 3);
  for (const auto& f : queued) EXPECT_TRUE(f.cancelled());
  gate.open();
}

// As above for the futures an initializer failure fails: the callback, in the failing worker,
// gets BrokenThreadPool instead of blocking on the pool (CPython blocks here too).
TEST_P(ThreadPoolTest, DoneCallbackMaySubmitWhenInitializerFails) {
  Gate gate;
  ThreadPoolOptions options;
  options.max_workers = workers();
  options.initializer = [gate] {
    gate.wait();
    throw std::runtime_error("no database");
  };
  ThreadPoolExecutor pool(options);
  std::latch callbacks_done(3);
  std::atomic<int> refused{0};
  std::vector<Future<int>> fs;
  for (int i = 0; i < 3; ++i) {
    fs.push_back(pool.submit([i] { return i; }));
    fs.back().add_done_callback([&](const Future<int>&) {
      try {
        (void)pool.submit([] { return 0; });
      } catch (const BrokenThreadPool&) {
        ++refused;
      }
      callbacks_done.count_down();
    });
  }
  gate.open();
  callbacks_done.wait();
  EXPECT_EQ(refused, 3);
  for (auto& f : fs) EXPECT_THROW(f.result(), BrokenThreadPool);
}

// Blocks the calling task until its token is requested; returns how it was woken.
std::string wait_for_stop(std::stop_token token) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait(lock, token, [] { return false; });
  return token.stop_requested() ? "stopped" : "woken";
}

TEST_P(ThreadPoolTest, StopTokenFormReceivesTheArguments) {
  ThreadPoolExecutor pool(workers());
  Future<int> f = pool.submit(
      [](std::stop_token token, int a, const std::string& b) {
        return token.stop_possible() && !token.stop_requested() ? a + static_cast<int>(b.size())
                                                                : -1;
      },
      40, std::string("ab"));
  EXPECT_EQ(f.result(), 42);
  static_assert(internal::takes_stop_token_v<decltype(wait_for_stop)*>);
  static_assert(!internal::takes_stop_token_v<int (*)(int), int>);
}

// Beyond CPython, whose running tasks cannot be interrupted: cancel() still returns false for a
// running future, as Python's, but a task that takes a std::stop_token sees it requested.
TEST_P(ThreadPoolTest, CancelRequestsTheStopTokenOfARunningTask) {
  ThreadPoolExecutor pool(workers());
  std::latch started(1);
  Future<std::string> f = pool.submit([&](std::stop_token token) {
    started.count_down();
    return wait_for_stop(token);
  });
  started.wait();
  EXPECT_FALSE(f.cancel());
  EXPECT_EQ(f.result(), "stopped");
  EXPECT_FALSE(f.cancelled());
}

TEST_P(ThreadPoolTest, ShutdownCancelFuturesRequestsRunningStopTokens) {
  ThreadPoolExecutor pool(workers());
  std::latch started(workers());
  std::vector<Future<std::string>> running;
  for (int i = 0; i < workers(); ++i) {
    running.push_back(pool.submit([&](std::stop_token token) {
      started.count_down();
      return wait_for_stop(token);
    }));
  }
  started.wait();
  Future<std::string> queued = pool.submit(wait_for_stop);
  pool.shutdown(/*wait=*/true, /*cancel_futures=*/true);  // returns only if the tokens stop them
  for (auto& f : running) EXPECT_EQ(f.result(), "stopped");
  EXPECT_TRUE(queued.cancelled());
}

TEST_P(ThreadPoolTest, DestructorRequestsStopTokens) {
  std::vector<Future<std::string>> running;
  Future<bool> queued = [&] {
    ThreadPoolExecutor pool(workers());
    std::latch started(workers());
    for (int i = 0; i < workers(); ++i) {
      running.push_back(pool.submit([&](std::stop_token token) {
        started.count_down();
        return wait_for_stop(token);
      }));
    }
    started.wait();
    // Starts only once the destructor stopped a running task: sees its token requested.
    return pool.submit([](std::stop_token token) { return token.stop_requested(); });
  }();
  for (auto& f : running) EXPECT_EQ(f.result(), "stopped");
  EXPECT_TRUE(queued.result());
}

TEST_P(ThreadPoolTest, StopTokenTaskCancelledWhilePendingNeverRuns) {
  ThreadPoolExecutor pool(workers());
  Gate gate;
  for (int i = 0; i < workers(); ++i) (void)pool.submit([gate] { gate.wait(); });
  std::atomic<bool> ran{false};
  Future<void> f = pool.submit([&](std::stop_token) { ran = true; });
  EXPECT_TRUE(f.cancel());
  gate.open();
  pool.shutdown();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace futures
