#include "report/quality.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace report {
namespace {

// The reasons that the load counters and the spread give, for any row.
void check_surroundings(const Load& load, const Stats& time, double canary_reference,
                        const Thresholds& limits, std::vector<std::string>& reasons) {
  const double other = load.machine_busy - load.cores_busy;
  if (!std::isnan(other) && other > limits.other_load) {
    reasons.push_back(fmt::format("other programs busy {:.2f} cores", other));
  }
  // An MPI job with more ranks than CPUs: its ranks take turns on the cores.
  if (load.ranks > load.cpus && load.cpus > 0) {
    reasons.push_back(
        fmt::format("oversubscribed: {:.0f} ranks on {:.0f} CPUs", load.ranks, load.cpus));
  }
  if (!std::isnan(load.machine_steal) && load.machine_steal > limits.steal) {
    reasons.push_back(fmt::format("steal {:.2f} cores", load.machine_steal));
  }
  const double half_width = (time.ci.high - time.ci.low) / 2 / time.median;
  if (!std::isnan(half_width)) {
    if (half_width > limits.spread) {
      reasons.push_back(fmt::format("interval ±{:.0f}%", half_width * 100));
    }
  } else if (time.repetitions > 1 && time.cv > limits.spread) {
    reasons.push_back(fmt::format("cv {:.0f}%", time.cv * 100));
  }
  if (!std::isnan(load.canary_seconds) && canary_reference > 0 &&
      load.canary_seconds > limits.canary * canary_reference) {
    reasons.push_back(fmt::format("canary {:.2f}x slower", load.canary_seconds / canary_reference));
  }
}

}  // namespace

std::string Quality::text() const {
  return ok() ? std::string("ok") : fmt::format("noisy: {}", fmt::join(reasons, "; "));
}

void assess(Report& r, const Thresholds& limits) {
  // The median canary of each record's rows: what the host gives a row that nothing disturbs.
  std::map<int, std::vector<double>> canaries;
  auto note = [&](int source, double canary) {
    if (!std::isnan(canary) && canary > 0) canaries[source].push_back(canary);
  };
  for (const auto& row : r.speedup) note(row.source, row.load.canary_seconds);
  for (const auto& row : r.overhead) note(row.source, row.load.canary_seconds);
  std::map<int, double> reference;
  for (const auto& [source, values] : canaries) reference[source] = stats::median(values);
  auto reference_of = [&](int source) {
    const auto it = reference.find(source);
    return it == reference.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
  };

  for (auto& row : r.speedup) {
    row.quality.reasons.clear();
    check_surroundings(row.load, row.time, reference_of(row.source), limits, row.quality.reasons);
    const int ideal = row.ideal();
    const bool above = std::isnan(row.speedup.ci.low)
                           ? row.speedup.value > limits.impossible * ideal
                           : row.speedup.ci.low > ideal;
    if (!std::isnan(row.speedup.value) && above) {
      row.quality.reasons.push_back(
          fmt::format("speedup {:.2f}x is above min(workers, {}) = {}: impossible",
                      row.speedup.value, row.io_bound ? "jobs" : "cores", ideal));
    }
  }
  // Then the rows measured against a noisy baseline (the baselines' own flags are final now).
  std::vector<bool> noisy_base(r.speedup.size(), false);
  for (std::size_t k = 0; k < r.speedup.size(); ++k) {
    const int base = r.speedup[k].baseline;
    noisy_base[k] = base >= 0 && static_cast<std::size_t>(base) != k &&
                    !r.speedup[static_cast<std::size_t>(base)].quality.ok();
  }
  for (std::size_t k = 0; k < r.speedup.size(); ++k) {
    if (noisy_base[k]) r.speedup[k].quality.reasons.emplace_back("baseline noisy");
  }
  for (auto& row : r.overhead) {
    row.quality.reasons.clear();
    check_surroundings(row.load, row.time, reference_of(row.source), limits, row.quality.reasons);
  }
}

FlagCount count_flags(const Report& r) {
  FlagCount c;
  for (const auto& row : r.speedup) {
    ++c.rows;
    if (!row.quality.ok()) ++c.flagged;
  }
  for (const auto& row : r.overhead) {
    ++c.rows;
    if (!row.quality.ok()) ++c.flagged;
  }
  return c;
}

}  // namespace report
