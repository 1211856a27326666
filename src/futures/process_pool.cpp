#include "futures/process_pool.hpp"

#include "futures/internal/cpus.hpp"
#include "futures/internal/fork_gate.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace futures {
namespace {

using internal::Clock;
using internal::ForkGate;
using internal::ForkServer;
using internal::StateBase;

// How long a worker whose channel closed may take to have its exit status reported before
// the pool breaks without it.
constexpr auto kStatusGrace = std::chrono::milliseconds(500);
// How long a graceful shutdown waits for idle workers to exit before killing them.
constexpr auto kExitGrace = std::chrono::seconds(5);
// How long terminate_workers() lets workers handle SIGTERM before it sends SIGKILL.
constexpr auto kTerminateGrace = std::chrono::seconds(1);
// What one worker may hold in flight (see Impl::dispatch): at most kMaxWindow tasks, and
// beyond its first task, no more than kTargetBacklog of estimated work.
constexpr std::size_t kMaxWindow = 64;
constexpr std::chrono::nanoseconds kTargetBacklog = std::chrono::milliseconds(1);

int checked_workers(std::optional<int> max_workers) {
  if (!max_workers) return internal::process_cpu_count();  // os.process_cpu_count()
  if (*max_workers <= 0) {
    throw std::invalid_argument("ProcessPoolExecutor: max_workers must be > 0, got " +
                                std::to_string(*max_workers));
  }
  return *max_workers;
}

std::optional<int> checked_max_tasks(std::optional<int> max_tasks) {
  if (max_tasks && *max_tasks <= 0) {
    throw std::invalid_argument("ProcessPoolExecutor: max_tasks_per_child must be > 0, got " +
                                std::to_string(*max_tasks));
  }
  return max_tasks;
}

std::system_error sys_error(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

// A task's invoker and function, read from its frame (as begin_task() lays it out): tasks of
// one kind are taken to cost alike.
std::uint64_t task_kind(const std::vector<std::byte>& frame) {
  constexpr std::size_t kInvokerAt = internal::kFrameHeader + 1 + sizeof(std::uint64_t);
  std::uint64_t invoker;
  std::uint64_t fn;
  std::memcpy(&invoker, frame.data() + kInvokerAt, sizeof invoker);
  std::memcpy(&fn, frame.data() + kInvokerAt + sizeof invoker, sizeof fn);
  return (invoker * 0x9E3779B97F4A7C15u) ^ fn;
}

ProcessPoolOptions with_workers(int max_workers) {
  ProcessPoolOptions options;
  options.max_workers = max_workers;
  return options;
}

}  // namespace

struct ProcessPoolExecutor::Impl {
  struct Task {
    StateBase* state;  // one reference, released when the task is completed or dropped
    Completer completer;
    std::vector<std::byte> frame;  // moved out when queued on a worker's channel
    std::uint64_t kind = 0;        // its invoker and function: tasks alike in cost
    std::chrono::nanoseconds cost{0};  // its estimated time when it was sent
    bool ahead = false;  // sent ahead (see dispatch), and the task before it not answered yet
    bool guessed = false;  // its kind had no estimate yet when it was sent
  };

  struct Worker {
    pid_t pid;
    int fd;
    internal::FrameBuffer in;
    std::deque<std::vector<std::byte>> out;  // frames to write; the first from out_offset
    std::size_t out_offset = 0;
    std::deque<Task> in_flight;  // sent to this worker, answered in this order
    std::size_t window = 1;      // tasks it may hold in flight (see dispatch)
    std::chrono::nanoseconds backlog{0};  // the estimated time of the tasks in flight
    int guessed = 0;                      // tasks in flight sent without an estimate
    Clock::time_point busy_since;  // since when it has had tasks in flight without a break
    long assigned = 0;           // tasks given over its life
    bool closed = false;         // its channel reached end of stream
    std::optional<int> status;   // its wait status, once the fork server reported it
    Clock::time_point closed_at;

    Worker(pid_t p, int f) : pid(p), fd(f) {}
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;
    ~Worker() { ::close(fd); }
  };

  Impl(int worker_count, internal::WorkerConfig worker_config)
      : max_workers(worker_count), config(std::move(worker_config)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void start();
  void io_main() noexcept;
  void io_loop();
  void add_worker(pid_t pid, int fd);
  void dispatch();
  void write_worker(Worker& w);
  void read_worker(Worker& w);
  bool given_last_task(const Worker& w) const;
  bool may_take(const Worker& w) const;
  void learn_costs(Worker& w);
  std::optional<std::chrono::nanoseconds> estimated_cost(std::uint64_t kind) const;
  void handle_frame(Worker& w, std::span<const std::byte> body);
  void handle_event(const ForkServer::Event& e);
  bool check_closed_workers();
  void break_pool(const std::string& message) noexcept;
  void stop_gracefully() noexcept;
  void stop_now(int signal) noexcept;
  bool await_exits(const std::vector<pid_t>& pids, Clock::time_point deadline);
  std::string worker_death(const Worker& w) const;

  const int max_workers;
  const internal::WorkerConfig config;
  std::unique_ptr<ForkServer> server;
  int wake_fd = -1;  // eventfd: submit() and shutdown() wake the I/O thread through it

  std::mutex mu;
  std::deque<Task> pending;   // guarded by mu: submitted, not yet sent to a worker
  bool shutdown = false;      // guarded by mu
  std::string broken;         // guarded by mu: non-empty once broken
  bool io_sleeping = false;   // guarded by mu: the I/O thread is in poll()
  bool wake_pending = false;  // guarded by mu: a wake-up was written and not yet consumed
  std::uint64_t submitted = 0;  // guarded by mu: tasks ever queued
  std::uint64_t dispatch_seen = 0;  // I/O thread: `submitted` as of its last dispatch()
  // terminate_workers() / kill_workers(): the signal asked for (SIGKILL wins), 0 if none.
  // Set before shutdown's wake-up, which orders it before the I/O thread's next look.
  std::atomic<int> stop_signal{0};
  std::thread io;
  std::mutex join_mu;

  // Owned by the I/O thread (and by start() before it runs).
  std::vector<std::unique_ptr<Worker>> workers;
  std::unordered_map<std::uint64_t, std::chrono::nanoseconds> costs;  // per task kind
  std::vector<std::uint64_t> answered;  // kinds of the replies of the current read
  int sent_ahead = 0;  // tasks with `ahead` set: 0 or 1
  std::unordered_map<pid_t, int> early_exits;  // statuses reported before the spawn
  int spawning = 0;                            // replacement workers asked for
};

void ProcessPoolExecutor::Impl::start() {
  server = std::make_unique<ForkServer>(config);
  wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) throw sys_error("eventfd");
  for (int i = 0; i < max_workers; ++i) server->request_spawn();
  while (static_cast<int>(workers.size()) < max_workers) {
    std::optional<ForkServer::Event> e = server->read_event();
    if (!e) throw BrokenProcessPool("the process pool's fork server died while starting workers");
    handle_event(*e);
  }
  ForkGate::instance().enter_for_new_thread();
  try {
    io = std::thread([this] { io_main(); });
  } catch (...) {
    ForkGate::instance().undo_for_new_thread();
    throw;
  }
}

void ProcessPoolExecutor::Impl::add_worker(pid_t pid, int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  auto w = std::make_unique<Worker>(pid, fd);
  if (auto it = early_exits.find(pid); it != early_exits.end()) {
    w->status = it->second;
    early_exits.erase(it);
  }
  workers.push_back(std::move(w));
}

void ProcessPoolExecutor::Impl::handle_event(const ForkServer::Event& e) {
  if (e.type == ForkServer::Event::kSpawned) {
    if (spawning > 0) --spawning;
    add_worker(e.pid, e.fd);
    return;
  }
  for (auto& w : workers) {
    if (w->pid == e.pid) {
      w->status = e.status;
      return;
    }
  }
  early_exits[e.pid] = e.status;
}

// Dispatch: tasks wait in the shared `pending` queue, not in a worker's, until some worker has
// room, and are marked running only then, as they are committed to that worker's channel. So
// no worker idles while a task waits (any worker with room takes the next one), and what
// cancel(), shutdown's cancel_futures or leaving a map loop cannot stop is what the workers
// hold.
//
// What a worker may hold adapts to what the tasks cost, measured in this process: after each
// read of a worker's replies, the time it was busy since the previous read (or since it was
// given work while idle) over the replies read is the per-task time, which includes the round
// trip while little is in flight. It feeds two estimates:
//   - per task kind (invoker and function), a moving average; a kind not seen yet counts as
//     long. A worker holding anything takes a task only if the estimated time of what it
//     holds stays within kTargetBacklog (1 ms). So a task estimated at 1 ms or more goes
//     only to an idle worker, and nothing is queued behind it;
//   - per worker, a window on the count, which starts at 1 and at most doubles or halves per
//     read (up to kMaxWindow, 64): the tasks that fit in kTargetBacklog at the measured
//     per-task time. It keeps a fresh estimate from sending a burst at once.
// Tiny tasks thus reach 64 in flight per worker in a few round trips, which hides the round
// trip and lets results come back in batches. A task estimated under kTargetBacklog would
// leave a worker idle for a round trip comparable to itself; so, when no worker has room, one
// such task in the whole pool is sent ahead, to the busy worker due to finish first by the
// estimates (a worker past its estimate, or running a task of a kind not measured yet, is not
// due), and starts there without a round trip. A task estimated at kTargetBacklog or more is
// never sent ahead: the round trip is small beside it, and a call far longer than its kind's
// estimate (a 1 s call of a function learned at 5 ms) would keep it waiting while another
// worker idles. With long tasks, max_workers are running.
// The cost: a task much longer than its estimate keeps what was queued behind it waiting (at
// most 1 ms of work by the estimates, or the one tiny task sent ahead).
void ProcessPoolExecutor::Impl::dispatch() {
  std::lock_guard lock(mu);
  dispatch_seen = submitted;
  if (pending.empty()) return;
  const auto now = Clock::now();
  while (!pending.empty()) {
    const std::optional<std::chrono::nanoseconds> estimate = estimated_cost(pending.front().kind);
    const std::chrono::nanoseconds cost = estimate.value_or(kTargetBacklog);
    Worker* best = nullptr;
    for (const auto& w : workers) {
      if (!may_take(*w)) continue;
      const bool room = w->in_flight.empty() || (w->in_flight.size() < w->window &&
                                                 w->backlog + cost <= kTargetBacklog);
      if (room && (best == nullptr || w->backlog < best->backlog)) best = w.get();
    }
    const bool ahead = best == nullptr;
    if (ahead) {
      if (sent_ahead > 0 || cost >= kTargetBacklog) return;
      auto soonest = Clock::time_point::max();
      for (const auto& w : workers) {
        if (!may_take(*w) || w->in_flight.empty() || w->guessed > 0) continue;
        const auto due = w->busy_since + w->backlog;
        if (due > now && due < soonest) {
          soonest = due;
          best = w.get();
        }
      }
      if (best == nullptr) return;
    }
    Task task = std::move(pending.front());
    pending.pop_front();
    // Python's rule: once handed to a worker, a task is running and can no longer be
    // cancelled. Cancelled ones are dropped here.
    if (!task.state->set_running_or_notify_cancel()) {
      task.state->release();
      continue;
    }
    if (best->in_flight.empty()) best->busy_since = now;
    task.cost = cost;
    task.ahead = ahead;
    sent_ahead += ahead ? 1 : 0;
    task.guessed = !estimate;
    best->guessed += task.guessed ? 1 : 0;
    best->backlog += cost;
    best->out.push_back(std::move(task.frame));
    best->in_flight.push_back(std::move(task));
    ++best->assigned;
  }
}

// Whether w has been given its last task under max_tasks_per_child.
bool ProcessPoolExecutor::Impl::given_last_task(const Worker& w) const {
  return config.max_tasks && w.assigned >= *config.max_tasks;
}

// Whether w may be given another task: its channel is open and it has tasks left to take.
bool ProcessPoolExecutor::Impl::may_take(const Worker& w) const {
  return !w.closed && !given_last_task(w);
}

std::optional<std::chrono::nanoseconds> ProcessPoolExecutor::Impl::estimated_cost(
    std::uint64_t kind) const {
  const auto it = costs.find(kind);
  if (it == costs.end()) return std::nullopt;
  return it->second;
}

// After a read of w's replies (their kinds in `answered`): updates the estimates.
void ProcessPoolExecutor::Impl::learn_costs(Worker& w) {
  const auto now = Clock::now();
  const auto busy = std::chrono::duration_cast<std::chrono::nanoseconds>(now - w.busy_since);
  w.busy_since = now;
  const auto per_task = busy / static_cast<long long>(answered.size());
  for (std::size_t i = 0; i < answered.size(); ++i) {
    if (i > 0 && answered[i] == answered[i - 1]) continue;  // one sample per run of a kind
    auto [it, fresh] = costs.try_emplace(answered[i], per_task);
    if (fresh) continue;
    // Quicker down than up: a sample is too long whenever this thread was late to read.
    it->second = per_task < it->second ? (it->second + per_task) / 2
                                       : (3 * it->second + per_task) / 4;
  }
  const std::size_t ceiling = std::min(2 * w.window, kMaxWindow);
  std::size_t fit = ceiling;
  if (per_task.count() > 0) fit = static_cast<std::size_t>(kTargetBacklog / per_task);
  w.window = std::clamp<std::size_t>(fit, std::max<std::size_t>(1, w.window / 2), ceiling);
  answered.clear();
}

void ProcessPoolExecutor::Impl::write_worker(Worker& w) {
  while (!w.out.empty() && !w.closed) {
    iovec iov[64];
    int n = 0;
    for (std::size_t i = 0; i < w.out.size() && n < 64; ++i, ++n) {
      const std::size_t skip = i == 0 ? w.out_offset : 0;
      iov[n].iov_base = w.out[i].data() + skip;
      iov[n].iov_len = w.out[i].size() - skip;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(n);
    const ssize_t sent = ::sendmsg(w.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // The worker is gone; its end of stream and exit status tell the rest.
      w.out.clear();
      return;
    }
    auto left = static_cast<std::size_t>(sent);
    while (left > 0) {
      const std::size_t rest = w.out.front().size() - w.out_offset;
      if (left < rest) {
        w.out_offset += left;
        break;
      }
      left -= rest;
      w.out.pop_front();
      w.out_offset = 0;
    }
  }
}

void ProcessPoolExecutor::Impl::read_worker(Worker& w) {
  bool open = true;
  try {
    open = w.in.read_from(w.fd);
  } catch (const std::system_error&) {
    open = false;
  }
  while (std::optional<std::span<const std::byte>> body = w.in.next()) handle_frame(w, *body);
  if (!answered.empty()) learn_costs(w);
  if (!open && !w.closed) {
    w.closed = true;
    w.closed_at = Clock::now();
  }
}

void ProcessPoolExecutor::Impl::handle_frame(Worker& w, std::span<const std::byte> body) {
  try {
    const internal::WorkerFrame frame = internal::parse_worker_frame(body);
    Reader r(frame.payload);
    if (frame.kind == internal::kInitFailed) {
      const internal::ExceptionRecord record = internal::decode_record(r);
      throw BrokenProcessPool("A process initializer failed, the process pool is not usable "
                              "anymore: worker pid " + std::to_string(w.pid) + " raised " +
                              record.type_name + ": " + record.what);
    }
    if (w.in_flight.empty() ||
        frame.id != reinterpret_cast<std::uintptr_t>(w.in_flight.front().state)) {
      throw DecodeError("a reply to no task in flight");
    }
    Task& task = w.in_flight.front();
    if (frame.kind == internal::kResult) {
      task.completer(task.state, r);
    } else {
      const internal::ExceptionRecord record = internal::decode_record(r);
      if (r.remaining() != 0) throw DecodeError("trailing bytes after an exception");
      task.state->set_exception(internal::rebuild_exception(record));
    }
    task.state->release();
    w.backlog -= task.cost;
    w.guessed -= task.guessed ? 1 : 0;
    answered.push_back(task.kind);
    w.in_flight.pop_front();
    if (!w.in_flight.empty() && w.in_flight.front().ahead) {
      w.in_flight.front().ahead = false;  // it has started: the next may be sent ahead
      --sent_ahead;
    }
  } catch (const DecodeError& e) {
    throw BrokenProcessPool("A process in the process pool sent a malformed message (" +
                            std::string(e.what()) + "), the process pool is not usable anymore: "
                            "worker pid " + std::to_string(w.pid));
  }
}

std::string ProcessPoolExecutor::Impl::worker_death(const Worker& w) const {
  std::string out =
      "A process in the process pool was terminated abruptly while the future was running "
      "or pending: worker pid " + std::to_string(w.pid) + " " +
      (w.status ? internal::describe_wait_status(*w.status) : "ended (exit status unknown)");
  if (w.status && WIFEXITED(*w.status) && WEXITSTATUS(*w.status) == internal::kExitOutsideTask) {
    out += " (an error outside any task, reported on its stderr)";
  }
  return out;
}

// Handles workers whose channel closed. Returns false once the pool is broken.
bool ProcessPoolExecutor::Impl::check_closed_workers() {
  for (std::size_t i = 0; i < workers.size();) {
    Worker& w = *workers[i];
    if (!w.closed) {
      ++i;
      continue;
    }
    const bool retired = given_last_task(w) && w.in_flight.empty() && w.status &&
                         WIFEXITED(*w.status) && WEXITSTATUS(*w.status) == 0;
    if (retired) {
      workers.erase(workers.begin() + static_cast<std::ptrdiff_t>(i));
      bool stopping;
      {
        std::lock_guard lock(mu);
        stopping = shutdown && pending.empty();
      }
      if (!stopping) {
        server->request_spawn();
        ++spawning;
      }
      continue;
    }
    if (w.status || Clock::now() - w.closed_at > kStatusGrace) {
      break_pool(worker_death(w));
      return false;
    }
    ++i;
  }
  return true;
}

void ProcessPoolExecutor::Impl::io_main() noexcept {
  const ForkGate::Inside inside(ForkGate::Inside::kAdopt);  // out only while asleep in poll()
  try {
    io_loop();
  } catch (const BrokenProcessPool& e) {
    break_pool(e.what());
  } catch (const std::exception& e) {
    break_pool(std::string("the process pool's I/O thread failed: ") + e.what());
  }
}

void ProcessPoolExecutor::Impl::io_loop() {
  std::vector<pollfd> fds;
  for (;;) {
    if (const int signal = stop_signal.load()) return stop_now(signal);
    dispatch();
    for (auto& w : workers) write_worker(*w);
    if (!check_closed_workers()) return;

    bool idle_and_stopping;
    bool awaiting_status = false;
    for (const auto& w : workers) awaiting_status = awaiting_status || (w->closed && !w->status);
    {
      std::lock_guard lock(mu);
      bool busy = spawning > 0;
      for (const auto& w : workers) busy = busy || !w->in_flight.empty();
      idle_and_stopping = shutdown && pending.empty() && !busy;
      // Tasks queued since dispatch() ran were queued while this thread was awake, without
      // a wake-up: take them before sleeping.
      if (submitted != dispatch_seen) continue;
      io_sleeping = !idle_and_stopping;
    }
    if (idle_and_stopping) return stop_gracefully();

    fds.clear();
    fds.push_back({wake_fd, POLLIN, 0});
    fds.push_back({server->control_fd(), POLLIN, 0});
    for (const auto& w : workers) {
      const short events = w->closed ? 0 : static_cast<short>(POLLIN | (w->out.empty() ? 0 : POLLOUT));
      fds.push_back({w->closed ? -1 : w->fd, events, 0});
    }
    const int timeout_ms = awaiting_status ? 20 : -1;
    int ready;
    {
      const ForkGate::Outside asleep;
      ready = ::poll(fds.data(), fds.size(), timeout_ms);
    }
    {
      std::lock_guard lock(mu);
      io_sleeping = false;
      wake_pending = false;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw sys_error("poll");
    }
    if (fds[0].revents & POLLIN) {
      std::uint64_t n;
      while (::read(wake_fd, &n, sizeof n) > 0) {
      }
    }
    // Workers first: a result that arrived before its worker's exit report is kept.
    for (std::size_t i = 0; i < workers.size(); ++i) {
      const short revents = fds[i + 2].revents;
      if (revents & (POLLIN | POLLHUP | POLLERR)) read_worker(*workers[i]);
      if (revents & POLLOUT) write_worker(*workers[i]);
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      std::optional<ForkServer::Event> e = server->read_event();
      if (!e) throw BrokenProcessPool("the process pool's fork server process died");
      handle_event(*e);
    }
  }
}

void ProcessPoolExecutor::Impl::stop_gracefully() noexcept {
  // Closing a worker's channel tells it to exit once idle, which it is by now.
  for (auto& w : workers) {
    if (!w->closed) ::shutdown(w->fd, SHUT_RDWR);
  }
  std::vector<pid_t> pids;
  for (const auto& w : workers) pids.push_back(w->pid);
  await_exits(pids, Clock::now() + kExitGrace);
  server->close();  // kills any worker still there, and reaps the server
  workers.clear();
}

// Reads the fork server's events until each of `pids` has exited or the deadline passes.
// Returns false if the server is gone.
bool ProcessPoolExecutor::Impl::await_exits(const std::vector<pid_t>& pids,
                                            Clock::time_point deadline) {
  auto exited = [&] {
    return std::all_of(pids.begin(), pids.end(), [&](pid_t pid) {
      return std::any_of(workers.begin(), workers.end(),
                         [&](const auto& w) { return w->pid == pid && w->status; });
    });
  };
  while (!exited()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return true;
    pollfd p{server->control_fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    std::optional<ForkServer::Event> e = server->read_event();
    if (!e) return false;
    handle_event(*e);
  }
  return true;
}

// terminate_workers() / kill_workers(), on the I/O thread: shutdown() has already cancelled
// what was pending. Signals the workers, keeps the results that reached this process before
// they died, fails the rest with the worker's end, and closes the server (which SIGKILLs any
// worker still there).
void ProcessPoolExecutor::Impl::stop_now(int signal) noexcept {
  std::vector<pid_t> pids;
  for (const auto& w : workers) {
    if (!w->status) pids.push_back(w->pid);
  }
  try {
    server->signal_workers(signal);
    const auto grace = signal == SIGKILL ? kExitGrace : kTerminateGrace;
    if (await_exits(pids, Clock::now() + grace) && signal != SIGKILL) {
      server->signal_workers(SIGKILL);
      await_exits(pids, Clock::now() + kExitGrace);
    }
  } catch (const std::exception&) {
    // The server is gone: close() below reaps it, and its workers died with it.
  }
  const std::string by = signal == SIGKILL ? "kill_workers()" : "terminate_workers()";
  for (auto& w : workers) {
    try {
      if (!w->closed) read_worker(*w);
    } catch (const std::exception&) {
      // A malformed last message: the tasks it would have answered fail below.
    }
    // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on the chained operator+.
    std::string message = "A process in the process pool was stopped by ";
    message += by;
    message += " while the future was running: worker pid ";
    message += std::to_string(w->pid);
    if (w->status) {
      message += ' ';
      message += internal::describe_wait_status(*w->status);
    }
    const auto error = std::make_exception_ptr(BrokenProcessPool(message));
    for (Task& t : w->in_flight) {
      t.state->fail_if_not_done(error);
      t.state->release();
    }
    w->in_flight.clear();
  }
  server->close();
  workers.clear();
}

void ProcessPoolExecutor::Impl::break_pool(const std::string& message) noexcept {
  std::deque<Task> orphans;
  {
    std::lock_guard lock(mu);
    if (broken.empty()) broken = message;
    orphans.swap(pending);
  }
  const auto error = std::make_exception_ptr(BrokenProcessPool(message));
  for (auto& w : workers) {
    for (Task& t : w->in_flight) {
      t.state->fail_if_not_done(error);
      t.state->release();
    }
    w->in_flight.clear();
  }
  for (Task& t : orphans) {
    t.state->fail_if_not_done(error);
    t.state->release();
  }
  server->close();  // kills the remaining workers, and reaps the server
  workers.clear();
}

ProcessPoolExecutor::ProcessPoolExecutor(int max_workers)
    : ProcessPoolExecutor(with_workers(max_workers)) {}

ProcessPoolExecutor::ProcessPoolExecutor(ProcessPoolOptions options)
    : impl_(std::make_unique<Impl>(
          checked_workers(options.max_workers),
          internal::WorkerConfig{std::move(options.initializer),
                                 checked_max_tasks(options.max_tasks_per_child)})) {
  impl_->start();
}

ProcessPoolExecutor::~ProcessPoolExecutor() {
  shutdown(/*wait=*/true);
  // Only a done callback destroying its own pool leaves the I/O thread unjoined.
  if (impl_->io.joinable()) impl_->io.detach();
}

int ProcessPoolExecutor::max_workers() const noexcept { return impl_->max_workers; }

std::size_t ProcessPoolExecutor::begin_task(std::vector<std::byte>& frame, const void* state,
                                            internal::Invoker invoker, std::uintptr_t fn) {
  const std::size_t start = internal::begin_frame(frame);
  Writer w(frame);
  w.put(static_cast<std::uint8_t>(internal::kTask));
  w.put(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(state)));
  w.put(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(invoker)));
  w.put(static_cast<std::uint64_t>(fn));
  return start;
}

void ProcessPoolExecutor::enqueue(internal::StateBase* state, Completer completer,
                                  std::vector<std::byte> frame) {
  const std::uint64_t kind = task_kind(frame);
  bool wake = false;
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->broken.empty() || impl_->shutdown) {
      state->release();  // the executor's reference; the caller's future still holds one
      if (!impl_->broken.empty()) throw BrokenProcessPool(impl_->broken);
      throw ShutdownError();
    }
    impl_->pending.push_back(Impl::Task{state, completer, std::move(frame), kind, {}});
    ++impl_->submitted;
    if (impl_->io_sleeping && !impl_->wake_pending) wake = impl_->wake_pending = true;
  }
  if (wake) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(impl_->wake_fd, &one, sizeof one);
  }
}

void ProcessPoolExecutor::terminate_workers() {
  int none = 0;
  impl_->stop_signal.compare_exchange_strong(none, SIGTERM);
  shutdown(/*wait=*/true, /*cancel_futures=*/true);
}

void ProcessPoolExecutor::kill_workers() {
  impl_->stop_signal.store(SIGKILL);
  shutdown(/*wait=*/true, /*cancel_futures=*/true);
}

void ProcessPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::deque<Impl::Task> cancelled;
  {
    std::lock_guard lock(impl_->mu);
    impl_->shutdown = true;
    if (cancel_futures) cancelled.swap(impl_->pending);
  }
  for (Impl::Task& t : cancelled) {
    t.state->cancel();
    t.state->release();
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(impl_->wake_fd, &one, sizeof one);
  if (!wait) return;
  std::lock_guard join_lock(impl_->join_mu);
  // A done callback (on the I/O thread) shutting down its own pool cannot wait for that
  // thread: the destructor will.
  if (impl_->io.joinable() && impl_->io.get_id() != std::this_thread::get_id()) {
    impl_->io.join();
  }
}

}  // namespace futures
