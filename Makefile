# The README's entry points. Each target installs what it needs first (Debian packages, only
# those missing), then configures and builds through the CMake presets.
JOBS ?= $(shell nproc)

.PHONY: test bench sanitize deps-test deps-bench clean help

help:
	@echo "make test      install deps, build (preset debug), run the test suite"
	@echo "make bench     install deps, build (preset release), run the benchmarks, write"
	@echo "               results/*.csv and plots/, print the summary (SWEEP_FLAGS=...)"
	@echo "make clean     remove build/"

deps-test:
	@tools/install_deps.sh test

deps-bench:
	@tools/install_deps.sh bench

test: deps-test
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)
	ctest --preset debug -j $(JOBS)

# SWEEP_FLAGS go to sweep_bench, e.g. make bench SWEEP_FLAGS="--workers=1,2,3,4,16 --scale=8".
bench: deps-bench
	cmake --preset release
	cmake --build --preset release -j $(JOBS)
	tools/run_bench.sh build/release $(SWEEP_FLAGS)

clean:
	rm -rf build
