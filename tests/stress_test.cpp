// Many tasks, random cancellations, callbacks and waits from several threads: no task may be
// lost, run twice, or run after a successful cancel. Bounded in size, not in time.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
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

// --- The process pool's dispatch -----------------------------------------------------------

// Each task appends its index to this file (O_APPEND: whole 4-byte records), so the test can
// count the runs of every task across worker processes. Set before the pool is constructed.
std::string g_runs_path;
int g_runs_fd = -1;

void open_runs_file() {
  g_runs_fd = ::open(g_runs_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (g_runs_fd < 0) throw std::runtime_error("cannot open " + g_runs_path);
}

// Tiny, except every 50th, which takes 2 ms: the dispatch sees both kinds of cost under one
// function, and its estimates keep changing.
int record_run(int i) {
  if (::write(g_runs_fd, &i, sizeof i) != static_cast<ssize_t>(sizeof i)) std::abort();
  if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return i;
}

std::vector<int> runs_per_task(int tasks) {
  std::ifstream in(g_runs_path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int> runs(static_cast<std::size_t>(tasks), 0);
  for (std::size_t at = 0; at + sizeof(int) <= bytes.size(); at += sizeof(int)) {
    int i;
    std::memcpy(&i, bytes.data() + at, sizeof i);
    if (i >= 0 && i < tasks) ++runs[static_cast<std::size_t>(i)];
  }
  return runs;
}

struct DispatchCase {
  int workers;
  std::optional<int> max_tasks_per_child;
};

class ProcessPoolStressTest : public ::testing::TestWithParam<DispatchCase> {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("futures-stress-" + std::to_string(::getpid()) + "-" + std::to_string(++count_));
    g_runs_path = path_.string();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ProcessPoolOptions options() const {
    ProcessPoolOptions o;
    o.max_workers = GetParam().workers;
    o.max_tasks_per_child = GetParam().max_tasks_per_child;
    o.initializer = open_runs_file;
    return o;
  }

 private:
  static inline int count_ = 0;
  std::filesystem::path path_;
};

INSTANTIATE_TEST_SUITE_P(Dispatch, ProcessPoolStressTest,
                         ::testing::Values(DispatchCase{1, {}}, DispatchCase{2, {}},
                                           DispatchCase{4, {}}, DispatchCase{2, 7},
                                           DispatchCase{4, 1}),
                         [](const auto& p) {
                           const std::optional<int> per_child = p.param.max_tasks_per_child;
                           return "w" + std::to_string(p.param.workers) +
                                  (per_child ? "_per_child" + std::to_string(*per_child) : "");
                         });

// Every task runs exactly once unless cancel() succeeded, in which case it never runs, while
// the windows grow and shrink and (with max_tasks_per_child) workers are replaced.
TEST_P(ProcessPoolStressTest, RandomCancellationsLoseAndDoubleNothing) {
  // Fewer tasks where each few cost a fork.
  const std::optional<int> per_child = GetParam().max_tasks_per_child;
  const int tasks = !per_child ? 20'000 : *per_child == 1 ? 1'000 : 5'000;
  std::vector<Future<int>> fs;
  fs.reserve(static_cast<std::size_t>(tasks));
  std::vector<char> cancelled(static_cast<std::size_t>(tasks), 0);
  {
    ProcessPoolExecutor pool(options());
    std::mt19937 rng(777);
    for (int i = 0; i < tasks; ++i) {
      fs.push_back(pool.submit(record_run, i));
      if (rng() % 4 == 0) {
        const auto victim = rng() % static_cast<unsigned>(i + 1);
        if (fs[victim].cancel()) cancelled[victim] = 1;
      }
    }
  }
  const std::vector<int> runs = runs_per_task(tasks);
  for (int i = 0; i < tasks; ++i) {
    const auto at = static_cast<std::size_t>(i);
    ASSERT_TRUE(fs[at].done()) << i;
    if (cancelled[at]) {
      ASSERT_TRUE(fs[at].cancelled()) << i;
      ASSERT_EQ(runs[at], 0) << "cancelled task " << i << " ran";
    } else {
      ASSERT_EQ(runs[at], 1) << "task " << i << " ran " << runs[at] << " times";
      ASSERT_EQ(fs[at].result(), i);
    }
  }
}

// terminate_workers() while other threads submit: every future ends (result, cancelled or
// BrokenProcessPool), no task that was cancelled ran, and no process is left.
TEST_P(ProcessPoolStressTest, TerminateWorkersWhileSubmittingLeavesEveryFutureDone) {
  constexpr int kThreads = 3;
  constexpr int kPerThread = 3'000;
  std::vector<std::vector<Future<int>>> fs(kThreads);
  {
    ProcessPoolExecutor pool(options());
    std::atomic<int> submitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          try {
            fs[static_cast<std::size_t>(t)].push_back(pool.submit(record_run, t * kPerThread + i));
          } catch (const ShutdownError&) {
            return;
          }
          submitted.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    while (submitted.load(std::memory_order_relaxed) < kThreads * kPerThread / 3) {
      std::this_thread::yield();
    }
    pool.terminate_workers();
    for (auto& th : threads) th.join();
  }
  const std::vector<int> runs = runs_per_task(kThreads * kPerThread);
  for (const auto& mine : fs) {
    for (const auto& f : mine) {
      ASSERT_TRUE(f.done());
      if (f.cancelled()) continue;
      try {
        const int i = f.result();
        ASSERT_EQ(runs[static_cast<std::size_t>(i)], 1) << i;
      } catch (const BrokenProcessPool&) {
      }
    }
  }
  for (std::size_t i = 0; i < runs.size(); ++i) ASSERT_LE(runs[i], 1) << i;
}

}  // namespace
}  // namespace futures
