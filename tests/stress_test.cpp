// Many tasks, random cancellations, callbacks and waits from several threads: no task may be
// lost, run twice, or run after a successful cancel. Bounded in size, not in time.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "futures/futures.hpp"

namespace futures {
namespace {

class StressTest : public ::testing::TestWithParam<int> {};

INSTANTIATE_TEST_SUITE_P(Workers, StressTest, ::testing::Values(1, 2, 4),
                         [](const auto& p) { return "w" + std::to_string(p.param); });

TEST_P(StressTest, RandomCancellationsLoseAndDoubleNothing) {
  constexpr int kTasks = 1'000'000;
  auto runs = std::make_unique<std::atomic<int>[]>(kTasks);
  auto callbacks = std::make_unique<std::atomic<int>[]>(kTasks);
  std::vector<Future<int>> fs;
  fs.reserve(kTasks);
  std::vector<char> cancelled(kTasks, 0);
  {
    ThreadPoolExecutor pool(GetParam());
    std::mt19937 rng(12345);
    for (int i = 0; i < kTasks; ++i) {
      fs.push_back(pool.submit([&runs, i] {
        runs[i].fetch_add(1, std::memory_order_relaxed);
        return i;
      }));
      if (rng() % 4 == 0) {
        // Cancel an earlier task: it may be pending, running or done by now.
        const int victim = static_cast<int>(rng() % static_cast<unsigned>(i + 1));
        if (fs[victim].cancel()) cancelled[victim] = 1;
      }
    }
    // Callbacks added from two threads while the pool drains the queue.
    auto add_callbacks = [&](int begin, int end) {
      for (int i = begin; i < end; ++i) {
        fs[i].add_done_callback([&callbacks, i](const Future<int>&) {
          callbacks[i].fetch_add(1, std::memory_order_relaxed);
        });
      }
    };
    std::thread t1(add_callbacks, 0, kTasks / 2);
    std::thread t2(add_callbacks, kTasks / 2, kTasks);
    t1.join();
    t2.join();
  }  // shutdown(wait=true): every task has run or was cancelled

  int ran = 0;
  int skipped = 0;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(fs[i].done()) << i;
    ASSERT_EQ(callbacks[i].load(), 1) << i;
    if (cancelled[i]) {
      ASSERT_TRUE(fs[i].cancelled()) << i;
      ASSERT_EQ(runs[i].load(), 0) << "cancelled task " << i << " ran";
      ++skipped;
    } else {
      ASSERT_EQ(runs[i].load(), 1) << "task " << i << " ran " << runs[i].load() << " times";
      ASSERT_EQ(fs[i].result(), i);
      ++ran;
    }
  }
  EXPECT_EQ(ran + skipped, kTasks);
}

TEST_P(StressTest, ManyFuturesThroughAsCompletedAndWait) {
  constexpr int kTasks = 100'000;
  ThreadPoolExecutor pool(GetParam());
  std::vector<Future<int>> fs;
  fs.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) fs.push_back(pool.submit([i] { return i; }));
  std::vector<char> seen(kTasks, 0);
  long sum = 0;
  for (const auto& f : as_completed(fs)) {
    const int v = f.result();
    ASSERT_EQ(seen[v], 0) << "yielded twice: " << v;
    seen[v] = 1;
    sum += v;
  }
  EXPECT_EQ(sum, long{kTasks} * (kTasks - 1) / 2);
  auto [done, not_done] = wait(fs, {}, ReturnWhen::all_completed);
  EXPECT_EQ(done.size(), static_cast<std::size_t>(kTasks));
  EXPECT_TRUE(not_done.empty());
}

TEST_P(StressTest, ConcurrentSubmittersAndWaiters) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  ThreadPoolExecutor pool(GetParam());
  std::atomic<long> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<Future<int>> mine;
      for (int i = 0; i < kPerThread; ++i) mine.push_back(pool.submit([i] { return i % 7; }));
      for (const auto& f : as_completed(mine)) total += f.result();
    });
  }
  for (auto& th : threads) th.join();
  long expected = 0;
  for (int i = 0; i < kPerThread; ++i) expected += i % 7;
  EXPECT_EQ(total.load(), expected * kThreads);
}

}  // namespace
}  // namespace futures
