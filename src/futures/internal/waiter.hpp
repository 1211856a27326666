// Waiters that watch many futures at once, for wait() and as_completed(). Not for users.
#ifndef FUTURES_INTERNAL_WAITER_HPP_
#define FUTURES_INTERNAL_WAITER_HPP_

#include <condition_variable>
#include <cstddef>
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

  // Blocks until `stop` says the completions seen so far suffice or the deadline passes.
  // stop(completed, any_failed): completed counts watched states done, any_failed whether one
  // of them finished with an exception (cancelled ones do not count).
  template <class Stop>
  void wait_until(Stop stop, const Clock::time_point* deadline);

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

template <class Stop>
void CompletionQueue::wait_until(Stop stop, const Clock::time_point* deadline) {
  std::unique_lock lock(mu_);
  auto ready = [&] { return stop(completed_.size(), any_failed_); };
  if (deadline == nullptr) {
    cv_.wait(lock, ready);
  } else {
    cv_.wait_until(lock, *deadline, ready);
  }
}

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_WAITER_HPP_
