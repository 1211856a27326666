// The thread pool against oneTBB (overhead_bench rows): each per-task row of the thread pool
// beside oneTBB's task_group with as many workers, as the ratio of their times per task with a
// 95% interval.
#ifndef REPORT_PEERS_HPP_
#define REPORT_PEERS_HPP_

#include <vector>

#include "report/model.hpp"
#include "report/statistics.hpp"

namespace report {

// One thread-pool row (executor "thread", a tasks= or items= argument) and oneTBB's row
// (executor "tbb") with the same workers= argument, from the same record.
struct PeerRatio {
  const OverheadRow* ours = nullptr;
  const OverheadRow* peer = nullptr;
  bool paired = false;  // bootstrapped over the rounds both ran
  // Our time per task over oneTBB's: 1 is its cost, below 1 cheaper.
  stats::Estimate time_ratio{};
  bool flagged = false;  // either row is flagged noisy (assess() must have run)
};

// Every such pair in the report's overhead rows, in the order ours appear.
std::vector<PeerRatio> tbb_ratios(const Report& r);

}  // namespace report

#endif  // REPORT_PEERS_HPP_
