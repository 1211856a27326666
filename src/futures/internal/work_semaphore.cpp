#include "futures/internal/work_semaphore.hpp"

#include "futures/internal/spin.hpp"
#include "futures/internal/state.hpp"

namespace futures::internal {

// Every access below is sequentially consistent: post() adds a token, then looks for
// sleepers; a sleeper counts itself, then looks for tokens. One of the two sees the other.

void WorkSemaphore::post(int n) noexcept {
  const std::int32_t tokens = count_.fetch_add(n) + n;
  if (sleepers_.load() == 0) return;
  if (tokens <= spinning_.load()) return;  // a spinner takes it, or sleeps and then sees it
  wake(n);
}

void WorkSemaphore::wake(int n) noexcept {
  epoch_.fetch_add(1);
  futex_wake(epoch_, n);
}

bool WorkSemaphore::try_take() noexcept {
  std::int32_t c = count_.load();
  while (c > 0) {
    if (count_.compare_exchange_weak(c, c - 1)) return true;
  }
  return false;
}

bool WorkSemaphore::try_acquire_for(std::chrono::nanoseconds spin) noexcept {
  if (try_take()) return true;
  spinning_.fetch_add(1);
  const bool took = spin_until([this] { return try_take(); }, spin, /*yield_after=*/kYieldAfter);
  spinning_.fetch_sub(1);
  // A token posted while this thread still counted as a spinner may have woken nobody: if one
  // is left and somebody sleeps, hand it over.
  if (took && count_.load() > 0 && sleepers_.load() > 0) wake(1);
  return took;
}

void WorkSemaphore::acquire() noexcept {
  for (;;) {
    if (try_take()) return;
    const std::uint32_t epoch = epoch_.load();
    sleepers_.fetch_add(1);
    if (try_take()) {
      sleepers_.fetch_sub(1);
      return;
    }
    futex_wait(epoch_, epoch, nullptr);
    sleepers_.fetch_sub(1);
  }
}

}  // namespace futures::internal
