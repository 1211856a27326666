#include "rounds.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "report/statistics.hpp"

namespace bench {
namespace {

using Run = benchmark::BenchmarkReporter::Run;

// Where the rounds stand, for the progress lines.
struct Progress {
  int round = 0;            // from 1; 0 before the first
  int planned = 0;          // rounds planned so far
  std::size_t rows = 0;     // rows of this round
  std::size_t started = 0;  // rows of this round started so far
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

Progress& progress() {
  static Progress p;
  return p;
}

// Every round of one row.
struct Row {
  std::int64_t family_index = 0;
  std::int64_t instance_index = 0;
  std::vector<Run> runs;
  std::vector<double> seconds;  // real time per iteration of the rounds that did not fail
  bool failed = false;
};

// The reporter handed to Google Benchmark in every round: it passes the context on once, each
// run on to the live outputs at once, and keeps every run for the others.
class RoundReporter final : public benchmark::BenchmarkReporter {
 public:
  explicit RoundReporter(const std::vector<Output>& outputs) : outputs_(outputs) {}

  bool ReportContext(const Context& context) override {
    if (context_seen_) return true;
    context_seen_ = true;
    bool go_on = true;
    for (const Output& out : outputs_) go_on = out.reporter->ReportContext(context) && go_on;
    return go_on;
  }

  void ReportRuns(const std::vector<Run>& reports) override {
    for (Run run : reports) {
      run.statistics = nullptr;  // points into this round's benchmark instances
      if (run.run_type == Run::RT_Iteration) {
        Row& row = rows_[run.benchmark_name()];
        // Google Benchmark numbers the families a round selects; the first round selects all.
        if (row.runs.empty()) {
          row.family_index = run.family_index;
          row.instance_index = run.per_family_instance_index;
        }
        run.family_index = row.family_index;
        run.per_family_instance_index = row.instance_index;
        run.repetition_index = round_;
        if (run.error_occurred) {
          row.failed = true;
        } else if (run.iterations > 0) {
          row.seconds.push_back(run.real_accumulated_time / static_cast<double>(run.iterations));
        }
        row.runs.push_back(run);
        run.repetitions = static_cast<std::int64_t>(row.runs.size());
      } else {
        aggregates_.push_back(run);  // a complexity fit, after its family's last run
      }
      for (const Output& out : outputs_) {
        if (out.live) out.reporter->ReportRuns({run});
      }
    }
  }

  // Google Benchmark calls this after every round; the outputs are finalized by finish().
  void Finalize() override {}

  void set_round(int round) { round_ = round; }
  bool context_seen() const { return context_seen_; }
  const std::map<std::string, Row>& rows() const { return rows_; }

  // Hands every kept run to the outputs that are not live, a row at a time in the order the
  // rows were registered, and finalizes every output.
  void finish() {
    std::vector<Row*> order;
    for (auto& [name, row] : rows_) order.push_back(&row);
    std::sort(order.begin(), order.end(), [](const Row* a, const Row* b) {
      return std::tie(a->family_index, a->instance_index) <
             std::tie(b->family_index, b->instance_index);
    });
    for (Row* row : order) {
      for (Run& run : row->runs) run.repetitions = static_cast<std::int64_t>(row->runs.size());
    }
    for (const Output& out : outputs_) {
      if (out.live) continue;
      for (const Row* row : order) out.reporter->ReportRuns(row->runs);
      if (!aggregates_.empty()) out.reporter->ReportRuns(aggregates_);
    }
    for (const Output& out : outputs_) out.reporter->Finalize();
  }

 private:
  std::vector<Output> outputs_;
  bool context_seen_ = false;
  int round_ = 0;
  std::map<std::string, Row> rows_;
  std::vector<Run> aggregates_;
};

// Answers Google Benchmark's ReportContext with false, so that RunSpecifiedBenchmarks returns
// the number of rows the filter selects without running them.
class CountingReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override {
    asked_ = true;
    return false;
  }
  void ReportRuns(const std::vector<Run>&) override {}
  bool asked() const { return asked_; }

 private:
  bool asked_ = false;
};

// Relative half-width of the 95% interval of the median; infinite while there is none.
double relative_half_width(const std::vector<double>& seconds) {
  const stats::Interval ci = stats::median_interval(seconds);
  const double median = stats::median(seconds);
  if (std::isnan(ci.low) || std::isnan(ci.high) || !(median > 0)) return INFINITY;
  return (ci.high - ci.low) / 2 / median;
}

// A filter that selects exactly the rows named, whichever regular expression dialect Google
// Benchmark was built with.
std::string exact_filter(const std::set<std::string>& names) {
  std::string out = "^(";
  for (const std::string& name : names) {
    if (out.size() > 2) out += '|';
    for (char c : name) {
      if (std::string_view(".[]{}()*+?|^$\\").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out + ")$";
}

// "1 row", "2 rows".
std::string rows(std::size_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g%%", fraction * 100);
  return text;
}

}  // namespace

std::size_t run_rounds(const Rounds& rounds, const std::string& filter,
                       const std::vector<Output>& outputs) {
  CountingReporter counter;
  const std::size_t selected = benchmark::RunSpecifiedBenchmarks(&counter, filter);
  if (selected == 0 || !counter.asked()) return selected;  // none, or --benchmark_list_tests

  const int min_rounds = std::max(1, rounds.min_rounds);
  const int max_rounds = std::max(min_rounds, rounds.max_rounds);
  Progress& p = progress();
  p.planned = min_rounds;
  RoundReporter reporter(outputs);
  auto run_round = [&](const std::string& spec, std::size_t rows, const std::string& what) {
    ++p.round;
    p.rows = rows;
    p.started = 0;
    std::fprintf(stderr, "[round %d/%d] %s (%.0f s so far)\n", p.round, p.planned, what.c_str(),
                 p.elapsed());
    reporter.set_round(p.round - 1);
    benchmark::RunSpecifiedBenchmarks(&reporter, spec);
  };

  if (rounds.before_first_round) rounds.before_first_round();
  const std::string all = rows(selected) + ", in a shuffled order";
  while (p.round < min_rounds) run_round(filter, selected, all);

  std::vector<std::string> wide;
  for (;;) {
    wide.clear();
    for (const auto& [name, row] : reporter.rows()) {
      if (!row.failed && relative_half_width(row.seconds) > rounds.max_ci) wide.push_back(name);
    }
    if (wide.empty() || p.round >= max_rounds) break;
    std::set<std::string> next(wide.begin(), wide.end());
    if (rounds.baseline) {
      for (const std::string& name : wide) {
        const std::string base = rounds.baseline(name);
        if (!base.empty() && reporter.rows().contains(base)) next.insert(base);
      }
    }
    p.planned = max_rounds;
    std::string what = rows(wide.size()) + " with wide intervals";
    if (next.size() > wide.size()) {
      what += " and their baselines, " + rows(next.size());
    }
    run_round(exact_filter(next), next.size(), what);
  }

  reporter.finish();
  if (wide.empty()) {
    std::fprintf(stderr,
                 "[rounds] %d rounds: every row's 95%% interval of the median within ±%s "
                 "(%.0f s)\n",
                 p.round, percent(rounds.max_ci).c_str(), p.elapsed());
  } else {
    std::fprintf(stderr, "[rounds] %d rounds: %s still wider than ±%s (%.0f s):\n", p.round,
                 rows(wide.size()).c_str(), percent(rounds.max_ci).c_str(), p.elapsed());
    constexpr std::size_t kShown = 10;
    for (std::size_t k = 0; k < wide.size() && k < kShown; ++k) {
      const std::string& name = wide[k];
      const double w = relative_half_width(reporter.rows().at(name).seconds);
      std::fprintf(stderr, "  %s %s\n", name.c_str(),
                   std::isinf(w) ? "(too few rounds for an interval)" : ("±" + percent(w)).c_str());
    }
    if (wide.size() > kShown) std::fprintf(stderr, "  and %zu more\n", wide.size() - kShown);
  }
  return selected;
}

void announce_row(std::string_view name) {
  Progress& p = progress();
  ++p.started;
  std::fprintf(stderr, "[%zu/%zu] %.*s (round %d/%d, %.0f s so far)\n", p.started, p.rows,
               static_cast<int>(name.size()), name.data(), p.round, p.planned, p.elapsed());
}

}  // namespace bench
