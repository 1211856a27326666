// Future<T>: a copyable handle to the eventual result of one task, as Python's
// concurrent.futures.Future. Executors create futures; users observe and cancel them.
#ifndef FUTURES_FUTURE_HPP_
#define FUTURES_FUTURE_HPP_

#include <chrono>
#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "futures/errors.hpp"
#include "futures/internal/state.hpp"
#include "futures/types.hpp"

namespace futures {

template <class T>
class Future;

namespace internal {

// Reports an exception escaping a done callback on stderr; the exception is swallowed.
void report_callback_exception(const std::string& future_repr) noexcept;

// "<Future at 0x... state=finished returned int>", as Python's repr.
std::string future_repr(const StateBase& state, const std::type_info& value_type);

struct FutureAccess;

}  // namespace internal

// A handle to one shared result. Copies observe the same state, like references to one Python
// object; comparison and hashing go by that identity. Every member is thread-safe.
// A moved-from Future may only be assigned to or destroyed.
template <class T>
class Future {
 public:
  using value_type = T;

  Future(const Future& other) noexcept : state_(other.state_) { state_->add_ref(); }
  Future(Future&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Future& operator=(Future other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~Future() {
    if (state_ != nullptr) state_->release();
  }

  // Cancels the task unless it is running or done. Returns true if the future is cancelled
  // (now or earlier), false if it is running or finished. Cancelling wakes waiters and runs
  // the done callbacks in the calling thread.
  bool cancel() const noexcept { return state_->cancel(); }
  bool cancelled() const noexcept { return state() == FutureState::cancelled; }
  bool running() const noexcept { return state() == FutureState::running; }
  // True once finished or cancelled.
  bool done() const noexcept { return state_->done(); }
  FutureState state() const noexcept { return state_->state(); }

  // What result() returns on a handle that outlives the call: a reference to the stored
  // result (nothing for Future<void>).
  using reference =
      std::conditional_t<std::is_void_v<T>, void, std::add_lvalue_reference_t<const T>>;

  // Blocks until done, then returns a reference to the result, valid while any handle to this
  // future lives (nothing for Future<void>). Throws the task's exception, CancelledError, or
  // InvalidStateError once take() moved the result out. Many threads may read it at once.
  reference result() const& {
    state_->wait(nullptr);
    return get();
  }
  // As result(), but throws TimeoutError if the future is not done within `timeout`.
  template <class Rep, class Period>
  reference result(std::chrono::duration<Rep, Period> timeout) const& {
    wait_for(timeout);
    return get();
  }
  // As result(), but throws TimeoutError if the future is not done by `deadline`, a time
  // point of any clock (steady_clock is followed exactly; another clock is read once).
  template <class Clock, class Dur>
  reference result(std::chrono::time_point<Clock, Dur> deadline) const& {
    wait_until(deadline);
    return get();
  }
  // On a future about to vanish (pool.submit(f).result()): returns the result by value, so no
  // reference outlives the state: moved out when this is the last handle, else copied.
  // A move-only T has no such overload: call take() instead.
  T result() && requires(!std::is_void_v<T> && std::is_copy_constructible_v<T>) {
    state_->wait(nullptr);
    return get_value();
  }
  template <class Rep, class Period>
      T result(std::chrono::duration<Rep, Period> timeout) &&
      requires(!std::is_void_v<T> && std::is_copy_constructible_v<T>) {
    wait_for(timeout);
    return get_value();
  }
  template <class Clock, class Dur>
      T result(std::chrono::time_point<Clock, Dur> deadline) &&
      requires(!std::is_void_v<T> && std::is_copy_constructible_v<T>) {
    wait_until(deadline);
    return get_value();
  }

  // Blocks until done, then moves the result out to the caller: the way to get a move-only
  // result, or a large one without a copy. For the result's only reader: once taken, result()
  // and take() on this future and every copy throw InvalidStateError, while done() and
  // exception() still report success. A take() racing with another thread's result() is a
  // data race on the value. Throws as result() does.
  T take() const requires(!std::is_void_v<T>) {
    state_->wait(nullptr);
    state_->throw_if_failed();
    if (!state_->mark_taken()) throw_taken();
    return std::move(state_->value());
  }

  // Blocks until done; returns the task's exception, or nullptr if it succeeded.
  // Throws CancelledError for a cancelled future.
  std::exception_ptr exception() const {
    state_->wait(nullptr);
    return get_exception();
  }
  // As exception(), but throws TimeoutError if the future is not done within `timeout`, or by
  // `deadline` (a time point of any clock).
  template <class Rep, class Period>
  std::exception_ptr exception(std::chrono::duration<Rep, Period> timeout) const {
    wait_for(timeout);
    return get_exception();
  }
  template <class Clock, class Dur>
  std::exception_ptr exception(std::chrono::time_point<Clock, Dur> deadline) const {
    wait_until(deadline);
    return get_exception();
  }

  // Runs fn(*this) once the future is done: in the thread that completes (or cancels) it,
  // after waiters are woken, in the order callbacks were added; or at once in the calling
  // thread if the future is already done. An exception thrown by fn is reported on stderr and
  // swallowed.
  void add_done_callback(std::function<void(const Future&)> fn) const {
    add_callback<std::function<void(const Future&)>>(std::move(fn));
  }
  // As above for any callable, move-only ones included; it is stored as is, not in a
  // std::function.
  template <class F>
  requires std::invocable < std::decay_t<F>
  &, const Future& > void add_done_callback(F&& fn) const {
    add_callback<std::decay_t<F>>(std::forward<F>(fn));
  }

  friend bool operator==(const Future& a, const Future& b) noexcept { return a.state_ == b.state_; }

 private:
  friend struct internal::FutureAccess;
  explicit Future(internal::State<T>* adopted) noexcept : state_(adopted) {}
  Future() noexcept : state_(nullptr) {}

  template <class Rep, class Period>
  void wait_for(std::chrono::duration<Rep, Period> timeout) const {
    const auto deadline = internal::deadline_after(timeout);
    if (!state_->wait(&deadline)) {
      throw TimeoutError("future not done after " +
                         std::to_string(std::chrono::duration<double>(timeout).count()) + " s");
    }
  }
  template <class Clock, class Dur>
  void wait_until(std::chrono::time_point<Clock, Dur> deadline) const {
    const auto steady = internal::steady_deadline(deadline);
    if (!state_->wait(&steady)) throw TimeoutError("future not done by the deadline");
  }
  reference get() const {
    state_->throw_if_failed();
    if constexpr (!std::is_void_v<T>) {
      if (state_->taken()) throw_taken();
      return state_->value();
    }
  }
  T get_value() const {
    const T& value = get();
    // refs() == 1: no other handle exists and none can be made, so nobody sees the move.
    if (state_->refs() == 1) return std::move(state_->value());
    return value;
  }
  [[noreturn]] static void throw_taken() {
    throw InvalidStateError("the result was moved out by take()");
  }
  std::exception_ptr get_exception() const {
    if (cancelled()) throw CancelledError();
    return state_->error();
  }

  template <class Fn, class F>
  void add_callback(F&& fn) const;

  internal::State<T>* state_;
};

namespace internal {

// The library's way in to a Future's state: executors make futures, waiters watch them.
struct FutureAccess {
  // Takes over one reference to `state`.
  template <class T>
  static Future<T> adopt(State<T>* state) noexcept {
    return Future<T>(state);
  }
  template <class T>
  static State<T>* state(const Future<T>& f) noexcept {
    return f.state_;
  }
  // A handle to nothing, as moved-from futures are: a placeholder for the library's ranges.
  template <class T>
  static Future<T> empty() noexcept {
    return Future<T>();
  }
};

template <class T, class Fn>
class CallbackNode final : public Listener {
 public:
  // Constrained, so never taken for a copy or a move of CallbackNode itself.
  template <class F>
  // NOLINTNEXTLINE(bugprone-forwarding-reference-overload): clang-tidy 14 ignores requires.
  requires(!std::is_same_v<std::remove_cvref_t<F>, CallbackNode>) explicit CallbackNode(F&& fn)
      : Listener(/*under_lock=*/false), fn_(std::forward<F>(fn)) {}

  void on_done(StateBase& state) noexcept override {
    auto* typed = static_cast<State<T>*>(&state);
    typed->add_ref();
    const Future<T> f = FutureAccess::adopt(typed);
    try {
      fn_(f);
    } catch (...) {
      report_callback_exception(future_repr(state, typeid(T)));
    }
    delete this;
  }

 private:
  Fn fn_;
};

}  // namespace internal

template <class T>
template <class Fn, class F>
void Future<T>::add_callback(F&& fn) const {
  auto* node = new internal::CallbackNode<T, Fn>(std::forward<F>(fn));
  if (state_->add_listener(node)) return;
  // Already done: run it here. The node still owns fn, so run it through the node.
  node->on_done(*state_);
}

// Python's repr: "<Future at 0x55d0c3a8 state=finished returned int>",
// "... state=finished raised std::runtime_error>", "<Future at 0x... state=pending>".
template <class T>
std::string to_string(const Future<T>& f) {
  return internal::future_repr(*internal::FutureAccess::state(f), typeid(T));
}

}  // namespace futures

template <class T>
struct std::hash<futures::Future<T>> {
  std::size_t operator()(const futures::Future<T>& f) const noexcept {
    return std::hash<const void*>{}(futures::internal::FutureAccess::state(f));
  }
};

#endif  // FUTURES_FUTURE_HPP_
