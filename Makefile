# The README's entry points. Each target installs what it needs first (Debian packages, only
# those missing), then configures and builds through the CMake presets.
JOBS ?= $(shell nproc)

.PHONY: test bench sanitize deps-test deps-bench clean help

help:
	@echo "make test      install deps, build (preset debug), run the test suite"
	@echo "make bench     install deps, build (preset release), run the benchmarks"
	@echo "make sanitize  the test suite under ASan+UBSan, then under TSan"
	@echo "make clean     remove build/"

deps-test:
	@tools/install_deps.sh test

deps-bench:
	@tools/install_deps.sh bench

test: deps-test
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)
	ctest --preset debug -j $(JOBS)

bench: deps-bench
	cmake --preset release
	cmake --build --preset release -j $(JOBS)
	tools/run_bench.sh build/release

sanitize: deps-test
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)
	cmake --preset tsan
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

clean:
	rm -rf build
