// MPIPoolExecutor under mpirun: rank 0 runs these tests, the other ranks serve their tasks.
// Run by CTest as `tests/mpi/mpirun.sh 3 mpi_pool_test` (two worker ranks).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "futures/futures.hpp"
#include "futures/mpi.hpp"

namespace {

using namespace std::chrono_literals;

int square(int x) { return x * x; }

std::string shout(std::string s, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += s + "!";
  return out;
}

int rank_of_worker(int /*unused*/) {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  return rank ? std::stoi(rank) : -1;
}

int nap_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

int throw_invalid(int x) { throw std::invalid_argument("bad x " + std::to_string(x)); }

struct Custom {};
int throw_custom(int /*unused*/) { throw Custom{}; }

void nothing(int /*unused*/) {}

std::vector<double> scale(std::vector<double> v, double k) {
  for (double& d : v) d *= k;
  return v;
}

TEST(MpiPool, SubmitReturnsTheResult) {
  futures::MPIPoolExecutor pool;
  EXPECT_EQ(pool.max_workers(), 2);
  EXPECT_EQ(pool.submit(&square, 7).result(), 49);
  EXPECT_EQ(pool.submit(&shout, std::string("hi"), 2).result(), "hi!hi!");
  EXPECT_EQ(pool.submit(&scale, std::vector<double>{1, 2.5}, 2.0).result(),
            (std::vector<double>{2, 5}));
  pool.submit(&nothing, 1).result();
  EXPECT_EQ(pool.submit([](int x) { return x + 1; }, 41).result(), 42);
}

TEST(MpiPool, TasksRunOnTheWorkerRanks) {
  futures::MPIPoolExecutor pool;
  std::vector<futures::Future<int>> fs;
  for (int i = 0; i < 8; ++i) fs.push_back(pool.submit(&rank_of_worker, i));
  for (auto& f : fs) {
    const int rank = f.result();
    EXPECT_TRUE(rank == 1 || rank == 2) << rank;
  }
}

TEST(MpiPool, ExceptionsCrossAsInTheProcessPool) {
  futures::MPIPoolExecutor pool;
  auto bad = pool.submit(&throw_invalid, 3);
  try {
    bad.result();
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "bad x 3");
  }
  EXPECT_THROW(pool.submit(&throw_custom, 0).result(), futures::RemoteError);
  EXPECT_EQ(pool.submit(&square, 3).result(), 9);  // the rank goes on
}

TEST(MpiPool, WaitAndAsCompletedMixPools) {
  futures::MPIPoolExecutor mpi_pool;
  futures::ThreadPoolExecutor threads(2);
  std::vector<futures::Future<int>> fs;
  for (int i = 0; i < 6; ++i) {
    fs.push_back(mpi_pool.submit(&square, i));
    fs.push_back(threads.submit(&square, i + 10));
  }
  auto [done, not_done] = futures::wait(fs);
  EXPECT_EQ(done.size(), fs.size());
  EXPECT_TRUE(not_done.empty());
  int sum = 0;
  for (const auto& f : futures::as_completed(fs)) sum += f.result();
  int expected = 0;
  for (int i = 0; i < 6; ++i) expected += i * i + (i + 10) * (i + 10);
  EXPECT_EQ(sum, expected);
}

TEST(MpiPool, DoneCallbacksRun) {
  futures::MPIPoolExecutor pool;
  std::atomic<int> seen{0};
  auto f = pool.submit(&square, 5);
  f.add_done_callback([&](const futures::Future<int>& g) { seen = g.result(); });
  f.result();
  pool.shutdown();
  EXPECT_EQ(seen.load(), 25);
}

TEST(MpiPool, MapInOrderWithChunks) {
  futures::MPIPoolExecutor pool;
  std::vector<int> items;
  for (int i = 0; i < 250; ++i) items.push_back(i);
  for (int chunksize : {1, 7, 100}) {
    futures::MapOptions options;
    options.chunksize = chunksize;
    std::vector<int> out;
    for (int v : pool.map(&square, items, options)) out.push_back(v);
    ASSERT_EQ(out.size(), items.size());
    for (int i = 0; i < 250; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], i * i);
  }
  futures::MapOptions buffered;
  buffered.buffersize = 2;
  int n = 0;
  for (int v : pool.map(&square, items, buffered)) {
    EXPECT_EQ(v, n * n);
    ++n;
  }
  EXPECT_EQ(n, 250);
}

TEST(MpiPool, MapUnorderedYieldsResultsAsTheyFinish) {
  futures::MPIPoolExecutor pool;
  futures::MapOptions options;
  options.unordered = true;
  std::vector<int> naps{400, 1, 1, 1, 1};
  std::vector<int> out;
  for (int v : pool.map(&nap_ms, naps, options)) out.push_back(v);
  ASSERT_EQ(out.size(), naps.size());
  EXPECT_EQ(out.back(), 400);  // one rank sleeps while the other runs the rest
}

TEST(MpiPool, MapRethrowsAtTheItemsPosition) {
  futures::MPIPoolExecutor pool;
  std::vector<int> items{1, 2, 3};
  auto results = pool.map(&throw_invalid, items);
  EXPECT_THROW(static_cast<void>(*results.begin()), std::invalid_argument);
}

TEST(MpiPool, MapTimeoutThrowsAndCancels) {
  futures::MPIPoolExecutor pool;
  futures::MapOptions options;
  options.timeout = 100ms;
  std::vector<int> naps(6, 400);
  auto results = pool.map(&nap_ms, naps, options);
  EXPECT_THROW(
      {
        for (int v : results) static_cast<void>(v);
      },
      futures::TimeoutError);
}

TEST(MpiPool, PendingTasksCanBeCancelled) {
  futures::MPIPoolExecutor pool;
  auto a = pool.submit(&nap_ms, 500);
  auto b = pool.submit(&nap_ms, 500);
  auto queued = pool.submit(&nap_ms, 1);
  // Both ranks are busy for half a second, so the third waits here.
  EXPECT_TRUE(queued.cancel());
  EXPECT_TRUE(queued.cancelled());
  EXPECT_THROW(queued.result(), futures::CancelledError);
  EXPECT_EQ(a.result() + b.result(), 1000);
}

TEST(MpiPool, ShutdownCancelFuturesAndRefusal) {
  futures::MPIPoolExecutor pool;
  std::vector<futures::Future<int>> fs;
  for (int i = 0; i < 6; ++i) fs.push_back(pool.submit(&nap_ms, 100));
  // Once the first runs, the ranks are busy and at least the last four wait here.
  while (!fs[0].running() && !fs[0].done()) std::this_thread::sleep_for(1ms);
  pool.shutdown(/*wait=*/true, /*cancel_futures=*/true);
  int finished = 0, cancelled = 0;
  for (auto& f : fs) {
    ASSERT_TRUE(f.done());
    (f.cancelled() ? cancelled : finished) += 1;
  }
  EXPECT_GE(cancelled, 1);
  EXPECT_GE(finished, 1);
  EXPECT_THROW(static_cast<void>(pool.submit(&square, 1)), futures::ShutdownError);
  pool.shutdown();  // idempotent
}

TEST(MpiPool, OptionsAreChecked) {
  EXPECT_THROW(futures::MPIPoolExecutor(0), std::invalid_argument);
  try {
    futures::MPIPoolExecutor too_many(3);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2 worker rank(s)"), std::string::npos) << e.what();
  }
  futures::MPIPoolExecutor one(1);
  EXPECT_EQ(one.max_workers(), 1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(one.submit(&rank_of_worker, i).result(), 1);
}

TEST(MpiPool, OnePoolAtATime) {
  futures::MPIPoolExecutor first;
  EXPECT_THROW(futures::MPIPoolExecutor second, std::logic_error);
  first.shutdown();
}

TEST(MpiPool, AFunctionOutsideTheExecutableIsRefused) {
  futures::MPIPoolExecutor pool;
  int (*from_libc)(int) = &::toupper;  // lives in the C library, not in this program
  try {
    static_cast<void>(pool.submit(from_libc, 'a'));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not in the program's executable"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(pool.submit(&square, 4).result(), 16);
}

TEST(MpiPool, ManyTasksFromTwoThreads) {
  futures::MPIPoolExecutor pool;
  std::vector<futures::Future<int>> a, b;
  std::thread other([&] {
    for (int i = 0; i < 500; ++i) b.push_back(pool.submit(&square, i));
  });
  for (int i = 0; i < 500; ++i) a.push_back(pool.submit(&square, i));
  other.join();
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(a[static_cast<std::size_t>(i)].result(), i * i);
    EXPECT_EQ(b[static_cast<std::size_t>(i)].result(), i * i);
  }
}

}  // namespace

int main(int argc, char** argv) {
  futures::MPIRuntime mpi(argc, argv);
  if (mpi.is_worker()) return mpi.serve();
  ::testing::InitGoogleTest(&argc, argv);
  if (mpi.size() != 3) {
    std::fprintf(stderr, "mpi_pool_test: run with mpirun -n 3 (got %d ranks)\n", mpi.size());
    return 2;
  }
  return RUN_ALL_TESTS();
}
