#include "futures/internal/fork_gate.hpp"

#include <unistd.h>

#include <chrono>
#include <new>

namespace futures::internal {
namespace {

constexpr std::chrono::seconds kMaxWait{1};

// Entries this thread holds (the forking thread's own do not keep the gate busy).
thread_local int t_entries = 0;

}  // namespace

ForkGate& ForkGate::instance() {
  static ForkGate gate;
  return gate;
}

void ForkGate::enter() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !forking_; });
  ++inside_;
  ++t_entries;
}

void ForkGate::enter_for_new_thread() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !forking_; });
  ++inside_;
}

void ForkGate::undo_for_new_thread() {
  {
    std::lock_guard lock(mu_);
    --inside_;
  }
  changed_.notify_all();
}

void ForkGate::adopt() {
  std::lock_guard lock(mu_);
  ++t_entries;
}

void ForkGate::leave() {
  {
    std::lock_guard lock(mu_);
    --inside_;
    --t_entries;
  }
  changed_.notify_all();
}

pid_t ForkGate::fork() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !forking_; });
  forking_ = true;
  // An I/O thread running a done-callback runs user code, which may wait on this thread:
  // past kMaxWait the fork goes ahead rather than risk that deadlock.
  changed_.wait_for(lock, kMaxWait, [&] { return inside_ <= t_entries; });
  // mu_ stays held across fork(), so the child's copy of the gate is in a known state.
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child's only thread is this one; the parent's waiters are not there. Start afresh
    // (the copies of mu_, locked, and of changed_ belong to threads the child does not have).
    lock.release();
    new (&mu_) std::mutex;
    new (&changed_) std::condition_variable;
    inside_ = 0;
    t_entries = 0;
    forking_ = false;
    return pid;
  }
  forking_ = false;
  lock.unlock();
  changed_.notify_all();
  return pid;
}

}  // namespace futures::internal
