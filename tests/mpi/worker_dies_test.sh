#!/bin/sh
# A worker rank that dies ends the whole MPI job: mpirun kills every rank and exits with the
# dead rank's status, and no rank is left running. Usage: worker_dies_test.sh MPI_PROBE
set -u
probe=$1
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
timeout 45 "$here/mpirun.sh" 3 "$probe" die 7 >"$out" 2>&1 || status=$?
cat "$out"
fail() { echo "worker_dies_test: FAIL: $*"; exit 1; }
[ "$status" = 7 ] || fail "mpirun exited with $status, expected the dead rank's 7 (124: it hung)"
grep -q "submitted a task" "$out" || fail "rank 0 did not get to submit"
grep -q "not expected" "$out" && fail "rank 0 saw the task return"
grep -q "exited on signal\|non-zero status\|exit code 7\|Exit code: *7" "$out" ||
  fail "mpirun did not say which rank ended"
sleep 1
left=$(pgrep -f "$probe die 7" || true)
[ -z "$left" ] || fail "ranks still running: $left"
echo "worker_dies_test: ok: mpirun exited with 7 and left no rank"
