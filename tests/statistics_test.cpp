// The statistics against reference values computed independently (NumPy, SciPy and a complete
// enumeration of bootstrap resamples) by tools/report/make_statistics_fixtures.py, committed in
// tests/fixtures/statistics, and their edge cases: empty or short samples, bad arguments.
#include "report/statistics.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

using Row = std::map<std::string, std::string>;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(s);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

// The rows of a fixture, each keyed by the header's column names.
std::vector<Row> read_fixture(const std::string& name) {
  const std::string path = std::string(STATISTICS_FIXTURES_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read fixture " + path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line, ',');
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split(line, ',');
    if (fields.size() != header.size())
      throw std::runtime_error("bad line in " + path + ": " + line);
    Row row;
    for (std::size_t k = 0; k < header.size(); ++k) row[header[k]] = fields[k];
    rows.push_back(row);
  }
  if (rows.empty()) throw std::runtime_error("no rows in " + path);
  return rows;
}

double number(const std::string& s) {
  if (s == "nan") return std::nan("");
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) throw std::runtime_error("bad number " + s);
  return v;
}

std::vector<double> numbers(const std::string& s) {
  std::vector<double> out;
  for (const std::string& field : split(s, ' ')) out.push_back(number(field));
  return out;
}

TEST(StatisticsTest, MedianMatchesNumpy) {
  for (const Row& row : read_fixture("median_cv.csv")) {
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(stats::median(numbers(row.at("values"))), number(row.at("median")));
  }
}

TEST(StatisticsTest, CvMatchesNumpy) {
  for (const Row& row : read_fixture("median_cv.csv")) {
    SCOPED_TRACE(row.at("name"));
    const double expected = number(row.at("cv"));
    EXPECT_NEAR(stats::cv(numbers(row.at("values"))), expected, 1e-12 * std::abs(expected));
  }
}

TEST(StatisticsTest, MedianOfEmptySampleIsNaN) { EXPECT_TRUE(std::isnan(stats::median({}))); }

TEST(StatisticsTest, CvIsZeroBelowTwoValuesOrForZeroMean) {
  EXPECT_EQ(stats::cv({}), 0.0);
  EXPECT_EQ(stats::cv({5.0}), 0.0);
  EXPECT_EQ(stats::cv({-1.0, 1.0}), 0.0);
}

TEST(StatisticsTest, MedianIntervalMatchesBinomialOrderStatistics) {
  for (const Row& row : read_fixture("median_interval.csv")) {
    SCOPED_TRACE(row.at("name"));
    const stats::Interval ci =
        stats::median_interval(numbers(row.at("values")), number(row.at("level")));
    const double low = number(row.at("low"));
    const double high = number(row.at("high"));
    if (std::isnan(low)) {
      EXPECT_TRUE(std::isnan(ci.low));
      EXPECT_TRUE(std::isnan(ci.high));
    } else {
      EXPECT_EQ(ci.low, low);
      EXPECT_EQ(ci.high, high);
    }
  }
}

TEST(StatisticsTest, MedianIntervalIsNaNBelowSixValuesAt95) {
  const stats::Interval five = stats::median_interval({5, 1, 4, 2, 3});
  EXPECT_TRUE(std::isnan(five.low));
  EXPECT_TRUE(std::isnan(five.high));
  const stats::Interval none = stats::median_interval({});
  EXPECT_TRUE(std::isnan(none.low));
  EXPECT_TRUE(std::isnan(none.high));
  const stats::Interval six = stats::median_interval({6, 1, 5, 2, 4, 3});
  EXPECT_EQ(six.low, 1.0);
  EXPECT_EQ(six.high, 6.0);
}

TEST(StatisticsTest, MedianIntervalRejectsLevelOutsideZeroToOne) {
  EXPECT_THROW(stats::median_interval({1, 2, 3}, 0.0), std::invalid_argument);
  EXPECT_THROW(stats::median_interval({1, 2, 3}, 1.0), std::invalid_argument);
  EXPECT_THROW(stats::median_interval({1, 2, 3}, 95.0), std::invalid_argument);
}

void expect_mann_whitney_matches(const std::string& method) {
  int cases = 0;
  for (const Row& row : read_fixture("mann_whitney.csv")) {
    if (row.at("method") != method) continue;
    SCOPED_TRACE(row.at("name"));
    const stats::UTest t = stats::mann_whitney_u(numbers(row.at("a")), numbers(row.at("b")));
    EXPECT_EQ(t.u, number(row.at("u")));
    const double p = number(row.at("p"));
    EXPECT_NEAR(t.p, p, 1e-9 * p);
    ++cases;
  }
  EXPECT_GE(cases, 5);
}

TEST(StatisticsTest, MannWhitneyMatchesScipyExact) { expect_mann_whitney_matches("exact"); }

TEST(StatisticsTest, MannWhitneyMatchesScipyAsymptotic) {
  expect_mann_whitney_matches("asymptotic");
}

TEST(StatisticsTest, MannWhitneyUCountsPairsOfFirstSample) {
  const std::vector<double> a = {1, 5, 9};
  const std::vector<double> b = {2, 3, 4, 6};
  const stats::UTest ab = stats::mann_whitney_u(a, b);
  const stats::UTest ba = stats::mann_whitney_u(b, a);
  EXPECT_EQ(ab.u, 7.0);  // 5 beats three of b, 9 beats all four
  EXPECT_EQ(ba.u, 5.0);  // 3 * 4 - 7
  EXPECT_EQ(ab.p, ba.p);
}

TEST(StatisticsTest, MannWhitneyOfEmptySampleHasNaNP) {
  EXPECT_TRUE(std::isnan(stats::mann_whitney_u({}, {1.0, 2.0}).p));
  EXPECT_TRUE(std::isnan(stats::mann_whitney_u({1.0, 2.0}, {}).p));
}

TEST(StatisticsTest, RatioOfMediansMatchesExactBootstrap) {
  for (const Row& row : read_fixture("ratio_of_medians.csv")) {
    SCOPED_TRACE(row.at("name"));
    const stats::Estimate e = stats::ratio_of_medians(
        numbers(row.at("numerator")), numbers(row.at("denominator")), row.at("pairing") == "paired",
        number(row.at("level")), std::stoi(row.at("resamples")));
    EXPECT_EQ(e.value, number(row.at("value")));
    EXPECT_GE(e.ci.low, number(row.at("low_min")));
    EXPECT_LE(e.ci.low, number(row.at("low_max")));
    EXPECT_GE(e.ci.high, number(row.at("high_min")));
    EXPECT_LE(e.ci.high, number(row.at("high_max")));
  }
}

TEST(StatisticsTest, RatioOfMediansIsDeterministic) {
  std::vector<double> num;
  std::vector<double> den;
  for (int k = 0; k < 25; ++k) {
    num.push_back(2.0 + 0.1 * std::sin(1.3 * k));  // distinct values: a near-continuous spread
    den.push_back(1.0 + 0.05 * std::cos(0.7 * k));
  }
  for (bool paired : {false, true}) {
    SCOPED_TRACE(paired ? "paired" : "unpaired");
    const stats::Estimate first = stats::ratio_of_medians(num, den, paired);
    const stats::Estimate again = stats::ratio_of_medians(num, den, paired);
    EXPECT_EQ(first.value, again.value);
    EXPECT_EQ(first.ci.low, again.ci.low);
    EXPECT_EQ(first.ci.high, again.ci.high);
    EXPECT_EQ(first.n, 25);
    // The seed is what fixes the draws: another one moves the interval.
    const stats::Estimate other = stats::ratio_of_medians(num, den, paired, 0.95, 10000, 7);
    EXPECT_TRUE(other.ci.low != first.ci.low || other.ci.high != first.ci.high);
  }
}

TEST(StatisticsTest, RatioOfMediansOfConstantSamplesIsExact) {
  const std::vector<double> twos(8, 2.0);
  const std::vector<double> ones(8, 1.0);
  for (bool paired : {false, true}) {
    SCOPED_TRACE(paired ? "paired" : "unpaired");
    const stats::Estimate e = stats::ratio_of_medians(twos, ones, paired);
    EXPECT_EQ(e.value, 2.0);
    EXPECT_EQ(e.ci.low, 2.0);
    EXPECT_EQ(e.ci.high, 2.0);
  }
}

TEST(StatisticsTest, RatioOfMediansHasNaNIntervalBelowThreeValues) {
  const stats::Estimate e = stats::ratio_of_medians({4.0, 6.0}, {1.0, 2.0, 3.0}, false);
  EXPECT_EQ(e.value, 2.5);
  EXPECT_EQ(e.n, 2);
  EXPECT_TRUE(std::isnan(e.ci.low));
  EXPECT_TRUE(std::isnan(e.ci.high));
  const stats::Estimate paired = stats::ratio_of_medians({4.0, 6.0}, {2.0, 3.0}, true);
  EXPECT_EQ(paired.value, 2.0);
  EXPECT_TRUE(std::isnan(paired.ci.low));
  EXPECT_TRUE(std::isnan(paired.ci.high));
}

TEST(StatisticsTest, RatioOfMediansPairedNeedsEqualLengths) {
  try {
    (void)stats::ratio_of_medians({1, 2, 3, 4}, {1, 2, 3}, true);
    FAIL() << "no exception for paired samples of 4 and 3 values";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("equal lengths, got 4 and 3"), std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW((void)stats::ratio_of_medians({1, 2, 3, 4}, {1, 2, 3}, false));
}

TEST(StatisticsTest, RatioOfMediansRejectsBadLevelAndResamples) {
  const std::vector<double> v = {1, 2, 3};
  EXPECT_THROW((void)stats::ratio_of_medians(v, v, false, 1.5), std::invalid_argument);
  EXPECT_THROW((void)stats::ratio_of_medians(v, v, false, 0.95, 0), std::invalid_argument);
}

}  // namespace
