#!/usr/bin/env bash
# Checks that every tracked C++ file is formatted as .clang-format says; lists those that are
# not and exits 1. Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
# Usage: tools/check_format.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check_format: clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check_format: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "check_format: fix with: clang-format -i FILE..." >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted as .clang-format says"
