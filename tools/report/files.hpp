// Files in and out: reading an input whole, writing outputs all or nothing (staged under
// temporary names, renamed into place at the end), and running gnuplot without a shell.
#ifndef REPORT_FILES_HPP_
#define REPORT_FILES_HPP_

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace report {

// The file's bytes. Throws InputError naming the file and the system's reason.
std::string read_file(const std::string& path);

// Files written under temporary names and renamed into place only when everything succeeded.
// Until commit(), destroying it also removes the directories that prepare_directory() created
// (the empty ones: deepest first).
class Staging {
 public:
  Staging() = default;
  Staging(const Staging&) = delete;  // owns temporary files and directories
  Staging& operator=(const Staging&) = delete;
  ~Staging();

  // Makes `dir`, the value of `flag`, a directory that this run can write to: creates its
  // missing components one by one, then creates and removes a file in it (a real write, since
  // access(2) says yes to root where mkdir or open still fail). Throws InputError naming the
  // flag, the value and the fault.
  void prepare_directory(const std::string& dir, std::string_view flag);

  // A temporary path beside `near` that is removed in any case.
  std::filesystem::path scratch(const std::filesystem::path& near);

  // A temporary path beside `final_path`, to be renamed onto it by commit().
  std::filesystem::path stage(const std::filesystem::path& final_path);

  // Stages `content` for `final_path`. Throws std::runtime_error when it cannot be written.
  void write(const std::filesystem::path& final_path, const std::string& content);

  // Renames the staged files into place and keeps the directories created.
  void commit();

 private:
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> files_;
  std::vector<std::filesystem::path> scratch_;
  std::vector<std::filesystem::path> created_;  // by prepare_directory, outermost first
};

// Runs a program without a shell; returns its exit status (127 if it could not start).
int run_program(const std::vector<std::string>& argv);

// `s` as a gnuplot string literal: single-quoted, quotes doubled, newlines dropped.
std::string gnuplot_string(std::string_view s);

}  // namespace report

#endif  // REPORT_FILES_HPP_
