// Medians, spread, intervals and the Mann-Whitney U test (see statistics.hpp). The bootstrap
// draws its indices from SplitMix64 so that a seed gives the same interval on every platform.
#include "report/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Interval kNoInterval{kNaN, kNaN};

// The exact Mann-Whitney distribution is used up to this many values together.
constexpr std::size_t kExactMaxTotal = 50;

void check_level(const char* function, double level) {
  if (!(level > 0.0 && level < 1.0)) {
    throw std::invalid_argument(std::string(function) + ": level " + std::to_string(level) +
                                " is not between 0 and 1 (exclusive)");
  }
}

// SplitMix64 (Steele, Lea and Flood): small, fast, and the same sequence everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // An index in [0, n) for n < 2^32, from the high 32 bits (Lemire's multiply-shift; the bias
  // is below n / 2^32).
  std::size_t below(std::uint32_t n) {
    return static_cast<std::size_t>(((next() >> 32) * n) >> 32);
  }

 private:
  std::uint64_t state_;
};

// The median of a resample of `values` given as counts (count[i] copies of values[i]), walked in
// ascending `order` instead of sorted: O(n) a resample.
double median_of_counts(const std::vector<double>& values, const std::vector<std::size_t>& order,
                        const std::vector<std::uint32_t>& count) {
  const std::size_t n = values.size();
  const std::size_t lower = (n - 1) / 2;  // the ranks of the middle value(s)
  const std::size_t upper = n / 2;
  std::size_t seen = 0;
  double low_value = 0.0;
  for (std::size_t i : order) {
    if (seen <= lower && seen + count[i] > lower) low_value = values[i];
    seen += count[i];
    if (seen > upper) return lower == upper ? low_value : (low_value + values[i]) / 2;
  }
  return kNaN;  // unreachable: the counts add up to n
}

// Indices of `values` in ascending order of value.
std::vector<std::size_t> ascending_order(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  return order;
}

// The q-quantile of `values` (linear between order statistics, NumPy's default); reorders them.
double quantile(std::vector<double>& values, double q) {
  const double h = q * static_cast<double>(values.size() - 1);
  const auto k = static_cast<std::size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  const double low = values[k];
  if (k + 1 >= values.size()) return low;
  const double high =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(k) + 1, values.end());
  return low + (h - static_cast<double>(k)) * (high - low);
}

// The number of arrangements of m values of one sample and n of the other with each U from 0 to
// m * n: the coefficients of the Gaussian binomial [m + n choose m], built as the product over
// i = 1..m of (1 - q^(n+i)) / (1 - q^i). Truncated at degree i * n, every partial product has
// integer coefficients of magnitude below 2 C(m + n, m) <= 2 C(50, 25) < 2^48.
std::vector<std::int64_t> u_counts(std::size_t m, std::size_t n) {
  std::vector<std::int64_t> c(m * n + 1, 0);
  c[0] = 1;
  for (std::size_t i = 1; i <= m; ++i) {
    const std::size_t degree = i * n;  // of the product up to i
    for (std::size_t k = degree; k >= n + i; --k) c[k] -= c[k - (n + i)];
    for (std::size_t k = i; k <= degree; ++k) c[k] += c[k - i];
  }
  return c;
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return kNaN;
  const std::size_t n = values.size();
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (n % 2 == 1) return *mid;
  const double below = *std::max_element(values.begin(), mid);
  return (below + *mid) / 2;
}

double cv(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  const double n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (mean == 0.0) return 0.0;
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / (n - 1)) / mean;
}

Interval median_interval(std::vector<double> values, double level) {
  check_level("median_interval", level);
  const std::size_t n = values.size();
  // Coverage of (x_(k), x_(n+1-k)) is 1 - 2 P(B <= k - 1) for B ~ Binomial(n, 1/2); the
  // probabilities are summed in log space so that large n does not underflow.
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double n_plus_1 = static_cast<double>(n) + 1;
  double tail = 0.0;  // P(B <= k - 1)
  std::size_t best = 0;
  for (std::size_t k = 1; 2 * k <= n; ++k) {
    const double i = static_cast<double>(k - 1);
    tail += std::exp(std::lgamma(n_plus_1) - std::lgamma(i + 1) - std::lgamma(n_plus_1 - i) +
                     log_half_n);
    if (1.0 - 2.0 * tail < level) break;
    best = k;
  }
  if (best == 0) return kNoInterval;
  std::sort(values.begin(), values.end());
  return {values[best - 1], values[n - best]};
}

Estimate ratio_of_medians(const std::vector<double>& numerator,
                          const std::vector<double>& denominator, bool paired, double level,
                          int resamples, std::uint64_t seed) {
  check_level("ratio_of_medians", level);
  if (resamples < 1) {
    throw std::invalid_argument("ratio_of_medians: resamples " + std::to_string(resamples) +
                                " is not a positive count");
  }
  if (paired && numerator.size() != denominator.size()) {
    throw std::invalid_argument("ratio_of_medians: paired samples need equal lengths, got " +
                                std::to_string(numerator.size()) + " and " +
                                std::to_string(denominator.size()));
  }
  const std::size_t n = numerator.size();
  const std::size_t m = denominator.size();
  Estimate e{median(numerator) / median(denominator), kNoInterval,
             static_cast<int>(std::min(n, m))};
  if (n < 3 || m < 3) return e;
  if (n > std::numeric_limits<std::uint32_t>::max() ||
      m > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("ratio_of_medians: more than 2^32 - 1 values");
  }

  const std::vector<std::size_t> num_order = ascending_order(numerator);
  const std::vector<std::size_t> den_order = ascending_order(denominator);
  std::vector<std::uint32_t> num_count(n);
  std::vector<std::uint32_t> den_count(m);
  std::vector<double> ratios(static_cast<std::size_t>(resamples));
  SplitMix64 rng(seed);
  for (double& ratio : ratios) {
    std::fill(num_count.begin(), num_count.end(), 0U);
    for (std::size_t k = 0; k < n; ++k) ++num_count[rng.below(static_cast<std::uint32_t>(n))];
    if (!paired) {
      std::fill(den_count.begin(), den_count.end(), 0U);
      for (std::size_t k = 0; k < m; ++k) ++den_count[rng.below(static_cast<std::uint32_t>(m))];
    }
    ratio = median_of_counts(numerator, num_order, num_count) /
            median_of_counts(denominator, den_order, paired ? num_count : den_count);
    if (std::isnan(ratio)) return e;  // a zero median over a zero one: no ordering to take
  }
  const double alpha = 1.0 - level;
  e.ci.low = quantile(ratios, alpha / 2);
  e.ci.high = quantile(ratios, 1.0 - alpha / 2);
  return e;
}

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n1 = a.size();
  const std::size_t n2 = b.size();
  if (n1 == 0 || n2 == 0) return {0.0, kNaN};

  // Midranks of the pooled sample; `ties` collects sum(t^3 - t) over groups of equal values.
  std::vector<std::pair<double, bool>> pooled;  // (value, from a)
  pooled.reserve(n1 + n2);
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0.0;
  double ties = 0.0;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    std::size_t from_a = 0;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) from_a += pooled[j++].second;
    const double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    rank_sum_a += midrank * static_cast<double>(from_a);
    const double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
  const double d1 = static_cast<double>(n1);
  const double d2 = static_cast<double>(n2);
  const double u1 = rank_sum_a - d1 * (d1 + 1) / 2;
  const double u = std::max(u1, d1 * d2 - u1);  // two-sided: the larger tail

  double p;
  if (ties == 0.0 && n1 + n2 <= kExactMaxTotal) {
    const std::vector<std::int64_t> c = u_counts(std::min(n1, n2), std::max(n1, n2));
    const auto from = static_cast<std::size_t>(u);
    const std::int64_t total = std::accumulate(c.begin(), c.end(), std::int64_t{0});
    const std::int64_t upper =
        std::accumulate(c.begin() + static_cast<std::ptrdiff_t>(from), c.end(), std::int64_t{0});
    p = 2.0 * static_cast<double>(upper) / static_cast<double>(total);
  } else {
    const double total = d1 + d2;
    const double sd = std::sqrt(d1 * d2 / 12 * ((total + 1) - ties / (total * (total - 1))));
    const double excess = u - d1 * d2 / 2 - 0.5;  // continuity correction
    // All values equal: no spread, and u sits at its mean.
    p = sd == 0.0 ? 1.0 : std::erfc(excess / sd / std::sqrt(2.0));  // 2 * P(Z > z)
  }
  return {u1, std::min(p, 1.0)};
}

}  // namespace stats
