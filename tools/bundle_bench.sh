#!/usr/bin/env bash
# Copies a release build's CPU-bound benchmark programs (sweep_bench, jobs_bench and
# overhead_bench), the shared libraries they need beyond the C library, OpenSSL's legacy
# provider (RC4) and the CPython script into one folder, so that tools/reference_sweep.sh runs
# them on another x86-64 Linux machine without Debian's packages: a machine with more cores
# than this one.
# Usage: tools/bundle_bench.sh BUILD_DIR DEST
#   BUILD_DIR  a release build (cmake --preset release); its bench/sweep_bench, bench/jobs_bench,
#              bench/overhead_bench and tools/context/machine_context are brought up to date
#              first
#   DEST       created or emptied: DEST/bin (a script per program that runs it from
#              DEST/libexec with DEST/lib's libraries and OpenSSL modules), DEST/python,
#              DEST/revision (the git revision the programs were built from)
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR DEST (see --help)" >&2; exit 2; }
build=$1
dest=$2
programs=("$build/bench/sweep_bench" "$build/bench/jobs_bench" "$build/bench/overhead_bench"
          "$build/tools/context/machine_context")
# Built here first: a program older than the sources would carry another revision's code.
cmake --build "$build" --target sweep_bench jobs_bench overhead_bench machine_context >/dev/null ||
  { echo "bundle_bench: building $build failed (configure it with cmake --preset release)" >&2; exit 2; }
for p in "${programs[@]}"; do
  [ -x "$p" ] || { echo "bundle_bench: '$p' not found: build with the release preset first" >&2; exit 2; }
done
modules=$(openssl version -m 2>/dev/null | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
[ -f "$modules/legacy.so" ] || { echo "bundle_bench: OpenSSL's legacy provider not found (openssl version -m: '$modules')" >&2; exit 2; }
git diff --quiet HEAD -- src bench tools ||
  echo "bundle_bench: warning: src, bench or tools differ from HEAD: the records will say so" >&2

rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/libexec" "$dest/lib/ossl-modules" "$dest/python"
cp "${programs[@]}" "$dest/libexec/"
for p in "${programs[@]}"; do
  # Only the bundled programs see the bundled libraries, not the rest of that machine.
  cat >"$dest/bin/${p##*/}" <<WRAPPER
#!/bin/sh
here=\$(cd "\$(dirname "\$0")/.." && pwd)
LD_LIBRARY_PATH=\$here/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} OPENSSL_MODULES=\$here/lib/ossl-modules \\
  exec "\$here/libexec/${p##*/}" "\$@"
WRAPPER
  chmod +x "$dest/bin/${p##*/}"
done
# The libraries each program loads, less the C library's own (libc, libm, the loader), which
# the other machine has in a version at least as new.
ldd "${programs[@]}" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
  grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' |
  while read -r lib; do cp -L "$lib" "$dest/lib/"; done
cp -L "$modules/legacy.so" "$dest/lib/ossl-modules/"
cp bench/python/cpython_bench.py "$dest/python/"
git rev-parse --short HEAD >"$dest/revision"
echo "bundle_bench: $dest: $(ls "$dest/bin" | tr '\n' ' ')+ $(ls "$dest/lib" | grep -c '\.so') libraries ($(du -sh "$dest" | cut -f1))"
