// ThreadPoolExecutor: runs callables on a pool of threads and returns futures for their
// results, as Python's concurrent.futures.ThreadPoolExecutor.
#ifndef FUTURES_THREAD_POOL_HPP_
#define FUTURES_THREAD_POOL_HPP_

#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "futures/future.hpp"
#include "futures/internal/state.hpp"
#include "futures/map.hpp"

namespace futures {

namespace internal {

// Whether submit(fn, args...) calls fn(std::stop_token, args...).
template <class F, class... Args>
inline constexpr bool takes_stop_token_v =
    std::is_invocable_v<std::decay_t<F>, std::stop_token, std::decay_t<Args>...>;

// The result type of the task submit(fn, args...) runs; no ::type when it cannot be called.
template <class F, class... Args>
struct submit_result : std::invoke_result<std::decay_t<F>, std::decay_t<Args>...> {};
template <class F, class... Args>
requires takes_stop_token_v<F, Args...>
struct submit_result<F, Args...>
    : std::invoke_result<std::decay_t<F>, std::stop_token, std::decay_t<Args>...> {
};
template <class F, class... Args>
using submit_result_t = typename submit_result<F, Args...>::type;

}  // namespace internal

struct ThreadPoolOptions {
  // Threads at most; unset: min(32, usable CPUs + 4), as Python 3.13+ (affinity counted). <= 0:
  // std::invalid_argument.
  std::optional<int> max_workers;
  // Threads are named "<prefix>_<i>" (the kernel keeps 15 characters); empty:
  // "ThreadPool-<n>", n counting pools in this process.
  std::string thread_name_prefix;
  // Runs first in each worker thread. If it throws, the pool is broken: pending futures and
  // later submits get BrokenThreadPool.
  std::function<void()> initializer;
};

// A pool of up to max_workers threads, started on demand as work arrives (a new thread only
// when no idle one can take the task), running tasks in submission order.
//
// Every member function is thread-safe. Submitting a task happens-before it starts running;
// the task's completion happens-before a result() or done() that observes it.
class ThreadPoolExecutor {
 public:
  explicit ThreadPoolExecutor(int max_workers);
  explicit ThreadPoolExecutor(ThreadPoolOptions options = {});
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;  // owns threads
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;
  // Requests the stop_token of every task that takes one, then waits for queued and running
  // tasks: shutdown(/*wait=*/true).
  ~ThreadPoolExecutor();

  // Schedules fn(args...) with fn and args decay-copied (std::ref to pass references) and
  // returns its future. fn may be move-only. Never blocks on the task. Throws ShutdownError
  // after shutdown(), BrokenThreadPool once an initializer failed.
  //
  // Cooperative cancellation: if fn is invocable as fn(std::stop_token, args...), it is called
  // so (preferred over fn(args...), as std::jthread does), with a token that is requested by
  // the future's cancel() while the task runs (cancel() still returns false then, as Python's;
  // what the future holds is what fn returns or throws), by shutdown(cancel_futures = true),
  // and by the pool's destructor (tasks that start after it began see it requested at once).
  template <class F, class... Args>
  [[nodiscard]] auto submit(F&& fn, Args&&... args)
      -> Future<internal::submit_result_t<F, Args...>>;

  // Applies fn to each item, `chunksize` items per task, and returns the results in input
  // order as a lazy range (see MapResults); a function returning void yields one
  // std::monostate per item. Without buffersize every task is submitted before map()
  // returns. Throws std::invalid_argument for chunksize or buffersize < 1, and what submit()
  // throws. fn is shared by the tasks, so it is called as const, with each item as a const
  // lvalue. A range discarded unbegun (cast to void) still runs its tasks: every one without
  // buffersize, the first buffersize with it.
  template <class F, std::ranges::input_range Range>
  [[nodiscard("the range rethrows the tasks' exceptions; cast to void to run for effect")]] auto
  map(F&& fn, Range&& items, MapOptions options = {})
      -> MapResults<internal::map_value_t<internal::map_result_t<F, Range>>>;
  // map(fn, a, b, ..., [options]): fn(a[i], b[i], ...) over two or more ranges read in step,
  // stopping at the end of the shortest, as Python's map(fn, *iterables). Otherwise as above.
  template <class F, class... RangesThenOptions>
  requires internal::ZippedMapArgs<RangesThenOptions...>
  [[nodiscard("the range rethrows the tasks' exceptions; cast to void to run for effect")]] auto
  map(F&& fn, RangesThenOptions&&... args);

  // No new tasks after this. cancel_futures cancels the tasks not started and requests the
  // stop_token of the running ones that take one; the futures' done callbacks run in this
  // thread after the pool's lock is released, so they may call into the pool. wait blocks
  // until every started or queued task is done and the threads have exited. Idempotent; may
  // be called from a task (it then does not wait for its own thread).
  void shutdown(bool wait = true, bool cancel_futures = false);

  int max_workers() const noexcept { return max_workers_; }

 private:
  class Impl;  // the queue, the workers and their locks (thread_pool.cpp)

  // map()'s body for one range or several zipped.
  template <class F, class... Ranges>
  auto map_ranges(F&& fn, const MapOptions& options, Ranges&&... ranges)
      -> MapResults<internal::map_value_t<internal::map_result_t<F, Ranges...>>>;

  // Queues a task, taking over two references: the queue's and the worker's.
  void enqueue(internal::StateBase* task);

  const int max_workers_;
  const std::unique_ptr<Impl> impl_;
};

template <class F, class... Args>
auto ThreadPoolExecutor::submit(F&& fn, Args&&... args)
    -> Future<internal::submit_result_t<F, Args...>> {
  using R = internal::submit_result_t<F, Args...>;
  internal::State<R>* task;
  if constexpr (internal::takes_stop_token_v<F, Args...>) {
    auto call = [fn = std::forward<F>(fn),
                 ... args = std::forward<Args>(args)](std::stop_token token) mutable -> R {
      return std::invoke(std::move(fn), std::move(token), std::move(args)...);
    };
    task = new internal::Task<R, decltype(call), /*kTakesStopToken=*/true>(std::move(call));
  } else {
    auto call = [fn = std::forward<F>(fn), ... args = std::forward<Args>(args)]() mutable -> R {
      return std::invoke(std::move(fn), std::move(args)...);
    };
    task = new internal::Task<R, decltype(call)>(std::move(call));
  }
  Future<R> future = internal::FutureAccess::adopt<R>(task);
  task->add_ref(2);  // the queue's and the worker's
  enqueue(task);
  return future;
}

template <class F, std::ranges::input_range Range>
auto ThreadPoolExecutor::map(F&& fn, Range&& items, MapOptions options)
    -> MapResults<internal::map_value_t<internal::map_result_t<F, Range>>> {
  return map_ranges(std::forward<F>(fn), options, std::forward<Range>(items));
}

template <class F, class... RangesThenOptions>
requires internal::ZippedMapArgs<RangesThenOptions...>
auto ThreadPoolExecutor::map(F&& fn, RangesThenOptions&&... args) {
  return internal::split_map_args(
      [this, &fn](const MapOptions& options, auto&&... ranges) {
        return map_ranges(std::forward<F>(fn), options, std::forward<decltype(ranges)>(ranges)...);
      },
      std::forward<RangesThenOptions>(args)...);
}

template <class F, class... Ranges>
auto ThreadPoolExecutor::map_ranges(F&& fn, const MapOptions& options, Ranges&&... ranges)
    -> MapResults<internal::map_value_t<internal::map_result_t<F, Ranges...>>> {
  using V = internal::map_value_t<internal::map_result_t<F, Ranges...>>;
  using Item = internal::map_item_t<std::ranges::range_value_t<Ranges>...>;
  constexpr bool kZipped = sizeof...(Ranges) > 1;
  using Fn = std::decay_t<F>;
  // The tasks share fn through a shared_ptr, except a stateless function or a function
  // pointer, which each task copies: the count of a shared fn is written by the submitting
  // thread and by every worker at every task.
  constexpr bool kCopyFn =
      std::is_trivially_copyable_v<Fn> && (std::is_empty_v<Fn> || std::is_pointer_v<Fn>);
  auto held_fn = [&fn] {
    if constexpr (kCopyFn) {
      return Fn(std::forward<F>(fn));
    } else {
      return std::make_shared<const Fn>(std::forward<F>(fn));
    }
  }();
  // Runs fn over a chunk's items, given as for_each(add), into the chunk's results.
  auto run_chunk = [held_fn](std::size_t items, auto&& for_each) {
    const Fn& call = [&held_fn]() -> const Fn& {
      if constexpr (kCopyFn) {
        return held_fn;
      } else {
        return *held_fn;
      }
    }();
    MapChunk<V> out;
    out.values.reserve(items);
    try {
      for_each(
          [&](const Item& item) { internal::append_map_result<kZipped>(out.values, call, item); });
    } catch (...) {
      out.error = std::current_exception();
    }
    return out;
  };
  return internal::start_map<V, Item>(
      options,
      [this, run_chunk](std::vector<Item>& chunk) {
        // A chunk of one item travels without its vector, which start_map reuses: no vector
        // allocated here and freed by the worker. Item(...) copies a bool out of its
        // std::vector<bool> proxy.
        if (chunk.size() == 1) {
          return submit([run_chunk, item = Item(std::move(chunk.front()))]() {
            return run_chunk(1, [&](auto&& add) { add(item); });
          });
        }
        return submit([run_chunk, chunk = std::move(chunk)]() {
          return run_chunk(chunk.size(), [&](auto&& add) {
            for (const Item& item : chunk) add(item);
          });
        });
      },
      std::forward<Ranges>(ranges)...);
}

}  // namespace futures

#endif  // FUTURES_THREAD_POOL_HPP_
