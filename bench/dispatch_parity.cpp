// How the process pool hands out tasks, measured the way the CPython twin
// (bench/python/dispatch_parity.py) measures concurrent.futures, in four numbers:
//   running_max         the most futures running() at once, 2 workers, 1000 queued 5 ms tasks
//   ran_after_cancel    of 1000 queued 5 ms tasks, how many ran after shutdown(cancel_futures)
//                       called once the first one was running
//   ran_after_map_break of map() over 1000 items of 5 ms, how many ran after the loop left at
//                       the first result
//   short_done_seconds  one 1 s task, then 100 of 5 ms, on 2 workers: when the last short one
//                       finished (a work-conserving pool: about 0.25 s + the 1 s task's start)
// Prints one JSON object. Counts, not speed: the figures compare dispatch policies.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "futures/futures.hpp"

namespace {

constexpr const char* kProgram = "dispatch_parity";
constexpr int kWorkers = 2;
constexpr int kTasks = 1000;
constexpr int kTaskMs = 5;

int sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

// Appends one byte to the file at `path` (every run of a task leaves one), then sleeps.
int logged_sleep(std::string path, int ms) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd >= 0) {
    const char byte = 1;
    (void)!::write(fd, &byte, 1);
    ::close(fd);
  }
  return sleep_ms(ms);
}

// logged_sleep over one map item (a pair, so that one range carries both arguments).
int logged_sleep_item(std::pair<std::string, int> item) {
  return logged_sleep(std::move(item.first), item.second);
}

// A scratch file for logged_sleep, removed at the end.
class RunLog {
 public:
  RunLog() {
    char pattern[] = "/tmp/dispatch_parity.XXXXXX";
    const int fd = ::mkstemp(pattern);
    if (fd < 0) throw std::runtime_error("cannot create a scratch file in /tmp");
    ::close(fd);
    path_ = pattern;
  }
  RunLog(const RunLog&) = delete;  // owns the file
  RunLog& operator=(const RunLog&) = delete;
  ~RunLog() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  long runs() const {
    struct stat st {};
    return ::stat(path_.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
  }

 private:
  std::string path_;
};

void wait_until_running(const futures::Future<int>& f) {
  while (!f.running() && !f.done()) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

long running_max() {
  futures::ProcessPoolExecutor pool(kWorkers);
  std::vector<futures::Future<int>> fs;
  for (int i = 0; i < kTasks; ++i) fs.push_back(pool.submit(sleep_ms, kTaskMs));
  long most = 0;
  for (int k = 0; k < 50 && !fs.back().done(); ++k) {  // 50 looks over the first ~0.1 s
    most = std::max<long>(
        most, std::count_if(fs.begin(), fs.end(), [](const auto& f) { return f.running(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pool.shutdown(/*wait=*/true, /*cancel_futures=*/true);
  return most;
}

long ran_after_cancel() {
  RunLog log;
  futures::ProcessPoolExecutor pool(kWorkers);
  std::vector<futures::Future<int>> fs;
  for (int i = 0; i < kTasks; ++i) fs.push_back(pool.submit(logged_sleep, log.path(), kTaskMs));
  wait_until_running(fs.front());
  pool.shutdown(/*wait=*/true, /*cancel_futures=*/true);
  return log.runs();
}

long ran_after_map_break() {
  RunLog log;
  futures::ProcessPoolExecutor pool(kWorkers);
  const std::vector<std::pair<std::string, int>> items(kTasks, {log.path(), kTaskMs});
  {
    auto results = pool.map(logged_sleep_item, items);
    for (int v : results) {  // the first result, then leave the loop
      (void)v;
      break;
    }
  }
  pool.shutdown(/*wait=*/true);
  return log.runs();
}

double short_done_seconds() {
  futures::ProcessPoolExecutor pool(kWorkers);
  // Both workers exist before the clock starts, as CPython's pool is warmed up alike.
  for (auto& f : std::vector{pool.submit(sleep_ms, 1), pool.submit(sleep_ms, 1)}) f.result();
  const auto start = std::chrono::steady_clock::now();
  auto long_one = pool.submit(sleep_ms, 1000);
  std::vector<futures::Future<int>> shorts;
  for (int i = 0; i < 100; ++i) shorts.push_back(pool.submit(sleep_ms, kTaskMs));
  for (const auto& f : shorts) f.result();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long_one.result();
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_main(kProgram, [&] {
    cli::CommandLine line(kProgram, "");
    if (!line.parse(argc, argv)) {
      std::printf(
          "usage: %s\n\n"
          "How ProcessPoolExecutor hands out tasks, in four counts and one time, measured as\n"
          "bench/python/dispatch_parity.py measures CPython's (2 workers, 5 ms tasks):\n"
          "running_max, ran_after_cancel, ran_after_map_break, short_done_seconds.\n"
          "Prints one JSON object on stdout; about 10 s.\n",
          kProgram);
      return 0;
    }
    const long running = running_max();
    const long cancel = ran_after_cancel();
    const long map_break = ran_after_map_break();
    const double short_done = short_done_seconds();
    std::printf(
        "{\"implementation\": \"futures\", \"workers\": %d, \"tasks\": %d, \"task_ms\": %d, "
        "\"running_max\": %ld, \"ran_after_cancel\": %ld, \"ran_after_map_break\": %ld, "
        "\"short_done_seconds\": %.3f}\n",
        kWorkers, kTasks, kTaskMs, running, cancel, map_break, short_done);
    return 0;
  });
}
