// The thread pool's two halves of a queue: TaskQueue (futures/internal/task_queue.hpp), a
// two-lock FIFO of tasks, and WorkSemaphore (futures/internal/work_semaphore.hpp), its tokens,
// under more threads than cores so that takers reach the futex.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "futures/internal/spin_mutex.hpp"
#include "futures/internal/state.hpp"
#include "futures/internal/task_queue.hpp"
#include "futures/internal/work_semaphore.hpp"

namespace {

using futures::internal::SpinMutex;
using futures::internal::State;
using futures::internal::StateBase;
using futures::internal::TaskQueue;
using futures::internal::WorkSemaphore;
using namespace std::chrono_literals;

// A state as submit() queues it: the caller's reference, plus the queue's and the taker's.
State<int>* queued_state() {
  auto* s = new State<int>();
  s->add_ref(2);
  return s;
}

TEST(TaskQueue, PopsInPushOrderAndHandsOverTheReferences) {
  std::vector<State<int>*> states;
  {
    TaskQueue queue;
    StateBase* retired = nullptr;
    EXPECT_EQ(queue.pop(retired), nullptr);
    EXPECT_EQ(retired, nullptr);
    for (int i = 0; i < 3; ++i) {
      states.push_back(queued_state());
      queue.push(states.back());
    }
    for (int i = 0; i < 3; ++i) {
      StateBase* task = queue.pop(retired);
      ASSERT_EQ(task, states[static_cast<std::size_t>(i)]);
      ASSERT_NE(retired, nullptr);
      retired->release();  // the stub first, then each task the queue no longer needs
      task->release();     // the taker's
    }
    EXPECT_EQ(queue.pop(retired), nullptr);
    // The newest task is the sentinel: the queue still holds it.
    EXPECT_EQ(states[2]->refs(), 2u);
    EXPECT_EQ(states[1]->refs(), 1u);
  }
  // The queue's destructor released its sentinel.
  for (auto* s : states) EXPECT_EQ(s->refs(), 1u);
  for (auto* s : states) s->release();
}

TEST(TaskQueue, TakeAllEmptiesTheQueueOldestFirst) {
  TaskQueue queue;
  std::vector<State<int>*> states;
  for (int i = 0; i < 4; ++i) {
    states.push_back(queued_state());
    queue.push(states.back());
  }
  const TaskQueue::Taken taken = queue.take_all();
  std::vector<StateBase*> order;
  for (StateBase* t = taken.first; t != nullptr; t = t == taken.last ? nullptr : t->next_.load()) {
    order.push_back(t);
  }
  EXPECT_EQ(order, (std::vector<StateBase*>{states[0], states[1], states[2], states[3]}));
  ASSERT_NE(taken.retired, nullptr);
  taken.retired->release();
  StateBase* retired = nullptr;
  EXPECT_EQ(queue.pop(retired), nullptr);
  EXPECT_TRUE(queue.take_all().first == nullptr);
  // Each task keeps the caller's and the taker's reference; the last is also the sentinel.
  EXPECT_EQ(states[0]->refs(), 2u);
  EXPECT_EQ(states[3]->refs(), 3u);
  for (auto* s : states) s->release();  // the takers'
  // A push after take_all() links behind the sentinel as usual.
  states.push_back(queued_state());
  queue.push(states.back());
  StateBase* task = queue.pop(retired);
  EXPECT_EQ(task, states.back());
  retired->release();
  task->release();
  for (auto* s : states) s->release();  // the callers'; the queue still holds the last one
}

// Producers and takers at once, each side under its own lock: every task is taken once.
TEST(TaskQueue, EveryTaskIsTakenOnceUnderConcurrentPushAndPop) {
  constexpr int kProducers = 3;
  constexpr int kTakers = 3;
  constexpr int kPerProducer = 20'000;
  TaskQueue queue;
  SpinMutex push_mu;
  SpinMutex pop_mu;
  WorkSemaphore tokens;
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerProducer; ++i) {
        auto* s = queued_state();
        {
          std::lock_guard lock(push_mu);
          queue.push(s);
        }
        tokens.post();
        s->release();  // the caller's
      }
    });
  }
  for (int c = 0; c < kTakers; ++c) {
    threads.emplace_back([&] {
      for (;;) {
        if (!tokens.try_acquire_for(1us)) tokens.acquire();
        StateBase* retired = nullptr;
        StateBase* task;
        {
          std::lock_guard lock(pop_mu);
          task = queue.pop(retired);
        }
        if (task == nullptr) return;  // a stop token: every task was taken
        if (retired != nullptr) retired->release();
        task->release();
        if (taken.fetch_add(1) + 1 == kProducers * kPerProducer) tokens.post(kTakers);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), kProducers * kPerProducer);
}

TEST(WorkSemaphore, ATokenPostedBeforeIsTakenWithoutWaiting) {
  WorkSemaphore tokens;
  EXPECT_FALSE(tokens.try_acquire_for(0ns));
  tokens.post(2);
  EXPECT_TRUE(tokens.try_acquire_for(0ns));
  tokens.acquire();
  EXPECT_FALSE(tokens.try_acquire_for(10us));
}

TEST(WorkSemaphore, WakesEverySleeperItHasTokensFor) {
  constexpr int kSleepers = 6;
  WorkSemaphore tokens;
  std::atomic<int> woken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kSleepers; ++i) {
    threads.emplace_back([&] {
      tokens.acquire();
      woken.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(20ms);  // most of them asleep by now; the rest take on credit
  EXPECT_EQ(woken.load(), 0);
  tokens.post(kSleepers - 1);
  while (woken.load() < kSleepers - 1) std::this_thread::yield();
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(woken.load(), kSleepers - 1);  // one token short: one still waits
  tokens.post();
  for (auto& t : threads) t.join();
  EXPECT_EQ(woken.load(), kSleepers);
  EXPECT_FALSE(tokens.try_acquire_for(0ns));  // none left over
}

// Many posters and takers, some spinning and some asleep: tokens are neither lost nor made.
TEST(WorkSemaphore, ConservesTokensUnderContention) {
  constexpr int kPosters = 4;
  constexpr int kTakers = 4;
  constexpr int kPerPoster = 25'000;
  WorkSemaphore tokens;
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kPosters; ++p) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerPoster; ++i) {
        tokens.post();
        if (i % 512 == 0) std::this_thread::sleep_for(50us);  // takers fall asleep now and then
      }
    });
  }
  for (int c = 0; c < kTakers; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPosters * kPerPoster / kTakers; ++i) {
        if (!tokens.try_acquire_for(i % 2 == 0 ? 0ns : 2us)) tokens.acquire();
        taken.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), kPosters * kPerPoster);
  EXPECT_FALSE(tokens.try_acquire_for(0ns));
}

}  // namespace
