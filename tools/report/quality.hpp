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
  double steal = 0.05;       // cores taken by the hypervisor
  double cv = 0.10;          // standard deviation / mean of the times
  double canary = 1.10;      // the row's canary against the record's fastest row's canary
  double impossible = 1.03;  // speedup beyond min(workers, cores) by this factor
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
