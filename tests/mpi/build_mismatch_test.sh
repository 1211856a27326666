#!/bin/sh
# Worker ranks that run another build of the program are a clear error, never a jump into the
# wrong code: rank 0's pool refuses to start with BrokenExecutor naming them, and they say why
# on stderr. One job runs both builds (mpirun's MPMD form, A : B).
# Usage: build_mismatch_test.sh MPI_PROBE MPI_PROBE_REBUILT
set -u
probe=$1
rebuilt=$2
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "build_mismatch_test: FAIL: $*"; cat "$out"; exit 1; }

# The same build everywhere: the pool works.
timeout 45 "$here/mpirun.sh" 3 "$probe" check 0 >"$out" 2>&1 || fail "same build: exit status $?"
grep -q "pool of 2, twice(21) = 42" "$out" || fail "same build: no result"

# Rank 0 and rank 2 run mpi_probe, rank 1 the rebuilt one.
status=0
timeout 45 "$here/mpirun.sh" 1 "$probe" check 0 : -n 1 "$rebuilt" check 0 : -n 1 "$probe" check 0 \
  >"$out" 2>&1 || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] || fail "mixed builds: exit status $status"
grep -q "rank 0: BrokenExecutor: MPIPoolExecutor: worker rank(s) 1 run another build of the program than rank 0" "$out" ||
  fail "rank 0 did not name rank 1"
grep -q "rank 1 runs another build of the program" "$out" || fail "rank 1 did not say why"
grep -q "twice(21)" "$out" && fail "a task ran"
echo "build_mismatch_test: ok: the pool refused worker rank 1, which runs another build"
