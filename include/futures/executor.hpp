// The Executor concept: what every executor of this library satisfies, and what a user's
// executor (built on Promise) satisfies to be used in their place.
#ifndef FUTURES_EXECUTOR_HPP_
#define FUTURES_EXECUTOR_HPP_

#include <concepts>
#include <ranges>
#include <vector>

#include "futures/future.hpp"

namespace futures {

// Python's Executor interface: submit(fn, args...) returns a Future of fn's result; map(fn,
// items) returns an input range of the results; shutdown() and shutdown(wait, cancel_futures)
// stop it. Checked with a plain function, the one kind of callable that every executor takes.
template <class E>
concept Executor = requires(E& e, int (*fn)(int), const std::vector<int>& items) {
  { e.submit(fn, 1) } -> std::same_as<Future<int>>;
  { e.map(fn, items) } -> std::ranges::input_range;
  e.shutdown();
  e.shutdown(/*wait=*/true, /*cancel_futures=*/false);
};

}  // namespace futures

#endif  // FUTURES_EXECUTOR_HPP_
