// Spinning before a blocking wait, bounded by time. Not for users.
#ifndef FUTURES_INTERNAL_SPIN_HPP_
#define FUTURES_INTERNAL_SPIN_HPP_

#include <sched.h>

#include <chrono>

namespace futures::internal {

// One pause of a spin loop. Its cost differs widely between CPUs (overhead_bench's
// BM_SpinPause measures it), so spins are bounded by time, never by a count of pauses.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long each kind of waiter spins before it sleeps in the kernel:
// - a lock holder keeps a pool's lock for well under a microsecond;
inline constexpr std::chrono::nanoseconds kLockSpin{1'000};
// - a future's result() catches a result that comes back within tens of microseconds (a
//   process pool's round trip) without a wake-up, which costs far more on an idle virtual CPU;
inline constexpr std::chrono::nanoseconds kWaitSpin{100'000};
// - an idle worker catches the next task of a steady stream without a wake-up system call.
inline constexpr std::chrono::nanoseconds kIdleSpin{50'000};

// Past this much of its budget, a worker's or result()'s spin yields the CPU each round: on a
// machine with more threads than cores, the thread it waits for may be waiting for that CPU.
inline constexpr std::chrono::nanoseconds kYieldAfter{2'000};

// `budget`, cut to the time left before `deadline` (nullptr: none).
inline std::chrono::nanoseconds spin_budget(std::chrono::nanoseconds budget,
                                            const std::chrono::steady_clock::time_point* deadline) {
  if (deadline == nullptr) return budget;
  const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
      *deadline - std::chrono::steady_clock::now());
  return left < budget ? left : budget;
}

// Spins until done() returns true or `budget` has passed; returns done()'s last value. Past
// `yield_after`, each round of pauses ends with a sched_yield(), so that a thread waiting
// for this CPU (the one that will bring the work, when threads outnumber cores) runs.
template <class Done>
bool spin_until(Done done, std::chrono::nanoseconds budget,
                std::chrono::nanoseconds yield_after = std::chrono::nanoseconds::max()) noexcept {
  if (done()) return true;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 4; ++i) {
      cpu_relax();
      if (done()) return true;
    }
    const auto spent = std::chrono::steady_clock::now() - start;
    if (spent >= budget) return done();
    if (spent >= yield_after) sched_yield();
  }
}

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_SPIN_HPP_
