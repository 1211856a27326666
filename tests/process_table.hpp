// What the tests read of the process table (/proc): a process's parent, group, state and CPU
// time, the descendants of a process, and whether a process still runs.
#ifndef FUTURES_TESTS_PROCESS_TABLE_HPP_
#define FUTURES_TESTS_PROCESS_TABLE_HPP_

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace futures::testing {

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  char state = '?';
  double cpu_seconds = 0;  // user and system time
  std::string comm;
};

inline std::optional<ProcessInfo> read_process(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto open = line.find('(');
  const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (open == std::string::npos || close == std::string::npos || close + 2 >= line.size()) {
    return std::nullopt;
  }
  ProcessInfo p;
  p.pid = pid;
  p.comm = line.substr(open + 1, close - open - 1);
  std::istringstream fields(line.substr(close + 2));
  long ppid = 0, pgrp = 0;
  fields >> p.state >> ppid >> pgrp;
  p.ppid = static_cast<pid_t>(ppid);
  p.pgrp = static_cast<pid_t>(pgrp);
  std::string skip;
  for (int k = 0; k < 8; ++k) fields >> skip;  // fields 6 to 13
  unsigned long long utime = 0, stime = 0;
  fields >> utime >> stime;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  p.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  return p;
}

inline std::map<pid_t, ProcessInfo> process_table() {
  std::map<pid_t, ProcessInfo> table;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir("/proc"), closedir);
  if (!dir) return table;
  while (const dirent* entry = readdir(dir.get())) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    if (auto p = read_process(static_cast<pid_t>(pid))) table[p->pid] = *p;
  }
  return table;
}

// The descendants of `root`, with what they are; zombies only if `zombies`.
inline std::vector<ProcessInfo> descendants_of(pid_t root, bool zombies) {
  const auto table = process_table();
  std::vector<ProcessInfo> out;
  for (const auto& [pid, info] : table) {
    if (pid == root || (info.state == 'Z' && !zombies)) continue;
    std::set<pid_t> seen;  // a guard against a cycle read from a table that changed under us
    for (pid_t up = info.ppid; up > 1 && seen.insert(up).second;) {
      if (up == root) {
        out.push_back(info);
        break;
      }
      const auto it = table.find(up);
      if (it == table.end()) break;
      up = it->second.ppid;
    }
  }
  return out;
}

// True once `pid` no longer runs: gone, or a zombie (waiting for a parent that is not us).
inline bool process_gone(pid_t pid) {
  const auto p = read_process(pid);
  return !p || p->state == 'Z';
}

inline std::string describe(const std::vector<ProcessInfo>& procs) {
  std::string out;
  for (const ProcessInfo& p : procs) {
    char cpu[32];
    std::snprintf(cpu, sizeof cpu, "%.2f", p.cpu_seconds);
    out += "  pid " + std::to_string(p.pid) + " ppid " + std::to_string(p.ppid) + " pgrp " +
           std::to_string(p.pgrp) + " state " + p.state + " cpu " + cpu + " s (" + p.comm + ")\n";
  }
  return out;
}

}  // namespace futures::testing

#endif  // FUTURES_TESTS_PROCESS_TABLE_HPP_
