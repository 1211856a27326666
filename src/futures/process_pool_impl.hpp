// ProcessPoolExecutor::Impl: the pool's insides, shared by its two sides: the submitting side
// (process_pool.cpp) and the I/O thread (process_pool_io.cpp). Not for users.
#ifndef FUTURES_PROCESS_POOL_IMPL_HPP_
#define FUTURES_PROCESS_POOL_IMPL_HPP_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "futures/internal/dispatch.hpp"
#include "futures/internal/fork_server.hpp"
#include "futures/internal/pool_gate.hpp"
#include "futures/internal/unique_fd.hpp"
#include "futures/internal/worker_channel.hpp"
#include "futures/process_pool.hpp"

namespace futures {

// The pool's insides: the submitting side (enqueue, shutdown) under one lock, and the I/O
// thread that owns the workers, their channels and the dispatch.
class ProcessPoolExecutor::Impl {
 public:
  Impl(int max_workers, internal::WorkerConfig config)
      : max_workers_(max_workers), config_(std::move(config)), dispatcher_(config_.max_tasks) {}
  Impl(const Impl&) = delete;  // owns processes and a thread
  Impl& operator=(const Impl&) = delete;
  // Only a done callback destroying its own pool leaves the I/O thread unjoined.
  ~Impl() {
    if (io_.joinable()) io_.detach();
  }

  // Starts the fork server and the workers, then the I/O thread. Throws what fails.
  void start();
  int max_workers() const noexcept { return max_workers_; }
  // Queues a task (taking over one reference to `state`) and wakes the I/O thread. Throws
  // BrokenProcessPool or ShutdownError, having released the reference, if the pool is closed.
  void enqueue(internal::StateBase* state, Completer completer, std::vector<std::byte> frame);
  // Python's shutdown(); `signal` (SIGTERM or SIGKILL, 0: none) stops the workers first.
  void shutdown(bool wait, bool cancel_futures, int signal);

 private:
  // A worker process, as the I/O thread sees it.
  struct Worker {
    Worker(pid_t p, internal::UniqueFd fd) : pid(p), channel(std::move(fd)) {}
    pid_t pid;
    internal::WorkerChannel channel;
    internal::WorkerLoad load;
    std::optional<int> status;              // its wait status, once the fork server reported it
    internal::Clock::time_point closed_at;  // when its channel closed
  };

  // The I/O thread.
  void io_main() noexcept;
  void io_loop();
  void dispatch();
  void add_worker(pid_t pid, internal::UniqueFd fd);
  void handle_event(internal::ForkServer::Event e);
  void read_worker(Worker& w);
  void handle_frame(Worker& w, std::span<const std::byte> body);
  bool check_closed_workers();
  void break_pool(const std::string& message) noexcept;
  void stop_gracefully() noexcept;
  void stop_now(int signal) noexcept;
  bool await_exits(const std::vector<pid_t>& pids, internal::Clock::time_point deadline);
  std::string worker_death(const Worker& w) const;
  void wake() noexcept;

  const int max_workers_;
  const internal::WorkerConfig config_;
  std::unique_ptr<internal::ForkServer> server_;
  internal::UniqueFd wake_fd_;  // eventfd: enqueue() and shutdown() wake the I/O thread

  std::mutex mu_;
  std::deque<internal::PoolTask> pending_;  // guarded by mu_: submitted, not yet sent to a worker
  internal::PoolGate<BrokenProcessPool> gate_;  // guarded by mu_
  bool io_sleeping_ = false;                    // guarded by mu_: the I/O thread is in poll()
  bool wake_pending_ = false;        // guarded by mu_: a wake-up was written and not yet consumed
  std::uint64_t submitted_ = 0;      // guarded by mu_: tasks ever queued
  std::uint64_t dispatch_seen_ = 0;  // I/O thread: `submitted_` as of its last dispatch()
  // terminate_workers() / kill_workers(): the signal asked for (SIGKILL wins), 0 if none.
  // Set before shutdown's wake-up, which orders it before the I/O thread's next look.
  std::atomic<int> stop_signal_{0};
  std::thread io_;
  std::mutex join_mu_;

  // Owned by the I/O thread (and by start() before it runs).
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<internal::WorkerLoad*> open_loads_;  // dispatch()'s scratch: open workers
  std::vector<Worker*> open_workers_;              // the same workers
  internal::Dispatcher dispatcher_;
  std::unordered_map<pid_t, int> early_exits_;  // statuses reported before the spawn
  int spawning_ = 0;                            // replacement workers asked for
};

}  // namespace futures

#endif  // FUTURES_PROCESS_POOL_IMPL_HPP_
