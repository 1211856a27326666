#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace cli {
namespace {

// What parse() below read: the bound values, the help request, or the UsageError's message
// ("" when the line was accepted).
struct Parsed {
  std::optional<std::string> workers;
  std::optional<std::string> scale;
  std::string executor = "process";
  bool quiet = false;
  std::vector<std::string> passed_on;
  bool help = false;
  std::string error;
};

// Parses `args` (after the program name) with a line of one positional, two options and a
// switch; with `pass_on`, --benchmark_* arguments are passed on.
Parsed parse(std::vector<const char*> args, bool pass_on = false) {
  Parsed out;
  CommandLine line("prog", "A program.");
  line.positional("WORKERS", out.workers, "workers");
  line.option({"--scale", "S", "size factor", "a number from 0 to 1"}, out.scale);
  line.option("-e,--executor", out.executor, "KIND", "thread or process");
  line.flag("-q,--quiet", out.quiet, "say less");
  if (pass_on) line.pass_on("--benchmark_");
  args.insert(args.begin(), "prog");
  try {
    out.help = !line.parse(static_cast<int>(args.size()), args.data());
  } catch (const UsageError& e) {
    out.error = e.what();
  }
  out.passed_on = line.passed_on();
  return out;
}

TEST(CommandLineTest, ReadsBothValueSpellingsAndTheLastOneWins) {
  const Parsed p = parse({"3", "--scale", "0.5", "-e", "thread", "--scale=0.25", "-q"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.workers, "3");
  EXPECT_EQ(p.scale, "0.25");
  EXPECT_EQ(p.executor, "thread");
  EXPECT_TRUE(p.quiet);
}

TEST(CommandLineTest, LeavesAnOptionNotGivenUnset) {
  const Parsed p = parse({});
  ASSERT_EQ(p.error, "");
  EXPECT_FALSE(p.workers.has_value());
  EXPECT_FALSE(p.scale.has_value());
  EXPECT_EQ(p.executor, "process");
}

TEST(CommandLineTest, HelpWinsOverEverythingBeforeTheSeparator) {
  EXPECT_TRUE(parse({"--bogus", "-h"}).help);
  EXPECT_TRUE(parse({"1", "--help", "2"}).help);
  EXPECT_FALSE(parse({"--", "--help"}).help);
}

TEST(CommandLineTest, RefusesAnUnknownOptionNamingTheAcceptedOnes) {
  EXPECT_EQ(parse({"--bogus=1"}).error,
            "unknown option '--bogus': expected one of --scale, --executor, --quiet, --help");
  EXPECT_EQ(parse({"--benchmark_x=1"}, /*pass_on=*/true).error, "");
  EXPECT_EQ(parse({"--bogus"}, /*pass_on=*/true).error,
            "unknown option '--bogus': expected one of --scale, --executor, --quiet, --help, or a "
            "--benchmark_* flag (see --help)");
}

TEST(CommandLineTest, RefusesASecondPositional) {
  EXPECT_EQ(parse({"2", "3"}).error, "unexpected argument '3': only one WORKERS is accepted");
}

TEST(CommandLineTest, TakesANegativeNumberAsThePositional) {
  const Parsed p = parse({"-1"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.workers, "-1");
}

TEST(CommandLineTest, NamesWhatAMissingValueShouldBe) {
  EXPECT_EQ(parse({"--scale"}).error,
            "missing value for option --scale: expected a number from 0 to 1");
  EXPECT_EQ(parse({"1", "-e"}).error, "missing value for option --executor: expected KIND");
}

TEST(CommandLineTest, RefusesAValueForASwitch) {
  EXPECT_EQ(parse({"--quiet=1"}).error,
            "invalid --quiet '1': --quiet is a switch and takes no value");
}

TEST(CommandLineTest, TakesAnAliasAndNamesTheOptionByItsFirstLongName) {
  std::optional<std::string> rounds;
  bool peers = false;
  CommandLine line("prog", "");
  line.option({"--max-rounds,--max_rounds", "N", "rounds", "an integer"}, rounds);
  line.flag("--no-peers,--no_peers", peers, "no peers");
  const char* ok[] = {"prog", "--max_rounds", "3", "--no_peers"};
  ASSERT_TRUE(line.parse(4, ok));
  EXPECT_EQ(rounds, "3");
  EXPECT_TRUE(peers);
  CommandLine again("prog", "");
  again.option({"--max-rounds,--max_rounds", "N", "rounds", "an integer"}, rounds);
  again.flag("--no-peers,--no_peers", peers, "no peers");
  const char* bad[] = {"prog", "--no_peers=1"};
  try {
    again.parse(2, bad);
    FAIL() << "a switch took a value";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "invalid --no-peers '1': --no-peers is a switch and takes no value");
  }
}

TEST(CommandLineTest, PassesOnPrefixedArgumentsInOrder) {
  const Parsed p = parse({"--benchmark_a=1", "2", "--benchmark_b"}, /*pass_on=*/true);
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.workers, "2");
  EXPECT_EQ(p.passed_on, (std::vector<std::string>{"--benchmark_a=1", "--benchmark_b"}));
}

}  // namespace
}  // namespace cli
