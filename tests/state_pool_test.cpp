#include "futures/internal/state_pool.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "futures/futures.hpp"

namespace futures::internal {
namespace {

constexpr bool kAddressSanitizer =
#if defined(__SANITIZE_ADDRESS__)
    true;
#else
    false;
#endif

bool aligned_to_block(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % kStateBlockBytes == 0;
}

TEST(StatePoolTest, BlocksAreAlignedDistinctAndWritableWholeAcrossSlabs) {
  if (kAddressSanitizer) GTEST_SKIP() << "under AddressSanitizer every block is operator new's";
  for (std::size_t size : {1U, 48U, 64U, 65U, 128U, 200U, 256U}) {
    std::vector<void*> blocks;
    std::set<void*> seen;
    for (int i = 0; i < 3000; ++i) {  // over 10 slabs of 256
      void* p = allocate_state(size);
      ASSERT_TRUE(aligned_to_block(p)) << size;
      ASSERT_TRUE(seen.insert(p).second) << "block handed out twice, size " << size;
      std::memset(p, 0xAB, size);
      blocks.push_back(p);
    }
    for (void* p : blocks) free_state(p, size);
  }
}

TEST(StatePoolTest, AThreadGetsBackTheBlockItFreedLast) {
  if (kAddressSanitizer) GTEST_SKIP() << "under AddressSanitizer every block is operator new's";
  void* a = allocate_state(48);
  free_state(a, 48);
  void* b = allocate_state(40);  // the same class: 1 to 64 bytes
  EXPECT_EQ(a, b);
  free_state(b, 40);
}

TEST(StatePoolTest, SizesOverTheLargestClassComeFromOperatorNew) {
  void* p = allocate_state(257);
  std::memset(p, 0, 257);
  free_state(p, 257);
}

// Blocks allocated in one thread and freed in another travel back through the depot; under
// ThreadSanitizer this is the test of its locking.
TEST(StatePoolTest, BlocksFreedByAnotherThreadAreReusedWithoutOverlap) {
  constexpr int kBlocks = 5000;
  for (int round = 0; round < 4; ++round) {
    std::vector<void*> blocks(kBlocks);
    for (void*& p : blocks) {
      p = allocate_state(64);
      std::memset(p, round, 64);
    }
    std::thread freer([&blocks] {
      for (void* p : blocks) free_state(p, 64);
    });
    freer.join();
  }
  std::set<void*> live;
  std::vector<void*> again;
  for (int i = 0; i < kBlocks; ++i) {
    void* p = allocate_state(64);
    ASSERT_TRUE(live.insert(p).second) << "block handed out twice";
    again.push_back(p);
  }
  for (void* p : again) free_state(p, 64);
}

// Two threads allocate and free at once, each freeing half of what the other allocated.
TEST(StatePoolTest, ConcurrentThreadsNeverShareALiveBlock) {
  constexpr int kRounds = 200;
  constexpr int kPerRound = 600;
  std::atomic<bool> overlap{false};
  auto work = [&overlap](int id) {
    for (int r = 0; r < kRounds; ++r) {
      std::vector<unsigned char*> mine;
      for (int i = 0; i < kPerRound; ++i) {
        auto* p = static_cast<unsigned char*>(allocate_state(100));
        std::memset(p, id, 100);
        mine.push_back(p);
      }
      for (unsigned char* p : mine) {
        if (p[0] != id || p[99] != id) overlap = true;
        free_state(p, 100);
      }
    }
  };
  std::thread a(work, 1);
  std::thread b(work, 2);
  a.join();
  b.join();
  EXPECT_FALSE(overlap.load());
}

// A child forked while another thread is inside the pool can still allocate: fork() waits
// for the depot's locks (pthread_atfork). Without that, a child forked while the other thread
// held a lock would wait for it forever (here: die of SIGALRM). The other thread passes
// batches through the depot without pause, so that some of the forks land while it holds a
// lock.
TEST(StatePoolTest, AForkedChildCanAllocateWhileAnotherThreadUsesThePool) {
  // There the blocks are AddressSanitizer's, whose allocator GCC 12 does not make fork-safe:
  // the child can hang on its lock (README, the process pool's fork rule).
  if (kAddressSanitizer) GTEST_SKIP() << "under AddressSanitizer every block is operator new's";
  std::atomic<bool> stop{false};
  std::thread churn([&stop] {
    std::vector<void*> held;
    while (!stop.load(std::memory_order_relaxed)) {
      for (int i = 0; i < 1024; ++i) held.push_back(allocate_state(64));
      for (void* p : held) free_state(p, 64);
      held.clear();
    }
  });
  for (int i = 0; i < 1000; ++i) {
    const pid_t pid = ::fork();
    ASSERT_NE(pid, -1);
    if (pid == 0) {
      ::alarm(5);  // a deadlocked child dies of SIGALRM instead of hanging the test
      std::vector<void*> blocks;
      for (int k = 0; k < 2000; ++k) blocks.push_back(allocate_state(64));
      for (void* p : blocks) free_state(p, 64);
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "child " << i << " status " << status;
  }
  stop = true;
  churn.join();
}

// The pool serves the thread pool's tasks: 100k of them, collected from another thread
// than the one that submitted them, come out right.
TEST(StatePoolTest, ThreadPoolTasksLiveInItsBlocks) {
  ThreadPoolExecutor pool(2);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100000; ++i) fs.push_back(pool.submit([i] { return i; }));
  if (!kAddressSanitizer) {
    EXPECT_TRUE(aligned_to_block(FutureAccess::state(fs.front())));
  }
  long sum = 0;
  std::thread collector([&fs, &sum] {
    for (const auto& f : fs) sum += f.result();
    fs.clear();  // the states are freed here, in another thread than the submitter
  });
  collector.join();
  EXPECT_EQ(sum, 100000L * 99999 / 2);
}

// A task whose callable is aligned beyond a block's 64 bytes gets memory aligned for it
// (operator new's aligned form), not a pool block. (The state's address is checked: the
// callable's own address modulo its alignment folds to 0 at compile time.)
TEST(StatePoolTest, AnOverAlignedTaskIsAlignedForItsCallable) {
  struct alignas(128) Wide {
    int value = 7;
  };
  ThreadPoolExecutor pool(1);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 64; ++i) fs.push_back(pool.submit([wide = Wide{}] { return wide.value; }));
  for (const auto& f : fs) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(FutureAccess::state(f)) % 128, 0U);
    EXPECT_EQ(f.result(), 7);
  }
}

}  // namespace
}  // namespace futures::internal
