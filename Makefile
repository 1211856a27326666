# The README's entry points. Each target installs what it needs first (Debian packages, only
# those missing), then configures and builds through the CMake presets.
JOBS ?= $(shell nproc)

.PHONY: test bench bench-run sanitize fuzz lint deps-test deps-bench deps-fuzz deps-lint clean help
FUZZ_SECONDS ?= 60

help:
	@echo "make test      install deps, build (preset debug), run the test suite"
	@echo "make bench     install deps, build (preset release), run the benchmarks, write"
	@echo "               results/ (records, CSV, summary.md) and plots/, print the summary"
	@echo "               (SWEEP_FLAGS=..., e.g. --no-python to leave out CPython and PyPy,"
	@echo "               --workers=1,2,3,4; BENCH_REPETITIONS=9 rounds, BENCH_MAX_ROUNDS=12 for"
	@echo "               rows whose interval is still wide; REPORT_FLAGS=--strict)"
	@echo "make sanitize  the test suite under ASan+UBSan, then under TSan"
	@echo "make fuzz      fuzz the process pool's message decoder (FUZZ_SECONDS=60)"
	@echo "make lint      clang-format over every C++ file, clang-tidy over the library's sources"
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
# Only what tools/run_bench.sh runs is built: make bench has 15 minutes on 2 cores.
BENCH_TARGETS = sweep_bench overhead_bench jobs_bench dispatch_parity flags_bench flags_server \
                report machine_context mpi_bench arcfour_futures

bench:
	@start=$$(date +%s); $(MAKE) --no-print-directory bench-run && \
	  echo "make bench: $$(($$(date +%s) - start)) s in all (packages, build, benchmarks, report)" \
	  | tee -a results/run_time.txt

bench-run: deps-bench
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target $(BENCH_TARGETS)
	tools/run_bench.sh build/release $(SWEEP_FLAGS)

sanitize: deps-test
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)
	cmake --preset tsan
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

# New inputs go to build/fuzz/corpus; the committed seeds stay in tests/fuzz/corpus. A crash
# leaves crash-* in the current directory: copy it to tests/fuzz/regressions/ once fixed.
deps-fuzz:
	@tools/install_deps.sh fuzz

fuzz: deps-fuzz
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	mkdir -p build/fuzz/corpus
	build/fuzz/tests/fuzz/worker_message_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -print_final_stats=1 build/fuzz/corpus tests/fuzz/corpus

# The format check reads no build; clang-tidy reads the debug preset's compile commands.
deps-lint:
	@tools/install_deps.sh lint

lint: deps-lint
	tools/check_format.sh
	cmake --preset debug >/dev/null
	tools/check_tidy.sh build/debug

clean:
	rm -rf build
