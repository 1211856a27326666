// WorkSemaphore: a counting semaphore of work tokens for a pool's workers, one of which spins
// before it sleeps. Not for users.
#ifndef FUTURES_INTERNAL_WORK_SEMAPHORE_HPP_
#define FUTURES_INTERNAL_WORK_SEMAPHORE_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace futures::internal {

// Tokens, each posted once and taken once. A taker spins for a while (yielding its CPU past
// the first microseconds), then sleeps on a futex. post() costs one atomic add, and no system
// call while the spinners (or a taker coming back from a task) will take the token anyway; a
// token that no spinner covers wakes a sleeper. Thread-safe.
class WorkSemaphore {
 public:
  WorkSemaphore() = default;
  WorkSemaphore(const WorkSemaphore&) = delete;
  WorkSemaphore& operator=(const WorkSemaphore&) = delete;

  // Adds n tokens.
  void post(int n = 1) noexcept;

  // Takes a token if one is there or comes within `spin`. True if it took one.
  bool try_acquire_for(std::chrono::nanoseconds spin) noexcept;
  // Takes a token, sleeping until one is there.
  void acquire() noexcept;

 private:
  // Takes a token if one is there.
  bool try_take() noexcept;
  void wake(int n) noexcept;

  alignas(64) std::atomic<std::int32_t> count_{0};  // tokens not taken
  std::atomic<std::int32_t> spinning_{0};           // takers spinning in try_acquire_for()
  std::atomic<std::int32_t> sleepers_{0};           // takers in acquire()
  // Bumped by every wake-up; sleepers wait on it, so that a wake-up between a sleeper's last
  // look at the tokens and its futex_wait() is not lost.
  alignas(64) std::atomic<std::uint32_t> epoch_{0};
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_WORK_SEMAPHORE_HPP_
