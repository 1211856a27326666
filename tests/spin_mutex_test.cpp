// SpinMutex (futures/internal/spin_mutex.hpp): mutual exclusion under contention, with more
// threads than cores so that waiters reach the futex, and try_lock.
#include "futures/internal/spin_mutex.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using futures::internal::SpinMutex;

TEST(SpinMutex, CountsExactlyUnderContention) {
  SpinMutex mu;
  std::uint64_t counter = 0;  // plain: only the mutex orders the increments
  constexpr int kThreads = 8;
  constexpr int kIncrements = 50'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        std::lock_guard lock(mu);
        ++counter;
        // A longer hold now and then, so that waiters outlast their spin and sleep.
        if (i % 1024 == 0) std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, std::uint64_t{kThreads} * kIncrements);
}

TEST(SpinMutex, TryLockFailsWhileHeldAndSucceedsAfter) {
  SpinMutex mu;
  mu.lock();
  bool got = true;
  std::thread([&] { got = mu.try_lock(); }).join();
  EXPECT_FALSE(got);
  mu.unlock();
  std::thread([&] {
    got = mu.try_lock();
    if (got) mu.unlock();
  }).join();
  EXPECT_TRUE(got);
}

TEST(SpinMutex, WakesASleeperHeldPastItsSpin) {
  SpinMutex mu;
  std::unique_lock held(mu);
  bool entered = false;
  std::thread waiter([&] {
    std::lock_guard lock(mu);  // spins, then sleeps: the holder keeps it for 50 ms
    entered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  held.unlock();  // must wake the sleeping waiter, or join() below hangs until the timeout
  waiter.join();
  EXPECT_TRUE(entered);
}

}  // namespace
