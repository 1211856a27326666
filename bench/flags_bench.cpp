// flags_bench: the chapter's I/O-bound job, timed. One iteration downloads the book's 20 flags
// --flag-rounds times from a flags_server (the DELAY mode makes each answer wait) and saves
// them: sequentially, on a futures::ThreadPoolExecutor at each worker count (the book's
// flags_threadpool), and as coroutines on one thread at each concurrency limit (flags_asyncio).
// Waiting dominates, so threads pay off far past the number of cores.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: include it first.
// clang-format off
#include <utility>
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench_main.hpp"
#include "cli/cli.hpp"
#include "country_codes.hpp"
#include "download.hpp"
#include "futures/futures.hpp"
#include "http_client.hpp"
#include "report/fields.hpp"
#include "row_sample.hpp"

namespace {

namespace asio = boost::asio;

struct Config {
  std::string url;      // the flags_server's base URL; or:
  std::string server;   // a flags_server program to start as a child
  double delay = 0.02;  // the child server's DELAY, seconds
  std::vector<int> workers{1, 4, 16, 64};
  int flag_rounds = 3;  // the 20 flags this many times per iteration
  std::chrono::milliseconds timeout{10000};
};

Config& config() {
  static Config c;
  return c;
}

bench::Program program() {
  Config& c = config();
  return {
      .name = "flags_bench",
      .summary =
          "The book's flags downloads from a flags_server: sequential, on a thread pool "
          "and as coroutines, across worker counts.",
      .flags = {{"--url", "URL",
                 "base URL of a running flags_server, e.g. http://127.0.0.1:8001/flags "
                 "(required; start one with flags_server --mode DELAY)",
                 [&c](std::string_view v) {
                   try {
                     flags::parse_base_url(v);
                   } catch (const std::invalid_argument& e) {
                     throw cli::UsageError(cli::invalid("--url", v) + e.what());
                   }
                   c.url = std::string(v);
                 }},
                {"--server", "PATH",
                 "start this flags_server program in DELAY mode on a free loopback port, as a "
                 "child (its CPU time then counts as this program's), instead of --url",
                 [&c](std::string_view v) { c.server = std::string(v); }},
                {"--delay", "S",
                 "the --server's seconds before each answer, 0 to 10 (default 0.02)",
                 [&c](std::string_view v) { c.delay = cli::parse_number("--delay", v, 0, 10); }},
                {"--workers", "LIST",
                 "thread-pool workers and coroutine concurrency limits, comma-separated, 1 to "
                 "1024 (default 1,4,16,64)",
                 [&c](std::string_view v) { c.workers = bench::parse_worker_list(v); }},
                {"--flag-rounds", "N",
                 "downloads per iteration: the 20 flags N times, 1 to 1000 (default 3)",
                 [&c](std::string_view v) {
                   c.flag_rounds = cli::parse_int("--flag-rounds", v, 1, 1000);
                 }}},
      .defaults = {"--benchmark_repetitions=9"},
      .baseline = {}};
}

// A flags_server started as a child on a free loopback port; stopped (SIGTERM) when destroyed.
class ChildServer {
 public:
  // Starts `program` and reads the URL it prints. Throws std::runtime_error when it cannot be
  // started or prints no URL within 10 s.
  ChildServer(const std::string& program, double delay) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const std::string delay_text = std::to_string(delay);
    const char* argv[] = {program.c_str(), "--mode",           "DELAY",      "--port", "0",
                          "--delay",       delay_text.c_str(), "--lifetime", "3600",   nullptr};
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr,
                               const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    std::string banner;
    pollfd p{out[0], POLLIN, 0};
    char c = 0;
    while (banner.find('\n') == std::string::npos && ::poll(&p, 1, 10000) == 1 &&
           ::read(out[0], &c, 1) == 1) {
      banner += c;
    }
    ::close(out[0]);  // the server writes only its closing line after this: it gets EPIPE
    const std::size_t at = banner.find("http://127.0.0.1:");
    if (at == std::string::npos) {
      stop();
      throw std::runtime_error(program + " did not say where it listens: " + cli::quoted(banner));
    }
    url_ = banner.substr(at, banner.find(' ', at) - at);
  }
  ~ChildServer() { stop(); }
  ChildServer(const ChildServer&) = delete;  // owns a process
  ChildServer& operator=(const ChildServer&) = delete;

  const std::string& url() const { return url_; }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  std::string url_;
};

// The codes one iteration downloads, in order.
std::vector<std::string> iteration_codes() {
  std::vector<std::string> codes;
  for (int r = 0; r < config().flag_rounds; ++r) {
    for (const std::string_view cc : flags::kPop20) codes.emplace_back(cc);
  }
  return codes;
}

// A directory of its own for one row's saved images, removed with it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "flags_bench.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "cannot create " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The image of `cc`, saved in `dest`; throws std::runtime_error unless the answer is 200.
std::size_t download_and_save(flags::HttpClient& client, const std::string& cc,
                              const std::filesystem::path& dest) {
  const flags::Response r = client.get(flags::flag_path(cc));
  if (r.status != 200) throw std::runtime_error(cc + ": " + flags::outcome_of(r).error);
  flags::save_flag(dest, flags::flag_filename(cc), r.body);
  return r.body.size();
}

// A client per thread, kept across iterations (as a pool thread keeps its connection).
flags::HttpClient& thread_client() {
  thread_local std::optional<flags::HttpClient> client;
  if (!client) client.emplace(flags::parse_base_url(config().url), config().timeout);
  return *client;
}

std::size_t run_sequential(const std::vector<std::string>& codes,
                           const std::filesystem::path& dest) {
  std::size_t bytes = 0;
  for (const std::string& cc : codes) bytes += download_and_save(thread_client(), cc, dest);
  return bytes;
}

// Thread pools by worker count, built on first use outside the timed loop.
futures::ThreadPoolExecutor& pool(int workers) {
  static std::map<int, std::unique_ptr<futures::ThreadPoolExecutor>> pools;
  auto& p = pools[workers];
  if (!p) p = std::make_unique<futures::ThreadPoolExecutor>(workers);
  return *p;
}

std::size_t run_thread_pool(futures::ThreadPoolExecutor& executor,
                            const std::vector<std::string>& codes,
                            const std::filesystem::path& dest) {
  std::size_t bytes = 0;
  for (const std::size_t n : executor.map(
           [&dest](const std::string& cc) { return download_and_save(thread_client(), cc, dest); },
           codes)) {
    bytes += n;
  }
  return bytes;
}

// `limit` coroutines on one thread, each on a connection of its own, taking codes in turn.
std::size_t run_coroutines(int limit, const std::vector<std::string>& codes,
                           const std::filesystem::path& dest) {
  asio::io_context loop(1);
  const flags::BaseUrl base = flags::parse_base_url(config().url);
  std::size_t next = 0;
  std::size_t bytes = 0;
  std::exception_ptr failure;
  const auto worker = [&]() -> asio::awaitable<void> {
    flags::AsyncHttpClient client(co_await asio::this_coro::executor, base, config().timeout);
    while (next < codes.size()) {
      const std::string& cc = codes[next++];
      const flags::Response r = co_await client.get(flags::flag_path(cc));
      if (r.status != 200) throw std::runtime_error(cc + ": " + flags::outcome_of(r).error);
      flags::save_flag(dest, flags::flag_filename(cc), r.body);
      bytes += r.body.size();
    }
  };
  for (int k = 0; k < limit; ++k) {
    asio::co_spawn(loop, worker(), [&](std::exception_ptr e) {
      if (e && !failure) {
        failure = e;
        loop.stop();
      }
    });
  }
  loop.run();
  if (failure) std::rethrow_exception(failure);
  return bytes;
}

enum class Executor { sequential, thread, coroutine };

// Times one row: every iteration downloads and saves iteration_codes(). A failed download
// fails the row (SkipWithError) with its message.
void time_row(benchmark::State& state, Executor executor, int workers, const char* label) {
  const std::vector<std::string> codes = iteration_codes();
  const TempDir dest;
  futures::ThreadPoolExecutor* executor_pool = nullptr;
  if (executor == Executor::thread) executor_pool = &pool(workers);
  std::size_t bytes = 0;
  try {
    const bench::RowSample sample;
    for (auto _ : state) {
      switch (executor) {
        case Executor::sequential:
          bytes = run_sequential(codes, dest.path());
          break;
        case Executor::thread:
          bytes = run_thread_pool(*executor_pool, codes, dest.path());
          break;
        case Executor::coroutine:
          bytes = run_coroutines(workers, codes, dest.path());
          break;
      }
    }
    sample.finish(state);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.SetLabel(std::string(fields::kExecutor) + "=" + label + " " +
                 std::string(fields::kWorkload) + "=flags " + std::string(fields::kBound) + "=io");
  const double jobs = static_cast<double>(codes.size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * codes.size()));
  state.counters[std::string(fields::kWorkers)] = workers;
  state.counters[std::string(fields::kJobs)] = jobs;
  state.counters[std::string(fields::kTotalBytes)] = static_cast<double>(bytes);
  state.counters[std::string(fields::kJobBytes)] = static_cast<double>(bytes) / jobs;
}

// Each row's run name -> the sequential row's, for pairing round by round.
std::map<std::string, std::string>& baselines() {
  static std::map<std::string, std::string> names;
  return names;
}

void register_all() {
  const auto add = [](const char* name, Executor executor, int workers, const char* label) {
    const std::string shown = std::string(name) + "/workers:" + std::to_string(workers);
    auto* b = benchmark::RegisterBenchmark(name, [=](benchmark::State& state) {
      bench::announce_row(shown);
      time_row(state, executor, workers, label);
    });
    b->ArgNames({"workers"})->Arg(workers)->UseRealTime()->Unit(benchmark::kMillisecond);
    b->Iterations(1);
    return shown + "/iterations:1/real_time";
  };
  const std::string sequential = add("BM_Sequential_Flags", Executor::sequential, 1, "sequential");
  for (const int w : config().workers) {
    baselines()[add("BM_ThreadPool_Flags", Executor::thread, w, "thread")] = sequential;
    baselines()[add("BM_Coroutine_Flags", Executor::coroutine, w, "coroutine")] = sequential;
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::Program flags_program = program();
  const bench::Settings settings = bench::initialize(flags_program, argc, argv);
  if (config().url.empty() == config().server.empty()) {
    std::fprintf(stderr,
                 "flags_bench: %s: expected --url=URL of a running flags_server or "
                 "--server=PATH of one to start\n",
                 config().url.empty() ? "no server given" : "both --url and --server given");
    return 2;
  }
  std::optional<ChildServer> child;
  if (!config().server.empty()) {
    try {
      child.emplace(config().server, config().delay);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "flags_bench: invalid --server %s: %s\n",
                   cli::quoted(config().server).c_str(), e.what());
      return 2;
    }
    config().url = child->url();
  }
  try {
    flags::check_server(flags::parse_base_url(config().url), config().timeout);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "flags_bench: %s\n", e.what());
    return 2;
  }
  flags::raise_open_files_limit();
  register_all();
  flags_program.baseline = [](const std::string& row) {
    const auto it = baselines().find(row);
    return it == baselines().end() ? std::string() : it->second;
  };
  benchmark::AddCustomContext("flags_url", config().url);
  benchmark::AddCustomContext("flags_rounds", std::to_string(config().flag_rounds));
  return bench::run_benchmarks(flags_program, settings);
}
