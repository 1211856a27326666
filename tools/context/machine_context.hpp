// The machine and build a measurement was taken on, gathered in one place for every benchmark
// program (recorded in each JSON record's context) and for the CPython script (through the
// machine_context program, which prints the same pairs as a JSON object).
#ifndef CONTEXT_MACHINE_CONTEXT_HPP_
#define CONTEXT_MACHINE_CONTEXT_HPP_

#include <string>
#include <utility>
#include <vector>

namespace machine {

// Key-value pairs in a fixed order (cpu_model, cpu_vendor, ..., git_revision), keys in
// snake_case, values without commas or newlines (Google Benchmark's --benchmark_context cannot
// carry them: commas become ';'). Reads /proc, /sys and uname, takes the compiler, flags and
// library versions from the build, and runs git (no shell, output discarded; blocks until it
// exits) for the source tree's revision. Never throws: a value that cannot be found is
// "unknown", a library this build was made without "none"; out of memory, the list is empty.
// Safe to call from any thread.
std::vector<std::pair<std::string, std::string>> context();

}  // namespace machine

#endif  // CONTEXT_MACHINE_CONTEXT_HPP_
