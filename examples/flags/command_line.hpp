// The flags programs' command lines on CLI11, with the project's conventions: -h/--help wins
// and prints "usage: ..." on stdout; a bad command line is a cli::UsageError (one line, exit 2).
// CLI11 stays out of this header: it is compiled once, in command_line.cpp.
#ifndef EXAMPLES_FLAGS_COMMAND_LINE_HPP_
#define EXAMPLES_FLAGS_COMMAND_LINE_HPP_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace flags {

// A program's options, bound to variables that parse() sets. Not thread-safe.
class CommandLine {
 public:
  CommandLine(const std::string& program, const std::string& description);
  ~CommandLine();
  // Owns the CLI11 application that holds references to the bound variables.
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Positional arguments, any number of them.
  void positionals(const std::string& name, std::vector<std::string>& values,
                   const std::string& help);
  // An option with one value, e.g. names "-l,--limit" and type_name "N"; with show_default,
  // --help shows the variable's value at the time of this call.
  void option(const std::string& names, std::string& value, const std::string& type_name,
              const std::string& help, bool show_default = false);
  // A switch, e.g. "-a,--all".
  void flag(const std::string& names, bool& value, const std::string& help);

  // Parses argv into the bound variables. Returns false, parsing nothing, when -h or --help
  // comes before "--". Throws cli::UsageError with CLI11's message for an unknown option, a
  // missing value or an extra argument.
  bool parse(int argc, const char* const* argv);

  // "usage: <synopsis>\n\n<description, wrapped>\n\n" then the options as CLI11 lists them.
  std::string usage(std::string_view synopsis) const;

 private:
  std::unique_ptr<CLI::App> app_;
};

}  // namespace flags

#endif  // EXAMPLES_FLAGS_COMMAND_LINE_HPP_
