#!/usr/bin/env bash
# The CPU-bound sweep at many worker counts, on a machine with more cores than this one, from
# a bundle of tools/bundle_bench.sh (no build or Debian packages needed there). Writes the
# records, then the report draws them here:
#   build/release/tools/report/report OUT_DIR/*.json --results results/NAME --plots plots/NAME
# Usage: tools/reference_sweep.sh BUNDLE OUT_DIR [flags]
#   --workers=LIST          worker counts of the C++ rows (default 1,2,4,6,8,12,16)
#   --cpython-workers=LIST  worker counts of the CPython rows (default 1,2,4,8,16)
#   --jobs=N                jobs per job set (default 48: with the book's 12, 16 workers would
#                           wait on the largest job; 48 keep them busy)
#   --scale=X               C++ job sizes: the book's times X (default 4: 48 jobs of 4 times the
#                           book's hold as many bytes as make bench's 12 of 16 times)
#   --cpython-scale=X       CPython's ARCFOUR job sizes (default 0.25: the book's 12 jobs' bytes
#                           in 48); its SHA-256 jobs take --scale
#   --repetitions=N         rounds of every row (default 9; no extra rounds)
#   --step-seconds=N        the most each step may take (default 600); a step cut short leaves
#                           no record, and the next step runs
#   --budget-seconds=N      the most all steps may take together (default: no limit); a step
#                           gets what is left of it, and is left out with under 10 s
#   --steps=LIST            the steps to run, in that order (default sweep_threads,
#                           sweep_processes,cpython_bench,sweep_startup,jobs_kernels)
# (The underscore spellings, --cpython_workers and the rest, are accepted too.)
# Steps: sweep_threads and sweep_processes (sweep_bench's pools and peers at every worker
# count), cpython_bench (CPython, when python3 is present), sweep_startup (the pools'
# start-up), jobs_kernels (jobs_bench's kernels beside OpenSSL), and two not run by default:
# overhead_threads (overhead_bench's thread-pool and oneTBB rows, at the 2 workers they are
# written for, with cores to spare) and granularity_2w (the job-size sweep of make bench at 2
# workers, both pools, into OUT_DIR/granularity-2w/ to be reported apart). OUT_DIR gets one
# JSON record per finished step and reference_sweep.log (lscpu, the steps and their times).
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[ $# -ge 2 ] || { echo "usage: $0 BUNDLE OUT_DIR [flags] (see --help)" >&2; exit 2; }
bundle=$(cd "$1" && pwd)
out=$2
shift 2
workers=1,2,4,6,8,12,16
cpython_workers=1,2,4,8,16
jobs=48
scale=4
cpython_scale=0.25
reps=9
step_seconds=600
budget_seconds=
steps=sweep_threads,sweep_processes,cpython_bench,sweep_startup,jobs_kernels
for arg in "$@"; do
  case "$arg" in
    --workers=*) workers=${arg#*=} ;;
    --cpython-workers=* | --cpython_workers=*) cpython_workers=${arg#*=} ;;
    --jobs=*) jobs=${arg#*=} ;;
    --scale=*) scale=${arg#*=} ;;
    --cpython-scale=* | --cpython_scale=*) cpython_scale=${arg#*=} ;;
    --repetitions=*) reps=${arg#*=} ;;
    --step-seconds=* | --step_seconds=*) step_seconds=${arg#*=} ;;
    --budget-seconds=* | --budget_seconds=*) budget_seconds=${arg#*=} ;;
    --steps=*) steps=${arg#*=} ;;
    *) echo "reference_sweep: unknown flag '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
case "$reps$step_seconds$budget_seconds" in *[!0-9]* | '') echo "reference_sweep: --repetitions, --step-seconds and --budget-seconds take whole numbers" >&2; exit 2 ;; esac
for name in ${steps//,/ }; do
  case "$name" in
    sweep_threads | sweep_processes | cpython_bench | sweep_startup | jobs_kernels | overhead_threads | granularity_2w) ;;
    *) echo "reference_sweep: --steps: unknown step '$name' (see --help)" >&2; exit 2 ;;
  esac
done
for p in sweep_bench jobs_bench overhead_bench machine_context; do
  [ -x "$bundle/bin/$p" ] || { echo "reference_sweep: '$bundle/bin/$p' not found: make the bundle with tools/bundle_bench.sh" >&2; exit 2; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/reference_sweep.log
FUTURES_GIT_REVISION=$(cat "$bundle/revision")
export FUTURES_GIT_REVISION
context=$bundle/bin/machine_context
max_workers=$(echo "$workers" | tr ',' '\n' | sort -n | tail -n 1)

{
  echo "# reference_sweep $(date -u +%FT%TZ): workers $workers, CPython workers $cpython_workers, $jobs jobs, scale $scale, CPython ARCFOUR scale $cpython_scale, $reps rounds"
  lscpu 2>/dev/null || grep -m1 'model name' /proc/cpuinfo
} >"$log"
"$context" >>"$log"
start=$SECONDS
# step NAME COMMAND...: runs COMMAND, in which @OUT@ stands for a temporary record, moved to
# NAME.json (NAME may name a subfolder of OUT_DIR) when it finished in time.
step() {
  local name=$1 began=$SECONDS status=0
  shift
  mkdir -p "$(dirname "$out/$name")"
  local tmp limit=$step_seconds
  tmp=$(dirname "$out/$name")/.$(basename "$name").json
  if [ -n "$budget_seconds" ]; then
    local left=$((budget_seconds - (SECONDS - start)))
    [ "$left" -ge "$limit" ] || limit=$left
    if [ "$limit" -lt 10 ]; then
      echo "reference_sweep: $name: left out: $limit s of --budget-seconds left" | tee -a "$log"
      return
    fi
  fi
  echo "reference_sweep: $name (at most $limit s) ..." | tee -a "$log"
  timeout --signal=INT --kill-after=10 "$limit" "${@//@OUT@/$tmp}" >>"$log" 2>&1 ||
    status=$?
  if [ "$status" = 0 ] && [ -s "$tmp" ]; then
    mv "$tmp" "$out/$name.json"
    echo "reference_sweep: $name: done in $((SECONDS - began)) s" | tee -a "$log"
  else
    rm -f "$tmp"
    echo "reference_sweep: $name: exit status $status after $((SECONDS - began)) s: no record" | tee -a "$log"
  fi
}
sweep=("$bundle/bin/sweep_bench" --workers="$workers" --jobs="$jobs" --scale="$scale"
       --granularity-workers="$max_workers" --benchmark_repetitions="$reps" --max-rounds="$reps"
       --benchmark_out=@OUT@ --benchmark_out_format=json)
# make bench's job-size sweep at 2 workers: its job sizes and scale, its ceilings.
granularity=("$bundle/bin/sweep_bench" --workers=2 --granularity-workers=2
             --benchmark_filter=job_bytes --benchmark_repetitions="$reps" --max-rounds="$reps"
             --benchmark_out=@OUT@ --benchmark_out_format=json)
# shellcheck source=tools/bench_rows.sh
. "$(dirname "$0")/bench_rows.sh"
for name in ${steps//,/ }; do
  case "$name" in
    sweep_threads) step sweep_threads "${sweep[@]}" --part=threads ;;
    sweep_processes) step sweep_processes "${sweep[@]}" --part=processes ;;
    cpython_bench)
      if command -v python3 >/dev/null; then
        step cpython_bench python3 "$bundle/python/cpython_bench.py" --workers="$cpython_workers" \
          --jobs="$jobs" --arcfour-scale="$cpython_scale" --sha-scale="$scale" --no-overhead \
          --repetitions="$reps" --max-rounds="$reps" --machine-context="$context" --out=@OUT@
      else
        echo "reference_sweep: cpython_bench: left out: python3 not found" | tee -a "$log"
      fi
      ;;
    sweep_startup) step sweep_startup "${sweep[@]}" --part=process_startup ;;
    jobs_kernels)
      step jobs_kernels "$bundle/bin/jobs_bench" --benchmark_filter="$KERNEL_ROWS" \
        --benchmark_repetitions="$reps" --max-rounds="$reps" --benchmark_min_time="$KERNEL_MIN_TIME" \
        --benchmark_out=@OUT@ --benchmark_out_format=json
      ;;
    overhead_threads)
      step overhead_threads "$bundle/bin/overhead_bench" --benchmark_filter="$OVERHEAD_THREAD_ROWS" \
        --benchmark_repetitions="$reps" --max-rounds="$reps" --benchmark_min_time="$OVERHEAD_MIN_TIME" \
        --benchmark_out=@OUT@ --benchmark_out_format=json
      ;;
    granularity_2w)
      step granularity-2w/sweep_threads "${granularity[@]}" --part=threads
      step granularity-2w/sweep_processes "${granularity[@]}" --part=processes
      ;;
  esac
done
echo "reference_sweep: $((SECONDS - start)) s; records: $(cd "$out" && find . -name '*.json' ! -name '.*' | sort | tr '\n' ' ')" | tee -a "$log"
