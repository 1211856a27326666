// Outputs, plots: what gnuplot draws from the model. Speedup and efficiency per workload with
// each point's 95% interval and flagged points marked, the job-size sweeps, gil_<workload>
// (both languages' pools, each against its own sequential run), and halves (threads on
// CPU-bound and on I/O-bound work, side by side).
#ifndef REPORT_PLOTS_HPP_
#define REPORT_PLOTS_HPP_

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/model.hpp"

namespace report {

// A plot to draw: gnuplot runs `script` with `vars` set and `datafile` holding `data`.
struct PlotJob {
  std::string script;  // plot_speedup.gp, plot_granularity.gp or plot_halves.gp
  std::string data;    // the data file's text
  std::map<std::string, std::string> vars;  // gnuplot expressions
  std::filesystem::path png;
  std::filesystem::path svg;
};

std::vector<PlotJob> plot_jobs(const Report& report, const std::filesystem::path& plots);

// The machine in one line, for plot subtitles and the summary: CPU with family, model and
// stepping, cores, kernel, compiler and flags, git revision, date.
std::string machine_line(const Context& c);

// "CPython 3.11.7" or "PyPy 7.3.11 (Python 3.9.16)" from a Python record's context (its
// compiler), else "CPython" or "PyPy"; `implementation` as python_of() names it.
std::string python_name(const Context& c, std::string_view implementation);

}  // namespace report

#endif  // REPORT_PLOTS_HPP_
