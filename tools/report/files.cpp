#include "report/files.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "report/record.hpp"

extern char** environ;

namespace report {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Staging::~Staging() {
  std::error_code ec;
  for (const auto& [tmp, final_path] : files_) fs::remove(tmp, ec);
  for (const auto& path : scratch_) fs::remove(path, ec);
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
}

void Staging::prepare_directory(const std::string& dir, std::string_view flag) {
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

fs::path Staging::scratch(const fs::path& near) {
  const fs::path tmp =
      near.parent_path() / fmt::format(".{}.tmp{}", near.filename().string(), getpid());
  scratch_.push_back(tmp);
  return tmp;
}

fs::path Staging::stage(const fs::path& final_path) {
  const fs::path tmp =
      final_path.parent_path() / fmt::format(".{}.tmp{}", final_path.filename().string(), getpid());
  files_.emplace_back(tmp, final_path);
  return tmp;
}

void Staging::write(const fs::path& final_path, const std::string& content) {
  const fs::path tmp = stage(final_path);
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
}

void Staging::commit() {
  for (const auto& [tmp, final_path] : files_) fs::rename(tmp, final_path);
  files_.clear();
  created_.clear();
}

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

}  // namespace report
