#!/usr/bin/env bash
# Runs the benchmark programs of a release build, then the report program:
#   results/sweep_bench.json, results/overhead_{threads,processes}.json   the raw records
#                                                           (Google Benchmark JSON)
#   results/speedup.csv, results/overhead.csv               derived, with the machine's context
#   plots/{speedup,efficiency,granularity}_<workload>.{png,svg}
#   results/cpython_bench.json                              the same jobs on CPython (bench/python)
# and a summary table on the terminal. Console output of the programs goes to BUILD_DIR/bench-logs.
# Usage: tools/run_bench.sh BUILD_DIR [--no-python] [sweep_bench flags, e.g. --workers=1,2,3,4,16]
#   --no-python  leave out the CPython run (it is also left out, with a message, without python3)
# Environment: BENCH_REPETITIONS (default 5) for the C++ programs; CPython runs 3 repetitions.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [sweep_bench flags...]" >&2; exit 2; }
build=$1
shift
python=1
workers_flag=()
sweep_args=()
for arg in "$@"; do
  case "$arg" in
    --no-python) python=0 ;;
    --workers=*) workers_flag=("$arg"); sweep_args+=("$arg") ;;
    *) sweep_args+=("$arg") ;;
  esac
done
sweep=$build/bench/sweep_bench
overhead=$build/bench/overhead_bench
report=$build/tools/report/report
for p in "$sweep" "$overhead" "$report"; do
  [ -x "$p" ] || { echo "run_bench: '$p' not found: build with the release preset first" >&2; exit 2; }
done
reps=${BENCH_REPETITIONS:-5}
case "$reps" in '' | *[!0-9]* | 0) echo "run_bench: BENCH_REPETITIONS='$reps': expected a whole number >= 1" >&2; exit 2 ;; esac

# The machine's context, recorded in every JSON record (Google Benchmark's --benchmark_context
# takes key=value pairs separated by commas, so commas are dropped from the values).
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n 1; }
cxx=$(cache_value CMAKE_CXX_COMPILER)
build_type=$(cache_value CMAKE_BUILD_TYPE)
bt_upper=$(echo "$build_type" | tr '[:lower:]' '[:upper:]')
flags="$(cache_value CMAKE_CXX_FLAGS) $(cache_value "CMAKE_CXX_FLAGS_$bt_upper")"
compiler="$(basename "$cxx") $("$cxx" -dumpfullversion 2>/dev/null || echo '?')"
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && ! git diff --quiet HEAD -- src bench tools 2>/dev/null; then
  revision="$revision-dirty"
fi
clean() { echo "$*" | tr -s ' ,' ' ' | sed 's/^ //; s/ $//'; }
context="compiler=$(clean "$compiler"),cxx_flags=$(clean "$flags"),build_type=$(clean "$build_type"),git_revision=$revision"

mkdir -p results plots "$build/bench-logs"
tmp_files=()
cleanup() { rm -f "${tmp_files[@]}"; }
trap cleanup EXIT

echo "[1/4] sweep_bench: job sets x executors x workers, $reps repetitions, interleaved (progress below)"
sweep_tmp=$(mktemp results/.sweep_bench.XXXXXX.json)
tmp_files+=("$sweep_tmp")
"$sweep" --benchmark_repetitions="$reps" --benchmark_context="$context" \
  --benchmark_out="$sweep_tmp" --benchmark_out_format=json ${sweep_args[@]+"${sweep_args[@]}"} \
  >"$build/bench-logs/sweep_bench.log"

# The rows that fork (process pools, the socket floor) run in a process of their own: after a
# fork every page of the parent is copy-on-write, so a thread-pool row that ran after one would
# pay a page fault per page it touches and measure the fork, not the pool.
echo "[2/4] overhead_bench: per-task cost of the executors, $reps repetitions"
cpu_model=$(clean "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)")
overhead_part() {  # overhead_part NAME FILTER: runs the matching rows into results/.NAME.*.json
  local tmp
  tmp=$(mktemp "results/.$1.XXXXXX.json")
  tmp_files+=("$tmp")
  "$overhead" --benchmark_filter="$2" --benchmark_repetitions="$reps" \
    --benchmark_enable_random_interleaving=true --benchmark_min_time=0.1 \
    --benchmark_context="$context,cpu_model=$cpu_model" \
    --benchmark_out="$tmp" --benchmark_out_format=json \
    | tee "$build/bench-logs/$1.log" \
    | awk -v part="$1" '/^BM_/ && !/_(mean|median|stddev|cv) / { n++; printf "  %s [%d] %s\n", part, n, $1; fflush() }'
  overhead_tmps+=("$tmp")
}
overhead_tmps=()
overhead_part overhead_threads '^BM_(ThreadPool|TBB)_'
overhead_part overhead_processes '^BM_(ProcessPool|Pipe)_'

records=(results/sweep_bench.json results/overhead_threads.json results/overhead_processes.json)
cpython_tmp=""
if [ "$python" = 0 ]; then
  echo "[3/4] CPython: left out (--no-python)"
elif ! command -v python3 >/dev/null; then
  echo "[3/4] CPython: left out: python3 not found (install Debian's python3 to compare)"
else
  echo "[3/4] CPython $(python3 -c 'import platform; print(platform.python_version())'): the same jobs on concurrent.futures, 3 repetitions (progress below)"
  cpython_tmp=$(mktemp results/.cpython_bench.XXXXXX.json)
  tmp_files+=("$cpython_tmp")
  python3 bench/python/cpython_bench.py ${workers_flag[@]+"${workers_flag[@]}"} --repetitions=3 \
    --out="$cpython_tmp" 2> >(tee "$build/bench-logs/cpython_bench.log" | sed -u 's/^/  /' >&2)
fi

mv "$sweep_tmp" results/sweep_bench.json
mv "${overhead_tmps[0]}" results/overhead_threads.json
mv "${overhead_tmps[1]}" results/overhead_processes.json
if [ -n "$cpython_tmp" ]; then
  mv "$cpython_tmp" results/cpython_bench.json
  records+=(results/cpython_bench.json)
fi

echo "[4/4] report: results/speedup.csv, results/overhead.csv, plots/"
"$report" "${records[@]}" --results results --plots plots
