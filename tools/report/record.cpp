#include "report/record.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report/fields.hpp"
#include "report/files.hpp"

namespace report {
namespace {

using json = nlohmann::json;

// Segments of a run name that are Google Benchmark's run options, not arguments.
bool is_option_segment(std::string_view key) {
  return key == "min_time" || key == "min_warmup_time" || key == "iterations" || key == "repeats" ||
         key == "threads" || key == "real_time" || key == "process_time" || key == "manual_time";
}

double unit_seconds(const std::string& unit, const std::string& path, const std::string& name) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  if (unit == "s") return 1;
  throw InputError(fmt::format("{}: benchmark '{}' has time_unit '{}' (accepted: ns, us, ms, s)",
                               path, name, unit));
}

std::string as_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Context parse_context(const json& doc, const std::string& path) {
  Context c;
  const auto it = doc.find("context");
  if (it == doc.end()) return c;
  if (!it->is_object()) throw InputError(path + ": 'context' is not an object");
  for (const auto& [key, value] : it->items()) c.all[key] = as_text(value);
  c.cpu_model = c.get("cpu_model");
  c.compiler = c.get("compiler");
  c.flags = c.get("cxx_flags");
  c.build_type = c.get("build_type");
  c.git_revision = c.get("git_revision");
  c.date = c.get("date");
  if (const auto load = it->find("load_avg"); load != it->end() && load->is_array()) {
    std::string text;
    for (const auto& v : *load) {
      if (!v.is_number()) continue;
      if (!text.empty()) text += ' ';
      text += fmt::format("{:.2f}", v.get<double>());
    }
    if (!text.empty()) c.load = text;
  }
  if (const auto cpus = it->find("num_cpus"); cpus != it->end() && cpus->is_number_integer()) {
    c.cpus = cpus->get<int>();
  }
  return c;
}

// Splits "BM_X/workers:2/job_bytes:1024/min_time:0.100/real_time" into the family and args.
void split_name(Series& s) {
  std::vector<std::string> segments;
  std::string part;
  std::istringstream in(s.run_name);
  while (std::getline(in, part, '/')) segments.push_back(part);
  if (segments.empty()) return;
  s.family = segments.front();
  int positional = 0;
  for (std::size_t k = 1; k < segments.size(); ++k) {
    const std::string& seg = segments[k];
    const auto colon = seg.find(':');
    const std::string key = colon == std::string::npos ? seg : seg.substr(0, colon);
    if (is_option_segment(key)) continue;
    if (colon == std::string::npos) {
      s.args.emplace_back(fmt::format("arg{}", positional++), seg);
    } else {
      s.args.emplace_back(key, seg.substr(colon + 1));
    }
  }
}

// The value of `key` in a label of space-separated key=value words; empty when absent.
std::string label_value(std::string_view label, std::string_view key) {
  std::istringstream words{std::string(label)};
  std::string word;
  while (words >> word) {
    if (word.size() > key.size() && word.starts_with(key) && word[key.size()] == '=') {
      return word.substr(key.size() + 1);
    }
  }
  return {};
}

// Sets what the row is from its fields, else from its label.
void classify(Series& s, const json& row) {
  const std::string label = row.value("label", std::string());
  auto read = [&](std::string_view key) {
    if (const auto f = row.find(std::string(key)); f != row.end() && f->is_string()) {
      return f->get<std::string>();
    }
    return label_value(label, key);
  };
  s.executor = read(fields::kExecutor);
  s.workload = read(fields::kWorkload);
  s.bound = read(fields::kBound);
}

// Google Benchmark writes NaN and Infinity as bare words (a cv of a counter that is 0 in every
// repetition is NaN), which JSON does not allow: outside strings they become null, and a null
// counter is ignored.
std::string with_null_for_nan(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    const std::size_t start = (c == '-' && i + 1 < text.size()) ? i + 1 : i;
    bool replaced = false;
    for (std::string_view word : {"NaN", "Infinity", "nan", "inf"}) {
      if (text.substr(start, word.size()) == word) {
        out += "null";
        i = start + word.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

}  // namespace

std::string Context::get(std::string_view key) const {
  const auto it = all.find(std::string(key));
  return it == all.end() ? std::string("unknown") : it->second;
}

Input parse_record(std::string_view json_text, const std::string& path) {
  json doc;
  try {
    doc = json::parse(with_null_for_nan(json_text));
  } catch (const json::parse_error& e) {
    // what() opens with the library's tag, "[json.exception.parse_error.101] ": left out.
    std::string_view what = e.what();
    if (what.starts_with("[json.exception.")) what.remove_prefix(what.find("] ") + 2);
    throw InputError(fmt::format("{}: not valid JSON: {}", path, what));
  }
  if (!doc.is_object()) throw InputError(path + ": expected a JSON object with 'benchmarks'");
  const auto benchmarks = doc.find("benchmarks");
  if (benchmarks == doc.end() || !benchmarks->is_array()) {
    throw InputError(path + ": no 'benchmarks' array (is this a Google Benchmark JSON record?)");
  }
  Input input;
  input.path = path;
  input.context = parse_context(doc, path);
  input.context.record = path.substr(path.rfind('/') + 1);
  std::map<std::string, std::size_t> index;
  for (const json& row : *benchmarks) {
    if (!row.is_object()) throw InputError(path + ": a 'benchmarks' entry is not an object");
    const auto name_it =
        row.find("run_name") != row.end() ? row.find("run_name") : row.find("name");
    if (name_it == row.end() || !name_it->is_string()) {
      throw InputError(path + ": a benchmark has no 'name'");
    }
    const std::string name = name_it->get<std::string>();
    if (row.value("error_occurred", false)) continue;  // skipped with an error: no timing
    const auto real = row.find("real_time");
    const auto unit = row.find("time_unit");
    if (real == row.end() || !real->is_number()) {
      throw InputError(fmt::format("{}: benchmark '{}' has no numeric 'real_time'", path, name));
    }
    const std::string time_unit =
        unit != row.end() && unit->is_string() ? unit->get<std::string>() : "ns";
    const double seconds = real->get<double>() * unit_seconds(time_unit, path, name);
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
      throw InputError(fmt::format("{}: benchmark '{}' has a bad real_time", path, name));
    }
    auto [it, fresh] = index.try_emplace(name, input.series.size());
    if (fresh) {
      Series s;
      s.run_name = name;
      split_name(s);
      classify(s, row);
      input.series.push_back(std::move(s));
    }
    Series& s = input.series[it->second];
    const std::string run_type = row.value("run_type", std::string("iteration"));
    if (run_type == "aggregate") {
      const std::string agg = row.value("aggregate_name", std::string());
      if (agg == "median") {
        s.aggregate_median = seconds;
        s.aggregate_repetitions = row.value("repetitions", 0);
      } else if (agg == "cv") {
        s.aggregate_cv = real->get<double>();  // a ratio, whatever time_unit says
      }
      continue;
    }
    if (run_type != "iteration") {
      throw InputError(
          fmt::format("{}: benchmark '{}' has run_type '{}' (accepted: iteration, "
                      "aggregate)",
                      path, name, run_type));
    }
    s.seconds.push_back(seconds);
    const auto round = row.find("repetition_index");
    s.rounds.push_back(round != row.end() && round->is_number_integer()
                           ? round->get<int>()
                           : static_cast<int>(s.seconds.size()) - 1);
    static const std::set<std::string> kNotCounters = {"name",
                                                       "run_name",
                                                       "run_type",
                                                       "family_index",
                                                       "per_family_instance_index",
                                                       "repetitions",
                                                       "repetition_index",
                                                       "threads",
                                                       "iterations",
                                                       "real_time",
                                                       "cpu_time",
                                                       "time_unit",
                                                       "aggregate_name",
                                                       "aggregate_unit",
                                                       "label",
                                                       "error_occurred",
                                                       "error_message",
                                                       std::string(fields::kWorkload),
                                                       std::string(fields::kExecutor)};
    for (const auto& [key, value] : row.items()) {
      if (kNotCounters.contains(key) || !value.is_number()) continue;
      s.counters[key].push_back(value.get<double>());
    }
    if (const auto cpu = row.find("cpu_time"); cpu != row.end() && cpu->is_number()) {
      s.counters["cpu_seconds"].push_back(cpu->get<double>() * unit_seconds(time_unit, path, name));
    }
  }
  if (input.series.empty()) throw InputError(path + ": no benchmark results in the record");
  return input;
}

Input load_record(const std::string& path) { return parse_record(read_file(path), path); }

}  // namespace report
