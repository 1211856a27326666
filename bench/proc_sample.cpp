#include "proc_sample.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "report/fields.hpp"

namespace bench {
namespace {

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

double clock_ticks() {
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return ticks;
}

// What /proc/<pid>/stat says about one process, its own counts plus those of the children
// it has waited for (a pool's worker that exited during a row is counted in its parent).
struct ProcStat {
  long ppid = 0;
  double minor_faults = 0;    // fields 10 + 11, minflt + cminflt
  double major_faults = 0;    // fields 12 + 13, majflt + cmajflt
  double user_seconds = 0;    // fields 14 + 16, utime + cutime
  double system_seconds = 0;  // fields 15 + 17, stime + cstime
};

bool read_stat(const std::string& pid, ProcStat& out) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto paren = line.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 > line.size()) return false;
  std::istringstream fields(line.substr(paren + 2));
  std::string state;
  std::string skip;
  unsigned long long minflt = 0, cminflt = 0, majflt = 0, cmajflt = 0, utime = 0, stime = 0,
                     cutime = 0, cstime = 0;
  fields >> state >> out.ppid;                  // fields 3, 4
  for (int k = 5; k <= 9; ++k) fields >> skip;  // pgrp, session, tty_nr, tpgid, flags
  fields >> minflt >> cminflt >> majflt >> cmajflt >> utime >> stime >> cutime >>
      cstime;  // fields 10 to 17
  if (!fields) return false;
  out.minor_faults = static_cast<double>(minflt + cminflt);
  out.major_faults = static_cast<double>(majflt + cmajflt);
  out.user_seconds = static_cast<double>(utime + cutime) / clock_ticks();
  out.system_seconds = static_cast<double>(stime + cstime) / clock_ticks();
  return true;
}

long g_extra_root = 0;  // count_tree_from()'s root; 0: none

// Adds every live descendant of this process (and the extra root with its descendants) to `s`.
void add_descendants(ProcSample& s) {
  std::map<long, ProcStat> procs;
  if (DIR* dir = opendir("/proc")) {
    while (const dirent* entry = readdir(dir)) {
      char* end = nullptr;
      const long pid = std::strtol(entry->d_name, &end, 10);
      if (*end != '\0' || pid <= 0) continue;
      ProcStat stat;
      if (read_stat(entry->d_name, stat)) procs[pid] = stat;
    }
    closedir(dir);
  }
  std::set<long> tree{static_cast<long>(getpid())};
  auto add = [&s](const ProcStat& p) {
    s.tree_seconds += p.user_seconds + p.system_seconds;
    s.tree_system_seconds += p.system_seconds;
    s.tree_minor_faults += p.minor_faults;
    s.tree_major_faults += p.major_faults;
  };
  if (g_extra_root > 0 && !tree.contains(g_extra_root)) {
    tree.insert(g_extra_root);
    if (const auto it = procs.find(g_extra_root); it != procs.end()) add(it->second);
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, p] : procs) {
      if (tree.contains(pid) || !tree.contains(p.ppid)) continue;
      tree.insert(pid);
      add(p);
      grew = true;
    }
  }
}

// Busy and stolen seconds of all CPUs, from the first line of /proc/stat.
void add_machine(ProcSample& s) {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  s.machine_seconds = static_cast<double>(user + nice + system + irq + softirq) / clock_ticks();
  s.steal_seconds = static_cast<double>(steal) / clock_ticks();
}

}  // namespace

void count_tree_from(long root) { g_extra_root = root; }

ProcSample sample_proc() {
  ProcSample s;
  // This process and the children it has waited for; then the live descendants.
  for (const int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    getrusage(who, &usage);
    s.tree_seconds += seconds(usage.ru_utime) + seconds(usage.ru_stime);
    s.tree_system_seconds += seconds(usage.ru_stime);
    s.tree_minor_faults += static_cast<double>(usage.ru_minflt);
    s.tree_major_faults += static_cast<double>(usage.ru_majflt);
  }
  add_descendants(s);
  add_machine(s);
  s.at = std::chrono::steady_clock::now();
  return s;
}

void set_proc_counters(benchmark::State& state, const ProcSample& before, const ProcSample& after) {
  const double wall = std::chrono::duration<double>(after.at - before.at).count();
  const double iterations =
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  auto per_second = [wall](double b, double a) { return wall > 0 ? (a - b) / wall : 0.0; };
  auto set = [&state](std::string_view name, double value) {
    state.counters[std::string(name)] = value;
  };
  set(fields::kCoresBusy, per_second(before.tree_seconds, after.tree_seconds));
  set(fields::kMachineBusy, per_second(before.machine_seconds, after.machine_seconds));
  set(fields::kMachineSteal, per_second(before.steal_seconds, after.steal_seconds));
  set(fields::kSystemSeconds,
      (after.tree_system_seconds - before.tree_system_seconds) / iterations);
  set(fields::kMinorFaults, (after.tree_minor_faults - before.tree_minor_faults) / iterations);
  set(fields::kMajorFaults, (after.tree_major_faults - before.tree_major_faults) / iterations);
}

}  // namespace bench
