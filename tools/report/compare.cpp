#include "report/compare.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "report/text.hpp"

namespace report {
namespace {

// One row of either kind, as compare sees it.
struct Entry {
  const std::vector<double>* seconds;
  double median;
  const stats::Estimate* speedup;  // null for an overhead row
  bool noisy;
  std::string cpu;
};

std::map<std::string, Entry> entries_of(const Report& r) {
  std::map<std::string, Entry> out;
  for (const auto& row : r.speedup) {
    out.emplace(fmt::format("{} {} x{} {} jobs of {}", row.workload, row.executor, row.workers,
                            row.jobs, human_bytes(std::round(row.job_bytes))),
                Entry{&row.seconds, row.time.median, &row.speedup, !row.quality.ok(),
                      row.context.cpu_model});
  }
  for (const auto& row : r.overhead) {
    out.emplace(
        fmt::format("{} {}", row.benchmark, row.args),
        Entry{&row.seconds, row.time.median, nullptr, !row.quality.ok(), row.context.cpu_model});
  }
  return out;
}

}  // namespace

Comparison compare(const Report& a, const std::string& a_name, const Report& b,
                   const std::string& b_name, const CompareOptions& options) {
  Comparison c;
  const auto ea = entries_of(a);
  const auto eb = entries_of(b);
  std::string& out = c.text;
  out += fmt::format("a: {}\nb: {}\n", a_name, b_name);
  if (!ea.empty() && !eb.empty() && ea.begin()->second.cpu != eb.begin()->second.cpu) {
    out += fmt::format(
        "warning: a ran on '{}', b on '{}': times from two machines do not "
        "compare; speedups only roughly\n",
        ea.begin()->second.cpu, eb.begin()->second.cpu);
  }
  out += fmt::format(
      "verdict: slower/faster when the U test gives p < {:g} and the medians "
      "differ by more than {:g}%; ⚠ a row flagged noisy in a or b\n\n",
      options.alpha, options.threshold * 100);
  out += fmt::format("{:<52} {:>10} {:>10} {:>26} {:>7}  {}\n", "row", "a median", "b median",
                     "b/a [95% interval]", "p", "verdict");
  for (const auto& [key, x] : ea) {
    const auto it = eb.find(key);
    if (it == eb.end()) {
      out += fmt::format("{:<52} {:>10} {:>10} {:>26} {:>7}  only in a\n", key,
                         human_seconds(x.median), "-", "-", "-");
      ++c.unmatched;
      continue;
    }
    const Entry& y = it->second;
    const stats::Estimate ratio = stats::ratio_of_medians(*y.seconds, *x.seconds, false);
    const stats::UTest u = stats::mann_whitney_u(*x.seconds, *y.seconds);
    const bool significant = !std::isnan(u.p) && u.p < options.alpha;
    std::string verdict = "same";
    if (significant && ratio.value > 1 + options.threshold) {
      verdict = "SLOWER";
      ++c.slower;
    } else if (significant && ratio.value < 1 - options.threshold) {
      verdict = "faster";
      ++c.faster;
    } else {
      ++c.same;
    }
    if (x.noisy || y.noisy) verdict += " ⚠";
    if (x.speedup != nullptr && y.speedup != nullptr && !std::isnan(x.speedup->value)) {
      verdict += fmt::format(" (speedup {} -> {})", times_with_interval(*x.speedup),
                             times_with_interval(*y.speedup));
    }
    const std::string ratio_text =
        std::isnan(ratio.ci.low)
            ? fmt::format("{:.3f} [n/a]", ratio.value)
            : fmt::format("{:.3f} [{:.3f}, {:.3f}]", ratio.value, ratio.ci.low, ratio.ci.high);
    out += fmt::format("{:<52} {:>10} {:>10} {:>26} {:>7}  {}\n", key, human_seconds(x.median),
                       human_seconds(y.median), ratio_text,
                       std::isnan(u.p) ? std::string("-") : fmt::format("{:.2g}", u.p), verdict);
  }
  for (const auto& [key, y] : eb) {
    if (ea.contains(key)) continue;
    out += fmt::format("{:<52} {:>10} {:>10} {:>26} {:>7}  only in b\n", key, "-",
                       human_seconds(y.median), "-", "-");
    ++c.unmatched;
  }
  out += fmt::format("\n{} slower, {} faster, {} the same, {} in one run only\n", c.slower,
                     c.faster, c.same, c.unmatched);
  return c;
}

}  // namespace report
