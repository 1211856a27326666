# Sourced by tools/run_bench.sh and tools/flags_demo.sh.
# start_flags_server PROGRAM LOG MODE [ARGS...]: starts flags_server PROGRAM in MODE on a free
# loopback port with ARGS, its output in LOG; appends its pid to server_pids and sets flags_url
# to the base URL it prints. Exits 1 when it has not printed one after 5 s.
start_flags_server() {
  local program=$1 log=$2 mode=$3
  shift 3
  "$program" --mode "$mode" --port 0 "$@" >"$log" 2>&1 &
  server_pids+=($!)
  flags_url=
  for _ in $(seq 100); do
    flags_url=$(grep -o 'http://127.0.0.1:[0-9]*/flags' "$log" || true)
    [ -n "$flags_url" ] && return 0
    sleep 0.05
  done
  echo "$(basename "$0"): flags_server --mode $mode did not start (see $log)" >&2
  exit 1
}
