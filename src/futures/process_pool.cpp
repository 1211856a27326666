#include "futures/process_pool.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>
#include <utility>

#include "futures/internal/cpus.hpp"
#include "futures/internal/fork_gate.hpp"
#include "futures/process_pool_impl.hpp"

namespace futures {
namespace {

using internal::ForkGate;
using internal::ForkServer;
using internal::PoolTask;
using internal::StateBase;

int checked_workers(std::optional<int> max_workers) {
  if (!max_workers) return internal::process_cpu_count();  // os.process_cpu_count()
  return internal::checked_positive("ProcessPoolExecutor", "max_workers", *max_workers);
}

std::optional<int> checked_max_tasks(std::optional<int> max_tasks) {
  if (max_tasks)
    internal::checked_positive("ProcessPoolExecutor", "max_tasks_per_child", *max_tasks);
  return max_tasks;
}

ProcessPoolOptions with_workers(int max_workers) {
  ProcessPoolOptions options;
  options.max_workers = max_workers;
  return options;
}

}  // namespace

void ProcessPoolExecutor::Impl::start() {
  server_ = std::make_unique<ForkServer>(config_);
  wake_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  for (int i = 0; i < max_workers_; ++i) server_->request_spawn();
  while (static_cast<int>(workers_.size()) < max_workers_) {
    std::optional<ForkServer::Event> e = server_->read_event();
    if (!e) throw BrokenProcessPool("the process pool's fork server died while starting workers");
    handle_event(std::move(*e));
  }
  ForkGate::instance().enter_for_new_thread();
  try {
    io_ = std::thread([this] { io_main(); });
  } catch (...) {
    ForkGate::instance().undo_for_new_thread();
    throw;
  }
}

void ProcessPoolExecutor::Impl::enqueue(StateBase* state, Completer completer,
                                        std::vector<std::byte> frame) {
  const std::uint64_t kind = internal::task_kind(frame);
  bool wake_io = false;
  {
    std::lock_guard lock(mu_);
    if (!gate_.open()) {
      state->release();  // the executor's reference; the caller's future still holds one
      gate_.throw_refusal();
    }
    pending_.push_back(PoolTask{state, completer, std::move(frame), kind});
    ++submitted_;
    if (io_sleeping_ && !wake_pending_) wake_io = wake_pending_ = true;
  }
  if (wake_io) wake();
}

void ProcessPoolExecutor::Impl::shutdown(bool wait, bool cancel_futures, int signal) {
  if (signal == SIGKILL) {
    stop_signal_.store(SIGKILL);
  } else if (signal != 0) {
    int none = 0;
    stop_signal_.compare_exchange_strong(none, signal);
  }
  std::deque<PoolTask> cancelled;
  {
    std::lock_guard lock(mu_);
    gate_.shut();
    if (cancel_futures) cancelled.swap(pending_);
  }
  for (PoolTask& t : cancelled) {
    t.state->cancel();
    t.state->release();
  }
  wake();
  if (!wait) return;
  std::lock_guard join_lock(join_mu_);
  // A done callback (on the I/O thread) shutting down its own pool cannot wait for that
  // thread: the destructor will.
  if (io_.joinable() && io_.get_id() != std::this_thread::get_id()) io_.join();
}

void ProcessPoolExecutor::Impl::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
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

ProcessPoolExecutor::~ProcessPoolExecutor() { shutdown(/*wait=*/true); }

int ProcessPoolExecutor::max_workers() const noexcept { return impl_->max_workers(); }

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
  impl_->enqueue(state, completer, std::move(frame));
}

void ProcessPoolExecutor::terminate_workers() {
  impl_->shutdown(/*wait=*/true, /*cancel_futures=*/true, SIGTERM);
}

void ProcessPoolExecutor::kill_workers() {
  impl_->shutdown(/*wait=*/true, /*cancel_futures=*/true, SIGKILL);
}

void ProcessPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  impl_->shutdown(wait, cancel_futures, /*signal=*/0);
}

}  // namespace futures
