// The Python documentation's ProcessPoolExecutor example (concurrent.futures, "ProcessPoolExecutor
// Example"), ported: is_prime over six large numbers with Executor::map, each printed beside
// its result in input order, as `zip(PRIMES, executor.map(is_prime, PRIMES))` does.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/command_line.hpp"
#include "futures/futures.hpp"

namespace {

constexpr const char* kProgram = "primes";

// The documentation's PRIMES, the third one repeated as there.
const std::vector<std::int64_t> kPrimes = {112272535095293, 112582705942171, 112272535095293,
                                           115280095190773, 115797848077099, 1099726899285419};

void print_help() {
  std::printf(
      "usage: %s [--executor process|thread] [--workers N]\n"
      "\n"
      "The Python documentation's ProcessPoolExecutor example in C++: is_prime(n) by trial\n"
      "division for six large numbers, on a futures::ProcessPoolExecutor through map(), each\n"
      "number printed with its result in input order, as Python prints them:\n"
      "  112272535095293 is prime: True\n"
      "The last number is not prime.\n"
      "\n"
      "options:\n"
      "  --executor E  process (default, as the documentation) or thread\n"
      "  --workers N   workers of the pool, 1 to 1024 (default: the pool's own default,\n"
      "                the CPUs this process may use, or those + 4 for threads)\n"
      "  -h, --help    show this help and exit\n",
      kProgram);
}

// The documentation's is_prime(n), line for line.
bool is_prime(std::int64_t n) {
  if (n < 2) return false;
  if (n == 2) return true;
  if (n % 2 == 0) return false;
  const auto sqrt_n = static_cast<std::int64_t>(std::floor(std::sqrt(static_cast<double>(n))));
  for (std::int64_t i = 3; i <= sqrt_n; i += 2) {
    if (n % i == 0) return false;
  }
  return true;
}

// for number, prime in zip(PRIMES, executor.map(is_prime, PRIMES)): print(...)
template <class Results>
void print_results(Results&& results) {
  std::size_t k = 0;
  for (bool prime : results) {
    std::printf("%lld is prime: %s\n", static_cast<long long>(kPrimes[k++]),
                prime ? "True" : "False");
  }
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_main(kProgram, [&] {
    std::optional<std::string> executor_text;
    std::optional<std::string> workers_text;
    cli::CommandLine line(kProgram, "");
    line.option({"--executor", "KIND", "process or thread", "process or thread"}, executor_text);
    line.option({"--workers", "N", "workers in the pool", "an integer from 1 to 1024"},
                workers_text);
    if (!line.parse(argc, argv)) {
      print_help();
      return 0;
    }
    std::string executor = "process";
    if (executor_text)
      executor = cli::parse_choice("--executor", *executor_text, {"process", "thread"});
    std::optional<int> workers;
    if (workers_text) workers = cli::parse_int("--workers", *workers_text, 1, 1024);
    if (executor == "process") {
      futures::ProcessPoolOptions options;
      options.max_workers = workers;
      futures::ProcessPoolExecutor pool(options);
      print_results(pool.map(is_prime, kPrimes));
    } else {
      futures::ThreadPoolOptions options;
      options.max_workers = workers;
      futures::ThreadPoolExecutor pool(options);
      print_results(pool.map(is_prime, kPrimes));
    }
    return 0;
  });
}
