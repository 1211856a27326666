// Ctrl-C during a process-pool run of a real program (an example, a benchmark): the program
// ends by SIGINT, promptly and without noise, and none of its processes outlives it.
//
// The test process is a child subreaper, so every orphaned descendant of the program (its
// fork server, the workers) is reparented here: it can reap them, and it knows that nothing
// is left once waitpid reports no child at all.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "process_table.hpp"

extern char** environ;

namespace {

using futures::testing::descendants_of;
using futures::testing::describe;
using futures::testing::process_gone;
using futures::testing::ProcessInfo;
using futures::testing::read_process;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Hang guards, not timings: a clean exit takes a small fraction of these.
constexpr auto kStartLimit = 60s;  // until the program has its workers and is busy
constexpr auto kEndLimit = 10s;    // from SIGINT until the program and its processes are gone
constexpr auto kPoll = 1ms;        // polling the process table, not synchronising threads

// A program to interrupt, and how to tell that its process-pool work is under way: it has
// its fork server and workers, `workers` of its processes have each run a while, and
// `busy_marker` (if any) is on its stderr.
struct Program {
  std::string name;
  std::string path;
  std::vector<std::string> args;
  std::size_t processes = 0;  // the fork server and the workers
  std::size_t workers = 0;
  std::string busy_marker;
};

// CPU time that a worker has run before the signal: several jobs done, and more in flight.
constexpr double kWorkerBusySeconds = 0.3;

// Where the SIGINT goes: the program's pid only, or its whole process group, as a terminal's
// Ctrl-C does.
enum class Target { program, group };

struct Case {
  Program program;
  Target target;
};

std::string case_name(const Case& c) {
  return c.program.name + (c.target == Target::program ? "_to_program" : "_to_group");
}

// Names the case in test listings, instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << case_name(c); }

std::vector<Case> cases() {
  std::vector<Program> programs;
#ifdef FUTURES_ARCFOUR_FUTURES
  // About 13 s on two cores when left alone; the signal comes well before the end.
  programs.push_back({.name = "arcfour_futures",
                      .path = FUTURES_ARCFOUR_FUTURES,
                      .args = {"2", "--executor", "process", "--scale", "100", "--jobs", "200"},
                      .processes = 3,
                      .workers = 2,
                      .busy_marker = ""});
#endif
#ifdef FUTURES_SWEEP_BENCH
  // Only the process-pool rows, about 10 s each on two cores when left alone; "[1/" is the
  // progress line that opens the first row.
  programs.push_back(
      {.name = "sweep_bench",
       .path = FUTURES_SWEEP_BENCH,
       .args = {"--workers=2", "--no-peers", "--no-startup", "--granularity-workers=0",
                "--iterations=20", "--benchmark_filter=ProcessPool", "--benchmark_repetitions=1"},
       .processes = 3,
       .workers = 2,
       .busy_marker = "[1/"});
#endif
  std::vector<Case> out;
  for (const Program& p : programs) {
    out.push_back({p, Target::program});
    out.push_back({p, Target::group});
  }
  return out;
}

// "12.3 ms".
std::string ms_between(Clock::time_point from, Clock::time_point to) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms",
                std::chrono::duration<double, std::milli>(to - from).count());
  return text;
}

// Reaps every child that has ended; returns false once this process has no child at all.
// Calls on_reaped(pid, status) for each.
template <class F>
bool reap_ended_children(F on_reaped) {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      on_reaped(pid, status);
      continue;
    }
    if (pid == 0) return true;
    if (errno == EINTR) continue;
    return false;  // ECHILD
  }
}

// SIGKILLs every descendant of this process and reaps its children (leftovers reparent here).
// Returns what it found alive.
std::vector<ProcessInfo> kill_every_descendant() {
  std::map<pid_t, ProcessInfo> found;
  const auto deadline = Clock::now() + 5s;
  for (;;) {
    const auto alive = descendants_of(getpid(), /*zombies=*/false);
    for (const ProcessInfo& p : alive) {
      found.emplace(p.pid, p);
      kill(p.pid, SIGKILL);
    }
    const bool children = reap_ended_children([](pid_t, int) {});
    if ((!children && alive.empty()) || Clock::now() > deadline) break;
    std::this_thread::sleep_for(kPoll);
  }
  std::vector<ProcessInfo> out;
  for (const auto& [pid, p] : found) out.push_back(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running a program

// A file that takes a program's output and is gone when closed; read back with pread, so that
// the program's writes and our reads share no offset.
class OutputFile {
 public:
  OutputFile() : file_(std::tmpfile()) {}
  OutputFile(const OutputFile&) = delete;  // owns a file
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  bool ok() const { return file_ != nullptr; }
  int fd() const { return fileno(file_); }
  std::string contents() const {
    std::string out;
    char buf[65536];
    off_t at = 0;
    ssize_t n;
    while ((n = pread(fd(), buf, sizeof buf, at)) > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
    return out;
  }

 private:
  std::FILE* file_;
};

// Starts `program` as a shell starts a foreground job: in a process group of its own, SIGINT
// at its default action and no signal blocked (whatever this test inherited), stdin from
// /dev/null. Returns its pid, or -1 with errno set.
pid_t spawn(const Program& program, const OutputFile& out, const OutputFile& err) {
  std::vector<std::string> words{program.path};
  words.insert(words.end(), program.args.begin(), program.args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd(), STDERR_FILENO);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGCHLD);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, program.path.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    errno = error;
    return -1;
  }
  return pid;
}

bool clean_sigint_end(int status) {
  return (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
         (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")" + (WCOREDUMP(status) ? ", core dumped" : "");
  }
  return "wait status " + std::to_string(status);
}

// ---------------------------------------------------------------------------------------------

class SignalTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    // Orphaned descendants come here, and their ends are seen by waitpid, not auto-reaped.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0) << std::strerror(errno);
    signal(SIGCHLD, SIG_DFL);
    ASSERT_FALSE(reap_ended_children([](pid_t, int) {})) << "a child left by an earlier test";
  }

  // Whatever a test leaves behind (it failed) is killed, so that nothing outlives the test.
  void TearDown() override {
    const auto leftovers = kill_every_descendant();
    EXPECT_TRUE(leftovers.empty()) << "killed leftover processes:\n" << describe(leftovers);
  }
};

TEST_P(SignalTest, SigintEndsTheRunCleanlyAndLeavesNoWorker) {
  const Program& program = GetParam().program;
  const Target target = GetParam().target;
  OutputFile out, err;
  ASSERT_TRUE(out.ok() && err.ok()) << "tmpfile: " << std::strerror(errno);
  const auto started = Clock::now();
  const pid_t pid = spawn(program, out, err);
  ASSERT_GT(pid, 0) << "cannot start " << program.path << ": " << std::strerror(errno);

  // Until the pool's processes exist and the program is at work.
  std::vector<ProcessInfo> descendants;
  for (const auto deadline = Clock::now() + kStartLimit;;) {
    int status = 0;
    const pid_t ended = waitpid(pid, &status, WNOHANG);
    ASSERT_EQ(ended, 0) << program.name << " ended before the signal: " << describe_status(status)
                        << "\nstderr:\n"
                        << err.contents();
    descendants = descendants_of(pid, /*zombies=*/false);
    std::size_t busy = 0;
    for (const ProcessInfo& d : descendants) busy += d.cpu_seconds >= kWorkerBusySeconds ? 1 : 0;
    if (descendants.size() >= program.processes && busy >= program.workers &&
        (program.busy_marker.empty() ||
         err.contents().find(program.busy_marker) != std::string::npos)) {
      break;
    }
    ASSERT_LT(Clock::now(), deadline)
        << program.name << " did not get its pool busy within the limit; its processes:\n"
        << describe(descendants) << "stderr:\n"
        << err.contents();
    std::this_thread::sleep_for(kPoll);
  }

  const auto sent = Clock::now();
  std::printf("%s: SIGINT to the %s %s after start, with these processes:\n%s",
              program.name.c_str(), target == Target::program ? "program" : "process group",
              ms_between(started, sent).c_str(), describe(descendants).c_str());
  ASSERT_EQ(kill(target == Target::program ? pid : -pid, SIGINT), 0) << std::strerror(errno);

  // Until the program is reaped, every process it had is gone and no child is left.
  std::optional<int> status;
  std::optional<Clock::time_point> exited_at, all_gone_at;
  bool children_left = true;
  for (const auto deadline = sent + kEndLimit;;) {
    children_left = reap_ended_children([&](pid_t p, int s) {
      if (p != pid) return;
      status = s;
      exited_at = Clock::now();
    });
    bool all_gone = true;
    for (const ProcessInfo& d : descendants) all_gone = all_gone && process_gone(d.pid);
    if (all_gone && !all_gone_at) all_gone_at = Clock::now();
    if ((status && all_gone && !children_left) || Clock::now() > deadline) break;
    std::this_thread::sleep_for(kPoll);
  }

  const std::string err_text = err.contents();
  ASSERT_TRUE(status) << program.name << " still runs " << ms_between(sent, Clock::now())
                      << " after SIGINT; its processes:\n"
                      << describe(descendants_of(pid, /*zombies=*/true)) << "stderr:\n"
                      << err_text;
  RecordProperty("exit_after_sigint", ms_between(sent, *exited_at));
  std::printf("%s: %s %s after SIGINT\n", program.name.c_str(), describe_status(*status).c_str(),
              ms_between(sent, *exited_at).c_str());
  EXPECT_TRUE(clean_sigint_end(*status))
      << program.name << " " << describe_status(*status) << "\nstderr:\n"
      << err_text;
  for (const char* noise :
       {"terminate called", "Sanitizer", "core dumped", "BrokenProcessPool", "fork server:"}) {
    EXPECT_TRUE(err_text.find(noise) == std::string::npos) << "'" << noise << "' on stderr:\n"
                                                           << err_text;
  }

  std::vector<ProcessInfo> alive;
  for (const ProcessInfo& d : descendants) {
    if (auto now = read_process(d.pid); now && now->state != 'Z') alive.push_back(*now);
  }
  EXPECT_TRUE(alive.empty()) << "still running " << ms_between(sent, Clock::now())
                             << " after SIGINT:\n"
                             << describe(alive);
  if (all_gone_at) {
    RecordProperty("last_process_gone_after_sigint", ms_between(sent, *all_gone_at));
    std::printf("%s: its %zu processes gone %s after SIGINT\n", program.name.c_str(),
                descendants.size(), ms_between(sent, *all_gone_at).c_str());
  }
  EXPECT_FALSE(children_left) << "processes left (zombie or running):\n"
                              << describe(descendants_of(getpid(), /*zombies=*/true));
}

INSTANTIATE_TEST_SUITE_P(Programs, SignalTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return case_name(p.param);
                         });

}  // namespace
