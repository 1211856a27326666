// The report program on small committed records (tools/report/testdata): parsing, speedup
// with intervals, noise flags, break-even sizes, CSV, the summary, compare, and the exit status
// and outputs of the program itself.
#include "report/report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/kernels.hpp"

namespace {

namespace fs = std::filesystem;

std::string data(const std::string& name) { return std::string(REPORT_TESTDATA_DIR) + "/" + name; }

const report::SpeedupRow& find_row(const report::Report& r, const std::string& executor,
                                   int workers, double job_bytes) {
  for (const auto& row : r.speedup) {
    if (row.executor == executor && row.workers == workers && row.job_bytes == job_bytes) {
      return row;
    }
  }
  throw std::runtime_error("no row " + executor + " " + std::to_string(workers));
}

// A fresh directory for a test's outputs, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "report_test.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  TempDir(const TempDir&) = delete;  // owns the directory
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome run_report(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = report::run(args, out, err);
  return {status, out.str(), err.str()};
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

// Files and directories alike.
std::vector<fs::path> entries_under(const fs::path& dir) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) entries.push_back(entry.path());
  return entries;
}

TEST(ReportParseTest, ReadsSeriesWithRepetitionsAndSkipsFailedRows) {
  const report::Input in = report::load_record(data("small.json"));
  EXPECT_EQ(in.context.cpus, 2);
  EXPECT_EQ(in.context.cpu_model, "Test CPU");
  EXPECT_EQ(in.context.git_revision, "abc1234");
  EXPECT_EQ(in.context.load, "0.50 0.25 0.12");
  // 5 book-set series, 9 job-size series, 1 overhead series; the failed OpenMP row is left out.
  ASSERT_EQ(in.series.size(), 15u);
  const report::Series& first = in.series.front();
  EXPECT_EQ(first.family, "BM_Sequential_Sha");
  EXPECT_EQ(first.executor, "sequential");
  EXPECT_EQ(first.workload, "sha");
  ASSERT_EQ(first.seconds.size(), 3u);
  EXPECT_DOUBLE_EQ(first.seconds[1], 0.110);
  ASSERT_EQ(first.args.size(), 1u);
  EXPECT_EQ(first.args[0].first, "workers");
}

TEST(ReportParseTest, BareNaNAndInfinityAreReadAsMissingValues) {
  // small.json carries them as Google Benchmark writes them, outside strings.
  const report::Input in = report::parse_record(
      R"({"benchmarks": [{"name": "BM_A", "label": "NaN inside a string",
                          "real_time": 5, "time_unit": "ms", "x": NaN, "y": -Infinity}]})",
      "nan.json");
  ASSERT_EQ(in.series.size(), 1u);
  EXPECT_FALSE(in.series[0].counters.contains("x"));
  EXPECT_FALSE(in.series[0].counters.contains("y"));
  EXPECT_DOUBLE_EQ(in.series[0].seconds[0], 0.005);
}

TEST(ReportParseTest, MalformedRecordsThrowInputErrorNamingTheFile) {
  for (const char* name : {"truncated.json", "no_benchmarks.json", "bad_time.json"}) {
    try {
      report::load_record(data(name));
      ADD_FAILURE() << name << " was accepted";
    } catch (const report::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(report::load_record(data("does_not_exist.json")), report::InputError);
}

TEST(ReportAnalyzeTest, SpeedupIsBaselineMedianOverMedian) {
  const auto r = report::analyze({report::load_record(data("small.json"))});
  const auto& seq = find_row(r, "sequential", 1, 1000);
  EXPECT_DOUBLE_EQ(seq.time.median, 0.100);
  EXPECT_DOUBLE_EQ(seq.speedup.value, 1.0);
  const auto& thread2 = find_row(r, "thread", 2, 1000);
  EXPECT_DOUBLE_EQ(thread2.time.median, 0.050);
  EXPECT_DOUBLE_EQ(thread2.speedup.value, 2.0);
  EXPECT_DOUBLE_EQ(thread2.efficiency.value, 1.0);
  EXPECT_DOUBLE_EQ(thread2.mb_per_s, 4000 / 0.050 / 1e6);
  EXPECT_EQ(thread2.time.repetitions, 3);
  EXPECT_NEAR(thread2.time.cv, 0.04, 1e-9);  // stddev 2 ms over mean 50 ms
  const auto& process2 = find_row(r, "process", 2, 1000);
  EXPECT_DOUBLE_EQ(process2.speedup.value, 1.25);
  EXPECT_DOUBLE_EQ(process2.efficiency.value, 0.625);
  // The job-size sweep pairs each size with the sequential run of the same size.
  EXPECT_DOUBLE_EQ(find_row(r, "process", 2, 256).speedup.value, 0.5);
  ASSERT_EQ(r.overhead.size(), 1u);
  EXPECT_EQ(r.overhead[0].benchmark, "BM_ThreadPool_RoundTrip");
  EXPECT_EQ(r.overhead[0].args, "workers=2");
  EXPECT_DOUBLE_EQ(r.overhead[0].per_task.value, 2000e-9);
}

TEST(ReportAnalyzeTest, EfficiencyDividesByTheCoresWhenWorkersExceedThem) {
  report::Input in = report::load_record(data("small.json"));
  in.context.cpus = 1;
  const auto r = report::analyze({in});
  EXPECT_DOUBLE_EQ(find_row(r, "thread", 2, 1000).efficiency.value, 2.0);
}

TEST(ReportAnalyzeTest, AnotherSourceUsesItsOwnSequentialBaseline) {
  const auto r = report::analyze(
      {report::load_record(data("small.json")), report::load_record(data("other_source.json"))});
  const auto& row = find_row(r, "cpython-process", 2, 1000);
  EXPECT_DOUBLE_EQ(row.speedup.value,
                   2.0);  // against cpython-sequential, not the C++ sequential run
  EXPECT_EQ(row.source, 1);
}

TEST(ReportAnalyzeTest, CppOverCpythonIsTheRatioOfTimesPerInputByte) {
  const auto r = report::analyze(
      {report::load_record(data("small.json")), report::load_record(data("cpython_small.json"))});
  // C++: 4 jobs of 1000 bytes; CPython: 2 jobs of 4000 bytes.
  const auto& seq = find_row(r, "cpython-sequential", 1, 4000);
  EXPECT_DOUBLE_EQ(seq.speedup.value, 1.0);
  EXPECT_DOUBLE_EQ(seq.cpp_over_python.value, (0.100 / 4000) / (1.6 / 8000));  // 0.125
  EXPECT_DOUBLE_EQ(find_row(r, "cpython-thread", 1, 4000).cpp_over_python.value, 0.125);
  const auto& thread2 = find_row(r, "cpython-thread", 2, 4000);
  EXPECT_DOUBLE_EQ(thread2.speedup.value, 1.6);
  EXPECT_DOUBLE_EQ(thread2.cpp_over_python.value, (0.050 / 4000) / (1.0 / 8000));
  EXPECT_DOUBLE_EQ(find_row(r, "cpython-process", 2, 4000).cpp_over_python.value,
                   (0.080 / 4000) / (0.85 / 8000));
  // No C++ thread row at 4 workers; C++ rows have no ratio.
  EXPECT_TRUE(std::isnan(find_row(r, "cpython-thread", 4, 4000).cpp_over_python.value));
  EXPECT_TRUE(std::isnan(find_row(r, "thread", 2, 1000).cpp_over_python.value));
  // The CPython overhead row goes to overhead.csv beside ours.
  EXPECT_TRUE(std::any_of(r.overhead.begin(), r.overhead.end(), [](const auto& row) {
    return row.benchmark == "BM_CPythonThreadPool_RoundTrip" && row.per_task.value == 3e-5;
  }));
}

TEST(ReportPlotTest, GilPlotOnlyWithCpythonRowsAndWithBothLanguagesPools) {
  const auto cpp_only =
      report::plot_jobs(report::analyze({report::load_record(data("small.json"))}), "plots");
  for (const auto& job : cpp_only) {
    EXPECT_EQ(job.png.filename().string().rfind("gil_", 0), std::string::npos) << job.png;
  }
  const auto jobs =
      report::plot_jobs(report::analyze({report::load_record(data("small.json")),
                                         report::load_record(data("cpython_small.json"))}),
                        "plots");
  const auto gil = std::find_if(jobs.begin(), jobs.end(), [](const auto& j) {
    return j.png == fs::path("plots") / "gil_sha.png";
  });
  ASSERT_NE(gil, jobs.end());
  EXPECT_EQ(gil->svg, fs::path("plots") / "gil_sha.svg");
  EXPECT_EQ(gil->script, "plot_speedup.gp");
  EXPECT_EQ(gil->vars.at("executors"), "'c++-thread c++-process cpython-thread cpython-process'");
  EXPECT_EQ(gil->vars.at("kind"), "'speedup'");
  EXPECT_EQ(gil->vars.at("maxw"), "4");
  EXPECT_NE(gil->vars.at("title_text").find("the GIL at a glance"), std::string::npos);
  EXPECT_NE(gil->vars.at("title_text").find("CPython 3.11.0"), std::string::npos);
  EXPECT_NE(gil->data.find("# c++-thread\n1 1 "), std::string::npos) << gil->data;
  EXPECT_NE(gil->data.find("\n2 2 "), std::string::npos) << gil->data;  // C++ thread x2
  EXPECT_NE(gil->data.find("# cpython-thread\n1 1 "), std::string::npos) << gil->data;
  EXPECT_NE(gil->data.find("\n2 1.6 "), std::string::npos) << gil->data;  // CPython thread x2
  EXPECT_NE(gil->data.find("# cpython-process\n1 "), std::string::npos) << gil->data;
  // The per-language speedup plot keeps to the C++ rows.
  const auto speedup = std::find_if(jobs.begin(), jobs.end(), [](const auto& j) {
    return j.png == fs::path("plots") / "speedup_sha.png";
  });
  ASSERT_NE(speedup, jobs.end());
  EXPECT_EQ(speedup->data.find("cpython"), std::string::npos) << speedup->data;
}

TEST(ReportAnalyzeTest, BreakEvenIsTheSmallestSizeFromWhichTheExecutorStaysFaster) {
  const auto r = report::analyze({report::load_record(data("small.json"))});
  const auto bes = report::break_even(r);
  ASSERT_EQ(bes.size(), 2u);
  EXPECT_EQ(bes[0].executor, "thread");
  ASSERT_TRUE(bes[0].faster.bytes.has_value());
  EXPECT_DOUBLE_EQ(*bes[0].faster.bytes, 256);  // 1.25x, 1.67x, 1.11x
  EXPECT_FALSE(bes[0].near_ideal.bytes.has_value());
  EXPECT_EQ(bes[1].executor, "process");
  ASSERT_TRUE(bes[1].faster.bytes.has_value());
  EXPECT_DOUBLE_EQ(*bes[1].faster.bytes, 1024);  // 0.5x, 1.11x, 1.25x
  for (const auto& be : bes) {
    // The intervals' ends bracket the point estimates' size.
    if (be.faster.at_best && be.faster.bytes) {
      EXPECT_LE(*be.faster.at_best, *be.faster.bytes);
    }
    if (be.faster.surely && be.faster.bytes) {
      EXPECT_GE(*be.faster.surely, *be.faster.bytes);
    }
  }
}

stats::Estimate estimate(double value, double low, double high) { return {value, {low, high}, 9}; }

TEST(ReportAnalyzeTest, SizeMarkBracketsTheBreakEvenWithTheIntervalsEnds) {
  const std::vector<std::pair<double, stats::Estimate>> by_size{
      {16384, estimate(1.5, 1.2, 1.7)},   // surely above 1
      {1024, estimate(0.9, 0.8, 1.05)},   // below 1, but its interval reaches past it
      {65536, estimate(1.9, 1.8, 2.0)},   //
      {4096, estimate(1.2, 0.95, 1.4)}};  // above 1, not surely
  const report::SizeMark m = report::size_mark(by_size, 1.0, /*inclusive=*/false);
  EXPECT_EQ(m.bytes, 4096);
  EXPECT_EQ(m.at_best, 1024);
  EXPECT_EQ(m.surely, 16384);
  // A dip at a larger size moves every mark above it; a mark never reached is nullopt.
  auto dipped = by_size;
  dipped.push_back({262144, estimate(0.95, 0.9, 1.0)});
  const report::SizeMark d = report::size_mark(dipped, 1.0, /*inclusive=*/false);
  EXPECT_FALSE(d.bytes.has_value());
  EXPECT_FALSE(d.at_best.has_value());  // 1.0 is not above 1
  EXPECT_FALSE(d.surely.has_value());
  EXPECT_EQ(report::size_mark(dipped, 1.0, /*inclusive=*/true).at_best, 1024);
  // No interval (too few rounds): the point estimate stands for the upper end, and nothing is
  // sure.
  const report::SizeMark n = report::size_mark({{1024, estimate(1.2, std::nan(""), std::nan(""))}},
                                               1.0, /*inclusive=*/false);
  EXPECT_EQ(n.bytes, 1024);
  EXPECT_EQ(n.at_best, 1024);
  EXPECT_FALSE(n.surely.has_value());
}

TEST(ReportAnalyzeTest, CeilingRatioIsTheCeilingsTimeOverOursPerJobSize) {
  const auto r = report::analyze({report::load_record(data("ceiling.json"))});
  const auto ratios = report::ceiling_ratios(r);
  ASSERT_EQ(ratios.size(), 1u);
  EXPECT_EQ(ratios[0].executor, "thread");
  EXPECT_EQ(ratios[0].ceiling, "openmp");
  EXPECT_EQ(ratios[0].workers, 2);
  ASSERT_EQ(ratios[0].by_size.size(), 3u);
  EXPECT_DOUBLE_EQ(ratios[0].by_size[0].first, 256);
  EXPECT_NEAR(ratios[0].by_size[0].second.value, 0.5, 1e-12);  // 5 ms over 10 ms
  EXPECT_DOUBLE_EQ(ratios[0].by_size[1].first, 1024);
  EXPECT_NEAR(ratios[0].by_size[1].second.value, 0.8, 1e-12);  // 5 ms over 6.25 ms
  EXPECT_NEAR(ratios[0].by_size[2].second.value, 1.0, 1e-12);
  EXPECT_NEAR(ratios[0].by_size[2].second.ci.low, 1.0, 1e-12);  // paired, equal every round
  // Within 10% of the ceiling from the largest size only, surely so.
  EXPECT_EQ(ratios[0].within_10_percent.bytes, ratios[0].by_size[2].first);
  EXPECT_EQ(ratios[0].within_10_percent.surely, ratios[0].by_size[2].first);
  EXPECT_NE(report::summary(r).find("thread ×2 against the ceiling, openmp ×2"), std::string::npos);
}

TEST(ReportCsvTest, SpeedupCsvHasIntervalsQualityAndContextColumns) {
  const auto r = report::analyze({report::load_record(data("small.json"))});
  const auto table = report::parse_csv(report::speedup_csv(r), "speedup.csv");
  const std::vector<std::string> first{"workload",  "executor",    "workers",     "jobs",
                                       "job_bytes", "total_bytes", "repetitions", "median_seconds"};
  ASSERT_GE(table.header.size(), first.size());
  EXPECT_EQ(std::vector<std::string>(table.header.begin(), table.header.begin() + 8), first);
  for (const char* c : {"speedup",
                        "speedup_ci_low",
                        "speedup_ci_high",
                        "paired",
                        "efficiency",
                        "quality",
                        "system_seconds",
                        "minor_faults",
                        "canary_seconds",
                        "cpu_model",
                        "cpu_family",
                        "kernel",
                        "thp",
                        "compiler",
                        "cxx_flags",
                        "openssl",
                        "google_benchmark",
                        "git_revision",
                        "date",
                        "load"}) {
    EXPECT_NE(std::find(table.header.begin(), table.header.end(), c), table.header.end()) << c;
  }
  EXPECT_EQ(table.rows.size(), r.speedup.size());
  EXPECT_EQ(table.rows.front()[0], "sha");
  EXPECT_EQ(table.rows.front()[1], "sequential");
}

TEST(ReportAnalyzeTest, PypyRowsHaveTheirOwnBaselineAndRatiosToCppAndCpython) {
  const auto r = report::analyze({report::load_record(data("small.json")),
                                  report::load_record(data("cpython_small.json")),
                                  report::load_record(data("pypy_small.json"))});
  const auto& seq = find_row(r, "pypy-sequential", 1, 4000);
  EXPECT_DOUBLE_EQ(seq.speedup.value, 1.0);
  EXPECT_DOUBLE_EQ(seq.over_cpython.value, 4.0);
  EXPECT_DOUBLE_EQ(seq.cpp_over_python.value, (0.100 / 4000) / (0.4 / 8000));  // 0.5
  const auto& thread2 = find_row(r, "pypy-thread", 2, 4000);
  EXPECT_DOUBLE_EQ(thread2.speedup.value, 1.6);  // against pypy-sequential, not CPython's
  EXPECT_DOUBLE_EQ(thread2.over_cpython.value, 4.0);
  // CPython and C++ rows are not compared with CPython.
  EXPECT_TRUE(std::isnan(find_row(r, "cpython-thread", 2, 4000).over_cpython.value));
  EXPECT_TRUE(std::isnan(find_row(r, "thread", 2, 1000).over_cpython.value));
  EXPECT_EQ(report::python_of("pypy-process"), "pypy");
  EXPECT_EQ(report::python_of("cpython-thread"), "cpython");
  EXPECT_EQ(report::python_of("std-async"), "");
  EXPECT_EQ(report::python_of("pypy"), "");
  EXPECT_EQ(report::pythons_of(r), (std::vector<std::string>{"cpython", "pypy"}));
}

TEST(ReportMarkdownTest, PypyGetsItsOwnBlockAndTheBooksClaimOnArcfour) {
  std::vector<report::Input> inputs = {report::load_record(data("cpython_small.json")),
                                       report::load_record(data("pypy_small.json"))};
  const std::string sha = report::summary(report::analyze(inputs));
  EXPECT_NE(sha.find("### sha PyPy 7.3.11 (Python 3.9.16)"), std::string::npos) << sha;
  EXPECT_NE(sha.find("Speedup over pypy-sequential"), std::string::npos) << sha;
  EXPECT_NE(sha.find("PyPy 7.3.11 (Python 3.9.16) against CPython 3.11.0 per input byte"),
            std::string::npos)
      << sha;
  EXPECT_NE(sha.find("sequential at 1 worker: 4× faster"), std::string::npos) << sha;
  EXPECT_EQ(sha.find("The book's claim"), std::string::npos);  // ARCFOUR only
  for (auto& in : inputs) {
    for (auto& s : in.series) s.workload = "arcfour";
  }
  const std::string arcfour = report::summary(report::analyze(inputs));
  EXPECT_NE(arcfour.find("Here, the same configurations: 4× to 4× (estimates above), "
                         "within the book's range: the claim holds here."),
            std::string::npos)
      << arcfour;
  for (auto& s : inputs[1].series) {  // PyPy twice as fast again: 8 times CPython's speed
    for (double& t : s.seconds) t /= 2;
  }
  EXPECT_NE(report::summary(report::analyze(inputs))
                .find("8× to 8× (estimates above), above the book's range"),
            std::string::npos);
  const auto jobs = report::plot_jobs(report::analyze(inputs), "plots");
  const auto gil = std::find_if(jobs.begin(), jobs.end(), [](const auto& j) {
    return j.png == fs::path("plots") / "gil_arcfour.png";
  });
  ASSERT_NE(gil, jobs.end());
  EXPECT_EQ(gil->vars.at("executors"), "'cpython-thread cpython-process pypy-thread pypy-process'");
  EXPECT_NE(gil->vars.at("title_text").find("CPython 3.11.0 and PyPy 7.3.11 (Python 3.9.16)"),
            std::string::npos);
}

TEST(ReportCsvTest, CppOverCpythonHasItsIntervalAndOnlyCpythonRowsHaveIt) {
  const auto r = report::analyze(
      {report::load_record(data("small.json")), report::load_record(data("cpython_small.json"))});
  const auto table = report::parse_csv(report::speedup_csv(r), "speedup.csv");
  const auto at = [&](const std::string& name) {
    return std::find(table.header.begin(), table.header.end(), name) - table.header.begin();
  };
  EXPECT_EQ(at("cpp_over_python_ci_low"), at("cpp_over_python") + 1);
  EXPECT_EQ(at("cpp_over_python_ci_high"), at("cpp_over_python") + 2);
  int cpython_rows = 0;
  for (const auto& row : table.rows) {
    const std::string& ratio = row[at("cpp_over_python")];
    if (row[at("executor")] == "cpython-sequential") {
      EXPECT_EQ(ratio, "0.125");
      // One CPython repetition: too few for an interval, so its fields stay empty.
      EXPECT_EQ(row[at("cpp_over_python_ci_low")], "");
      EXPECT_EQ(row[at("cpp_over_python_ci_high")], "");
      ++cpython_rows;
    } else if (row[at("executor")].rfind("cpython-", 0) != 0) {
      EXPECT_EQ(ratio, "") << row[at("executor")];
    }
  }
  EXPECT_EQ(cpython_rows, 1);
}

TEST(ReportCsvTest, QuotedFieldsRoundTrip) {
  const auto t = report::parse_csv("a,b\n\"x, \"\"y\"\"\",2\n", "t.csv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], "x, \"y\"");
  EXPECT_THROW(report::parse_csv("a,b\n1\n", "t.csv"), report::InputError);
}

// loaded.json: 9 paired rounds; the rows at 2 workers ran while another program burned a core.
TEST(ReportQualityTest, FlagsTheRowsThatAnotherProgramsLoadTouched) {
  const auto r = report::analyze({report::load_record(data("loaded.json"))});
  const auto& seq = find_row(r, "sequential", 1, 1000);
  EXPECT_TRUE(seq.quality.ok()) << seq.quality.text();
  EXPECT_TRUE(find_row(r, "thread", 1, 1000).quality.ok());
  const auto& thread2 = find_row(r, "thread", 2, 1000);
  ASSERT_FALSE(thread2.quality.ok());
  EXPECT_EQ(thread2.quality.text(), "noisy: other programs busy 1.00 cores");
  EXPECT_FALSE(find_row(r, "process", 2, 1000).quality.ok());
  const auto count = report::count_flags(r);
  EXPECT_EQ(count.rows, 6);
  EXPECT_EQ(count.flagged, 4);  // thread x2, process x2, process x1 (canary), openmp x2
}

TEST(ReportQualityTest, FlagsAnImpossibleSpeedupAndASlowCanary) {
  const auto r = report::analyze({report::load_record(data("loaded.json"))});
  const auto& openmp = find_row(r, "openmp", 2, 1000);
  ASSERT_EQ(openmp.quality.reasons.size(), 1u) << openmp.quality.text();
  EXPECT_EQ(openmp.quality.reasons[0],
            "speedup 2.75x is above min(workers, cores) = 2: impossible");
  const auto& process1 = find_row(r, "process", 1, 1000);
  ASSERT_EQ(process1.quality.reasons.size(), 1u) << process1.quality.text();
  EXPECT_EQ(process1.quality.reasons[0], "canary 1.50x slower");
}

TEST(ReportQualityTest, RowsMeasuredAgainstANoisyBaselineAreNoisyToo) {
  report::Input in = report::load_record(data("loaded.json"));
  for (auto& s : in.series) {
    if (s.executor == "sequential") s.counters["machine_busy"].assign(9, 2.0);
  }
  const auto r = report::analyze({in});
  const auto& thread1 = find_row(r, "thread", 1, 1000);
  ASSERT_FALSE(thread1.quality.ok());
  EXPECT_EQ(thread1.quality.reasons.back(), "baseline noisy");
}

// An MPI job's rows say how many ranks it had on how many CPUs; more ranks than CPUs is flagged.
TEST(ReportQualityTest, AnOversubscribedMpiJobIsFlagged) {
  report::Input in = report::load_record(data("loaded.json"));
  for (auto& s : in.series) {
    if (s.executor != "thread") continue;
    const bool one = s.run_name.find("workers:1/") != std::string::npos;
    s.counters["ranks"].assign(s.seconds.size(), one ? 2.0 : 3.0);
    s.counters["cpus"].assign(s.seconds.size(), 2.0);
  }
  const auto r = report::analyze({in});
  EXPECT_TRUE(find_row(r, "thread", 1, 1000).quality.ok())
      << find_row(r, "thread", 1, 1000).quality.text();
  const auto& thread2 = find_row(r, "thread", 2, 1000);
  EXPECT_NE(thread2.quality.text().find("oversubscribed: 3 ranks on 2 CPUs"), std::string::npos)
      << thread2.quality.text();
}

TEST(ReportQualityTest, HighSpreadIsFlagged) {
  report::Input in = report::load_record(data("loaded.json"));
  for (auto& s : in.series) {
    if (s.executor == "thread" && s.run_name.find("workers:1/") != std::string::npos) {
      for (std::size_t k = 0; k < s.seconds.size(); k += 2) s.seconds[k] *= 1.5;
    }
  }
  const auto r = report::analyze({in});
  const auto& thread1 = find_row(r, "thread", 1, 1000);
  ASSERT_FALSE(thread1.quality.ok());
  EXPECT_EQ(thread1.quality.reasons[0].rfind("interval ±", 0), 0u) << thread1.quality.text();
}

TEST(ReportAnalyzeTest, RowsOfTheSameRoundsArePairedWithTheirBaseline) {
  const auto r = report::analyze({report::load_record(data("loaded.json"))});
  const auto& thread2 = find_row(r, "thread", 2, 1000);
  EXPECT_TRUE(thread2.paired);
  EXPECT_EQ(thread2.speedup.n, 9);
  // Every round of thread x2 is exactly round k of sequential / 1.6: paired, no spread at all.
  EXPECT_NEAR(thread2.speedup.value, 1.6, 1e-12);
  EXPECT_NEAR(thread2.speedup.ci.low, 1.6, 1e-12);
  EXPECT_NEAR(thread2.speedup.ci.high, 1.6, 1e-12);
  // Unpaired, the spread of both samples would widen it.
  report::Input in = report::load_record(data("loaded.json"));
  for (auto& s : in.series) {
    if (s.executor == "thread") std::reverse(s.rounds.begin(), s.rounds.end());
    if (s.executor == "thread") s.rounds.back() = 99;
  }
  const auto reversed = report::analyze({in});
  const auto& unpaired = find_row(reversed, "thread", 2, 1000);
  EXPECT_FALSE(unpaired.paired);
  EXPECT_LT(unpaired.speedup.ci.low, 1.6);
  EXPECT_GT(unpaired.speedup.ci.high, 1.6);
}

TEST(ReportAnalyzeTest, ABaselineWithExtraRoundsStaysPairedOverTheRowsRounds) {
  // Adaptive rounds run a baseline with every row of its set that is still wide.
  report::Input in = report::load_record(data("loaded.json"));
  for (auto& s : in.series) {
    if (s.executor != "sequential") continue;
    s.seconds.push_back(0.500);  // round 9, far off: ignored by the pairs of the others
    s.rounds.push_back(9);
  }
  const auto r = report::analyze({in});
  const auto& thread2 = find_row(r, "thread", 2, 1000);
  EXPECT_TRUE(thread2.paired);
  EXPECT_NEAR(thread2.speedup.value, 1.6, 1e-12);
  EXPECT_NEAR(thread2.speedup.ci.high, 1.6, 1e-12);
}

TEST(ReportAnalyzeTest, RecommendsTheFewestWorkersWithinFivePercentOfTheBest) {
  const auto r = report::analyze({report::load_record(data("small.json"))});
  const auto recs = report::recommend(r);
  const auto thread = std::find_if(recs.begin(), recs.end(),
                                   [](const auto& rec) { return rec.executor == "thread"; });
  ASSERT_NE(thread, recs.end());
  ASSERT_NE(thread->fewest, nullptr);
  ASSERT_NE(thread->best, nullptr);
  EXPECT_LE(thread->fewest->workers, thread->best->workers);
  const double reach = std::isnan(thread->fewest->speedup.ci.high)
                           ? thread->fewest->speedup.value
                           : thread->fewest->speedup.ci.high;
  EXPECT_GE(reach, 0.95 * thread->best->speedup.value);
}

TEST(ReportCompareTest, ASignificantSlowdownBeyondTheThresholdFailsTheGate) {
  TempDir dir;
  const auto same = run_report({"compare", data("loaded.json"), data("loaded.json")});
  EXPECT_EQ(same.status, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("0 slower, 0 faster, 6 the same, 0 in one run only"), std::string::npos)
      << same.out;
  const auto later = run_report({"compare", data("loaded.json"), data("later.json")});
  EXPECT_EQ(later.status, 1) << later.out << later.err;
  EXPECT_NE(later.out.find("2 slower, 0 faster, 4 the same"), std::string::npos) << later.out;
  const auto line_of = [&](const std::string& key) {
    const auto at = later.out.find(key);
    return at == std::string::npos ? std::string()
                                   : later.out.substr(at, later.out.find('\n', at) - at);
  };
  EXPECT_NE(line_of("sha thread x2").find("SLOWER"), std::string::npos) << later.out;
  EXPECT_NE(line_of("sha thread x2").find("1.200 ["), std::string::npos) << later.out;
  EXPECT_NE(line_of("sha thread x1").find("same"), std::string::npos) << later.out;
  // A threshold above the slowdowns lets them pass.
  const auto lenient =
      run_report({"compare", data("loaded.json"), data("later.json"), "--threshold", "50"});
  EXPECT_EQ(lenient.status, 0) << lenient.out;
}

TEST(ReportCompareTest, TakesADirectoryOfRecordsAsOneRun) {
  TempDir dir;
  fs::copy_file(data("loaded.json"), dir.path() / "sweep_bench.json");
  const auto o = run_report({"compare", dir.path().string(), data("loaded.json")});
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  const auto empty = run_report({"compare", (dir.path() / "none").string(), data("loaded.json")});
  EXPECT_EQ(empty.status, 2);
  fs::create_directory(dir.path() / "empty");
  const auto no_json =
      run_report({"compare", (dir.path() / "empty").string(), data("loaded.json")});
  EXPECT_EQ(no_json.status, 2);
  EXPECT_NE(no_json.err.find("no *.json benchmark record"), std::string::npos) << no_json.err;
}

TEST(ReportRunTest, WritesBothCsvFilesAndASummary) {
  TempDir dir;
  const auto o = run_report(
      {data("small.json"), "--no-plots", "--results", (dir.path() / "results").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(fs::exists(dir.path() / "results" / "speedup.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "results" / "overhead.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "results" / "summary.md"));
  EXPECT_NE(o.out.find("| thread | 1.00× ["), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("faster than sequential from 256 B"), std::string::npos) << o.out;
  EXPECT_EQ(files_under(dir.path()).size(), 3u);  // no temporary files left behind
}

TEST(ReportRunTest, SummaryMarksFlaggedRowsAndCountsThem) {
  TempDir dir;
  const auto o = run_report(
      {data("loaded.json"), "--no-plots", "--results", (dir.path() / "results").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find(" 1.60× [1.60, 1.60] ⚠ |\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("| sha thread ×2 (4 jobs of 1.0 kB) | other programs busy 1.00 cores |"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("**4 of 6 rows flagged noisy.**\n"), std::string::npos) << o.out;
  EXPECT_TRUE(o.out.ends_with("**4 of 6 rows flagged noisy.**\n")) << "ends with the count";
  std::ifstream saved(dir.path() / "results" / "summary.md");
  std::stringstream text;
  text << saved.rdbuf();
  EXPECT_EQ(text.str(), o.out);
  const auto strict = run_report({data("loaded.json"), "--no-plots", "--quiet", "--strict",
                                  "--results", (dir.path() / "results").string()});
  EXPECT_EQ(strict.status, 3);
  EXPECT_EQ(strict.err, "report: --strict: 4 of 6 rows flagged noisy (see summary.md)\n");
  // later.json is the same run on a quiet machine: nothing flagged, so --strict passes.
  const auto quiet_run = run_report({data("later.json"), "--no-plots", "--quiet", "--strict",
                                     "--results", (dir.path() / "results").string()});
  EXPECT_EQ(quiet_run.status, 0) << quiet_run.err;
}

TEST(ReportRunTest, SummaryHasACpythonBlockPerWorkload) {
  TempDir dir;
  const auto o = run_report({data("small.json"), data("cpython_small.json"), "--no-plots",
                             "--results", (dir.path() / "results").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("### sha CPython 3.11.0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Speedup over cpython-sequential"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("| cpython-thread | 1.00× ["), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("- sequential at 1 worker: 8× faster\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("- thread at 2 workers: 10× faster"), std::string::npos) << o.out;
  // The C++ table keeps to the C++ executors.
  const auto cpp_table = o.out.substr(0, o.out.find("### sha CPython"));
  EXPECT_EQ(cpp_table.find("cpython"), std::string::npos) << cpp_table;
  EXPECT_NE(o.out.find("| BM_CPythonThreadPool_RoundTrip | workers=2 tasks=1000 |"),
            std::string::npos);
}

TEST(ReportRunTest, DrawsTheGilPlotsWithGnuplot) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "gnuplot is not installed";
  }
  TempDir dir;
  const auto o =
      run_report({data("small.json"), data("cpython_small.json"), "--quiet", "--results",
                  (dir.path() / "results").string(), "--plots", (dir.path() / "plots").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_GT(fs::file_size(dir.path() / "plots" / "gil_sha.png"), 0u);
  EXPECT_GT(fs::file_size(dir.path() / "plots" / "gil_sha.svg"), 0u);
  for (const auto& f : files_under(dir.path())) {
    EXPECT_EQ(f.filename().string().find(".tmp"), std::string::npos) << f;
  }
}

TEST(ReportRunTest, MalformedInputExitsTwoAndWritesNothing) {
  for (const char* name : {"truncated.json", "no_benchmarks.json", "bad_time.json"}) {
    TempDir dir;
    const auto o =
        run_report({data("small.json"), data(name), "--results", (dir.path() / "results").string(),
                    "--plots", (dir.path() / "plots").string()});
    EXPECT_EQ(o.status, 2) << name;
    EXPECT_NE(o.err.find(name), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
    EXPECT_TRUE(files_under(dir.path()).empty()) << name;
  }
}

TEST(ReportRunTest, BadFlagsAndMissingInputExitTwo) {
  EXPECT_EQ(run_report({"--no-such-flag", data("small.json")}).status, 2);
  EXPECT_EQ(run_report({}).status, 2);
  EXPECT_EQ(run_report({"compare", data("small.json")}).status, 2);
}

TEST(ReportRunTest, FailedPlottingLeavesEarlierResultsUntouched) {
  TempDir dir;
  const fs::path results = dir.path() / "results";
  fs::create_directories(results);
  { std::ofstream(results / "speedup.csv") << "old\n"; }
  const auto o = run_report({data("small.json"), "--results", results.string(), "--plots",
                             (dir.path() / "plots").string(), "--gnuplot", "/nonexistent/gnuplot"});
  EXPECT_EQ(o.status, 1);
  std::ifstream in(results / "speedup.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "old");
  EXPECT_EQ(files_under(dir.path()).size(), 1u);
  EXPECT_FALSE(fs::exists(dir.path() / "plots"));  // created by the run, removed again
}

TEST(ReportRunTest, ResultsUnderARegularFileExitsTwoAndLeavesNothing) {
  TempDir dir;
  const fs::path file = dir.path() / "file";
  { std::ofstream(file) << "a file\n"; }
  const std::string results = (file / "results").string();
  const auto o = run_report(
      {data("small.json"), "--results", results, "--plots", (dir.path() / "plots").string()});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(o.err, "report: invalid --results '" + results + "': cannot create directory '" +
                       results + "': Not a directory (expected a writable directory)\n");
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
  EXPECT_EQ(entries_under(dir.path()), std::vector<fs::path>{file});
}

TEST(ReportRunTest, ResultsThatIsARegularFileExitsTwo) {
  TempDir dir;
  const fs::path file = dir.path() / "results";
  { std::ofstream(file) << "a file\n"; }
  const auto o = run_report({data("small.json"), "--no-plots", "--results", file.string()});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(o.err, "report: invalid --results '" + file.string() +
                       "': not a directory (expected a writable directory)\n");
  EXPECT_EQ(entries_under(dir.path()), std::vector<fs::path>{file});
}

TEST(ReportRunTest, UncreatablePlotsExitsTwoAndRemovesTheResultsDirectoryItMade) {
  TempDir dir;
  const fs::path results = dir.path() / "out" / "results";
  // Not even root can make a directory in /proc, where access(2) grants root write access.
  const std::string plots = "/proc/futures-bench-test/plots";
  const auto o = run_report({data("small.json"), "--results", results.string(), "--plots", plots});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(o.err.rfind("report: invalid --plots '" + plots + "': cannot create directory '", 0),
            0u)
      << o.err;
  EXPECT_NE(o.err.find("(expected a writable directory)\n"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
  EXPECT_TRUE(entries_under(dir.path()).empty());
  // With --no-plots the plots directory is not looked at.
  const auto csv_only = run_report({data("small.json"), "--quiet", "--no-plots", "--results",
                                    results.string(), "--plots", plots});
  EXPECT_EQ(csv_only.status, 0) << csv_only.err;
  EXPECT_EQ(files_under(dir.path()).size(), 3u);
}

TEST(ReportRunTest, UnwritableResultsDirectoryExitsTwoAndLeavesNoProbe) {
  TempDir dir;
  const fs::path results = dir.path() / "results";
  fs::create_directory(results);
  fs::permissions(results, fs::perms::owner_read | fs::perms::owner_exec);  // 0500
  const auto o =
      run_report({data("small.json"), "--quiet", "--no-plots", "--results", results.string()});
  std::vector<fs::path> left = entries_under(results);
  fs::permissions(results, fs::perms::owner_all);
  if (geteuid() != 0) {
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_EQ(o.err, "report: invalid --results '" + results.string() +
                         "': cannot write there: Permission denied (expected a writable "
                         "directory)\n");
    EXPECT_TRUE(left.empty());
  } else {
    // Permission denied cannot be seen as root, who writes through the mode bits: that part is
    // skipped, and the run must succeed and leave no probe file behind.
    EXPECT_EQ(o.status, 0) << o.err;
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, (std::vector<fs::path>{results / "overhead.csv", results / "speedup.csv",
                                           results / "summary.md"}));
  }
}

// A jobs_bench record: ours and OpenSSL's ARCFOUR at 4 KiB, `ours_extra` more rounds of ours
// than of OpenSSL's, OpenSSL's time 0.9 of ours in every shared round.
std::string kernel_record(int rounds, int ours_extra) {
  std::string rows;
  auto add = [&rows](const std::string& family, const std::string& workload, int round, double ns) {
    const std::string name = family + "/bytes:4096/fresh:0";
    if (!rows.empty()) rows += ",";
    rows += "{\"name\": \"" + name + "\", \"run_name\": \"" + name +
            "\", \"run_type\": \"iteration\", \"repetitions\": 9, \"repetition_index\": " +
            std::to_string(round) + ", \"iterations\": 100, \"real_time\": " + std::to_string(ns) +
            ", \"cpu_time\": " + std::to_string(ns) +
            ", \"time_unit\": \"ns\", \"label\": \"executor=kernel workload=" + workload +
            " buffer=preallocated\"}";
  };
  for (int k = 0; k < rounds + ours_extra; ++k) {
    const double ours = 10000 + 500 * (k % 4);
    add("BM_Arcfour_Ours", "arcfour-ours", k, ours);
    if (k < rounds) add("BM_Arcfour_OpenSSL", "arcfour-openssl", k, 0.9 * ours);
  }
  return "{\"context\": {\"num_cpus\": 2}, \"benchmarks\": [" + rows + "]}";
}

TEST(ReportKernelTest, OurSpeedOverOpensslIsPairedOverTheRoundsBothRan) {
  for (const int extra : {0, 3}) {
    SCOPED_TRACE(extra);
    const auto r = report::analyze({report::parse_record(kernel_record(9, extra), "jobs.json")});
    const auto ratios = report::kernel_ratios(r);
    ASSERT_EQ(ratios.size(), 1u);
    EXPECT_EQ(ratios[0].kernel, "arcfour");
    EXPECT_EQ(ratios[0].bytes, 4096);
    EXPECT_TRUE(ratios[0].paired);
    EXPECT_EQ(ratios[0].speed_ratio.n, 9);
    // OpenSSL took 0.9 of our time in every round: our speed is 0.9 of theirs, exactly.
    EXPECT_NEAR(ratios[0].speed_ratio.value, 0.9, 1e-12);
    EXPECT_NEAR(ratios[0].speed_ratio.ci.low, 0.9, 1e-12);
    EXPECT_NEAR(ratios[0].speed_ratio.ci.high, 0.9, 1e-12);
  }
}

TEST(ReportKernelTest, SummaryHasTheKernelTableAndNotTheKernelsAmongTheOverheadRows) {
  TempDir dir;
  const fs::path record = dir.path() / "jobs.json";
  std::ofstream(record) << kernel_record(9, 0);
  const Outcome o = run_report(
      {record.string(), "--results", (dir.path() / "r").string(), "--no-plots", "--quiet"});
  ASSERT_EQ(o.status, 0) << o.err;
  std::ifstream in(dir.path() / "r" / "summary.md");
  const std::string summary{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(summary.find("## Kernels against OpenSSL"), std::string::npos);
  EXPECT_NE(summary.find("| arcfour | 4 KiB | preallocated |"), std::string::npos);
  EXPECT_NE(summary.find("0.90× [0.90, 0.90]"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("## Overhead and start-up"), std::string::npos);
}

}  // namespace
