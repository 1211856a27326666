#include "futures/internal/dispatch.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "futures/internal/frame.hpp"

namespace futures::internal {
namespace {

// What one worker may hold in flight: at most kMaxWindow tasks, and beyond its first task, no
// more than kTargetBacklog of estimated work.
constexpr std::size_t kMaxWindow = kMaxTasksInFlight;
constexpr std::chrono::nanoseconds kTargetBacklog = std::chrono::milliseconds(1);

}  // namespace

// Tasks wait in the pool's shared pending queue, not in a worker's, until some worker has
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
std::optional<Dispatcher::Choice> Dispatcher::choose(std::uint64_t kind,
                                                     std::span<WorkerLoad* const> open,
                                                     Clock::time_point now) const {
  const std::optional<std::chrono::nanoseconds> known = estimate(kind);
  const std::chrono::nanoseconds cost = known.value_or(kTargetBacklog);
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < open.size(); ++i) {
    const WorkerLoad& w = *open[i];
    if (given_last_task(w) || !has_room(w, cost)) continue;
    if (!best || w.backlog < open[*best]->backlog) best = i;
  }
  if (best) return Choice{*best, known, /*ahead=*/false};
  if (sent_ahead_ > 0 || cost >= kTargetBacklog) return std::nullopt;
  // Sent ahead: to the busy worker due to finish first.
  auto soonest = Clock::time_point::max();
  for (std::size_t i = 0; i < open.size(); ++i) {
    const WorkerLoad& w = *open[i];
    if (given_last_task(w) || w.in_flight.empty() || w.guessed > 0) continue;
    const auto due = w.busy_since + w.backlog;
    if (due > now && due < soonest) {
      soonest = due;
      best = i;
    }
  }
  if (!best) return std::nullopt;
  return Choice{*best, known, /*ahead=*/true};
}

std::vector<std::byte> Dispatcher::commit(WorkerLoad& load, PoolTask task, const Choice& choice,
                                          Clock::time_point now) {
  task.cost = choice.estimate.value_or(kTargetBacklog);
  task.guessed = !choice.estimate;
  task.ahead = choice.ahead;
  sent_ahead_ += task.ahead ? 1 : 0;
  assert(sent_ahead_ <= 1 && "more than one task sent ahead");
  if (load.in_flight.empty()) load.busy_since = now;
  load.guessed += task.guessed ? 1 : 0;
  load.backlog += task.cost;
  ++load.assigned;
  std::vector<std::byte> frame = std::move(task.frame);
  load.in_flight.push_back(std::move(task));
  return frame;
}

PoolTask Dispatcher::answered(WorkerLoad& load) {
  assert(!load.in_flight.empty() && "a reply with no task in flight");
  PoolTask task = std::move(load.in_flight.front());
  load.in_flight.pop_front();
  load.backlog -= task.cost;
  load.guessed -= task.guessed ? 1 : 0;
  assert(load.backlog.count() >= 0 && load.guessed >= 0 && "a worker's load went negative");
  answered_.push_back(task.kind);
  if (!load.in_flight.empty() && load.in_flight.front().ahead) {
    load.in_flight.front().ahead = false;  // it has started: the next may be sent ahead
    --sent_ahead_;
    assert(sent_ahead_ == 0 && "more than one task sent ahead");
  }
  return task;
}

void Dispatcher::learn(WorkerLoad& load) {
  if (answered_.empty()) return;
  const auto now = Clock::now();
  const auto busy = std::chrono::duration_cast<std::chrono::nanoseconds>(now - load.busy_since);
  load.busy_since = now;
  const auto per_task = busy / static_cast<long long>(answered_.size());
  for (std::size_t i = 0; i < answered_.size(); ++i) {
    if (i > 0 && answered_[i] == answered_[i - 1]) continue;  // one sample per run of a kind
    auto [it, fresh] = costs_.try_emplace(answered_[i], per_task);
    if (fresh) continue;
    // Quicker down than up: a sample is too long whenever the I/O thread was late to read.
    it->second =
        per_task < it->second ? (it->second + per_task) / 2 : (3 * it->second + per_task) / 4;
  }
  const std::size_t ceiling = std::min(2 * load.window, kMaxWindow);
  std::size_t fit = ceiling;
  if (per_task.count() > 0) fit = static_cast<std::size_t>(kTargetBacklog / per_task);
  load.window = std::clamp<std::size_t>(fit, std::max<std::size_t>(1, load.window / 2), ceiling);
  answered_.clear();
}

std::optional<std::chrono::nanoseconds> Dispatcher::estimate(std::uint64_t kind) const {
  const auto it = costs_.find(kind);
  if (it == costs_.end()) return std::nullopt;
  return it->second;
}

bool Dispatcher::has_room(const WorkerLoad& load, std::chrono::nanoseconds cost) {
  return load.in_flight.empty() ||
         (load.in_flight.size() < load.window && load.backlog + cost <= kTargetBacklog);
}

std::uint64_t task_kind(const std::vector<std::byte>& frame) {
  constexpr std::size_t kInvokerAt = kFrameHeader + 1 + sizeof(std::uint64_t);
  std::uint64_t invoker;
  std::uint64_t fn;
  std::memcpy(&invoker, frame.data() + kInvokerAt, sizeof invoker);
  std::memcpy(&fn, frame.data() + kInvokerAt + sizeof invoker, sizeof fn);
  return (invoker * 0x9E3779B97F4A7C15u) ^ fn;
}

}  // namespace futures::internal
