#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "futures/errors.hpp"
#include "futures/internal/pool_gate.hpp"
#include "futures/internal/remote_exception.hpp"
#include "futures/mpi.hpp"
#include "program_image.hpp"
#include "session.hpp"

namespace futures {
namespace {

using internal::MpiSession;
using internal::StateBase;

using Clock = std::chrono::steady_clock;
// Tasks per rank at once when tasks are short, under kShortTask on average (see dispatch()).
constexpr std::size_t kShortDepth = 8;
constexpr Clock::duration kShortTask = std::chrono::milliseconds(1);

MpiSession& session_for_pool() {
  MpiSession* s = internal::mpi_session();
  if (s == nullptr) {
    throw std::logic_error(
        "MPIPoolExecutor: no MPI session: construct a futures::MPIRuntime first, in main()");
  }
  if (s->rank != 0) {
    throw std::logic_error("MPIPoolExecutor: rank " + std::to_string(s->rank) +
                           " is a worker rank: only rank 0 makes pools (workers call serve())");
  }
  return *s;
}

int checked_workers(const MpiSession& s, std::optional<int> max_workers) {
  const int available = s.size - 1;
  if (available == 0) {
    throw std::invalid_argument(
        "MPIPoolExecutor: the MPI job has no worker rank: start the program with mpirun -n N, "
        "N >= 2 (rank 0 runs main, ranks 1..N-1 run tasks)");
  }
  if (!max_workers) return available;
  internal::checked_positive("MPIPoolExecutor", "max_workers", *max_workers);
  if (*max_workers > available) {
    throw std::invalid_argument("MPIPoolExecutor: max_workers is " + std::to_string(*max_workers) +
                                " but the MPI job has " + std::to_string(available) +
                                " worker rank(s) (mpirun -n " + std::to_string(s.size) + ")");
  }
  return *max_workers;
}

MPIPoolOptions with_workers(std::optional<int> max_workers) {
  MPIPoolOptions options;
  options.max_workers = max_workers;
  return options;
}

}  // namespace

// The submitting side (enqueue, shutdown) under mu_; the manager thread owns the worker slots
// and is the only thread that calls MPI while the pool lives.
class MPIPoolExecutor::Impl {
 public:
  Impl(MpiSession& s, int workers) : s_(s), slots_(static_cast<std::size_t>(workers)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() = default;  // the manager thread is joined by shutdown(wait)

  void start() {
    manager_ = std::thread([this] { manager_main(); });
  }
  int max_workers() const noexcept { return static_cast<int>(slots_.size()); }
  bool on_manager_thread() const noexcept {
    return manager_.get_id() == std::this_thread::get_id();
  }

  void enqueue(StateBase* state, Completer completer, std::vector<std::byte> frame) {
    {
      std::lock_guard lock(mu_);
      if (!gate_.open()) {
        state->release();  // the executor's reference; the caller's future still holds one
        gate_.throw_refusal();
      }
      incoming_.push_back(Task{state, completer, std::move(frame)});
    }
    cv_.notify_one();
  }

  void shutdown(bool wait, bool cancel_futures) {
    std::deque<Task> cancelled;
    {
      std::lock_guard lock(mu_);
      gate_.shut();
      if (cancel_futures) cancelled.swap(incoming_);
      cancel_queued_ = cancel_queued_ || cancel_futures;
    }
    cv_.notify_one();
    for (Task& t : cancelled) {
      t.state->cancel();
      t.state->release();
    }
    if (wait && manager_.joinable() && manager_.get_id() != std::this_thread::get_id()) {
      std::call_once(joined_, [this] { manager_.join(); });
    }
  }

 private:
  struct Task {
    StateBase* state;
    Completer completer;
    std::vector<std::byte> frame;
  };
  // A task sent to a rank, until its reply comes.
  struct InFlight {
    Task task;
    MPI_Request send = MPI_REQUEST_NULL;  // its message
    Clock::time_point sent;
  };
  // A worker rank as the manager sees it: the tasks sent to it, in order (a rank answers in
  // order, and MPI does not reorder messages between two ranks).
  struct Slot {
    std::deque<InFlight> tasks;
    Clock::time_point last_reply;
  };

  void manager_main() noexcept;
  // Sends queued tasks to ranks with room; returns whether it sent any.
  bool dispatch();
  // The first queued task not cancelled, marked running; cancelled ones are dropped.
  std::optional<Task> next_runnable();
  // Takes one reply if one has come; returns whether it took one.
  bool receive();
  void complete(Slot& slot, const std::vector<std::byte>& reply);
  void fail_all(const std::string& reason) noexcept;

  MpiSession& s_;
  std::vector<Slot> slots_;  // slots_[i] is rank i + 1
  int busy_ = 0;             // tasks in flight
  // How long a task takes on a rank, from its reply and when the rank could start it: an
  // exponentially weighted mean (zero, unknown, until the first reply).
  Clock::duration service_{};
  std::deque<Task> queued_;  // the manager's: taken from incoming_, not yet sent

  std::mutex mu_;
  std::condition_variable cv_;
  internal::PoolGate<BrokenExecutor> gate_;  // under mu_
  std::deque<Task> incoming_;                // under mu_
  bool cancel_queued_ = false;               // under mu_: shutdown(cancel_futures) was called

  std::thread manager_;
  std::once_flag joined_;
};

void MPIPoolExecutor::Impl::manager_main() noexcept {
  internal::MpiBackoff backoff;
  try {
    for (;;) {
      bool cancel = false;
      {
        std::unique_lock lock(mu_);
        if (incoming_.empty() && queued_.empty() && busy_ == 0) {
          if (gate_.shut_down()) return;
          cv_.wait(lock, [this] { return !incoming_.empty() || gate_.shut_down(); });
        }
        while (!incoming_.empty()) {
          queued_.push_back(std::move(incoming_.front()));
          incoming_.pop_front();
        }
        cancel = cancel_queued_;
      }
      if (cancel) {
        for (Task& t : queued_) {
          t.state->cancel();
          t.state->release();
        }
        queued_.clear();
      }
      const bool sent = dispatch();
      bool got = false;
      while (busy_ > 0 && receive()) got = true;
      if (sent || got) {
        backoff.reset();
        continue;
      }
      const auto delay = backoff.next();
      if (delay.count() > 0) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, delay, [this] { return !incoming_.empty(); });
      }
    }
  } catch (const std::exception& e) {
    fail_all(std::string("the MPI pool's manager failed: ") + e.what());
  } catch (...) {
    fail_all("the MPI pool's manager failed");
  }
}

bool MPIPoolExecutor::Impl::dispatch() {
  bool sent = false;
  // Each idle rank first. Short tasks, then, travel up to kShortDepth deep while more tasks
  // wait than there are ranks, so that a rank finds its next one as it finishes one instead of
  // waiting for the manager's next poll. Longer ones (or before the first reply tells) go to
  // idle ranks only: one sent ahead would wait behind another while a rank may be idle.
  const bool short_tasks = service_.count() > 0 && service_ < kShortTask;
  const std::size_t depth = short_tasks ? kShortDepth : 1;
  for (std::size_t level = 1; level <= depth && !queued_.empty(); ++level) {
    if (level > 1 && queued_.size() < slots_.size()) break;
    for (std::size_t i = 0; i < slots_.size() && !queued_.empty(); ++i) {
      Slot& slot = slots_[i];
      if (slot.tasks.size() >= level) continue;
      std::optional<Task> task = next_runnable();
      if (!task) break;
      InFlight& f =
          slot.tasks.emplace_back(InFlight{std::move(*task), MPI_REQUEST_NULL, Clock::now()});
      MPI_Isend(f.task.frame.data(), static_cast<int>(f.task.frame.size()), MPI_BYTE,
                static_cast<int>(i) + 1, internal::kTagTask, s_.comm, &f.send);
      ++busy_;
      sent = true;
    }
  }
  return sent;
}

std::optional<MPIPoolExecutor::Impl::Task> MPIPoolExecutor::Impl::next_runnable() {
  while (!queued_.empty()) {
    Task task = std::move(queued_.front());
    queued_.pop_front();
    // Python's rule: once handed to a worker, a task is running and can no longer be
    // cancelled. Cancelled ones are dropped here.
    if (task.state->set_running_or_notify_cancel()) return task;
    task.state->release();
  }
  return std::nullopt;
}

bool MPIPoolExecutor::Impl::receive() {
  int ready = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, internal::kTagReply, s_.comm, &ready, &status);
  if (!ready) return false;
  int bytes = 0;
  MPI_Get_count(&status, MPI_BYTE, &bytes);
  std::vector<std::byte> reply(static_cast<std::size_t>(bytes));
  MPI_Recv(reply.data(), bytes, MPI_BYTE, status.MPI_SOURCE, internal::kTagReply, s_.comm,
           MPI_STATUS_IGNORE);
  const auto index = static_cast<std::size_t>(status.MPI_SOURCE - 1);
  if (status.MPI_SOURCE < 1 || index >= slots_.size() || slots_[index].tasks.empty()) {
    throw DecodeError("a reply from rank " + std::to_string(status.MPI_SOURCE) +
                      ", which runs no task of this pool");
  }
  complete(slots_[index], reply);
  return true;
}

void MPIPoolExecutor::Impl::complete(Slot& slot, const std::vector<std::byte>& reply) {
  InFlight& front = slot.tasks.front();
  MPI_Wait(&front.send, MPI_STATUS_IGNORE);  // done: the rank has answered it
  Task task = std::move(front.task);
  const auto now = Clock::now();
  const auto took = now - std::max(front.sent, slot.last_reply);
  service_ = service_.count() == 0 ? took : (service_ * 3 + took) / 4;
  slot.last_reply = now;
  slot.tasks.pop_front();
  --busy_;
  try {
    Reader r(reply);
    const auto kind = r.get<std::uint8_t>();
    if (kind == internal::kResult) {
      task.completer(task.state, r);
    } else if (kind == internal::kError) {
      const internal::ExceptionRecord record = internal::decode_record(r);
      if (r.remaining() != 0) throw DecodeError("trailing bytes after an exception");
      task.state->set_exception(internal::rebuild_exception(record));
    } else {
      throw DecodeError("an unknown reply kind");
    }
  } catch (const DecodeError& e) {
    task.state->fail_if_not_done(std::make_exception_ptr(
        BrokenExecutor(std::string("a worker rank sent a malformed reply: ") + e.what())));
  }
  task.state->release();
}

void MPIPoolExecutor::Impl::fail_all(const std::string& reason) noexcept {
  std::deque<Task> incoming;
  try {
    std::lock_guard lock(mu_);
    gate_.break_with(reason);
    incoming.swap(incoming_);
  } catch (...) {
  }
  const auto error = std::make_exception_ptr(BrokenExecutor(reason));
  auto fail = [&error](Task& t) {
    t.state->fail_if_not_done(error);
    t.state->release();
  };
  for (Task& t : incoming) fail(t);
  for (Task& t : queued_) fail(t);
  queued_.clear();
  for (Slot& slot : slots_) {
    for (InFlight& f : slot.tasks) fail(f.task);
    slot.tasks.clear();
  }
  busy_ = 0;
}

MPIPoolExecutor::MPIPoolExecutor() : MPIPoolExecutor(MPIPoolOptions{}) {}

MPIPoolExecutor::MPIPoolExecutor(int max_workers) : MPIPoolExecutor(with_workers(max_workers)) {}

MPIPoolExecutor::MPIPoolExecutor(MPIPoolOptions options) {
  MpiSession& s = session_for_pool();
  const int workers = checked_workers(s, options.max_workers);
  if (!s.mismatch.empty()) throw BrokenExecutor("MPIPoolExecutor: " + s.mismatch);
  if (s.pool_alive.exchange(true)) {
    throw std::logic_error(
        "MPIPoolExecutor: one pool at a time per process (they share the worker ranks); shut "
        "the other down and destroy it first");
  }
  try {
    impl_ = std::make_unique<Impl>(s, workers);
    impl_->start();
  } catch (...) {
    impl_.reset();
    s.pool_alive.store(false);
    throw;
  }
}

MPIPoolExecutor::~MPIPoolExecutor() {
  if (!impl_) return;
  impl_->shutdown(/*wait=*/true, /*cancel_futures=*/false);
  if (impl_->on_manager_thread()) {
    // A done callback destroys its own pool: the manager finishes on its own; its state stays.
    static_cast<void>(impl_.release());
    return;
  }
  impl_.reset();
  internal::mpi_session()->pool_alive.store(false);
}

void MPIPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  impl_->shutdown(wait, cancel_futures);
}

int MPIPoolExecutor::max_workers() const noexcept { return impl_->max_workers(); }

void MPIPoolExecutor::begin_task(std::vector<std::byte>& frame, internal::Invoker invoker,
                                 std::uintptr_t fn) {
  Writer w(frame);
  w.put(internal::code_offset(reinterpret_cast<std::uintptr_t>(invoker), "the task's invoker"));
  w.put(internal::code_offset(fn, "the function"));
}

void MPIPoolExecutor::enqueue(StateBase* state, Completer completer, std::vector<std::byte> frame) {
  if (frame.size() > internal::kMaxMessage) {
    state->release();
    throw std::length_error(
        "MPIPoolExecutor: a task's arguments over 2 GiB cannot cross to a rank");
  }
  impl_->enqueue(state, completer, std::move(frame));
}

}  // namespace futures
