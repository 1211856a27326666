// The fork server: a single-threaded helper process that forks a process pool's workers, reaps
// them and reports their exits. Not for users.
#ifndef FUTURES_INTERNAL_FORK_SERVER_HPP_
#define FUTURES_INTERNAL_FORK_SERVER_HPP_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "futures/internal/unique_fd.hpp"
#include "futures/internal/worker.hpp"

namespace futures::internal {

// A single-threaded helper process, forked once by the executor's constructor, that forks the
// workers (so no worker is ever forked from a multi-threaded process after that), reaps them,
// and reports their exits. It kills every worker and exits when the executor closes its end of
// the control socket or dies. Used by one thread at a time.
class ForkServer {
 public:
  struct Event {
    enum Type : std::uint32_t { kSpawned = 1, kExited = 2 } type;
    pid_t pid;
    UniqueFd fd;     // kSpawned: the executor's end of the worker's channel (close-on-exec)
    int status = 0;  // kExited: the wait status
  };

  explicit ForkServer(const WorkerConfig& config);
  ForkServer(const ForkServer&) = delete;  // owns a process
  ForkServer& operator=(const ForkServer&) = delete;
  ~ForkServer();  // close()

  // Asks for one more worker; a kSpawned event answers.
  void request_spawn();
  // Asks the server to send `signal` to every worker it has not reaped; their kExited events
  // follow. (The server reaps them, so no pid it signals can have been reused.)
  void signal_workers(int signal);
  // Reads the next event, blocking. nullopt: the server is gone.
  std::optional<Event> read_event();
  int control_fd() const noexcept { return control_.get(); }
  pid_t pid() const noexcept { return pid_; }
  // Tells the server to kill its workers and exit, and reaps it. Idempotent.
  void close() noexcept;

 private:
  UniqueFd control_;
  pid_t pid_ = -1;
};

// "exited with code 3", "was killed by signal 9 (SIGKILL)".
std::string describe_wait_status(int status);

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_FORK_SERVER_HPP_
