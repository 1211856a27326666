#include "report/markdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string_view>

#include "report/kernels.hpp"
#include "report/peers.hpp"
#include "report/plots.hpp"
#include "report/quality.hpp"
#include "report/text.hpp"

namespace report {
namespace {

constexpr std::string_view kFlag = " ⚠";

std::string flag_of(const Quality& q) { return q.ok() ? "" : std::string(kFlag); }

// Speedup per executor (rows) and worker count (columns) of one job set.
std::string speedup_table(const std::vector<const SpeedupRow*>& group) {
  std::set<int> worker_set;
  std::vector<std::string> executors;
  for (const auto* row : group) {
    if (is_baseline(row->executor)) continue;
    worker_set.insert(row->workers);
    if (std::find(executors.begin(), executors.end(), row->executor) == executors.end()) {
      executors.push_back(row->executor);
    }
  }
  std::sort(executors.begin(), executors.end(), executor_less);
  std::string out = "| executor |";
  std::string rule = "|---|";
  for (int w : worker_set) {
    out += fmt::format(" {} worker{} |", w, w == 1 ? "" : "s");
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& e : executors) {
    out += fmt::format("| {} |", e);
    for (int w : worker_set) {
      const SpeedupRow* cell = nullptr;
      for (const auto* row : group) {
        if (row->executor == e && row->workers == w) cell = row;
      }
      out += cell == nullptr ? " - |"
                             : fmt::format(" {}{} |", times_with_interval(cell->speedup),
                                           flag_of(cell->quality));
    }
    out += "\n";
  }
  return out;
}

std::string job_set_line(const std::string& name, const std::vector<const SpeedupRow*>& group) {
  const SpeedupRow& first = *group.front();
  const SpeedupRow* base = nullptr;
  for (const auto* row : group) {
    if (is_baseline(row->executor)) base = row;
  }
  std::string out =
      fmt::format("{}: {} jobs, {} per job on average, {} in all", name, first.jobs,
                  human_bytes(std::round(first.job_bytes)), human_bytes(first.total_bytes));
  if (base != nullptr) {
    out +=
        fmt::format("; {} {} (n {}, cv {:.1f}%, {:.0f} MB/s){}", base->executor,
                    seconds_with_interval(base->time.median, base->time.ci), base->time.repetitions,
                    base->time.cv * 100, base->mb_per_s, flag_of(base->quality));
  }
  return out + "\n";
}

// "8.0× faster [7.5, 8.4]" for a C++ ÷ CPython time ratio of 0.125.
std::string faster_text(const stats::Estimate& r) {
  const bool ci = !std::isnan(r.ci.low) && !std::isnan(r.ci.high);
  if (r.value <= 1) {
    return ci ? fmt::format("{:.3g}× faster [{:.3g}, {:.3g}]", 1 / r.value, 1 / r.ci.high,
                            1 / r.ci.low)
              : fmt::format("{:.3g}× faster", 1 / r.value);
  }
  return ci ? fmt::format("{:.3g}× slower [{:.3g}, {:.3g}]", r.value, r.ci.low, r.ci.high)
            : fmt::format("{:.3g}× slower", r.value);
}

std::string recommendations(const Report& r, const std::string& workload, std::string_view python) {
  std::string out;
  for (const auto& rec : recommend(r)) {
    if (rec.workload != workload || python_of(rec.executor) != python || !rec.fewest) continue;
    out += fmt::format("- {}: **{} worker{}** ({}{})", rec.executor, rec.fewest->workers,
                       rec.fewest->workers == 1 ? "" : "s",
                       times_with_interval(rec.fewest->speedup), flag_of(rec.fewest->quality));
    if (rec.best != rec.fewest) {
      out += fmt::format("; the best estimate is {} at {} workers",
                         times_with_interval(rec.best->speedup), rec.best->workers);
    }
    out += "\n";
  }
  if (out.empty()) return out;
  return "\nRecommended worker count: the fewest workers whose interval reaches within 5% of the "
         "best estimate.\n\n" +
         out;
}

// The rows' `ratio` as a list, each by executor kind and workers, under `heading`, worded as
// faster_text() words a time ratio (the other side's time over the row's: cpp_over_python);
// a speedup (over_cpython, the row's advantage) is inverted first. Nothing when no row has one.
std::string ratio_list(const std::vector<const SpeedupRow*>& rows,
                       stats::Estimate SpeedupRow::*ratio, bool speedup,
                       const std::string& heading) {
  std::vector<std::string> parts;
  for (const auto* row : rows) {
    stats::Estimate e = row->*ratio;
    if (std::isnan(e.value)) continue;
    if (speedup) e = {1 / e.value, {1 / e.ci.high, 1 / e.ci.low}, e.n};
    const std::string_view kind =
        std::string_view(row->executor).substr(python_of(row->executor).size() + 1);
    parts.push_back(fmt::format("{} at {} worker{}: {}{}", kind, row->workers,
                                row->workers == 1 ? "" : "s", faster_text(e),
                                flag_of(row->quality)));
  }
  if (parts.empty()) return {};
  return fmt::format(
      "\n{} per input byte, same executor kind and workers (95% intervals):\n\n"
      "- {}\n",
      heading, fmt::join(parts, "\n- "));
}

// The book's claim (Fluent Python, 2nd ed., chapter 17: arcfour_futures.py ran 3.8 to 5.1
// times faster on PyPy than on CPython) against the PyPy rows' over_cpython here.
std::string book_pypy_claim(const std::vector<const SpeedupRow*>& pypy) {
  constexpr double kBookLow = 3.8;
  constexpr double kBookHigh = 5.1;
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = low;
  for (const auto* row : pypy) {
    const double v = row->over_cpython.value;
    if (std::isnan(v)) continue;
    low = std::isnan(low) ? v : std::min(low, v);
    high = std::isnan(high) ? v : std::max(high, v);
  }
  if (std::isnan(low)) return {};
  const char* verdict = high < kBookLow   ? "below the book's range: the claim does not hold here"
                        : low > kBookHigh ? "above the book's range: PyPy does better here"
                        : low >= kBookLow && high <= kBookHigh
                            ? "within the book's range: the claim holds here"
                            : "overlapping the book's range: it holds for some configurations";
  return fmt::format(
      "\n**The book's claim:** PyPy ran arcfour_futures.py {:.2g} to {:.2g} times "
      "faster than CPython (Fluent Python, 2nd ed., chapter 17). Here, the same "
      "configurations: {:.3g}× to {:.3g}× (estimates above), {}.\n",
      kBookLow, kBookHigh, low, high, verdict);
}

// "4 KiB [1 KiB, 16 KiB]": a SizeMark as the summary prints it.
std::string size_mark_text(const SizeMark& m) {
  auto size = [](const std::optional<double>& b) { return b ? human_bytes(*b) : "no size"; };
  return fmt::format("{} [{}, {}]", size(m.bytes), size(m.at_best), size(m.surely));
}

std::string sweep_tables(const Report& r) {
  std::string out;
  const auto bes = break_even(r);
  for (const auto& sweep : sweeps_of(r)) {
    const std::vector<double>& sizes = sweep.job_sizes;
    out += fmt::format(
        "\n## {}: job-size sweep, {} in all\n\nSpeedup over sequential per job "
        "size, 95% intervals.\n\n| executor |",
        sweep.workload, human_bytes(sweep.total_bytes));
    std::string rule = "|---|";
    for (double s : sizes) {
      out += fmt::format(" {} |", human_bytes(s));
      rule += "---|";
    }
    out += "\n" + rule + "\n";
    for (const auto& be : bes) {
      if (be.workload != sweep.workload || !same_size(be.total_bytes, sweep.total_bytes)) continue;
      out += fmt::format("| {} ×{} |", be.executor, be.workers);
      for (double s : sizes) {
        const SpeedupRow* cell = nullptr;
        for (const auto* row : sweep.rows) {
          if (row->executor == be.executor && row->workers == be.workers &&
              same_size(row->job_bytes, s)) {
            cell = row;
          }
        }
        out += cell ? fmt::format(" {}{} |", times_with_interval(cell->speedup),
                                  flag_of(cell->quality))
                    : std::string(" - |");
      }
      out += "\n";
    }
    out += "\n";
    for (const auto& be : bes) {
      if (be.workload != sweep.workload || !same_size(be.total_bytes, sweep.total_bytes)) continue;
      out += fmt::format("- {} ×{}: faster than sequential from {}; within 90% of ideal from {}\n",
                         be.executor, be.workers, size_mark_text(be.faster),
                         size_mark_text(be.near_ideal));
    }
    for (const auto& cr : ceiling_ratios(r)) {
      if (cr.workload != sweep.workload || !same_size(cr.total_bytes, sweep.total_bytes)) continue;
      std::vector<std::string> cells;
      for (const auto& [bytes, ratio] : cr.by_size) {
        cells.push_back(fmt::format("{} at {}", times_with_interval(ratio), human_bytes(bytes)));
      }
      out += fmt::format(
          "- {} ×{} against the ceiling, {} ×{} (its time over ours: 1 is as fast): {}; within "
          "10% of it from {}\n",
          cr.executor, cr.workers, cr.ceiling, cr.workers, fmt::join(cells, ", "),
          size_mark_text(cr.within_10_percent));
    }
    out +=
        "\nEach \"from\" is the smallest job size from which the figure stays above the mark "
        "at every larger size: by the point estimates, then [by each 95% interval's upper end, "
        "by its lower end], between which the true size lies; \"no size\": at none.\n";
  }
  return out;
}

// Our kernels against OpenSSL's on the same input (jobs_bench), one row per size and buffer.
std::string kernel_table(const Report& r) {
  const std::vector<KernelRatio> ratios = kernel_ratios(r);
  if (ratios.empty()) return {};
  std::string out =
      "\n## Kernels against OpenSSL\n\nTime per call of our kernel and of OpenSSL's on the same "
      "input (`jobs_bench`, one process, paired by round), medians with their 95% intervals; "
      "the last column is our speed over OpenSSL's (above 1: faster).\n\n"
      "| kernel | input | buffer | ours | OpenSSL | ours ÷ OpenSSL, speed |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& k : ratios) {
    const std::string_view buffer = k.args.find("fresh=1") != std::string::npos   ? "fresh"
                                    : k.args.find("fresh=0") != std::string::npos ? "preallocated"
                                                                                  : "";
    out += fmt::format("| {} | {} | {} | {} | {} | {}{} |\n", k.kernel, human_bytes(k.bytes),
                       buffer, seconds_with_interval(k.ours->time.median, k.ours->time.ci),
                       seconds_with_interval(k.reference->time.median, k.reference->time.ci),
                       times_with_interval(k.speed_ratio), k.flagged ? kFlag : "");
  }
  return out;
}

std::string overhead_table(const Report& r) {
  if (std::all_of(r.overhead.begin(), r.overhead.end(),
                  [](const OverheadRow& o) { return o.executor == "kernel"; })) {
    return {};
  }
  std::string out =
      "\n## Overhead and start-up\n\nPer task (or per iteration, or per worker for start-up "
      "rows), median with its 95% interval.\n\n| benchmark | args | per task | n | cv |\n"
      "|---|---|---|---|---|\n";
  for (const auto& row : r.overhead) {
    if (row.executor == "kernel") continue;  // kernel_table
    out += fmt::format("| {} | {} | {}{} | {} | {:.1f}% |\n", row.benchmark, row.args,
                       seconds_with_interval(row.per_task.value, row.per_task.ci),
                       flag_of(row.quality), row.time.repetitions, row.time.cv * 100);
  }
  return out;
}

// The thread pool's per-task rows against oneTBB's task_group with as many workers.
std::string tbb_table(const Report& r) {
  const std::vector<PeerRatio> ratios = tbb_ratios(r);
  if (ratios.empty()) return {};
  std::string out =
      "\n## Thread pool against oneTBB\n\nTime per task of each thread-pool row of "
      "`overhead_bench` over oneTBB's `task_group` (run, then wait) with as many workers, "
      "in the same process and paired by round, with 95% intervals: at or below 1, the thread "
      "pool is at oneTBB's cost. Its tasks return futures; oneTBB's return nothing.\n\n"
      "| benchmark | args | ours, per task | oneTBB, per task | ours ÷ oneTBB, time |\n"
      "|---|---|---|---|---|\n";
  for (const auto& p : ratios) {
    out += fmt::format("| {} | {} | {} | {} | {}{} |\n", p.ours->benchmark, p.ours->args,
                       seconds_with_interval(p.ours->per_task.value, p.ours->per_task.ci),
                       seconds_with_interval(p.peer->per_task.value, p.peer->per_task.ci),
                       times_with_interval(p.time_ratio), p.flagged ? kFlag : "");
  }
  return out;
}

// The keys of a context that matter for a figure, with their titles in the machine table.
const std::vector<std::pair<std::string, std::string>>& machine_keys() {
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"cpu_model", "CPU"},
      {"cpu_vendor", "vendor"},
      {"cpu_family", "family"},
      {"cpu_model_number", "model"},
      {"cpu_stepping", "stepping"},
      {"cpu_mhz", "MHz"},
      {"cache_l1d", "L1d"},
      {"cache_l2", "L2"},
      {"cache_l3", "L3"},
      {"hypervisor", "virtual machine"},
      {"cpus_online", "CPUs online"},
      {"usable_cpus", "CPUs usable"},
      {"kernel", "kernel"},
      {"thp", "transparent huge pages"},
      {"glibc", "glibc"},
      {"compiler", "compiler"},
      {"cxx_flags", "flags"},
      {"build_type", "build type"},
      {"openssl", "OpenSSL"},
      {"onetbb", "oneTBB"},
      {"boost", "Boost"},
      {"google_benchmark", "Google Benchmark"},
      {"google_benchmark_build", "Google Benchmark build"},
      {"python_implementation", "Python"},
      {"python_version", "Python version"},
      {"start_method", "start method"},
      {"git_revision", "git revision"}};
  return keys;
}

// The input files' contexts as a table, one column per distinct context (the records that share
// it named in its header), one row per key that some record knows.
std::string machine_table(const Report& r) {
  std::vector<const Context*> contexts;
  std::set<int> seen;
  for (const auto& row : r.speedup) {
    if (seen.insert(row.source).second) contexts.push_back(&row.context);
  }
  for (const auto& row : r.overhead) {
    if (seen.insert(row.source).second) contexts.push_back(&row.context);
  }
  if (contexts.empty()) return {};
  auto values = [](const Context* c) {
    std::vector<std::string> v;
    for (const auto& [key, title] : machine_keys()) v.push_back(c->get(key));
    return v;
  };
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> columns;
  for (const auto* c : contexts) {
    const auto v = values(c);
    auto it = std::find_if(columns.begin(), columns.end(),
                           [&](const auto& col) { return col.first == v; });
    if (it == columns.end()) it = columns.insert(columns.end(), {v, {}});
    it->second.push_back(c->record.empty() ? c->get("executable") : c->record);
  }
  std::string out = "\n## Machine\n\n| |";
  std::string rule = "|---|";
  for (const auto& [v, records] : columns) {
    out += fmt::format(" {} |", fmt::join(records, ", "));
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (std::size_t k = 0; k < machine_keys().size(); ++k) {
    if (std::all_of(columns.begin(), columns.end(),
                    [&](const auto& col) { return col.first[k] == "unknown"; })) {
      continue;
    }
    out += fmt::format("| {} |", machine_keys()[k].second);
    for (const auto& col : columns) out += fmt::format(" {} |", col.first[k]);
    out += "\n";
  }
  return out;
}

std::string flagged_rows(const Report& r) {
  std::string out;
  for (const auto& row : r.speedup) {
    if (row.quality.ok()) continue;
    out += fmt::format("| {} {} ×{} ({} jobs of {}) | {} |\n", row.workload, row.executor,
                       row.workers, row.jobs, human_bytes(std::round(row.job_bytes)),
                       fmt::join(row.quality.reasons, "; "));
  }
  for (const auto& row : r.overhead) {
    if (row.quality.ok()) continue;
    out += fmt::format("| {} {} | {} |\n", row.benchmark, row.args,
                       fmt::join(row.quality.reasons, "; "));
  }
  const FlagCount count = count_flags(r);
  std::string text;
  if (!out.empty()) {
    text =
        "\n## Flagged rows (⚠)\n\nA flagged figure was measured while something disturbed "
        "it; rerun on a quiet machine before quoting it.\n\n| row | reasons |\n|---|---|\n" +
        out;
  }
  return text + fmt::format("\n**{} of {} rows flagged noisy.**\n", count.flagged, count.rows);
}

}  // namespace

std::string summary(const Report& r, const SummaryLinks& links) {
  std::string out = "# Benchmark summary\n\n";
  if (!r.speedup.empty()) {
    out += fmt::format(
        "Measured on {}. Every figure is the median of n rounds with its 95% "
        "interval; ⚠ marks a row flagged noisy (reasons at the end).\n",
        machine_line(r.speedup.front().context));
  }
  for (const auto& workload : workloads_of(r)) {
    const auto cpp = main_group(r, workload, "");
    if (!cpp.empty()) {
      out += fmt::format("\n## {}\n\n", workload);
      out += job_set_line(workload, cpp);
      out += fmt::format("\nSpeedup over sequential ({} CPUs):\n\n", cpp.front()->context.cpus);
      out += speedup_table(cpp);
      out += recommendations(r, workload, "");
    }
    for (const auto& implementation : pythons_of(r)) {
      const auto rows = main_group(r, workload, implementation);
      if (rows.empty()) continue;
      const std::string python = python_name(rows.front()->context, implementation);
      out += fmt::format("\n### {} {}\n\n", workload, python);
      out += job_set_line(fmt::format("{} on {}", workload, python), rows);
      out += fmt::format("\nSpeedup over {}-sequential ({} CPUs):\n\n", implementation,
                         rows.front()->context.cpus);
      out += speedup_table(rows);
      out += recommendations(r, workload, implementation);
      out += ratio_list(rows, &SpeedupRow::cpp_over_python, false, "C++ against " + python);
      if (implementation != "pypy") continue;
      const auto cpython = main_group(r, workload, "cpython");
      out += ratio_list(
          rows, &SpeedupRow::over_cpython, true,
          fmt::format("{} against {}", python,
                      cpython.empty() ? std::string("CPython")
                                      : python_name(cpython.front()->context, "cpython")));
      if (workload == "arcfour") out += book_pypy_claim(rows);
    }
  }
  out += sweep_tables(r);
  out += kernel_table(r);
  out += overhead_table(r);
  out += tbb_table(r);
  out += machine_table(r);
  if (!links.plots.empty()) {
    out += "\n## Plots\n\n";
    for (const auto& p : links.plots) out += fmt::format("![{}]({})\n", p, p);
  }
  out += flagged_rows(r);
  return out;
}

}  // namespace report
