// cli::CommandLine: every program's command line, on CLI11, with the project's conventions:
// -h/--help wins and the program prints its usage on stdout; anything else it cannot take is
// a cli::UsageError in the house style ("unknown option '--x': expected one of ...",
// "missing value for option --x: expected ..."). CLI11 stays out of this header: it is
// compiled once, in command_line.cpp.
#ifndef FUTURES_CLI_COMMAND_LINE_HPP_
#define FUTURES_CLI_COMMAND_LINE_HPP_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace cli {

// One option that takes a value.
struct Option {
  std::string names;      // "--scale", or "-l,--limit"; long names after the first are aliases
  std::string type_name;  // what the value is, for --help: "N", "S", "URL"
  std::string help;       // one line for --help
  // Completes "missing value for option --x: expected <accepts>" (empty: the type name).
  std::string accepts = {};
  bool show_default = false;  // --help shows the variable's value at the time of option()
};

// A program's options, bound to variables that parse() sets. Not thread-safe.
class CommandLine {
 public:
  CommandLine(const std::string& program, const std::string& description);
  ~CommandLine();
  // Owns the CLI11 application that holds references to the bound variables.
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // One positional argument at most, e.g. "WORKERS"; a second is refused.
  void positional(const std::string& name, std::optional<std::string>& value,
                  const std::string& help);
  // Positional arguments, any number of them.
  void positionals(const std::string& name, std::vector<std::string>& values,
                   const std::string& help);
  // An option with one value; given twice, the last one wins.
  void option(const Option& spec, std::string& value);
  void option(const Option& spec, std::optional<std::string>& value);
  // option({names, type_name, help, {}, show_default}, value).
  void option(const std::string& names, std::string& value, const std::string& type_name,
              const std::string& help, bool show_default = false);
  // A switch, e.g. "-a,--all".
  void flag(const std::string& names, bool& value, const std::string& help);
  // Leaves the arguments that start with `prefix` ("--benchmark_") to the caller: parse()
  // puts them, in order, in passed_on() instead of refusing them.
  void pass_on(std::string prefix);
  const std::vector<std::string>& passed_on() const noexcept { return passed_on_; }

  // Parses argv into the bound variables. Returns false, parsing nothing, when -h or --help
  // comes before "--". Throws UsageError for an unknown option, a missing value or an extra
  // argument (values themselves are the caller's to check: parse_int() and its siblings).
  bool parse(int argc, const char* const* argv);

  // The message for an option named `name` that this line does not take: "unknown option
  // '<name>': expected one of <its options>, --help[, or a <prefix>* flag (see --help)]".
  std::string unknown_option(std::string_view name) const;

  // "usage: <synopsis>\n\n<description, wrapped>\n\n" then the options as CLI11 lists them.
  std::string usage(std::string_view synopsis) const;

 private:
  // Registers an option CLI11 has added: its policy, names and what its value may be.
  void add_option(const Option& spec, CLI::Option* o);
  // The option named in a CLI11 message ("--scale: 1 required TEXT missing"), as users write it.
  std::string option_named_in(std::string_view message) const;

  std::unique_ptr<CLI::App> app_;
  std::vector<std::string> long_names_;              // in order, for "expected one of ..."
  std::map<std::string, std::string> long_name_of_;  // each name of an option -> its long name
  std::map<std::string, std::string> expects_;       // long name -> what its value may be
  std::map<std::string, std::string> switches_;      // each name of a switch -> its long name
  bool has_positionals_ = false;
  std::string single_name_;                 // positional()'s argument, e.g. "WORKERS"
  std::vector<std::string> single_values_;  // what CLI11 collects for it
  std::optional<std::string>* single_ = nullptr;
  std::string pass_on_prefix_;
  std::vector<std::string> passed_on_;
};

}  // namespace cli

#endif  // FUTURES_CLI_COMMAND_LINE_HPP_
