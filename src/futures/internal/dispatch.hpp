// The process pool's dispatch policy: which worker takes the next pending task, learned from
// what tasks cost in this process. Used by the pool's I/O thread only. Not for users.
#ifndef FUTURES_INTERNAL_DISPATCH_HPP_
#define FUTURES_INTERNAL_DISPATCH_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "futures/codec.hpp"
#include "futures/internal/state.hpp"

namespace futures::internal {

// Fills a task's future from its encoded result, in the parent.
using Completer = void (*)(StateBase*, Reader&);

// One submitted task, from submit() until its reply.
struct PoolTask {
  StateBase* state;  // one reference, released when the task is completed or dropped
  Completer completer;
  std::vector<std::byte> frame;      // moved out when sent to a worker
  std::uint64_t kind = 0;            // its invoker and function: tasks alike in cost
  std::chrono::nanoseconds cost{0};  // its estimated time when it was sent
  bool ahead = false;                // sent ahead, and the task before it not answered yet
  bool guessed = false;              // its kind had no estimate yet when it was sent
};

// What one worker holds, as the dispatch sees it.
struct WorkerLoad {
  std::deque<PoolTask> in_flight;       // sent to the worker, answered in this order
  std::size_t window = 1;               // tasks it may hold in flight
  std::chrono::nanoseconds backlog{0};  // the estimated time of the tasks in flight
  int guessed = 0;                      // tasks in flight sent without an estimate
  Clock::time_point busy_since;         // since when it has had tasks in flight without a break
  long assigned = 0;                    // tasks given over its life
};

// A task's kind, read from its frame (as ProcessPoolExecutor::begin_task() lays it out): its
// invoker and function. Tasks of one kind are taken to cost alike.
std::uint64_t task_kind(const std::vector<std::byte>& frame);

// The policy (dispatch.cpp explains it). Not thread-safe: the I/O thread owns it.
class Dispatcher {
 public:
  // max_tasks: max_tasks_per_child, after which a worker takes nothing more.
  explicit Dispatcher(std::optional<int> max_tasks) : max_tasks_(max_tasks) {}

  // Whether `load`'s worker has been given its last task under max_tasks_per_child.
  bool given_last_task(const WorkerLoad& load) const noexcept {
    return max_tasks_ && load.assigned >= *max_tasks_;
  }

  // A worker choose() picked for a task, with what commit() needs of the choice.
  struct Choice {
    std::size_t index;                                 // into the workers given to choose()
    std::optional<std::chrono::nanoseconds> estimate;  // the task kind's; none: not measured
    bool ahead;  // sent ahead: the worker is busy and has no room by the estimates
  };

  // Which of `open` (the workers whose channel is open) takes a task of `kind` now; nullopt:
  // none, the task waits.
  std::optional<Choice> choose(std::uint64_t kind, std::span<WorkerLoad* const> open,
                               Clock::time_point now) const;
  // Commits `task` to `load`, the worker `choice` names, and returns the frame to send.
  std::vector<std::byte> commit(WorkerLoad& load, PoolTask task, const Choice& choice,
                                Clock::time_point now);
  // The oldest task in flight on `load`, answered: taken off, and its kind noted for learn().
  PoolTask answered(WorkerLoad& load);
  // After a read of a worker's replies: updates the estimates from the ones answered() noted.
  void learn(WorkerLoad& load);

 private:
  std::optional<std::chrono::nanoseconds> estimate(std::uint64_t kind) const;
  // Whether `load`'s worker would take a task estimated at `cost` without queuing it behind
  // more than the target backlog.
  static bool has_room(const WorkerLoad& load, std::chrono::nanoseconds cost);

  const std::optional<int> max_tasks_;
  std::unordered_map<std::uint64_t, std::chrono::nanoseconds> costs_;  // per task kind
  std::vector<std::uint64_t> answered_;  // kinds of the replies since the last learn()
  int sent_ahead_ = 0;                   // tasks with `ahead` set: 0 or 1
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_DISPATCH_HPP_
