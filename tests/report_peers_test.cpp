// The report's thread pool against oneTBB: per-task time ratios paired by round, and their
// table in the summary.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "report/markdown.hpp"
#include "report/peers.hpp"
#include "report/report.hpp"

namespace {

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// An overhead_bench record: oneTBB's task_group and the thread pool's submit-then-result row,
// both of 1000 tasks at `workers`, in `rounds` rounds; ours takes `factor` times oneTBB's time
// in every round, and its round k + `ours_shift` is oneTBB's round k (with `ours_in_round_0`,
// every one of ours is numbered round 0). A round trip row (no tasks) has no pair.
std::string tbb_record(int rounds, double factor, int workers, int ours_shift = 0,
                       bool ours_in_round_0 = false) {
  std::string rows;
  auto add = [&rows](const std::string& name, const std::string& executor, int round, double ns) {
    if (!rows.empty()) rows += ",";
    rows += "{\"name\": \"" + name + "\", \"run_name\": \"" + name +
            "\", \"run_type\": \"iteration\", \"repetitions\": 9, \"repetition_index\": " +
            std::to_string(round) + ", \"iterations\": 1, \"real_time\": " + num(ns) +
            ", \"cpu_time\": " + num(ns) +
            ", \"time_unit\": \"ns\", \"seconds_per_task\": " + num(ns * 1e-12) +
            ", \"label\": \"executor=" + executor + "\"}";
  };
  const std::string args = "/workers:" + std::to_string(workers) + "/tasks:1000/real_time";
  for (int k = 0; k < rounds; ++k) {
    const double tbb = 100000 + 20000 * (k % 3);  // 100 to 140 ns a task
    add("BM_TBB_TaskGroup" + args, "tbb", k, tbb);
    add("BM_ThreadPool_SubmitThenResult" + args, "thread", ours_in_round_0 ? 0 : k + ours_shift,
        factor * tbb);
    add("BM_ThreadPool_RoundTrip/workers:2/real_time", "thread", k, 300);
  }
  return "{\"context\": {\"num_cpus\": 2}, \"benchmarks\": [" + rows + "]}";
}

TEST(ReportPeersTest, OurTimePerTaskOverOnetbbsIsPairedByRound) {
  const auto r = report::analyze({report::parse_record(tbb_record(9, 1.25, 2), "ov.json")});
  const auto ratios = report::tbb_ratios(r);
  ASSERT_EQ(ratios.size(), 1u);
  EXPECT_EQ(ratios[0].ours->benchmark, "BM_ThreadPool_SubmitThenResult");
  EXPECT_EQ(ratios[0].peer->benchmark, "BM_TBB_TaskGroup");
  EXPECT_TRUE(ratios[0].paired);
  EXPECT_EQ(ratios[0].time_ratio.n, 9);
  // 1.25 times oneTBB's time in every round: exactly 1.25, interval included.
  EXPECT_NEAR(ratios[0].time_ratio.value, 1.25, 1e-9);
  EXPECT_NEAR(ratios[0].time_ratio.ci.low, 1.25, 1e-9);
  EXPECT_NEAR(ratios[0].time_ratio.ci.high, 1.25, 1e-9);
}

TEST(ReportPeersTest, RowsOfNoSharedRoundsAreComparedUnpaired) {
  // Ours ran in rounds 9 to 17, oneTBB in 0 to 8: the same medians, nothing to pair.
  const auto r = report::analyze({report::parse_record(tbb_record(9, 0.8, 2, 9), "ov.json")});
  const auto ratios = report::tbb_ratios(r);
  ASSERT_EQ(ratios.size(), 1u);
  EXPECT_FALSE(ratios[0].paired);
  EXPECT_NEAR(ratios[0].time_ratio.value, 0.8, 1e-9);
}

TEST(ReportPeersTest, RowsWithRepeatedRoundNumbersAreComparedOverAllTheirTimes) {
  // Ours are all numbered round 0: nothing to pair, and each of its 9 times counts once.
  const auto r = report::analyze({report::parse_record(tbb_record(9, 0.8, 2, 0, true), "ov.json")});
  const auto ratios = report::tbb_ratios(r);
  ASSERT_EQ(ratios.size(), 1u);
  EXPECT_FALSE(ratios[0].paired);
  EXPECT_EQ(ratios[0].time_ratio.n, 9);
  EXPECT_NEAR(ratios[0].time_ratio.value, 0.8, 1e-9);
}

TEST(ReportPeersTest, OnlyRowsWithOnetbbAtTheirWorkersArePaired) {
  // oneTBB ran at 1 worker only: the 2-worker rows have no peer, and the table is left out.
  std::string record = tbb_record(9, 1.1, 1);
  const auto r = report::analyze({report::parse_record(record, "ov.json")});
  const auto ratios = report::tbb_ratios(r);
  ASSERT_EQ(ratios.size(), 1u);
  EXPECT_EQ(ratios[0].ours->args, "workers=1 tasks=1000");
  const auto none = report::analyze({report::parse_record(
      "{\"context\": {}, \"benchmarks\": [{\"name\": \"BM_ThreadPool_SubmitThenResult/"
      "workers:2/tasks:10/real_time\", \"run_name\": \"x\", \"run_type\": \"iteration\", "
      "\"iterations\": 1, \"real_time\": 5, \"cpu_time\": 5, \"time_unit\": \"ns\", "
      "\"label\": \"executor=thread\"}]}",
      "ov.json")});
  EXPECT_TRUE(report::tbb_ratios(none).empty());
  EXPECT_EQ(report::summary(none).find("## Thread pool against oneTBB"), std::string::npos);
}

TEST(ReportPeersTest, SummaryHasTheTableWithTheRatioAndItsInterval) {
  const auto r = report::analyze({report::parse_record(tbb_record(9, 1.25, 2), "ov.json")});
  const std::string summary = report::summary(r);
  EXPECT_NE(summary.find("## Thread pool against oneTBB"), std::string::npos) << summary;
  EXPECT_NE(summary.find("| BM_ThreadPool_SubmitThenResult | workers=2 tasks=1000 |"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("1.25× [1.25, 1.25]"), std::string::npos) << summary;
}

}  // namespace
