#include "context/machine_context.hpp"

#include <fcntl.h>
#include <gnu/libc-version.h>
#include <openssl/crypto.h>
#include <sched.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string_view>

#if FUTURES_CONTEXT_HAVE_TBB
#include <oneapi/tbb/version.h>
#endif
#if FUTURES_CONTEXT_HAVE_BOOST
#include <boost/version.hpp>
#endif

extern char** environ;

namespace machine {
namespace {

constexpr std::string_view kUnknown = "unknown";

// `text` as a context value: commas become ';', control characters spaces, runs of spaces
// one; empty is "unknown".
std::string clean(std::string_view text) {
  std::string out;
  for (const char c : text) {
    char d = c == ',' ? ';' : c;
    if (std::iscntrl(static_cast<unsigned char>(d))) d = ' ';
    if (d == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += d;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? std::string(kUnknown) : out;
}

// The first line of the file at `path`; empty when it cannot be read.
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The "key : value" lines of the first processor in /proc/cpuinfo.
std::map<std::string, std::string> first_cpu() {
  std::map<std::string, std::string> fields;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      if (!fields.empty()) break;  // the blank line after the first processor
      continue;
    }
    std::string key = line.substr(0, colon);
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    const auto start = line.find_first_not_of(" \t", colon + 1);
    fields.emplace(std::move(key), start == std::string::npos ? "" : line.substr(start));
  }
  return fields;
}

// A cache size as sysfs writes it ("32K", "32768K") in KiB or MiB ("32 KiB", "32 MiB").
std::string cache_size(const std::string& size) {
  std::size_t digits = 0;
  while (digits < size.size() && std::isdigit(static_cast<unsigned char>(size[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 12) return size;
  const long long n = std::stoll(size.substr(0, digits));
  const std::string unit = size.substr(digits);
  if (unit == "K") {
    return n % 1024 == 0 ? std::to_string(n / 1024) + " MiB" : std::to_string(n) + " KiB";
  }
  if (unit == "M") return std::to_string(n) + " MiB";
  return size;
}

// Cache sizes of cpu0 by name: "l1d", "l1i", "l2", "l3".
std::map<std::string, std::string> caches() {
  std::map<std::string, std::string> sizes;
  for (int index = 0; index < 16; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    const std::string level = first_line(dir + "/level");
    const std::string type = first_line(dir + "/type");
    const std::string size = first_line(dir + "/size");
    if (level.empty() || size.empty()) continue;
    std::string name = "l" + level;
    if (type == "Data") name += "d";
    if (type == "Instruction") name += "i";
    sizes.emplace(name, cache_size(size));
  }
  return sizes;
}

// "yes" when the first processor's flags include "hypervisor" (a virtual machine).
std::string hypervisor(const std::map<std::string, std::string>& cpu) {
  const auto flags = cpu.find("flags");
  if (flags == cpu.end()) return std::string(kUnknown);
  const std::string padded = " " + flags->second + " ";
  return padded.find(" hypervisor ") != std::string::npos ? "yes" : "no";
}

std::string usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return std::string(kUnknown);
  return std::to_string(CPU_COUNT(&set));
}

std::string cpus_online() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? std::to_string(n) : std::string(kUnknown);
}

std::string kernel() {
  utsname name{};
  return uname(&name) == 0 ? std::string(name.release) : std::string(kUnknown);
}

// The mode in brackets of "always [madvise] never".
std::string transparent_huge_pages() {
  const std::string line = first_line("/sys/kernel/mm/transparent_hugepage/enabled");
  const auto open = line.find('[');
  const auto close = line.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return std::string(kUnknown);
  return line.substr(open + 1, close - open - 1);
}

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;  // one owner closes it
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Runs `args` (found on PATH, no shell) with stdin and stderr on /dev/null. Returns its exit
// status, or -1 when it cannot be run or dies of a signal; its standard output goes to `out`.
int run(std::vector<std::string> args, std::string& out) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return -1;
  Fd read_end(ends[0]);
  Fd write_end(ends[1]);
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return -1;
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const bool prepared =
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
      posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1) == 0 &&
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) == 0;
  const int spawned =
      prepared ? posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) : -1;
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (spawned != 0) return -1;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(read_end.get(), buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The source tree's short commit hash, with "-dirty" when src, bench or tools differ from it;
// FUTURES_GIT_REVISION, when set, instead: the programs were taken to another machine
// (tools/bundle_bench.sh), where the tree beside them, if any, is not what built them.
std::string git_revision() {
  if (const char* given = std::getenv("FUTURES_GIT_REVISION"); given != nullptr && *given) {
    return std::string(given) + " (as given)";
  }
  const std::string tree = FUTURES_CONTEXT_SOURCE_DIR;
  std::string hash;
  if (run({"git", "-C", tree, "rev-parse", "--short", "HEAD"}, hash) != 0) {
    return std::string(kUnknown);
  }
  while (!hash.empty() && std::isspace(static_cast<unsigned char>(hash.back()))) hash.pop_back();
  if (hash.empty()) return std::string(kUnknown);
  std::string ignored;
  const int diff =
      run({"git", "-C", tree, "diff", "--quiet", "HEAD", "--", "src", "bench", "tools"}, ignored);
  return diff == 0 ? hash : hash + "-dirty";
}

std::string onetbb() {
#if FUTURES_CONTEXT_HAVE_TBB
  return std::to_string(TBB_VERSION_MAJOR) + "." + std::to_string(TBB_VERSION_MINOR) + "." +
         std::to_string(TBB_VERSION_PATCH);
#else
  return "none";
#endif
}

std::string boost() {
#if FUTURES_CONTEXT_HAVE_BOOST
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "." + std::to_string(BOOST_VERSION % 100);
#else
  return "none";
#endif
}

std::vector<std::pair<std::string, std::string>> gather() {
  const auto cpu = first_cpu();
  const auto field = [&cpu](const char* key) {
    const auto it = cpu.find(key);
    return it == cpu.end() ? std::string(kUnknown) : it->second;
  };
  const auto cache = caches();
  const auto cache_of = [&cache](const char* name) {
    const auto it = cache.find(name);
    return it == cache.end() ? std::string(kUnknown) : it->second;
  };
  return {
      {"cpu_model", field("model name")},
      {"cpu_vendor", field("vendor_id")},
      {"cpu_family", field("cpu family")},
      {"cpu_model_number", field("model")},
      {"cpu_stepping", field("stepping")},
      {"cpu_mhz", field("cpu MHz")},
      {"cache_l1d", cache_of("l1d")},
      {"cache_l2", cache_of("l2")},
      {"cache_l3", cache_of("l3")},
      {"hypervisor", hypervisor(cpu)},
      {"cpus_online", cpus_online()},
      {"usable_cpus", usable_cpus()},
      {"kernel", kernel()},
      {"thp", transparent_huge_pages()},
      {"glibc", gnu_get_libc_version()},
      {"compiler", FUTURES_CONTEXT_COMPILER},
      {"cxx_flags", FUTURES_CONTEXT_CXX_FLAGS},
      {"build_type", FUTURES_CONTEXT_BUILD_TYPE},
      {"openssl", OpenSSL_version(OPENSSL_FULL_VERSION_STRING)},
      {"onetbb", onetbb()},
      {"boost", boost()},
      {"google_benchmark", FUTURES_CONTEXT_BENCHMARK_VERSION},
      {"google_benchmark_build", FUTURES_CONTEXT_BENCHMARK_BUILD},
      {"git_revision", git_revision()},
  };
}

}  // namespace

std::vector<std::pair<std::string, std::string>> context() {
  try {
    auto pairs = gather();
    for (auto& [key, value] : pairs) value = clean(value);
    return pairs;
  } catch (...) {
    return {};  // only running out of memory lands here
  }
}

}  // namespace machine
