#!/usr/bin/env bash
# Runs a program (an example, a benchmark, the report) and checks its exit status and output; used by the CTest tests.
# Usage: check_cli.sh MODE ... PROGRAM [ARGS...]
#   help PROGRAM ARGS...                  exit 0, stdout starts "usage: ", nothing on stderr
#   usage-error 'LINE' PROGRAM ARGS...    exit 2, nothing on stdout, stderr is exactly LINE,
#                                         and nothing written in the working directory
#   arcfour|sha PROGRAM ARGS...           exit 0, 12 result lines, then the status line
#   demo PROGRAM ARGS...                  exit 0, "result i: i*10" for i = 0..4 in order
#   primes PROGRAM ARGS...                exit 0, exactly the Python documentation's six lines
#   record REPORT PROGRAM ARGS...         a benchmark program with --benchmark_out=record.json
#                                         among ARGS: exit 0, a record whose rows say what they
#                                         are, and REPORT turns it into a summary
# The program runs in an empty working directory of its own. Timings are never checked.
set -uo pipefail

fail() { echo "check_cli: FAIL: $*" >&2; exit 1; }

[ $# -ge 2 ] || fail "usage: check_cli.sh MODE ... PROGRAM [ARGS...]"
mode=$1
shift
expected_line=
if [ "$mode" = usage-error ] || [ "$mode" = record ]; then
  expected_line=$1
  shift
fi

command=("$@")
# The program runs elsewhere: a relative path to it is made absolute first.
case "${command[0]}" in */*) [[ "${command[0]}" == /* ]] || command[0]=$PWD/${command[0]} ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work"
(cd "$tmp/work" && exec "${command[@]}") >"$tmp/out" 2>"$tmp/err"
rc=$?

# On failure, shows what the program did; always removes the captured output.
# shellcheck disable=SC2317  # called by the EXIT trap
finish() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    {
      echo "--- command: ${command[*]}"
      echo "--- exit status: $rc"
      echo "--- stdout:"; cat "$tmp/out"
      echo "--- stderr:"; cat "$tmp/err"
    } >&2
  fi
  rm -rf "$tmp"
}
trap finish EXIT

expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"; }
expect_no_stderr() { [ ! -s "$tmp/err" ] || fail "unexpected output on stderr"; }

# The book's status line: "12 workers, elapsed time: 0.05s".
status_re='^[0-9]+ workers, elapsed time: [0-9]+\.[0-9]{2}s$'

# expect_job_output RESULT_REGEX: 12 lines matching RESULT_REGEX, then the status line.
expect_job_output() {
  local lines results
  lines=$(wc -l <"$tmp/out")
  [ "$lines" -eq 13 ] || fail "$lines lines on stdout, expected 13"
  results=$(head -n 12 "$tmp/out" | grep -Ec "$1")
  [ "$results" -eq 12 ] || fail "$results of the first 12 lines match '$1'"
  tail -n 1 "$tmp/out" | grep -Eq "$status_re" || fail "last line is not the status line"
}

case "$mode" in
  help)
    expect_rc 0
    expect_no_stderr
    head -n 1 "$tmp/out" | grep -q '^usage: ' || fail "stdout does not start with 'usage: '"
    ;;
  usage-error)
    expect_rc 2
    [ ! -s "$tmp/out" ] || fail "unexpected output on stdout"
    lines=$(wc -l <"$tmp/err")
    [ "$lines" -eq 1 ] || fail "$lines lines on stderr, expected 1"
    [ "$(cat "$tmp/err")" = "$expected_line" ] ||
      fail "stderr is not the expected line: $expected_line"
    [ -z "$(ls -A "$tmp/work")" ] || fail "files written: $(ls -A "$tmp/work" | tr '\n' ' ')"
    ;;
  arcfour)
    expect_rc 0
    expect_no_stderr
    # '{:8.1f} KB': with --scale 0.05, sizes from 7.5 to 19.2 KB, right-aligned in 8 columns.
    expect_job_output '^ {3,}[0-9]+\.[0-9] KB$'
    [ "$(head -n 12 "$tmp/out" | awk '{ print length($0) }' | sort -u)" = 11 ] ||
      fail "size lines are not 11 characters wide"
    ;;
  sha)
    expect_rc 0
    expect_no_stderr
    expect_job_output '^[0-9a-f]{64}$'
    [ "$(head -n 12 "$tmp/out" | sort -u | wc -l)" -eq 12 ] || fail "digests are not distinct"
    ;;
  demo)
    expect_rc 0
    expect_no_stderr
    stamp='^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\] '
    head -n 1 "$tmp/out" | grep -Eq "${stamp}Script starting\.$" ||
      fail "first line is not 'Script starting.'"
    grep -Eq "${stamp}results: <MapResults at 0x[0-9a-f]+>$" "$tmp/out" ||
      fail "no 'results: <MapResults at 0x...>' line"
    # The results in submission order, and only after map() has returned.
    got=$(sed -nE "s/${stamp}result ([0-9]+): ([0-9]+)$/\1:\2/p" "$tmp/out" | tr '\n' ' ')
    [ "$got" = "0:0 1:10 2:20 3:30 4:40 " ] || fail "result lines are '$got'"
    tail -n 1 "$tmp/out" | grep -Eq "${stamp}result 4: 40$" || fail "last line is not result 4"
    waiting=$(grep -En "${stamp}Waiting for individual results:$" "$tmp/out" | cut -d: -f1)
    first=$(grep -En "${stamp}result 0: " "$tmp/out" | cut -d: -f1)
    if [ -z "$waiting" ] || [ -z "$first" ] || [ "$waiting" -ge "$first" ]; then
      fail "'Waiting for individual results:' does not come before the results"
    fi
    for n in 0 1 2 3 4; do
      tabs=$(printf '%*s' "$n" '' | tr ' ' '\t')
      grep -Eq "${stamp}${tabs}loiter\($n\): doing nothing for [0-9.e-]+s\.\.\.$" "$tmp/out" ||
        fail "no 'loiter($n): doing nothing' line with $n tabs"
      grep -Eq "${stamp}${tabs}loiter\($n\): done\.$" "$tmp/out" ||
        fail "no 'loiter($n): done.' line with $n tabs"
    done
    ;;
  primes)
    expect_rc 0
    expect_no_stderr
    expected='112272535095293 is prime: True
112582705942171 is prime: True
112272535095293 is prime: True
115280095190773 is prime: True
115797848077099 is prime: True
1099726899285419 is prime: False'
    [ "$(cat "$tmp/out")" = "$expected" ] || fail "the output is not the documentation's"
    ;;
  record)
    expect_rc 0
    record=$tmp/work/record.json
    [ -s "$record" ] || fail "no record.json written"
    grep -q '"label": "executor=' "$record" || fail "no row of record.json says its executor"
    grep -q '"repetition_index": 0' "$record" || fail "record.json has no round 0"
    "$expected_line" "$record" --no-plots --quiet --results "$tmp/results" \
      >"$tmp/report.out" 2>"$tmp/report.err" || fail "the report failed: $(cat "$tmp/report.err")"
    grep -Eq '^\*\*[0-9]+ of [0-9]+ rows flagged noisy\.\*\*$' "$tmp/results/summary.md" ||
      fail "summary.md does not end with the flag count"
    ;;
  *)
    fail "unknown mode '$mode'"
    ;;
esac
exit 0
