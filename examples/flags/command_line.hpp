// The flags programs' command lines on CLI11, with the project's conventions: -h/--help wins
// and prints "usage: ..." on stdout; a bad command line is a cli::UsageError (one line, exit 2).
#ifndef EXAMPLES_FLAGS_COMMAND_LINE_HPP_
#define EXAMPLES_FLAGS_COMMAND_LINE_HPP_

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace flags {

// Parses argv into `app`'s options. Returns false, parsing nothing, when -h or --help comes
// before "--". Throws cli::UsageError with CLI11's message for an unknown option, a missing
// value or an extra argument.
bool parse_command_line(CLI::App& app, int argc, const char* const* argv);

// "usage: <synopsis>\n\n<description>\n\n" then the options as CLI11 lists them.
std::string usage_text(const CLI::App& app, std::string_view synopsis);

}  // namespace flags

#endif  // EXAMPLES_FLAGS_COMMAND_LINE_HPP_
