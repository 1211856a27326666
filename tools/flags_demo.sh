#!/usr/bin/env bash
# Runs the book's flags2 session on this machine and prints its transcript: flags_server in
# its three modes (LOCAL, DELAY at 0.1 s, ERROR at 0.25) on free loopback ports, each flags2
# program against DELAY, download_urls against LOCAL, flags2_asyncio against ERROR.
# examples/README.md quotes results/flags_demo.txt, this script's output; its timings are one
# run's, not benchmarks.
# Usage: tools/flags_demo.sh [BUILD_DIR]   (default build/debug; the programs are in
#        BUILD_DIR/examples/flags)
set -euo pipefail

if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
bin=$(cd "${1:-build/debug}" 2>/dev/null && pwd)/examples/flags
[ -x "$bin/flags_server" ] || { echo "flags_demo: no $bin/flags_server: build first (make test)" >&2; exit 2; }

work=$(mktemp -d)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=tools/start_flags_server.sh
. "$(dirname "$0")/start_flags_server.sh"

# start MODE ARGS...: a server that stops by itself after 5 minutes; sets url to its base URL.
start() {
  start_flags_server "$bin/flags_server" "$work/$1.out" "$@" --lifetime 300
  url=$flags_url
}

# show COMMAND...: prints "$ COMMAND" and what it prints (the progress bar left out).
show() {
  {
    echo "\$ $*"
    (cd "$work" && "$bin/$@" 2>/dev/null)
  } | sed "s|http://127.0.0.1:[0-9]*/flags|\$URL|g"
  echo
}

cpu_field() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
echo "# flags2 session, $(date -u +%Y-%m-%d), $(cpu_field 'model name') (family $(cpu_field 'cpu family'), model $(cpu_field 'model\s*:')), $(nproc) CPUs"
echo "# revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown), programs from ${1:-build/debug}; \$URL is each server's loopback address"
echo
start DELAY --delay 0.1
delay=$url
start ERROR --error-rate 0.25 --seed 0
error=$url
echo "# DELAY server: every response after 0.1 s"
show flags2_sequential --url "$delay" --dest d1
show flags2_threadpool --url "$delay" --dest d2
show flags2_asyncio --url "$delay" --dest d3
show flags2_threadpool --url "$delay" --dest d4 -a -m 100
start LOCAL
local=$url
echo "# LOCAL server: the Python docs' ThreadPoolExecutor example, four flags and a missing image"
show download_urls "$local/cn/cn.png" "$local/br/br.png" "$local/in/in.png" "$local/us/us.png" \
  "$local/xx/xx.png"
echo "# ERROR server: a quarter of the requests answered 418, the same ones for the same seed"
show flags2_asyncio --url "$error" --dest e1 -v B
kill "${server_pids[@]}"
wait 2>/dev/null || true
server_pids=()
echo "# The ERROR server's closing line"
tail -n 1 "$work/ERROR.out"
