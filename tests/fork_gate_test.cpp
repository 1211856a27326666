// The fork gate: a fork server is never forked while one of the library's I/O threads is awake
// (under AddressSanitizer such a child could inherit an allocator lock held, and hang).
#include "futures/internal/fork_gate.hpp"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "futures/futures.hpp"

namespace futures {
namespace {

using internal::ForkGate;

// Ends a forked child at once with `code`. Not _exit(): under TSan that reports the parent's
// threads, which the child does not have, as leaked and exits 66.
[[noreturn]] void child_exit(int code) {
  syscall(SYS_exit_group, code);
  __builtin_unreachable();
}

// The child's exit code, or -1 if it did not exit normally.
int exit_code_of(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ForkGateTest, ForkWaitsForAThreadInsideToStepOut) {
  ForkGate& gate = ForkGate::instance();
  std::atomic<bool> stepped_out{false};
  std::latch inside(1);
  gate.enter_for_new_thread();
  std::thread awake([&] {
    const ForkGate::Inside stay(ForkGate::Inside::kAdopt);
    inside.count_down();
    // Long enough for the main thread to be waiting in fork(), well short of its 1 s limit.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stepped_out = true;  // the fork, which waits for the leave() below, copies this
  });
  inside.wait();
  const pid_t pid = gate.fork();
  if (pid == 0) child_exit(stepped_out ? 0 : 1);
  awake.join();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(exit_code_of(pid), 0) << "forked while a thread was inside";
}

TEST(ForkGateTest, TheChildStartsWithAnOpenGate) {
  const pid_t pid = ForkGate::instance().fork();
  if (pid == 0) {
    alarm(10);  // a gate copied closed would block the fork below for ever
    const pid_t grandchild = ForkGate::instance().fork();
    if (grandchild == 0) child_exit(0);
    child_exit(grandchild > 0 ? exit_code_of(grandchild) : 2);
  }
  ASSERT_GT(pid, 0);
  EXPECT_EQ(exit_code_of(pid), 0);
}

std::vector<std::string> allocate_strings(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.emplace_back(static_cast<std::size_t>(i * 37 % 4096), 'x');
  return out;
}

// sweep_bench's start: pools forked one right after another, each while the previous one's
// I/O thread is starting. Under AddressSanitizer, later pools' workers hung in their first
// allocations about half the time before the I/O threads were gated.
TEST(ForkGateTest, PoolsStartedBackToBackRunTasks) {
  alarm(120);  // a hang guard, not a timing: a hung pool fails this test here, not at ctest's limit
  for (int round = 0; round < 10; ++round) {
    std::vector<std::unique_ptr<ProcessPoolExecutor>> pools;
    for (int i = 0; i < 4; ++i) pools.push_back(std::make_unique<ProcessPoolExecutor>(1 + i % 2));
    std::vector<Future<std::vector<std::string>>> results;
    for (auto& pool : pools) results.push_back(pool->submit(allocate_strings, 200));
    for (auto& f : results) EXPECT_EQ(f.result().size(), 200u) << "round " << round;
  }
  alarm(0);
}

}  // namespace
}  // namespace futures
