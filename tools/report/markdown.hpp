// Outputs, Markdown: the summary that the report prints and saves as results/summary.md.
// Speedup tables with 95% intervals and noise flags, the worker-count recommendation, C++
// against CPython per byte, the job-size sweeps, the overhead rows, the machine context, the
// flagged rows with their reasons, and links to the plots.
#ifndef REPORT_MARKDOWN_HPP_
#define REPORT_MARKDOWN_HPP_

#include <string>
#include <vector>

#include "report/model.hpp"

namespace report {

// The plots to link from the summary, as paths relative to the summary's directory.
struct SummaryLinks {
  std::vector<std::string> plots;
};

// The summary as Markdown. Ends with "N of M rows flagged noisy." (or "No row flagged ...").
std::string summary(const Report& report, const SummaryLinks& links = {});

}  // namespace report

#endif  // REPORT_MARKDOWN_HPP_
