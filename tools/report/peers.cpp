#include "report/peers.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace report {
namespace {

// `times` of the row, per iteration, as times per task: a row's per-task time is its time per
// iteration times one factor, the tasks of an iteration.
std::vector<double> per_task(const OverheadRow& row, std::vector<double> times) {
  const double scale = row.time.median > 0 ? row.per_task.value / row.time.median : 1;
  for (double& t : times) t *= scale;
  return times;
}

}  // namespace

std::vector<PeerRatio> tbb_ratios(const Report& r) {
  std::vector<PeerRatio> out;
  for (const auto& ours : r.overhead) {
    if (ours.executor != "thread" || ours.seconds.empty()) continue;
    if (arg_word(ours.args, "tasks").empty() && arg_word(ours.args, "items").empty()) continue;
    const std::string_view workers = arg_word(ours.args, "workers");
    if (workers.empty()) continue;
    const auto peer = std::find_if(r.overhead.begin(), r.overhead.end(), [&](const OverheadRow& o) {
      return o.executor == "tbb" && o.source == ours.source && !o.seconds.empty() &&
             arg_word(o.args, "workers") == workers;
    });
    if (peer == r.overhead.end()) continue;
    PeerRatio p;
    p.ours = &ours;
    p.peer = &*peer;
    const std::vector<int> rounds = shared_rounds(ours, *peer);
    const std::vector<double> our_times =
        per_task(ours, times_in_rounds(ours.seconds, ours.rounds, rounds));
    const std::vector<double> peer_times =
        per_task(*peer, times_in_rounds(peer->seconds, peer->rounds, rounds));
    p.paired = rounds.size() >= 3 && !our_times.empty() && !peer_times.empty();
    p.time_ratio = p.paired ? stats::ratio_of_medians(our_times, peer_times, true)
                            : stats::ratio_of_medians(per_task(ours, ours.seconds),
                                                      per_task(*peer, peer->seconds), false);
    p.flagged = !ours.quality.ok() || !peer->quality.ok();
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace report
