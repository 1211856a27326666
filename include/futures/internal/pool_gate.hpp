// PoolGate: whether an executor still takes tasks (open, shut down, or broken with a reason),
// and the one check both pools make on every submit. Not for users.
#ifndef FUTURES_INTERNAL_POOL_GATE_HPP_
#define FUTURES_INTERNAL_POOL_GATE_HPP_

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "futures/errors.hpp"

namespace futures::internal {

// Not thread-safe: the pool guards it with its own lock. `Broken` is the pool's error
// (BrokenThreadPool, BrokenProcessPool), raised with the reason the pool broke.
template <class Broken>
class PoolGate {
 public:
  bool open() const noexcept { return !shut_down_ && broken_.empty(); }
  bool shut_down() const noexcept { return shut_down_; }
  bool broken() const noexcept { return !broken_.empty(); }
  // Why the pool broke; empty while it is not broken.
  const std::string& reason() const noexcept { return broken_; }

  // shutdown(): no task is taken after it.
  void shut() noexcept { shut_down_ = true; }
  // Breaks the pool. The first reason stands; returns it.
  const std::string& break_with(std::string reason) {
    if (broken_.empty()) broken_ = std::move(reason);
    return broken_;
  }
  // What a submit to a pool that is not open gets: Broken(reason) once broken, else
  // ShutdownError. Call only when !open().
  [[noreturn]] void throw_refusal() const {
    if (!broken_.empty()) throw Broken(broken_);
    throw ShutdownError();
  }

 private:
  bool shut_down_ = false;
  std::string broken_;  // non-empty once broken
};

// A count option of `pool` ("ThreadPoolExecutor") as given: `value` if it is > 0. Throws
// std::invalid_argument "<pool>: <name> must be > 0, got <value>" otherwise.
inline int checked_positive(std::string_view pool, std::string_view name, int value) {
  if (value <= 0) {
    throw std::invalid_argument(std::string(pool) + ": " + std::string(name) +
                                " must be > 0, got " + std::to_string(value));
  }
  return value;
}

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_POOL_GATE_HPP_
