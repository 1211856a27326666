#!/usr/bin/env python3
"""Checks the library's include layers; exits 1 with one line per breach.

  include/futures/*.hpp           the public headers (installed)
  include/futures/internal/*.hpp  what the public templates need (installed, not for users)
  src/futures/**                  the sources and the private internal headers (not installed)

Rules: an installed header includes only standard headers and other installed headers;
internal/ (installed or private) reaches up to no public header but the vocabulary ones
(errors.hpp, types.hpp, codec.hpp), which include nothing of ours above them.

usage: include_layers_test.py REPO | --self-test
"""
import pathlib
import re
import sys
import tempfile

VOCABULARY = {"futures/errors.hpp", "futures/types.hpp", "futures/codec.hpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def includes(path):
    return INCLUDE.findall(path.read_text())


def breaches(repo):
    repo = pathlib.Path(repo)
    installed = {p.relative_to(repo / "include").as_posix()
                 for p in (repo / "include").rglob("*.hpp")}
    out = []
    for header in sorted(installed):
        for inc in includes(repo / "include" / header):
            if inc not in installed:
                out.append(f"include/{header}: includes {inc}, which is not installed")
    internal = [p for p in (repo / "include/futures/internal").glob("*")] + \
               [p for p in (repo / "src/futures/internal").glob("*")]
    for path in sorted(internal):
        for inc in includes(path):
            public = inc.startswith("futures/") and not inc.startswith("futures/internal/")
            if public and inc not in VOCABULARY:
                out.append(f"{path.relative_to(repo)}: internal code includes the public {inc}")
    for vocab in sorted(VOCABULARY):
        for inc in includes(repo / "include" / vocab):
            if inc not in VOCABULARY:
                out.append(f"include/{vocab}: a vocabulary header includes {inc}")
    return out


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for d in ("include/futures/internal", "src/futures/internal"):
            (root / d).mkdir(parents=True)
        (root / "include/futures/errors.hpp").write_text("")
        (root / "include/futures/types.hpp").write_text("")
        (root / "include/futures/codec.hpp").write_text('#include "futures/errors.hpp"\n')
        (root / "include/futures/future.hpp").write_text('#include "futures/internal/state.hpp"\n')
        (root / "include/futures/internal/state.hpp").write_text('#include "futures/types.hpp"\n')
        assert breaches(root) == [], breaches(root)
        (root / "src/futures/internal/cpus.hpp").write_text("")
        (root / "include/futures/future.hpp").write_text('#include "futures/internal/cpus.hpp"\n')
        (root / "src/futures/internal/x.cpp").write_text('#include "futures/future.hpp"\n')
        (root / "include/futures/types.hpp").write_text('#include "futures/future.hpp"\n')
        found = breaches(root)
        assert len(found) == 3, found
        assert "not installed" in found[0] and "reaches" not in found[0], found
    print("include_layers_test: self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = breaches(sys.argv[1])
    for line in found:
        print(line)
    if found:
        sys.exit(1)
    print("include_layers_test: the include layers hold")


if __name__ == "__main__":
    main()
