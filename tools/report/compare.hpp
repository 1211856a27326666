// Compare: two runs side by side, row by row (b against a), with a significance test, and a
// verdict that can gate a change: a row is slower when the Mann-Whitney U test says its times
// differ (p < alpha) and b's median is more than `threshold` above a's.
#ifndef REPORT_COMPARE_HPP_
#define REPORT_COMPARE_HPP_

#include <string>

#include "report/model.hpp"

namespace report {

struct CompareOptions {
  double threshold = 0.05;  // the smallest change that counts, as a fraction of a's median
  double alpha = 0.05;      // the U test's significance level
};

struct Comparison {
  std::string text;  // the table and the counts, for the terminal
  int slower = 0;    // rows significantly slower beyond the threshold: regressions
  int faster = 0;
  int same = 0;
  int unmatched = 0;  // rows in only one of the two runs
};

// Rows match by what they are: workload, executor, workers, jobs and job size for job-set
// rows; benchmark and arguments for the others. Job-set rows show both speedups with their
// intervals too.
Comparison compare(const Report& a, const std::string& a_name, const Report& b,
                   const std::string& b_name, const CompareOptions& options = {});

}  // namespace report

#endif  // REPORT_COMPARE_HPP_
