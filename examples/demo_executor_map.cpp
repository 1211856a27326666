// Fluent Python's demo_executor_map.py, ported: ThreadPoolExecutor::map over loiter(n) for
// n = 0..4 with 3 threads. Shows that map() returns at once and that its results come back in
// submission order, each one waited for in turn, whatever order the tasks finish in.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <ranges>
#include <string>
#include <thread>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "futures/futures.hpp"

namespace {

constexpr const char* kProgram = "demo_executor_map";

void print_help() {
  std::printf(
      "usage: %s [--scale F]\n"
      "\n"
      "Fluent Python's demo_executor_map.py in C++. A futures::ThreadPoolExecutor with 3\n"
      "threads maps loiter(n) over n = 0, 1, 2, 3, 4; loiter(n) prints a line, sleeps n seconds,\n"
      "prints another line and returns n * 10. Each line starts with the time, and loiter's\n"
      "lines are indented by n tabs. The main thread prints the results object as soon as\n"
      "map() returns, then each result in submission order, blocking until it is ready.\n"
      "\n"
      "options:\n"
      "  --scale F   multiply every sleep by F, a number from 0 to 100 (default: 1,\n"
      "              the book's 0 to 4 seconds; e.g. 0.1 for a quick run)\n"
      "  -h, --help  show this help and exit\n",
      kProgram);
}

// The book's display(*args): the time as [HH:MM:SS], then the text. Lines from different
// threads never mix; each is flushed at once so the output shows when it happened.
void display(const std::string& text) {
  static std::mutex mu;
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "[%H:%M:%S]", &local);
  const std::lock_guard<std::mutex> lock(mu);
  std::printf("%s %s\n", stamp, text.c_str());
  std::fflush(stdout);
}

std::string format_seconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_main(kProgram, [&] {
    std::optional<std::string> scale_text;
    cli::CommandLine line(kProgram, "");
    line.option({"--scale", "S", "seconds per loiter step", "a number from 0 to 100"}, scale_text);
    if (!line.parse(argc, argv)) {
      print_help();
      return 0;
    }
    double scale = 1.0;
    if (scale_text) scale = cli::parse_number("--scale", *scale_text, 0, 100);

    // The book's loiter(n).
    auto loiter = [scale](int n) {
      const std::string tabs(static_cast<std::size_t>(n), '\t');
      const double seconds = n * scale;
      display(tabs + "loiter(" + std::to_string(n) + "): doing nothing for " +
              format_seconds(seconds) + "s...");
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      display(tabs + "loiter(" + std::to_string(n) + "): done.");
      return n * 10;
    };

    display("Script starting.");
    futures::ThreadPoolExecutor executor(3);
    auto results = executor.map(loiter, std::views::iota(0, 5));
    char repr[64];
    std::snprintf(repr, sizeof repr, "<MapResults at %p>", static_cast<void*>(&results));
    display(std::string("results: ") + repr);
    display("Waiting for individual results:");
    int i = 0;
    for (const int result : results) {
      display("result " + std::to_string(i++) + ": " + std::to_string(result));
    }
    return 0;
  });
}
