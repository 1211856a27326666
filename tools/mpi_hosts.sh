#!/usr/bin/env bash
# Runs a program as an MPI job across simulated hosts: network namespaces on this machine, one
# rank in each, joined by veth pairs to a bridge in the first, with Open MPI over TCP between
# them and its launcher reaching each namespace through `ip netns exec`. Rank 0 runs in the
# first namespace. Prints the program's output, then what crossed each other namespace's link.
# Needs root (ip netns), iproute2 and Open MPI. Removes everything it made, whatever happens.
# Usage: tools/mpi_hosts.sh [--hosts=N] [--timeout=SECONDS] PROGRAM [ARGS...]
#   --hosts=N          namespaces, and ranks: 2 to 8 (default 3)
#   --timeout=SECONDS  the most the job may take (default 120)
# Exit status: the job's (mpirun's), 124 past the timeout, 2 for bad usage or missing tools.
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
hosts=3
limit=120
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts=*) hosts=${1#*=} ;;
    --timeout=*) limit=${1#*=} ;;
    --) shift; break ;;
    -*) echo "mpi_hosts: unknown flag '$1' (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
case "$hosts" in [2-8]) ;; *) echo "mpi_hosts: invalid --hosts '$hosts': expected 2 to 8" >&2; exit 2 ;; esac
case "$limit" in '' | *[!0-9]*) echo "mpi_hosts: invalid --timeout '$limit': expected whole seconds" >&2; exit 2 ;; esac
[ $# -ge 1 ] || { echo "usage: $0 [--hosts=N] [--timeout=SECONDS] PROGRAM [ARGS...] (see --help)" >&2; exit 2; }
program=$(command -v "$1" || true)
[ -n "$program" ] && [ -x "$program" ] || { echo "mpi_hosts: '$1' is not an executable" >&2; exit 2; }
shift
[ "$(id -u)" = 0 ] || { echo "mpi_hosts: needs root, to make network namespaces" >&2; exit 2; }
command -v ip >/dev/null || { echo "mpi_hosts: 'ip' not found (Debian's iproute2)" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "mpi_hosts: 'mpirun' not found (Debian's openmpi-bin)" >&2; exit 2; }

# Names unique to this run: namespaces fb<pid>n<k>, links v<pid>n<k> (at most 15 characters).
tag=$$
ns() { echo "fb${tag}n$1"; }
addr() { echo "10.77.0.$(($1 + 1))"; }
made=()
work=$(mktemp -d)
cleanup() {
  for n in "${made[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
  for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ((k = 0; k < hosts; k++)); do
  ip netns add "$(ns $k)"
  made+=("$(ns $k)")
  ip -n "$(ns $k)" link set lo up
done
hub=$(ns 0)
ip -n "$hub" link add br0 type bridge
ip -n "$hub" addr add "$(addr 0)/24" dev br0
ip -n "$hub" link set br0 up
for ((k = 1; k < hosts; k++)); do
  ip link add "v${tag}h$k" type veth peer name "v${tag}n$k"
  ip link set "v${tag}h$k" netns "$hub"
  ip link set "v${tag}n$k" netns "$(ns $k)"
  ip -n "$hub" link set "v${tag}h$k" master br0 up
  ip -n "$(ns $k)" addr add "$(addr $k)/24" dev "v${tag}n$k"
  ip -n "$(ns $k)" link set "v${tag}n$k" up
done

# mpirun's launcher: "AGENT HOST COMMAND..." runs COMMAND in HOST's namespace. Every host gets
# a temporary directory of its own: the namespaces share this machine's name and /tmp, and
# Open MPI's daemons would otherwise share one session directory and trip over each other.
agent=$work/agent
for ((k = 0; k < hosts; k++)); do mkdir "$work/tmp$k"; done
{
  echo '#!/bin/sh'
  echo 'host=$1; shift'
  echo 'case "$host" in'
  for ((k = 0; k < hosts; k++)); do
    echo "  $(addr $k)) exec env TMPDIR=$work/tmp$k ip netns exec $(ns $k) sh -c \"\$*\" ;;"
  done
  echo '  *) echo "mpi_hosts agent: unknown host $host" >&2; exit 255 ;;'
  echo 'esac'
} >"$agent"
chmod +x "$agent"

bytes() {  # bytes K rx|tx: what namespace K's link has received or sent
  ip -n "$(ns "$1")" -s link show "v${tag}n$1" | awk -v want="$2" '
    /RX:/ { getline; rx = $1 } /TX:/ { getline; tx = $1 } END { print (want == "rx" ? rx : tx) }'
}
declare -A rx0 tx0
for ((k = 1; k < hosts; k++)); do rx0[$k]=$(bytes $k rx); tx0[$k]=$(bytes $k tx); done

host_list=$(for ((k = 0; k < hosts; k++)); do printf '%s:1,' "$(addr $k)"; done)
status=0
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TMPDIR=$work/tmp0 \
  timeout --kill-after=5 "$limit" ip netns exec "$hub" mpirun -n "$hosts" -H "${host_list%,}" \
  --mca plm_rsh_agent "$agent" --mca pml ob1 --mca btl self,tcp \
  --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
  "$program" "$@" || status=$?

for ((k = 1; k < hosts; k++)); do
  echo "mpi_hosts: namespace $(ns $k) ($(addr $k)), rank $k: received $(($(bytes $k rx) - rx0[$k])) bytes, sent $(($(bytes $k tx) - tx0[$k])) bytes"
done
exit "$status"
