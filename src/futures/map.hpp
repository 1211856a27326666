// Executor::map(): the results of fn over a range, in input order, computed by an executor.
// MapOptions and the MapResults range are shared by every executor.
#ifndef FUTURES_MAP_HPP_
#define FUTURES_MAP_HPP_

#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <cstdint>
#include <optional>
#include <ranges>
#include <type_traits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "futures/future.hpp"
#include "futures/internal/state.hpp"

namespace futures {

struct MapOptions {
  // Time allowed for the whole map, counted from the map() call; when it runs out, iteration
  // throws TimeoutError and cancels the tasks not started.
  std::optional<Duration> timeout;
  // Items per task. Batches amortise the cost of a task over several items.
  int chunksize = 1;
  // Tasks (chunks) in flight at most. Unset: every task is submitted by map() itself, as
  // Python does; set: the input is read lazily, one chunk per chunk consumed, so an endless
  // range can be mapped.
  std::optional<int> buffersize;
};

// What one map task produces: the results of its items in order, then the exception of the
// item that threw (the items after it are not run).
template <class R>
struct MapChunk {
  std::vector<R> values;
  std::exception_ptr error;
};

namespace internal {

// What map(fn, items) yields: fn called as const with a const item.
template <class F, class Range>
using map_result_t = std::invoke_result_t<const std::decay_t<F>&,
                                          const std::ranges::range_value_t<Range>&>;

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

}  // namespace internal

// An input range over the results of a map, in input order. Iterating blocks on each result
// in turn; an item's exception is rethrown at its position, and ends the range. Destroying
// the range (or leaving a loop early) cancels the tasks that have not started.
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

    const R& operator*() const noexcept { return owner_->chunk_.values[owner_->pos_]; }
    const R* operator->() const noexcept { return &**this; }
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
  // (empty: all were submitted).
  MapResults(std::deque<ChunkFuture> submitted, Source source,
             std::optional<internal::Clock::time_point> deadline)
      : pending_(std::move(submitted)), source_(std::move(source)), deadline_(deadline) {}

  MapResults(MapResults&&) noexcept = default;
  MapResults& operator=(MapResults&&) = delete;
  MapResults(const MapResults&) = delete;
  MapResults& operator=(const MapResults&) = delete;
  ~MapResults() { cancel_pending(); }

  // Blocks until the first result is ready. Throws as operator++ does.
  iterator begin() {
    if (!started_) {
      started_ = true;
      pos_ = 0;
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
    if (++pos_ < chunk_.values.size()) return;
    pos_ = 0;
    next_chunk();
  }

  // Makes chunk_ the next non-empty chunk, or throws the error due at this position, or
  // marks the range finished.
  void next_chunk() {
    for (;;) {
      if (chunk_.error) {
        finished_ = true;
        cancel_pending();
        std::rethrow_exception(std::exchange(chunk_.error, nullptr));
      }
      if (pending_.empty()) {
        finished_ = true;
        return;
      }
      ChunkFuture f = std::move(pending_.front());
      pending_.pop_front();
      try {
        chunk_ = deadline_ ? f.result(*deadline_ - internal::Clock::now()) : f.result();
      } catch (...) {
        finished_ = true;
        f.cancel();
        cancel_pending();
        throw;
      }
      if (source_) {
        if (std::optional<ChunkFuture> more = source_()) {
          pending_.push_back(std::move(*more));
        } else {
          source_ = nullptr;
        }
      }
      if (!chunk_.values.empty()) return;
    }
  }

  std::deque<ChunkFuture> pending_;
  Source source_;
  std::optional<internal::Clock::time_point> deadline_;
  MapChunk<R> chunk_;
  std::size_t pos_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

namespace internal {

// The executor-independent part of map(): reads `items` in chunks of options.chunksize and
// hands each chunk to submit_chunk(std::vector<Item>) -> Future<MapChunk<R>>, all at once or,
// with buffersize, as the results are consumed.
template <class R, class Item, class Range, class SubmitChunk>
MapResults<R> start_map(Range&& items, const MapOptions& options, SubmitChunk submit_chunk) {
  check_map_options(options);
  std::optional<Clock::time_point> deadline;
  if (options.timeout) deadline = deadline_after(*options.timeout);

  // The input, owned if it was an rvalue, and the position reached in it.
  struct Input {
    std::ranges::views::all_t<Range> view;
    std::ranges::iterator_t<std::ranges::views::all_t<Range>> it;
  };
  auto input = std::make_shared<Input>(Input{std::views::all(std::forward<Range>(items)), {}});
  input->it = std::ranges::begin(input->view);
  const auto chunksize = static_cast<std::size_t>(options.chunksize);

  auto submit_next = [input, chunksize, submit_chunk = std::move(submit_chunk)]()
      -> std::optional<typename MapResults<R>::ChunkFuture> {
    std::vector<Item> chunk;
    chunk.reserve(chunksize);
    for (; chunk.size() < chunksize && input->it != std::ranges::end(input->view); ++input->it) {
      chunk.emplace_back(*input->it);
    }
    if (chunk.empty()) return std::nullopt;
    return submit_chunk(std::move(chunk));
  };

  std::deque<typename MapResults<R>::ChunkFuture> submitted;
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
  typename MapResults<R>::Source source;
  if (options.buffersize) source = std::move(submit_next);
  return MapResults<R>(std::move(submitted), std::move(source), deadline);
}

}  // namespace internal

}  // namespace futures

#endif  // FUTURES_MAP_HPP_
