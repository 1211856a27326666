#!/bin/sh
# The book's ARCFOUR jobs across three simulated hosts (network namespaces, tools/mpi_hosts.sh):
# the output is the book's, and the tasks crossed the links: 400 jobs move more bytes through
# each worker rank's link than 12 do, by at least a few dozen bytes a job. Nothing is left
# behind. Skipped (status 77) where network namespaces cannot be made (not root, no ip).
# Usage: hosts_test.sh ARCFOUR_FUTURES
set -u
program=$1
hosts=$(dirname "$0")/../../tools/mpi_hosts.sh
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "hosts_test: SKIP: needs root and iproute2 for network namespaces"
  exit 77
fi
probe=fbprobe$$
if ! ip netns add "$probe" 2>/dev/null; then
  echo "hosts_test: SKIP: 'ip netns add' is not permitted here"
  exit 77
fi
ip netns del "$probe"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "hosts_test: FAIL: $*"; cat "$out"; exit 1; }

# run JOBS: the job across 3 namespaces; sets rx1 and rx2, the bytes ranks 1 and 2 received.
run() {
  "$hosts" --hosts=3 --timeout=90 "$program" --executor mpi --scale 0.01 --jobs "$1" >"$out" 2>&1 ||
    fail "$1 jobs: exit status $?"
  [ "$(grep -cE '^ +[0-9]+\.[0-9] KB$' "$out")" = "$1" ] || fail "$1 jobs: not $1 result lines"
  grep -qE '^2 workers, elapsed time: [0-9]+\.[0-9]{2}s$' "$out" || fail "$1 jobs: no status line"
  rx1=$(sed -n 's/.*rank 1: received \([0-9]*\) bytes.*/\1/p' "$out")
  rx2=$(sed -n 's/.*rank 2: received \([0-9]*\) bytes.*/\1/p' "$out")
  [ -n "$rx1" ] && [ -n "$rx2" ] || fail "$1 jobs: no traffic lines"
}
run 12
small1=$rx1 small2=$rx2
run 400
tail -n 3 "$out"
# Each of the 388 more jobs sends its arguments (about 40 bytes) to one of the two ranks.
[ $((rx1 + rx2 - small1 - small2)) -ge $((388 * 30)) ] ||
  fail "the worker ranks received $((rx1 + rx2)) bytes for 400 jobs, $((small1 + small2)) for 12: the tasks did not cross"
[ "$rx1" -gt "$small1" ] && [ "$rx2" -gt "$small2" ] || fail "a worker rank got no more traffic for more jobs"
[ -z "$(ip netns list | grep -E '^fb[0-9]+n[0-9]' || true)" ] || fail "namespaces left: $(ip netns list)"
echo "hosts_test: ok: 400 jobs across 3 namespaces; ranks 1 and 2 received $rx1 and $rx2 bytes (12 jobs: $small1 and $small2)"
