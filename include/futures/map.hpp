// Executor::map(): the results of fn over a range, or over several ranges zipped, in input
// order, computed by an executor. MapOptions and the MapResults range are shared by every
// executor.
#ifndef FUTURES_MAP_HPP_
#define FUTURES_MAP_HPP_

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "futures/future.hpp"
#include "futures/internal/state.hpp"
#include "futures/internal/zip.hpp"
#include "futures/wait.hpp"

namespace futures {

struct MapOptions {
  // Time allowed for the whole map, counted from the map() call; when it runs out, iteration
  // throws TimeoutError and cancels the tasks not started.
  std::optional<Duration> timeout;
  // Items per task. Batches amortise the cost of a task over several items.
  int chunksize = 1;
  // Tasks (chunks) submitted ahead of the one being waited for, as Python 3.14: map() submits
  // the first buffersize, and each step of iteration submits one more before it waits, so
  // buffersize tasks stay queued behind the one whose result is awaited. The input is read
  // lazily, one chunk per chunk consumed, so an endless range can be mapped. Unset: every task
  // is submitted by map() itself.
  std::optional<int> buffersize;
  // Yield each chunk's results as soon as it is done, in the order chunks finish, rather than
  // in input order (mpi4py's map(..., unordered=True)); within a chunk, items stay in order.
  // An item's exception is raised when its chunk comes up; a timeout when none finished in
  // time.
  bool unordered = false;
};

namespace internal {

// The results of one map chunk, in order. The first result of a chunk that reserved room for
// no more than one lives inline, so that map at chunksize 1 allocates nothing for its result
// (the worker allocating and the iterating thread freeing cost more than the task itself).
template <class R>
class ChunkValues {
 public:
  // A bool in a std::vector<bool> has no address: bools are read by value.
  using const_reference = std::conditional_t<std::is_same_v<R, bool>, bool, const R&>;

  ChunkValues() = default;
  explicit ChunkValues(std::vector<R> values) noexcept : many_(std::move(values)) {}

  // Room for n results; n <= 1 keeps the first inline.
  void reserve(std::size_t n) {
    if (n > 1) many_.reserve(n);
  }
  template <class... Args>
  void emplace_back(Args&&... args) {
    if (!one_ && many_.capacity() == 0) {
      one_.emplace(std::forward<Args>(args)...);
      return;
    }
    if (one_) {
      many_.reserve(2);
      many_.push_back(std::move(*one_));
      one_.reset();
    }
    many_.emplace_back(std::forward<Args>(args)...);
  }
  void push_back(R value) { emplace_back(std::move(value)); }

  std::size_t size() const noexcept { return one_ ? 1 : many_.size(); }
  bool empty() const noexcept { return size() == 0; }
  const_reference operator[](std::size_t i) const noexcept {
    assert(i < size() && "ChunkValues index out of range");
    if (one_) return *one_;
    return many_[i];
  }

 private:
  std::optional<R> one_;  // the only result, when it is inline; then many_ is empty
  std::vector<R> many_;
};

}  // namespace internal

// What one map task produces: the results of its items in order, then the exception of the
// item that threw (the items after it are not run).
template <class R>
struct MapChunk {
  internal::ChunkValues<R> values;
  std::exception_ptr error;
};

namespace internal {

// What map() yields for a function returning R: R by value, and std::monostate for a function
// returning void (one per item, as Python yields None).
template <class R>
using map_value_t = std::conditional_t<std::is_void_v<R>, std::monostate, std::remove_cvref_t<R>>;

// What fn returns when map(fn, ranges...) calls it: as const, with const elements.
template <class F, class... Ranges>
using map_result_t =
    std::invoke_result_t<const std::decay_t<F>&, const std::ranges::range_value_t<Ranges>&...>;

// What a map task holds per item: the element of the one range, or a tuple of the elements of
// the ranges zipped.
template <class... Elements>
struct MapItem {
  using type = std::tuple<Elements...>;
};
template <class Element>
struct MapItem<Element> {
  using type = Element;
};
template <class... Elements>
using map_item_t = typename MapItem<Elements...>::type;

// Calls fn on one item (spreading a zipped item over fn's parameters) and appends the result
// to out (a ChunkValues or a std::vector), std::monostate for a function returning void.
template <bool Zipped, class Out, class F, class Item>
void append_map_result(Out& out, const F& fn, const Item& item) {
  auto call = [&fn, &item]() -> decltype(auto) {
    if constexpr (Zipped) {
      return std::apply(fn, item);
    } else {
      return std::invoke(fn, item);
    }
  };
  if constexpr (std::is_void_v<decltype(call())>) {
    call();
    out.emplace_back();
  } else {
    out.push_back(call());
  }
}

inline void check_map_options(const MapOptions& options) {
  if (options.chunksize < 1) {
    throw std::invalid_argument("map: chunksize must be >= 1, got " +
                                std::to_string(options.chunksize));
  }
  if (options.buffersize && *options.buffersize < 1) {
    throw std::invalid_argument("map: buffersize must be >= 1, got " +
                                std::to_string(*options.buffersize));
  }
}

// True when Args are two or more input ranges, optionally followed by a MapOptions: the
// arguments of map(fn, a, b, ..., options) after fn.
template <class... Args>
constexpr bool zipped_map_args() {
  constexpr std::size_t n = sizeof...(Args);
  if constexpr (n < 2) {
    return false;
  } else {
    using Last = std::remove_cvref_t<std::tuple_element_t<n - 1, std::tuple<Args...>>>;
    constexpr std::size_t ranges = std::is_same_v<Last, MapOptions> ? n - 1 : n;
    return ranges >= 2 &&[]<std::size_t... I>(std::index_sequence<I...>) {
      return (std::ranges::input_range<std::tuple_element_t<I, std::tuple<Args...>>> && ...);
    }
    (std::make_index_sequence<ranges>{});
  }
}
template <class... Args>
concept ZippedMapArgs = zipped_map_args<Args...>();

// Calls body(options, ranges...) for map's trailing arguments (ranges..., [options]), with
// default options when none were given. Each range keeps its value category.
template <class Body, class... Args>
decltype(auto) split_map_args(Body&& body, Args&&... args) {
  constexpr std::size_t n = sizeof...(Args);
  auto all = std::forward_as_tuple(std::forward<Args>(args)...);
  using Last = std::remove_cvref_t<std::tuple_element_t<n - 1, std::tuple<Args...>>>;
  if constexpr (std::is_same_v<Last, MapOptions>) {
    return [&]<std::size_t... I>(std::index_sequence<I...>)->decltype(auto) {
      return std::forward<Body>(body)(static_cast<const MapOptions&>(std::get<n - 1>(all)),
                                      std::get<I>(std::move(all))...);
    }
    (std::make_index_sequence<n - 1>{});
  } else {
    return std::forward<Body>(body)(MapOptions{}, std::forward<Args>(args)...);
  }
}

}  // namespace internal

// An input range over the results of a map, in input order. Iterating blocks on each result
// in turn; an item's exception is rethrown at its position, and ends the range.
//
// Cancellation follows CPython's result generator, whose cleanup runs only once iteration has
// started: destroying a range that was never begun cancels nothing, so its tasks run (as
// Python's `executor.map(fn, xs)` written for its effect; shutdown(wait) waits for them).
// Once begin() was called, destroying the range before its end (leaving a loop early), a
// timeout or an item's exception cancels the tasks that have not started.
//
// With buffersize, the executor must outlive the range. Not thread-safe: iterate from one
// thread.
template <class R>
class MapResults {
 public:
  using ChunkFuture = Future<MapChunk<R>>;
  // Submits the next chunk of input; nullopt once the input is exhausted.
  using Source = std::function<std::optional<ChunkFuture>()>;

  class iterator {
   public:
    using value_type = R;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::input_iterator_tag;
    // The results of a chunk live in a std::vector<R>: for bool, a packed one whose elements
    // have no address, so a bool result is yielded by value.
    using reference = std::conditional_t<std::is_same_v<R, bool>, bool, const R&>;

    reference operator*() const noexcept { return owner_->chunk_->values[owner_->pos_]; }
    const R* operator->() const noexcept requires(!std::is_same_v<R, bool>) { return &**this; }
    iterator& operator++() {
      owner_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return it.at_end();
    }

   private:
    friend class MapResults;
    explicit iterator(MapResults* owner) noexcept : owner_(owner) {}
    bool at_end() const noexcept { return owner_->finished_; }
    MapResults* owner_;
  };

  // Takes the chunks submitted so far, and `source` to submit more as they are consumed
  // (empty: all were submitted). `unordered`: chunks are consumed as they finish.
  MapResults(std::deque<ChunkFuture> submitted, Source source,
             std::optional<internal::Clock::time_point> deadline, bool unordered = false)
      : pending_(std::move(submitted)),
        source_(std::move(source)),
        deadline_(deadline),
        unordered_(unordered) {}

  MapResults(MapResults&&) noexcept = default;
  MapResults& operator=(MapResults&&) = delete;
  MapResults(const MapResults&) = delete;
  MapResults& operator=(const MapResults&) = delete;
  // Cancels the tasks not started if iteration has begun; otherwise leaves them to run.
  ~MapResults() {
    if (started_) cancel_pending();
  }

  // Starts iteration: submits the next chunk (with buffersize) and blocks until the first
  // result is ready. Throws as operator++ does.
  iterator begin() {
    if (!started_) {
      started_ = true;
      next_chunk();
    }
    return iterator(this);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  void cancel_pending() noexcept {
    for (const ChunkFuture& f : pending_) f.cancel();
    pending_.clear();
  }

  void advance() {
    if (++pos_ < chunk_->values.size()) return;
    next_chunk();
  }

  // Makes chunk_ the next non-empty chunk, or throws the error due at this position, or
  // marks the range finished. With buffersize, the chunk after the last submitted one is
  // submitted before waiting, as Python 3.14 does.
  void next_chunk() {
    pos_ = 0;
    for (;;) {
      if (chunk_ != nullptr && chunk_->error) {
        const std::exception_ptr error = chunk_->error;
        finish();
        std::rethrow_exception(error);
      }
      if (pending_.empty()) {
        finish();
        return;
      }
      chunk_ = nullptr;
      try {
        submit_more();
        const std::size_t next = next_index();
        current_.emplace(std::move(pending_[next]));
        if (next == 0) {
          pending_.pop_front();
        } else {
          pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(next));
        }
        std::exception_ptr failed;
        try {
          failed = deadline_ ? current_->exception(*deadline_ - internal::Clock::now())
                             : current_->exception();
        } catch (...) {
          current_->cancel();
          throw;
        }
        if (failed) std::rethrow_exception(failed);
      } catch (...) {
        finish();
        throw;
      }
      // Only this range holds the chunk's future, and nothing writes a finished state: its
      // values are read in place instead of copied out.
      chunk_ = &internal::FutureAccess::state(*current_)->value();
      if (!chunk_->values.empty()) return;
    }
  }

  // Which pending chunk comes next: the first, or unordered, the first one done, waiting
  // (until the deadline: TimeoutError) for one to finish.
  std::size_t next_index() {
    if (!unordered_) return 0;
    for (;;) {
      for (std::size_t k = 0; k < pending_.size(); ++k) {
        if (pending_[k].done()) return k;
      }
      std::vector<internal::StateBase*> states;
      states.reserve(pending_.size());
      for (const ChunkFuture& f : pending_) states.push_back(internal::FutureAccess::state(f));
      internal::wait_states(states, deadline_, ReturnWhen::first_completed);
      if (deadline_ && internal::Clock::now() >= *deadline_ &&
          std::none_of(pending_.begin(), pending_.end(),
                       [](const ChunkFuture& f) { return f.done(); })) {
        throw TimeoutError(std::to_string(pending_.size()) + " map chunks unfinished");
      }
    }
  }

  // Ends the range: cancels the tasks not started and lets go of the current chunk.
  void finish() noexcept {
    finished_ = true;
    cancel_pending();
    chunk_ = nullptr;
    current_.reset();
  }

  // With buffersize: submits the next chunk of input, if any is left.
  void submit_more() {
    if (!source_) return;
    if (std::optional<ChunkFuture> more = source_()) {
      pending_.push_back(std::move(*more));
    } else {
      source_ = nullptr;
    }
  }

  std::deque<ChunkFuture> pending_;
  Source source_;
  std::optional<internal::Clock::time_point> deadline_;
  std::optional<ChunkFuture> current_;  // the chunk being consumed
  const MapChunk<R>* chunk_ = nullptr;  // current_'s result, while it has one
  std::size_t pos_ = 0;
  bool started_ = false;
  bool finished_ = false;
  bool unordered_ = false;
};

namespace internal {

// The executor-independent part of map(): reads the ranges in step (stopping at the shortest)
// in chunks of options.chunksize items, each Item built from one element of every range, and
// hands each chunk to submit_chunk(std::vector<Item>&) -> Future<MapChunk<V>>, which may move
// from it: all at once or, with buffersize, buffersize at once and then one per chunk consumed.
template <class V, class Item, class SubmitChunk, class... Ranges>
MapResults<V> start_map(const MapOptions& options, SubmitChunk submit_chunk, Ranges&&... ranges) {
  check_map_options(options);
  std::optional<Clock::time_point> deadline;
  if (options.timeout) deadline = deadline_after(*options.timeout);

  auto input = std::make_shared<ZipReader<Ranges...>>(std::forward<Ranges>(ranges)...);
  const auto chunksize = static_cast<std::size_t>(options.chunksize);

  // One vector serves every chunk: submit_chunk moves out what it keeps (a chunk of one
  // item, only the item), and what it leaves is reused.
  auto submit_next = [input, chunksize, chunk = std::vector<Item>(),
                      submit_chunk = std::move(submit_chunk)]() mutable
      -> std::optional<typename MapResults<V>::ChunkFuture> {
    chunk.clear();
    chunk.reserve(chunksize);
    input->read(chunk, chunksize);
    if (chunk.empty()) return std::nullopt;
    return submit_chunk(chunk);
  };

  std::deque<typename MapResults<V>::ChunkFuture> submitted;
  const std::size_t limit =
      options.buffersize ? static_cast<std::size_t>(*options.buffersize) : SIZE_MAX;
  try {
    while (submitted.size() < limit) {
      auto f = submit_next();
      if (!f) break;
      submitted.push_back(std::move(*f));
    }
  } catch (...) {
    for (const auto& f : submitted) f.cancel();
    throw;
  }
  typename MapResults<V>::Source source;
  if (options.buffersize) source = std::move(submit_next);
  return MapResults<V>(std::move(submitted), std::move(source), deadline, options.unordered);
}

}  // namespace internal

}  // namespace futures

#endif  // FUTURES_MAP_HPP_
