#include "futures/wait.hpp"

#include <bit>
#include <cstdint>
#include <string>
#include <utility>

#include "futures/internal/waiter.hpp"

namespace futures::internal {

// An open-addressing set in one table at most half full: no allocation per state, which a
// node-based set makes for each of as_completed's or wait()'s futures.
std::vector<StateBase*> dedupe(std::vector<StateBase*> states) {
  if (states.size() < 2) return states;
  const std::size_t capacity = std::bit_ceil(2 * states.size());
  const int shift = 64 - std::countr_zero(capacity);
  std::vector<StateBase*> table(capacity, nullptr);  // nullptr: an empty slot
  bool seen_null = false;
  std::size_t kept = 0;
  for (StateBase* s : states) {
    bool fresh;
    if (s == nullptr) {
      fresh = !std::exchange(seen_null, true);
    } else {
      // Fibonacci hashing of the address, then linear probing.
      std::size_t i = static_cast<std::size_t>(
          (static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(s)) * 0x9E3779B97F4A7C15u) >>
          shift);
      while (table[i] != nullptr && table[i] != s) i = (i + 1) & (capacity - 1);
      fresh = table[i] == nullptr;
      table[i] = s;
    }
    if (fresh) states[kept++] = s;
  }
  states.resize(kept);
  return states;
}

void wait_states(const std::vector<StateBase*>& states, std::optional<Clock::time_point> deadline,
                 ReturnWhen return_when) {
  const std::size_t total = states.size();
  auto satisfied = [&](std::size_t done, bool any_failed) {
    switch (return_when) {
      case ReturnWhen::first_completed:
        return done > 0 || total == 0;
      case ReturnWhen::first_exception:
        return any_failed || done == total;
      case ReturnWhen::all_completed:
        return done == total;
    }
    return true;
  };

  std::size_t done = 0;
  bool any_failed = false;
  for (const StateBase* s : states) {
    if (s->done()) {
      ++done;
      any_failed = any_failed || s->failed();
    }
  }
  if (satisfied(done, any_failed) || (deadline && *deadline <= Clock::now())) return;

  const std::size_t need = return_when == ReturnWhen::first_completed ? 1 : total;
  const CountdownWaiter waiter(states, need, return_when == ReturnWhen::first_exception);
  waiter.wait(deadline ? &*deadline : nullptr);
}

AsCompletedCore::AsCompletedCore(std::vector<StateBase*> states, std::optional<Duration> timeout)
    : states_(std::move(states)), total_(states_.size()), timeout_(timeout) {}

AsCompletedCore::AsCompletedCore(std::vector<StateBase*> states, Clock::time_point deadline)
    : states_(std::move(states)), total_(states_.size()), deadline_(deadline) {}

AsCompletedCore::~AsCompletedCore() {
  for (StateBase* s : states_) s->release();
  for (std::size_t i = already_next_; i < already_.size(); ++i) already_[i]->release();
  // queue_'s destructor unregisters from and releases the futures it still watches.
}

StateBase* AsCompletedCore::next() {
  if (!started_) {
    started_ = true;
    if (timeout_) deadline_ = deadline_after(*timeout_);
    queue_ = std::make_unique<CompletionQueue>(states_, already_);
    for (StateBase* s : states_) s->release();
    states_.clear();
  }
  if (yielded_ == total_) return nullptr;
  if (already_next_ < already_.size()) {
    ++yielded_;
    return already_[already_next_++];
  }
  StateBase* s = queue_->pop(deadline_ ? &*deadline_ : nullptr);
  if (s == nullptr) {
    throw TimeoutError(std::to_string(total_ - yielded_) + " (of " + std::to_string(total_) +
                       ") futures unfinished");
  }
  ++yielded_;
  return s;
}

}  // namespace futures::internal
