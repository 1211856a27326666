// TaskQueue: a thread pool's queue of tasks, oldest first, linked through the tasks' own
// next_ pointers. Not for users.
#ifndef FUTURES_INTERNAL_TASK_QUEUE_HPP_
#define FUTURES_INTERNAL_TASK_QUEUE_HPP_

#include <atomic>
#include <cassert>

#include "futures/internal/state.hpp"

namespace futures::internal {

// Michael and Scott's two-lock queue: the head is always a sentinel node (a stub at first, then
// the task taken last), so push() touches only the tail and pop() only the head. The caller
// serialises pushes with one lock and pops with another; a push and a pop may run at once.
//
// References: push() takes over two of the task's references, one that the queue keeps for
// as long as the task is its sentinel and one that pop() hands to the taker. The sentinel a
// pop() or take_all() retires comes back to the caller to release after its locks, since
// dropping the last reference of a task destroys its result, which is user code.
class TaskQueue {
 public:
  TaskQueue() : head_(new State<void>()), tail_(head_) {}
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;
  ~TaskQueue() {
    assert(head_ == tail_ && "a queue destroyed with tasks in it");
    head_->release();
  }

  // Under the push lock.
  void push(StateBase* task) noexcept {
    task->next_.store(nullptr, std::memory_order_relaxed);
    tail_->next_.store(task, std::memory_order_release);
    tail_ = task;
  }

  // Under the pop lock: the oldest task with the taker's reference, or nullptr when empty.
  // `retired` gets the former sentinel (to release) when a task was taken.
  StateBase* pop(StateBase*& retired) noexcept {
    StateBase* task = head_->next_.load(std::memory_order_acquire);
    if (task == nullptr) return nullptr;
    retired = head_;
    head_ = task;
    return task;
  }

  // Every queued task, oldest first, linked through next_ from `first` to `last`.
  struct Taken {
    StateBase* first = nullptr;  // nullptr: the queue was empty
    StateBase* last = nullptr;
    StateBase* retired = nullptr;  // the former sentinel, to release
  };

  // Under both locks: empties the queue. Each task taken keeps the taker's reference.
  Taken take_all() noexcept {
    if (head_ == tail_) return {};
    Taken taken{head_->next_.load(std::memory_order_acquire), tail_, head_};
    for (StateBase* t = taken.first; t != tail_; t = t->next_.load(std::memory_order_acquire)) {
      t->release();  // the queue's reference; the taker's keeps the task alive
    }
    head_ = tail_;  // the newest task stays on as the sentinel, with the queue's reference
    return taken;
  }

 private:
  StateBase* head_;  // under the pop lock
  StateBase* tail_;  // under the push lock
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_TASK_QUEUE_HPP_
