#!/usr/bin/env bash
# The before/after of a change, measured in one sitting on this machine: two release builds'
# benchmark programs run round by round in turn (before, after, after, before, ...), then
# compared row by row with `report compare` (a U test per row; exit status 1 on a slowdown).
# Usage: tools/before_after.sh BEFORE_BUILD AFTER_BUILD OUT_DIR
#   BEFORE_BUILD, AFTER_BUILD  release build directories (e.g. a worktree of the old revision,
#                              built with `cmake --preset release && cmake --build --preset
#                              release`), each with bench/overhead_bench, bench/jobs_bench and
#                              bench/sweep_bench
#   OUT_DIR                    gets before/ and after/ (the records: overhead_threads,
#                              overhead_processes, jobs_kernels, sweep_startup: the pools'
#                              start-up, sweep_granularity and sweep_granularity_processes:
#                              the job-size sweep with its ceilings), compare.txt, and
#                              dispatch_parity.json when both builds have bench/dispatch_parity
# Environment: BENCH_REPETITIONS (default 9), the rounds of each build (no extra rounds here).
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[ $# -eq 3 ] || { echo "usage: $0 BEFORE_BUILD AFTER_BUILD OUT_DIR (see --help)" >&2; exit 2; }
before=$1
after=$2
out=$3
for build in "$before" "$after"; do
  for p in bench/overhead_bench bench/jobs_bench bench/sweep_bench; do
    [ -x "$build/$p" ] || { echo "before_after: '$build/$p' not found: build with the release preset first" >&2; exit 2; }
  done
done
report=$after/tools/report/report
[ -x "$report" ] || { echo "before_after: '$report' not found" >&2; exit 2; }
command -v python3 >/dev/null || { echo "before_after: python3 not found (it merges each build's rounds)" >&2; exit 2; }
reps=${BENCH_REPETITIONS:-9}
case "$reps" in '' | *[!0-9]* | 0) echo "before_after: BENCH_REPETITIONS='$reps': expected a whole number >= 1" >&2; exit 2 ;; esac
mkdir -p "$out/before" "$out/after"

# run NAME PROGRAM ARGS...: the program of each build, one process per round, the builds
# taking turns round by round (the first of each pair alternating too), so that the host's
# drift over the minutes of a run falls on both alike; each build's rounds are then merged
# into one record, NAME.json, with repetition_index the round (no extra rounds).
run() {
  local name=$1 program=$2
  shift 2
  echo "before_after: $name, $reps rounds, the builds taking turns"
  local round side
  for round in $(seq 1 "$reps"); do
    local order=(before after)
    [ $((round % 2)) = 0 ] && order=(after before)
    for side in "${order[@]}"; do
      local build=$before
      [ "$side" = after ] && build=$after
      "$build/bench/$program" "$@" --benchmark_repetitions=1 --max-rounds=1 \
        --benchmark_out="$out/$side/.$name.$round.json" --benchmark_out_format=json >/dev/null
    done
  done
  for side in before after; do
    python3 - "$out/$side/$name.json" "$reps" "$out/$side/.$name".*.json <<'PY'
import json, re, sys
out, reps, parts = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
merged = None
rounds = sorted((int(re.search(r"\.(\d+)\.json$", p).group(1)), p) for p in parts)
for number, path in rounds:
    record = json.load(open(path))
    for row in record["benchmarks"]:
        row["repetition_index"], row["repetitions"] = number - 1, reps
    if merged is None:
        merged = record
    else:
        merged["benchmarks"] += record["benchmarks"]
json.dump(merged, open(out, "w"), indent=1)
PY
    rm -f "$out/$side/.$name".*.json
  done
}
# shellcheck source=tools/bench_rows.sh
. "$(dirname "$0")/bench_rows.sh"
run overhead_threads overhead_bench --benchmark_filter="$OVERHEAD_THREAD_ROWS" \
  --benchmark_min_time="$OVERHEAD_MIN_TIME"
run overhead_processes overhead_bench --benchmark_filter="$OVERHEAD_PROCESS_ROWS" \
  --benchmark_min_time="$OVERHEAD_MIN_TIME"
run jobs_kernels jobs_bench --benchmark_filter="$KERNEL_ROWS" \
  --benchmark_min_time="$KERNEL_MIN_TIME"
run sweep_startup sweep_bench --part=process_startup
run sweep_granularity sweep_bench --part=threads --no-startup --benchmark_filter=job_bytes
run sweep_granularity_processes sweep_bench --part=processes --no-startup \
  --benchmark_filter=job_bytes
if [ -x "$before/bench/dispatch_parity" ] && [ -x "$after/bench/dispatch_parity" ]; then
  echo "before_after: dispatch_parity, before and after"
  printf '{"before": %s,\n "after": %s}\n' "$("$before/bench/dispatch_parity")" \
    "$("$after/bench/dispatch_parity")" >"$out/dispatch_parity.json"
fi
status=0
"$report" compare "$out/before" "$out/after" >"$out/compare.txt" || status=$?
cat "$out/compare.txt"
exit "$status"
