// The debug and sanitizer presets build with assertions on: a broken invariant stops the
// program at once, naming the invariant.
#include <gtest/gtest.h>

#include <string_view>

#include "futures/internal/spin_mutex.hpp"
#include "futures/internal/state.hpp"

namespace futures {
namespace {

// Builds without NDEBUG are the ones these tests are for; a Debug build with NDEBUG is a
// broken preset, and fails here.
bool assertions_on() {
#ifdef NDEBUG
  return false;
#else
  return true;
#endif
}

class AssertionsDeathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (assertions_on()) {
      GTEST_FLAG_SET(death_test_style, "threadsafe");
      return;
    }
    ASSERT_NE(std::string_view(FUTURES_BUILD_TYPE), "Debug") << "a Debug build with NDEBUG";
    GTEST_SKIP() << "built with NDEBUG (" << FUTURES_BUILD_TYPE << "): assertions are off";
  }
};

TEST_F(AssertionsDeathTest, ValueOfAStateWithoutAResultAborts) {
  auto* state = new internal::State<int>();
  EXPECT_DEATH((void)state->value(), "value\\(\\) of a state without a result");
  state->release();
}

TEST_F(AssertionsDeathTest, ATaskRunTwiceAborts) {
  auto* task = new internal::Task<int, int (*)()>(+[] { return 1; });
  task->run();
  EXPECT_DEATH(task->run(), "a task run twice");
  task->release();
}

TEST_F(AssertionsDeathTest, UnlockingAnUnlockedSpinMutexAborts) {
  internal::SpinMutex mu;
  EXPECT_DEATH(mu.unlock(), "unlock\\(\\) of a SpinMutex not locked");
}

}  // namespace
}  // namespace futures
