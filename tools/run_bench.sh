#!/usr/bin/env bash
# Runs the benchmark programs of a build tree and writes their JSON records under results/.
# Usage: tools/run_bench.sh BUILD_DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1
[ -d "$build/bench" ] || { echo "run_bench: '$build/bench' not found: build with the release preset first" >&2; exit 2; }
mkdir -p results
shopt -s nullglob
progs=("$build"/bench/*_bench)
[ ${#progs[@]} -gt 0 ] || { echo "run_bench: no *_bench programs in '$build/bench'" >&2; exit 2; }
i=0
for prog in "${progs[@]}"; do
  i=$((i + 1))
  name=$(basename "$prog")
  echo "[$i/${#progs[@]}] $name"
  tmp=$(mktemp "results/.${name}.XXXXXX.json")
  trap 'rm -f "$tmp"' EXIT
  "$prog" --benchmark_out="$tmp" --benchmark_out_format=json
  mv "$tmp" "results/${name}.json"
  trap - EXIT
done
