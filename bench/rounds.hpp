// Rounds: every selected row runs once per round, in a shuffled order, so that round k of one
// row and round k of another were measured minutes apart at most and can be paired; rows whose
// median is not yet pinned down get more rounds. The record keeps every round of every row.
#ifndef BENCH_ROUNDS_HPP_
#define BENCH_ROUNDS_HPP_

#include <benchmark/benchmark.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct Rounds {
  int min_rounds = 9;    // every selected row runs this many rounds
  int max_rounds = 15;   // a row whose interval stays wide runs at most this many
  double max_ci = 0.05;  // widest accepted half-width of the 95% interval of a row's median,
                         // relative to the median
  // The row that a row is compared with, which runs in every round the row runs so that the
  // two stay paired (sweep_bench: the sequential row of the same job set). Takes and returns
  // run names as Google Benchmark prints them; "" for none.
  std::function<std::string(const std::string&)> baseline;
  // Called once the filter is known to select rows, just before the first round; may be empty.
  std::function<void()> before_first_round;
};

// Where the runs go. A live reporter hears of each run as it ends (the console table); the
// others hear of all rounds of a row at once, at the end, each run with repetition_index = its
// round (from 0) and repetitions = the rounds the row ran (a JSON or CSV record).
struct Output {
  benchmark::BenchmarkReporter* reporter;
  bool live;
};

// Runs the rows that `filter` (a --benchmark_filter) selects: `min_rounds` rounds of every row,
// then, while some row's distribution-free 95% interval of the median (stats::median_interval,
// on real time per iteration) is wider than ±max_ci of its median or cannot be had yet (fewer
// than 6 rounds), another round of those rows and their baselines, up to `max_rounds` rounds.
// Rows that failed (SkipWithError) get no extra rounds. Each round is one call of
// benchmark::RunSpecifiedBenchmarks with Google Benchmark's repetitions at 1; its
// --benchmark_enable_random_interleaving shuffles the round. Prints a line on stderr as each
// round starts and one when all are done. Calls every output's ReportContext once, before the
// first round, and Finalize once, at the end.
//
// Returns the number of rows the filter selects: 0 when it selects none (Google Benchmark has
// then said so on std::cerr, and no output heard anything). With --benchmark_list_tests=true
// the rows are listed instead, and no output hears anything either.
// Call it from the main thread, once.
std::size_t run_rounds(const Rounds& rounds, const std::string& filter,
                       const std::vector<Output>& outputs);

// For a row that prints its own progress: call it as the row starts, outside the timed loop.
// Prints "[k/N] NAME (round r/R, S s so far)" on stderr: k counts the rows started in this
// round, N is the rows the round runs, R the rounds planned so far.
void announce_row(std::string_view name);

}  // namespace bench

#endif  // BENCH_ROUNDS_HPP_
