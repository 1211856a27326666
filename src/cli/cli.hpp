// A small hand-written command-line parser shared by the example and benchmark programs: one
// positional argument at most, long options with a value, --help, and one-line usage errors.
#ifndef FUTURES_CLI_CLI_HPP_
#define FUTURES_CLI_CLI_HPP_

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cli {

// A bad command line. what() is the message without the program name, e.g.
// "invalid WORKERS 'abc': expected an integer from 1 to 1024".
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `text` in single quotes, as messages quote values, with control characters escaped (\n,
// \xNN) so that a message stays on one line.
std::string quoted(std::string_view text);

// The opening of a message about a bad value: "invalid <what> '<text>': ", which the caller
// completes with what is accepted.
std::string invalid(std::string_view what, std::string_view text);

// An option that takes a value, e.g. {"--executor", "thread or process"}; `accepts` completes
// the message for a missing value.
struct OptionSpec {
  std::string_view name;
  std::string_view accepts;
};

// The command line split into its parts; values are checked by the parse_* functions below.
struct CommandLine {
  bool help = false;                           // -h or --help was given
  std::optional<std::string> positional;       // the one positional argument, if any
  std::map<std::string, std::string> options;  // "--name" -> value; the last one given wins
};

// Splits argv. `value_options` are the accepted options, each taking one value, written
// "--name VALUE" or "--name=VALUE". "-h" or "--help" before "--" wins over everything else:
// the result then has only `help` set. An argument that looks like a negative number ("-1")
// is positional; "--" ends the options. Throws UsageError for an unknown option, an option
// without its value, or a second positional argument (`positional_name` names it in
// messages, e.g. "WORKERS"; empty: no positional argument is accepted).
CommandLine split_command_line(int argc, const char* const* argv,
                               std::initializer_list<OptionSpec> value_options,
                               std::string_view positional_name);

// `text` as a whole decimal integer in [lo, hi]. Throws UsageError
// "invalid <what> '<text>': expected an integer from <lo> to <hi><note>".
int parse_int(std::string_view what, std::string_view text, int lo, int hi,
              std::string_view note = {});

// `text` as a whole finite decimal number in [lo, hi]. Throws UsageError
// "invalid <what> '<text>': expected a number from <lo> to <hi>".
double parse_number(std::string_view what, std::string_view text, double lo, double hi);

// `text` if it is one of `choices`. Throws UsageError
// "invalid <what> '<text>': expected one of a, b".
std::string parse_choice(std::string_view what, std::string_view text,
                         std::initializer_list<std::string_view> choices);

// Runs body() and returns its exit status. A UsageError becomes one line on stderr,
// "<program>: <message>", and status 2; any other exception becomes
// "<program>: error: <what>" and status 1.
int run_main(std::string_view program, const std::function<int()>& body);

}  // namespace cli

#endif  // FUTURES_CLI_CLI_HPP_
