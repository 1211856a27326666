#include "futures/thread_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <utility>
#include <vector>

#include "futures/internal/cpus.hpp"

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

}  // namespace

// A worker thread. `signal` is the word it idles on: kIdle while it spins waiting for work,
// kAsleep once it sleeps in the kernel, kWoken when a submitter handed it work. Spinning
// first saves both sides a system call when work arrives within microseconds.
struct ThreadPoolExecutor::Worker {
  static constexpr std::uint32_t kIdle = 0;
  static constexpr std::uint32_t kWoken = 1;
  static constexpr std::uint32_t kAsleep = 2;

  std::atomic<std::uint32_t> signal{kIdle};
  Worker* next_idle = nullptr;             // guarded by the pool's mu_
  internal::StateBase* current = nullptr;  // guarded by the pool's mu_; the task it runs
  int index = 0;
  std::thread thread;

  void wake() noexcept {
    if (signal.exchange(kWoken, std::memory_order_release) == kAsleep) {
      internal::futex_wake(signal, 1);
    }
  }

  // Returns once woken: spins a little, then sleeps.
  void idle() noexcept {
    for (int i = 0; i < internal::kSpinIterations; ++i) {
      if (signal.load(std::memory_order_acquire) == kWoken) return;
      internal::cpu_relax();
    }
    std::uint32_t expected = kIdle;
    if (!signal.compare_exchange_strong(expected, kAsleep, std::memory_order_acquire)) return;
    while (signal.load(std::memory_order_acquire) != kWoken) {
      internal::futex_wait(signal, kAsleep, nullptr);
    }
  }
};

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
      name_prefix_(options.thread_name_prefix.empty() ? default_prefix()
                                                      : std::move(options.thread_name_prefix)),
      initializer_(std::move(options.initializer)) {
  workers_.reserve(static_cast<std::size_t>(max_workers_));
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  std::vector<internal::StateBase*> running;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    running = running_locked();
  }
  request_stop(running);
  shutdown(/*wait=*/true);
  // Only a task destroying its own pool leaves its own thread unjoined; that thread must not
  // touch the pool again, which is the task's responsibility.
  for (const auto& w : workers_) {
    if (w->thread.joinable()) w->thread.detach();
  }
}

void ThreadPoolExecutor::enqueue(internal::StateBase* task) {
  Worker* wake = nullptr;
  {
    std::lock_guard lock(mu_);
    if (!gate_.open()) {
      task->release();  // the queue's reference; the caller's future still holds one
      gate_.throw_refusal();
    }
    task->next_ = nullptr;
    if (tail_ == nullptr) {
      head_ = task;
    } else {
      tail_->next_ = task;
    }
    tail_ = task;
    if (idle_ != nullptr) {
      wake = idle_;
      idle_ = wake->next_idle;
    } else if (workers_.size() < static_cast<std::size_t>(max_workers_)) {
      spawn_locked();
    }
  }
  if (wake != nullptr) wake->wake();
}

void ThreadPoolExecutor::spawn_locked() {
  auto worker = std::make_unique<Worker>();
  worker->index = static_cast<int>(workers_.size());
  Worker* w = worker.get();
  workers_.push_back(std::move(worker));
  try {
    w->thread = std::thread([this, w] { worker_main(w); });
  } catch (...) {
    workers_.pop_back();  // the queued task waits for the workers that exist
    if (workers_.empty()) throw;
  }
}

internal::StateBase* ThreadPoolExecutor::pop_locked() noexcept {
  assert((head_ == nullptr) == (tail_ == nullptr) && "the queue's ends disagree");
  internal::StateBase* task = head_;
  if (task != nullptr) {
    head_ = task->next_;
    if (head_ == nullptr) tail_ = nullptr;
  }
  return task;
}

void ThreadPoolExecutor::wake_all_idle_locked() noexcept {
  while (idle_ != nullptr) {
    Worker* w = idle_;
    idle_ = w->next_idle;
    w->wake();
  }
}

void ThreadPoolExecutor::worker_main(Worker* self) {
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
  std::unique_lock lock(mu_);
  // The task run last keeps its reference until the lock is released again: dropping it may
  // destroy a result, which is user code, and `current` may still name it until then.
  internal::StateBase* finished = nullptr;
  auto release_finished = [&finished] {
    if (finished != nullptr) std::exchange(finished, nullptr)->release();
  };
  for (;;) {
    if (gate_.broken()) break;
    if (internal::StateBase* task = pop_locked()) {
      self->current = task;
      const bool stopping = stopping_;
      lock.unlock();
      release_finished();
      if (stopping) task->request_stop();
      task->run();
      finished = task;
      lock.lock();
      self->current = nullptr;
      continue;
    }
    if (gate_.shut_down()) break;
    self->signal.store(Worker::kIdle, std::memory_order_relaxed);
    self->next_idle = idle_;
    idle_ = self;
    lock.unlock();
    release_finished();
    self->idle();
    lock.lock();
  }
  lock.unlock();
  release_finished();
}

std::vector<internal::StateBase*> ThreadPoolExecutor::running_locked() {
  std::vector<internal::StateBase*> running;
  for (const auto& w : workers_) {
    if (w->current != nullptr) {
      w->current->add_ref();
      running.push_back(w->current);
    }
  }
  return running;
}

void ThreadPoolExecutor::request_stop(const std::vector<internal::StateBase*>& running) noexcept {
  for (internal::StateBase* task : running) {
    task->request_stop();
    task->release();
  }
}

internal::StateBase* ThreadPoolExecutor::take_queue_locked() noexcept {
  internal::StateBase* queue = std::exchange(head_, nullptr);
  tail_ = nullptr;
  return queue;
}

void ThreadPoolExecutor::initializer_failed(const std::string& what) {
  internal::StateBase* queued;
  std::exception_ptr error;
  {
    std::lock_guard lock(mu_);
    error = std::make_exception_ptr(BrokenThreadPool(gate_.break_with(
        "A thread initializer failed, the thread pool is not usable anymore: " + what)));
    queued = take_queue_locked();
    wake_all_idle_locked();
  }
  // Outside the lock: failing a future runs its done callbacks, which may call into the pool.
  while (queued != nullptr) {
    internal::StateBase* next = queued->next_;
    queued->fail_if_not_done(error);
    queued->release();
    queued = next;
  }
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  internal::StateBase* queued = nullptr;
  std::vector<internal::StateBase*> running;
  {
    std::lock_guard lock(mu_);
    gate_.shut();
    if (cancel_futures) {
      queued = take_queue_locked();
      running = running_locked();
    }
    wake_all_idle_locked();
  }
  request_stop(running);
  // Outside the lock: cancelling runs done callbacks, which may submit (and get ShutdownError)
  // or shut the pool down again.
  while (queued != nullptr) {
    internal::StateBase* next = queued->next_;
    queued->cancel();
    queued->release();
    queued = next;
  }
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

}  // namespace futures
