// machine_context: prints machine::context() as one JSON object on stdout, for the programs
// that are not C++ (the CPython benchmark records the same pairs as the C++ ones).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "context/machine_context.hpp"

namespace {

constexpr const char* kProgram = "machine_context";

constexpr const char* kUsage =
    "usage: machine_context [-h]\n"
    "\n"
    "Prints the machine and build a measurement is taken on (CPU, caches, kernel, compiler,\n"
    "flags, library versions, git revision) as one JSON object of strings on standard output,\n"
    "the same pairs the benchmark programs record in their context. A value that cannot be\n"
    "found is \"unknown\"; a library this build was made without is \"none\".\n"
    "\n"
    "  -h, --help    this text\n";

}  // namespace

int main(int argc, char** argv) {
  return cli::run_main(kProgram, [&] {
    cli::CommandLine line(kProgram, "");
    if (!line.parse(argc, argv)) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [key, value] : machine::context()) object[key] = value;
    // Bytes that are not UTF-8 (a CPU name from a strange kernel) become U+FFFD, not an error.
    std::cout << object.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
    if (!std::cout.flush()) throw std::runtime_error("cannot write to standard output");
    return 0;
  });
}
