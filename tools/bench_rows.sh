# shellcheck shell=bash
# Sourced by tools/run_bench.sh, tools/before_after.sh and tools/reference_sweep.sh: the rows of
# overhead_bench and jobs_bench that make bench runs, and their time per row and round, so that
# a before/after comparison and a bigger machine's run measure what make bench measures.
# overhead_bench in two processes: the rows that fork apart from the others (bench/README.md).
# A quarter of a second a row and round: their spread comes from one round to the next (a
# worker asleep or spinning, a vCPU descheduled), not from within a round.
# shellcheck disable=SC2034  # used by the scripts that source this file
OVERHEAD_THREAD_ROWS='^BM_(ThreadPool|TBB|SpinPause)'
OVERHEAD_PROCESS_ROWS='^BM_(ProcessPool|Pipe)_'
OVERHEAD_MIN_TIME=0.25
# jobs_bench: our kernels beside OpenSSL's on the same input, one thread, preallocated buffers.
KERNEL_ROWS='^BM_(Arcfour_(Ours|OpenSSL)/.*/fresh:0|Sha256_(Ours|EvpDigest)/)'
KERNEL_MIN_TIME=0.1
