// MPIPoolExecutor: the process pool's API over the ranks of an MPI job, as mpi4py.futures'
// MPIPoolExecutor. CMake target futures::mpi (built when MPI is found).
//
// Launch as mpi4py does with `python -m mpi4py.futures`: `mpirun -n N prog args...` starts N
// copies of the program; rank 0 runs main() and the others serve its pools' tasks. main()
// begins with an MPIRuntime and sends the worker ranks to serve():
//
//   int main(int argc, char** argv) {
//     futures::MPIRuntime mpi(argc, argv);
//     if (mpi.is_worker()) return mpi.serve();   // ranks 1..N-1, until rank 0's runtime ends
//     futures::MPIPoolExecutor pool;              // the N-1 worker ranks
//     auto f = pool.submit(&work, 42);            // a plain function of the program
//     ...
//   }
//
// Worker ranks are separate processes, possibly on other hosts, so a function travels as its
// offset in the program's executable, checked on both sides: the program must be the same
// build on every rank (MPIRuntime compares the executables' build ids), and a function outside
// the executable (in a shared library) is refused at submit with std::invalid_argument.
//
// Not supported: spawning the workers with MPI_Comm_spawn (a singleton parent of Open MPI 4.1
// hangs when a spawned child dies), and a worker rank that dies: MPI without fault tolerance
// ends the whole job (mpirun kills every rank and exits with the dead rank's status).
#ifndef FUTURES_MPI_HPP_
#define FUTURES_MPI_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

#include "futures/codec.hpp"
#include "futures/future.hpp"
#include "futures/internal/frame.hpp"
#include "futures/internal/state.hpp"
#include "futures/map.hpp"
#include "futures/process_pool.hpp"  // the invokers and completers of a call in another process

namespace futures {

// The MPI session of this process: MPI_Init_thread at construction, MPI_Finalize at
// destruction. One per process, constructed in main() before any MPIPoolExecutor.
class MPIRuntime {
 public:
  // Starts MPI (MPI_THREAD_MULTIPLE asked, MPI_THREAD_SERIALIZED at least), then every rank
  // sends rank 0 its executable's build id. Throws std::logic_error for a second MPIRuntime,
  // std::runtime_error if MPI cannot start.
  MPIRuntime(int& argc, char**& argv);
  MPIRuntime(const MPIRuntime&) = delete;
  MPIRuntime& operator=(const MPIRuntime&) = delete;
  // Rank 0: tells the worker ranks to leave serve(). Every rank: MPI_Finalize. Destroy every
  // MPIPoolExecutor first.
  ~MPIRuntime();

  int rank() const noexcept;
  int size() const noexcept;  // ranks in the job: 1 for a program started without mpirun
  bool is_worker() const noexcept { return rank() != 0; }

  // Worker ranks: runs the tasks of rank 0's pools until rank 0's MPIRuntime ends; returns
  // the exit status for main(): 0, or 1 (the reason on stderr) when this rank runs another
  // build of the program than rank 0. While idle it polls with a backoff (up to 100 us for the
  // first 20 ms, then up to 1 ms), so an idle worker rank takes a few per cent of a core. Throws
  // std::logic_error on rank 0.
  int serve();

  // Whether this process was started by mpirun (or another PMI/PMIx launcher).
  static bool launched_by_mpirun() noexcept;
};

struct MPIPoolOptions {
  // Worker ranks to use: the first max_workers of ranks 1..N-1. Unset: all of them. <= 0, or
  // more than the job has: std::invalid_argument.
  std::optional<int> max_workers;
};

// A pool of the MPI job's worker ranks that run plain functions of this program. Arguments
// and results cross by value through futures::Codec (see codec.hpp), exceptions as in
// ProcessPoolExecutor (the same type for the standard exceptions and this library's errors,
// RemoteError otherwise). A task is running() from when it is sent to a rank, and cannot be
// cancelled after: to an idle rank, or, for tasks under a millisecond on average and while
// more wait than there are ranks, queued on a busy one (up to 8 deep), so that a rank finds
// its next task as it finishes one. The others wait here, cancellable.
//
// Results are set, and done callbacks run, on the pool's manager thread, the one thread that
// talks to MPI; while tasks are out it polls with a backoff (up to 100 us for the first 20 ms
// of a wait, then up to 1 ms), and with none it sleeps. One pool at a time per process (they share
// the worker ranks). Every member function is thread-safe. Rank 0 only: constructing one without an
// MPIRuntime, or on a worker rank, is a std::logic_error; a job with no worker rank,
// std::invalid_argument; worker ranks that run another build of the program make the constructor
// throw BrokenExecutor naming them.
class MPIPoolExecutor {
 public:
  MPIPoolExecutor();
  explicit MPIPoolExecutor(int max_workers);
  explicit MPIPoolExecutor(MPIPoolOptions options);
  MPIPoolExecutor(const MPIPoolExecutor&) = delete;
  MPIPoolExecutor& operator=(const MPIPoolExecutor&) = delete;
  // shutdown(/*wait=*/true).
  ~MPIPoolExecutor();

  // Schedules fn(args...) on a worker rank; args are converted to fn's parameter types and
  // encoded here. Throws ShutdownError after shutdown(), BrokenExecutor once broken,
  // std::invalid_argument for a function outside this program's executable.
  template <class R, class... Params, class... Args>
  [[nodiscard]] Future<R> submit(R (*fn)(Params...), Args&&... args);
  template <internal::FunctionObjectWithPointer F, class... Args>
  [[nodiscard]] auto submit(const F& fn, Args&&... args) {
    return submit(+fn, std::forward<Args>(args)...);
  }

  // fn over items, `chunksize` items per message, results in input order (see MapResults);
  // as ProcessPoolExecutor::map.
  template <class R, class P, std::ranges::input_range Range>
  [[nodiscard("the range rethrows the tasks' exceptions; cast to void to run for effect")]] auto
  map(R (*fn)(P), Range&& items, MapOptions options = {}) {
    return map_ranges(fn, options, std::forward<Range>(items));
  }
  template <internal::FunctionObjectWithPointer F, std::ranges::input_range Range>
  [[nodiscard("the range rethrows the tasks' exceptions; cast to void to run for effect")]] auto
  map(const F& fn, Range&& items, MapOptions options = {}) {
    return map(+fn, std::forward<Range>(items), options);
  }

  // No new tasks after this. cancel_futures cancels the tasks not yet sent to a rank; wait
  // blocks until every task is done. The worker ranks stay, for the next pool. Idempotent.
  void shutdown(bool wait = true, bool cancel_futures = false);

  int max_workers() const noexcept;

 private:
  class Impl;
  using Completer = void (*)(internal::StateBase*, Reader&);

  // Starts a task message for the invoker and the function (offsets in the executable).
  static void begin_task(std::vector<std::byte>& frame, internal::Invoker invoker,
                         std::uintptr_t fn);
  // Queues a message. Takes over one reference to state; throws as submit() does.
  void enqueue(internal::StateBase* state, Completer completer, std::vector<std::byte> frame);

  template <class R, class... Ps, class... Ranges>
  MapResults<internal::map_value_t<R>> map_ranges(R (*fn)(Ps...), const MapOptions& options,
                                                  Ranges&&... ranges);

  std::unique_ptr<Impl> impl_;
};

template <class R, class... Params, class... Args>
Future<R> MPIPoolExecutor::submit(R (*fn)(Params...), Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args),
                "MPIPoolExecutor::submit: wrong number of arguments for the function");
  static_assert(!std::is_reference_v<R>,
                "MPIPoolExecutor::submit: a function returning a reference cannot send its "
                "result to another rank; return by value");
  static_assert(internal::kCanCross<R>,
                "MPIPoolExecutor::submit: the function's return type cannot cross to another "
                "rank; see futures::Codec");
  static_assert((internal::kCanCross<Params> && ...),
                "MPIPoolExecutor::submit: a parameter type cannot cross to another rank; see "
                "futures::Codec");
  std::vector<std::byte> frame;
  begin_task(frame, &internal::invoke_in_worker<R, Params...>,
             reinterpret_cast<std::uintptr_t>(fn));
  Writer w(frame);
  (internal::put_arg<Params>(w, std::forward<Args>(args)), ...);
  auto* state = new internal::State<R>();
  Future<R> future = internal::FutureAccess::adopt(state);
  state->add_ref();  // the executor's reference
  enqueue(state, &internal::complete_in_parent<R>, std::move(frame));
  return future;
}

template <class R, class... Ps, class... Ranges>
MapResults<internal::map_value_t<R>> MPIPoolExecutor::map_ranges(R (*fn)(Ps...),
                                                                 const MapOptions& options,
                                                                 Ranges&&... ranges) {
  using V = internal::map_value_t<R>;
  using Item = internal::map_item_t<std::decay_t<Ps>...>;
  static_assert(sizeof...(Ps) == sizeof...(Ranges),
                "MPIPoolExecutor::map: give one range per parameter of the function");
  static_assert(!std::is_reference_v<R>,
                "MPIPoolExecutor::map: a function returning a reference cannot send its result "
                "to another rank; return by value");
  static_assert(internal::kCanCross<R> && (internal::kCanCross<Ps> && ...),
                "MPIPoolExecutor::map: the function's parameter or return type cannot cross to "
                "another rank; see futures::Codec");
  return internal::start_map<V, Item>(
      options,
      [this, fn](const std::vector<Item>& chunk) {
        std::vector<std::byte> frame;
        begin_task(frame, &internal::invoke_chunk_in_worker<R, Ps...>,
                   reinterpret_cast<std::uintptr_t>(fn));
        Writer w(frame);
        w.put(chunk);
        auto* state = new internal::State<MapChunk<V>>();
        auto future = internal::FutureAccess::adopt(state);
        state->add_ref();  // the executor's reference
        enqueue(state, &internal::complete_chunk_in_parent<V>, std::move(frame));
        return future;
      },
      std::forward<Ranges>(ranges)...);
}

}  // namespace futures

#endif  // FUTURES_MPI_HPP_
