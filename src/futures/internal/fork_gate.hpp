// The fork gate: keeps the library's own threads out of the allocator while a fork server is
// forked, so the child's copy of the heap is never taken with one of its locks held.
#ifndef FUTURES_INTERNAL_FORK_GATE_HPP_
#define FUTURES_INTERNAL_FORK_GATE_HPP_

#include <sys/types.h>

#include <condition_variable>
#include <mutex>

namespace futures::internal {

// glibc's malloc is made consistent across fork(); AddressSanitizer's allocator (as GCC 12
// ships it) is not: a child forked while another thread refills its allocation cache inherits
// that lock held, and its first allocation of that size blocks for ever. The process pools'
// I/O threads therefore stay "inside" the gate while awake and step out only to sleep in
// poll(); fork() waits until no such thread is inside, holds new entries off, and forks.
// Threads the library does not own are not covered. Thread-safe.
class ForkGate {
 public:
  static ForkGate& instance();

  // The calling thread steps inside (blocking while a fork is under way), or back out.
  void enter();
  void leave();
  // Steps inside for a thread about to be started (blocking while a fork is under way), whose
  // startup allocates before it can enter: that thread's Inside(kAdopt) then takes the entry
  // over. undo_for_new_thread() withdraws it if the thread could not be started.
  void enter_for_new_thread();
  void undo_for_new_thread();

  // fork(2) once no thread is inside (the calling thread's own entries aside), or after one
  // second (an I/O thread may be running a done-callback that waits on the caller), with
  // entries held off until it returns. In the child the gate starts afresh, empty and open.
  pid_t fork();

  // A started thread's stay inside, as a scope: takes over the entry enter_for_new_thread()
  // made for it, and leaves at destruction.
  class Inside {
   public:
    enum Adopt { kAdopt };
    explicit Inside(Adopt) { ForkGate::instance().adopt(); }
    ~Inside() { ForkGate::instance().leave(); }
    Inside(const Inside&) = delete;
    Inside& operator=(const Inside&) = delete;
  };
  // A step outside, as a scope (around a blocking wait): leave() now, enter() at destruction.
  class Outside {
   public:
    Outside() { ForkGate::instance().leave(); }
    ~Outside() { ForkGate::instance().enter(); }
    Outside(const Outside&) = delete;
    Outside& operator=(const Outside&) = delete;
  };

 private:
  void adopt();

  std::mutex mu_;
  std::condition_variable changed_;
  int inside_ = 0;  // entries of all threads
  bool forking_ = false;
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_FORK_GATE_HPP_
