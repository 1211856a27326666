// The library's vocabulary types: a future's state and the timeouts every wait takes.
#ifndef FUTURES_TYPES_HPP_
#define FUTURES_TYPES_HPP_

#include <chrono>

namespace futures {

// Where a future is in its life, as Python's states: pending, running, then cancelled or
// finished (with a result or an exception).
enum class FutureState { pending, running, cancelled, finished };

// Relative timeouts as Python takes them: seconds, fractional allowed. Any std::chrono
// duration converts implicitly (100ms, 2s, ...).
using Duration = std::chrono::duration<double>;

}  // namespace futures

#endif  // FUTURES_TYPES_HPP_
