// Promise<T>: the implementer's side of a Future, for executors written by users, as Python's
// Future.set_result / set_exception / set_running_or_notify_cancel.
#ifndef FUTURES_PROMISE_HPP_
#define FUTURES_PROMISE_HPP_

#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "futures/errors.hpp"
#include "futures/future.hpp"
#include "futures/internal/state.hpp"

namespace futures {

namespace internal {

// "FINISHED: <Future at 0x... state=finished returned int>", Python's InvalidStateError text.
std::string already_done_message(const StateBase& state, const std::type_info& value_type);

}  // namespace internal

// Owns the right to complete one future. Futures from get_future() work with wait(),
// as_completed() and add_done_callback() exactly like an executor's. Move-only: the one owner
// completes the future, or fails it by being destroyed.
//
// Thread-safe: the setters may race with each other and with the futures' cancel(); exactly
// one completion wins and the others throw InvalidStateError. A setter's writes happen-before
// any observation of the done state through a future.
template <class T>
class Promise {
 public:
  Promise() : state_(new internal::State<T>()) {}
  Promise(Promise&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Promise& operator=(Promise&& other) noexcept {
    Promise(std::move(other)).swap(*this);
    return *this;
  }
  Promise(const Promise&) = delete;  // one owner decides when the future is dropped
  Promise& operator=(const Promise&) = delete;
  // A future still pending or running fails with BrokenExecutor("promise dropped"), so no
  // waiter hangs on a promise that nobody can fulfil any more.
  ~Promise() {
    if (state_ == nullptr) return;
    if (!state_->done()) {
      state_->fail_if_not_done(std::make_exception_ptr(BrokenExecutor("promise dropped")));
    }
    state_->release();
  }

  void swap(Promise& other) noexcept { std::swap(state_, other.state_); }

  // A future for the result; any number of calls return handles to the same state.
  // Never blocks, never throws (a moved-from Promise may only be assigned or destroyed).
  [[nodiscard]] Future<T> get_future() const noexcept {
    state_->add_ref();
    return internal::FutureAccess::adopt(state_);
  }

  // Marks the future running, after which cancel() fails: returns true. Returns false if the
  // future was cancelled (the executor should then skip the work). Throws InvalidStateError
  // if the future is already running or finished. Never blocks.
  bool set_running_or_notify_cancel() { return state_->set_running_or_notify_cancel(); }

  // Finishes the future with value, waking waiters and then running the done callbacks in
  // this thread. Throws InvalidStateError if the future is done (cancelled included) or being
  // completed by another setter.
  template <class U = T>
  requires(!std::is_void_v<U>) void set_result(U value) {
    claim();
    state_->set_result(std::move(value));
  }
  template <class U = T>
  requires std::is_void_v<U>
  void set_result() {
    claim();
    state_->set_result();
  }

  // Finishes the future with the exception e, as set_result() does. Throws
  // std::invalid_argument for a null e, InvalidStateError as set_result().
  void set_exception(std::exception_ptr e) {
    if (!e) throw std::invalid_argument("Promise::set_exception: null exception_ptr");
    claim();
    state_->set_exception(std::move(e));
  }

 private:
  void claim() {
    if (!state_->claim()) {
      throw InvalidStateError(internal::already_done_message(*state_, typeid(T)));
    }
  }

  internal::State<T>* state_;
};

}  // namespace futures

#endif  // FUTURES_PROMISE_HPP_
