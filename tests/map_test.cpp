#include "futures/map.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <list>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

#include "futures/futures.hpp"
#include "test_util.hpp"

namespace futures {
namespace {

using ::futures::testing::Gate;
using ::testing::ElementsAre;
using namespace std::chrono_literals;

struct Params {
  int workers;
  int chunksize;
};

class MapTest : public ::testing::TestWithParam<Params> {
 protected:
  MapOptions options() const {
    MapOptions o;
    o.chunksize = GetParam().chunksize;
    return o;
  }
  ThreadPoolExecutor pool_{GetParam().workers};
};

INSTANTIATE_TEST_SUITE_P(WorkersAndChunks, MapTest,
                         ::testing::Values(Params{1, 1}, Params{2, 1}, Params{4, 1}, Params{2, 7},
                                           Params{4, 100}),
                         [](const auto& p) {
                           return "w" + std::to_string(p.param.workers) + "_chunk" +
                                  std::to_string(p.param.chunksize);
                         });

TEST_P(MapTest, YieldsResultsInInputOrder) {
  std::vector<int> in(1000);
  for (int i = 0; i < 1000; ++i) in[static_cast<std::size_t>(i)] = i;
  std::vector<long> out;
  for (long v : pool_.map([](int x) { return long{x} * x; }, in, options())) out.push_back(v);
  ASSERT_EQ(out.size(), in.size());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], long{i} * i);
}

TEST_P(MapTest, AcceptsAnyInputRangeAndOwnsRvalues) {
  std::list<std::string> words{"a", "bb", "ccc"};
  std::vector<std::size_t> sizes;
  for (auto n : pool_.map([](const std::string& s) { return s.size(); }, words, options())) {
    sizes.push_back(n);
  }
  EXPECT_THAT(sizes, ElementsAre(1u, 2u, 3u));
  auto results = pool_.map([](int x) { return x + 1; }, std::vector{1, 2, 3}, options());
  std::vector<int> got;
  std::ranges::copy(results, std::back_inserter(got));
  EXPECT_THAT(got, ElementsAre(2, 3, 4));
}

TEST_P(MapTest, ReturnsBeforeTheTasksFinish) {
  Gate gate;
  auto results = pool_.map(
      [gate](int x) {
        gate.wait();
        return x;
      },
      std::vector{1, 2, 3}, options());
  gate.open();  // only now can any task finish: map() did not wait for them
  std::vector<int> got;
  for (int v : results) got.push_back(v);
  EXPECT_THAT(got, ElementsAre(1, 2, 3));
}

TEST_P(MapTest, RethrowsAnItemsExceptionAtItsPosition) {
  auto results = pool_.map(
      [](int x) {
        if (x == 5) throw std::invalid_argument("bad item 5");
        return x;
      },
      std::views::iota(0, 20), options());
  std::vector<int> got;
  try {
    for (int v : results) got.push_back(v);
    FAIL() << "map should have rethrown";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "bad item 5");
  }
  EXPECT_THAT(got, ElementsAre(0, 1, 2, 3, 4));
}

TEST_P(MapTest, TimeoutThrowsAndCancelsTasksNotStarted) {
  Gate gate;
  std::atomic<int> started{0};
  MapOptions o = options();
  o.timeout = 30ms;
  {
    auto results = pool_.map(
        [gate, &started](int x) {
          ++started;
          gate.wait();
          return x;
        },
        std::views::iota(0, 1000), o);
    EXPECT_THROW(
        {
          for (int v : results) (void)v;
        },
        TimeoutError);
  }
  gate.open();
  pool_.shutdown();
  // Only the tasks already running when the timeout hit ran: one chunk per worker.
  EXPECT_LE(started.load(), GetParam().workers * GetParam().chunksize);
}

TEST_P(MapTest, BuffersizeBoundsTasksInFlightOverAnEndlessRange) {
  std::atomic<int> calls{0};
  MapOptions o = options();
  o.buffersize = 3;
  int consumed = 0;
  for (int v : pool_.map([&calls](int x) { ++calls; return x; }, std::views::iota(0), o)) {
    EXPECT_EQ(v, consumed);
    if (++consumed == 50) break;
  }
  pool_.shutdown();
  // 50 consumed, and at most buffersize chunks beyond the current one were submitted.
  EXPECT_LE(calls.load(), 50 + 4 * GetParam().chunksize);
}

TEST_P(MapTest, LeavingTheLoopEarlyCancelsTheRest) {
  Gate gate;
  std::atomic<int> ran{0};
  {
    auto results = pool_.map(
        [gate, &ran](int x) {
          gate.wait();
          ++ran;
          return x;
        },
        std::views::iota(0, 500), options());
  }
  gate.open();
  pool_.shutdown();
  EXPECT_LE(ran.load(), GetParam().workers * GetParam().chunksize);
}

TEST_P(MapTest, EmptyInputYieldsNothing) {
  auto results = pool_.map([](int x) { return x; }, std::vector<int>{}, options());
  EXPECT_TRUE(results.begin() == results.end());
}

TEST(MapOptionsTest, RejectsChunksizeAndBuffersizeBelowOne) {
  ThreadPoolExecutor pool(1);
  MapOptions o;
  o.chunksize = 0;
  EXPECT_THROW((void)pool.map([](int x) { return x; }, std::vector{1}, o), std::invalid_argument);
  o.chunksize = 1;
  o.buffersize = 0;
  try {
    (void)pool.map([](int x) { return x; }, std::vector{1}, o);
    FAIL() << "buffersize 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "map: buffersize must be >= 1, got 0");
  }
}

}  // namespace
}  // namespace futures
