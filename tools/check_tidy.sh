#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy's checks) over the library's sources and the headers they
# include, with a configured build's compile_commands.json; exits 1 on any finding.
# Usage: tools/check_tidy.sh [BUILD_DIR]   (default build/debug, as make test leaves it)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/debug}
command -v clang-tidy >/dev/null || { echo "check_tidy: clang-tidy is not installed" >&2; exit 1; }
[ -f "$build/compile_commands.json" ] ||
  { echo "check_tidy: no $build/compile_commands.json: configure first (cmake --preset debug)" >&2; exit 1; }
mapfile -t files < <(git ls-files 'src/futures/*.cpp')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! printf '%s\n' "${files[@]}" |
     xargs -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet >"$log" 2>&1; then
  grep -E "(warning|error):" "$log" | sort -u >&2 || cat "$log" >&2
  echo "check_tidy: findings above (.clang-tidy lists the checks)" >&2
  exit 1
fi
echo "check_tidy: ${#files[@]} library sources clean under .clang-tidy"
