#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <vector>

#include "cli/cli.hpp"

namespace cli {
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

bool looks_negative_number(std::string_view arg) {
  return arg.size() >= 2 && arg[0] == '-' && ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.');
}

// The names in "-l,--limit": {"-l", "--limit"}.
std::vector<std::string> split_names(const std::string& names) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const std::size_t comma = names.find(',', from);
    out.push_back(names.substr(from, comma - from));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

// The name messages use: the first long one ("--limit" of "-l,--limit,--old_limit").
const std::string& first_long_name(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (n.starts_with("--")) return n;
  }
  return names.front();
}

}  // namespace

CommandLine::CommandLine(const std::string& program, const std::string& description)
    : app_(std::make_unique<CLI::App>(description, program)) {
  app_->set_help_flag();  // parse() answers -h and --help itself
  app_->allow_extras();   // parse() words the refusal of what is left over
}

CommandLine::~CommandLine() = default;

void CommandLine::positional(const std::string& name, std::optional<std::string>& value,
                             const std::string& help) {
  app_->add_option(name, single_values_, help);
  has_positionals_ = true;
  single_name_ = name;
  single_ = &value;
}

void CommandLine::positionals(const std::string& name, std::vector<std::string>& values,
                              const std::string& help) {
  app_->add_option(name, values, help);
  has_positionals_ = true;
}

void CommandLine::option(const Option& spec, std::string& value) {
  add_option(spec, app_->add_option(spec.names, value, spec.help));
}

void CommandLine::option(const Option& spec, std::optional<std::string>& value) {
  add_option(spec, app_->add_option_function<std::string>(
                       spec.names, [&value](const std::string& v) { value = v; }, spec.help));
}

void CommandLine::option(const std::string& names, std::string& value, const std::string& type_name,
                         const std::string& help, bool show_default) {
  option(Option{names, type_name, help, {}, show_default}, value);
}

void CommandLine::add_option(const Option& spec, CLI::Option* o) {
  o->type_name(spec.type_name)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (spec.show_default) o->capture_default_str();
  const std::vector<std::string> names = split_names(spec.names);
  const std::string& long_name = first_long_name(names);
  long_names_.push_back(long_name);
  for (const std::string& n : names) long_name_of_[n] = long_name;
  expects_[long_name] = spec.accepts.empty() ? spec.type_name : spec.accepts;
}

void CommandLine::flag(const std::string& names, bool& value, const std::string& help) {
  app_->add_flag(names, value, help)->disable_flag_override();
  const std::vector<std::string> split = split_names(names);
  long_names_.push_back(first_long_name(split));
  for (const std::string& n : split) switches_[n] = long_names_.back();
}

void CommandLine::pass_on(std::string prefix) { pass_on_prefix_ = std::move(prefix); }

std::string CommandLine::unknown_option(std::string_view name) const {
  std::string accepted;
  for (const std::string& n : long_names_) accepted += n + ", ";
  accepted += "--help";
  if (!pass_on_prefix_.empty()) accepted += ", or a " + pass_on_prefix_ + "* flag (see --help)";
  return "unknown option " + cli::quoted(name) + ": expected one of " + accepted;
}

std::string CommandLine::option_named_in(std::string_view message) const {
  const std::string name(message.substr(0, message.find(':')));
  const auto it = long_name_of_.find(name);
  return it == long_name_of_.end() ? name : it->second;
}

bool CommandLine::parse(int argc, const char* const* argv) {
  std::vector<std::string> args;
  bool options_ended = false;
  for (int k = 1; k < argc; ++k) {
    const std::string_view arg = argv[k];
    if (!options_ended && (arg == "-h" || arg == "--help")) return false;
    options_ended = options_ended || arg == "--";
    if (!options_ended && !pass_on_prefix_.empty() && arg.starts_with(pass_on_prefix_)) {
      passed_on_.emplace_back(arg);
    } else {
      args.emplace_back(arg);
    }
  }
  const std::vector<std::string> given = args;
  std::reverse(args.begin(), args.end());  // CLI11 reads a vector from its back, consuming it
  try {
    app_->parse(args);
  } catch (const CLI::ArgumentMismatch& e) {
    const std::string_view what = e.what();
    if (what.find(" was given a disallowed flag override") != std::string_view::npos) {
      for (const std::string& arg : given) {  // the first switch given a value: "--all=1"
        const std::size_t eq = arg.find('=');
        const auto it = switches_.find(arg.substr(0, eq));
        if (eq != std::string::npos && it != switches_.end()) {
          throw UsageError(invalid(it->second, arg.substr(eq + 1)) + it->second +
                           " is a switch and takes no value");
        }
      }
    }
    const std::string name = option_named_in(what);
    const auto it = expects_.find(name);
    throw UsageError("missing value for option " + name + ": expected " +
                     (it == expects_.end() ? std::string("a value") : it->second));
  } catch (const CLI::ParseError& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
  bool past_separator = false;
  for (const std::string& extra : app_->remaining()) {
    if (extra == "--" && !past_separator) {
      past_separator = true;
      continue;
    }
    if (!past_separator && extra.starts_with('-') && !looks_negative_number(extra)) {
      throw UsageError(unknown_option(extra.substr(0, extra.find('='))));
    }
    throw UsageError("unexpected argument " + cli::quoted(extra) + ": " +
                     (has_positionals_ ? "only one " + single_name_ + " is accepted"
                                       : std::string("no positional arguments are accepted")));
  }
  if (single_ != nullptr) {
    if (single_values_.size() > 1) {
      throw UsageError("unexpected argument " + cli::quoted(single_values_[1]) + ": only one " +
                       single_name_ + " is accepted");
    }
    if (!single_values_.empty()) *single_ = single_values_.front();
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

}  // namespace cli
