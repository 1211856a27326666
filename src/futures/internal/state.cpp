#include "futures/internal/state.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cassert>
#include <cerrno>
#include <climits>
#include <ctime>
#include <mutex>

namespace futures::internal {
namespace {

// Listener lists are guarded by a lock chosen by the state's address, so that a pending
// future costs no mutex of its own. Only registration, removal and completion with listeners
// take it; the plain submit -> run -> result path never does.
struct alignas(64) Stripe {
  std::mutex mu;
};
std::array<Stripe, 64> g_stripes;

std::mutex& stripe_for(const void* p) noexcept {
  auto bits = reinterpret_cast<std::uintptr_t>(p);
  return g_stripes[(bits >> 6 ^ bits >> 12) % g_stripes.size()].mu;
}

std::uint32_t* raw(std::atomic<std::uint32_t>& word) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&word);
}

}  // namespace

bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const Clock::time_point* deadline) noexcept {
  if (deadline == nullptr) {
    syscall(SYS_futex, raw(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
    return true;
  }
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, the clock of steady_clock.
  const auto since_epoch = deadline->time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(secs.count());
  ts.tv_nsec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - secs).count());
  if (syscall(SYS_futex, raw(word), FUTEX_WAIT_BITSET_PRIVATE, expected, &ts, nullptr,
              FUTEX_BITSET_MATCH_ANY) == -1 &&
      errno == ETIMEDOUT) {
    return false;
  }
  return true;
}

void futex_wake(std::atomic<std::uint32_t>& word, int count) noexcept {
  syscall(SYS_futex, raw(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

bool StateBase::transition(std::uint32_t allowed, std::uint32_t to) noexcept {
  // The state machine: pending -> running -> finished, pending -> cancelled; a done state is
  // final.
  assert(to != kPending && "no transition leads back to pending");
  assert((allowed & (1u << kCancelled | 1u << kFinished)) == 0 && "a done state is final");
  assert((to != kRunning || allowed == 1u << kPending) && "only a pending state starts running");
  std::uint32_t w = word_.load(std::memory_order_relaxed);
  std::uint32_t next;
  do {
    if ((allowed & (1u << (w & kStateMask))) == 0) return false;
    next = (w & ~kStateMask) | to;
    if (is_done(to)) next &= ~kHasSleepers;  // terminal: nobody needs to sleep any more
  } while (
      !word_.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_relaxed));
  if (is_done(to)) {
    if (w & kHasSleepers) futex_wake(word_, INT_MAX);
    if (w & kHasListeners) notify_listeners();
  }
  return true;
}

void StateBase::notify_listeners() noexcept {
  assert(done() && "listeners notified before completion");
  Listener* callbacks = nullptr;  // in the order they were added
  {
    std::lock_guard lock(stripe_for(this));
    // The list is newest first; walking it while pushing onto `callbacks` restores the order.
    Listener* l = std::exchange(listeners_, nullptr);
    Listener* waiters = nullptr;
    while (l != nullptr) {
      Listener* next = l->next_;
      if (l->under_lock_) {
        l->next_ = waiters;
        waiters = l;
      } else {
        l->next_ = callbacks;
        callbacks = l;
      }
      l = next;
    }
    for (l = waiters; l != nullptr;) {
      Listener* next = l->next_;  // read first: the owner may free l once notified
      l->on_done(*this);
      l = next;
    }
  }
  while (callbacks != nullptr) {
    Listener* next = callbacks->next_;
    callbacks->on_done(*this);  // a callback node frees itself
    callbacks = next;
  }
}

bool StateBase::cancel() noexcept {
  if (transition(1u << kPending, kCancelled)) return true;
  const FutureState now = state();
  if (now == FutureState::running) request_stop();
  return now == FutureState::cancelled;
}

bool StateBase::set_running_or_notify_cancel() {
  if (transition(1u << kPending, kRunning)) return true;
  if (state() == FutureState::cancelled) return false;
  throw InvalidStateError("future in unexpected state: not pending");
}

void StateBase::finish() {
  if (!transition(1u << kPending | 1u << kRunning, kFinished)) {
    throw InvalidStateError("future is already done");
  }
}

void StateBase::set_exception(std::exception_ptr error) {
  if (done()) throw InvalidStateError("future is already done");
  error_ = std::move(error);
  finish();
}

bool StateBase::claim() noexcept {
  std::uint32_t w = word_.load(std::memory_order_relaxed);
  do {
    if (is_done(w) || (w & kClaimed) != 0) return false;
  } while (!word_.compare_exchange_weak(w, w | kClaimed, std::memory_order_acq_rel,
                                        std::memory_order_relaxed));
  return true;
}

bool StateBase::fail_if_not_done(std::exception_ptr error) noexcept {
  // Only executor plumbing calls this, for work that no thread is running, so nothing
  // races with the write to error_.
  if (done()) return false;
  error_ = std::move(error);
  return transition(1u << kPending | 1u << kRunning, kFinished);
}

bool StateBase::wait(const Clock::time_point* deadline) const noexcept {
  std::uint32_t w = 0;
  spin_until([&] { return is_done(w = word_.load(std::memory_order_acquire)); },
             spin_budget(kWaitSpin, deadline), kYieldAfter);
  while (!is_done(w)) {
    if ((w & kHasSleepers) == 0) {
      if (!word_.compare_exchange_weak(w, w | kHasSleepers, std::memory_order_acquire)) continue;
      w |= kHasSleepers;
    }
    if (!futex_wait(word_, w, deadline)) return done();
    w = word_.load(std::memory_order_acquire);
  }
  return true;
}

bool StateBase::add_listener(Listener* l) noexcept {
  std::lock_guard lock(stripe_for(this));
  std::uint32_t w = word_.load(std::memory_order_acquire);
  do {
    if (is_done(w)) return false;
  } while (!word_.compare_exchange_weak(w, w | kHasListeners, std::memory_order_acq_rel,
                                        std::memory_order_acquire));
  l->next_ = listeners_;
  listeners_ = l;
  return true;
}

bool StateBase::remove_listener(Listener* l) noexcept {
  std::lock_guard lock(stripe_for(this));
  for (Listener** p = &listeners_; *p != nullptr; p = &(*p)->next_) {
    if (*p == l) {
      *p = l->next_;
      return true;
    }
  }
  return false;
}

void StateBase::throw_if_failed() const {
  if (state() == FutureState::cancelled) throw CancelledError();
  if (error_) std::rethrow_exception(error_);
}

}  // namespace futures::internal
