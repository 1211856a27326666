#include "cli/cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <system_error>

namespace cli {

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(byte));
      out += buf;
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string invalid(std::string_view what, std::string_view text) {
  return "invalid " + std::string(what) + " " + quoted(text) + ": ";
}

namespace {

std::string format_number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

}  // namespace

int parse_int(std::string_view what, std::string_view text, int lo, int hi, std::string_view note) {
  int value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < lo || value > hi) {
    throw UsageError(invalid(what, text) + "expected an integer from " + std::to_string(lo) +
                     " to " + std::to_string(hi) + std::string(note));
  }
  return value;
}

double parse_number(std::string_view what, std::string_view text, double lo, double hi) {
  double value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value) || value < lo ||
      value > hi) {
    throw UsageError(invalid(what, text) + "expected a number from " + format_number(lo) + " to " +
                     format_number(hi));
  }
  return value;
}

std::string parse_choice(std::string_view what, std::string_view text,
                         std::initializer_list<std::string_view> choices) {
  std::string accepted;
  for (const std::string_view choice : choices) {
    if (choice == text) return std::string(text);
    if (!accepted.empty()) accepted += ", ";
    accepted += choice;
  }
  throw UsageError(invalid(what, text) + "expected one of " + accepted);
}

int run_main(std::string_view program, const std::function<int()>& body) {
  const std::string name(program);
  try {
    return body();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(), e.what());
    return 1;
  }
}

}  // namespace cli
