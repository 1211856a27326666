// Process plumbing for ProcessPoolExecutor: the wire frames, the fork server that starts
// worker processes, and the worker's main loop. Not for users.
#ifndef FUTURES_INTERNAL_PROCESS_HPP_
#define FUTURES_INTERNAL_PROCESS_HPP_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "futures/codec.hpp"

namespace futures::internal {

// Runs a task in a worker: decodes the arguments from `args`, calls the function whose
// address is `fn`, and appends the encoded result to `out`. Both addresses are valid in the
// worker because it is a fork of the process that took them.
using Invoker = void (*)(std::uintptr_t fn, Reader& args, std::vector<std::byte>& out);

// Frames on a worker's channel: a u32 body length, then the body. Bodies:
//   parent -> worker  kTask:        kind, u64 id, u64 invoker, u64 fn, encoded arguments
//   worker -> parent  kResult:      kind, u64 id, encoded result
//                     kError:       kind, u64 id, exception record
//                     kInitFailed:  kind, exception record (then the worker exits)
enum FrameKind : std::uint8_t { kTask = 1, kResult = 2, kError = 3, kInitFailed = 4 };
inline constexpr std::size_t kFrameHeader = sizeof(std::uint32_t);
inline constexpr std::size_t kMaxFrame = 0xFFFFFFFFu;

// Starts a frame in `out`: reserves the length; finish_frame() fills it in.
std::size_t begin_frame(std::vector<std::byte>& out);
// Throws std::length_error if the body is over kMaxFrame bytes.
void finish_frame(std::vector<std::byte>& out, std::size_t start);

// A frame from a worker, split: its kind, the task id (none for kInitFailed), the rest.
struct WorkerFrame {
  FrameKind kind;
  std::uint64_t id = 0;
  std::span<const std::byte> payload;
};
// Throws DecodeError for a short header or a kind a worker does not send.
WorkerFrame parse_worker_frame(std::span<const std::byte> body);

// Accumulates bytes read from a stream and cuts them into frames.
class FrameBuffer {
 public:
  // Appends bytes as if read (for tests and the fuzzer).
  void append(std::span<const std::byte> bytes);
  // Reads what is available (all of it, for a non-blocking fd). Returns false at end of
  // stream; throws std::system_error on a read error other than EAGAIN/EINTR.
  bool read_from(int fd);
  // The next complete frame's body, or nullopt. The span is valid until the next call.
  std::optional<std::span<const std::byte>> next();
  // Bytes of an incomplete frame are waiting (a stream cut here was cut mid-message).
  bool partial() const noexcept { return end_ > begin_ || skip_ > 0; }
  // Gives up on the incomplete frame at the front, for a reader that cannot hold all of it:
  // returns up to `keep` of its first body bytes, frees the buffer, and drops the rest of the
  // frame as read_from() reads it. nullopt (and no change) if not even its length has come.
  // Throws std::bad_alloc if `keep` bytes cannot be allocated.
  std::optional<std::vector<std::byte>> drop_partial(std::size_t keep);

 private:
  std::vector<std::byte> buf_;
  std::size_t begin_ = 0;  // start of unconsumed bytes
  std::size_t end_ = 0;    // end of valid bytes
  std::size_t skip_ = 0;   // bytes of a dropped frame not read yet
};

// The exit code of a worker that met an error outside any task (it reports it on stderr).
inline constexpr int kExitOutsideTask = 72;

// What each worker process runs besides tasks.
struct WorkerConfig {
  std::function<void()> initializer;
  std::optional<int> max_tasks;  // exit after this many tasks
};

// A single-threaded helper process, forked once by the executor's constructor, that forks the
// workers (so no worker is ever forked from a multi-threaded process after that), reaps them,
// and reports their exits. It kills every worker and exits when the executor closes its end of
// the control socket or dies. Used by one thread at a time.
class ForkServer {
 public:
  struct Event {
    enum Type : std::uint32_t { kSpawned = 1, kExited = 2 } type;
    pid_t pid;
    int fd = -1;       // kSpawned: the executor's end of the worker's channel (close-on-exec)
    int status = 0;    // kExited: the wait status
  };

  explicit ForkServer(WorkerConfig config);
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
  int control_fd() const noexcept { return control_; }
  pid_t pid() const noexcept { return pid_; }
  // Tells the server to kill its workers and exit, and reaps it. Idempotent.
  void close() noexcept;

 private:
  int control_ = -1;
  pid_t pid_ = -1;
};

// "exited with code 3", "was killed by signal 9 (SIGKILL)".
std::string describe_wait_status(int status);

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_PROCESS_HPP_
