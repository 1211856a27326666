// The statistics behind every figure the harness prints: medians, spread, confidence intervals
// (distribution-free for a median, bootstrap for a ratio of medians) and the Mann-Whitney U test.
// Pure functions of their inputs; the bootstrap is seeded, so a report is reproducible.
#ifndef REPORT_STATISTICS_HPP_
#define REPORT_STATISTICS_HPP_

#include <cstdint>
#include <vector>

namespace stats {

// A two-sided confidence interval; both ends NaN when the sample cannot give one.
struct Interval {
  double low;
  double high;
};

// A point estimate with its interval and the number of observations behind it.
struct Estimate {
  double value;
  Interval ci;
  int n;
};

// The median (the mean of the two middle values for an even count); NaN for an empty sample.
double median(std::vector<double> values);

// Sample standard deviation / mean; 0 for fewer than two values or a mean of 0.
double cv(const std::vector<double>& values);

// The distribution-free interval of the median: the order statistics (x_(k), x_(n+1-k)) with
// the largest k whose binomial coverage is at least `level`. NaN ends when even (min, max)
// covers less (fewer than 6 values at 95%). Throws std::invalid_argument unless 0 < level < 1.
Interval median_interval(std::vector<double> values, double level = 0.95);

// median(numerator) / median(denominator) with a percentile-bootstrap interval; `n` is the
// smaller sample's size.
// Paired: the two samples are the same rounds (equal length, index k of each measured in round
// k) and are resampled together, which cancels what a round shares (a slow host for a minute);
// unpaired: each is resampled on its own. NaN interval for fewer than 3 values on either side
// (or a resample whose ratio is 0/0). The ends are the (1 - level)/2 and (1 + level)/2
// quantiles of the resampled ratios, linear between order statistics (NumPy's default).
// `resamples` and `seed` fix the result: equal inputs give equal outputs on every platform (the
// draws come from SplitMix64). Throws std::invalid_argument for paired samples of unequal
// lengths, a level outside (0, 1) or fewer than one resample.
Estimate ratio_of_medians(const std::vector<double>& numerator,
                          const std::vector<double>& denominator, bool paired, double level = 0.95,
                          int resamples = 10000, std::uint64_t seed = 0x5eed5eedULL);

// Mann-Whitney U test, two-sided. `u` is the statistic of `a` (the count of pairs a_i > b_j,
// ties counting one half); `p` the p-value: exact for samples without ties of up to 50 values
// together (SciPy's mannwhitneyu with method="exact"), otherwise the normal approximation with
// tie and continuity correction (method="asymptotic"). SciPy's own "auto" differs: it is exact
// only while one sample has at most 8 values. p is NaN (and u 0) when either sample is empty.
struct UTest {
  double u;
  double p;
};
UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace stats

#endif  // REPORT_STATISTICS_HPP_
