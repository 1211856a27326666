// SpinMutex: a mutex for critical sections of a few dozen instructions, such as a pool's
// queue. Not for users.
#ifndef FUTURES_INTERNAL_SPIN_MUTEX_HPP_
#define FUTURES_INTERNAL_SPIN_MUTEX_HPP_

#include <atomic>
#include <cassert>
#include <cstdint>

#include "futures/internal/spin.hpp"
#include "futures/internal/state.hpp"

namespace futures::internal {

// Spins while the holder is likely still running, then sleeps on a futex (Drepper's
// "Futexes Are Tricky", mutex 3, with a spin first). Unlike std::mutex under contention, a
// waiter that gets the lock within the spin costs neither side a system call. Meets the
// Lockable requirements (std::lock_guard, std::unique_lock).
class SpinMutex {
 public:
  SpinMutex() = default;
  SpinMutex(const SpinMutex&) = delete;
  SpinMutex& operator=(const SpinMutex&) = delete;

  void lock() noexcept {
    std::uint32_t expected = kUnlocked;
    if (!word_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      lock_contended();
    }
  }

  bool try_lock() noexcept {
    std::uint32_t expected = kUnlocked;
    return word_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                         std::memory_order_relaxed);
  }

  void unlock() noexcept {
    const std::uint32_t was = word_.exchange(kUnlocked, std::memory_order_release);
    assert(was != kUnlocked && "unlock() of a SpinMutex not locked");
    if (was == kLockedWithSleepers) futex_wake(word_, 1);
  }

 private:
  static constexpr std::uint32_t kUnlocked = 0;
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kLockedWithSleepers = 2;  // unlock() must wake one

  void lock_contended() noexcept;

  std::atomic<std::uint32_t> word_{kUnlocked};
};

inline void SpinMutex::lock_contended() noexcept {
  if (spin_until(
          [this] {
            std::uint32_t expected = word_.load(std::memory_order_relaxed);
            return expected == kUnlocked &&
                   word_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire,
                                               std::memory_order_relaxed);
          },
          kLockSpin)) {
    return;
  }
  // From here the word says "sleepers" for as long as this thread may sleep; it may also say
  // so after the last sleeper left, which costs one needless wake-up, never a lost one.
  while (word_.exchange(kLockedWithSleepers, std::memory_order_acquire) != kUnlocked) {
    futex_wait(word_, kLockedWithSleepers, nullptr);
  }
}

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_SPIN_MUTEX_HPP_
