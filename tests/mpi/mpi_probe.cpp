// A small MPI program for the scripted tests and measurements of futures::mpi, run as
// `mpirun -n N mpi_probe MODE [ARG]`:
//   die CODE    a task ends its worker rank with _exit(CODE) while rank 0 waits for it
//   idle SECS   rank 0 holds a pool with nothing to do, then a pool waiting on a task of SECS
//               seconds; every rank prints the CPU time it used meanwhile
//   check 0     rank 0 makes a pool and runs one task, or prints why it cannot (exit 3)
// Built twice, as mpi_probe and mpi_probe_rebuilt (another build id), for the build check.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "futures/errors.hpp"
#include "futures/mpi.hpp"

#ifndef MPI_PROBE_BUILD
#define MPI_PROBE_BUILD "mpi_probe"
#endif

namespace {

int die(int code) {
  std::fflush(nullptr);
  _exit(code);
}

int nap_seconds(double secs) {
  std::this_thread::sleep_for(std::chrono::duration<double>(secs));
  return 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int twice(int x) { return 2 * x; }

void usage() {
  std::fputs("usage: mpirun -n N " MPI_PROBE_BUILD " die CODE | idle SECONDS | check 0\n", stderr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::puts("usage: mpirun -n N " MPI_PROBE_BUILD
              " die CODE | idle SECONDS | check 0\n"
              "  die CODE    a task ends its worker rank with _exit(CODE) while rank 0 waits\n"
              "  idle SECS   CPU time of every rank while rank 0's pool idles SECS seconds, then\n"
              "              while it waits SECS seconds on one task\n"
              "  check 0     make a pool and run one task, or say why not (exit 3)");
    return 0;
  }
  if (argc != 3) {
    usage();
    return 2;
  }
  const std::string mode = argv[1];
  const double arg = std::atof(argv[2]);
  futures::MPIRuntime mpi(argc, argv);
  if (mpi.is_worker()) {
    const double before = cpu_seconds();
    const int status = mpi.serve();
    if (mode == "idle") {
      std::printf("rank %d: %.3f s of CPU in serve()\n", mpi.rank(), cpu_seconds() - before);
    }
    return status;
  }
  if (mode == "check") {
    try {
      futures::MPIPoolExecutor pool;
      std::printf("rank 0: pool of %d, twice(21) = %d\n", pool.max_workers(),
                  pool.submit(&twice, 21).result());
      return 0;
    } catch (const futures::BrokenExecutor& e) {
      std::printf("rank 0: BrokenExecutor: %s\n", e.what());
      return 3;
    }
  }
  futures::MPIPoolExecutor pool;
  if (mode == "die") {
    auto f = pool.submit(&die, static_cast<int>(arg));
    std::printf("rank 0: submitted a task that ends its rank with status %d\n",
                static_cast<int>(arg));
    std::fflush(stdout);
    f.result();
    std::puts("rank 0: the task returned (not expected)");
    return 1;
  }
  if (mode == "idle") {
    pool.submit(&nap_seconds, 0.0).result();  // the manager thread runs
    double t0 = cpu_seconds();
    std::this_thread::sleep_for(std::chrono::duration<double>(arg));
    std::printf("rank 0: %.3f s of CPU in %.1f s with no task\n", cpu_seconds() - t0, arg);
    t0 = cpu_seconds();
    pool.submit(&nap_seconds, arg).result();
    std::printf("rank 0: %.3f s of CPU in %.1f s waiting on one task\n", cpu_seconds() - t0, arg);
    return 0;
  }
  usage();
  return 2;
}
