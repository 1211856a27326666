#include "futures/internal/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <unordered_set>

#include "futures/internal/fork_gate.hpp"
#include "futures/internal/remote_exception.hpp"

namespace futures::internal {
namespace {

// Control messages between the executor and its fork server (SOCK_SEQPACKET: one message per
// send, with the worker's fd attached to kSpawned).
struct ControlMessage {
  std::uint32_t type;  // kSpawnRequest, or ForkServer::Event::Type
  std::int32_t pid;
  std::int32_t status;
};
constexpr std::uint32_t kSpawnRequest = 100;
constexpr std::uint32_t kSignalRequest = 101;  // status: the signal

// Exit codes of a worker that stops on its own account.
constexpr int kExitInitFailed = 3;
constexpr int kExitProtocolError = 70;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "futures: fork server: %s: %s\n", what, std::strerror(errno));
  _exit(71);
}

std::system_error sys_error(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

// Closes every descriptor >= first except `keep`.
void close_from(int first, int keep) {
#ifdef SYS_close_range
  if (keep < first) {
    if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  } else {
    bool ok = keep == first || syscall(SYS_close_range, first, keep - 1, 0) == 0;
    ok = ok && syscall(SYS_close_range, keep + 1, ~0U, 0) == 0;
    if (ok) return;
  }
#endif
  // Older kernels: walk /proc/self/fd (collect first: closing while listing is unsafe).
  std::vector<int> fds;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(dir)) {
      const int fd = std::atoi(e->d_name);
      if (fd >= first && fd != keep && fd != dirfd(dir)) fds.push_back(fd);
    }
    closedir(dir);
  }
  for (int fd : fds) ::close(fd);
}

bool write_all(int fd, const std::byte* p, std::size_t n) noexcept {
  while (n > 0) {
    const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

[[noreturn]] void worker_exit(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(code);  // not exit(): the parent's atexit handlers and static objects are not ours
}

// Appends the frame that fails task `id` with the exception being handled.
void append_error(std::vector<std::byte>& out, std::uint64_t id) {
  const ExceptionRecord record = capture_current_exception();
  const std::size_t start = begin_frame(out);
  Writer w(out);
  w.put(static_cast<std::uint8_t>(kError));
  w.put(id);
  encode_record(w, record);
  finish_frame(out, start);
}

// Runs one task frame, appending the response frame to `out`. Whatever goes wrong after the
// task's id is known (decoding its arguments, the call, encoding or framing its result, such
// as a result over 4 GiB) fails that task only.
void run_task(std::span<const std::byte> body, std::vector<std::byte>& out) {
  Reader r(body);
  std::uint64_t id = 0;
  std::uintptr_t invoker_bits = 0;
  std::uintptr_t fn = 0;
  try {
    if (r.get<std::uint8_t>() != kTask) throw DecodeError("not a task frame");
    id = r.get<std::uint64_t>();
    invoker_bits = static_cast<std::uintptr_t>(r.get<std::uint64_t>());
    fn = static_cast<std::uintptr_t>(r.get<std::uint64_t>());
  } catch (const DecodeError&) {
    worker_exit(kExitProtocolError);
  }
  const std::size_t start = out.size();
  try {
    begin_frame(out);
    Writer w(out);
    w.put(static_cast<std::uint8_t>(kResult));
    w.put(id);
    reinterpret_cast<Invoker>(invoker_bits)(fn, r, out);
    finish_frame(out, start);
  } catch (...) {
    out.resize(start);  // keeps the replies batched before this one
    append_error(out, id);
  }
}

// Fails the task whose frame is too large for this worker's memory (the frame buffer could
// not grow: std::bad_alloc is being handled) and drops the rest of its bytes. Returns false
// if the task cannot be told apart, which leaves the error to the caller.
bool fail_oversized_task(FrameBuffer& in, std::vector<std::byte>& out) {
  constexpr std::size_t kHead = 1 + sizeof(std::uint64_t);  // kind, id
  std::optional<std::vector<std::byte>> head = in.drop_partial(kHead);
  if (!head || head->size() < kHead || (*head)[0] != static_cast<std::byte>(kTask)) return false;
  std::uint64_t id;
  std::memcpy(&id, head->data() + 1, sizeof id);
  append_error(out, id);
  return true;
}

[[noreturn]] void worker_main(int fd, const WorkerConfig& config) {
  if (config.initializer) {
    try {
      config.initializer();
    } catch (...) {
      const ExceptionRecord record = capture_current_exception();
      std::vector<std::byte> out;
      const std::size_t start = begin_frame(out);
      Writer w(out);
      w.put(static_cast<std::uint8_t>(kInitFailed));
      encode_record(w, record);
      finish_frame(out, start);
      write_all(fd, out.data(), out.size());
      worker_exit(kExitInitFailed);
    }
  }
  FrameBuffer in;
  std::vector<std::byte> out;
  long done = 0;
  // Results go out in batches while more requests are already buffered, but no result waits
  // longer than this behind the ones after it.
  constexpr auto kMaxBatchDelay = std::chrono::microseconds(100);
  auto batch_start = std::chrono::steady_clock::now();
  auto flush = [&] {
    if (!out.empty() && !write_all(fd, out.data(), out.size())) worker_exit(0);  // parent gone
    out.clear();
  };
  for (;;) {
    std::optional<std::span<const std::byte>> frame;
    try {
      frame = in.next();
    } catch (const DecodeError&) {
      worker_exit(kExitProtocolError);
    }
    if (!frame) {
      flush();
      bool open = false;
      bool failed = false;
      try {
        open = in.read_from(fd);
      } catch (const std::system_error&) {
      } catch (const std::bad_alloc&) {
        // A task larger than this worker can hold: only that task fails.
        if (!fail_oversized_task(in, out)) throw;
        open = failed = true;
      }
      if (!open) worker_exit(in.partial() ? kExitProtocolError : 0);
      if (!failed) continue;
    } else {
      if (out.empty()) batch_start = std::chrono::steady_clock::now();
      run_task(*frame, out);
    }
    ++done;
    if (config.max_tasks && done >= *config.max_tasks) {
      flush();
      worker_exit(0);
    }
    if (out.size() >= (1u << 16) || std::chrono::steady_clock::now() - batch_start > kMaxBatchDelay) {
      flush();
    }
  }
}

void send_control(int fd, const ControlMessage& m, int attach_fd) {
  iovec iov{const_cast<ControlMessage*>(&m), sizeof m};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
  if (attach_fd >= 0) {
    msg.msg_control = space;
    msg.msg_controllen = sizeof space;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &attach_fd, sizeof(int));
  }
  while (::sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) throw sys_error("sendmsg");
  }
}

// The fork server's whole life. `control` is its end of the control socket.
[[noreturn]] void server_main(int control, const WorkerConfig& config) {
  const pid_t self = getpid();
  // Ctrl-C reaches the whole process group; the executor decides what happens to its workers
  // (they are killed when it dies), so neither the server nor the workers die of SIGINT.
  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  close_from(3, control);
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  const int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd");
  std::unordered_set<pid_t> workers;

  auto reap = [&] {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      workers.erase(pid);
      send_control(control, {ForkServer::Event::kExited, pid, status}, -1);
    }
  };
  auto shut_down = [&] {
    for (pid_t pid : workers) kill(pid, SIGKILL);
    while (!workers.empty()) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, 0);
      if (pid < 0 && errno != EINTR) break;
      if (pid > 0) workers.erase(pid);
    }
    _exit(0);
  };

  try {
    for (;;) {
      pollfd fds[2] = {{control, POLLIN, 0}, {sfd, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        die("poll");
      }
      if (fds[1].revents & POLLIN) {
        signalfd_siginfo info;
        while (read(sfd, &info, sizeof info) == sizeof info) {
        }
        reap();
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        ControlMessage m{};
        const ssize_t n = recv(control, &m, sizeof m, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == static_cast<ssize_t>(sizeof m) && m.type == kSignalRequest) {
          for (pid_t pid : workers) kill(pid, m.status);
          continue;
        }
        if (n != static_cast<ssize_t>(sizeof m) || m.type != kSpawnRequest) shut_down();
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
        const pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
          ::close(sv[0]);
          ::close(control);
          ::close(sfd);
          sigprocmask(SIG_SETMASK, &old, nullptr);
          signal(SIGPIPE, SIG_DFL);
          // Die with the server (the server dies with the executor's process).
          prctl(PR_SET_PDEATHSIG, SIGKILL);
          if (getppid() != self) _exit(0);
          // An error that escapes the worker's loop must end this worker alone: unwinding
          // into this server loop's handler would kill the server's other workers.
          try {
            worker_main(sv[1], config);
          } catch (...) {
            const ExceptionRecord record = capture_current_exception();
            std::fprintf(stderr, "futures: worker pid %d: error outside any task: %s: %s\n",
                         static_cast<int>(getpid()), record.type_name.c_str(),
                         record.what.c_str());
          }
          worker_exit(kExitOutsideTask);
        }
        ::close(sv[1]);
        workers.insert(pid);
        send_control(control, {ForkServer::Event::kSpawned, pid, 0}, sv[0]);
        ::close(sv[0]);
      }
    }
  } catch (...) {
  }
  shut_down();
  _exit(0);
}

}  // namespace

std::size_t begin_frame(std::vector<std::byte>& out) {
  const std::size_t start = out.size();
  out.resize(start + kFrameHeader);
  return start;
}

void finish_frame(std::vector<std::byte>& out, std::size_t start) {
  const std::size_t body = out.size() - start - kFrameHeader;
  if (body > kMaxFrame) {
    out.resize(start);
    throw std::length_error("futures: a message over 4 GiB cannot cross the process boundary");
  }
  const auto len = static_cast<std::uint32_t>(body);
  std::memcpy(out.data() + start, &len, sizeof len);
}

bool FrameBuffer::read_from(int fd) {
  if (begin_ == end_) begin_ = end_ = 0;
  if (buf_.size() - end_ < (1u << 16)) {
    // Compact, then grow, so that at least 64 KiB can be read.
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < (1u << 16)) {
      buf_.resize(std::max<std::size_t>(buf_.size() * 2, end_ + (1u << 16)));
    }
  }
  for (;;) {
    const ssize_t n = ::read(fd, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      const std::size_t dropped = std::min(skip_, end_ - begin_);
      begin_ += dropped;
      skip_ -= dropped;
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    throw sys_error("read");
  }
}

void FrameBuffer::append(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;  // memcpy from a null pointer is undefined, even for 0 bytes
  if (begin_ == end_) begin_ = end_ = 0;
  if (buf_.size() - end_ < bytes.size()) buf_.resize(end_ + bytes.size());
  std::memcpy(buf_.data() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

WorkerFrame parse_worker_frame(std::span<const std::byte> body) {
  Reader r(body);
  WorkerFrame frame{};
  const auto kind = r.get<std::uint8_t>();
  if (kind != kResult && kind != kError && kind != kInitFailed) {
    throw DecodeError("unknown frame kind " + std::to_string(kind));
  }
  frame.kind = static_cast<FrameKind>(kind);
  if (frame.kind != kInitFailed) frame.id = r.get<std::uint64_t>();
  frame.payload = body.subspan(body.size() - r.remaining());
  return frame;
}

std::optional<std::vector<std::byte>> FrameBuffer::drop_partial(std::size_t keep) {
  if (end_ - begin_ < kFrameHeader) return std::nullopt;
  std::uint32_t len;
  std::memcpy(&len, buf_.data() + begin_, sizeof len);
  const std::size_t have = std::min<std::size_t>(end_ - begin_ - kFrameHeader, len);
  const auto body = buf_.begin() + static_cast<std::ptrdiff_t>(begin_ + kFrameHeader);
  std::vector<std::byte> head(body, body + static_cast<std::ptrdiff_t>(std::min(keep, have)));
  skip_ = len - have;
  begin_ = end_ = 0;
  std::vector<std::byte>().swap(buf_);
  return head;
}

std::optional<std::span<const std::byte>> FrameBuffer::next() {
  if (end_ - begin_ < kFrameHeader) return std::nullopt;
  std::uint32_t len;
  std::memcpy(&len, buf_.data() + begin_, sizeof len);
  if (end_ - begin_ - kFrameHeader < len) return std::nullopt;
  std::span<const std::byte> body(buf_.data() + begin_ + kFrameHeader, len);
  begin_ += kFrameHeader + len;
  return body;
}

ForkServer::ForkServer(WorkerConfig config) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) throw sys_error("socketpair");
  std::cout.flush();  // or the child would inherit and flush our buffered output again
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ForkGate::instance().fork();
  if (pid < 0) {
    const auto error = sys_error("fork");
    ::close(sv[0]);
    ::close(sv[1]);
    throw error;
  }
  if (pid == 0) {
    ::close(sv[0]);
    server_main(sv[1], config);
  }
  ::close(sv[1]);
  control_ = sv[0];
  pid_ = pid;
}

ForkServer::~ForkServer() { close(); }

void ForkServer::request_spawn() { send_control(control_, {kSpawnRequest, 0, 0}, -1); }

void ForkServer::signal_workers(int signal) {
  send_control(control_, {kSignalRequest, 0, signal}, -1);
}

std::optional<ForkServer::Event> ForkServer::read_event() {
  ControlMessage m{};
  iovec iov{&m, sizeof m};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = space;
  msg.msg_controllen = sizeof space;
  ssize_t n;
  while ((n = ::recvmsg(control_, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof m)) return std::nullopt;
  Event e{static_cast<Event::Type>(m.type), m.pid, -1, m.status};
  if (cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    std::memcpy(&e.fd, CMSG_DATA(c), sizeof(int));
  }
  if (e.type == Event::kSpawned && e.fd < 0) return std::nullopt;
  if (e.type != Event::kSpawned && e.type != Event::kExited) return std::nullopt;
  return e;
}

void ForkServer::close() noexcept {
  if (control_ >= 0) {
    ::close(control_);
    control_ = -1;
  }
  if (pid_ > 0) {
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    std::string out = "was killed by signal " + std::to_string(sig);
    if (abbrev != nullptr) out += std::string(" (SIG") + abbrev + ")";
    return out;
  }
  return "stopped with wait status " + std::to_string(status);
}

}  // namespace futures::internal
