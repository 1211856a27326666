#include "futures/internal/waiter.hpp"

namespace futures::internal {

CompletionQueue::CompletionQueue(const std::vector<StateBase*>& states,
                                 std::vector<StateBase*>& already_done) {
  nodes_.reserve(states.size());  // listeners keep pointers to the nodes: never reallocate
  completed_.reserve(states.size());
  for (StateBase* s : states) {
    s->add_ref();
    if (s->done()) {
      already_done.push_back(s);
      continue;
    }
    Node& node = nodes_.emplace_back(this, s);
    if (!s->add_listener(&node)) {
      // Completed in between: it counts as already done, and the node stays unregistered.
      nodes_.pop_back();
      already_done.push_back(s);
    }
  }
}

CompletionQueue::~CompletionQueue() {
  for (Node& node : nodes_) {
    bool taken;
    {
      std::lock_guard lock(mu_);
      taken = node.taken;
    }
    // A node handed out through pop() passed its reference on: its state may be gone, and
    // completion already unlinked the node. Otherwise we still hold the state.
    if (taken) continue;
    // Removal under the stripe lock is final: a completion either took the node already
    // (and notified it under that lock) or will never see it.
    node.state->remove_listener(&node);
    node.state->release();
  }
}

void CompletionQueue::Node::on_done(StateBase& s) noexcept {
  std::lock_guard lock(owner->mu_);
  owner->completed_.push_back(this);
  if (s.failed()) owner->any_failed_ = true;
  owner->cv_.notify_all();
}

StateBase* CompletionQueue::pop(const Clock::time_point* deadline) {
  std::unique_lock lock(mu_);
  auto ready = [&] { return next_ < completed_.size(); };
  if (deadline == nullptr) {
    cv_.wait(lock, ready);
  } else if (!cv_.wait_until(lock, *deadline, ready)) {
    return nullptr;
  }
  Node* node = completed_[next_++];
  node->taken = true;
  return node->state;
}

CountdownWaiter::CountdownWaiter(const std::vector<StateBase*>& states, std::size_t need,
                                 bool or_failure)
    : left_(static_cast<std::int64_t>(need)), or_failure_(or_failure) {
  nodes_.reserve(states.size());  // listeners keep pointers to the nodes: never reallocate
  for (StateBase* s : states) {
    Node& node = nodes_.emplace_back(this, s);
    if (!s->add_listener(&node)) {
      nodes_.pop_back();  // done already: it counts at once
      arrive(s->failed());
    }
  }
}

CountdownWaiter::~CountdownWaiter() {
  // Removal under the stripe lock is final: a completion either notified the node already
  // (under that lock, so it has returned) or will never see it.
  for (Node& node : nodes_) node.state->remove_listener(&node);
}

void CountdownWaiter::Node::on_done(StateBase& s) noexcept { owner->arrive(s.failed()); }

void CountdownWaiter::arrive(bool failed) noexcept {
  const bool now = (failed && or_failure_) || left_.fetch_sub(1, std::memory_order_acq_rel) == 1;
  if (now && satisfied_.exchange(1, std::memory_order_acq_rel) == 0) {
    futex_wake(satisfied_, 1);
  }
}

void CountdownWaiter::wait(const Clock::time_point* deadline) const noexcept {
  while (satisfied_.load(std::memory_order_acquire) == 0) {
    if (!futex_wait(satisfied_, 0, deadline)) return;
  }
}

}  // namespace futures::internal
