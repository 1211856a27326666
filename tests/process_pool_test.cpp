#include "futures/process_pool.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "futures/futures.hpp"
#include "process_table.hpp"
#include "test_util.hpp"

namespace futures {
namespace {

using ::futures::testing::Gate;
using ::futures::testing::process_gone;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Task functions: plain functions, as the process pool requires.
int square(int x) { return x * x; }
std::string greet(const std::string& name, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += "hello " + name + ";";
  return out;
}
pid_t worker_pid() { return getpid(); }
void nothing() {}
std::vector<std::uint8_t> echo_bytes(std::vector<std::uint8_t> v) {
  for (auto& b : v) b = static_cast<std::uint8_t>(b ^ 0x5A);
  return v;
}

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws the exception named by `kind`.
int throw_kind(std::string kind) {
  if (kind == "invalid_argument") throw std::invalid_argument("msg invalid_argument");
  if (kind == "out_of_range") throw std::out_of_range("msg out_of_range");
  if (kind == "runtime_error") throw std::runtime_error("msg runtime_error");
  if (kind == "logic_error") throw std::logic_error("msg logic_error");
  if (kind == "domain_error") throw std::domain_error("msg domain_error");
  if (kind == "length_error") throw std::length_error("msg length_error");
  if (kind == "overflow_error") throw std::overflow_error("msg overflow_error");
  if (kind == "range_error") throw std::range_error("msg range_error");
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "TimeoutError") throw TimeoutError("msg TimeoutError");
  if (kind == "BrokenThreadPool") throw BrokenThreadPool("msg BrokenThreadPool");
  if (kind == "UserError") throw UserError("msg UserError");
  if (kind == "int") throw 42;
  return 0;
}

template <class E>
void expect_rethrown_as(const Future<int>& f, const std::string& what) {
  try {
    f.result();
    ADD_FAILURE() << "no exception";
  } catch (const E& e) {
    EXPECT_EQ(typeid(e), typeid(E));
    if (!what.empty()) {
      EXPECT_EQ(e.what(), what);
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong type: " << typeid(e).name() << ": " << e.what();
  }
}

bool all_gone_within(const std::set<pid_t>& pids, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool all = true;
    for (pid_t p : pids) all = all && process_gone(p);
    if (all) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);  // polling a process table, not synchronising threads
  }
}

// No child of this process is left, running or unreaped.
bool no_children_left() {
  int status;
  return waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

class ProcessPoolTest : public ::testing::TestWithParam<int> {
 protected:
  int workers() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Workers, ProcessPoolTest, ::testing::Values(1, 2, 4),
                         [](const auto& p) { return "w" + std::to_string(p.param); });

TEST_P(ProcessPoolTest, RunsFunctionsInOtherProcesses) {
  ProcessPoolExecutor pool(workers());
  EXPECT_EQ(pool.max_workers(), workers());
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(pool.submit(square, i));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(fs[i].result(), i * i);
  EXPECT_NE(pool.submit(worker_pid).result(), getpid());
  pool.submit(nothing).result();
}

TEST_P(ProcessPoolTest, ConvertsArgumentsAndAcceptsCapturelessLambdas) {
  ProcessPoolExecutor pool(workers());
  EXPECT_EQ(pool.submit(greet, "ann", 2).result(), "hello ann;hello ann;");
  EXPECT_EQ(pool.submit([](long a, long b) { return a - b; }, 50, 8).result(), 42);
}

TEST_P(ProcessPoolTest, CarriesLargePayloadsBothWays) {
  ProcessPoolExecutor pool(workers());
  std::vector<std::uint8_t> big(30u << 20);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
  const std::vector<std::uint8_t> back = pool.submit(echo_bytes, big).result();
  ASSERT_EQ(back.size(), big.size());
  for (std::size_t i = 0; i < big.size(); i += 4093) {
    ASSERT_EQ(back[i], static_cast<std::uint8_t>(big[i] ^ 0x5A)) << i;
  }
}

TEST_P(ProcessPoolTest, RethrowsStandardAndLibraryExceptionsAsTheSameType) {
  ProcessPoolExecutor pool(workers());
  expect_rethrown_as<std::invalid_argument>(pool.submit(throw_kind, "invalid_argument"),
                                            "msg invalid_argument");
  expect_rethrown_as<std::out_of_range>(pool.submit(throw_kind, "out_of_range"),
                                        "msg out_of_range");
  expect_rethrown_as<std::runtime_error>(pool.submit(throw_kind, "runtime_error"),
                                         "msg runtime_error");
  expect_rethrown_as<std::logic_error>(pool.submit(throw_kind, "logic_error"), "msg logic_error");
  expect_rethrown_as<std::domain_error>(pool.submit(throw_kind, "domain_error"),
                                        "msg domain_error");
  expect_rethrown_as<std::length_error>(pool.submit(throw_kind, "length_error"),
                                        "msg length_error");
  expect_rethrown_as<std::overflow_error>(pool.submit(throw_kind, "overflow_error"),
                                          "msg overflow_error");
  expect_rethrown_as<std::range_error>(pool.submit(throw_kind, "range_error"), "msg range_error");
  expect_rethrown_as<std::bad_alloc>(pool.submit(throw_kind, "bad_alloc"), "");
  expect_rethrown_as<TimeoutError>(pool.submit(throw_kind, "TimeoutError"), "msg TimeoutError");
  expect_rethrown_as<BrokenThreadPool>(pool.submit(throw_kind, "BrokenThreadPool"),
                                       "msg BrokenThreadPool");
}

TEST_P(ProcessPoolTest, RethrowsOtherExceptionsAsRemoteError) {
  ProcessPoolExecutor pool(workers());
  try {
    pool.submit(throw_kind, "UserError").result();
    FAIL() << "no exception";
  } catch (const RemoteError& e) {
    EXPECT_THAT(e.type_name(), HasSubstr("UserError"));
    EXPECT_EQ(e.message(), "msg UserError");
  }
  try {
    pool.submit(throw_kind, "int").result();
    FAIL() << "no exception";
  } catch (const RemoteError& e) {
    EXPECT_EQ(e.type_name(), "int");
  }
}

TEST_P(ProcessPoolTest, MapYieldsInOrderAndRethrowsAtPosition) {
  ProcessPoolExecutor pool(workers());
  for (int chunksize : {1, 7, 100}) {
    MapOptions options;
    options.chunksize = chunksize;
    std::vector<int> in(250);
    for (int i = 0; i < 250; ++i) in[static_cast<std::size_t>(i)] = i;
    int i = 0;
    for (int v : pool.map(square, in, options)) {
      EXPECT_EQ(v, i * i) << i;
      ++i;
    }
    EXPECT_EQ(i, 250);
  }
  auto results = pool.map(
      [](int x) {
        if (x == 3) throw std::domain_error("three");
        return x;
      },
      std::vector{0, 1, 2, 3, 4, 5});
  std::vector<int> got;
  EXPECT_THROW(
      {
        for (int v : results) got.push_back(v);
      },
      std::domain_error);
  EXPECT_EQ(got, (std::vector{0, 1, 2}));
}

TEST_P(ProcessPoolTest, RecyclesWorkersAfterMaxTasksPerChild) {
  ProcessPoolOptions options;
  options.max_workers = workers();
  options.max_tasks_per_child = 3;
  ProcessPoolExecutor pool(options);
  std::map<pid_t, int> per_pid;
  std::vector<Future<pid_t>> fs;
  for (int i = 0; i < 30; ++i) fs.push_back(pool.submit(worker_pid));
  for (auto& f : fs) ++per_pid[f.result()];
  EXPECT_GE(per_pid.size(), 10u);
  for (const auto& [pid, n] : per_pid) EXPECT_LE(n, 3) << pid;
}

std::pair<int, int> square_and_pid(int x) { return {x * x, static_cast<int>(getpid())}; }

TEST(ProcessPoolStressTest, RecyclingWorkersUnderLoadLosesNothing) {
  constexpr int kTasks = 50'000;
  constexpr int kPerChild = 100;
  ProcessPoolOptions options;
  options.max_workers = 2;
  options.max_tasks_per_child = kPerChild;
  ProcessPoolExecutor pool(options);
  std::vector<Future<std::pair<int, int>>> fs;
  fs.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) fs.push_back(pool.submit(square_and_pid, i % 1000));
  std::map<int, int> per_pid;
  for (int i = 0; i < kTasks; ++i) {
    const auto [square, pid] = fs[i].result();
    ASSERT_EQ(square, (i % 1000) * (i % 1000)) << i;
    ++per_pid[pid];
  }
  // Every worker ran at most kPerChild tasks; the last ones of the run may have run fewer.
  EXPECT_GE(per_pid.size(), static_cast<std::size_t>(kTasks / kPerChild));
  for (const auto& [pid, n] : per_pid) ASSERT_LE(n, kPerChild) << pid;
}

int g_initialized = 0;
void initialize() { g_initialized = 7; }
int read_initialized() { return g_initialized; }
void failing_initializer() { throw std::runtime_error("no license"); }

TEST_P(ProcessPoolTest, InitializerRunsInEachWorker) {
  ProcessPoolOptions options;
  options.max_workers = workers();
  options.initializer = initialize;
  ProcessPoolExecutor pool(options);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(pool.submit(read_initialized).result(), 7);
  EXPECT_EQ(g_initialized, 0);  // the parent's copy is untouched
}

TEST_P(ProcessPoolTest, FailingInitializerBreaksThePool) {
  ProcessPoolOptions options;
  options.max_workers = workers();
  options.initializer = failing_initializer;
  ProcessPoolExecutor pool(options);
  // The pool breaks as soon as a worker reports the failure: either submit() or result()
  // says so, with the same message.
  try {
    (void)pool.submit(square, 2).result();
    FAIL() << "a task ran in a broken pool";
  } catch (const BrokenProcessPool& e) {
    EXPECT_THAT(e.what(), HasSubstr("initializer failed"));
    EXPECT_THAT(e.what(), HasSubstr("no license"));
  }
  EXPECT_THROW((void)pool.submit(square, 3), BrokenProcessPool);
}

TEST_P(ProcessPoolTest, ShutdownRejectsNewWorkAndReapsEveryProcess) {
  {
    ProcessPoolExecutor pool(workers());
    Future<int> f = pool.submit(square, 5);
    pool.shutdown();
    EXPECT_EQ(f.result(), 25);
    EXPECT_THROW((void)pool.submit(square, 1), ShutdownError);
    pool.shutdown();  // idempotent
  }
  EXPECT_TRUE(no_children_left());
}

TEST_P(ProcessPoolTest, FuturesMixWithThreadPoolFutures) {
  ProcessPoolExecutor processes(workers());
  ThreadPoolExecutor threads(workers());
  std::vector<Future<int>> fs;
  for (int i = 0; i < 20; ++i) {
    fs.push_back(processes.submit(square, i));
    fs.push_back(threads.submit([i] { return i * i; }));
  }
  long sum = 0;
  for (const auto& f : as_completed(fs)) sum += f.result();
  long expected = 0;
  for (int i = 0; i < 20; ++i) expected += 2L * i * i;
  EXPECT_EQ(sum, expected);
  EXPECT_EQ(wait(fs).done.size(), 40u);
}

// --- Dispatch: tasks wait in the parent until a worker has room ---------------------------

// Files through which tasks in worker processes report to the test: `g_log` gets one byte per
// task that ran, and `g_go` is a gate that the test opens by creating it. Set before the pool
// is constructed, so that the workers (forks of this process) see them.
std::string g_log;
std::string g_go;

// A fresh directory for one test's files, removed with them at scope exit; points g_log and
// g_go into it.
class ScratchFiles {
 public:
  ScratchFiles() {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("futures-dispatch-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir_);
    g_log = (dir_ / "log").string();
    g_go = (dir_ / "go").string();
  }
  ScratchFiles(const ScratchFiles&) = delete;
  ScratchFiles& operator=(const ScratchFiles&) = delete;
  ~ScratchFiles() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  void open_gate() const { std::ofstream(g_go).put('x'); }
  std::uintmax_t tasks_run() const {
    std::error_code error;
    const std::uintmax_t n = std::filesystem::file_size(g_log, error);
    return error ? 0 : n;
  }

 private:
  std::filesystem::path dir_;
};

void log_run() {
  const int fd = ::open(g_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    (void)::write(fd, "x", 1);
    ::close(fd);
  }
}
void wait_for_gate() {
  while (::access(g_go.c_str(), F_OK) != 0) std::this_thread::sleep_for(1ms);
}
// Logs that it ran, then blocks until the gate opens.
int logged_gated(int x) {
  log_run();
  wait_for_gate();
  return x;
}
int sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

// The futures running at one instant, or fewer, for futures that start in order. Scanning
// backwards: every future seen running after the first one seen (the latest submitted) started
// before it, and so was running when that one was seen.
template <class T>
std::size_t count_running(const std::vector<Future<T>>& fs) {
  return static_cast<std::size_t>(
      std::count_if(fs.rbegin(), fs.rend(), [](const auto& f) { return f.running(); }));
}

// CPython 3.11 here, 2 workers, 1000 queued 5 ms tasks: at most 14 running() (its call queue
// holds max_workers + 1 and marks them running; 3.14: about 5). This pool sends a task that
// takes 1 ms or more only to a free worker, and never one ahead: max_workers running.
TEST(ProcessPoolDispatchTest, LongTasksKeepAboutMaxWorkersRunning) {
  ProcessPoolExecutor pool(2);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(pool.submit(sleep_ms, 3));
  std::size_t most = 0;
  while (!fs.back().done()) most = std::max(most, count_running(fs));
  EXPECT_LE(most, 2u) << "max_workers";
  EXPECT_GE(most, 1u);
  for (auto& f : fs) EXPECT_EQ(f.result(), 3);
}

// CPython 3.11 here: 3 of 1000 ran after shutdown(cancel_futures=True) once the first was
// running (the issue measured 51 on 3.14 without waiting for the first). The tasks here block
// until the test opens the gate, so none finishes before the shutdown: only the workers'
// windows (one task each, and perhaps one sent ahead) ran.
TEST(ProcessPoolDispatchTest, ShutdownCancelFuturesLeavesOnlyTheStartedTasksToRun) {
  ScratchFiles files;
  ProcessPoolExecutor pool(2);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 1000; ++i) fs.push_back(pool.submit(logged_gated, i));
  futures::testing::wait_until_running(fs[0]);
  pool.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  files.open_gate();
  pool.shutdown();
  const auto cancelled =
      std::count_if(fs.begin(), fs.end(), [](const auto& f) { return f.cancelled(); });
  EXPECT_LE(files.tasks_run(), 2u + 2u) << "max_workers + 2";
  EXPECT_EQ(files.tasks_run() + static_cast<std::uintmax_t>(cancelled), 1000u);
}

// CPython 3.11 here: breaking out of a map loop at the first result ran 17 of 1000 items (the
// issue: 12 on 3.14). Item 0 returns at once; the others block until the gate opens. The
// worker that ran item 0 widens its window to 2, and one more may be sent ahead, so at most 5
// items run: 0 and four blocked ones.
TEST(ProcessPoolDispatchTest, LeavingAMapLoopEarlyRunsFewItems) {
  ScratchFiles files;
  ProcessPoolExecutor pool(2);
  std::vector<int> items(1000);
  for (int i = 0; i < 1000; ++i) items[static_cast<std::size_t>(i)] = i;
  {
    auto results = pool.map(
        [](int x) {
          if (x == 0) {
            log_run();
            return x;
          }
          return logged_gated(x);
        },
        items);
    for (int v : results) {
      EXPECT_EQ(v, 0);
      break;
    }
  }
  files.open_gate();
  pool.shutdown();
  EXPECT_LE(files.tasks_run(), 2u + 3u) << "max_workers + 3";
}

// Work-conserving: while one worker is held by a task that blocks until the gate opens, the
// other runs every task queued after it (before: up to a quarter of the queue waited behind
// the blocked task, in its worker's channel).
TEST(ProcessPoolDispatchTest, TasksQueuedBehindABlockedOneRunOnTheFreeWorker) {
  ScratchFiles files;
  ProcessPoolExecutor pool(2);
  Future<int> blocked = pool.submit(logged_gated, -1);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(pool.submit(square, i));
  // The limit is a hang guard: the tasks need milliseconds.
  EXPECT_TRUE(futures::wait(fs, 30s).not_done.empty());
  EXPECT_FALSE(blocked.done());
  files.open_gate();
  EXPECT_EQ(blocked.result(), -1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(fs[i].result(), i * i);
}

// With max_tasks_per_child the free worker is replaced every two tasks, and the replacements
// take the queue while the first worker stays blocked.
TEST(ProcessPoolDispatchTest, ReplacedWorkersTakeTheQueueWhileAnotherIsBlocked) {
  ScratchFiles files;
  ProcessPoolOptions options;
  options.max_workers = 2;
  options.max_tasks_per_child = 2;
  ProcessPoolExecutor pool(options);
  Future<int> blocked = pool.submit(logged_gated, -1);
  futures::testing::wait_until_running(blocked);
  std::vector<Future<pid_t>> fs;
  for (int i = 0; i < 20; ++i) fs.push_back(pool.submit(worker_pid));
  EXPECT_TRUE(futures::wait(fs, 30s).not_done.empty());  // a hang guard
  std::map<pid_t, int> per_pid;
  for (auto& f : fs) ++per_pid[f.result()];
  EXPECT_GE(per_pid.size(), 10u);
  for (const auto& [pid, n] : per_pid) EXPECT_LE(n, 2) << pid;
  EXPECT_FALSE(blocked.done());
  files.open_gate();
  EXPECT_EQ(blocked.result(), -1);
}

// The case, a duration bound it asks for: one 1 s task, then 100 x 5 ms tasks, on 2
// workers. CPython 3.11 here: the short ones done at 0.58 s; this pool before: 1.15 s (a
// quarter of them waited behind the long one); now about 0.55 s. The bound leaves a margin
// for a loaded machine.
// Submits one 1 s task, then 100 x 5 ms tasks; returns when the short ones were all done,
// counted from the first submit. Checks the long task's result too.
std::chrono::steady_clock::duration short_tasks_done_behind_a_long_one(ProcessPoolExecutor& pool) {
  const auto start = std::chrono::steady_clock::now();
  Future<int> long_task = pool.submit(sleep_ms, 1000);
  std::vector<Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(pool.submit(sleep_ms, 5));
  futures::wait(fs);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(long_task.result(), 1000);
  return took;
}

TEST(ProcessPoolDispatchTest, ShortTasksDoNotWaitBehindALongOne) {
  ProcessPoolExecutor pool(2);
  for (int i = 0; i < 2; ++i) (void)pool.submit(square, i).result();  // workers warm
  const auto took = short_tasks_done_behind_a_long_one(pool);
  EXPECT_LT(took, 900ms) << std::chrono::duration<double>(took).count() << " s";
}

// As above with the function's cost already learned from short calls (5 ms): the 1 s call
// looks like one more short one, and a short task sent ahead to its worker would wait behind
// it while the other worker idles. A task estimated at 1 ms or more is never sent ahead.
TEST(ProcessPoolDispatchTest, ShortTasksDoNotWaitBehindALongCallOfAFunctionLearnedShort) {
  ProcessPoolExecutor pool(2);
  std::vector<Future<int>> warm;
  for (int i = 0; i < 20; ++i) warm.push_back(pool.submit(sleep_ms, 5));
  futures::wait(warm);
  const auto took = short_tasks_done_behind_a_long_one(pool);
  EXPECT_LT(took, 900ms) << std::chrono::duration<double>(took).count() << " s";
}

// --- Faults: a worker dies mid-task -------------------------------------------------------

int die_by(std::string how) {
  if (how == "exit") std::_Exit(3);
  if (how == "abort") std::abort();
  if (how == "segv") ::raise(SIGSEGV);
  if (how == "kill") kill(getpid(), SIGKILL);
  return 0;
}
int slow_square(int x) {
  std::this_thread::sleep_for(100ms);  // keeps tasks queued behind the dying one
  return x * x;
}

struct Fault {
  const char* how;
  const char* description;
};

class WorkerDeathTest : public ::testing::TestWithParam<Fault> {};

INSTANTIATE_TEST_SUITE_P(Faults, WorkerDeathTest,
                         ::testing::Values(Fault{"exit", "exited with code 3"},
                                           Fault{"abort", "killed by signal 6 (SIGABRT)"},
                                           Fault{"segv", "killed by signal 11 (SIGSEGV)"},
                                           Fault{"kill", "killed by signal 9 (SIGKILL)"}),
                         [](const auto& p) { return std::string(p.param.how); });

TEST_P(WorkerDeathTest, BreaksThePoolAndFailsEveryPendingFuture) {
  for (int round = 0; round < 10; ++round) {
    {
      ProcessPoolExecutor pool(2);
      Future<int> before = pool.submit(square, 4);
      EXPECT_EQ(before.result(), 16);
      std::vector<Future<int>> pending;
      Future<int> dying = pool.submit(die_by, GetParam().how);
      try {
        for (int i = 0; i < 20; ++i) pending.push_back(pool.submit(slow_square, i));
      } catch (const BrokenProcessPool&) {
        // The worker died before all were submitted: the pool refuses more, as it should.
      }
      // The death is noticed (the limit is a hang guard) ...
      try {
        dying.result(30s);
        FAIL() << "the dying task returned";
      } catch (const BrokenProcessPool& e) {
        EXPECT_THAT(e.what(), HasSubstr("terminated abruptly"));
        EXPECT_THAT(e.what(), HasSubstr(GetParam().description));
        EXPECT_THAT(e.what(), HasSubstr("worker pid"));
      } catch (const TimeoutError&) {
        FAIL() << "the worker's death went unnoticed";
      }
      // ... and then every pending future is done within a second: a result computed before
      // the death, or BrokenProcessPool. (The queued tasks take 100 ms each, 2 s in all: a
      // pool that went on running them would miss the second.)
      EXPECT_TRUE(futures::wait(pending, 1s).not_done.empty());
      for (auto& f : pending) {
        try {
          (void)f.result();
        } catch (const BrokenProcessPool&) {
        }
      }
      EXPECT_THROW((void)pool.submit(square, 1), BrokenProcessPool);
      EXPECT_EQ(before.result(), 16);  // finished futures keep their results
    }
    EXPECT_TRUE(no_children_left()) << "round " << round;
  }
}

// A task that writes garbage into its own channel to the parent.
int corrupt_channel() {
  for (int fd = 3; fd < 256; ++fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
      const unsigned char garbage[] = {5, 0, 0, 0, 0x63, 1, 2, 3, 4};
      (void)send(fd, garbage, sizeof garbage, MSG_NOSIGNAL);
    }
  }
  return 1;
}

TEST(ProcessPoolFaultTest, MalformedMessageBreaksThePool) {
  {
    ProcessPoolExecutor pool(1);
    try {
      pool.submit(corrupt_channel).result();
      FAIL() << "a malformed message went unnoticed";
    } catch (const BrokenProcessPool& e) {
      EXPECT_THAT(e.what(), HasSubstr("malformed message"));
    }
    EXPECT_THROW((void)pool.submit(square, 1), BrokenProcessPool);
  }
  EXPECT_TRUE(no_children_left());
}

// Caps this process's address space at what it uses now plus 32 MiB: run in a worker, an
// argument of 128 MiB can no longer be received whole.
void limit_address_space() {
  std::ifstream status("/proc/self/status");
  std::string line;
  rlim_t used_kib = 0;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) used_kib = std::strtoull(line.c_str() + 7, nullptr, 10);
  }
  const rlim_t limit = (used_kib << 10) + (rlim_t{32} << 20);
  const rlimit r{limit, limit};
  if (used_kib == 0 || setrlimit(RLIMIT_AS, &r) != 0) throw std::runtime_error("setrlimit");
}
std::size_t byte_count(const std::vector<std::uint8_t>& v) { return v.size(); }

// Before, the worker's std::bad_alloc unwound into the fork server's code in that worker,
// which killed its sibling workers; the futures then named a sibling's pid. Now only that
// task fails, and the same workers go on. (CPython breaks the pool on an error unpickling a
// task in a worker: test_error_at_task_unpickle in test_concurrent_futures/test_deadlock.py.)
TEST(ProcessPoolFaultTest, WorkerOutOfMemoryReceivingATaskFailsOnlyThatTask) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers reserve more address space than the limit allows";
#endif
  ProcessPoolOptions options;
  options.max_workers = 2;
  options.initializer = limit_address_space;
  ProcessPoolExecutor pool(options);
  std::set<pid_t> before;
  for (int i = 0; i < 20; ++i) before.insert(pool.submit(worker_pid).result());
  Future<std::size_t> big = pool.submit(byte_count, std::vector<std::uint8_t>(128u << 20, 1));
  EXPECT_THROW((void)big.result(), std::bad_alloc);
  EXPECT_EQ(pool.submit(byte_count, std::vector<std::uint8_t>(1000, 1)).result(), 1000u);
  std::set<pid_t> after;
  for (int i = 0; i < 20; ++i) after.insert(pool.submit(worker_pid).result());
  for (pid_t p : after) EXPECT_TRUE(before.count(p)) << "worker " << p << " is new";
}

// --- terminate_workers() and kill_workers() (Python 3.14) ----------------------------------

int sleep_forever() {
  for (;;) std::this_thread::sleep_for(1h);
}
// Logs once SIGTERM no longer stops it.
int ignore_sigterm_and_sleep() {
  ::signal(SIGTERM, SIG_IGN);
  log_run();
  return sleep_forever();
}

struct ForceStop {
  const char* name;
  void (ProcessPoolExecutor::*stop)();
  const char* end;  // how a worker running sleep_forever() ends
};

class ProcessPoolForceStopTest : public ::testing::TestWithParam<ForceStop> {
 protected:
  void stop(ProcessPoolExecutor& pool) const { (pool.*GetParam().stop)(); }
};

INSTANTIATE_TEST_SUITE_P(
    Stops, ProcessPoolForceStopTest,
    ::testing::Values(ForceStop{"terminate_workers", &ProcessPoolExecutor::terminate_workers,
                                "killed by signal 15 (SIGTERM)"},
                      ForceStop{"kill_workers", &ProcessPoolExecutor::kill_workers,
                                "killed by signal 9 (SIGKILL)"}),
    [](const auto& p) { return std::string(p.param.name); });

// CPython 3.14: test_terminate_workers, test_kill_workers and test_force_shutdown_workers
// (the running task never finishes, the worker is signalled and joined) and
// test_force_shutdown_workers_stops_pool (submit afterwards raises RuntimeError) in
// Lib/test/test_concurrent_futures/test_process_pool.py. Here, in addition, the call returns
// only once every future is done.
TEST_P(ProcessPoolForceStopTest, StopsHungTasksCancelsQueuedOnesAndShutsThePoolDown) {
  {
    ProcessPoolExecutor pool(2);
    std::vector<Future<int>> fs;
    for (int i = 0; i < 10; ++i) fs.push_back(pool.submit(sleep_forever));
    futures::testing::wait_until_running(fs[0]);
    futures::testing::wait_until_running(fs[1]);
    stop(pool);
    int cancelled = 0;
    for (auto& f : fs) {
      ASSERT_TRUE(f.done());
      if (f.cancelled()) {
        ++cancelled;
        continue;
      }
      try {
        (void)f.result();
        ADD_FAILURE() << "a hung task returned";
      } catch (const BrokenProcessPool& e) {
        EXPECT_THAT(e.what(), HasSubstr(std::string("stopped by ") + GetParam().name));
        EXPECT_THAT(e.what(), HasSubstr(GetParam().end));
      }
    }
    EXPECT_EQ(cancelled, 8);
    EXPECT_THROW((void)pool.submit(square, 1), ShutdownError);
    stop(pool);  // idempotent
    pool.terminate_workers();
    pool.kill_workers();
    pool.shutdown();
  }
  EXPECT_TRUE(no_children_left());
}

// CPython 3.14: test_force_shutdown_workers_dead_workers (no error on a broken pool).
TEST_P(ProcessPoolForceStopTest, IsANoOpOnABrokenPool) {
  ProcessPoolExecutor pool(1);
  Future<int> dying = pool.submit(die_by, "exit");
  EXPECT_THROW((void)dying.result(), BrokenProcessPool);
  stop(pool);
  EXPECT_THROW((void)dying.result(), BrokenProcessPool);
}

TEST_P(ProcessPoolForceStopTest, KeepsResultsOfFinishedTasks) {
  ProcessPoolExecutor pool(2);
  Future<int> done = pool.submit(square, 7);
  EXPECT_EQ(done.result(), 49);
  stop(pool);
  EXPECT_EQ(done.result(), 49);
}

TEST(ProcessPoolForceStopTest, TerminateWorkersKillsATaskThatIgnoresSigterm) {
  {
    ScratchFiles files;
    ProcessPoolExecutor pool(1);
    Future<int> stubborn = pool.submit(ignore_sigterm_and_sleep);
    // Polls a file that the task writes in another process: no thread to synchronise with.
    while (files.tasks_run() == 0) std::this_thread::sleep_for(1ms);
    pool.terminate_workers();
    try {
      (void)stubborn.result();
      FAIL() << "the task returned";
    } catch (const BrokenProcessPool& e) {
      EXPECT_THAT(e.what(), HasSubstr("stopped by terminate_workers()"));
      EXPECT_THAT(e.what(), HasSubstr("killed by signal 9 (SIGKILL)"));
    }
  }
  EXPECT_TRUE(no_children_left());
}

// Forks a program that starts a pool, keeps both workers busy, reports their pids, then dies
// by `end` (which must not return). Returns the worker pids and the program's wait status.
struct DoomedProgram {
  std::set<pid_t> workers;
  int status = 0;
};
DoomedProgram run_doomed_program(void (*end)()) {
  DoomedProgram out;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return out;
  const pid_t program = fork();
  if (program == 0) {
    setpgid(0, 0);  // its own process group, as a shell runs a program
    close(pipe_fds[0]);
    ProcessPoolExecutor pool(2);
    std::vector<Future<pid_t>> fs;
    for (int i = 0; i < 2; ++i) fs.push_back(pool.submit(worker_pid));
    for (auto& f : fs) {
      const pid_t p = f.result();
      (void)write(pipe_fds[1], &p, sizeof p);
    }
    for (int i = 0; i < 2; ++i) (void)pool.submit([] { std::this_thread::sleep_for(60s); });
    close(pipe_fds[1]);
    end();
    _exit(0);
  }
  close(pipe_fds[1]);
  pid_t p;
  while (read(pipe_fds[0], &p, sizeof p) == sizeof p) out.workers.insert(p);
  close(pipe_fds[0]);
  if (program > 0) waitpid(program, &out.status, 0);
  return out;
}

TEST(ProcessPoolFaultTest, WorkersDieWhenTheParentIsKilled) {
  const DoomedProgram run = run_doomed_program([] { kill(getpid(), SIGKILL); });
  ASSERT_TRUE(WIFSIGNALED(run.status));
  EXPECT_EQ(WTERMSIG(run.status), SIGKILL);
  ASSERT_FALSE(run.workers.empty());
  EXPECT_TRUE(all_gone_within(run.workers, 5s));
}

TEST(ProcessPoolFaultTest, CtrlCLeavesNoWorkerBehind) {
  // What the terminal does on Ctrl-C: SIGINT to the whole foreground process group.
  const DoomedProgram run = run_doomed_program([] {
    kill(0, SIGINT);
    std::this_thread::sleep_for(60s);
  });
  ASSERT_TRUE(WIFSIGNALED(run.status));
  EXPECT_EQ(WTERMSIG(run.status), SIGINT);
  ASSERT_FALSE(run.workers.empty());
  EXPECT_TRUE(all_gone_within(run.workers, 5s));
}

TEST(ProcessPoolOptionsTest, RejectsBadWorkerCounts) {
  for (int bad : {0, -3}) {
    try {
      ProcessPoolExecutor pool(bad);
      FAIL() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("max_workers must be > 0, got " + std::to_string(bad)));
    }
  }
  ProcessPoolOptions options;
  options.max_tasks_per_child = 0;
  EXPECT_THROW(ProcessPoolExecutor{options}, std::invalid_argument);
  EXPECT_EQ(ProcessPoolExecutor().max_workers(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace futures
