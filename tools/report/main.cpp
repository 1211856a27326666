// report: benchmark JSON records in, results/*.csv, plots and a summary out (see report.hpp).
#include <iostream>
#include <string>
#include <vector>

#include "report/report.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return report::run(args, std::cout, std::cerr);
}
