#include "command_line.hpp"

#include <CLI/CLI.hpp>
#include <vector>

#include "cli/cli.hpp"

namespace flags {

namespace {

// `text` with its spaces turned into line breaks where a line would pass `width` columns.
std::string wrapped(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t column = 0;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (column > 0 && column + 1 + word.size() > width) {
      out += '\n';
      column = 0;
    } else if (column > 0) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
  }
  return out;
}

}  // namespace

CommandLine::CommandLine(const std::string& program, const std::string& description)
    : app_(std::make_unique<CLI::App>(description, program)) {
  app_->set_help_flag();  // parse() answers -h and --help itself
}

CommandLine::~CommandLine() = default;

void CommandLine::positionals(const std::string& name, std::vector<std::string>& values,
                              const std::string& help) {
  app_->add_option(name, values, help);
}

void CommandLine::option(const std::string& names, std::string& value, const std::string& type_name,
                         const std::string& help, bool show_default) {
  CLI::Option* o = app_->add_option(names, value, help)->type_name(type_name);
  if (show_default) o->capture_default_str();
}

void CommandLine::flag(const std::string& names, bool& value, const std::string& help) {
  app_->add_flag(names, value, help);
}

bool CommandLine::parse(int argc, const char* const* argv) {
  for (int k = 1; k < argc; ++k) {
    const std::string_view arg = argv[k];
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help") return false;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app_->parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw cli::UsageError(std::string(e.what()) + " (see --help)");
  }
  return true;
}

std::string CommandLine::usage(std::string_view synopsis) const {
  std::string listing = app_->help();
  // CLI11 opens with the description and its own "Usage:" line; the sections follow.
  for (const std::string_view section : {"\nPositionals:", "\nOptions:"}) {
    const std::size_t at = listing.find(section);
    if (at != std::string::npos) {
      listing.erase(0, at + 1);
      break;
    }
  }
  return "usage: " + std::string(synopsis) + "\n\n" + wrapped(app_->get_description(), 79) +
         "\n\n" + listing;
}

}  // namespace flags
