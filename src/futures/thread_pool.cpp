#include "futures/thread_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "futures/internal/cpus.hpp"
#include "futures/internal/pool_gate.hpp"
#include "futures/internal/spin.hpp"
#include "futures/internal/spin_mutex.hpp"
#include "futures/internal/task_queue.hpp"
#include "futures/internal/work_semaphore.hpp"

namespace futures {
namespace {

// Python's min(32, (os.process_cpu_count() or 1) + 4): the CPUs this process may use.
int default_thread_workers() { return std::min(32, internal::process_cpu_count() + 4); }

int checked_workers(std::optional<int> max_workers) {
  if (!max_workers) return default_thread_workers();
  return internal::checked_positive("ThreadPoolExecutor", "max_workers", *max_workers);
}

std::string default_prefix() {
  static std::atomic<int> pools{0};
  return "ThreadPool-" + std::to_string(pools.fetch_add(1, std::memory_order_relaxed));
}

// Calls fn(task) for each task of a chain that TaskQueue::take_all() returned, then drops the
// task's reference and the chain's retired sentinel. Outside the pool's locks: fn runs done
// callbacks, which may call into the pool.
template <class Fn>
void finish_taken(const internal::TaskQueue::Taken& taken, Fn fn) {
  for (internal::StateBase* t = taken.first; t != nullptr;) {
    internal::StateBase* next =
        t == taken.last ? nullptr : t->next_.load(std::memory_order_acquire);
    fn(t);
    t->release();
    t = next;
  }
  if (taken.retired != nullptr) taken.retired->release();
}

}  // namespace

// The pool's insides. Two locks split it: submitters take submit_mu_ (the queue's tail, the
// gate, the list of workers) and workers take take_mu_ (the queue's head, the task each
// worker runs), so a submit never waits for a worker taking a task, nor the other way round.
// Each queued task has a token in work_: a worker takes a token, then the oldest task.
// Lock order: submit_mu_, then take_mu_.
class ThreadPoolExecutor::Impl {
 public:
  Impl(int max_workers, std::string name_prefix, std::function<void()> initializer)
      : max_workers_(max_workers),
        name_prefix_(std::move(name_prefix)),
        initializer_(std::move(initializer)) {
    workers_.reserve(static_cast<std::size_t>(max_workers_));
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  void enqueue(internal::StateBase* task);
  void shutdown(bool wait, bool cancel_futures);
  // The destructor's first step: requests the stop_token of the running tasks, and of every
  // task that starts from now on.
  void stop();

 private:
  struct Worker {
    internal::StateBase* current = nullptr;  // guarded by take_mu_: the task it runs
    int index = 0;
    std::thread thread;
  };

  void spawn_locked();
  bool take_idle_credit() noexcept;
  void worker_main(Worker* self);
  void initializer_failed(const std::string& what);
  // The tasks workers are running, each with a reference for the caller. Under both locks.
  std::vector<internal::StateBase*> running_locked();
  static void request_stop(const std::vector<internal::StateBase*>& running) noexcept;

  const int max_workers_;
  const std::string name_prefix_;
  const std::function<void()> initializer_;

  internal::SpinMutex submit_mu_;
  internal::PoolGate<BrokenThreadPool> gate_;     // guarded by submit_mu_
  std::vector<std::unique_ptr<Worker>> workers_;  // guarded by submit_mu_
  // Python's _idle_semaphore, kept while some workers are still to start: a worker adds one
  // after each task, and a submit that takes one starts no thread.
  std::atomic<int> idle_credits_{0};
  std::atomic<bool> all_started_{false};  // every worker started: no credits counted

  alignas(64) internal::SpinMutex take_mu_;
  bool stopping_ = false;  // guarded by take_mu_; the destructor began

  internal::TaskQueue queue_;     // its tail under submit_mu_, its head under take_mu_
  internal::WorkSemaphore work_;  // a token per queued task, one per worker at shutdown
  std::mutex join_mu_;            // serialises the joining in concurrent shutdown(wait) calls
};

ThreadPoolExecutor::Impl::~Impl() {
  // Left only when a task destroyed its own pool and its thread was the last to take tasks:
  // nobody will run these any more.
  internal::TaskQueue::Taken left;
  {
    std::lock_guard lock(submit_mu_);
    std::lock_guard take(take_mu_);
    left = queue_.take_all();
  }
  finish_taken(left, [](internal::StateBase* t) { t->cancel(); });
  // Only a task destroying its own pool leaves its own thread unjoined; that thread must not
  // touch the pool again, which is the task's responsibility.
  for (const auto& w : workers_) {
    if (w->thread.joinable()) w->thread.detach();
  }
}

void ThreadPoolExecutor::Impl::enqueue(internal::StateBase* task) {
  {
    std::lock_guard lock(submit_mu_);
    if (!gate_.open()) {
      task->release();  // the queue's and the worker's references; the caller's future
      task->release();  // still holds one
      gate_.throw_refusal();
    }
    queue_.push(task);
    if (!all_started_.load(std::memory_order_relaxed) && !take_idle_credit()) spawn_locked();
  }
  work_.post();
}

bool ThreadPoolExecutor::Impl::take_idle_credit() noexcept {
  int credits = idle_credits_.load(std::memory_order_relaxed);
  while (credits > 0) {
    if (idle_credits_.compare_exchange_weak(credits, credits - 1, std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void ThreadPoolExecutor::Impl::spawn_locked() {
  if (workers_.size() >= static_cast<std::size_t>(max_workers_)) return;
  auto worker = std::make_unique<Worker>();
  worker->index = static_cast<int>(workers_.size());
  Worker* w = worker.get();
  workers_.push_back(std::move(worker));
  try {
    w->thread = std::thread([this, w] { worker_main(w); });
  } catch (...) {
    workers_.pop_back();  // the queued task waits for the workers that exist
    if (workers_.empty()) throw;
    return;
  }
  if (workers_.size() == static_cast<std::size_t>(max_workers_)) {
    all_started_.store(true, std::memory_order_relaxed);
  }
}

void ThreadPoolExecutor::Impl::worker_main(Worker* self) {
  const std::string name = name_prefix_ + "_" + std::to_string(self->index);
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  if (initializer_) {
    try {
      initializer_();
    } catch (const std::exception& e) {
      return initializer_failed(e.what());
    } catch (...) {
      return initializer_failed("unknown exception");
    }
  }
  // The task run last keeps its reference until `current` stops naming it (the destructor
  // may take a reference through `current` meanwhile) and outside the lock, since dropping it
  // may destroy a result, which is user code.
  internal::StateBase* finished = nullptr;
  auto release_finished = [this, self, &finished] {
    if (finished == nullptr) return;
    {
      std::lock_guard lock(take_mu_);
      self->current = nullptr;  // it has named `finished` since that task was taken
    }
    std::exchange(finished, nullptr)->release();
  };
  for (;;) {
    if (!work_.try_acquire_for(internal::kIdleSpin)) {
      release_finished();  // before sleeping, so that no result waits for this thread
      work_.acquire();
    }
    internal::StateBase* task;
    internal::StateBase* retired = nullptr;
    bool stopping;
    {
      std::lock_guard lock(take_mu_);
      task = queue_.pop(retired);
      self->current = task;
      stopping = stopping_;
    }
    if (retired != nullptr) retired->release();
    if (finished != nullptr) std::exchange(finished, nullptr)->release();
    if (task == nullptr) {
      // A token with no task is shutdown's (or the breaking initializer's): the queue is
      // empty and stays so, since the gate refuses new tasks.
      std::lock_guard lock(submit_mu_);
      assert(!gate_.open() && "a work token with no task while the pool is open");
      break;
    }
    if (stopping) task->request_stop();
    task->run();
    finished = task;
    if (!all_started_.load(std::memory_order_relaxed)) {
      idle_credits_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

std::vector<internal::StateBase*> ThreadPoolExecutor::Impl::running_locked() {
  std::vector<internal::StateBase*> running;
  for (const auto& w : workers_) {
    if (w->current != nullptr) {
      w->current->add_ref();
      running.push_back(w->current);
    }
  }
  return running;
}

void ThreadPoolExecutor::Impl::request_stop(
    const std::vector<internal::StateBase*>& running) noexcept {
  for (internal::StateBase* task : running) {
    task->request_stop();
    task->release();
  }
}

void ThreadPoolExecutor::Impl::stop() {
  std::vector<internal::StateBase*> running;
  {
    std::lock_guard lock(submit_mu_);
    std::lock_guard take(take_mu_);
    stopping_ = true;
    running = running_locked();
  }
  request_stop(running);
}

void ThreadPoolExecutor::Impl::initializer_failed(const std::string& what) {
  internal::TaskQueue::Taken queued;
  std::exception_ptr error;
  std::size_t workers;
  {
    std::lock_guard lock(submit_mu_);
    error = std::make_exception_ptr(BrokenThreadPool(gate_.break_with(
        "A thread initializer failed, the thread pool is not usable anymore: " + what)));
    {
      std::lock_guard take(take_mu_);
      queued = queue_.take_all();
    }
    workers = workers_.size();
  }
  work_.post(static_cast<int>(workers));  // each worker finds the queue empty, and leaves
  // Outside the locks: failing a future runs its done callbacks, which may call into the pool.
  finish_taken(queued, [&error](internal::StateBase* t) { t->fail_if_not_done(error); });
}

void ThreadPoolExecutor::Impl::shutdown(bool wait, bool cancel_futures) {
  internal::TaskQueue::Taken queued;
  std::vector<internal::StateBase*> running;
  std::size_t workers;
  {
    std::lock_guard lock(submit_mu_);
    gate_.shut();
    if (cancel_futures) {
      std::lock_guard take(take_mu_);
      queued = queue_.take_all();
      running = running_locked();
    }
    workers = workers_.size();
  }
  // Every worker runs what is queued, then takes one of these tokens, finds the queue empty
  // and leaves.
  work_.post(static_cast<int>(workers));
  request_stop(running);
  // Outside the locks: cancelling runs done callbacks, which may submit (and get
  // ShutdownError) or shut the pool down again.
  finish_taken(queued, [](internal::StateBase* t) { t->cancel(); });
  if (!wait) return;
  std::lock_guard join_lock(join_mu_);
  // No worker is added after shutdown, so the vector is stable from here on.
  for (const auto& w : workers_) {
    // A task shutting down its own pool cannot wait for its own thread: the destructor will.
    if (w->thread.joinable() && w->thread.get_id() != std::this_thread::get_id()) {
      w->thread.join();
    }
  }
}

// ---------------------------------------------------------------------------------------------

namespace {
ThreadPoolOptions with_workers(int max_workers) {
  ThreadPoolOptions options;
  options.max_workers = max_workers;
  return options;
}
}  // namespace

ThreadPoolExecutor::ThreadPoolExecutor(int max_workers)
    : ThreadPoolExecutor(with_workers(max_workers)) {}

ThreadPoolExecutor::ThreadPoolExecutor(ThreadPoolOptions options)
    : max_workers_(checked_workers(options.max_workers)),
      impl_(std::make_unique<Impl>(max_workers_,
                                   options.thread_name_prefix.empty()
                                       ? default_prefix()
                                       : std::move(options.thread_name_prefix),
                                   std::move(options.initializer))) {}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  impl_->stop();
  impl_->shutdown(/*wait=*/true, /*cancel_futures=*/false);
}

void ThreadPoolExecutor::enqueue(internal::StateBase* task) { impl_->enqueue(task); }

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  impl_->shutdown(wait, cancel_futures);
}

}  // namespace futures
