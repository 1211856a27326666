#include <mpi.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "futures/codec.hpp"
#include "futures/internal/frame.hpp"
#include "futures/internal/remote_exception.hpp"
#include "futures/mpi.hpp"
#include "program_image.hpp"
#include "session.hpp"

namespace futures {
namespace {

using internal::MpiSession;

MpiSession* g_session = nullptr;
std::atomic<bool> g_started{false};

// Room for a build id (40 hex digits for GNU's SHA-1 ids) in the fixed-size exchange.
constexpr int kIdBytes = 80;

// The build-id check: rank 0 broadcasts its id, every rank compares, rank 0 gathers the
// verdicts and names the ranks that differ.
void check_builds(MpiSession& s) {
  std::array<char, kIdBytes> root{};
  const std::string& mine = internal::program_build_id();
  if (s.rank == 0) mine.copy(root.data(), root.size() - 1);
  MPI_Bcast(root.data(), kIdBytes, MPI_CHAR, 0, s.comm);
  const int differs = std::string(root.data()) != mine.substr(0, kIdBytes - 1) ? 1 : 0;
  if (differs) {
    s.mismatch = "rank " + std::to_string(s.rank) +
                 " runs another build of the program (build id " + mine +
                 ") than rank 0 (build id " + root.data() + ")";
  }
  std::vector<int> verdicts(s.rank == 0 ? static_cast<std::size_t>(s.size) : 0);
  MPI_Gather(&differs, 1, MPI_INT, verdicts.data(), 1, MPI_INT, 0, s.comm);
  if (s.rank != 0) return;
  std::string ranks;
  for (int r = 1; r < s.size; ++r) {
    if (verdicts[static_cast<std::size_t>(r)] != 0)
      ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
  }
  if (!ranks.empty()) {
    s.mismatch = "worker rank(s) " + ranks +
                 " run another build of the program than rank 0 (build id " + mine +
                 "): every rank must run the same executable";
  }
}

// Runs one task message, returning the reply. A malformed message or an offset outside the
// program's code fails the task with DecodeError; what the task throws fails it too.
std::vector<std::byte> run_task(const std::vector<std::byte>& message) {
  std::vector<std::byte> out;
  out.reserve(64);  // also spares GCC 12 a false -Wstringop-overflow on the first byte
  Writer w(out);
  w.put(static_cast<std::uint8_t>(internal::kResult));
  try {
    Reader r(message);
    const std::uintptr_t invoker = internal::code_address(r.get<std::uint64_t>());
    const std::uintptr_t fn = internal::code_address(r.get<std::uint64_t>());
    // Offsets checked against this process's executable, which has rank 0's build id.
    reinterpret_cast<internal::Invoker>(invoker)(fn, r, out);  // NOLINT(performance-no-int-to-ptr)
    if (out.size() > internal::kMaxMessage)
      throw std::length_error("a result over 2 GiB cannot reach rank 0");
  } catch (...) {
    const internal::ExceptionRecord record = internal::capture_current_exception();
    out.clear();
    Writer e(out);
    e.put(static_cast<std::uint8_t>(internal::kError));
    internal::encode_record(e, record);
  }
  return out;
}

}  // namespace

namespace internal {
MpiSession* mpi_session() noexcept { return g_session; }
}  // namespace internal

MPIRuntime::MPIRuntime(int& argc, char**& argv) {
  if (g_started.exchange(true)) {
    throw std::logic_error("futures::MPIRuntime: one per process, and MPI starts only once");
  }
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
    throw std::runtime_error("futures::MPIRuntime: MPI_Init_thread failed");
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw std::runtime_error(
        "futures::MPIRuntime: this MPI library gives no MPI_THREAD_SERIALIZED support, which "
        "the pool's manager thread needs");
  }
  auto s = std::make_unique<MpiSession>();
  MPI_Comm_dup(MPI_COMM_WORLD, &s->comm);
  MPI_Comm_rank(s->comm, &s->rank);
  MPI_Comm_size(s->comm, &s->size);
  check_builds(*s);
  g_session = s.release();
}

MPIRuntime::~MPIRuntime() {
  MpiSession* s = g_session;
  if (s->rank == 0) {
    if (s->pool_alive.load()) {
      std::fputs(
          "futures::MPIRuntime: destroyed while an MPIPoolExecutor lives; destroy the pool "
          "first\n",
          stderr);
      std::abort();
    }
    for (int r = 1; r < s->size; ++r)
      MPI_Send(nullptr, 0, MPI_BYTE, r, internal::kTagStop, s->comm);
  }
  MPI_Comm_free(&s->comm);
  MPI_Finalize();
  g_session = nullptr;
  delete s;
}

int MPIRuntime::rank() const noexcept { return g_session->rank; }
int MPIRuntime::size() const noexcept { return g_session->size; }

bool MPIRuntime::launched_by_mpirun() noexcept {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

int MPIRuntime::serve() {
  MpiSession& s = *g_session;
  if (s.rank == 0)
    throw std::logic_error("futures::MPIRuntime::serve: rank 0 runs main(), not tasks");
  if (!s.mismatch.empty()) std::cerr << "futures::MPIRuntime: " << s.mismatch << "\n";
  internal::MpiBackoff backoff;
  std::vector<std::byte> message;
  for (;;) {
    int ready = 0;
    MPI_Status status;
    MPI_Iprobe(0, MPI_ANY_TAG, s.comm, &ready, &status);
    if (!ready) {
      const auto delay = backoff.next();
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      continue;
    }
    backoff.reset();
    int bytes = 0;
    MPI_Get_count(&status, MPI_BYTE, &bytes);
    message.resize(static_cast<std::size_t>(bytes));
    MPI_Recv(message.data(), bytes, MPI_BYTE, 0, status.MPI_TAG, s.comm, MPI_STATUS_IGNORE);
    if (status.MPI_TAG == internal::kTagStop) break;
    if (status.MPI_TAG != internal::kTagTask || !s.mismatch.empty()) {
      std::cerr << "futures::MPIRuntime: rank " << s.rank << ": unexpected message (tag "
                << status.MPI_TAG << ") from rank 0\n";
      MPI_Abort(s.comm, 70);
    }
    const std::vector<std::byte> reply = run_task(message);
    MPI_Send(reply.data(), static_cast<int>(reply.size()), MPI_BYTE, 0, internal::kTagReply,
             s.comm);
  }
  return s.mismatch.empty() ? 0 : 1;
}

}  // namespace futures
