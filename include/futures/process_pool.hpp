// ProcessPoolExecutor: runs plain functions in worker processes and returns futures for their
// results, as Python's concurrent.futures.ProcessPoolExecutor.
#ifndef FUTURES_PROCESS_POOL_HPP_
#define FUTURES_PROCESS_POOL_HPP_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "futures/codec.hpp"
#include "futures/future.hpp"
#include "futures/internal/frame.hpp"
#include "futures/internal/remote_exception.hpp"
#include "futures/internal/state.hpp"
#include "futures/map.hpp"

namespace futures {

struct ProcessPoolOptions {
  // Worker processes; unset: the CPUs this process may use (affinity counted), as Python
  // 3.13+. <= 0: std::invalid_argument.
  std::optional<int> max_workers;
  // Runs first in each worker process. If it throws, the pool is broken: pending futures and
  // later submits get BrokenProcessPool.
  std::function<void()> initializer;
  // A worker that has run this many tasks exits and is replaced (for leaky tasks). Unset: no
  // limit. <= 0: std::invalid_argument.
  std::optional<int> max_tasks_per_child;
};

namespace internal {

template <class R, class... Ps>
void invoke_in_worker(std::uintptr_t fn_bits, Reader& in, std::vector<std::byte>& out) {
  auto* fn = reinterpret_cast<R (*)(Ps...)>(fn_bits);
  // Braced initialisation decodes the arguments left to right.
  std::tuple<std::decay_t<Ps>...> args{in.get<std::decay_t<Ps>>()...};
  if (in.remaining() != 0) throw DecodeError("trailing bytes after the task's arguments");
  // A by-value parameter takes the decoded argument by move; a reference binds to it.
  auto call = [fn](auto&... a) -> R { return fn(static_cast<Ps&&>(a)...); };
  if constexpr (std::is_void_v<R>) {
    std::apply(call, args);
  } else {
    Writer w(out);
    w.put(std::apply(call, args));
  }
}

template <class R>
void complete_in_parent(StateBase* state, Reader& in) {
  auto* typed = static_cast<State<R>*>(state);
  if constexpr (std::is_void_v<R>) {
    if (in.remaining() != 0) throw DecodeError("unexpected bytes after a void result");
    typed->set_result();
  } else {
    R value = in.get<R>();
    if (in.remaining() != 0) throw DecodeError("trailing bytes after a result");
    typed->set_result(std::move(value));
  }
}

// map() chunks: the worker runs the items in order, stopping at the first exception. An item
// is the one argument, or a tuple of the arguments for map over several ranges.
template <class R, class... Ps>
void invoke_chunk_in_worker(std::uintptr_t fn_bits, Reader& in, std::vector<std::byte>& out) {
  using V = map_value_t<R>;
  using Item = map_item_t<std::decay_t<Ps>...>;
  auto* fn = reinterpret_cast<R (*)(Ps...)>(fn_bits);
  auto items = in.get<std::vector<Item>>();
  if (in.remaining() != 0) throw DecodeError("trailing bytes after a chunk");
  // A by-value parameter takes the decoded argument by move; a reference binds to it.
  auto call = [fn](auto&... a) -> R { return fn(static_cast<Ps&&>(a)...); };
  auto call_item = [&call](Item& item) -> R {
    if constexpr (sizeof...(Ps) == 1) {
      return call(item);
    } else {
      return std::apply(call, item);
    }
  };
  std::vector<V> values;
  values.reserve(items.size());
  std::optional<ExceptionRecord> error;
  for (auto& item : items) {
    try {
      if constexpr (std::is_void_v<R>) {
        call_item(item);
        values.emplace_back();
      } else {
        values.push_back(call_item(item));
      }
    } catch (...) {
      error = capture_current_exception();
      break;
    }
  }
  Writer w(out);
  w.put(values);
  w.put(static_cast<std::uint8_t>(error.has_value()));
  if (error) encode_record(w, *error);
}

template <class V>
void complete_chunk_in_parent(StateBase* state, Reader& in) {
  MapChunk<V> chunk;
  chunk.values = ChunkValues<V>(in.get<std::vector<V>>());
  const auto has_error = in.get<std::uint8_t>();
  if (has_error > 1) throw DecodeError("bad chunk error flag");
  if (has_error) chunk.error = rebuild_exception(decode_record(in));
  if (in.remaining() != 0) throw DecodeError("trailing bytes after a chunk");
  static_cast<State<MapChunk<V>>*>(state)->set_result(std::move(chunk));
}

template <class T>
inline constexpr bool kCanCross = std::is_void_v<T> || Transferable<std::remove_cvref_t<T>>;

// Encodes an argument as the parameter type P it will be decoded as.
template <class P, class A>
void put_arg(Writer& w, A&& arg) {
  using D = std::decay_t<P>;
  if constexpr (std::is_same_v<std::remove_cvref_t<A>, D>) {
    w.put(static_cast<const D&>(arg));
  } else {
    w.put(D(std::forward<A>(arg)));
  }
}

// A captureless lambda (or other class) that converts to a function pointer with unary +.
template <class F>
concept FunctionObjectWithPointer = std::is_class_v<std::remove_cvref_t<F>> &&
    requires(const std::remove_cvref_t<F>& f) {
  { +f } -> std::convertible_to<std::remove_pointer_t<decltype(+f)>*>;
  requires std::is_function_v<std::remove_pointer_t<decltype(+f)>>;
};

}  // namespace internal

// A pool of max_workers processes that run plain functions. Arguments and results cross the
// process boundary by value through futures::Codec (see codec.hpp); a type that cannot cross
// is a compile-time error. A task's exception is rethrown in the parent as the same type for
// the standard exceptions and this library's errors, and as RemoteError otherwise.
//
// All workers are forked at construction from a single-threaded fork server, itself forked
// from this process by the constructor, so the pool never forks a multi-threaded process
// afterwards. The rule for users: construct the executor while no other thread holds a lock
// that a worker will need (simplest: before starting threads); workers see this process's
// memory as it was at construction.
//
// If a worker dies (exit, signal, OOM kill) or a channel carries a malformed message, the pool
// is broken, as in Python: the tasks it held and every pending task fail with
// BrokenProcessPool naming the worker and how it died, finished futures keep their results,
// and later submits throw BrokenProcessPool. Workers are killed if this process dies, and
// ignore SIGINT (Ctrl-C ends this process, which ends them).
//
// Tasks wait in this process until a worker has room, and are running() from when one is
// sent to a worker: with tasks of a millisecond or more, max_workers at most, each on an idle
// worker (Python: one more); tiny tasks travel up to 64 at a time per worker (see
// process_pool.cpp).
//
// Every member function is thread-safe. Results and exceptions are set, and done callbacks
// run, on the executor's I/O thread.
class ProcessPoolExecutor {
 public:
  explicit ProcessPoolExecutor(int max_workers);
  explicit ProcessPoolExecutor(ProcessPoolOptions options = {});
  ProcessPoolExecutor(const ProcessPoolExecutor&) = delete;  // owns processes
  ProcessPoolExecutor& operator=(const ProcessPoolExecutor&) = delete;
  // shutdown(/*wait=*/true).
  ~ProcessPoolExecutor();

  // Schedules fn(args...) in a worker; args are converted to fn's parameter types and encoded
  // here, in the calling thread. Throws ShutdownError after shutdown(), BrokenProcessPool once
  // broken, std::length_error for a message over 4 GiB.
  template <class R, class... Params, class... Args>
  [[nodiscard]] Future<R> submit(R (*fn)(Params...), Args&&... args);
  // The same for a captureless lambda.
  template <internal::FunctionObjectWithPointer F, class... Args>
  [[nodiscard]] auto submit(const F& fn, Args&&... args) {
    return submit(+fn, std::forward<Args>(args)...);
  }

  // fn over items, `chunksize` items per message, results in input order (see MapResults);
  // a function returning void yields one std::monostate per item (at most 2^20 items per
  // chunk). A range discarded unbegun (cast to void) still runs its tasks: every one without
  // buffersize, the first buffersize with it.
  template <class R, class P, std::ranges::input_range Range>
  [[nodiscard(
      "the range rethrows the tasks' exceptions; cast to void to run for effect")]] MapResults<internal::
                                                                                                   map_value_t<
                                                                                                       R>>
  map(R (*fn)(P), Range&& items, MapOptions options = {});
  template <internal::FunctionObjectWithPointer F, std::ranges::input_range Range>
  [[nodiscard("the range rethrows the tasks' exceptions; cast to void to run for effect")]] auto
  map(const F& fn, Range&& items, MapOptions options = {}) {
    return map(+fn, std::forward<Range>(items), options);
  }
  // map(fn, a, b, ..., [options]): fn(a[i], b[i], ...) over one range per parameter, read in
  // step, stopping at the end of the shortest, as Python's map(fn, *iterables).
  template <class R, class... Ps, class... RangesThenOptions>
  requires internal::ZippedMapArgs<RangesThenOptions...>
  [[nodiscard(
      "the range rethrows the tasks' exceptions; cast to void to run for effect")]] MapResults<internal::
                                                                                                   map_value_t<
                                                                                                       R>>
  map(R (*fn)(Ps...), RangesThenOptions&&... args);
  template <internal::FunctionObjectWithPointer F, class... RangesThenOptions>
  requires internal::ZippedMapArgs<RangesThenOptions...>
  [[nodiscard("the range rethrows the tasks' exceptions; cast to void to run for effect")]] auto
  map(const F& fn, RangesThenOptions&&... args) {
    return map(+fn, std::forward<RangesThenOptions>(args)...);
  }

  // No new tasks after this. cancel_futures cancels tasks not yet sent to a worker; wait
  // blocks until every task is done and every worker process has exited and been reaped.
  // Idempotent.
  void shutdown(bool wait = true, bool cancel_futures = false);

  // Python 3.14's terminate_workers(): shuts the pool down, cancels the tasks not yet sent to
  // a worker, and sends SIGTERM to every worker, then SIGKILL to those still there after a
  // second. Tasks that were running and did not finish fail with BrokenProcessPool naming the
  // worker and its end; later submits throw ShutdownError. Blocks until every worker has
  // exited and every future is done (unless called from a done callback, which returns at
  // once). Idempotent, and a no-op on a pool already stopped or broken. Thread-safe.
  void terminate_workers();
  // Python 3.14's kill_workers(): terminate_workers() with SIGKILL at once.
  void kill_workers();

  int max_workers() const noexcept;

 private:
  class Impl;
  using Completer = void (*)(internal::StateBase*, Reader&);

  // Starts a task frame for `state` (its address is the task id) and `fn`.
  static std::size_t begin_task(std::vector<std::byte>& frame, const void* state,
                                internal::Invoker invoker, std::uintptr_t fn);
  // Queues a finished frame. Takes over one reference to state; throws as submit() does.
  void enqueue(internal::StateBase* state, Completer completer, std::vector<std::byte> frame);

  // map()'s body for one range or several zipped (one per parameter of fn).
  template <class R, class... Ps, class... Ranges>
  MapResults<internal::map_value_t<R>> map_ranges(R (*fn)(Ps...), const MapOptions& options,
                                                  Ranges&&... ranges);

  std::unique_ptr<Impl> impl_;
};

template <class R, class... Params, class... Args>
Future<R> ProcessPoolExecutor::submit(R (*fn)(Params...), Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args),
                "ProcessPoolExecutor::submit: wrong number of arguments for the function");
  static_assert(!std::is_reference_v<R>,
                "ProcessPoolExecutor::submit: a function returning a reference cannot send its "
                "result across the process boundary; return by value");
  static_assert(internal::kCanCross<R>,
                "ProcessPoolExecutor::submit: the function's return type cannot cross the "
                "process boundary; see futures::Codec");
  static_assert((internal::kCanCross<Params> && ...),
                "ProcessPoolExecutor::submit: a parameter type cannot cross the process "
                "boundary; see futures::Codec");
  auto* state = new internal::State<R>();
  Future<R> future = internal::FutureAccess::adopt(state);
  std::vector<std::byte> frame;
  const std::size_t start = begin_task(frame, state, &internal::invoke_in_worker<R, Params...>,
                                       reinterpret_cast<std::uintptr_t>(fn));
  Writer w(frame);
  (internal::put_arg<Params>(w, std::forward<Args>(args)), ...);
  internal::finish_frame(frame, start);
  state->add_ref();  // the executor's reference
  enqueue(state, &internal::complete_in_parent<R>, std::move(frame));
  return future;
}

template <class R, class P, std::ranges::input_range Range>
MapResults<internal::map_value_t<R>> ProcessPoolExecutor::map(R (*fn)(P), Range&& items,
                                                              MapOptions options) {
  return map_ranges(fn, options, std::forward<Range>(items));
}

template <class R, class... Ps, class... RangesThenOptions>
requires internal::ZippedMapArgs<RangesThenOptions...> MapResults<internal::map_value_t<R>>
ProcessPoolExecutor::map(R (*fn)(Ps...), RangesThenOptions&&... args) {
  return internal::split_map_args(
      [this, fn](const MapOptions& options, auto&&... ranges) {
        return map_ranges(fn, options, std::forward<decltype(ranges)>(ranges)...);
      },
      std::forward<RangesThenOptions>(args)...);
}

template <class R, class... Ps, class... Ranges>
MapResults<internal::map_value_t<R>> ProcessPoolExecutor::map_ranges(R (*fn)(Ps...),
                                                                     const MapOptions& options,
                                                                     Ranges&&... ranges) {
  using V = internal::map_value_t<R>;
  using Item = internal::map_item_t<std::decay_t<Ps>...>;
  static_assert(sizeof...(Ps) == sizeof...(Ranges),
                "ProcessPoolExecutor::map: give one range per parameter of the function");
  static_assert(!std::is_reference_v<R>,
                "ProcessPoolExecutor::map: a function returning a reference cannot send its "
                "result across the process boundary; return by value");
  static_assert(internal::kCanCross<R> && (internal::kCanCross<Ps> && ...),
                "ProcessPoolExecutor::map: the function's parameter or return type cannot "
                "cross the process boundary; see futures::Codec");
  return internal::start_map<V, Item>(
      options,
      [this, fn](const std::vector<Item>& chunk) {
        auto* state = new internal::State<MapChunk<V>>();
        auto future = internal::FutureAccess::adopt(state);
        std::vector<std::byte> frame;
        const std::size_t start =
            begin_task(frame, state, &internal::invoke_chunk_in_worker<R, Ps...>,
                       reinterpret_cast<std::uintptr_t>(fn));
        Writer w(frame);
        w.put(chunk);
        internal::finish_frame(frame, start);
        state->add_ref();  // the executor's reference
        enqueue(state, &internal::complete_chunk_in_parent<V>, std::move(frame));
        return future;
      },
      std::forward<Ranges>(ranges)...);
}

}  // namespace futures

#endif  // FUTURES_PROCESS_POOL_HPP_
