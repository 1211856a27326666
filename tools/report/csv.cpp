#include "report/csv.hpp"

#include <fmt/format.h>

#include <cmath>

#include "report/text.hpp"

namespace report {
namespace {

std::string context_header() { return fmt::format("{}", fmt::join(context_columns(), ",")); }

std::string context_fields(const Context& c) {
  std::string out;
  for (const auto& key : context_columns()) {
    std::string value;
    if (key == "load") {
      value = c.load;
    } else if (key == "cpu_model") {
      value = c.cpu_model;
    } else if (key == "date") {
      value = c.date;
    } else {
      value = c.get(key);
    }
    if (!out.empty()) out += ',';
    out += csv_field(value);
  }
  return out;
}

// "value,low,high" of an estimate.
std::string estimate_fields(const stats::Estimate& e) {
  return fmt::format("{},{},{}", format_number(e.value), format_number(e.ci.low),
                     format_number(e.ci.high));
}

std::string load_fields(const Load& l) {
  return fmt::format("{},{},{},{},{},{},{}", format_number(l.cores_busy),
                     format_number(l.machine_busy), format_number(l.machine_steal),
                     format_number(l.system_seconds), format_number(l.minor_faults),
                     format_number(l.major_faults), format_number(l.canary_seconds));
}

constexpr std::string_view kLoadHeader =
    "cores_busy,machine_busy,machine_steal,system_seconds,minor_faults,major_faults,"
    "canary_seconds";

}  // namespace

const std::vector<std::string>& context_columns() {
  static const std::vector<std::string> columns = {
      "cpu_model", "cpu_vendor", "cpu_family", "cpu_model_number", "cpu_stepping",
      "cpu_mhz",   "cache_l2",   "cache_l3",   "hypervisor",       "kernel",
      "thp",       "glibc",      "compiler",   "cxx_flags",        "build_type",
      "openssl",   "onetbb",     "boost",      "google_benchmark", "git_revision",
      "date",      "load"};
  return columns;
}

std::string speedup_csv(const Report& r) {
  std::string out = fmt::format(
      "workload,executor,workers,jobs,job_bytes,total_bytes,repetitions,median_seconds,"
      "median_ci_low,median_ci_high,cv,min_seconds,max_seconds,speedup,speedup_ci_low,"
      "speedup_ci_high,paired,efficiency,efficiency_ci_low,efficiency_ci_high,mb_per_s,"
      "cpp_over_python,cpp_over_python_ci_low,cpp_over_python_ci_high,over_cpython,"
      "over_cpython_ci_low,over_cpython_ci_high,quality,{},cpus,"
      "benchmark,record,{}\n",
      kLoadHeader, context_header());
  for (const auto& row : r.speedup) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        csv_field(row.workload), csv_field(row.executor), row.workers, format_number(row.jobs),
        format_number(std::round(row.job_bytes)), format_number(row.total_bytes),
        row.time.repetitions, format_number(row.time.median), format_number(row.time.ci.low),
        format_number(row.time.ci.high), format_number(row.time.cv), format_number(row.time.min),
        format_number(row.time.max), estimate_fields(row.speedup), row.paired ? 1 : 0,
        estimate_fields(row.efficiency), format_number(row.mb_per_s),
        estimate_fields(row.cpp_over_python), estimate_fields(row.over_cpython),
        csv_field(row.quality.text()), load_fields(row.load), row.context.cpus,
        csv_field(row.benchmark), csv_field(row.context.record), context_fields(row.context));
  }
  return out;
}

std::string overhead_csv(const Report& r) {
  std::string out = fmt::format(
      "benchmark,args,executor,repetitions,median_seconds,median_ci_low,median_ci_high,cv,"
      "min_seconds,max_seconds,per_task_seconds,per_task_ci_low,per_task_ci_high,quality,{},"
      "counters,cpus,record,{}\n",
      kLoadHeader, context_header());
  for (const auto& row : r.overhead) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(row.benchmark),
        csv_field(row.args), csv_field(row.executor), row.time.repetitions,
        format_number(row.time.median), format_number(row.time.ci.low),
        format_number(row.time.ci.high), format_number(row.time.cv), format_number(row.time.min),
        format_number(row.time.max), estimate_fields(row.per_task), csv_field(row.quality.text()),
        load_fields(row.load), csv_field(row.counters), row.context.cpus,
        csv_field(row.context.record), context_fields(row.context));
  }
  return out;
}

CsvTable parse_csv(std::string_view text, const std::string& path) {
  CsvTable table;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool any = false;
  auto end_row = [&] {
    fields.push_back(std::move(field));
    field.clear();
    if (table.header.empty()) {
      table.header = std::move(fields);
    } else {
      if (fields.size() != table.header.size()) {
        throw InputError(fmt::format("{}: row {} has {} fields, the header {}", path,
                                     table.rows.size() + 2, fields.size(), table.header.size()));
      }
      table.rows.push_back(std::move(fields));
    }
    fields.clear();
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n') {
      end_row();
    } else if (c != '\r') {
      field += c;
      any = true;
    }
  }
  if (quoted) throw InputError(path + ": unterminated quoted field");
  if (any || !field.empty()) end_row();
  if (table.header.empty()) throw InputError(path + ": empty file");
  return table;
}

}  // namespace report
