// The report program on small committed records (tools/report/testdata): parsing, speedup,
// break-even sizes, CSV, compare, and the exit status and outputs of the program itself.
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
  EXPECT_DOUBLE_EQ(seq.speedup, 1.0);
  const auto& thread2 = find_row(r, "thread", 2, 1000);
  EXPECT_DOUBLE_EQ(thread2.time.median, 0.050);
  EXPECT_DOUBLE_EQ(thread2.speedup, 2.0);
  EXPECT_DOUBLE_EQ(thread2.efficiency, 1.0);
  EXPECT_DOUBLE_EQ(thread2.mb_per_s, 4000 / 0.050 / 1e6);
  EXPECT_EQ(thread2.time.repetitions, 3);
  EXPECT_NEAR(thread2.time.cv, 0.04, 1e-9);  // stddev 2 ms over mean 50 ms
  const auto& process2 = find_row(r, "process", 2, 1000);
  EXPECT_DOUBLE_EQ(process2.speedup, 1.25);
  EXPECT_DOUBLE_EQ(process2.efficiency, 0.625);
  // The job-size sweep pairs each size with the sequential run of the same size.
  EXPECT_DOUBLE_EQ(find_row(r, "process", 2, 256).speedup, 0.5);
  ASSERT_EQ(r.overhead.size(), 1u);
  EXPECT_EQ(r.overhead[0].benchmark, "BM_ThreadPool_RoundTrip");
  EXPECT_EQ(r.overhead[0].args, "workers=2");
  EXPECT_DOUBLE_EQ(r.overhead[0].per_task_seconds, 2000e-9);
}

TEST(ReportAnalyzeTest, EfficiencyDividesByTheCoresWhenWorkersExceedThem) {
  report::Input in = report::load_record(data("small.json"));
  in.context.cpus = 1;
  const auto r = report::analyze({in});
  EXPECT_DOUBLE_EQ(find_row(r, "thread", 2, 1000).efficiency, 2.0);
}

TEST(ReportAnalyzeTest, AnotherSourceUsesItsOwnSequentialBaseline) {
  const auto r = report::analyze(
      {report::load_record(data("small.json")), report::load_record(data("other_source.json"))});
  const auto& row = find_row(r, "cpython-process", 2, 1000);
  EXPECT_DOUBLE_EQ(row.speedup, 2.0);  // against cpython-sequential, not the C++ sequential run
  EXPECT_EQ(row.source, 1);
}

TEST(ReportAnalyzeTest, CppOverCpythonIsTheRatioOfTimesPerInputByte) {
  const auto r = report::analyze(
      {report::load_record(data("small.json")), report::load_record(data("cpython_small.json"))});
  // C++: 4 jobs of 1000 bytes; CPython: 2 jobs of 4000 bytes.
  const auto& seq = find_row(r, "cpython-sequential", 1, 4000);
  EXPECT_DOUBLE_EQ(seq.speedup, 1.0);
  EXPECT_DOUBLE_EQ(seq.cpp_over_cpython, (0.100 / 4000) / (1.6 / 8000));  // 0.125
  EXPECT_DOUBLE_EQ(find_row(r, "cpython-thread", 1, 4000).cpp_over_cpython, 0.125);
  const auto& thread2 = find_row(r, "cpython-thread", 2, 4000);
  EXPECT_DOUBLE_EQ(thread2.speedup, 1.6);
  EXPECT_DOUBLE_EQ(thread2.cpp_over_cpython, (0.050 / 4000) / (1.0 / 8000));
  EXPECT_DOUBLE_EQ(find_row(r, "cpython-process", 2, 4000).cpp_over_cpython,
                   (0.080 / 4000) / (0.85 / 8000));
  // No C++ thread row at 4 workers; C++ rows have no ratio.
  EXPECT_TRUE(std::isnan(find_row(r, "cpython-thread", 4, 4000).cpp_over_cpython));
  EXPECT_TRUE(std::isnan(find_row(r, "thread", 2, 1000).cpp_over_cpython));
  // The CPython overhead row goes to overhead.csv beside ours.
  EXPECT_TRUE(std::any_of(r.overhead.begin(), r.overhead.end(), [](const auto& row) {
    return row.benchmark == "BM_CPythonThreadPool_RoundTrip" && row.per_task_seconds == 3e-5;
  }));
}

TEST(ReportPlotTest, GilPlotOnlyWithCpythonRowsAndWithBothLanguagesPools) {
  const auto cpp_only = report::plot_jobs(report::analyze({report::load_record(data("small.json"))}),
                                          "plots");
  for (const auto& job : cpp_only) {
    EXPECT_EQ(job.png.filename().string().rfind("gil_", 0), std::string::npos) << job.png;
  }
  const auto jobs = report::plot_jobs(
      report::analyze({report::load_record(data("small.json")),
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
  EXPECT_NE(gil->data.find("\n2 2 "), std::string::npos) << gil->data;      // C++ thread x2
  EXPECT_NE(gil->data.find("# cpython-thread\n1 1 "), std::string::npos) << gil->data;
  EXPECT_NE(gil->data.find("\n2 1.6 "), std::string::npos) << gil->data;    // CPython thread x2
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
  ASSERT_TRUE(bes[0].break_even_bytes.has_value());
  EXPECT_DOUBLE_EQ(*bes[0].break_even_bytes, 256);  // 1.25x, 1.67x, 1.11x
  EXPECT_FALSE(bes[0].near_ideal_bytes.has_value());
  EXPECT_EQ(bes[1].executor, "process");
  ASSERT_TRUE(bes[1].break_even_bytes.has_value());
  EXPECT_DOUBLE_EQ(*bes[1].break_even_bytes, 1024);  // 0.5x, 1.11x, 1.25x
}

TEST(ReportCsvTest, SpeedupCsvHasTheDocumentedColumnsAndReadsBack) {
  const auto r = report::analyze({report::load_record(data("small.json"))});
  const auto table = report::parse_csv(report::speedup_csv(r), "speedup.csv");
  const std::vector<std::string> first{"workload",       "executor", "workers", "jobs",
                                       "job_bytes",      "median_seconds", "cv", "speedup",
                                       "efficiency",     "mb_per_s", "repetitions", "cpus"};
  ASSERT_GE(table.header.size(), first.size());
  EXPECT_EQ(std::vector<std::string>(table.header.begin(), table.header.begin() + 12), first);
  for (const char* c : {"cpu_model", "compiler", "flags", "build_type", "git_revision", "date",
                        "load"}) {
    EXPECT_NE(std::find(table.header.begin(), table.header.end(), c), table.header.end()) << c;
  }
  EXPECT_EQ(table.rows.size(), r.speedup.size());
  EXPECT_EQ(table.rows.front()[0], "sha");
  EXPECT_EQ(table.rows.front()[1], "sequential");
}

TEST(ReportCsvTest, CppOverCpythonColumnFollowsTheSpeedColumns) {
  const auto r = report::analyze(
      {report::load_record(data("small.json")), report::load_record(data("cpython_small.json"))});
  const auto table = report::parse_csv(report::speedup_csv(r), "speedup.csv");
  const auto at = [&](const std::string& name) {
    return std::find(table.header.begin(), table.header.end(), name) - table.header.begin();
  };
  EXPECT_EQ(at("cpp_over_cpython"), at("machine_steal") + 1);
  EXPECT_EQ(at("benchmark"), at("cpp_over_cpython") + 1);
  EXPECT_LT(at("cpp_over_cpython"), at("cpu_model"));
  int cpython_rows = 0;
  for (const auto& row : table.rows) {
    const std::string& ratio = row[at("cpp_over_cpython")];
    if (row[at("executor")] == "cpython-sequential") {
      EXPECT_EQ(ratio, "0.125");
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

TEST(ReportCompareTest, FlagsRowsWithinTheNoise) {
  const auto a = report::parse_csv(
      "workload,executor,workers,jobs,job_bytes,median_seconds,cv\n"
      "sha,thread,2,4,1000,0.100,0.05\n"
      "sha,process,2,4,1000,0.100,0.01\n",
      "a.csv");
  const auto b = report::parse_csv(
      "workload,executor,workers,jobs,job_bytes,median_seconds,cv\n"
      "sha,thread,2,4,1000,0.105,0.05\n"
      "sha,process,2,4,1000,0.150,0.01\n",
      "b.csv");
  const std::string text = report::compare(a, "a.csv", b, "b.csv");
  EXPECT_NE(text.find("1.050x  ~ within noise"), std::string::npos) << text;
  EXPECT_NE(text.find("1.500x  b slower"), std::string::npos) << text;
  EXPECT_NE(text.find("1 rows differ beyond the noise, 1 within it"), std::string::npos) << text;
}

TEST(ReportRunTest, WritesBothCsvFilesAndASummary) {
  TempDir dir;
  const auto o = run_report({data("small.json"), "--no-plots", "--results",
                             (dir.path() / "results").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(fs::exists(dir.path() / "results" / "speedup.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "results" / "overhead.csv"));
  EXPECT_NE(o.out.find("2.00x"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("faster than sequential from 256 B"), std::string::npos) << o.out;
  EXPECT_EQ(files_under(dir.path()).size(), 2u);  // no temporary files left behind
}

TEST(ReportRunTest, SummaryHasACpythonBlockPerWorkload) {
  TempDir dir;
  const auto o = run_report({data("small.json"), data("cpython_small.json"), "--no-plots",
                             "--results", (dir.path() / "results").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("sha CPython 3.11.0: 2 jobs"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("speedup over cpython-sequential"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("cpython-thread         1.00x ±0%       1.60x ±0%       1.60x ±0%"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("C++ is 8× faster than CPython 3.11.0 per byte (sequential); at 2 "
                       "workers: 10× faster (thread), 5.31× faster (process)\n"),
            std::string::npos)
      << o.out;
  // The C++ table keeps to the C++ executors.
  const auto cpp_table = o.out.substr(0, o.out.find("sha CPython"));
  EXPECT_EQ(cpp_table.find("cpython"), std::string::npos) << cpp_table;
  EXPECT_NE(o.out.find("BM_CPythonThreadPool_RoundTrip workers=2 tasks=1000"), std::string::npos);
}

TEST(ReportRunTest, DrawsTheGilPlotsWithGnuplot) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "gnuplot is not installed";
  }
  TempDir dir;
  const auto o = run_report({data("small.json"), data("cpython_small.json"), "--quiet",
                             "--results", (dir.path() / "results").string(), "--plots",
                             (dir.path() / "plots").string()});
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
    const auto o = run_report({data("small.json"), data(name), "--results",
                               (dir.path() / "results").string(), "--plots",
                               (dir.path() / "plots").string()});
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
  {
    std::ofstream(results / "speedup.csv") << "old\n";
  }
  const auto o = run_report({data("small.json"), "--results", results.string(), "--plots",
                             (dir.path() / "plots").string(), "--gnuplot",
                             "/nonexistent/gnuplot"});
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
  EXPECT_EQ(files_under(dir.path()).size(), 2u);
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
    EXPECT_EQ(left, (std::vector<fs::path>{results / "overhead.csv", results / "speedup.csv"}));
  }
}

}  // namespace
