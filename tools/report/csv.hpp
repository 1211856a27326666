// Outputs, CSV: results/speedup.csv and results/overhead.csv, a row per model row with its
// intervals, quality flag, load counters and the machine context; and a reader for tests.
#ifndef REPORT_CSV_HPP_
#define REPORT_CSV_HPP_

#include <string>
#include <string_view>
#include <vector>

#include "report/model.hpp"

namespace report {

std::string speedup_csv(const Report& report);
std::string overhead_csv(const Report& report);

// A CSV file as read back: a header and rows of fields.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
CsvTable parse_csv(std::string_view text, const std::string& path);  // throws InputError

// The machine-context keys that every CSV row carries, after the row's own columns.
const std::vector<std::string>& context_columns();

}  // namespace report

#endif  // REPORT_CSV_HPP_
