#include "report/report.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

extern char** environ;

namespace report {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Executors as benchmark names spell them (BM_<Executor>_<Workload>) and as the CSV does.
const std::map<std::string, std::string, std::less<>> kExecutorNames = {
    {"Sequential", "sequential"}, {"ThreadPool", "thread"}, {"ProcessPool", "process"},
    {"OpenMP", "openmp"},         {"TBB", "tbb"},          {"Asio", "asio"},
    {"StdAsync", "std-async"},
};

// The order of executors in tables and plots; others follow alphabetically.
int executor_rank(std::string_view executor) {
  static const std::vector<std::string_view> order = {
      "sequential", "thread", "process", "openmp", "tbb", "asio", "std-async",
      "cpython-sequential", "cpython-thread", "cpython-process"};
  const auto it = std::find(order.begin(), order.end(), executor);
  return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

bool executor_less(const std::string& a, const std::string& b) {
  const int ra = executor_rank(a);
  const int rb = executor_rank(b);
  return ra != rb ? ra < rb : a < b;
}

bool is_cpython(std::string_view executor) { return executor.starts_with("cpython-"); }

bool is_baseline(std::string_view executor) {
  return executor == "sequential" || executor.ends_with("-sequential");
}

// Segments of a run name that are Google Benchmark's run options, not arguments.
bool is_option_segment(std::string_view key) {
  return key == "min_time" || key == "min_warmup_time" || key == "iterations" ||
         key == "repeats" || key == "threads" || key == "real_time" ||
         key == "process_time" || key == "manual_time";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

double unit_seconds(const std::string& unit, const std::string& path, const std::string& name) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  if (unit == "s") return 1;
  throw InputError(fmt::format("{}: benchmark '{}' has time_unit '{}' (accepted: ns, us, ms, s)",
                               path, name, unit));
}

std::string context_string(const json& context, const char* key) {
  const auto it = context.find(key);
  if (it == context.end()) return "unknown";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

Context parse_context(const json& doc, const std::string& path) {
  Context c;
  const auto it = doc.find("context");
  if (it == doc.end()) return c;
  if (!it->is_object()) throw InputError(path + ": 'context' is not an object");
  const json& ctx = *it;
  c.cpu_model = context_string(ctx, "cpu_model");
  c.compiler = context_string(ctx, "compiler");
  c.flags = context_string(ctx, "cxx_flags");
  c.build_type = context_string(ctx, "build_type");
  c.git_revision = context_string(ctx, "git_revision");
  c.date = context_string(ctx, "date");
  if (const auto load = ctx.find("load_avg"); load != ctx.end() && load->is_array()) {
    std::string text;
    for (const auto& v : *load) {
      if (!v.is_number()) continue;
      if (!text.empty()) text += ' ';
      text += fmt::format("{:.2f}", v.get<double>());
    }
    if (!text.empty()) c.load = text;
  }
  if (const auto cpus = ctx.find("num_cpus"); cpus != ctx.end() && cpus->is_number_integer()) {
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

// Sets workload and executor of a sweep row from its name, when the name says so.
void classify(Series& s, const json& row) {
  if (const auto e = row.find("executor"); e != row.end() && e->is_string()) {
    s.executor = e->get<std::string>();
  }
  if (const auto w = row.find("workload"); w != row.end() && w->is_string()) {
    s.workload = w->get<std::string>();
  }
  if (s.executor.empty() && s.family.rfind("BM_", 0) == 0) {
    const std::string rest = s.family.substr(3);
    const auto underscore = rest.find('_');
    if (underscore != std::string::npos) {
      const auto it = kExecutorNames.find(rest.substr(0, underscore));
      if (it != kExecutorNames.end()) {
        s.executor = it->second;
        if (s.workload.empty()) s.workload = lower(rest.substr(underscore + 1));
      }
    }
  }
}

double median_of(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double counter_median(const Series& s, const std::string& name) {
  const auto it = s.counters.find(name);
  return it == s.counters.end() ? kNaN : median_of(it->second);
}

Stats series_stats(const Series& s) {
  if (!s.seconds.empty()) return stats_of(s.seconds);
  Stats st;
  st.median = st.min = st.max = s.aggregate_median.value_or(kNaN);
  st.cv = s.aggregate_cv.value_or(0);
  st.repetitions = s.aggregate_repetitions;
  return st;
}

bool is_sweep(const Series& s) {
  return !s.executor.empty() && !s.workload.empty() && s.counters.contains("jobs") &&
         s.counters.contains("job_bytes");
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

bool same_size(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(a, b) + 0.5; }

std::string format_number(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{:.6g}", v);
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string context_fields(const Context& c) {
  return fmt::format("{},{},{},{},{},{},{}", csv_field(c.cpu_model), csv_field(c.compiler),
                     csv_field(c.flags), csv_field(c.build_type), csv_field(c.git_revision),
                     csv_field(c.date), csv_field(c.load));
}

constexpr std::string_view kContextHeader =
    "cpu_model,compiler,flags,build_type,git_revision,date,load";

std::string human_bytes(double bytes) {
  if (bytes >= (1 << 20) && std::fmod(bytes, 1 << 20) == 0) {
    return fmt::format("{:g} MiB", bytes / (1 << 20));
  }
  if (bytes >= 1024 && std::fmod(bytes, 1024) == 0) return fmt::format("{:g} KiB", bytes / 1024);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

std::string human_seconds(double s) {
  if (std::isnan(s)) return "-";
  if (s >= 1) return fmt::format("{:.3g} s", s);
  if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  if (s >= 1e-6) return fmt::format("{:.3g} us", s * 1e6);
  return fmt::format("{:.3g} ns", s * 1e9);
}

// The rows of one workload that the speedup plot shows: the (jobs, job size) group with the
// most worker counts (the book's job set; the job-size sweep runs at one worker count), among
// the C++ rows or among the CPython rows (whose job sizes differ).
std::vector<const SpeedupRow*> main_group(const Report& r, const std::string& workload,
                                          bool cpython) {
  std::vector<std::vector<const SpeedupRow*>> groups;
  for (const auto& row : r.speedup) {
    if (row.workload != workload || is_cpython(row.executor) != cpython) continue;
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
    if (workers.size() > best_workers ||
        (workers.size() == best_workers && !best.empty() &&
         g.front()->total_bytes > best.front()->total_bytes)) {
      best = g;
      best_workers = workers.size();
    }
  }
  return best;
}

// Job-size sweeps: rows of one workload and total size that cover at least three job sizes.
struct Sweep {
  std::string workload;
  double total_bytes;
  std::vector<const SpeedupRow*> rows;
};

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
    if (!placed) all.push_back({row.workload, row.total_bytes, {&row}});
  }
  std::vector<Sweep> sweeps;
  for (auto& s : all) {
    std::vector<double> sizes;
    for (const auto* row : s.rows) {
      if (std::none_of(sizes.begin(), sizes.end(),
                       [&](double b) { return same_size(b, row->job_bytes); })) {
        sizes.push_back(row->job_bytes);
      }
    }
    if (sizes.size() >= 3) sweeps.push_back(std::move(s));
  }
  return sweeps;
}

std::vector<std::string> workloads_of(const Report& r) {
  std::vector<std::string> out;
  for (const auto& row : r.speedup) {
    if (std::find(out.begin(), out.end(), row.workload) == out.end()) out.push_back(row.workload);
  }
  return out;
}

// -- files ------------------------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Files written under temporary names and renamed into place only when everything succeeded.
// Until commit(), destroying it also removes the directories that prepare_directory() created
// (the empty ones: deepest first).
class Staging {
 public:
  Staging() = default;
  Staging(const Staging&) = delete;  // owns temporary files and directories
  Staging& operator=(const Staging&) = delete;
  ~Staging() {
    std::error_code ec;
    for (const auto& [tmp, final_path] : files_) fs::remove(tmp, ec);
    for (const auto& path : scratch_) fs::remove(path, ec);
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
  }

  // Makes `dir`, the value of `flag`, a directory that this run can write to: creates its
  // missing components one by one, then creates and removes a file in it (a real write, since
  // access(2) says yes to root where mkdir or open still fail). Throws InputError naming the
  // flag, the value and the fault.
  void prepare_directory(const std::string& dir, std::string_view flag) {
    const auto invalid = [&](std::string_view fault) {
      return InputError(
          fmt::format("invalid {} '{}': {} (expected a writable directory)", flag, dir, fault));
    };
    struct stat st {};
    fs::path path;
    for (const auto& part : fs::path(dir)) {
      if (part.empty()) continue;  // the end of "a/b/"
      path /= part;
      if (::stat(path.c_str(), &st) == 0) continue;  // a file here fails the next component
      int error = errno;
      if (error == ENOENT) {
        if (::mkdir(path.c_str(), 0777) == 0) {
          created_.push_back(path);
          continue;
        }
        error = errno;
        if (error == EEXIST) continue;
      }
      throw invalid(
          fmt::format("cannot create directory '{}': {}", path.string(), std::strerror(error)));
    }
    if (::stat(dir.c_str(), &st) != 0) {
      throw invalid(fmt::format("cannot create directory '{}': {}", dir, std::strerror(errno)));
    }
    if (!S_ISDIR(st.st_mode)) throw invalid("not a directory");
    // mkstemp creates the probe with O_CREAT | O_EXCL: it never opens a file already there.
    std::string probe = (fs::path(dir) / ".report-probe.XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) throw invalid(fmt::format("cannot write there: {}", std::strerror(errno)));
    ::close(fd);
    ::unlink(probe.c_str());
  }

  // A temporary path that is removed in any case.
  fs::path scratch(const fs::path& near) {
    const fs::path tmp =
        near.parent_path() / fmt::format(".{}.tmp{}", near.filename().string(), getpid());
    scratch_.push_back(tmp);
    return tmp;
  }

  // A temporary path beside `final_path`, to be renamed onto it by commit().
  fs::path stage(const fs::path& final_path) {
    const fs::path tmp = final_path.parent_path() /
                         fmt::format(".{}.tmp{}", final_path.filename().string(), getpid());
    files_.emplace_back(tmp, final_path);
    return tmp;
  }

  void write(const fs::path& final_path, const std::string& content) {
    const fs::path tmp = stage(final_path);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
  }

  // Renames the staged files into place and keeps the directories created.
  void commit() {
    for (const auto& [tmp, final_path] : files_) fs::rename(tmp, final_path);
    files_.clear();
    created_.clear();
  }

 private:
  std::vector<std::pair<fs::path, fs::path>> files_;
  std::vector<fs::path> scratch_;
  std::vector<fs::path> created_;  // by prepare_directory, outermost first
};

// Runs a program without a shell; returns its exit status (127 if it could not start).
int run_program(const std::vector<std::string>& argv) {
  std::vector<char*> cargs;
  for (const auto& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, cargs[0], nullptr, nullptr, cargs.data(), environ) != 0) return 127;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string gnuplot_string(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "''";
    } else if (c != '\n') {
      out += c;
    }
  }
  return out + "'";
}

std::string machine_line(const Context& c) {
  return fmt::format("{}, {} CPUs, {} {}, git {}, {}", c.cpu_model, c.cpus, c.compiler,
                     c.build_type, c.git_revision, c.date.substr(0, 10));
}

// The speedup rows of one executor in a group, by worker count, as plot_speedup.gp reads them:
// "workers value low high", the error bars from the fastest and slowest repetition against the
// baseline's median.
std::string speedup_block(const std::vector<const SpeedupRow*>& group, const std::string& executor,
                          const std::string& kind) {
  std::string data = fmt::format("# {}\n", executor);
  std::vector<const SpeedupRow*> rows;
  for (const auto* row : group) {
    if (row->executor == executor && !std::isnan(row->speedup)) rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->workers < b->workers; });
  for (const auto* row : rows) {
    const double base = row->speedup * row->time.median;
    const double scale = kind == "speedup" ? 1.0 : row->speedup / row->efficiency;
    data += fmt::format("{} {} {} {}\n", row->workers,
                        (kind == "speedup" ? row->speedup : row->efficiency),
                        base / row->time.max / scale, base / row->time.min / scale);
  }
  return data + "\n\n";
}

// "CPython 3.11.7" from a CPython record's context (its compiler), else "CPython".
std::string cpython_name(const Context& c) {
  return c.compiler.starts_with("CPython") ? c.compiler : std::string("CPython");
}

}  // namespace

std::vector<PlotJob> plot_jobs(const Report& r, const fs::path& plots) {
  std::vector<PlotJob> jobs;
  for (const auto& workload : workloads_of(r)) {
    auto group = main_group(r, workload, false);
    if (group.empty()) group = main_group(r, workload, true);  // a CPython record alone
    if (group.empty()) continue;
    std::vector<std::string> executors;
    int max_workers = 1;
    for (const auto* row : group) {
      if (is_baseline(row->executor) || std::isnan(row->speedup)) continue;
      if (std::find(executors.begin(), executors.end(), row->executor) == executors.end()) {
        executors.push_back(row->executor);
      }
      max_workers = std::max(max_workers, row->workers);
    }
    if (executors.empty()) continue;
    std::sort(executors.begin(), executors.end(), executor_less);
    const SpeedupRow* baseline = nullptr;
    for (const auto* row : group) {
      if (row->executor == "sequential") baseline = row;
    }
    for (const std::string kind : {"speedup", "efficiency"}) {
      std::string data;
      for (const auto& e : executors) data += speedup_block(group, e, kind);
      std::string executor_words;
      for (const auto& e : executors) executor_words += (executor_words.empty() ? "" : " ") + e;
      const Context& c = group.front()->context;
      const std::string title =
          fmt::format("{}: {} jobs of {} on average{}", workload, group.front()->jobs,
                      human_bytes(std::round(group.front()->job_bytes)),
                      baseline ? fmt::format(", sequential {}", human_seconds(baseline->time.median))
                               : "");
      PlotJob job;
      job.script = "plot_speedup.gp";
      job.data = std::move(data);
      job.vars = {{"kind", gnuplot_string(kind)},
                  {"executors", gnuplot_string(executor_words)},
                  {"cpus", std::to_string(std::max(1, c.cpus))},
                  {"maxw", std::to_string(max_workers)},
                  {"title_text", gnuplot_string(title)},
                  {"machine", gnuplot_string(machine_line(c))}};
      job.png = plots / fmt::format("{}_{}.png", kind, workload);
      job.svg = plots / fmt::format("{}_{}.svg", kind, workload);
      jobs.push_back(std::move(job));
    }
    // Both languages' pools, each against its own sequential run.
    const auto cpp = main_group(r, workload, false);
    const auto cpy = main_group(r, workload, true);
    if (cpy.empty()) continue;
    std::string data;
    std::string words;
    int maxw = 1;
    for (const auto& [group_of, name, title] :
         {std::tuple{&cpp, "thread", "c++-thread"}, std::tuple{&cpp, "process", "c++-process"},
          std::tuple{&cpy, "cpython-thread", "cpython-thread"},
          std::tuple{&cpy, "cpython-process", "cpython-process"}}) {
      const std::vector<const SpeedupRow*>& rows = *group_of;
      const std::string executor = name;
      const bool any = std::any_of(rows.begin(), rows.end(), [&](const SpeedupRow* row) {
        return row->executor == executor && !std::isnan(row->speedup);
      });
      if (!any) continue;
      for (const auto* row : rows) {
        if (row->executor == executor) maxw = std::max(maxw, row->workers);
      }
      std::string block = speedup_block(rows, executor, "speedup");
      block.replace(2, executor.size(), title);  // "# <title>"
      data += block;
      words += fmt::format("{}{}", words.empty() ? "" : " ", title);
    }
    if (words.empty()) continue;
    const Context& c = cpp.empty() ? cpy.front()->context : cpp.front()->context;
    PlotJob job;
    job.script = "plot_speedup.gp";
    job.data = std::move(data);
    job.vars = {{"kind", gnuplot_string("speedup")},
                {"executors", gnuplot_string(words)},
                {"cpus", std::to_string(std::max(1, c.cpus))},
                {"maxw", std::to_string(maxw)},
                {"title_text",
                 gnuplot_string(fmt::format("{}: the GIL at a glance — C++ vs {} speedup over "
                                            "each language's sequential run",
                                            workload, cpython_name(cpy.front()->context)))},
                {"machine", gnuplot_string(machine_line(c))}};
    job.png = plots / fmt::format("gil_{}.png", workload);
    job.svg = plots / fmt::format("gil_{}.svg", workload);
    jobs.push_back(std::move(job));
  }
  for (const auto& sweep : sweeps_of(r)) {
    std::vector<std::pair<std::string, int>> lines;  // executor, workers
    for (const auto* row : sweep.rows) {
      if (is_baseline(row->executor) || std::isnan(row->speedup)) continue;
      const std::pair<std::string, int> key{row->executor, row->workers};
      if (std::find(lines.begin(), lines.end(), key) == lines.end()) lines.push_back(key);
    }
    if (lines.empty()) continue;
    std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? executor_less(a.first, b.first) : a.second < b.second;
    });
    std::string data;
    std::string titles;
    std::string worker_words;
    int ideal = 1;
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
        const double base = row->speedup * row->time.median;
        data += fmt::format("{} {} {} {} \"{}\"\n", row->job_bytes, row->speedup,
                            base / row->time.max, base / row->time.min,
                            human_bytes(row->job_bytes));
      }
      data += "\n\n";
      titles += fmt::format("{}{}", titles.empty() ? "" : " ", e);
      worker_words += fmt::format("{}{}", worker_words.empty() ? "" : " ", w);
      ideal = std::max(ideal, std::min(w, std::max(1, c.cpus)));
    }
    PlotJob job;
    job.script = "plot_granularity.gp";
    job.data = std::move(data);
    job.vars = {{"titles", gnuplot_string(titles)},
                {"workers", gnuplot_string(worker_words)},
                {"ideal", std::to_string(ideal)},
                {"title_text",
                 gnuplot_string(fmt::format("{}: job size sweep, {} in total", sweep.workload,
                                            human_bytes(sweep.total_bytes)))},
                {"machine", gnuplot_string(machine_line(c))}};
    job.png = plots / fmt::format("granularity_{}.png", sweep.workload);
    job.svg = plots / fmt::format("granularity_{}.svg", sweep.workload);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

namespace {

std::string default_scripts_dir() {
#ifdef REPORT_SCRIPTS_DIR
  return REPORT_SCRIPTS_DIR;
#else
  return "tools";
#endif
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

// -- parsing ------------------------------------------------------------------------------------

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
  std::map<std::string, std::size_t> index;
  for (const json& row : *benchmarks) {
    if (!row.is_object()) throw InputError(path + ": a 'benchmarks' entry is not an object");
    const auto name_it = row.find("run_name") != row.end() ? row.find("run_name") : row.find("name");
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
    const std::string time_unit = unit != row.end() && unit->is_string() ? unit->get<std::string>() : "ns";
    const double seconds = real->get<double>() * unit_seconds(time_unit, path, name);
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
      throw InputError(fmt::format("{}: benchmark '{}' has a bad real_time", path, name));
    }
    auto [it, fresh] = index.try_emplace(name, input.series.size());
    if (fresh) {
      Series s;
      s.run_name = name;
      s.source = 0;
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
      throw InputError(fmt::format("{}: benchmark '{}' has run_type '{}' (accepted: iteration, "
                                   "aggregate)", path, name, run_type));
    }
    s.seconds.push_back(seconds);
    static const std::set<std::string> kFields = {
        "name", "run_name", "run_type", "family_index", "per_family_instance_index",
        "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
        "time_unit", "aggregate_name", "aggregate_unit", "label", "error_occurred",
        "error_message", "workload", "executor"};
    for (const auto& [key, value] : row.items()) {
      if (kFields.contains(key) || !value.is_number()) continue;
      s.counters[key].push_back(value.get<double>());
    }
    if (const auto cpu = row.find("cpu_time"); cpu != row.end() && cpu->is_number()) {
      s.counters["cpu_seconds"].push_back(cpu->get<double>() *
                                          unit_seconds(time_unit, path, name));
    }
  }
  if (input.series.empty()) throw InputError(path + ": no benchmark results in the record");
  return input;
}

Input load_record(const std::string& path) { return parse_record(read_file(path), path); }

Stats stats_of(const std::vector<double>& values) {
  Stats st;
  st.repetitions = static_cast<int>(values.size());
  if (values.empty()) {
    st.median = st.min = st.max = kNaN;
    return st;
  }
  st.median = median_of(values);
  st.min = *std::min_element(values.begin(), values.end());
  st.max = *std::max_element(values.begin(), values.end());
  if (values.size() > 1) {
    double mean = 0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    double var = 0;
    for (double v : values) var += (v - mean) * (v - mean);
    var /= static_cast<double>(values.size() - 1);
    st.cv = mean > 0 ? std::sqrt(var) / mean : 0;
  }
  return st;
}

// -- analysis -----------------------------------------------------------------------------------

Report analyze(const std::vector<Input>& inputs) {
  Report r;
  for (std::size_t f = 0; f < inputs.size(); ++f) {
    const Input& in = inputs[f];
    for (const Series& s : in.series) {
      if (is_sweep(s)) {
        SpeedupRow row;
        row.workload = s.workload;
        row.executor = s.executor;
        const double w = counter_median(s, "workers");
        row.workers = std::isnan(w) ? arg_int(s, "workers", 1) : static_cast<int>(std::lround(w));
        row.jobs = counter_median(s, "jobs");
        row.job_bytes = counter_median(s, "job_bytes");
        const double total = counter_median(s, "total_bytes");
        row.total_bytes = std::isnan(total) ? row.jobs * row.job_bytes : total;
        row.time = series_stats(s);
        row.mb_per_s = row.total_bytes / row.time.median / 1e6;
        row.cores_busy = counter_median(s, "cores_busy");
        row.machine_busy = counter_median(s, "machine_busy");
        row.machine_steal = counter_median(s, "machine_steal");
        row.benchmark = s.run_name;
        row.source = static_cast<int>(f);
        row.context = in.context;
        r.speedup.push_back(std::move(row));
      } else {
        OverheadRow row;
        row.benchmark = s.family;
        for (const auto& [k, v] : s.args) {
          row.args += fmt::format("{}{}={}", row.args.empty() ? "" : " ", k, v);
        }
        row.time = series_stats(s);
        const double per_task = counter_median(s, "seconds_per_task");
        const double items = counter_median(s, "items_per_second");
        row.per_task_seconds =
            !std::isnan(per_task) ? per_task : (!std::isnan(items) ? 1 / items : row.time.median);
        for (const auto& [k, v] : s.counters) {
          if (k == "seconds_per_task") continue;
          row.counters += fmt::format("{}{}={:.6g}", row.counters.empty() ? "" : ";", k,
                                      median_of(v));
        }
        row.context = in.context;
        r.overhead.push_back(std::move(row));
      }
    }
  }
  std::stable_sort(r.overhead.begin(), r.overhead.end(), [](const auto& a, const auto& b) {
    if (a.benchmark != b.benchmark) return a.benchmark < b.benchmark;
    return natural_less(a.args, b.args);
  });
  // Baselines.
  for (auto& row : r.speedup) {
    std::string base_name = "sequential";
    if (const auto dash = row.executor.find('-'); dash != std::string::npos) {
      const std::string family_base = row.executor.substr(0, dash) + "-sequential";
      if (std::any_of(r.speedup.begin(), r.speedup.end(),
                      [&](const SpeedupRow& b) { return b.executor == family_base; })) {
        base_name = family_base;
      }
    }
    const SpeedupRow* base = nullptr;
    for (const auto& b : r.speedup) {
      if (b.executor != base_name || b.workload != row.workload || !same_size(b.jobs, row.jobs) ||
          !same_size(b.job_bytes, row.job_bytes)) {
        continue;
      }
      if (base == nullptr || (b.source == row.source && base->source != row.source)) base = &b;
    }
    if (base == nullptr) {
      row.speedup = row.efficiency = kNaN;
      continue;
    }
    row.speedup = base->time.median / row.time.median;
    const int cpus = row.context.cpus > 0 ? row.context.cpus : row.workers;
    row.efficiency = row.speedup / std::min(row.workers, cpus);
  }
  std::stable_sort(r.speedup.begin(), r.speedup.end(), [](const SpeedupRow& a, const SpeedupRow& b) {
    if (a.workload != b.workload) return a.workload < b.workload;
    if (!same_size(a.total_bytes, b.total_bytes)) return a.total_bytes > b.total_bytes;
    if (!same_size(a.job_bytes, b.job_bytes)) return a.job_bytes < b.job_bytes;
    if (a.executor != b.executor) return executor_less(a.executor, b.executor);
    return a.workers < b.workers;
  });
  // C++ against CPython, per input byte (the job sizes differ): the C++ main job set's row of
  // the same workload, executor kind and workers.
  std::vector<double> ratios;
  for (const auto& row : r.speedup) {
    double ratio = kNaN;
    if (is_cpython(row.executor)) {
      const std::string kind = row.executor.substr(std::string_view("cpython-").size());
      for (const auto* cpp : main_group(r, row.workload, false)) {
        if (cpp->executor == kind && cpp->workers == row.workers) {
          ratio = (cpp->time.median / (cpp->jobs * cpp->job_bytes)) /
                  (row.time.median / (row.jobs * row.job_bytes));
        }
      }
    }
    ratios.push_back(ratio);
  }
  for (std::size_t k = 0; k < ratios.size(); ++k) r.speedup[k].cpp_over_cpython = ratios[k];
  return r;
}

std::vector<BreakEven> break_even(const Report& report) {
  std::vector<BreakEven> out;
  for (const auto& sweep : sweeps_of(report)) {
    std::vector<std::pair<std::string, int>> lines;
    for (const auto* row : sweep.rows) {
      if (is_baseline(row->executor) || std::isnan(row->speedup)) continue;
      const std::pair<std::string, int> key{row->executor, row->workers};
      if (std::find(lines.begin(), lines.end(), key) == lines.end()) lines.push_back(key);
    }
    std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? executor_less(a.first, b.first) : a.second < b.second;
    });
    for (const auto& [e, w] : lines) {
      std::vector<const SpeedupRow*> rows;
      for (const auto* row : sweep.rows) {
        if (row->executor == e && row->workers == w) rows.push_back(row);
      }
      std::sort(rows.begin(), rows.end(),
                [](auto* a, auto* b) { return a->job_bytes > b->job_bytes; });  // largest first
      BreakEven be{sweep.workload, e, w, sweep.total_bytes, std::nullopt, std::nullopt};
      const int cpus = rows.front()->context.cpus > 0 ? rows.front()->context.cpus : w;
      const double near = 0.9 * std::min(w, cpus);
      bool faster = true;
      bool near_ideal = true;
      for (const auto* row : rows) {
        faster = faster && row->speedup > 1.0;
        near_ideal = near_ideal && row->speedup >= near;
        if (faster) be.break_even_bytes = row->job_bytes;
        if (near_ideal) be.near_ideal_bytes = row->job_bytes;
      }
      out.push_back(std::move(be));
    }
  }
  return out;
}

// -- CSV ----------------------------------------------------------------------------------------

std::string speedup_csv(const Report& r) {
  std::string out = fmt::format(
      "workload,executor,workers,jobs,job_bytes,median_seconds,cv,speedup,efficiency,mb_per_s,"
      "repetitions,cpus,min_seconds,max_seconds,total_bytes,cores_busy,machine_busy,"
      "machine_steal,cpp_over_cpython,benchmark,{}\n",
      kContextHeader);
  for (const auto& row : r.speedup) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       csv_field(row.workload), csv_field(row.executor), row.workers,
                       format_number(row.jobs), format_number(std::round(row.job_bytes)),
                       format_number(row.time.median), format_number(row.time.cv),
                       format_number(row.speedup), format_number(row.efficiency),
                       format_number(row.mb_per_s), row.time.repetitions, row.context.cpus,
                       format_number(row.time.min), format_number(row.time.max),
                       format_number(row.total_bytes), format_number(row.cores_busy),
                       format_number(row.machine_busy), format_number(row.machine_steal),
                       format_number(row.cpp_over_cpython), csv_field(row.benchmark),
                       context_fields(row.context));
  }
  return out;
}

std::string overhead_csv(const Report& r) {
  std::string out = fmt::format(
      "benchmark,args,median_seconds,cv,per_task_seconds,repetitions,cpus,min_seconds,"
      "max_seconds,counters,{}\n",
      kContextHeader);
  for (const auto& row : r.overhead) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(row.benchmark),
                       csv_field(row.args), format_number(row.time.median),
                       format_number(row.time.cv), format_number(row.per_task_seconds),
                       row.time.repetitions, row.context.cpus, format_number(row.time.min),
                       format_number(row.time.max), csv_field(row.counters),
                       context_fields(row.context));
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

std::string compare(const CsvTable& a, const std::string& a_name, const CsvTable& b,
                    const std::string& b_name) {
  auto column = [](const CsvTable& t, const std::string& name, const std::string& file) {
    const auto it = std::find(t.header.begin(), t.header.end(), name);
    if (it == t.header.end()) {
      throw InputError(fmt::format("{}: no column '{}' (expected speedup.csv or overhead.csv)",
                                   file, name));
    }
    return static_cast<std::size_t>(it - t.header.begin());
  };
  const bool speedup = std::find(a.header.begin(), a.header.end(), "workload") != a.header.end();
  const std::vector<std::string> key_names =
      speedup ? std::vector<std::string>{"workload", "executor", "workers", "jobs", "job_bytes"}
              : std::vector<std::string>{"benchmark", "args"};
  auto keys_of = [&](const CsvTable& t, const std::string& file) {
    std::vector<std::size_t> cols;
    for (const auto& k : key_names) cols.push_back(column(t, k, file));
    return cols;
  };
  const auto ka = keys_of(a, a_name);
  const auto kb = keys_of(b, b_name);
  const std::size_t ma = column(a, "median_seconds", a_name);
  const std::size_t mb = column(b, "median_seconds", b_name);
  const std::size_t ca = column(a, "cv", a_name);
  const std::size_t cb = column(b, "cv", b_name);
  auto key = [](const std::vector<std::string>& row, const std::vector<std::size_t>& cols) {
    std::string k;
    for (std::size_t c : cols) k += (k.empty() ? "" : " ") + row[c];
    return k;
  };
  auto num = [](const std::string& s) { return s.empty() ? kNaN : std::strtod(s.c_str(), nullptr); };
  std::map<std::string, const std::vector<std::string>*> rows_b;
  for (const auto& row : b.rows) rows_b[key(row, kb)] = &row;

  std::string out = fmt::format("a: {}\nb: {}\n", a_name, b_name);
  auto describe = [&](const CsvTable& t, const std::string& file) {
    if (t.rows.empty()) return;
    std::string line;
    for (const char* name : {"cpu_model", "compiler", "git_revision", "date"}) {
      const auto it = std::find(t.header.begin(), t.header.end(), name);
      if (it != t.header.end()) line += fmt::format(" {}", t.rows.front()[it - t.header.begin()]);
    }
    out += fmt::format("  {}:{}\n", file, line);
  };
  describe(a, a_name);
  describe(b, b_name);
  const std::string key_title = fmt::format("{}", fmt::join(key_names, " "));
  out += fmt::format("{:<48} {:>11} {:>11} {:>8}  {}\n", key_title, "a median", "b median",
                     "b/a", "verdict");
  std::set<std::string> seen;
  int within = 0;
  int beyond = 0;
  for (const auto& row : a.rows) {
    const std::string k = key(row, ka);
    seen.insert(k);
    const auto it = rows_b.find(k);
    if (it == rows_b.end()) {
      out += fmt::format("{:<48} {:>11} {:>11} {:>8}  only in a\n", k,
                         human_seconds(num(row[ma])), "-", "-");
      continue;
    }
    const auto& other = *it->second;
    const double va = num(row[ma]);
    const double vb = num(other[mb]);
    const double ratio = vb / va;
    const double cva = std::isnan(num(row[ca])) ? 0 : num(row[ca]);
    const double cvb = std::isnan(num(other[cb])) ? 0 : num(other[cb]);
    const double noise = 2 * std::sqrt(cva * cva + cvb * cvb);
    std::string verdict;
    if (std::fabs(ratio - 1) <= noise) {
      verdict = fmt::format("~ within noise (±{:.0f}%)", noise * 100);
      ++within;
    } else {
      verdict = ratio < 1 ? "b faster" : "b slower";
      ++beyond;
    }
    out += fmt::format("{:<48} {:>11} {:>11} {:>7.3f}x  {}\n", k, human_seconds(va),
                       human_seconds(vb), ratio, verdict);
  }
  for (const auto& row : b.rows) {
    const std::string k = key(row, kb);
    if (!seen.contains(k)) {
      out += fmt::format("{:<48} {:>11} {:>11} {:>8}  only in b\n", k, "-",
                         human_seconds(num(row[mb])), "-");
    }
  }
  out += fmt::format("{} rows differ beyond the noise, {} within it\n", beyond, within);
  return out;
}

// -- summary ------------------------------------------------------------------------------------

namespace {

// Speedup per executor (rows) and worker count (columns) of one job set.
std::string speedup_table(const std::vector<const SpeedupRow*>& group, int label_width) {
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
  std::string out = fmt::format("{:<{}}", "executor", label_width);
  for (int w : worker_set) {
    out += fmt::format(" {:>15}", fmt::format("{} worker{}", w, w == 1 ? "" : "s"));
  }
  out += "\n";
  for (const auto& e : executors) {
    out += fmt::format("{:<{}}", e, label_width);
    for (int w : worker_set) {
      const SpeedupRow* cell = nullptr;
      for (const auto* row : group) {
        if (row->executor == e && row->workers == w) cell = row;
      }
      if (cell == nullptr || std::isnan(cell->speedup)) {
        out += fmt::format(" {:>15}", "-");
      } else {
        out += fmt::format(" {:>15}", fmt::format("{:.2f}x ±{:.0f}%", cell->speedup,
                                                  cell->time.cv * 100));
      }
    }
    out += "\n";
  }
  return out;
}

// "8.0× faster" for a C++ ÷ CPython time ratio of 0.125, "2.0× slower" for 2.
std::string faster_text(double cpp_over_cpython) {
  if (cpp_over_cpython <= 1) return fmt::format("{:.3g}× faster", 1 / cpp_over_cpython);
  return fmt::format("{:.3g}× slower", cpp_over_cpython);
}

std::string job_set_line(const std::string& name, const std::vector<const SpeedupRow*>& group,
                         const std::string& baseline) {
  const SpeedupRow& first = *group.front();
  const SpeedupRow* base = nullptr;
  for (const auto* row : group) {
    if (row->executor == baseline) base = row;
  }
  std::string out = fmt::format("\n{}: {} jobs, {} per job on average, {} in all", name, first.jobs,
                                human_bytes(std::round(first.job_bytes)),
                                human_bytes(first.total_bytes));
  if (base != nullptr) {
    out += fmt::format("; {} {} (cv {:.1f}%, {:.0f} MB/s)", baseline,
                       human_seconds(base->time.median), base->time.cv * 100, base->mb_per_s);
  }
  return out;
}

}  // namespace

std::string summary(const Report& r) {
  std::string out;
  for (const auto& workload : workloads_of(r)) {
    const auto cpp = main_group(r, workload, false);
    const auto cpy = main_group(r, workload, true);
    if (!cpp.empty()) {
      out += job_set_line(workload, cpp, "sequential");
      out += fmt::format("\nspeedup over sequential (cv of the executor's times), {} CPUs\n",
                         cpp.front()->context.cpus);
      out += speedup_table(cpp, 12);
    }
    if (cpy.empty()) continue;
    const std::string python = cpython_name(cpy.front()->context);
    out += job_set_line(fmt::format("{} {}", workload, python), cpy, "cpython-sequential");
    out += fmt::format("\nspeedup over cpython-sequential (cv of the executor's times), {} CPUs\n",
                       cpy.front()->context.cpus);
    out += speedup_table(cpy, 16);
    auto ratio_of = [&](const std::string& executor, int workers) {
      for (const auto* row : cpy) {
        if (row->executor == executor && row->workers == workers) return row->cpp_over_cpython;
      }
      return kNaN;
    };
    const double seq = ratio_of("cpython-sequential", 1);
    const double thread2 = ratio_of("cpython-thread", 2);
    const double process2 = ratio_of("cpython-process", 2);
    if (!std::isnan(seq) || !std::isnan(thread2) || !std::isnan(process2)) {
      out += std::isnan(seq) ? fmt::format("C++ against {} per byte", python)
                             : fmt::format("C++ is {} than {} per byte (sequential)",
                                           faster_text(seq), python);
      std::vector<std::string> at2;
      if (!std::isnan(thread2)) at2.push_back(fmt::format("{} (thread)", faster_text(thread2)));
      if (!std::isnan(process2)) at2.push_back(fmt::format("{} (process)", faster_text(process2)));
      if (!at2.empty()) out += fmt::format("; at 2 workers: {}", fmt::join(at2, ", "));
      out += "\n";
    }
  }
  const auto sweeps = sweeps_of(r);
  const auto bes = break_even(r);
  for (const auto& sweep : sweeps) {
    std::vector<double> sizes;
    for (const auto* row : sweep.rows) {
      if (std::none_of(sizes.begin(), sizes.end(),
                       [&](double b) { return same_size(b, row->job_bytes); })) {
        sizes.push_back(row->job_bytes);
      }
    }
    std::sort(sizes.begin(), sizes.end());
    out += fmt::format("\n{}: job-size sweep, {} in all; speedup over sequential per job size\n",
                       sweep.workload, human_bytes(sweep.total_bytes));
    out += fmt::format("{:<14}", "executor");
    for (double s : sizes) out += fmt::format(" {:>8}", human_bytes(s));
    out += "\n";
    for (const auto& be : bes) {
      if (be.workload != sweep.workload || !same_size(be.total_bytes, sweep.total_bytes)) continue;
      out += fmt::format("{:<14}", fmt::format("{} x{}", be.executor, be.workers));
      for (double s : sizes) {
        const SpeedupRow* cell = nullptr;
        for (const auto* row : sweep.rows) {
          if (row->executor == be.executor && row->workers == be.workers &&
              same_size(row->job_bytes, s)) {
            cell = row;
          }
        }
        out += fmt::format(" {:>8}", cell && !std::isnan(cell->speedup)
                                         ? fmt::format("{:.2f}x", cell->speedup)
                                         : std::string("-"));
      }
      out += "\n";
    }
    for (const auto& be : bes) {
      if (be.workload != sweep.workload || !same_size(be.total_bytes, sweep.total_bytes)) continue;
      out += fmt::format("  {} x{}: faster than sequential from {}; within 90% of ideal from {}\n",
                         be.executor, be.workers,
                         be.break_even_bytes ? human_bytes(*be.break_even_bytes) : "no size",
                         be.near_ideal_bytes ? human_bytes(*be.near_ideal_bytes) : "no size");
    }
  }
  if (!r.overhead.empty()) {
    out += "\noverhead and start-up (median of the repetitions)\n";
    for (const auto& row : r.overhead) {
      out += fmt::format("  {:<48} {:>11} per task/iteration (cv {:.1f}%)\n",
                         fmt::format("{} {}", row.benchmark, row.args),
                         human_seconds(row.per_task_seconds), row.time.cv * 100);
    }
  }
  return out;
}

// -- the program --------------------------------------------------------------------------------

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Turns benchmark JSON records into results/speedup.csv, results/overhead.csv and plots, "
      "or compares two result files.",
      "report"};
  std::vector<std::string> records;
  std::string results_dir = "results";
  std::string plots_dir = "plots";
  std::string scripts_dir = default_scripts_dir();
  std::string gnuplot = "gnuplot";
  bool no_plots = false;
  bool quiet = false;
  app.add_option("records", records, "benchmark JSON records (Google Benchmark's, or alike)");
  app.add_option("--results", results_dir, "where the CSV files go")->capture_default_str();
  app.add_option("--plots", plots_dir, "where the plots go")->capture_default_str();
  app.add_option("--scripts", scripts_dir, "where plot_speedup.gp and plot_granularity.gp are")
      ->capture_default_str();
  app.add_option("--gnuplot", gnuplot, "the gnuplot program")->capture_default_str();
  app.add_flag("--no-plots", no_plots, "write the CSV files only");
  app.add_flag("--quiet", quiet, "no summary on the terminal");
  auto* cmp = app.add_subcommand("compare", "two result CSV files side by side, b against a");
  std::vector<std::string> pair;
  cmp->add_option("files", pair, "A.csv B.csv")->required()->expected(2);

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
      const CsvTable a = parse_csv(read_file(pair[0]), pair[0]);
      const CsvTable b = parse_csv(read_file(pair[1]), pair[1]);
      out << compare(a, pair[0], b, pair[1]);
      return 0;
    }
    if (records.empty()) {
      err << "report: no benchmark JSON record given: expected report [options] RECORD.json... "
             "or report compare A.csv B.csv (see report --help)\n";
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
    try {
      if (!r.speedup.empty()) staging.write(fs::path(results_dir) / "speedup.csv", speedup_csv(r));
      if (!r.overhead.empty()) {
        staging.write(fs::path(results_dir) / "overhead.csv", overhead_csv(r));
      }
      for (const auto& job : jobs) {
        const fs::path script = fs::path(scripts_dir) / job.script;
        if (!fs::exists(script)) {
          throw std::runtime_error(
              fmt::format("plot script {} not found (use --scripts DIR)", script.string()));
        }
        const fs::path data =
            staging.scratch(job.png.parent_path() / (job.png.stem().string() + ".dat"));
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
          throw std::runtime_error(fmt::format(
              "{} failed on {} (exit status {}){}", gnuplot, script.string(), status,
              status == 127 ? ": is gnuplot installed? (tools/install_deps.sh bench)" : ""));
        }
        if (!fs::exists(png) || !fs::exists(svg)) {
          throw std::runtime_error(
              fmt::format("{} wrote no plot for {}", gnuplot, job.png.string()));
        }
      }
      staging.commit();
    } catch (const std::exception& e) {
      err << "report: " << e.what() << "; nothing written\n";
      return 1;
    }
    if (!quiet) out << summary(r);
    return 0;
  } catch (const InputError& e) {
    err << "report: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace report
