#include "report/text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace report {

std::string human_bytes(double bytes) {
  if (bytes >= (1 << 20) && std::fmod(bytes, 1 << 20) == 0) {
    return fmt::format("{:g} MiB", bytes / (1 << 20));
  }
  if (bytes >= 1024 && std::fmod(bytes, 1024) == 0) return fmt::format("{:g} KiB", bytes / 1024);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

std::string human_seconds(double s) {
  if (std::isnan(s)) return "-";
  if (s >= 1) return fmt::format("{:.3g} s", s);
  if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  if (s >= 1e-6) return fmt::format("{:.3g} us", s * 1e6);
  return fmt::format("{:.3g} ns", s * 1e9);
}

std::string format_number(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{:.6g}", v);
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string times_with_interval(const stats::Estimate& e) {
  if (std::isnan(e.value)) return "-";
  if (std::isnan(e.ci.low) || std::isnan(e.ci.high)) return fmt::format("{:.2f}× [n/a]", e.value);
  return fmt::format("{:.2f}× [{:.2f}, {:.2f}]", e.value, e.ci.low, e.ci.high);
}

std::string seconds_with_interval(double median, const stats::Interval& ci) {
  if (std::isnan(ci.low) || std::isnan(ci.high))
    return fmt::format("{} [n/a]", human_seconds(median));
  return fmt::format("{} [{}, {}]", human_seconds(median), human_seconds(ci.low),
                     human_seconds(ci.high));
}

}  // namespace report
