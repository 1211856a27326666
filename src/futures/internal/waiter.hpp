// Waiters that watch many futures at once, for wait() and as_completed(). Not for users.
#ifndef FUTURES_INTERNAL_WAITER_HPP_
#define FUTURES_INTERNAL_WAITER_HPP_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "futures/internal/state.hpp"

namespace futures::internal {

// Watches a set of states and records each completion in order. Each watched state is held
// by one reference until the waiter is destroyed or hands it out through pop().
// Thread-safe; completion notifications happen-before the pop() that returns them.
class CompletionQueue {
 public:
  // Watches every state in `states` that is not done yet; the done ones are returned (with
  // their references) in `already_done`, in input order. Each state gains a reference.
  CompletionQueue(const std::vector<StateBase*>& states, std::vector<StateBase*>& already_done);
  CompletionQueue(const CompletionQueue&) = delete;  // listeners point into this object
  CompletionQueue& operator=(const CompletionQueue&) = delete;
  ~CompletionQueue();

  // Blocks until a watched state completes or the deadline (nullptr: none) passes.
  // Returns it with one reference owned by the caller, or nullptr on timeout.
  StateBase* pop(const Clock::time_point* deadline);

 private:
  struct Node final : Listener {
    Node(CompletionQueue* queue, StateBase* watched) noexcept
        : Listener(/*under_lock=*/true), owner(queue), state(watched) {}
    void on_done(StateBase& s) noexcept override;
    CompletionQueue* owner;
    StateBase* state;
    bool taken = false;  // guarded by owner->mu_: handed out through pop()
  };

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Node> nodes_;
  std::vector<Node*> completed_;  // guarded by mu_, in completion order
  std::size_t next_ = 0;          // guarded by mu_: completed_[next_] is the next pop()
  bool any_failed_ = false;       // guarded by mu_
};

// Waits until `need` states of a set are done or, with or_failure, one of them finished with
// an exception (cancelled ones do not count). A completion short of that takes only its own
// state's stripe lock and an atomic decrement, and wakes nobody: waiting for many futures costs
// one wake-up. The caller keeps the states alive until the waiter is destroyed.
class CountdownWaiter {
 public:
  CountdownWaiter(const std::vector<StateBase*>& states, std::size_t need, bool or_failure);
  CountdownWaiter(const CountdownWaiter&) = delete;  // listeners point into this object
  CountdownWaiter& operator=(const CountdownWaiter&) = delete;
  // Unregisters from the states still pending, after any completion being notified.
  ~CountdownWaiter();

  // Blocks until satisfied or the deadline (nullptr: none) passes.
  void wait(const Clock::time_point* deadline) const noexcept;

 private:
  struct Node final : Listener {
    Node(CountdownWaiter* waiter, StateBase* watched) noexcept
        : Listener(/*under_lock=*/true), owner(waiter), state(watched) {}
    void on_done(StateBase& s) noexcept override;
    CountdownWaiter* owner;
    StateBase* state;
  };

  void arrive(bool failed) noexcept;

  std::vector<Node> nodes_;
  std::atomic<std::int64_t> left_;  // completions still needed; below 0 once satisfied
  const bool or_failure_;
  mutable std::atomic<std::uint32_t> satisfied_{0};  // 1 once satisfied; the waiter sleeps on it
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_WAITER_HPP_
