// The shared state behind Future<T>: an intrusively counted object holding the state word,
// the result or exception, and the listeners to notify on completion. Not for users.
#ifndef FUTURES_INTERNAL_STATE_HPP_
#define FUTURES_INTERNAL_STATE_HPP_

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

#include "futures/errors.hpp"
#include "futures/internal/spin.hpp"
#include "futures/internal/state_pool.hpp"
#include "futures/types.hpp"

namespace futures::internal {

using Clock = std::chrono::steady_clock;

// now() + timeout, saturating instead of overflowing; a negative timeout is "now".
template <class Rep, class Period>
Clock::time_point deadline_after(std::chrono::duration<Rep, Period> timeout) {
  const auto now = Clock::now();
  const std::chrono::duration<double> secs = timeout;
  const std::chrono::duration<double> room = Clock::time_point::max() - now;
  if (secs >= room) return Clock::time_point::max();
  if (secs.count() <= 0) return now;
  return now + std::chrono::ceil<Clock::duration>(secs);
}

// A deadline on any clock as a steady_clock time point; a deadline on another clock is
// converted once, through the time left until it, so later changes of that clock are not
// followed (as std::condition_variable::wait_until does for clocks it does not know).
template <class C, class D>
Clock::time_point steady_deadline(std::chrono::time_point<C, D> deadline) {
  if constexpr (std::is_same_v<C, Clock> && std::is_same_v<D, Clock::duration>) {
    return deadline;
  } else {
    const std::chrono::duration<double> left =
        std::chrono::duration<double>(deadline.time_since_epoch()) -
        std::chrono::duration<double>(C::now().time_since_epoch());
    return deadline_after(left);
  }
}

// Blocks while word == expected, until woken or until the deadline (nullptr: none).
// Returns false only when the deadline passed. Spurious returns are allowed.
bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const Clock::time_point* deadline) noexcept;
void futex_wake(std::atomic<std::uint32_t>& word, int count) noexcept;

class StateBase;

// Something to notify when a state completes. Waiters (wait, as_completed) are notified while
// the state's stripe lock is held, so that removing them under that lock is final; callbacks
// run after it is released, in the order they were added.
class Listener {
 public:
  explicit Listener(bool under_lock) noexcept : under_lock_(under_lock) {}
  virtual void on_done(StateBase& state) noexcept = 0;

 protected:
  virtual ~Listener() = default;

 private:
  friend class StateBase;
  Listener* next_ = nullptr;
  bool under_lock_;
};

// State word layout: two bits of FutureState, then flags.
inline constexpr std::uint32_t kPending = 0;
inline constexpr std::uint32_t kRunning = 1;
inline constexpr std::uint32_t kCancelled = 2;
inline constexpr std::uint32_t kFinished = 3;
inline constexpr std::uint32_t kStateMask = 3;
inline constexpr std::uint32_t kHasListeners = 4;  // listeners_ may be non-empty
inline constexpr std::uint32_t kHasSleepers = 8;   // a thread sleeps on the word
inline constexpr std::uint32_t kClaimed = 16;      // a Promise setter owns the completion
inline constexpr std::uint32_t kTaken = 32;        // the result was moved out by take()

constexpr bool is_done(std::uint32_t word) noexcept { return (word & kStateMask) >= kCancelled; }

// The untyped part of every future's state. Thread-safe: every member function may be called
// from any thread. The completing thread's writes (result, exception) happen-before any
// observation of the done state.
class StateBase {
 public:
  StateBase(const StateBase&) = delete;  // identity is the future's identity
  StateBase& operator=(const StateBase&) = delete;

  void add_ref(std::uint32_t n = 1) noexcept {
    [[maybe_unused]] const std::uint32_t before = refs_.fetch_add(n, std::memory_order_relaxed);
    assert(before > 0 && "add_ref() on a state already freed");
  }
  void release() noexcept {
    const std::uint32_t before = refs_.fetch_sub(1, std::memory_order_acq_rel);
    assert(before > 0 && "release() of a state already freed");
    if (before == 1) delete this;
  }

  FutureState state() const noexcept {
    return static_cast<FutureState>(word_.load(std::memory_order_acquire) & kStateMask);
  }
  bool done() const noexcept { return is_done(word_.load(std::memory_order_acquire)); }
  // Finished with an exception (a cancelled state has not failed).
  bool failed() const noexcept { return state() == FutureState::finished && error_ != nullptr; }

  // pending -> cancelled, notifying listeners. True if cancelled (now or before). A running
  // state is not cancelled, but its task's stop_token is requested (request_stop()).
  bool cancel() noexcept;

  // pending -> running: true. Cancelled: false (listeners were notified by cancel()).
  // Any other state: InvalidStateError.
  bool set_running_or_notify_cancel();

  // pending/running -> finished with an exception. InvalidStateError if already done.
  void set_exception(std::exception_ptr error);

  // Reserves the completion for one setter: true if not done and not reserved before. Lets
  // concurrent Promise setters agree on one winner before any of them writes the result.
  bool claim() noexcept;

  // Like set_exception, but only from pending or running, and silent otherwise. Used to fail
  // queued work when an executor breaks. True if this call completed the state.
  bool fail_if_not_done(std::exception_ptr error) noexcept;

  // Blocks until done or the deadline (nullptr: none). True if done.
  bool wait(const Clock::time_point* deadline) const noexcept;

  // Registers l unless the state is already done (then returns false and keeps nothing).
  bool add_listener(Listener* l) noexcept;
  // Unregisters l; false if completion had already taken it.
  bool remove_listener(Listener* l) noexcept;

  // The exception of a finished state (nullptr on success). Only valid once done.
  const std::exception_ptr& error() const noexcept {
    assert(done() && "error() of a state not done");
    return error_;
  }

  // Throws CancelledError, or the task's exception, for a done state.
  void throw_if_failed() const;

  // Marks a finished state's result as moved out: true for the first call only.
  bool mark_taken() noexcept {
    return (word_.fetch_or(kTaken, std::memory_order_acq_rel) & kTaken) == 0;
  }
  bool taken() const noexcept { return (word_.load(std::memory_order_acquire) & kTaken) != 0; }
  // The reference count; 1 means the caller's handle is the only one anywhere.
  std::uint32_t refs() const noexcept { return refs_.load(std::memory_order_acquire); }

  // Executor hook: runs the task this state was created for.
  virtual void run() noexcept {}
  // Executor hook: requests the stop_token of a task that takes one; nothing otherwise.
  // Thread-safe; may be called before, during or after run().
  virtual void request_stop() noexcept {}

  // Intrusive link for executor queues; owned by whichever queue holds the state.
  std::atomic<StateBase*> next_{nullptr};

 protected:
  StateBase() = default;
  virtual ~StateBase() = default;

  // Moves to finished with the result already stored (or error_ set). InvalidStateError if
  // the state is already done.
  void finish();

 private:
  // CAS to `to` from a state in `allowed` (bit set of states); notifies on completion.
  bool transition(std::uint32_t allowed, std::uint32_t to) noexcept;
  void notify_listeners() noexcept;

  std::atomic<std::uint32_t> refs_{1};
  mutable std::atomic<std::uint32_t> word_{kPending};
  Listener* listeners_ = nullptr;  // guarded by the stripe lock of this
  std::exception_ptr error_;
};

// A state with storage for a T (nothing for void).
template <class T>
class State : public StateBase {
 public:
  State() noexcept {}  // value_ stays unconstructed until set_result()
  // pending/running -> finished with v. InvalidStateError if already done.
  template <class U>
  void set_result(U&& v) {
    if (done()) throw InvalidStateError("future is already done");
    ::new (static_cast<void*>(&value_)) T(std::forward<U>(v));
    has_value_ = true;
    finish();
  }

  // The stored value; only for a state finished without error.
  const T& value() const noexcept {
    assert(has_value_ && "value() of a state without a result");
    return value_;
  }
  T& value() noexcept {
    assert(has_value_ && "value() of a state without a result");
    return value_;
  }

 protected:
  ~State() override {
    if (has_value_) value_.~T();
  }

 private:
  union {
    T value_;
  };
  bool has_value_ = false;  // written before the finishing CAS, read after it
};

template <>
class State<void> : public StateBase {
 public:
  void set_result() {
    if (done()) throw InvalidStateError("future is already done");
    finish();
  }
};

// A state that owns the callable computing its result: the node an executor queues.
// The callable is destroyed as soon as it has run, so its captures do not outlive the work.
// With kTakesStopToken, the callable is called with a std::stop_token that request_stop()
// requests.
template <class R, class Fn, bool kTakesStopToken = false>
class Task final : public State<R> {
 public:
  explicit Task(Fn&& fn) { ::new (static_cast<void*>(&fn_)) Fn(std::move(fn)); }

  // Tasks live in the state pool's blocks (state_pool.hpp); a task aligned beyond operator
  // new's default (its fn is over-aligned) in operator new's aligned memory.
  static void* operator new(std::size_t size) { return allocate_state(size); }
  static void operator delete(void* block, std::size_t size) noexcept { free_state(block, size); }
  static void* operator new(std::size_t size, std::align_val_t align) {
    return ::operator new(size, align);
  }
  static void operator delete(void* block, std::size_t /*size*/, std::align_val_t align) noexcept {
    ::operator delete(block, align);
  }

  void run() noexcept override {
    assert(alive_ && "a task run twice");
    if (!this->set_running_or_notify_cancel()) return destroy_fn();
    try {
      if constexpr (std::is_void_v<R>) {
        call();
        destroy_fn();
        this->set_result();
      } else {
        R r = call();
        destroy_fn();
        this->set_result(std::move(r));
      }
    } catch (...) {
      destroy_fn();
      this->set_exception(std::current_exception());
    }
  }

  void request_stop() noexcept override {
    if constexpr (kTakesStopToken) stop_.request_stop();
  }

 private:
  struct NoStopSource {};

  ~Task() override { destroy_fn(); }
  R call() {
    if constexpr (kTakesStopToken) {
      return fn_(stop_.get_token());
    } else {
      return fn_();
    }
  }
  void destroy_fn() noexcept {
    if (alive_) {
      alive_ = false;
      fn_.~Fn();
    }
  }

  union {
    Fn fn_;
  };
  bool alive_ = true;
  [[no_unique_address]] std::conditional_t<kTakesStopToken, std::stop_source, NoStopSource> stop_;
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_STATE_HPP_
