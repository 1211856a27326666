// How the outputs write numbers: sizes, durations, estimates with their intervals, CSV fields.
#ifndef REPORT_TEXT_HPP_
#define REPORT_TEXT_HPP_

#include <string>
#include <string_view>

#include "report/statistics.hpp"

namespace report {

std::string human_bytes(double bytes);      // "64 KiB", "8.7 MB"
std::string human_seconds(double seconds);  // "420 ms", "1.2 us"; "-" for NaN
std::string format_number(double v);        // 6 significant digits; empty for NaN
std::string csv_field(std::string_view s);  // quoted when it must be

// "1.93× [1.88, 1.97]"; without an interval "1.93× [n/a]"; "-" for NaN.
std::string times_with_interval(const stats::Estimate& e);

// "420 ms [415 ms, 431 ms]" for a time and its interval.
std::string seconds_with_interval(double median, const stats::Interval& ci);

}  // namespace report

#endif  // REPORT_TEXT_HPP_
