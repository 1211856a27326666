#!/usr/bin/env bash
# Runs the benchmark programs of a release build, then the report program:
#   results/sweep_{threads,processes,startup}.json,
#   results/overhead_{threads,processes}.json, results/jobs_kernels.json,
#   results/cpython_bench.json, results/pypy_bench.json (the same script under pypy3: the job
#                                   sets only, no start-up or overhead rows)
#   results/mpi_bench.json          MPIPoolExecutor's job sets and per-task rows, from an MPI
#                                   job of 3 ranks (tests/mpi/mpirun.sh); results/mpi_idle.txt,
#                                   each rank's CPU time while the pool has nothing to do;
#                                   results/mpi_hosts.txt, the book's arcfour_futures across 3
#                                   network namespaces (tools/mpi_hosts.sh) and its traffic
#   results/dispatch_parity.json    the process pool's dispatch in counts, beside CPython's
#   results/flags_bench.json        the book's flags downloads from a flags_server in DELAY mode
#                                   (FLAGS_DELAY seconds per answer), sequential, on a thread
#                                   pool and as coroutines; results/cpython_flags.json, the
#                                   same on CPython (bench/python/flags_bench.py);
#                                   results/flags_server_wrk.txt, the server under wrk
#                                   the raw records (Google Benchmark JSON, every round of
#                                   every row, the machine context in each)
#   results/speedup.csv, results/overhead.csv, results/summary.md
#                                   derived: 95% intervals, noise flags, the machine
#   results/run_time.txt            how long the benchmarks took (make bench adds its total)
#   plots/{speedup,efficiency,granularity,gil}_<workload>.{png,svg}
# and the summary on the terminal. Console output of the programs goes to BUILD_DIR/bench-logs.
# Usage: tools/run_bench.sh BUILD_DIR [--no-python] [sweep_bench flags, e.g. --workers=1,2,3,4,16]
#   --no-python  leave out the CPython and PyPy runs (each is also left out, with a message,
#                without python3 or pypy3)
# Environment: BENCH_REPETITIONS (default 9), the rounds of every program; BENCH_MAX_ROUNDS
# (default 12), the most a C++ row whose interval is still wider than +-5% gets (on a noisy
# 2-core host, 15 took make bench past 15 minutes); CPYTHON_REPETITIONS (default
# BENCH_REPETITIONS), the rounds of the Python runs, which get no extra ones; FLAGS_DELAY
# (default 0.02), the DELAY server's seconds per answer; REPORT_FLAGS, more flags for the
# report program (e.g. --strict).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [--no-python] [sweep_bench flags...]" >&2; exit 2; }
build=$1
shift
python=1
workers_flag=()
sweep_args=()
mpi_args=()  # the job sets' size flags, which mpi_bench takes too
for arg in "$@"; do
  case "$arg" in
    --no-python) python=0 ;;
    --workers=*) workers_flag=("$arg"); sweep_args+=("$arg") ;;
    --scale=* | --jobs=*) mpi_args+=("$arg"); sweep_args+=("$arg") ;;
    *) sweep_args+=("$arg") ;;
  esac
done
# shellcheck source=tools/bench_rows.sh
. "$(dirname "$0")/bench_rows.sh"
sweep=$build/bench/sweep_bench
overhead=$build/bench/overhead_bench
kernels=$build/bench/jobs_bench
report=$build/tools/report/report
context=$build/tools/context/machine_context
for p in "$sweep" "$overhead" "$kernels" "$build/bench/dispatch_parity" "$report" "$context"; do
  [ -x "$p" ] || { echo "run_bench: '$p' not found: build with the release preset first" >&2; exit 2; }
done
reps=${BENCH_REPETITIONS:-9}
flags_delay=${FLAGS_DELAY:-0.02}
case "$flags_delay" in '' | *[!0-9.]* | *.*.*) echo "run_bench: FLAGS_DELAY='$flags_delay': expected seconds, e.g. 0.02" >&2; exit 2 ;; esac
case "$reps" in '' | *[!0-9]* | 0) echo "run_bench: BENCH_REPETITIONS='$reps': expected a whole number >= 1" >&2; exit 2 ;; esac
max_rounds=${BENCH_MAX_ROUNDS:-12}
case "$max_rounds" in '' | *[!0-9]* | 0) echo "run_bench: BENCH_MAX_ROUNDS='$max_rounds': expected a whole number >= 1" >&2; exit 2 ;; esac
[ "$max_rounds" -ge "$reps" ] || max_rounds=$reps
cpython_reps=()
if [ -n "${CPYTHON_REPETITIONS:-}" ]; then
  case "$CPYTHON_REPETITIONS" in *[!0-9]* | 0) echo "run_bench: CPYTHON_REPETITIONS='$CPYTHON_REPETITIONS': expected a whole number >= 1" >&2; exit 2 ;; esac
  cpython_reps=("--repetitions=$CPYTHON_REPETITIONS")
fi
# No extra rounds for the Python runs: their wide rows (the pure-Python ARCFOUR baseline, thread
# start-up) stayed wider than the limit after 12 rounds too, and the extra rounds cost minutes
# of make bench's 15. Their intervals say how wide they are.
cpython_max_rounds=${CPYTHON_REPETITIONS:-$reps}
read -r -a report_flags <<<"${REPORT_FLAGS:-}"

mkdir -p results plots "$build/bench-logs"
cpu_line="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs"
tmp_files=()
cleanup() { rm -f "${tmp_files[@]}"; }
trap cleanup EXIT
start=$SECONDS
# Every record is written under a temporary name and moved into results/ only when all ran.
declare -A staged=()
temp_record() {  # temp_record NAME: sets $tmp to a temporary file for results/NAME.json
  tmp=$(mktemp "results/.$1.XXXXXX.json")
  tmp_files+=("$tmp")
  staged[$1]=$tmp
}

# The rows that fork (process pools, their start-up, the socket floor) run in processes of
# their own: after a fork every page of the parent is copy-on-write, so a thread-pool row that
# ran after one would pay a page fault per page it touches and measure the fork, not the pool.
sweep_part() {  # sweep_part STEP PART NAME
  temp_record "$3"
  echo "[$1/11] sweep_bench --part=$2: $reps rounds, more for rows with wide intervals (progress below)"
  "$sweep" --part="$2" --benchmark_repetitions="$reps" --max-rounds="$max_rounds" \
    --benchmark_out="$tmp" --benchmark_out_format=json ${sweep_args[@]+"${sweep_args[@]}"} \
    >"$build/bench-logs/$3.log"
}
sweep_part 1 threads sweep_threads
sweep_part 2 processes sweep_processes
sweep_part 3 process_startup sweep_startup

overhead_part() {  # overhead_part STEP NAME FILTER
  temp_record "$2"
  echo "[$1/11] overhead_bench $3: per-task cost of the executors, $reps rounds (progress below)"
  "$overhead" --benchmark_filter="$3" --benchmark_repetitions="$reps" --max-rounds="$max_rounds" \
    --benchmark_min_time="$OVERHEAD_MIN_TIME" \
    --benchmark_out="$tmp" --benchmark_out_format=json >"$build/bench-logs/$2.log"
}
overhead_part 4 overhead_threads "$OVERHEAD_THREAD_ROWS"
overhead_part 5 overhead_processes "$OVERHEAD_PROCESS_ROWS"

temp_record jobs_kernels
echo "[6/11] jobs_bench: ARCFOUR and SHA-256 beside OpenSSL, 4 KiB to 16 MiB, $reps rounds (progress below)"
"$kernels" --benchmark_filter="$KERNEL_ROWS" \
  --benchmark_repetitions="$reps" --max-rounds="$max_rounds" --benchmark_min_time="$KERNEL_MIN_TIME" \
  --benchmark_out="$tmp" --benchmark_out_format=json >"$build/bench-logs/jobs_kernels.log"

names=(sweep_threads sweep_processes sweep_startup overhead_threads overhead_processes
       jobs_kernels)

# MPIPoolExecutor, as an MPI job of 3 ranks on this machine (rank 0 and 2 worker ranks: on 2
# cores, oversubscribed, which the report flags), then what its ranks cost while idle.
mpi_bench=$build/bench/mpi_bench
if [ -x "$mpi_bench" ] && command -v mpirun >/dev/null; then
  temp_record mpi_bench
  echo "[7/11] mpi_bench under mpirun -n 3: the job sets and the per-task cost of MPIPoolExecutor, $reps rounds (progress below)"
  tests/mpi/mpirun.sh 3 "$mpi_bench" --benchmark_repetitions="$reps" --max-rounds="$max_rounds" \
    --benchmark_out="$tmp" --benchmark_out_format=json ${mpi_args[@]+"${mpi_args[@]}"} \
    >"$build/bench-logs/mpi_bench.log"
  names+=(mpi_bench)
  mpi_idle=$build/bench-logs/mpi_idle.txt
  {
    echo "# mpi_bench --idle=3 under mpirun -n 3: CPU time of each rank; $cpu_line"
    tests/mpi/mpirun.sh 3 "$mpi_bench" --idle=3 | sort
  } >"$mpi_idle"
  sed 's/^/  /' "$mpi_idle"
  # The book's arcfour_futures across three simulated hosts (network namespaces, root only).
  mpi_hosts=$build/bench-logs/mpi_hosts.txt
  if [ "$(id -u)" = 0 ] && [ -x "$build/examples/arcfour_futures" ]; then
    {
      echo "# tools/mpi_hosts.sh --hosts=3 arcfour_futures --executor mpi: rank 0 and one worker"
      echo "# rank in each of 3 network namespaces, Open MPI over TCP between them; $cpu_line"
      tools/mpi_hosts.sh --hosts=3 "$build/examples/arcfour_futures" --executor mpi 2>&1
    } >"$mpi_hosts" || { echo "  mpi_hosts: failed, see $mpi_hosts"; mpi_hosts=; }
    [ -z "$mpi_hosts" ] || sed 's/^/  /' "$mpi_hosts" | tail -n 3
  else
    mpi_hosts=
    echo "  across network namespaces: left out (needs root and arcfour_futures)"
  fi
else
  mpi_idle=
  mpi_hosts=
  echo "[7/11] mpi_bench: left out: not built or no mpirun (futures::mpi needs Debian's libopenmpi-dev and openmpi-bin)"
fi
if [ "$python" = 0 ]; then
  echo "[8/11] CPython: left out (--no-python)"
elif ! command -v python3 >/dev/null; then
  echo "[8/11] CPython: left out: python3 not found (install Debian's python3 to compare)"
else
  echo "[8/11] CPython $(python3 -c 'import platform; print(platform.python_version())'): the same jobs on concurrent.futures (progress below)"
  temp_record cpython_bench
  python3 bench/python/cpython_bench.py ${workers_flag[@]+"${workers_flag[@]}"} \
    ${cpython_reps[@]+"${cpython_reps[@]}"} --max-rounds="$cpython_max_rounds" \
    --machine-context="$context" --out="$tmp" \
    2> >(tee "$build/bench-logs/cpython_bench.log" | sed -u 's/^/  /' >&2)
  names+=(cpython_bench)
fi
# PyPy, as the book suggests for CPU-bound Python: the job sets alone (its start-up and
# per-task rows would add minutes and say nothing the CPython rows do not).
if [ "$python" = 0 ]; then
  echo "[9/11] PyPy: left out (--no-python)"
elif ! command -v pypy3 >/dev/null; then
  echo "[9/11] PyPy: left out: pypy3 not found (install Debian's pypy3 to compare)"
else
  pypy_name=$(pypy3 -c 'import platform, sys; v = sys.pypy_version_info
print(f"PyPy {v.major}.{v.minor}.{v.micro} (Python {platform.python_version()})")')
  echo "[9/11] $pypy_name: the same job sets (progress below)"
  temp_record pypy_bench
  pypy3 bench/python/cpython_bench.py --no-startup --no-overhead \
    ${workers_flag[@]+"${workers_flag[@]}"} \
    ${cpython_reps[@]+"${cpython_reps[@]}"} --max-rounds="$cpython_max_rounds" \
    --machine-context="$context" --out="$tmp" \
    2> >(tee "$build/bench-logs/pypy_bench.log" | sed -u 's/^/  /' >&2)
  names+=(pypy_bench)
fi

# Not a benchmark record: the process pool's dispatch in counts (bench/dispatch_parity.cpp),
# beside CPython's (bench/python/dispatch_parity.py), with the machine context.
temp_record dispatch_parity
echo "[10/11] dispatch_parity: how the process pool hands out tasks, in counts, beside CPython's"
{
  printf '{"context": %s,\n "futures": %s' "$("$context")" "$("$build/bench/dispatch_parity")"
  if [ "$python" = 1 ] && command -v python3 >/dev/null; then
    printf ',\n "cpython": %s' "$(python3 bench/python/dispatch_parity.py)"
  fi
  printf '}\n'
} >"$tmp"
mv "$tmp" results/dispatch_parity.json

# The I/O-bound half: the flags downloads on each executor from a flags_server in DELAY mode,
# then the server's own throughput under wrk (LOCAL mode, no delay).
# shellcheck source=tools/start_flags_server.sh
. "$(dirname "$0")/start_flags_server.sh"
server_pids=()
wrk_text=
stop_flags_servers() { [ ${#server_pids[@]} -eq 0 ] || kill "${server_pids[@]}" 2>/dev/null || true; }
trap 'stop_flags_servers; cleanup' EXIT
flags_server=$build/examples/flags/flags_server
if [ -x "$flags_server" ] && [ -x "$build/bench/flags_bench" ]; then
  temp_record flags_bench
  echo "[11/11] flags_bench: the book's flags downloads from a DELAY server ($flags_delay s), $reps rounds (progress below)"
  # The server runs as flags_bench's child, so that its CPU time is the row's, not "other
  # programs' load".
  "$build/bench/flags_bench" --server="$flags_server" --delay="$flags_delay" \
    --workers=4,16,64 --flag-rounds=2 \
    --benchmark_repetitions="$reps" --max-rounds="$max_rounds" \
    --benchmark_out="$tmp" --benchmark_out_format=json >"$build/bench-logs/flags_bench.log"
  names+=(flags_bench)
  if [ "$python" = 1 ] && command -v python3 >/dev/null; then
    echo "  CPython: the same downloads on urllib with ThreadPoolExecutor, and on asyncio (progress below)"
    temp_record cpython_flags
    python3 bench/python/flags_bench.py --server="$flags_server" --delay="$flags_delay" \
      --workers=4,16,64 --flag-rounds=2 --rounds="$reps" --max-rounds="$cpython_max_rounds" \
      --machine-context="$context" --out="$tmp" \
      2> >(tee "$build/bench-logs/cpython_flags.log" | sed -u 's/^/  /' >&2)
    names+=(cpython_flags)
  fi
  if command -v wrk >/dev/null; then
    start_flags_server "$flags_server" "$build/bench-logs/flags_server_LOCAL.log" LOCAL \
      --lifetime 600  # it stops by itself after 10 minutes at the latest
    {
      echo "# flags_server (LOCAL) under wrk: GET /flags/cn/cn.png, 1 thread, 50 connections,"
      echo "# 5 runs of 2 s; $cpu_line"
      for run in 1 2 3 4 5; do
        wrk -t1 -c50 -d2s "$flags_url/cn/cn.png" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/run '"$run"': \1 requests\/s/p'
      done
    } >"$build/bench-logs/flags_wrk.txt"
    rates=$(sed -n 's/^run [0-9]*: \([0-9.]*\).*/\1/p' "$build/bench-logs/flags_wrk.txt" | sort -n)
    n=$(echo "$rates" | wc -l)
    echo "median of $n runs: $(echo "$rates" | sed -n "$(((n + 1) / 2))p") requests/s" \
      "(lowest $(echo "$rates" | head -n 1), highest $(echo "$rates" | tail -n 1))" \
      >>"$build/bench-logs/flags_wrk.txt"
    wrk_text=$build/bench-logs/flags_wrk.txt  # into results/ with the records, at the end
    echo "  flags_server under wrk: $(tail -n 1 "$wrk_text")"
  else
    echo "  wrk not found: flags_server's throughput left out (install Debian's wrk)"
  fi
  stop_flags_servers
  server_pids=()
else
  echo "[11/11] flags_bench: left out: flags_server or flags_bench not built (they need Boost and CLI11)"
fi

records=()
for name in "${names[@]}"; do
  mv "${staged[$name]}" "results/$name.json"
  records+=("results/$name.json")
done
[ -z "$wrk_text" ] || cp "$wrk_text" results/flags_server_wrk.txt
[ -z "$mpi_idle" ] || cp "$mpi_idle" results/mpi_idle.txt
[ -z "$mpi_hosts" ] || cp "$mpi_hosts" results/mpi_hosts.txt
rm -f results/sweep_bench.json  # the single sweep record of earlier versions

bench_seconds=$((SECONDS - start))
echo "report: results/speedup.csv, results/overhead.csv, results/summary.md, plots/ ($bench_seconds s of benchmarks)"
"$report" "${records[@]}" --results results --plots plots ${report_flags[@]+"${report_flags[@]}"}
# How long the run took, beside its records (make bench appends its own total).
{
  echo "# $cpu_line, $(date -u +%FT%TZ), git $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "tools/run_bench.sh: $bench_seconds s of benchmarks, $((SECONDS - start)) s with the report"
} >results/run_time.txt
