#include "report/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "report/fields.hpp"

namespace report {

int SpeedupRow::ideal() const {
  if (io_bound) return std::max(1, std::min(workers, static_cast<int>(std::lround(jobs))));
  return std::min(workers, context.cpus > 0 ? context.cpus : workers);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr stats::Estimate kNoEstimate{kNaN, {kNaN, kNaN}, 0};

double counter_median(const Series& s, std::string_view name) {
  const auto it = s.counters.find(std::string(name));
  return it == s.counters.end() ? kNaN : stats::median(it->second);
}

Stats series_stats(const Series& s) {
  if (!s.seconds.empty()) return stats_of(s.seconds);
  Stats st;
  st.median = st.min = st.max = s.aggregate_median.value_or(kNaN);
  st.cv = s.aggregate_cv.value_or(0);
  st.repetitions = s.aggregate_repetitions;
  st.ci = {kNaN, kNaN};
  return st;
}

Load load_of(const Series& s) {
  return {counter_median(s, fields::kCoresBusy),     counter_median(s, fields::kMachineBusy),
          counter_median(s, fields::kMachineSteal),  counter_median(s, fields::kSystemSeconds),
          counter_median(s, fields::kMinorFaults),   counter_median(s, fields::kMajorFaults),
          counter_median(s, fields::kCanarySeconds), counter_median(s, fields::kRanks),
          counter_median(s, fields::kCpus)};
}

bool is_job_set(const Series& s) {
  return !s.executor.empty() && !s.workload.empty() &&
         s.counters.contains(std::string(fields::kJobs)) &&
         s.counters.contains(std::string(fields::kJobBytes));
}

int arg_int(const Series& s, const std::string& key, int fallback) {
  for (const auto& [k, v] : s.args) {
    if (k == key) return std::atoi(v.c_str());
  }
  return fallback;
}

// Compares strings with embedded numbers by value: "workers=2" < "workers=10".
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i;
      std::size_t je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const double va = std::strtod(a.substr(i, ie - i).c_str(), nullptr);
      const double vb = std::strtod(b.substr(j, je - j).c_str(), nullptr);
      if (va != vb) return va < vb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

SpeedupRow job_set_row(const Series& s, int source, const Context& context) {
  SpeedupRow row;
  row.workload = s.workload;
  row.executor = s.executor;
  row.io_bound = s.bound == "io";
  const double w = counter_median(s, fields::kWorkers);
  row.workers = std::isnan(w) ? arg_int(s, "workers", 1) : static_cast<int>(std::lround(w));
  row.jobs = counter_median(s, fields::kJobs);
  row.job_bytes = counter_median(s, fields::kJobBytes);
  const double total = counter_median(s, fields::kTotalBytes);
  row.total_bytes = std::isnan(total) ? row.jobs * row.job_bytes : total;
  row.seconds = s.seconds;
  row.rounds = s.rounds;
  row.time = series_stats(s);
  row.mb_per_s = row.total_bytes / row.time.median / 1e6;
  row.load = load_of(s);
  row.speedup = row.efficiency = row.cpp_over_python = row.over_cpython = kNoEstimate;
  row.benchmark = s.run_name;
  row.source = source;
  row.context = context;
  return row;
}

OverheadRow overhead_row(const Series& s, int source, const Context& context) {
  OverheadRow row;
  row.benchmark = s.family;
  for (const auto& [k, v] : s.args) {
    row.args += fmt::format("{}{}={}", row.args.empty() ? "" : " ", k, v);
  }
  row.executor = s.executor;
  row.workload = s.workload;
  row.seconds = s.seconds;
  row.rounds = s.rounds;
  row.time = series_stats(s);
  const double per_task = counter_median(s, fields::kSecondsPerTask);
  const double items = counter_median(s, "items_per_second");
  const double value =
      !std::isnan(per_task) ? per_task : (!std::isnan(items) ? 1 / items : row.time.median);
  const double scale = value / row.time.median;
  row.per_task = {value, {row.time.ci.low * scale, row.time.ci.high * scale}, row.time.repetitions};
  for (const auto& [k, v] : s.counters) {
    if (k == fields::kSecondsPerTask) continue;
    row.counters +=
        fmt::format("{}{}={:.6g}", row.counters.empty() ? "" : ";", k, stats::median(v));
  }
  row.load = load_of(s);
  row.source = source;
  row.context = context;
  return row;
}

// The index of the row's baseline in `rows`, or -1.
int find_baseline(const std::vector<SpeedupRow>& rows, const SpeedupRow& row) {
  std::string base_name = "sequential";
  if (const auto dash = row.executor.find('-'); dash != std::string::npos) {
    const std::string family_base = row.executor.substr(0, dash) + "-sequential";
    if (std::any_of(rows.begin(), rows.end(),
                    [&](const SpeedupRow& b) { return b.executor == family_base; })) {
      base_name = family_base;
    }
  }
  int base = -1;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const SpeedupRow& b = rows[k];
    if (b.executor != base_name || b.workload != row.workload || !same_size(b.jobs, row.jobs) ||
        !same_size(b.job_bytes, row.job_bytes)) {
      continue;
    }
    if (base < 0 || (b.source == row.source && rows[base].source != row.source)) {
      base = static_cast<int>(k);
    }
  }
  return base;
}

std::vector<double> in_rounds(const SpeedupRow& r, const std::vector<int>& rounds) {
  return times_in_rounds(r.seconds, r.rounds, rounds);
}

// The baseline's times against the row's: paired over the row's rounds when the baseline ran
// every one of them (it runs more when adaptive rounds widen another row of its set), else
// unpaired.
void estimate_speedup(SpeedupRow& row, const SpeedupRow& base) {
  if (row.seconds.empty() || base.seconds.empty()) {  // aggregates only: no interval
    const double value = base.time.median / row.time.median;
    row.speedup = {value, {kNaN, kNaN}, row.time.repetitions};
  } else {
    std::vector<int> rounds = row.rounds;
    std::sort(rounds.begin(), rounds.end());
    const bool distinct = std::adjacent_find(rounds.begin(), rounds.end()) == rounds.end();
    const std::vector<double> base_times =
        distinct ? in_rounds(base, rounds) : std::vector<double>{};
    row.paired = !base_times.empty();
    if (row.paired) {
      row.speedup = stats::ratio_of_medians(base_times, in_rounds(row, rounds), true);
    } else {
      row.speedup = stats::ratio_of_medians(base.seconds, row.seconds, false);
    }
  }
  const double ideal = row.ideal();
  row.efficiency = {row.speedup.value / ideal,
                    {row.speedup.ci.low / ideal, row.speedup.ci.high / ideal},
                    row.speedup.n};
}

// `numerator` over `row` per input byte: the ratio of their times, each per byte of its job
// set (independent runs: unpaired).
stats::Estimate per_byte_ratio(const SpeedupRow& numerator, const SpeedupRow& row) {
  const double per_byte = (row.jobs * row.job_bytes) / (numerator.jobs * numerator.job_bytes);
  const stats::Estimate t = stats::ratio_of_medians(numerator.seconds, row.seconds, false);
  return {t.value * per_byte, {t.ci.low * per_byte, t.ci.high * per_byte}, t.n};
}

// The row of `group` with executor `executor` and `workers` workers, or null.
const SpeedupRow* find_in(const std::vector<const SpeedupRow*>& group, std::string_view executor,
                          int workers) {
  for (const auto* row : group) {
    if (row->executor == executor && row->workers == workers) return row;
  }
  return nullptr;
}

// Each Python row against C++ (the C++ main job set's row of the same workload, executor kind
// and workers), and each PyPy row against CPython's row of the same kind and workers.
void estimate_across_languages(Report& r) {
  std::vector<std::pair<stats::Estimate, stats::Estimate>> ratios;
  for (const auto& row : r.speedup) {
    std::pair<stats::Estimate, stats::Estimate> ratio{kNoEstimate, kNoEstimate};
    const std::string_view python = python_of(row.executor);
    if (!python.empty()) {
      const std::string_view kind = std::string_view(row.executor).substr(python.size() + 1);
      if (const auto* cpp = find_in(main_group(r, row.workload, ""), kind, row.workers)) {
        ratio.first = per_byte_ratio(*cpp, row);
      }
      if (python == "pypy") {
        const std::string cpython = "cpython-" + std::string(kind);
        if (const auto* c = find_in(main_group(r, row.workload, "cpython"), cpython, row.workers)) {
          ratio.second = per_byte_ratio(*c, row);
        }
      }
    }
    ratios.push_back(ratio);
  }
  for (std::size_t k = 0; k < ratios.size(); ++k) {
    r.speedup[k].cpp_over_python = ratios[k].first;
    r.speedup[k].over_cpython = ratios[k].second;
  }
}

}  // namespace

Stats stats_of(const std::vector<double>& values) {
  Stats st;
  st.repetitions = static_cast<int>(values.size());
  st.median = stats::median(values);
  st.cv = stats::cv(values);
  st.ci = stats::median_interval(values);
  if (values.empty()) {
    st.min = st.max = kNaN;
  } else {
    st.min = *std::min_element(values.begin(), values.end());
    st.max = *std::max_element(values.begin(), values.end());
  }
  return st;
}

std::string_view python_of(std::string_view executor) {
  for (const std::string_view python : {"cpython", "pypy"}) {
    if (executor.size() > python.size() && executor.starts_with(python) &&
        executor[python.size()] == '-') {
      return python;
    }
  }
  return {};
}

std::vector<std::string> pythons_of(const Report& r) {
  std::vector<std::string> out;
  for (const std::string_view python : {"cpython", "pypy"}) {
    if (std::any_of(r.speedup.begin(), r.speedup.end(),
                    [&](const SpeedupRow& row) { return python_of(row.executor) == python; })) {
      out.emplace_back(python);
    }
  }
  return out;
}

bool is_baseline(std::string_view executor) {
  return executor == "sequential" || executor.ends_with("-sequential");
}

bool executor_less(const std::string& a, const std::string& b) {
  static const std::vector<std::string_view> order = {"sequential",
                                                      "thread",
                                                      "process",
                                                      "mpi",
                                                      "coroutine",
                                                      "openmp",
                                                      "tbb",
                                                      "asio",
                                                      "std-async",
                                                      "cpython-sequential",
                                                      "cpython-thread",
                                                      "cpython-process",
                                                      "cpython-asyncio",
                                                      "pypy-sequential",
                                                      "pypy-thread",
                                                      "pypy-process",
                                                      "pypy-asyncio"};
  auto rank = [](std::string_view e) {
    const auto it = std::find(order.begin(), order.end(), e);
    return static_cast<int>(it - order.begin());
  };
  const int ra = rank(a);
  const int rb = rank(b);
  return ra != rb ? ra < rb : a < b;
}

bool same_size(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(a, b) + 0.5; }

std::vector<std::string> workloads_of(const Report& r) {
  std::vector<std::string> out;
  for (const auto& row : r.speedup) {
    if (std::find(out.begin(), out.end(), row.workload) == out.end()) out.push_back(row.workload);
  }
  return out;
}

Report build_model(const std::vector<Input>& inputs) {
  Report r;
  for (std::size_t f = 0; f < inputs.size(); ++f) {
    const Input& in = inputs[f];
    for (const Series& s : in.series) {
      if (is_job_set(s)) {
        r.speedup.push_back(job_set_row(s, static_cast<int>(f), in.context));
      } else {
        r.overhead.push_back(overhead_row(s, static_cast<int>(f), in.context));
      }
    }
  }
  std::stable_sort(r.overhead.begin(), r.overhead.end(), [](const auto& a, const auto& b) {
    if (a.benchmark != b.benchmark) return a.benchmark < b.benchmark;
    return natural_less(a.args, b.args);
  });
  std::stable_sort(r.speedup.begin(), r.speedup.end(),
                   [](const SpeedupRow& a, const SpeedupRow& b) {
                     if (a.workload != b.workload) return a.workload < b.workload;
                     if (!same_size(a.total_bytes, b.total_bytes))
                       return a.total_bytes > b.total_bytes;
                     if (!same_size(a.job_bytes, b.job_bytes)) return a.job_bytes < b.job_bytes;
                     if (a.executor != b.executor) return executor_less(a.executor, b.executor);
                     return a.workers < b.workers;
                   });
  for (auto& row : r.speedup) {
    row.baseline = find_baseline(r.speedup, row);
    if (row.baseline >= 0) estimate_speedup(row, r.speedup[row.baseline]);
  }
  estimate_across_languages(r);
  return r;
}

std::vector<double> times_in_rounds(const std::vector<double>& seconds,
                                    const std::vector<int>& rounds_of_seconds,
                                    const std::vector<int>& rounds) {
  std::vector<double> out;
  for (int round : rounds) {
    const auto it = std::find(rounds_of_seconds.begin(), rounds_of_seconds.end(), round);
    if (it == rounds_of_seconds.end()) return {};
    out.push_back(seconds[static_cast<std::size_t>(it - rounds_of_seconds.begin())]);
  }
  return out;
}

std::string_view arg_word(std::string_view args, std::string_view key) {
  for (std::size_t at = 0; at < args.size();) {
    const std::size_t end = std::min(args.find(' ', at), args.size());
    const std::string_view word = args.substr(at, end - at);
    if (word.size() > key.size() && word.substr(0, key.size()) == key && word[key.size()] == '=') {
      return word;
    }
    at = end + 1;
  }
  return {};
}

std::vector<int> shared_rounds(const OverheadRow& a, const OverheadRow& b) {
  std::vector<int> out;
  for (int round : a.rounds) {
    if (std::count(a.rounds.begin(), a.rounds.end(), round) == 1 &&
        std::count(b.rounds.begin(), b.rounds.end(), round) == 1) {
      out.push_back(round);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<const SpeedupRow*> main_group(const Report& r, const std::string& workload,
                                          std::string_view python) {
  std::vector<std::vector<const SpeedupRow*>> groups;
  for (const auto& row : r.speedup) {
    if (row.workload != workload || python_of(row.executor) != python) continue;
    bool placed = false;
    for (auto& g : groups) {
      if (same_size(g.front()->jobs, row.jobs) && same_size(g.front()->job_bytes, row.job_bytes)) {
        g.push_back(&row);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({&row});
  }
  std::vector<const SpeedupRow*> best;
  std::size_t best_workers = 0;
  for (const auto& g : groups) {
    std::set<int> workers;
    for (const auto* row : g) {
      if (!is_baseline(row->executor)) workers.insert(row->workers);
    }
    if (workers.size() > best_workers || (workers.size() == best_workers && !best.empty() &&
                                          g.front()->total_bytes > best.front()->total_bytes)) {
      best = g;
      best_workers = workers.size();
    }
  }
  return best;
}

std::vector<Sweep> sweeps_of(const Report& r) {
  std::vector<Sweep> all;
  for (const auto& row : r.speedup) {
    bool placed = false;
    for (auto& s : all) {
      if (s.workload == row.workload && same_size(s.total_bytes, row.total_bytes)) {
        s.rows.push_back(&row);
        placed = true;
        break;
      }
    }
    if (!placed) all.push_back({row.workload, row.total_bytes, {&row}, {}});
  }
  std::vector<Sweep> sweeps;
  for (auto& s : all) {
    for (const auto* row : s.rows) {
      if (std::none_of(s.job_sizes.begin(), s.job_sizes.end(),
                       [&](double b) { return same_size(b, row->job_bytes); })) {
        s.job_sizes.push_back(row->job_bytes);
      }
    }
    std::sort(s.job_sizes.begin(), s.job_sizes.end());
    if (s.job_sizes.size() >= 3) sweeps.push_back(std::move(s));
  }
  return sweeps;
}

std::vector<std::string> executors_of(const std::vector<const SpeedupRow*>& group) {
  std::vector<std::string> executors;
  for (const auto* row : group) {
    if (is_baseline(row->executor) || std::isnan(row->speedup.value)) continue;
    if (std::find(executors.begin(), executors.end(), row->executor) == executors.end()) {
      executors.push_back(row->executor);
    }
  }
  std::sort(executors.begin(), executors.end(), executor_less);
  return executors;
}

std::vector<std::pair<std::string, int>> lines_of(const Sweep& sweep) {
  std::vector<std::pair<std::string, int>> lines;
  for (const auto* row : sweep.rows) {
    if (is_baseline(row->executor) || std::isnan(row->speedup.value)) continue;
    const std::pair<std::string, int> key{row->executor, row->workers};
    if (std::find(lines.begin(), lines.end(), key) == lines.end()) lines.push_back(key);
  }
  std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? executor_less(a.first, b.first) : a.second < b.second;
  });
  return lines;
}

SizeMark size_mark(std::vector<std::pair<double, stats::Estimate>> by_size, double threshold,
                   bool inclusive) {
  std::sort(by_size.begin(), by_size.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });  // largest first
  auto past = [&](double v) { return inclusive ? v >= threshold : v > threshold; };
  SizeMark mark;
  bool point = true;
  bool at_best = true;
  bool surely = true;
  for (const auto& [bytes, e] : by_size) {
    point = point && past(e.value);
    at_best = at_best && past(std::isnan(e.ci.high) ? e.value : e.ci.high);
    surely = surely && !std::isnan(e.ci.low) && past(e.ci.low);
    if (point) mark.bytes = bytes;
    if (at_best) mark.at_best = bytes;
    if (surely) mark.surely = bytes;
  }
  return mark;
}

std::vector<BreakEven> break_even(const Report& report) {
  std::vector<BreakEven> out;
  for (const auto& sweep : sweeps_of(report)) {
    for (const auto& [e, w] : lines_of(sweep)) {
      std::vector<std::pair<double, stats::Estimate>> by_size;
      int cpus = w;
      for (const auto* row : sweep.rows) {
        if (row->executor != e || row->workers != w) continue;
        by_size.emplace_back(row->job_bytes, row->speedup);
        if (row->context.cpus > 0) cpus = row->context.cpus;
      }
      const double near = 0.9 * std::min(w, cpus);
      out.push_back({sweep.workload, e, w, sweep.total_bytes,
                     size_mark(by_size, 1.0, /*inclusive=*/false),
                     size_mark(by_size, near, /*inclusive=*/true)});
    }
  }
  return out;
}

std::vector<CeilingRatio> ceiling_ratios(const Report& report) {
  std::vector<CeilingRatio> out;
  for (const auto& sweep : sweeps_of(report)) {
    const auto lines = lines_of(sweep);
    auto has_line = [&lines](const std::string& e, int w) {
      return std::find(lines.begin(), lines.end(), std::pair{e, w}) != lines.end();
    };
    for (const auto& [e, w] : lines) {
      if (e != "thread" && e != "process") continue;
      const std::string ceiling = has_line("openmp", w) ? "openmp"
                                  : has_line("tbb", w)  ? "tbb"
                                                        : "";
      if (ceiling.empty()) continue;
      CeilingRatio cr{sweep.workload, e, ceiling, w, sweep.total_bytes, {}, {}};
      for (const auto* row : sweep.rows) {
        if (row->executor != e || row->workers != w || row->seconds.empty()) continue;
        for (const auto* top : sweep.rows) {
          if (top->executor != ceiling || top->workers != w || top->seconds.empty() ||
              !same_size(top->job_bytes, row->job_bytes)) {
            continue;
          }
          // Paired by round when both rows ran in one process, in distinct rounds.
          std::vector<int> rounds = row->rounds;
          std::sort(rounds.begin(), rounds.end());
          const bool paired = top->source == row->source &&
                              std::adjacent_find(rounds.begin(), rounds.end()) == rounds.end();
          const std::vector<double> top_times =
              paired ? in_rounds(*top, rounds) : std::vector<double>{};
          cr.by_size.emplace_back(
              row->job_bytes,
              top_times.empty()
                  ? stats::ratio_of_medians(top->seconds, row->seconds, false)
                  : stats::ratio_of_medians(top_times, in_rounds(*row, rounds), true));
        }
      }
      std::sort(cr.by_size.begin(), cr.by_size.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      cr.within_10_percent = size_mark(cr.by_size, 0.9, /*inclusive=*/true);
      if (!cr.by_size.empty()) out.push_back(std::move(cr));
    }
  }
  return out;
}

std::vector<Recommendation> recommend(const Report& report) {
  std::vector<Recommendation> out;
  for (const auto& workload : workloads_of(report)) {
    std::vector<std::string> languages = pythons_of(report);
    languages.insert(languages.begin(), "");
    for (const auto& language : languages) {
      const auto group = main_group(report, workload, language);
      for (const auto& e : executors_of(group)) {
        Recommendation rec{workload, e, nullptr, nullptr};
        for (const auto* row : group) {
          if (row->executor != e || std::isnan(row->speedup.value)) continue;
          if (rec.best == nullptr || row->speedup.value > rec.best->speedup.value) rec.best = row;
        }
        for (const auto* row : group) {
          if (row->executor != e || std::isnan(row->speedup.value)) continue;
          // Within 5% of the best by the interval: its upper end reaches 95% of the best.
          const double reach =
              std::isnan(row->speedup.ci.high) ? row->speedup.value : row->speedup.ci.high;
          if (reach >= 0.95 * rec.best->speedup.value &&
              (rec.fewest == nullptr || row->workers < rec.fewest->workers)) {
            rec.fewest = row;
          }
        }
        out.push_back(rec);
      }
    }
  }
  return out;
}

}  // namespace report
