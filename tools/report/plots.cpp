#include "report/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

#include "report/files.hpp"
#include "report/text.hpp"

namespace report {
namespace {

namespace fs = std::filesystem;

// An interval end for gnuplot: the estimate itself where there is no interval.
double end_or(double end, double value) { return std::isnan(end) ? value : end; }

// The rows of one executor in a group, by worker count, as plot_speedup.gp reads them:
// "workers value low high flagged", the interval of the speedup (or efficiency) and 1 for a
// row whose quality is not ok.
std::string speedup_block(const std::vector<const SpeedupRow*>& group, const std::string& executor,
                          const std::string& kind, const std::string& title, int& flagged) {
  std::string data = fmt::format("# {}\n", title);
  std::vector<const SpeedupRow*> rows;
  for (const auto* row : group) {
    if (row->executor == executor && !std::isnan(row->speedup.value)) rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->workers < b->workers; });
  for (const auto* row : rows) {
    const stats::Estimate& e = kind == "speedup" ? row->speedup : row->efficiency;
    data += fmt::format("{} {} {} {} {}\n", row->workers, e.value, end_or(e.ci.low, e.value),
                        end_or(e.ci.high, e.value), row->quality.ok() ? 0 : 1);
    if (!row->quality.ok()) ++flagged;
  }
  return data + "\n\n";
}

// The second title line: what the error bars are, and how many points are flagged.
std::string note_of(int flagged, int points) {
  return fmt::format(
      "error bars: 95% intervals; {}",
      flagged == 0 ? fmt::format("no point of {} flagged noisy", points)
                   : fmt::format("{} of {} points flagged noisy (red rings)", flagged, points));
}

}  // namespace

std::string machine_line(const Context& c) {
  std::string cpu = c.cpu_model;
  if (c.get("cpu_family") != "unknown") {
    cpu += fmt::format(" (family {} model {} stepping {})", c.get("cpu_family"),
                       c.get("cpu_model_number"), c.get("cpu_stepping"));
  }
  std::string kernel = c.get("kernel") == "unknown" ? "" : ", Linux " + c.get("kernel");
  return fmt::format("{}, {} CPUs{}, {} {} {}, git {}, {}", cpu, c.cpus, kernel, c.compiler,
                     c.build_type, c.flags == "unknown" ? "" : c.flags, c.git_revision,
                     c.date.substr(0, 10));
}

std::string python_name(const Context& c, std::string_view implementation) {
  const std::string_view plain = implementation == "pypy" ? "PyPy" : "CPython";
  return c.compiler.starts_with(plain) ? c.compiler : std::string(plain);
}

namespace {

// The two halves side by side (plot_halves.gp): threads on the CPU-bound ARCFOUR jobs and on
// the first I/O-bound workload, C++ beside CPython, each against its own sequential run. None
// unless both workloads have rows in both languages.
std::optional<PlotJob> halves_job(const Report& r, const fs::path& plots) {
  std::string io;
  for (const auto& w : workloads_of(r)) {
    const auto g = main_group(r, w, "");
    if (io.empty() && !g.empty() && g.front()->io_bound) io = w;
  }
  const std::string cpu = "arcfour";
  if (io.empty()) return std::nullopt;
  const auto cpp_cpu = main_group(r, cpu, "");
  const auto py_cpu = main_group(r, cpu, "cpython");
  const auto cpp_io = main_group(r, io, "");
  const auto py_io = main_group(r, io, "cpython");
  if (cpp_cpu.empty() || py_cpu.empty() || cpp_io.empty() || py_io.empty()) return std::nullopt;

  std::string data;
  int flagged = 0;
  int points = 0;
  // Adds a line of `group`'s `executor` rows; returns its largest worker count (0: no rows).
  auto line = [&](const std::vector<const SpeedupRow*>& group, const std::string& executor,
                  const std::string& title, std::vector<std::string>& titles) {
    int maxw = 0;
    for (const auto* row : group) {
      if (row->executor != executor || std::isnan(row->speedup.value)) continue;
      maxw = std::max(maxw, row->workers);
      ++points;
    }
    if (maxw == 0) return 0;
    data += speedup_block(group, executor, "speedup", title, flagged);
    titles.push_back(title);
    return maxw;
  };
  std::vector<std::string> left;
  std::vector<std::string> right;
  // One statement per line: the order of the blocks is the order of the titles.
  const int cpp_maxw = line(cpp_cpu, "thread", "c++-thread", left);
  const int left_maxw = std::max(cpp_maxw, line(py_cpu, "cpython-thread", "cpython-thread", left));
  // A braced list is evaluated left to right.
  const int right_maxw = std::max({line(cpp_io, "thread", "c++-thread", right),
                                   line(cpp_io, "coroutine", "c++-coroutine", right),
                                   line(py_io, "cpython-thread", "cpython-thread", right),
                                   line(py_io, "cpython-asyncio", "cpython-asyncio", right)});
  if (left.empty() || right.empty()) return std::nullopt;
  const Context& c = cpp_cpu.front()->context;
  const std::string python = python_name(py_cpu.front()->context, "cpython");
  PlotJob job;
  job.script = "plot_halves.gp";
  job.data = std::move(data);
  job.vars = {
      {"left_lines", gnuplot_string(fmt::format("{}", fmt::join(left, " ")))},
      {"right_lines", gnuplot_string(fmt::format("{}", fmt::join(right, " ")))},
      {"left_title", gnuplot_string(fmt::format("CPU-bound: {} (C++ and {})", cpu, python))},
      {"right_title", gnuplot_string(fmt::format("I/O-bound: {}, {} downloads (C++ and {})", io,
                                                 cpp_io.front()->jobs, python))},
      {"cpus", std::to_string(std::max(1, c.cpus))},
      {"jobs", std::to_string(std::max(1, static_cast<int>(cpp_io.front()->jobs)))},
      {"left_maxw", std::to_string(left_maxw)},
      {"right_maxw", std::to_string(right_maxw)},
      {"note", gnuplot_string(note_of(flagged, points))},
      {"machine", gnuplot_string(machine_line(c))}};
  job.png = plots / "halves.png";
  job.svg = plots / "halves.svg";
  return job;
}

}  // namespace

std::vector<PlotJob> plot_jobs(const Report& r, const fs::path& plots) {
  std::vector<PlotJob> jobs;
  auto make_job = [&](std::string script, std::string data, std::map<std::string, std::string> vars,
                      const std::string& stem) {
    PlotJob job;
    job.script = std::move(script);
    job.data = std::move(data);
    job.vars = std::move(vars);
    job.png = plots / (stem + ".png");
    job.svg = plots / (stem + ".svg");
    jobs.push_back(std::move(job));
  };
  for (const auto& workload : workloads_of(r)) {
    auto group = main_group(r, workload, "");
    for (const auto& python : pythons_of(r)) {  // a Python record alone
      if (group.empty()) group = main_group(r, workload, python);
    }
    if (group.empty()) continue;
    const std::vector<std::string> executors = executors_of(group);
    if (executors.empty()) continue;
    int max_workers = 1;
    int points = 0;
    for (const auto* row : group) {
      if (is_baseline(row->executor) || std::isnan(row->speedup.value)) continue;
      max_workers = std::max(max_workers, row->workers);
      ++points;
    }
    const SpeedupRow* baseline = nullptr;
    for (const auto* row : group) {
      if (is_baseline(row->executor)) baseline = row;
    }
    const Context& c = group.front()->context;
    const bool io_bound = group.front()->io_bound;
    for (const std::string kind : {"speedup", "efficiency"}) {
      std::string data;
      int flagged = 0;
      for (const auto& e : executors) data += speedup_block(group, e, kind, e, flagged);
      const std::string title = fmt::format(
          "{}: {} jobs of {} on average{}", workload, group.front()->jobs,
          human_bytes(std::round(group.front()->job_bytes)),
          baseline ? fmt::format(", sequential {}", human_seconds(baseline->time.median)) : "");
      make_job("plot_speedup.gp", std::move(data),
               {{"kind", gnuplot_string(kind)},
                {"executors", gnuplot_string(fmt::format("{}", fmt::join(executors, " ")))},
                {"cpus", std::to_string(std::max(1, c.cpus))},
                {"cap", std::to_string(io_bound ? std::max(1, static_cast<int>(group.front()->jobs))
                                                : std::max(1, c.cpus))},
                {"cap_name", gnuplot_string(io_bound ? "jobs" : "cores")},
                {"maxw", std::to_string(max_workers)},
                {"title_text", gnuplot_string(title)},
                {"note", gnuplot_string(note_of(flagged, points))},
                {"machine", gnuplot_string(machine_line(c))}},
               fmt::format("{}_{}", kind, workload));
    }
    // Every language's pools, each against its own sequential run.
    const auto cpp = main_group(r, workload, "");
    const auto cpy = main_group(r, workload, "cpython");
    const auto pypy = main_group(r, workload, "pypy");
    if (cpy.empty() && pypy.empty()) continue;
    std::string data;
    std::vector<std::string> titles;
    int maxw = 1;
    int flagged = 0;
    int gil_points = 0;
    for (const auto& [group_of, executor, title] :
         {std::tuple{&cpp, "thread", "c++-thread"}, std::tuple{&cpp, "process", "c++-process"},
          std::tuple{&cpp, "coroutine", "c++-coroutine"},
          std::tuple{&cpy, "cpython-thread", "cpython-thread"},
          std::tuple{&cpy, "cpython-process", "cpython-process"},
          std::tuple{&cpy, "cpython-asyncio", "cpython-asyncio"},
          std::tuple{&pypy, "pypy-thread", "pypy-thread"},
          std::tuple{&pypy, "pypy-process", "pypy-process"}}) {
      const std::vector<const SpeedupRow*>& rows = *group_of;
      int n = 0;
      for (const auto* row : rows) {
        if (row->executor != executor || std::isnan(row->speedup.value)) continue;
        maxw = std::max(maxw, row->workers);
        ++n;
      }
      if (n == 0) continue;
      gil_points += n;
      data += speedup_block(rows, executor, "speedup", title, flagged);
      titles.emplace_back(title);
    }
    if (titles.empty()) continue;
    const Context& gc = !cpp.empty()   ? cpp.front()->context
                        : !cpy.empty() ? cpy.front()->context
                                       : pypy.front()->context;
    std::vector<std::string> pythons;
    if (!cpy.empty()) pythons.push_back(python_name(cpy.front()->context, "cpython"));
    if (!pypy.empty()) pythons.push_back(python_name(pypy.front()->context, "pypy"));
    make_job("plot_speedup.gp", std::move(data),
             {{"kind", gnuplot_string("speedup")},
              {"executors", gnuplot_string(fmt::format("{}", fmt::join(titles, " ")))},
              {"cpus", std::to_string(std::max(1, gc.cpus))},
              {"cap", std::to_string(io_bound ? std::max(1, static_cast<int>(group.front()->jobs))
                                              : std::max(1, gc.cpus))},
              {"cap_name", gnuplot_string(io_bound ? "jobs" : "cores")},
              {"maxw", std::to_string(maxw)},
              {"title_text", gnuplot_string(fmt::format("{}: the GIL at a glance — C++ vs {}",
                                                        workload, fmt::join(pythons, " and ")))},
              {"note", gnuplot_string(note_of(flagged, gil_points))},
              {"machine", gnuplot_string(machine_line(gc))}},
             fmt::format("gil_{}", workload));
  }
  if (auto halves = halves_job(r, plots)) jobs.push_back(std::move(*halves));
  for (const auto& sweep : sweeps_of(r)) {
    const auto lines = lines_of(sweep);
    if (lines.empty()) continue;
    std::string data;
    std::vector<std::string> titles;
    std::vector<std::string> worker_words;
    int ideal = 1;
    int flagged = 0;
    int points = 0;
    const Context& c = sweep.rows.front()->context;
    for (const auto& [e, w] : lines) {
      data += fmt::format("# {} {}\n", e, w);
      std::vector<const SpeedupRow*> rows;
      for (const auto* row : sweep.rows) {
        if (row->executor == e && row->workers == w) rows.push_back(row);
      }
      std::sort(rows.begin(), rows.end(),
                [](auto* a, auto* b) { return a->job_bytes < b->job_bytes; });
      for (const auto* row : rows) {
        const stats::Estimate& s = row->speedup;
        data += fmt::format("{} {} {} {} {} \"{}\"\n", row->job_bytes, s.value,
                            end_or(s.ci.low, s.value), end_or(s.ci.high, s.value),
                            row->quality.ok() ? 0 : 1, human_bytes(row->job_bytes));
        ++points;
        if (!row->quality.ok()) ++flagged;
      }
      data += "\n\n";
      titles.push_back(e);
      worker_words.push_back(std::to_string(w));
      ideal = std::max(ideal, std::min(w, std::max(1, c.cpus)));
    }
    make_job("plot_granularity.gp", std::move(data),
             {{"titles", gnuplot_string(fmt::format("{}", fmt::join(titles, " ")))},
              {"workers", gnuplot_string(fmt::format("{}", fmt::join(worker_words, " ")))},
              {"ideal", std::to_string(ideal)},
              {"title_text",
               gnuplot_string(fmt::format("{}: job size sweep, {} in total", sweep.workload,
                                          human_bytes(sweep.total_bytes)))},
              {"note", gnuplot_string(note_of(flagged, points))},
              {"machine", gnuplot_string(machine_line(c))}},
             fmt::format("granularity_{}", sweep.workload));
  }
  return jobs;
}

}  // namespace report
