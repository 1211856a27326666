// wait() and as_completed(): block on many futures at once, as Python's concurrent.futures.
// Futures from different executors mix freely.
#ifndef FUTURES_WAIT_HPP_
#define FUTURES_WAIT_HPP_

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <vector>

#include "futures/future.hpp"
#include "futures/internal/state.hpp"
#include "futures/types.hpp"

namespace futures {

enum class ReturnWhen { first_completed, first_exception, all_completed };

template <class T>
struct DoneAndNotDone {
  std::vector<Future<T>> done;
  std::vector<Future<T>> not_done;
};

namespace internal {

template <class F>
struct is_future : std::false_type {};
template <class T>
struct is_future<Future<T>> : std::true_type {};

template <class R>
concept FutureRange = std::ranges::input_range<R> &&
    is_future<std::remove_cvref_t<std::ranges::range_reference_t<R>>>::value;

template <class R>
using future_value_t = typename std::remove_cvref_t<std::ranges::range_reference_t<R>>::value_type;

// The states of fs in input order, duplicates dropped; no references taken.
template <class Range>
std::vector<StateBase*> unique_states(const Range& fs);

// Blocks until return_when is satisfied for states or the deadline (none: no limit) passes.
void wait_states(const std::vector<StateBase*>& states, std::optional<Clock::time_point> deadline,
                 ReturnWhen return_when);

template <class T>
DoneAndNotDone<T> split_done(const std::vector<StateBase*>& states);

class CompletionQueue;

// The untyped engine of as_completed. Holds one reference to each future not yet handed out.
class AsCompletedCore {
 public:
  AsCompletedCore(std::vector<StateBase*> states, std::optional<Duration> timeout);
  // With a fixed deadline instead of a timeout that starts at the first next().
  AsCompletedCore(std::vector<StateBase*> states, Clock::time_point deadline);
  AsCompletedCore(const AsCompletedCore&) = delete;
  AsCompletedCore& operator=(const AsCompletedCore&) = delete;
  ~AsCompletedCore();

  // The next future to yield, with its reference passed to the caller; nullptr when all were
  // yielded. The first call starts the clock. Throws TimeoutError when it runs out.
  StateBase* next();

 private:
  std::vector<StateBase*> states_;   // referenced; emptied by the first next()
  std::vector<StateBase*> already_;  // referenced; done before the first next()
  std::size_t already_next_ = 0;
  std::unique_ptr<CompletionQueue> queue_;
  std::size_t total_ = 0;
  std::size_t yielded_ = 0;
  std::optional<Duration> timeout_;
  std::optional<Clock::time_point> deadline_;
  bool started_ = false;
};

}  // namespace internal

// Waits for the futures in fs (any input range of Future<T>; duplicates count once) until
// return_when is satisfied or the timeout passes, and returns them split into done and not
// done, each in input order. first_completed: any future done; first_exception: any future
// finished with an exception (cancelled ones do not count), or all done; all_completed: all
// done. A timeout does not throw: the split says what finished. Thread-safe.
template <internal::FutureRange Range, class T = internal::future_value_t<Range>>
DoneAndNotDone<T> wait(const Range& fs, std::optional<Duration> timeout = {},
                       ReturnWhen return_when = ReturnWhen::all_completed) {
  std::optional<internal::Clock::time_point> deadline;
  if (timeout) deadline = internal::deadline_after(*timeout);
  const std::vector<internal::StateBase*> states = internal::unique_states(fs);
  internal::wait_states(states, deadline, return_when);
  return internal::split_done<T>(states);
}

template <class T>
DoneAndNotDone<T> wait(std::initializer_list<Future<T>> fs, std::optional<Duration> timeout = {},
                       ReturnWhen return_when = ReturnWhen::all_completed) {
  return wait<std::initializer_list<Future<T>>, T>(fs, timeout, return_when);
}

// As above, but waits until `deadline`, a time point of any clock (steady_clock is followed
// exactly; another clock is read once, at the call).
template <internal::FutureRange Range, class Clock, class Dur,
          class T = internal::future_value_t<Range>>
DoneAndNotDone<T> wait(const Range& fs, std::chrono::time_point<Clock, Dur> deadline,
                       ReturnWhen return_when = ReturnWhen::all_completed) {
  const auto steady = internal::steady_deadline(deadline);
  const std::vector<internal::StateBase*> states = internal::unique_states(fs);
  internal::wait_states(states, steady, return_when);
  return internal::split_done<T>(states);
}

template <class T, class Clock, class Dur>
DoneAndNotDone<T> wait(std::initializer_list<Future<T>> fs,
                       std::chrono::time_point<Clock, Dur> deadline,
                       ReturnWhen return_when = ReturnWhen::all_completed) {
  return wait<std::initializer_list<Future<T>>, Clock, Dur, T>(fs, deadline, return_when);
}

// An input range over futures in the order they complete: the ones already done when
// iteration begins first (in input order), then each as it finishes, each once. Obtained from
// as_completed(); iterating blocks. The range holds a reference to each future until it has
// yielded it. Not thread-safe: iterate from one thread.
template <class T>
class AsCompleted {
 public:
  class iterator {
   public:
    using value_type = Future<T>;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::input_iterator_tag;

    const Future<T>& operator*() const noexcept { return owner_->current_; }
    const Future<T>* operator->() const noexcept { return &owner_->current_; }
    iterator& operator++() {
      owner_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return it.at_end();
    }

   private:
    friend class AsCompleted;
    explicit iterator(AsCompleted* owner) noexcept : owner_(owner) {}
    bool at_end() const noexcept {
      return internal::FutureAccess::state(owner_->current_) == nullptr;
    }
    AsCompleted* owner_;
  };

  AsCompleted(std::vector<internal::StateBase*> referenced, std::optional<Duration> timeout)
      : core_(std::make_unique<internal::AsCompletedCore>(std::move(referenced), timeout)) {}
  AsCompleted(std::vector<internal::StateBase*> referenced, internal::Clock::time_point deadline)
      : core_(std::make_unique<internal::AsCompletedCore>(std::move(referenced), deadline)) {}

  // Starts iteration (and the timeout clock); blocks until the first future is done.
  // Throws TimeoutError "N (of M) futures unfinished" if the timeout or deadline comes first.
  iterator begin() {
    advance();
    return iterator(this);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  void advance() {
    current_ = internal::FutureAccess::empty<T>();  // drop the future yielded last
    if (internal::StateBase* s = core_->next()) {
      current_ = internal::FutureAccess::adopt(static_cast<internal::State<T>*>(s));
    }
  }

  std::unique_ptr<internal::AsCompletedCore> core_;
  Future<T> current_ = internal::FutureAccess::empty<T>();  // empty at the end
};

// Returns a range yielding the futures of fs (duplicates once) as they complete. With a
// timeout, iteration throws TimeoutError "N (of M) futures unfinished" once `timeout` has
// passed since iteration began (Python's clock also starts at the first next()).
template <internal::FutureRange Range, class T = internal::future_value_t<Range>>
AsCompleted<T> as_completed(const Range& fs, std::optional<Duration> timeout = {}) {
  std::vector<internal::StateBase*> states = internal::unique_states(fs);
  for (internal::StateBase* s : states) s->add_ref();
  return AsCompleted<T>(std::move(states), timeout);
}

template <class T>
AsCompleted<T> as_completed(std::initializer_list<Future<T>> fs,
                            std::optional<Duration> timeout = {}) {
  return as_completed<std::initializer_list<Future<T>>, T>(fs, timeout);
}

// As above, but iteration throws TimeoutError once `deadline` (a time point of any clock) has
// passed, however late iteration began.
template <internal::FutureRange Range, class Clock, class Dur,
          class T = internal::future_value_t<Range>>
AsCompleted<T> as_completed(const Range& fs, std::chrono::time_point<Clock, Dur> deadline) {
  const auto steady = internal::steady_deadline(deadline);
  std::vector<internal::StateBase*> states = internal::unique_states(fs);
  for (internal::StateBase* s : states) s->add_ref();
  return AsCompleted<T>(std::move(states), steady);
}

template <class T, class Clock, class Dur>
AsCompleted<T> as_completed(std::initializer_list<Future<T>> fs,
                            std::chrono::time_point<Clock, Dur> deadline) {
  return as_completed<std::initializer_list<Future<T>>, Clock, Dur, T>(fs, deadline);
}

namespace internal {

// `states` with repeats dropped: the first of each kept, in order.
std::vector<StateBase*> dedupe(std::vector<StateBase*> states);

template <class T>
DoneAndNotDone<T> split_done(const std::vector<StateBase*>& states) {
  DoneAndNotDone<T> out;
  for (StateBase* s : states) {
    auto* typed = static_cast<State<T>*>(s);
    typed->add_ref();
    (s->done() ? out.done : out.not_done).push_back(FutureAccess::adopt(typed));
  }
  return out;
}

template <class Range>
std::vector<StateBase*> unique_states(const Range& fs) {
  std::vector<StateBase*> states;
  if constexpr (std::ranges::sized_range<const Range>) states.reserve(std::ranges::size(fs));
  for (const auto& f : fs) states.push_back(FutureAccess::state(f));
  return dedupe(std::move(states));
}

}  // namespace internal
}  // namespace futures

#endif  // FUTURES_WAIT_HPP_
