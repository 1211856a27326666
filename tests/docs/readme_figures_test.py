#!/usr/bin/env python3
"""README quotes only what a committed file holds.

Every measured figure in README.md (a number with x, ×, ns, us, µs, ms, s, %, MB/s or GB/s, and
every interval [a, b]) must stand inside a block that names its source,

    <!-- figures: results/summary.md -->
    ...
    <!-- end of figures -->

and appear, as written, in that file. Outside such blocks (and outside code: fenced blocks
and `inline spans`) README has no figures at all, except the method's own constants (95%
intervals, the 10% and 5% limits), which are settings, not measurements. Run: readme_figures_test.py [REPO_ROOT]; exit status 0 when all hold.
readme_figures_test.py --self-test checks the checker on made-up files.
"""

import pathlib
import re
import sys
import tempfile

FIGURE = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?(?:×|x(?![\w])| ?(?:ns|us|µs|ms|s|%|MB/s|GB/s)(?![\w/]))"
    r"|\[\d+(?:\.\d+)?, \d+(?:\.\d+)?\]")
CODE_SPAN = re.compile(r"`[^`]*`")
CONSTANTS = {"95%", "10%", "5%"}
BEGIN = re.compile(r"<!-- figures: (\S+) -->")
END = "<!-- end of figures -->"


def figures(text):
    """The figures of a line of prose, code spans left out."""
    return [m.group(0) for m in FIGURE.finditer(CODE_SPAN.sub("", text))]


def check(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    problems = []
    source = None
    in_code = False
    for number, line in enumerate(readme.splitlines(), 1):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        begin = BEGIN.search(line)
        if begin:
            path = root / begin.group(1)
            if not path.is_file():
                problems.append(f"README.md:{number}: {begin.group(1)} is not a file")
                source = ""
            else:
                source = path.read_text(encoding="utf-8")
            continue
        if END in line:
            source = None
            continue
        for figure in figures(line):
            if source is None and figure in CONSTANTS:
                continue
            if source is None:
                problems.append(f"README.md:{number}: '{figure}' outside a figures block")
            elif figure.replace("µs", "us") not in source:
                problems.append(f"README.md:{number}: '{figure}' is not in the block's source")
    if source is not None:
        problems.append("README.md: a figures block is not closed")
    return problems


def self_test():
    """The checker finds what it must: a figure not in its source, one outside a block."""
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        (root / "results").mkdir()
        (root / "results" / "summary.md").write_text("| thread | 1.93× [1.88, 1.97] | 169 ns |\n")
        good = ("# x\n<!-- figures: results/summary.md -->\nthreads 1.93× [1.88, 1.97], 169 ns\n"
                "<!-- end of figures -->\n```\nmake bench  # 15 s\n```\n2 workers, 12 jobs\n")
        cases = [
            (good, 0),
            (good.replace("1.93×", "1.94×"), 1),                  # not in the source
            (good + "about 3.5× faster\n", 1),                    # outside a block
            (good + "95% intervals, `result(100ms)`\n", 0),       # a constant, code
            (good + "rounds of 12%\n", 1),                         # not a constant
            (good.replace("[1.88, 1.97]", "[1.8, 1.97]"), 1),     # an interval changed
            (good.replace("results/summary.md", "results/none.md"), 4),  # no such file
            (good.replace("<!-- end of figures -->\n", ""), 1),  # never closed
        ]
        for text, expected in cases:
            (root / "README.md").write_text(text, encoding="utf-8")
            found = len(check(root))
            if found != expected:
                print(f"self-test: expected {expected} problem(s), found {found} in:\n{text}",
                      file=sys.stderr)
                return 1
    print("readme_figures: self-test passed")
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).parents[2])
    problems = check(root)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"readme_figures: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
