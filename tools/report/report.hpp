// The benchmark report, one stage a file: record.hpp reads Google Benchmark JSON records,
// model.hpp turns them into rows with their baselines, statistics.hpp and quality.hpp give
// every figure an interval and a noise flag, csv.hpp, markdown.hpp and plots.hpp write the
// outputs, compare.hpp sets two runs side by side. This header is the program over them.
#ifndef REPORT_REPORT_HPP_
#define REPORT_REPORT_HPP_

#include <ostream>
#include <string>
#include <vector>

#include "report/compare.hpp"
#include "report/csv.hpp"
#include "report/markdown.hpp"
#include "report/model.hpp"
#include "report/plots.hpp"
#include "report/quality.hpp"
#include "report/record.hpp"

namespace report {

// The model of the inputs with every row's quality assessed.
Report analyze(const std::vector<Input>& inputs);

// The program: `report [options] RECORD.json...` or `report compare A B`. Returns the exit
// status: 0; 1 when writing or plotting failed (nothing replaced), or, for compare, when a row
// is slower beyond the threshold; 2 for bad input (one line on `err`), among it a --results or
// --plots directory that cannot be created or written to; 3 with --strict when a row is
// flagged noisy (the outputs are written all the same). On 1 or 2 the directories that the run
// created are removed again.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace report

#endif  // REPORT_REPORT_HPP_
