// The checks and messages every program's command line shares: values read as integers,
// numbers or choices, one-line usage errors, and main()'s exit status. The parsing itself is
// cli::CommandLine (command_line.hpp, on CLI11).
#ifndef FUTURES_CLI_CLI_HPP_
#define FUTURES_CLI_CLI_HPP_

#include <functional>
#include <initializer_list>
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
