#!/usr/bin/env bash
# Installs the Debian packages that a target needs, only those missing; safe to run repeatedly.
# Usage: tools/install_deps.sh test|bench|fuzz|lint
set -euo pipefail

usage() { echo "usage: $0 test|bench|fuzz|lint" >&2; exit 2; }
[ $# -eq 1 ] || usage

# What `make test` needs: compiler, build system, GoogleTest, OpenSSL, fmt, the report
# program's CLI11 and nlohmann-json, and Google Benchmark (the benchmark programs' command
# lines and Ctrl-C are tested; their tests run with the others), PyPy (the benchmark
# script's run under it is tested), Boost (futures/asio.hpp and the flags programs, on Beast),
# the flag images the flags server serves, nginx (the downloaders are tested against it), and
# Open MPI with iproute2 (futures::mpi, its tests under mpirun and in network namespaces).
test_pkgs=(g++ make cmake pkg-config libgtest-dev libgmock-dev libssl-dev libfmt-dev
           libcli11-dev nlohmann-json3-dev libbenchmark-dev pypy3 libboost-dev
           iso-flags-png-320x240 nginx-light openmpi-bin libopenmpi-dev iproute2)
# What `make bench` needs on top: the peer libraries, the plot tool, CPython (PyPy comes with
# the test packages), and wrk (the flags server's throughput).
bench_pkgs=(libtbb-dev libboost-dev libomp-dev gnuplot-nox python3 wrk)

# What `make fuzz` needs on top: clang with libFuzzer and its sanitizer runtimes.
fuzz_pkgs=(clang libclang-rt-14-dev)

# What `make lint` needs on top: the formatter and clang-tidy.
lint_pkgs=(clang-format clang-tidy)

case "$1" in
  test) want=("${test_pkgs[@]}") ;;
  bench) want=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) want=("${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  lint) want=("${test_pkgs[@]}" "${lint_pkgs[@]}") ;;
  *) echo "install_deps.sh: unknown target '$1' (accepted: test, bench, fuzz, lint)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install_deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
