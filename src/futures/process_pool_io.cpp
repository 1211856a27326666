// The process pool's I/O thread: dispatch, the workers' channels, their exits, and stopping.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <string>
#include <system_error>
#include <utility>

#include "futures/internal/fork_gate.hpp"
#include "futures/internal/frame_buffer.hpp"
#include "futures/internal/remote_exception.hpp"
#include "futures/process_pool_impl.hpp"

namespace futures {
namespace {

using internal::Clock;
using internal::ForkGate;
using internal::ForkServer;
using internal::PoolTask;

// How long a worker whose channel closed may take to have its exit status reported before
// the pool breaks without it.
constexpr auto kStatusGrace = std::chrono::milliseconds(500);
// How long a graceful shutdown waits for idle workers to exit before killing them.
constexpr auto kExitGrace = std::chrono::seconds(5);
// How long terminate_workers() lets workers handle SIGTERM before it sends SIGKILL.
constexpr auto kTerminateGrace = std::chrono::seconds(1);

// Fails each task with `error` and drops the pool's reference to it.
void fail_all(std::deque<PoolTask>& tasks, const std::exception_ptr& error) noexcept {
  for (PoolTask& t : tasks) {
    t.state->fail_if_not_done(error);
    t.state->release();
  }
  tasks.clear();
}

}  // namespace

void ProcessPoolExecutor::Impl::add_worker(pid_t pid, internal::UniqueFd fd) {
  auto w = std::make_unique<Worker>(pid, std::move(fd));
  if (auto it = early_exits_.find(pid); it != early_exits_.end()) {
    w->status = it->second;
    early_exits_.erase(it);
  }
  workers_.push_back(std::move(w));
}

void ProcessPoolExecutor::Impl::handle_event(ForkServer::Event e) {
  if (e.type == ForkServer::Event::kSpawned) {
    if (spawning_ > 0) --spawning_;
    add_worker(e.pid, std::move(e.fd));
    return;
  }
  for (auto& w : workers_) {
    if (w->pid == e.pid) {
      w->status = e.status;
      return;
    }
  }
  early_exits_[e.pid] = e.status;
}

// Hands pending tasks to the workers the dispatcher chooses (internal/dispatch.cpp).
void ProcessPoolExecutor::Impl::dispatch() {
  std::lock_guard lock(mu_);
  dispatch_seen_ = submitted_;
  if (pending_.empty()) return;
  open_loads_.clear();
  open_workers_.clear();
  for (const auto& w : workers_) {
    if (w->channel.closed()) continue;
    open_loads_.push_back(&w->load);
    open_workers_.push_back(w.get());
  }
  const auto now = Clock::now();
  while (!pending_.empty()) {
    const std::optional<internal::Dispatcher::Choice> chosen =
        dispatcher_.choose(pending_.front().kind, open_loads_, now);
    if (!chosen) return;
    PoolTask task = std::move(pending_.front());
    pending_.pop_front();
    // Python's rule: once handed to a worker, a task is running and can no longer be
    // cancelled. Cancelled ones are dropped here.
    if (!task.state->set_running_or_notify_cancel()) {
      task.state->release();
      continue;
    }
    Worker& w = *open_workers_[chosen->index];
    w.channel.queue(dispatcher_.commit(w.load, std::move(task), *chosen, now));
  }
}

void ProcessPoolExecutor::Impl::read_worker(Worker& w) {
  const bool was_closed = w.channel.closed();
  w.channel.read();
  while (std::optional<std::span<const std::byte>> body = w.channel.next()) handle_frame(w, *body);
  dispatcher_.learn(w.load);
  if (!was_closed && w.channel.closed()) w.closed_at = Clock::now();
}

void ProcessPoolExecutor::Impl::handle_frame(Worker& w, std::span<const std::byte> body) {
  try {
    const internal::WorkerFrame frame = internal::parse_worker_frame(body);
    Reader r(frame.payload);
    if (frame.kind == internal::kInitFailed) {
      const internal::ExceptionRecord record = internal::decode_record(r);
      throw BrokenProcessPool(
          "A process initializer failed, the process pool is not usable "
          "anymore: worker pid " +
          std::to_string(w.pid) + " raised " + record.type_name + ": " + record.what);
    }
    if (w.load.in_flight.empty() ||
        frame.id != reinterpret_cast<std::uintptr_t>(w.load.in_flight.front().state)) {
      throw DecodeError("a reply to no task in flight");
    }
    PoolTask& task = w.load.in_flight.front();
    if (frame.kind == internal::kResult) {
      task.completer(task.state, r);
    } else {
      const internal::ExceptionRecord record = internal::decode_record(r);
      if (r.remaining() != 0) throw DecodeError("trailing bytes after an exception");
      task.state->set_exception(internal::rebuild_exception(record));
    }
    dispatcher_.answered(w.load).state->release();
  } catch (const DecodeError& e) {
    throw BrokenProcessPool("A process in the process pool sent a malformed message (" +
                            std::string(e.what()) +
                            "), the process pool is not usable anymore: "
                            "worker pid " +
                            std::to_string(w.pid));
  }
}

std::string ProcessPoolExecutor::Impl::worker_death(const Worker& w) const {
  std::string out =
      "A process in the process pool was terminated abruptly while the future was running "
      "or pending: worker pid " +
      std::to_string(w.pid) + " " +
      (w.status ? internal::describe_wait_status(*w.status) : "ended (exit status unknown)");
  if (w.status && WIFEXITED(*w.status) && WEXITSTATUS(*w.status) == internal::kExitOutsideTask) {
    out += " (an error outside any task, reported on its stderr)";
  }
  return out;
}

// Handles workers whose channel closed. Returns false once the pool is broken.
bool ProcessPoolExecutor::Impl::check_closed_workers() {
  for (std::size_t i = 0; i < workers_.size();) {
    Worker& w = *workers_[i];
    if (!w.channel.closed()) {
      ++i;
      continue;
    }
    const bool retired = dispatcher_.given_last_task(w.load) && w.load.in_flight.empty() &&
                         w.status && WIFEXITED(*w.status) && WEXITSTATUS(*w.status) == 0;
    if (retired) {
      workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(i));
      bool stopping;
      {
        std::lock_guard lock(mu_);
        stopping = gate_.shut_down() && pending_.empty();
      }
      if (!stopping) {
        server_->request_spawn();
        ++spawning_;
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
    if (const int signal = stop_signal_.load()) return stop_now(signal);
    dispatch();
    for (auto& w : workers_) w->channel.write();
    if (!check_closed_workers()) return;

    bool idle_and_stopping;
    bool awaiting_status = false;
    for (const auto& w : workers_)
      awaiting_status = awaiting_status || (w->channel.closed() && !w->status);
    {
      std::lock_guard lock(mu_);
      bool busy = spawning_ > 0;
      for (const auto& w : workers_) busy = busy || !w->load.in_flight.empty();
      idle_and_stopping = gate_.shut_down() && pending_.empty() && !busy;
      // Tasks queued since dispatch() ran were queued while this thread was awake, without
      // a wake-up: take them before sleeping.
      if (submitted_ != dispatch_seen_) continue;
      io_sleeping_ = !idle_and_stopping;
    }
    if (idle_and_stopping) return stop_gracefully();

    fds.clear();
    fds.push_back({wake_fd_.get(), POLLIN, 0});
    fds.push_back({server_->control_fd(), POLLIN, 0});
    for (const auto& w : workers_) {
      const bool closed = w->channel.closed();
      const auto events = static_cast<short>(POLLIN | (w->channel.has_output() ? POLLOUT : 0));
      fds.push_back({closed ? -1 : w->channel.fd(), closed ? short{0} : events, 0});
    }
    const int timeout_ms = awaiting_status ? 20 : -1;
    int ready;
    {
      const ForkGate::Outside asleep;
      ready = ::poll(fds.data(), fds.size(), timeout_ms);
    }
    {
      std::lock_guard lock(mu_);
      io_sleeping_ = false;
      wake_pending_ = false;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (fds[0].revents & POLLIN) {
      std::uint64_t n;
      while (::read(wake_fd_.get(), &n, sizeof n) > 0) {
      }
    }
    // Workers first: a result that arrived before its worker's exit report is kept.
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      const short revents = fds[i + 2].revents;
      if (revents & (POLLIN | POLLHUP | POLLERR)) read_worker(*workers_[i]);
      if (revents & POLLOUT) workers_[i]->channel.write();
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      std::optional<ForkServer::Event> e = server_->read_event();
      if (!e) throw BrokenProcessPool("the process pool's fork server process died");
      handle_event(std::move(*e));
    }
  }
}

void ProcessPoolExecutor::Impl::stop_gracefully() noexcept {
  // Closing a worker's channel tells it to exit once idle, which it is by now.
  for (auto& w : workers_) w->channel.shut_down();
  std::vector<pid_t> pids;
  for (const auto& w : workers_) pids.push_back(w->pid);
  await_exits(pids, Clock::now() + kExitGrace);
  server_->close();  // kills any worker still there, and reaps the server
  workers_.clear();
}

// Reads the fork server's events until each of `pids` has exited or the deadline passes.
// Returns false if the server is gone.
bool ProcessPoolExecutor::Impl::await_exits(const std::vector<pid_t>& pids,
                                            Clock::time_point deadline) {
  auto exited = [&] {
    return std::all_of(pids.begin(), pids.end(), [&](pid_t pid) {
      return std::any_of(workers_.begin(), workers_.end(),
                         [&](const auto& w) { return w->pid == pid && w->status; });
    });
  };
  while (!exited()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return true;
    pollfd p{server_->control_fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    std::optional<ForkServer::Event> e = server_->read_event();
    if (!e) return false;
    handle_event(std::move(*e));
  }
  return true;
}

// terminate_workers() / kill_workers(), on the I/O thread: shutdown() has already cancelled
// what was pending. Signals the workers, keeps the results that reached this process before
// they died, fails the rest with the worker's end, and closes the server (which SIGKILLs any
// worker still there).
void ProcessPoolExecutor::Impl::stop_now(int signal) noexcept {
  std::vector<pid_t> pids;
  for (const auto& w : workers_) {
    if (!w->status) pids.push_back(w->pid);
  }
  try {
    server_->signal_workers(signal);
    const auto grace = signal == SIGKILL ? kExitGrace : kTerminateGrace;
    if (await_exits(pids, Clock::now() + grace) && signal != SIGKILL) {
      server_->signal_workers(SIGKILL);
      await_exits(pids, Clock::now() + kExitGrace);
    }
  } catch (const std::exception&) {
    // The server is gone: close() below reaps it, and its workers died with it.
  }
  const std::string by = signal == SIGKILL ? "kill_workers()" : "terminate_workers()";
  for (auto& w : workers_) {
    try {
      if (!w->channel.closed()) read_worker(*w);
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
    fail_all(w->load.in_flight, std::make_exception_ptr(BrokenProcessPool(message)));
  }
  server_->close();
  workers_.clear();
}

void ProcessPoolExecutor::Impl::break_pool(const std::string& message) noexcept {
  std::deque<PoolTask> orphans;
  {
    std::lock_guard lock(mu_);
    gate_.break_with(message);
    orphans.swap(pending_);
  }
  const auto error = std::make_exception_ptr(BrokenProcessPool(message));
  for (auto& w : workers_) fail_all(w->load.in_flight, error);
  fail_all(orphans, error);
  server_->close();  // kills the remaining workers, and reaps the server
  workers_.clear();
}

}  // namespace futures
