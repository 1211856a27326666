#include "report/report.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "report/files.hpp"

namespace report {
namespace {

namespace fs = std::filesystem;

std::string default_scripts_dir() {
#ifdef REPORT_SCRIPTS_DIR
  return REPORT_SCRIPTS_DIR;
#else
  return "tools";
#endif
}

// The records of one side of a comparison: a JSON file, or every *.json in a directory.
std::vector<Input> load_side(const std::string& path) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && entry.path().extension() == ".json" &&
          !name.starts_with(".")) {
        files.push_back(entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      throw InputError(fmt::format("{}: no *.json benchmark record in this directory", path));
    }
  } else {
    files.push_back(path);
  }
  std::vector<Input> inputs;
  for (const auto& f : files) inputs.push_back(load_record(f));
  return inputs;
}

// Draws one plot through gnuplot into staged files. Throws std::runtime_error on failure.
void draw(const PlotJob& job, const std::string& scripts_dir, const std::string& gnuplot,
          Staging& staging) {
  const fs::path script = fs::path(scripts_dir) / job.script;
  if (!fs::exists(script)) {
    throw std::runtime_error(
        fmt::format("plot script {} not found (use --scripts DIR)", script.string()));
  }
  const fs::path data = staging.scratch(job.png.parent_path() / (job.png.stem().string() + ".dat"));
  {
    std::ofstream d(data);
    d << job.data;
    if (!d) throw std::runtime_error("cannot write " + data.string());
  }
  const fs::path png = staging.stage(job.png);
  const fs::path svg = staging.stage(job.svg);
  std::string vars =
      fmt::format("datafile={}; out_png={}; out_svg={}", gnuplot_string(data.string()),
                  gnuplot_string(png.string()), gnuplot_string(svg.string()));
  for (const auto& [k, v] : job.vars) vars += fmt::format("; {}={}", k, v);
  const int status = run_program({gnuplot, "-e", vars, script.string()});
  if (status != 0) {
    throw std::runtime_error(
        fmt::format("{} failed on {} (exit status {}){}", gnuplot, script.string(), status,
                    status == 127 ? ": is gnuplot installed? (tools/install_deps.sh bench)" : ""));
  }
  if (!fs::exists(png) || !fs::exists(svg)) {
    throw std::runtime_error(fmt::format("{} wrote no plot for {}", gnuplot, job.png.string()));
  }
}

}  // namespace

Report analyze(const std::vector<Input>& inputs) {
  Report r = build_model(inputs);
  assess(r);
  return r;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Turns benchmark JSON records into results/speedup.csv, results/overhead.csv, "
      "results/summary.md and plots, with a 95% interval and a noise flag on every figure; "
      "or compares two runs.",
      "report"};
  std::vector<std::string> records;
  std::string results_dir = "results";
  std::string plots_dir = "plots";
  std::string scripts_dir = default_scripts_dir();
  std::string gnuplot = "gnuplot";
  bool no_plots = false;
  bool quiet = false;
  bool strict = false;
  app.add_option("records", records, "benchmark JSON records (Google Benchmark's, or alike)");
  app.add_option("--results", results_dir, "where the CSV files and summary.md go")
      ->capture_default_str();
  app.add_option("--plots", plots_dir, "where the plots go")->capture_default_str();
  app.add_option("--scripts", scripts_dir,
                 "where plot_speedup.gp, plot_granularity.gp and plot_halves.gp are")
      ->capture_default_str();
  app.add_option("--gnuplot", gnuplot, "the gnuplot program")->capture_default_str();
  app.add_flag("--no-plots", no_plots, "write the CSV files and the summary only");
  app.add_flag("--quiet", quiet, "no summary on the terminal");
  app.add_flag("--strict", strict, "exit with status 3 when a row is flagged noisy");
  auto* cmp = app.add_subcommand(
      "compare", "two runs side by side, b against a; exit status 1 when a row is slower");
  std::vector<std::string> pair;
  CompareOptions options;
  double threshold_percent = options.threshold * 100;
  cmp->add_option("runs", pair, "A B: each a JSON record or a directory of them (results/)")
      ->required()
      ->expected(2);
  cmp->add_option("--threshold", threshold_percent,
                  "the smallest slowdown that fails, in percent of a's median")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  cmp->add_option("--alpha", options.alpha, "significance level of the U test")
      ->check(CLI::Range(1e-6, 0.5))
      ->capture_default_str();

  std::vector<std::string> argv_rev(args.rbegin(), args.rend());
  try {
    app.parse(argv_rev);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "report: " << e.what() << " (see report --help)\n";
    return 2;
  }

  try {
    if (cmp->parsed()) {
      options.threshold = threshold_percent / 100;
      const Report a = analyze(load_side(pair[0]));
      const Report b = analyze(load_side(pair[1]));
      const Comparison c = compare(a, pair[0], b, pair[1], options);
      out << c.text;
      return c.slower > 0 ? 1 : 0;
    }
    if (records.empty()) {
      err << "report: no benchmark JSON record given: expected report [options] RECORD.json... "
             "or report compare A B (see report --help)\n";
      return 2;
    }
    std::vector<Input> inputs;
    for (std::size_t k = 0; k < records.size(); ++k) {
      inputs.push_back(load_record(records[k]));
      for (auto& s : inputs.back().series) s.source = static_cast<int>(k);
    }
    const Report r = analyze(inputs);

    // The output directories are checked before anything is written, outside the try below:
    // an unusable one is bad input (status 2), not a failure of the run (status 1). Leaving
    // this scope without commit() removes the directories that the run created.
    Staging staging;
    const auto jobs = no_plots ? std::vector<PlotJob>{} : plot_jobs(r, plots_dir);
    staging.prepare_directory(results_dir, "--results");
    if (!jobs.empty()) staging.prepare_directory(plots_dir, "--plots");
    SummaryLinks links;
    for (const auto& job : jobs) {
      links.plots.push_back(fs::absolute(job.png)
                                .lexically_normal()
                                .lexically_relative(fs::absolute(results_dir).lexically_normal())
                                .string());
    }
    const std::string text = summary(r, links);
    try {
      if (!r.speedup.empty()) staging.write(fs::path(results_dir) / "speedup.csv", speedup_csv(r));
      if (!r.overhead.empty()) {
        staging.write(fs::path(results_dir) / "overhead.csv", overhead_csv(r));
      }
      staging.write(fs::path(results_dir) / "summary.md", text);
      for (const auto& job : jobs) draw(job, scripts_dir, gnuplot, staging);
      staging.commit();
    } catch (const std::exception& e) {
      err << "report: " << e.what() << "; nothing written\n";
      return 1;
    }
    if (!quiet) out << summary(r);
    const FlagCount flags = count_flags(r);
    if (strict && flags.flagged > 0) {
      err << fmt::format("report: --strict: {} of {} rows flagged noisy (see summary.md)\n",
                         flags.flagged, flags.rows);
      return 3;
    }
    return 0;
  } catch (const InputError& e) {
    err << "report: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace report
