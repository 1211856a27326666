#include "futures/map.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
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

// The results of a chunk of several items are a std::vector<bool> here, whose elements have no
// address: they are yielded by value (the Python documentation's is_prime example maps to
// bool).
TEST_P(MapTest, YieldsBoolResultsInInputOrder) {
  std::vector<int> in(300);
  for (int i = 0; i < 300; ++i) in[static_cast<std::size_t>(i)] = i;
  std::vector<bool> out;
  for (bool odd : pool_.map([](int x) { return x % 2 == 1; }, in, options())) out.push_back(odd);
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], i % 2 == 1) << i;
}

// A chunk of bool inputs is a std::vector<bool>, whose elements are proxies into it: a task
// must hold the items' values, not proxies into a vector gone by the time it runs.
TEST_P(MapTest, TakesBoolInputsByValue) {
  std::vector<bool> in(300);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = i % 3 == 0;
  std::vector<int> out;
  for (int v : pool_.map([](bool b) { return b ? 1 : 0; }, in, options())) out.push_back(v);
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], i % 3 == 0 ? 1 : 0) << i;
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

// unordered: a chunk held back does not hold back the ones after it; every result comes once.
TEST_P(MapTest, UnorderedYieldsChunksAsTheyFinish) {
  if (GetParam().workers < 2) GTEST_SKIP() << "needs a second worker to pass the held chunk";
  Gate gate;
  MapOptions o = options();
  o.unordered = true;
  const int n = 4 * GetParam().chunksize;
  std::vector<int> out;
  for (int v : pool_.map(
           [gate](int x) {
             if (x == 0) gate.wait();  // the first chunk waits until every other result is out
             return x;
           },
           std::views::iota(0, n), o)) {
    out.push_back(v);
    if (static_cast<int>(out.size()) == n - GetParam().chunksize) gate.open();
  }
  ASSERT_EQ(static_cast<int>(out.size()), n);
  EXPECT_NE(out.front(), 0);  // the held chunk came last
  std::sort(out.begin(), out.end());
  for (int i = 0; i < n; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], i);
}

TEST_P(MapTest, UnorderedTimeoutThrowsWhenNoChunkFinishes) {
  Gate gate;
  MapOptions o = options();
  o.unordered = true;
  o.timeout = 30ms;
  {
    auto results = pool_.map(
        [gate](int x) {
          gate.wait();
          return x;
        },
        std::views::iota(0, 10), o);
    EXPECT_THROW(
        {
          for (int v : results) (void)v;
        },
        TimeoutError);
  }
  gate.open();
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
  for (int v : pool_.map(
           [&calls](int x) {
             ++calls;
             return x;
           },
           std::views::iota(0), o)) {
    EXPECT_EQ(v, consumed);
    if (++consumed == 50) break;
  }
  pool_.shutdown();
  // 50 consumed, and at most buffersize chunks beyond the current one were submitted.
  EXPECT_LE(calls.load(), 50 + 4 * GetParam().chunksize);
}

// CPython: the result generator cancels its pending futures in its `finally`, which runs once
// iteration has started and is then abandoned.
TEST_P(MapTest, LeavingTheLoopEarlyCancelsTheRest) {
  const int chunk = GetParam().chunksize;
  const int n = chunk * (GetParam().workers * 4 + 2);
  Gate gate;
  std::atomic<int> ran{0};
  {
    auto results = pool_.map(
        [gate, &ran, chunk](int x) {
          if (x < chunk) return x;  // the first chunk finishes; the others wait for the gate
          gate.wait();
          ++ran;
          return x;
        },
        std::views::iota(0, n), options());
    for (int v : results) {
      EXPECT_EQ(v, 0);
      break;
    }
  }
  gate.open();
  pool_.shutdown();
  // Only the chunks already running when the loop was left ran: one per worker at most.
  EXPECT_LE(ran.load(), GetParam().workers * chunk);
}

// CPython test_map_submits_without_iteration: executor.map(fn, range(10)) never iterated, then
// shutdown(wait=True): all 10 ran. The function here returns void, as a function written for
// its effect does.
TEST_P(MapTest, NeverIteratedRangeStillRunsEveryTask) {
  std::mutex mu;
  std::vector<int> finished;
  (void)pool_.map(
      [&](int x) {
        std::lock_guard lock(mu);
        finished.push_back(x);
      },
      std::views::iota(0, 10), options());
  pool_.shutdown();
  std::ranges::sort(finished);
  EXPECT_THAT(finished, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
}

// CPython yields None per item for a function returning None; here std::monostate.
TEST_P(MapTest, VoidFunctionYieldsOneMonostatePerItemAndRethrowsAtPosition) {
  std::atomic<int> calls{0};
  int yielded = 0;
  for (std::monostate m :
       pool_.map([&calls](int) { ++calls; }, std::views::iota(0, 25), options())) {
    (void)m;
    ++yielded;
  }
  EXPECT_EQ(yielded, 25);
  EXPECT_EQ(calls.load(), 25);

  auto results = pool_.map(
      [](int x) {
        if (x == 7) throw std::out_of_range("item 7");
      },
      std::views::iota(0, 25), options());
  yielded = 0;
  EXPECT_THROW(
      {
        for (std::monostate m : results) {
          (void)m;
          ++yielded;
        }
      },
      std::out_of_range);
  EXPECT_EQ(yielded, 7);
}

// CPython 3.14 Executor.map: with buffersize, each step submits the next task before it waits
// for the current one. Here the first chunk can finish only once the chunk after the first
// buffer has been read, which must therefore happen before the first result is awaited. The
// timeout only turns a regression into a failure instead of a hang.
TEST_P(MapTest, BuffersizeSubmitsTheNextChunkBeforeWaiting) {
  constexpr int kBuffer = 2;
  const int chunk = GetParam().chunksize;
  Gate gate;
  auto input = std::views::iota(0) | std::views::transform([gate, chunk](int x) {
                 if (x == kBuffer * chunk) gate.open();  // the first item past the buffer
                 return x;
               });
  MapOptions o = options();
  o.buffersize = kBuffer;
  o.timeout = 60s;
  int consumed = 0;
  EXPECT_NO_THROW({
    for (int v : pool_.map(
             [gate, chunk](int x) {
               if (x < chunk) gate.wait();
               return x;
             },
             input, o)) {
      EXPECT_EQ(v, consumed);
      if (++consumed == 3 * chunk) break;
    }
  });
  gate.open();  // lets a stuck first chunk end, so that the pool can be destroyed
  EXPECT_EQ(consumed, 3 * chunk);
}

// CPython test_map_buffersize_when_buffer_is_full: map() alone reads buffersize items (here
// chunks); then each chunk consumed reads one more, so while the i-th result is in hand the
// chunks up to i's plus buffersize have been read.
TEST_P(MapTest, BuffersizeReadsOneChunkAheadPerChunkConsumed) {
  constexpr int kBuffer = 3;
  const int chunk = GetParam().chunksize;
  std::atomic<int> reads{0};
  auto input = std::views::iota(0) | std::views::transform([&reads](int x) {
                 ++reads;
                 return x;
               });
  MapOptions o = options();
  o.buffersize = kBuffer;
  auto results = pool_.map([](int x) { return x; }, input, o);
  EXPECT_EQ(reads.load(), kBuffer * chunk);
  int i = 0;
  for (int v : results) {
    EXPECT_EQ(v, i);
    EXPECT_EQ(reads.load(), (kBuffer + i / chunk + 1) * chunk) << i;
    if (++i == 5 * chunk + 1) break;
  }
}

// CPython test_map_buffersize_without_iteration (3.14): only the first buffer is submitted,
// and it runs.
TEST_P(MapTest, BuffersizeWithoutIterationRunsOnlyTheFirstBuffer) {
  constexpr int kBuffer = 2;
  const int chunk = GetParam().chunksize;
  std::atomic<int> reads{0};
  std::atomic<int> ran{0};
  auto input = std::views::iota(0, 1000) | std::views::transform([&reads](int x) {
                 ++reads;
                 return x;
               });
  MapOptions o = options();
  o.buffersize = kBuffer;
  (void)pool_.map([&ran](int) { ++ran; }, input, o);
  pool_.shutdown();
  EXPECT_EQ(reads.load(), kBuffer * chunk);
  EXPECT_EQ(ran.load(), kBuffer * chunk);
}

// Python: list(executor.map(f, [1, 2, 3, 4], "abc", itertools.count(10))) has 3 items.
TEST_P(MapTest, ZipsSeveralRangesAndStopsAtTheShortest) {
  std::list<std::string> words{"a", "bb", "ccc"};
  std::vector<std::string> got;
  for (const std::string& s :
       pool_.map([](int n, const std::string&w,
                    int k) { return std::to_string(n) + w + std::to_string(k); },
                 std::vector{1, 2, 3, 4}, words, std::views::iota(10), options())) {
    got.push_back(s);
  }
  EXPECT_THAT(got, ElementsAre("1a10", "2bb11", "3ccc12"));
  // Without options, and the longer range first.
  std::vector<int> sums;
  for (int v :
       pool_.map([](int a, int b) { return a + b; }, std::views::iota(0, 100), std::vector{5, 6})) {
    sums.push_back(v);
  }
  EXPECT_THAT(sums, ElementsAre(5, 7));
}

TEST_P(MapTest, ZippedRethrowsAtPositionAndReadsNoElementPastTheShortest) {
  std::atomic<int> reads{0};
  auto longer = std::views::iota(0) | std::views::transform([&reads](int x) {
                  ++reads;
                  return x;
                });
  MapOptions o = options();
  o.buffersize = 2;
  auto results = pool_.map(
      [](int a, int b) {
        if (a == 30) throw std::invalid_argument("item 30");
        return a * b;
      },
      longer, std::views::iota(0, 40), o);
  std::vector<int> got;
  EXPECT_THROW(
      {
        for (int v : results) got.push_back(v);
      },
      std::invalid_argument);
  ASSERT_EQ(got.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i * i);

  // Stopping at the shortest: the endless range is read exactly as far as the short one.
  reads = 0;
  int n = 0;
  for (int v : pool_.map([](int a, int b) { return a + b; }, longer, std::vector{1, 1, 1}, o)) {
    EXPECT_EQ(v, n + 1);
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(reads.load(), 3);
}

// Counts its copies; moves are free.
struct CopyCounted {
  CopyCounted(int v, std::atomic<int>* c) : value(v), copies(c) {}
  CopyCounted(const CopyCounted& other) : value(other.value), copies(other.copies) { ++*copies; }
  CopyCounted(CopyCounted&&) noexcept = default;
  CopyCounted& operator=(const CopyCounted&) = delete;
  CopyCounted& operator=(CopyCounted&&) noexcept = default;
  int value;
  std::atomic<int>* copies;
};

// Python hands out the result objects themselves; here the range reads each chunk's results
// where the task left them.
TEST_P(MapTest, YieldsResultsWithoutCopyingThem) {
  std::atomic<int> copies{0};
  int i = 0;
  for (const CopyCounted& c : pool_.map([&copies](int x) { return CopyCounted(x, &copies); },
                                        std::views::iota(0, 100), options())) {
    EXPECT_EQ(c.value, i++);
  }
  EXPECT_EQ(i, 100);
  EXPECT_EQ(copies.load(), 0);
}

TEST_P(MapTest, MapsAFunctionReturningAMoveOnlyType) {
  int i = 0;
  for (const std::unique_ptr<int>& p : pool_.map([](int x) { return std::make_unique<int>(x); },
                                                 std::views::iota(0, 20), options())) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, i++);
  }
  EXPECT_EQ(i, 20);
}

TEST_P(MapTest, EmptyInputYieldsNothing) {
  auto results = pool_.map([](int x) { return x; }, std::vector<int>{}, options());
  EXPECT_TRUE(results.begin() == results.end());
}

int square(int x) { return x * x; }

TEST_P(MapTest, MapsThroughAFunctionPointer) {
  std::vector<int> out;
  for (int v : pool_.map(&square, std::views::iota(0, 50), options())) out.push_back(v);
  ASSERT_EQ(out.size(), 50U);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], i * i);
}

// A function object with state is one object shared by the tasks (only a stateless one may be
// copied into each): one worker running the tasks in turn numbers the items 0, 1, 2, ...
struct Numbering {
  mutable int next = 0;
  int operator()(int) const { return next++; }
};
static_assert(std::is_trivially_copyable_v<Numbering>);

TEST(MapSharingTest, TasksShareAStatefulFunctionObject) {
  ThreadPoolExecutor pool(1);
  std::vector<int> out;
  for (int v : pool.map(Numbering{}, std::views::iota(0, 10))) out.push_back(v);
  EXPECT_THAT(out, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
}

// A chunk's results: the first inline while at most one was reserved, in order in any case.
TEST(ChunkValuesTest, KeepsResultsInOrderInlineOrNot) {
  internal::ChunkValues<std::string> one;
  one.reserve(1);
  EXPECT_TRUE(one.empty());
  one.push_back("a");
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0], "a");

  internal::ChunkValues<std::string> grown;  // one inline, then moved out for the second
  for (const char* s : {"a", "b", "c"}) grown.push_back(s);
  ASSERT_EQ(grown.size(), 3U);
  EXPECT_EQ(grown[0], "a");
  EXPECT_EQ(grown[1], "b");
  EXPECT_EQ(grown[2], "c");

  internal::ChunkValues<std::string> reserved;
  reserved.reserve(2);
  reserved.emplace_back(3, 'x');
  reserved.emplace_back("y");
  ASSERT_EQ(reserved.size(), 2U);
  EXPECT_EQ(reserved[0], "xxx");
  EXPECT_EQ(reserved[1], "y");

  const internal::ChunkValues<bool> bools(std::vector<bool>{true, false});
  ASSERT_EQ(bools.size(), 2U);
  EXPECT_TRUE(bools[0]);
  EXPECT_FALSE(bools[1]);
}

// Process pool map: task functions are plain functions, as that pool requires.
int add_scaled(int a, long b, std::string c) {
  return a + static_cast<int>(b) * static_cast<int>(c.size());
}
int product_or_throw(int a, int b) {
  if (a == 11) throw std::domain_error("item 11");
  return a * b;
}
// Appends one byte to the file at `path`: the parent counts the calls by its size.
void touch(std::string path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  const char byte = 1;
  const bool ok = ::write(fd, &byte, 1) == 1;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path);
}
void check_positive(int x) {
  if (x <= 0) throw std::invalid_argument("not positive");
}

// The size of the file at path, -1 if it does not exist.
long file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<long>(st.st_size);
}

class ProcessPoolMapTest : public ::testing::TestWithParam<int> {
 protected:
  MapOptions options() const {
    MapOptions o;
    o.chunksize = GetParam();
    return o;
  }
};

INSTANTIATE_TEST_SUITE_P(Chunks, ProcessPoolMapTest, ::testing::Values(1, 3, 100),
                         [](const auto& p) { return "chunk" + std::to_string(p.param); });

bool is_odd(int x) { return x % 2 == 1; }

TEST_P(ProcessPoolMapTest, YieldsBoolResultsInInputOrder) {
  ProcessPoolExecutor pool(2);
  std::vector<int> in(300);
  for (int i = 0; i < 300; ++i) in[static_cast<std::size_t>(i)] = i;
  std::size_t k = 0;
  for (bool odd : pool.map(is_odd, in, options())) {
    EXPECT_EQ(odd, k % 2 == 1) << k;
    ++k;
  }
  EXPECT_EQ(k, in.size());
}

// Python: list(executor.map(f, [0..49], range(100), ["x", "yy"] * 20)) stops at 40 items.
TEST_P(ProcessPoolMapTest, ZipsSeveralRangesAndStopsAtTheShortest) {
  ProcessPoolExecutor pool(2);
  std::vector<int> a(50);
  for (int i = 0; i < 50; ++i) a[static_cast<std::size_t>(i)] = i;
  std::vector<std::string> c;
  for (int i = 0; i < 20; ++i) {
    c.emplace_back("x");
    c.emplace_back("yy");
  }
  int i = 0;
  for (int v : pool.map(add_scaled, a, std::views::iota(0, 100), c, options())) {
    EXPECT_EQ(v, i + i * (i % 2 == 0 ? 1 : 2)) << i;
    ++i;
  }
  EXPECT_EQ(i, 40);
  // A captureless lambda, without options.
  std::vector<int> sums;
  for (int s :
       pool.map([](int x, int y) { return x + y; }, std::vector{1, 2, 3}, std::vector{10, 20})) {
    sums.push_back(s);
  }
  EXPECT_EQ(sums, (std::vector{11, 22}));
}

TEST_P(ProcessPoolMapTest, ZippedRethrowsAtPosition) {
  ProcessPoolExecutor pool(2);
  auto results =
      pool.map(product_or_throw, std::views::iota(0, 30), std::views::iota(0), options());
  std::vector<int> got;
  EXPECT_THROW(
      {
        for (int v : results) got.push_back(v);
      },
      std::domain_error);
  ASSERT_EQ(got.size(), 11u);
  for (int i = 0; i < 11; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i * i);
}

TEST_P(ProcessPoolMapTest, ZippedLazyInputWithBuffersizeReadsAheadByTheBuffer) {
  ProcessPoolExecutor pool(2);
  std::atomic<int> reads{0};
  auto input = std::views::iota(0) | std::views::transform([&reads](int x) {
                 ++reads;
                 return x;
               });
  MapOptions o = options();
  o.buffersize = 2;
  const int chunk = GetParam();
  auto results = pool.map(product_or_throw, input, std::views::iota(0, 11), o);
  EXPECT_EQ(reads.load(), std::min(2 * chunk, 11));
  int i = 0;
  for (int v : results) {
    EXPECT_EQ(v, i * i);
    EXPECT_EQ(reads.load(), std::min((2 + i / chunk + 1) * chunk, 11)) << i;
    ++i;
  }
  EXPECT_EQ(i, 11);
}

// CPython test_map_submits_without_iteration, for the process pool, with a void function.
TEST_P(ProcessPoolMapTest, NeverIteratedRangeStillRunsEveryTask) {
  const std::string path = ::testing::TempDir() + "map_touch_" + std::to_string(::getpid()) + "_" +
                           std::to_string(GetParam());
  ::unlink(path.c_str());
  ProcessPoolExecutor pool(2);
  (void)pool.map(touch, std::vector<std::string>(10, path), options());
  pool.shutdown();
  EXPECT_EQ(file_size(path), 10);
  ::unlink(path.c_str());
}

TEST_P(ProcessPoolMapTest, VoidFunctionYieldsOneMonostatePerItemAndRethrowsAtPosition) {
  ProcessPoolExecutor pool(2);
  int yielded = 0;
  auto results = pool.map(check_positive, std::views::iota(1, 20) | std::views::reverse, options());
  for (std::monostate m : results) {
    (void)m;
    ++yielded;
  }
  EXPECT_EQ(yielded, 19);
  yielded = 0;
  EXPECT_THROW(
      {
        for (std::monostate m :
             pool.map(check_positive, std::views::iota(-5, 20) | std::views::reverse, options())) {
          (void)m;
          ++yielded;
        }
      },
      std::invalid_argument);
  EXPECT_EQ(yielded, 19);
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
