// Stage 3, noise flags: whether each row's figures can be trusted, from what the record saw
// around it (other programs' load, steal, the canary), its spread, and whether it is possible
// at all. A row is "ok" or "noisy: <reasons>"; the outputs show the flag beside the figure.
#ifndef REPORT_QUALITY_HPP_
#define REPORT_QUALITY_HPP_

#include "report/model.hpp"

namespace report {

// Where a row stops being trusted. Each limit is a median over the row's repetitions.
struct Thresholds {
  double other_load = 0.10;  // cores busy with other programs: machine busy - own busy
  double steal = 0.10;       // cores taken by the hypervisor
  // The spread of the times: the half-width of the median's 95% interval relative to the
  // median, or, with too few repetitions for an interval, standard deviation / mean.
  double spread = 0.10;
  double canary = 1.10;  // the row's canary against the median canary of its record
  // A speedup beyond min(workers, cores): its interval lies wholly above; without an
  // interval, the estimate exceeds it by this factor.
  double impossible = 1.03;
};

// Fills every row's Quality. A job-set row whose baseline is noisy is noisy too ("baseline
// noisy"): its speedup rests on both.
void assess(Report& report, const Thresholds& limits = {});

// How many rows (job-set and overhead) are flagged, and how many there are.
struct FlagCount {
  int flagged = 0;
  int rows = 0;
};
FlagCount count_flags(const Report& report);

}  // namespace report

#endif  // REPORT_QUALITY_HPP_
