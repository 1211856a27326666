// Default worker counts follow the CPUs this process may use (its affinity mask), as Python
// 3.13+'s os.process_cpu_count(): under `taskset -c 0` a thread pool gets 5 workers and a
// process pool 1 (CPython 3.13: test_default_workers uses os.process_cpu_count()).
#include "futures/internal/cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include "futures/futures.hpp"

namespace {

// Restricts the calling thread (whose mask the defaults read) to one CPU for its lifetime.
class OneCpu {
 public:
  OneCpu() {
    CPU_ZERO(&saved_);
    EXPECT_EQ(sched_getaffinity(0, sizeof saved_, &saved_), 0);
    int first = 0;
    while (!CPU_ISSET(first, &saved_)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    EXPECT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  }
  ~OneCpu() { sched_setaffinity(0, sizeof saved_, &saved_); }
  OneCpu(const OneCpu&) = delete;
  OneCpu& operator=(const OneCpu&) = delete;

 private:
  cpu_set_t saved_;
};

TEST(ProcessCpuCountTest, CountsTheAffinityMask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  EXPECT_EQ(futures::internal::process_cpu_count(), CPU_COUNT(&set));
  OneCpu one;
  EXPECT_EQ(futures::internal::process_cpu_count(), 1);
}

TEST(ThreadPoolExecutorTest, DefaultWorkersAreUsableCpusPlusFour) {
  OneCpu one;
  futures::ThreadPoolExecutor pool;
  EXPECT_EQ(pool.max_workers(), 5);
}

TEST(ProcessPoolExecutorTest, DefaultWorkersAreUsableCpus) {
  OneCpu one;
  futures::ProcessPoolExecutor pool;
  EXPECT_EQ(pool.max_workers(), 1);
  EXPECT_EQ(pool.submit(
                    +[](int x) { return x + 1; }, 41)
                .result(),
            42);
}

}  // namespace
