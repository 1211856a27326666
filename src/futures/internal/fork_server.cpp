#include "futures/internal/fork_server.hpp"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

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
                         static_cast<int>(getpid()), record.type_name.c_str(), record.what.c_str());
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

ForkServer::ForkServer(const WorkerConfig& config) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) throw sys_error("socketpair");
  UniqueFd ours(sv[0]);
  UniqueFd theirs(sv[1]);
  std::cout.flush();  // or the child would inherit and flush our buffered output again
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ForkGate::instance().fork();
  if (pid < 0) throw sys_error("fork");
  if (pid == 0) {
    ours.reset();
    server_main(theirs.get(), config);
  }
  control_ = std::move(ours);
  pid_ = pid;
}

ForkServer::~ForkServer() { close(); }

void ForkServer::request_spawn() { send_control(control_.get(), {kSpawnRequest, 0, 0}, -1); }

void ForkServer::signal_workers(int signal) {
  send_control(control_.get(), {kSignalRequest, 0, signal}, -1);
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
  while ((n = ::recvmsg(control_.get(), &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof m)) return std::nullopt;
  Event e{static_cast<Event::Type>(m.type), m.pid, UniqueFd(), m.status};
  if (cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    e.fd.reset(fd);
  }
  if (e.type == Event::kSpawned && !e.fd) return std::nullopt;
  if (e.type != Event::kSpawned && e.type != Event::kExited) return std::nullopt;
  return e;
}

void ForkServer::close() noexcept {
  control_.reset();
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
