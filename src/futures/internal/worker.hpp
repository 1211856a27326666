// A worker process's life: its initializer, then task frames in and reply frames out on its
// channel until the channel closes or it has run its last task. Not for users.
#ifndef FUTURES_INTERNAL_WORKER_HPP_
#define FUTURES_INTERNAL_WORKER_HPP_

#include <functional>
#include <optional>

namespace futures::internal {

// The exit code of a worker that met an error outside any task (it reports it on stderr).
inline constexpr int kExitOutsideTask = 72;

// What each worker process runs besides tasks.
struct WorkerConfig {
  std::function<void()> initializer;
  std::optional<int> max_tasks;  // exit after this many tasks
};

// Runs the worker on its end of the channel, `fd`, and ends the process: exit code 0 when the
// channel closes or after config.max_tasks tasks, 3 after reporting a failed initializer, 70
// when the parent's frames break the protocol. Only an error outside any task escapes; the
// caller then ends the process with kExitOutsideTask.
[[noreturn]] void worker_main(int fd, const WorkerConfig& config);

// Ends a worker process: flushes stdio, then _exit(code) (not exit(): the parent's atexit
// handlers and static objects are not the worker's).
[[noreturn]] void worker_exit(int code);

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_WORKER_HPP_
