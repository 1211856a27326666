// What MPIRuntime shares with MPIPoolExecutor: the job's communicator, this rank, the build-id
// check's verdict, the message tags, and the backoff both sides poll with. Not for users.
#ifndef FUTURES_MPI_SESSION_HPP_
#define FUTURES_MPI_SESSION_HPP_

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace futures::internal {

// Messages between rank 0 and a worker rank, on the session's own communicator:
//   kTagTask   0 -> worker: u64 invoker offset, u64 function offset, encoded arguments
//   kTagReply  worker -> 0: u8 kResult and the encoded result, or u8 kError and a record
//   kTagStop   0 -> worker: empty; serve() returns
enum MpiTag : int { kTagTask = 1, kTagReply = 2, kTagStop = 3 };

// The largest message either side sends: MPI counts bytes in an int.
inline constexpr std::size_t kMaxMessage = INT32_MAX;

struct MpiSession {
  MPI_Comm comm = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD: the user's traffic stays apart
  int rank = 0;
  int size = 1;
  // Rank 0: which worker ranks run another build ("" when all match); a worker rank: why it
  // does ("" when it matches).
  std::string mismatch;
  std::atomic<bool> pool_alive{false};  // one MPIPoolExecutor at a time
};

// The session of this process's MPIRuntime; nullptr when there is none.
MpiSession* mpi_session() noexcept;

// The wait between polls of a side that waits for a message: a few polls at once, then sleeps
// from 1 us doubling to kFastCap while the wait is young (under kFastFor: a task's reply, or
// the next task after a reply, tends to come soon), then doubling on to kMaxDelay (mpi4py's
// backoff reaches 1 ms too), so a long idle costs a few per cent of a core. reset() after
// every message.
class MpiBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds kFastCap{100};
  static constexpr std::chrono::milliseconds kFastFor{20};
  static constexpr std::chrono::microseconds kMaxDelay{1000};

  MpiBackoff() noexcept { reset(); }
  void reset() noexcept {
    polls_ = 0;
    delay_ = std::chrono::microseconds(0);
    since_ = Clock::now();
  }
  // The next wait: zero for the first kPolls polls.
  std::chrono::microseconds next() noexcept {
    if (polls_ < kPolls) {
      ++polls_;
      return std::chrono::microseconds(0);
    }
    const auto cap = Clock::now() - since_ < kFastFor ? kFastCap : kMaxDelay;
    delay_ = std::min(cap, std::max(std::chrono::microseconds(1), 2 * delay_));
    return delay_;
  }

 private:
  static constexpr int kPolls = 64;
  int polls_ = 0;
  std::chrono::microseconds delay_{0};
  Clock::time_point since_;
};

}  // namespace futures::internal

#endif  // FUTURES_MPI_SESSION_HPP_
