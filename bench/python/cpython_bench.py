#!/usr/bin/env python3
"""The book's CPU-bound jobs on CPython's own concurrent.futures, for the report beside ours.

Runs Fluent Python's ch. 17 experiments (ARCFOUR and SHA-256 job sets) exactly as the C++ jobs
in src/jobs/ define them -- sequentially, on ThreadPoolExecutor and on ProcessPoolExecutor at
the worker counts sweep_bench uses -- plus pool start-up and per-task overhead rows, and writes
the measurements as a Google Benchmark JSON record that tools/report reads beside
sweep_bench's and overhead_bench's records. Standard library only; Python 3.9 or later.

bench/python/README.md explains the method. `cpython_bench.py --help` lists the flags.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime
import hashlib
import json
import math
import multiprocessing
import os
import platform
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PROGRAM = "cpython_bench"

# The interpreter running this script names its rows: executors cpython-<kind> or pypy-<kind>,
# benchmark families BM_CPython<Kind>_... or BM_PyPy<Kind>_... (tools/report reads both).
IMPLEMENTATION = "pypy" if platform.python_implementation() == "PyPy" else "cpython"
FAMILY = "PyPy" if IMPLEMENTATION == "pypy" else "CPython"

# The names of a row's fields and counters that tools/report reads. They mirror
# tools/report/fields.hpp string for string (a test compares them); change both together.
EXECUTOR = "executor"  # sequential, thread, process, ... (here cpython-<kind>, pypy-<kind>)
WORKLOAD = "workload"  # arcfour, sha
BOUND = "bound"  # "io" for I/O-bound rows (flags_bench.py); absent: CPU-bound
WORKERS = "workers"
JOBS = "jobs"
JOB_BYTES = "job_bytes"  # mean bytes per job
TOTAL_BYTES = "total_bytes"  # bytes of the whole set
CORES_BUSY = "cores_busy"  # CPU-seconds per wall second: this process and its descendants
MACHINE_BUSY = "machine_busy"  # the whole machine, busy (not idle or iowait)
MACHINE_STEAL = "machine_steal"  # the whole machine, taken by the hypervisor
SYSTEM_SECONDS = "system_seconds"  # of the process tree, per iteration
MINOR_FAULTS = "minor_faults"  # of the process tree, per iteration
MAJOR_FAULTS = "major_faults"  # of the process tree, per iteration
CANARY_SECONDS = "canary_seconds"  # the slower canary of the two around the timed region
RANKS = "ranks"  # rows of an MPI job (mpi_bench) only: its ranks; none here
CPUS = "cpus"  # rows of an MPI job only: the machine's CPUs, beside RANKS
SECONDS_PER_TASK = "seconds_per_task"  # overhead and start-up rows

# -------------------------------------------------------------------------------------------
# The jobs: src/jobs/job_sets.hpp, arcfour.cpp, random.cpp and sha256.cpp, in Python.

ARCFOUR_SIZE = 2**18
ARCFOUR_JOBS = 12
ARCFOUR_KEY = b"'Twas brillig, and the slithy toves\nDid gyre"
ARCFOUR_LOOPS = 20
SHA_SIZE = 2**20
SHA_JOBS = 12
DEFAULT_SEED = 2015

_MASK64 = (1 << 64) - 1
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15

# The data of a job is this many seeded pseudo-random bytes, repeated to the job's size.
RANDOM_BLOCK = 4096


def arcfour(key, in_bytes, loops=ARCFOUR_LOOPS):
    """The book's arcfour.py: RC4 with the CipherSaber-2 repeated key schedule.

    The body is the book's pure-Python code, unchanged; only the argument checks (the ones
    jobs::Arcfour makes) are added.
    """
    if not 1 <= len(key) <= 256:
        raise ValueError(f"arcfour: key must be 1 to 256 bytes long, got {len(key)} bytes")
    if loops < 1:
        raise ValueError(f"arcfour: loops must be 1 or more, got {loops}")

    kbox = bytearray(256)  # create key box
    for i, car in enumerate(key):  # copy key and vector
        kbox[i] = car
    j = len(key)
    for i in range(j, 256):  # repeat until full
        kbox[i] = kbox[i - j]

    # [1] initialize sbox
    sbox = bytearray(range(256))

    # repeat sbox mixing loop, as recommended in CipherSaber-2
    j = 0
    for k in range(loops):
        for i in range(256):
            j = (j + sbox[i] + kbox[i]) % 256
            sbox[i], sbox[j] = sbox[j], sbox[i]

    # main loop
    i = 0
    j = 0
    out_bytes = bytearray()

    for car in in_bytes:
        i = (i + 1) % 256
        # [2] shuffle sbox
        j = (j + sbox[i]) % 256
        sbox[i], sbox[j] = sbox[j], sbox[i]
        # [3] compute t
        t = (sbox[i] + sbox[j]) % 256
        k = sbox[t]
        car = car ^ k
        out_bytes.append(car)

    return out_bytes


def _mix64(z):
    """SplitMix64's output function, as jobs::derive_seed uses it."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def derive_seed(base, index):
    """The seed of job number `index` of a set whose base seed is `base` (jobs::derive_seed)."""
    return _mix64((base + (index + 1) * _GOLDEN_GAMMA) & _MASK64)


def random_bytes(size, seed):
    """`size` bytes determined by `seed`: RANDOM_BLOCK bytes from random.Random(seed).randbytes,
    repeated. A shorter result is a prefix of a longer one with the same seed.

    CPython has no fast seeded generator: randbytes makes about 200 MB/s and os.urandom about
    350 MB/s, several times slower than hashlib's SHA-256, so that either would be most of a
    SHA job. Repeating a block costs a memory copy. Neither job's speed depends on the content.
    """
    if size < 0:
        raise ValueError(f"random_bytes: size must be 0 or more, got {size}")
    block = random.Random(seed).randbytes(RANDOM_BLOCK)
    if size <= RANDOM_BLOCK:
        return block[:size]
    whole, rest = divmod(size, RANDOM_BLOCK)
    return block * whole + block[:rest] if rest else block * whole


def arcfour_test(size, key, seed):
    """The book's arcfour_test(size, key): random data, encrypted, decrypted and compared.
    Returns `size`."""
    in_text = random_bytes(size, seed)
    cypher_text = arcfour(key, in_text)
    out_text = arcfour(key, cypher_text)
    if in_text != out_text:
        raise RuntimeError(f"arcfour_test: decrypting {size} bytes did not restore the input")
    return size


def sha_job(size, seed):
    """The book's sha(size): the SHA-256 hex digest of `size` random bytes."""
    return hashlib.sha256(random_bytes(size, seed)).hexdigest()


def _identity(x):
    """The trivial task of the overhead rows."""
    return x


def round_half_away(x):
    """std::round for x >= 0: halves round away from zero (Python's round() goes to even)."""
    whole = math.floor(x)
    return whole + 1 if x - whole >= 0.5 else whole


def scaled(size, scale):
    """A job size times `scale`, rounded as jobs::arcfour_jobs and jobs::sha_jobs round it."""
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale}")
    n = round_half_away(size * scale)
    if n < 1:
        raise ValueError(f"scale {scale:g} makes a job of {size} bytes empty; use a larger scale")
    return int(n)


def arcfour_sizes(scale=1.0, count=ARCFOUR_JOBS):
    """The book's ARCFOUR sizes, largest first: SIZE + int(SIZE / JOBS * (i - JOBS / 2)) for
    i = JOBS down to 1, each times `scale`."""
    return [
        scaled(ARCFOUR_SIZE + int(ARCFOUR_SIZE / count * (i - count / 2)), scale)
        for i in range(count, 0, -1)
    ]


def arcfour_jobs(scale=1.0, seed=DEFAULT_SEED, count=ARCFOUR_JOBS):
    """The ARCFOUR job set as (size, key, seed) argument tuples of arcfour_test."""
    return [(size, ARCFOUR_KEY, derive_seed(seed, k))
            for k, size in enumerate(arcfour_sizes(scale, count))]


def sha_jobs(scale=1.0, seed=DEFAULT_SEED, count=SHA_JOBS):
    """The SHA job set as (size, seed) argument tuples of sha_job."""
    size = scaled(SHA_SIZE, scale)
    return [(size, derive_seed(seed, k)) for k in range(count)]


def fold(result):
    """A job's result as a number (the size, or the digest's first 16 hex digits), as
    sweep_bench folds it into a set's checksum."""
    if isinstance(result, str):
        return int(result[:16], 16)
    return int(result)


class JobSet:
    def __init__(self, workload, scale, count=ARCFOUR_JOBS):
        self.workload = workload
        self.scale = scale
        if workload == "arcfour":
            self.fn = arcfour_test
            self.jobs = arcfour_jobs(scale, count=count)
        else:
            self.fn = sha_job
            self.jobs = sha_jobs(scale, count=count)
        self.sizes = [job[0] for job in self.jobs]
        self.total_bytes = sum(self.sizes)
        self.expected = None  # the checksum of the results, from a sequential run

    def run_sequential(self):
        total = 0
        for args in self.jobs:
            total += fold(self.fn(*args))
        return total & _MASK64

    def run_on(self, executor):
        futures = [executor.submit(self.fn, *args) for args in self.jobs]
        total = 0
        for f in futures:
            total += fold(f.result())
        return total & _MASK64


# -------------------------------------------------------------------------------------------
# CPU time and page faults, as bench/proc_sample.cpp takes them for the C++ rows: of this
# process (getrusage(RUSAGE_SELF), all its threads) plus every live descendant (/proc/PID/stat),
# each with the children it has waited for (RUSAGE_CHILDREN; cutime, cstime, cminflt, cmajflt),
# and the machine's busy and stolen time from /proc/stat. Worker processes made by a fork server
# are grandchildren: counted live while they run, and in the fork server once they exit and are
# reaped (a pool started and shut down within a row).

try:
    _CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    _CLOCK_TICKS = 100
_HAVE_PROC = os.path.exists("/proc/self/stat") and os.path.exists("/proc/stat")

# Field n of /proc/PID/stat (man 5 proc numbers them from 1) is fields[n - 3] of proc_stats.
STAT_STATE = 0  # field 3
STAT_PPID = 1  # field 4
STAT_SESSION = 3  # field 6
STAT_MINFLT = 7  # field 10: page faults served without I/O
STAT_CMINFLT = 8  # field 11: the same, of the children waited for
STAT_MAJFLT = 9  # field 12: page faults that read from disk
STAT_CMAJFLT = 10  # field 13: the same, of the children waited for
STAT_UTIME = 11  # field 14, clock ticks
STAT_STIME = 12  # field 15, clock ticks
STAT_CUTIME = 13  # field 16: utime of the children waited for
STAT_CSTIME = 14  # field 17: stime of the children waited for


def proc_stats():
    """(pid, fields) for each process in /proc: the fields of /proc/PID/stat after the command
    name, as bytes, indexed by the STAT_* constants."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                line = f.read()
        except OSError:
            continue
        paren = line.rfind(b")")  # the command name may hold spaces and parentheses
        if paren >= 0:
            yield int(entry), line[paren + 2:].split()


class TreeTotals:
    """Totals of a set of processes since each started: CPU seconds (user + system), system
    seconds, minor and major page faults."""

    def __init__(self, seconds=0.0, system=0.0, minor=0, major=0):
        self.seconds = seconds
        self.system = system
        self.minor = minor
        self.major = major

    def add(self, other):
        self.seconds += other.seconds
        self.system += other.system
        self.minor += other.minor
        self.major += other.major


def _self_totals():
    """This process and the children it has waited for."""
    total = TreeTotals()
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total.add(TreeTotals(usage.ru_utime + usage.ru_stime, usage.ru_stime, usage.ru_minflt,
                             usage.ru_majflt))
    return total


def _descendant_totals():
    """The totals of every live descendant of this process (zombies included: their counts
    stay in /proc until they are waited for), each with the children it has waited for (a
    pool's worker that exited during a row is counted in its parent, the fork server)."""
    procs = {}
    for pid, fields in proc_stats():
        try:
            utime = int(fields[STAT_UTIME]) + int(fields[STAT_CUTIME])
            stime = int(fields[STAT_STIME]) + int(fields[STAT_CSTIME])
            procs[pid] = (int(fields[STAT_PPID]),
                          TreeTotals((utime + stime) / _CLOCK_TICKS, stime / _CLOCK_TICKS,
                                     int(fields[STAT_MINFLT]) + int(fields[STAT_CMINFLT]),
                                     int(fields[STAT_MAJFLT]) + int(fields[STAT_CMAJFLT])))
        except (IndexError, ValueError):
            continue
    tree = {os.getpid()}
    total = TreeTotals()
    grew = True
    while grew:
        grew = False
        for pid, (ppid, totals) in procs.items():
            if pid not in tree and ppid in tree:
                tree.add(pid)
                total.add(totals)
                grew = True
    return total


def _machine_seconds():
    """Busy and stolen seconds of all CPUs, from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq) / _CLOCK_TICKS, steal / _CLOCK_TICKS


class ProcSample:
    """Taken around a timed region: the /proc reads happen outside what the self time spans."""

    def __init__(self, before):
        self.descendants = self.machine = self.steal = None
        if before:
            self._read_proc()
            self.self_totals = _self_totals()
        else:
            self.self_totals = _self_totals()
            self._read_proc()

    def _read_proc(self):
        if not _HAVE_PROC:
            return
        try:
            self.descendants = _descendant_totals()
            self.machine, self.steal = _machine_seconds()
        except (OSError, ValueError):
            self.descendants = self.machine = self.steal = None


def proc_counters(before, after, wall, iterations):
    """cores_busy, machine_busy and machine_steal over a timed region of `wall` seconds (CPU
    seconds per wall second); system_seconds, minor_faults and major_faults of the process
    tree per iteration. Without /proc, only what getrusage tells of this process."""
    out = {}
    if wall <= 0 or iterations < 1:
        return out
    tree_b, tree_a = TreeTotals(), TreeTotals()
    tree_b.add(before.self_totals)
    tree_a.add(after.self_totals)
    if before.descendants is not None and after.descendants is not None:
        tree_b.add(before.descendants)
        tree_a.add(after.descendants)
        out[CORES_BUSY] = max(0.0, tree_a.seconds - tree_b.seconds) / wall
    out[SYSTEM_SECONDS] = max(0.0, tree_a.system - tree_b.system) / iterations
    out[MINOR_FAULTS] = max(0, tree_a.minor - tree_b.minor) / iterations
    out[MAJOR_FAULTS] = max(0, tree_a.major - tree_b.major) / iterations
    if before.machine is not None and after.machine is not None:
        out[MACHINE_BUSY] = max(0.0, after.machine - before.machine) / wall
        out[MACHINE_STEAL] = max(0.0, after.steal - before.steal) / wall
    return out


# The canary: a fixed single-thread kernel, pure Python (integer mixing over a 256-entry list,
# the same bytecodes on every call, about a millisecond here), timed on the main thread just
# before and just after a row's timed region. Its work never changes, so a slower canary means
# a slower host; the report compares it only with the fastest canary of the same record.
CANARY_STEPS = 5000


def canary_seconds():
    """Runs the canary once on the calling thread; returns its wall seconds."""
    table = list(range(256))
    x = 0x5EED
    start = time.perf_counter()
    for k in range(CANARY_STEPS):
        x = ((x ^ table[x & 255]) * 0x9E3779B1) & 0xFFFFFFFF
        table[k & 255] = x
    return time.perf_counter() - start


# -------------------------------------------------------------------------------------------
# Pools. Worker processes ignore SIGINT (a Ctrl-C reaches the whole process group; the parent
# shuts them down) and hold a barrier so that a warm-up can make every worker run a task.

_worker_barrier = None
BARRIER_TIMEOUT = 120.0


def _init_worker(barrier):
    global _worker_barrier
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_barrier = barrier


def _warm_process_task():
    _worker_barrier.wait(BARRIER_TIMEOUT)
    return os.getpid()


def _warm_thread_task(barrier):
    barrier.wait(BARRIER_TIMEOUT)
    return threading.get_ident()


class Pools:
    """Every pool and barrier that is alive, so that an interrupted run can end them all."""

    def __init__(self, mp_context):
        self.ctx = mp_context
        self.live = {}  # executor -> barrier
        self.persistent = {}  # workers -> ProcessPoolExecutor for the sweep and overhead rows

    def thread_pool(self, workers):
        executor = cf.ThreadPoolExecutor(max_workers=workers)
        self.live[executor] = threading.Barrier(workers)
        return executor

    def process_pool(self, workers, barrier=None):
        barrier = barrier if barrier is not None else self.ctx.Barrier(workers)
        executor = cf.ProcessPoolExecutor(max_workers=workers, mp_context=self.ctx,
                                          initializer=_init_worker, initargs=(barrier,))
        self.live[executor] = barrier
        return executor

    def persistent_process_pool(self, workers):
        if workers not in self.persistent:
            executor = self.process_pool(workers)
            self.warm_up(executor, workers)
            self.persistent[workers] = executor
        return self.persistent[workers]

    def warm_up(self, executor, workers):
        """One task per worker, each waiting until all have started: every thread or process
        exists and has run a task. (Both pools start workers on demand.)"""
        if isinstance(executor, cf.ThreadPoolExecutor):
            futures = [executor.submit(_warm_thread_task, self.live[executor])
                       for _ in range(workers)]
        else:
            futures = [executor.submit(_warm_process_task) for _ in range(workers)]
        ids = {f.result() for f in futures}
        if len(ids) != workers:
            raise RuntimeError(f"warm-up reached {len(ids)} of {workers} workers")

    def shutdown(self, executor):
        executor.shutdown(wait=True)
        self.live.pop(executor, None)

    def close(self, abort):
        """Ends every live pool. With `abort` (an interrupt or a failed row): queued tasks are
        cancelled, barriers broken and worker processes terminated; every pool is joined."""
        for executor, barrier in list(self.live.items()):
            if abort:
                barrier.abort()
                if isinstance(executor, cf.ProcessPoolExecutor):
                    _terminate_workers(executor)
            # Joins the threads or the manager thread (after _terminate_workers, the pool is
            # broken and its manager thread ends at once).
            executor.shutdown(wait=True, cancel_futures=True)
        self.live.clear()
        self.persistent.clear()


def _terminate_workers(executor):
    """Sends SIGTERM to the worker processes of a pool that is still running.

    Before shutdown() drops it, the executor's own table of its workers: Python 3.14's
    terminate_workers() would do the same but shuts the pool down without waiting, so that
    the manager thread would be joined only at exit.
    """
    processes = getattr(executor, "_processes", None)
    if processes is None and hasattr(executor, "terminate_workers"):
        executor.terminate_workers()
        return
    for process in list((processes or {}).values()):
        try:
            process.terminate()
        except (OSError, ValueError):  # gone already, or closed
            pass


# -------------------------------------------------------------------------------------------
# Rows. Each Config makes one row (one repetition) per call, in Google Benchmark's shape.

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
OVERHEAD_WORKERS = 2
START_ITERATIONS = 5
# Rounds of a default run: about 3 minutes on the 2-core machine (bench/python/README.md).
DEFAULT_REPETITIONS = 9
# Rows whose interval is wider than +-DEFAULT_MAX_CI get more rounds, up to DEFAULT_MAX_ROUNDS
# (the C++ programs' --max-rounds and --max-ci).
DEFAULT_MAX_ROUNDS = 15
DEFAULT_MAX_CI = 0.05


def number_families(configs):
    """Sets each config's family_index and per-family instance index as Google Benchmark
    numbers them (the family is the name up to its first slash). Returns `configs`."""
    families = {}
    instances = {}
    for c in configs:
        family = c.name.split("/")[0]
        c.family_index = families.setdefault(family, len(families))
        c.instance_index = instances.get(family, 0)
        instances[family] = c.instance_index + 1
    return configs


class Config:
    def __init__(self, name, executor, unit, run, workload=None, bound=None):
        self.name = name  # e.g. BM_CPythonThread_Arcfour/workers:2/real_time
        self.executor = executor
        self.workload = workload
        self.bound = bound  # "io", or None for CPU-bound
        self.unit = unit
        self.run = run  # () -> (iterations, wall seconds, cpu seconds, counters)
        self.family_index = 0
        self.instance_index = 0
        self.baseline = None  # the Config this row's speedup divides, kept paired round by round

    @property
    def shown(self):
        return self.name[: -len("/real_time")] if self.name.endswith("/real_time") else self.name


def make_row(config, repetitions, round_index, iterations, wall, cpu, counters):
    """One repetition of a row in Google Benchmark's JSON shape. repetition_index is the round
    it ran in, so that the report pairs round k of one row with round k of another."""
    per = UNIT_SECONDS[config.unit] * iterations
    row = {
        "name": config.name,
        "family_index": config.family_index,
        "per_family_instance_index": config.instance_index,
        "run_name": config.name,
        "run_type": "iteration",
        "repetitions": repetitions,
        "repetition_index": round_index,
        "threads": 1,
        "iterations": iterations,
        "real_time": wall / per,
        "cpu_time": cpu / per,
        "time_unit": config.unit,
        EXECUTOR: config.executor,
    }
    if config.workload is not None:
        row[WORKLOAD] = config.workload
    if getattr(config, "bound", None) is not None:
        row[BOUND] = config.bound
    for key in sorted(counters):
        row[key] = float(counters[key])
    return row


def timed(fn, iterations=1):
    """Runs fn() once, `iterations` iterations of a row; returns (its result, wall seconds,
    process CPU seconds, counters): proc_counters' and canary_seconds, the slower of a canary
    run just before and one just after, outside the samples."""
    canary_before = canary_seconds()
    before = ProcSample(before=True)
    t0 = time.perf_counter()
    result = fn()
    t1 = time.perf_counter()
    after = ProcSample(before=False)
    canary_after = canary_seconds()
    wall = t1 - t0
    counters = proc_counters(before, after, wall, iterations)
    counters[CANARY_SECONDS] = max(canary_before, canary_after)
    return result, wall, after.self_totals.seconds - before.self_totals.seconds, counters


def median_interval(values, level=0.95):
    """The distribution-free interval of the median (x_(k), x_(n+1-k)) with the largest k whose
    coverage 1 - 2 P(B <= k - 1), B ~ Binomial(n, 1/2), is at least `level`; None for fewer than
    6 values. The same interval as stats::median_interval in tools/report."""
    n = len(values)
    tail = 0.0
    best = 0
    for k in range(1, n // 2 + 1):
        tail += math.comb(n, k - 1) * 0.5 ** n
        if 1.0 - 2.0 * tail < level:
            break
        best = k
    if best == 0:
        return None
    ordered = sorted(values)
    return ordered[best - 1], ordered[n - best]


def relative_half_width(values):
    """Half-width of the 95% interval of the median, relative to the median; inf without one."""
    ci = median_interval(values)
    median = statistics.median(values) if values else 0.0
    if ci is None or not median > 0:
        return math.inf
    return (ci[1] - ci[0]) / 2 / median


def run_rounds(configs, repetitions, on_start=None, max_rounds=None, max_ci=0.05):
    """Runs every config once per round, for `repetitions` rounds, in an order shuffled afresh
    each round (seeded by the round, so the same every run), as Google Benchmark's
    --benchmark_enable_random_interleaving does: a burst of load from elsewhere spreads over
    all rows, and round k of every row ran in the same stretch of time. Then, while some row's
    95% interval of the median (real time) is wider than +-max_ci of its median, another round
    of those rows and their baselines (so that they stay paired), up to `max_rounds` rounds
    (bench/rounds.hpp does the same for the C++ programs). Each row's repetition_index is its
    round, its repetitions the rounds it ran. Calls on_start(done, total, config, round,
    rounds) before each run. Returns the rows, config by config, each config's in round order.
    Raises RowError naming the row when a run raises."""
    max_rounds = max(repetitions, max_rounds or repetitions)
    rows = {id(c): [] for c in configs}
    done = 0
    total = len(configs) * repetitions
    plan = list(configs)
    round_index = 0
    while plan:
        order = list(plan)
        random.Random(round_index).shuffle(order)
        for c in order:
            done += 1
            if on_start is not None:
                on_start(done, total, c, round_index, max(repetitions, round_index + 1))
            try:
                iterations, wall, cpu, counters = c.run()
            except KeyboardInterrupt:
                raise
            except Exception as e:  # noqa: BLE001 - reported with the row's name
                raise RowError(f"{c.shown}: {type(e).__name__}: {e}") from e
            rows[id(c)].append(make_row(c, repetitions, round_index, iterations, wall, cpu,
                                        counters))
        round_index += 1
        if round_index < repetitions:
            continue
        plan = []
        if round_index < max_rounds:
            wide = [c for c in configs if relative_half_width(
                [r["real_time"] for r in rows[id(c)]]) > max_ci]
            wanted = {id(c) for c in wide} | {id(c.baseline) for c in wide
                                              if c.baseline is not None}
            plan = [c for c in configs if id(c) in wanted]
            total += len(plan)
    for c in configs:
        for row in rows[id(c)]:
            row["repetitions"] = len(rows[id(c)])
    return [row for c in configs for row in rows[id(c)]]


# What this script imports, for the fork server to import once: a worker forked from the
# server then finds them loaded when it runs this script again as __mp_main__ (CPython's fork
# server never preloads the main script itself before 3.14: gh-126631).
FORKSERVER_PRELOAD = [
    "concurrent.futures", "concurrent.futures.process", "concurrent.futures.thread",
    "datetime", "hashlib", "json", "math", "platform", "random", "resource", "signal", "socket",
    "statistics", "subprocess", "tempfile", "threading", "time",
]


class Bench:
    def __init__(self, options):
        self.options = options
        ctx = multiprocessing.get_context(options.start_method)
        if options.start_method == "forkserver":
            ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
        self.pools = Pools(ctx)
        self.sets = {}
        self.generation = {}

    # -- job-set rows ---------------------------------------------------------------------

    def _set_row(self, job_set, executor_name, workers):
        def run():
            if executor_name == "sequential":
                checksum, wall, cpu, counters = timed(job_set.run_sequential)
            elif executor_name == "thread":
                pool = self.pools.thread_pool(workers)
                self.pools.warm_up(pool, workers)
                checksum, wall, cpu, counters = timed(lambda: job_set.run_on(pool))
                self.pools.shutdown(pool)
            else:
                pool = self.pools.persistent_process_pool(workers)
                self.pools.warm_up(pool, workers)
                checksum, wall, cpu, counters = timed(lambda: job_set.run_on(pool))
            if checksum != job_set.expected:
                raise RuntimeError(f"the results differ from the sequential run's: "
                                   f"{checksum} != {job_set.expected}")
            jobs = len(job_set.jobs)
            counters.update({
                WORKERS: workers,
                JOBS: jobs,
                JOB_BYTES: job_set.total_bytes / jobs,
                TOTAL_BYTES: job_set.total_bytes,
                "bytes_per_second": job_set.total_bytes / wall,
                "items_per_second": jobs / wall,
                "scale": job_set.scale,
            })
            return 1, wall, cpu, counters
        return run

    # -- start-up rows --------------------------------------------------------------------

    # The timed region is the one sweep_bench's BM_Startup_* rows time: construct a pool, run
    # one trivial task per worker to completion (all waiting on a barrier, so that every worker
    # exists and ran one), shutdown(wait=True); START_ITERATIONS times. It is reported per pool
    # (real_time) and, like the C++ rows, per worker: seconds_per_task = wall / (iterations *
    # workers).
    def _start_row(self, kind, workers):
        def run():
            barrier = self.pools.ctx.Barrier(workers) if kind == "process" else None

            def start_and_stop():
                for _ in range(START_ITERATIONS):
                    if kind == "process":
                        pool = self.pools.process_pool(workers, barrier)
                    else:
                        pool = self.pools.thread_pool(workers)
                    self.pools.warm_up(pool, workers)
                    self.pools.shutdown(pool)

            _, wall, cpu, counters = timed(start_and_stop, START_ITERATIONS)
            tasks = START_ITERATIONS * workers
            counters.update({WORKERS: workers, SECONDS_PER_TASK: wall / tasks})
            return START_ITERATIONS, wall, cpu, counters
        return run

    # -- overhead rows --------------------------------------------------------------------

    def _overhead_row(self, kind, shape, count, chunksize=1):
        workers = OVERHEAD_WORKERS

        def run():
            if kind == "process":
                pool = self.pools.persistent_process_pool(workers)
            else:
                pool = self.pools.thread_pool(workers)
            self.pools.warm_up(pool, workers)

            def submit_then_result():
                futures = [pool.submit(_identity, i) for i in range(count)]
                return sum(f.result() for f in futures)

            def round_trip():
                return sum(pool.submit(_identity, i).result() for i in range(count))

            def map_items():
                return sum(pool.map(_identity, range(count), chunksize=chunksize))

            fn = {"SubmitThenResult": submit_then_result, "RoundTrip": round_trip,
                  "Map": map_items}[shape]
            total, wall, cpu, counters = timed(fn)
            if kind == "thread":
                self.pools.shutdown(pool)
            if total != count * (count - 1) // 2:
                raise RuntimeError(f"{shape}: wrong sum of the results: {total}")
            counters.update({"items_per_second": count / wall, SECONDS_PER_TASK: wall / count})
            return 1, wall, cpu, counters
        return run

    # -- the plan -------------------------------------------------------------------------

    def configs(self):
        o = self.options
        out = []
        for workload in o.workloads:
            job_set = self.sets[workload]
            title = "Arcfour" if workload == "arcfour" else "Sha"
            first = len(out)
            for executor in o.executors:
                family = FAMILY + executor.capitalize()
                for workers in ([1] if executor == "sequential" else o.workers):
                    out.append(Config(f"BM_{family}_{title}/workers:{workers}/real_time",
                                      f"{IMPLEMENTATION}-{executor}", "ms",
                                      self._set_row(job_set, executor, workers), workload))
            sequential = [c for c in out[first:] if c.executor == f"{IMPLEMENTATION}-sequential"]
            for c in out[first:]:
                if sequential and c is not sequential[0]:
                    c.baseline = sequential[0]
        if o.startup:
            for kind in ("thread", "process"):
                if kind not in o.executors:
                    continue
                family = FAMILY + kind.capitalize()
                for workers in o.workers:
                    out.append(Config(f"BM_{family}_Start/workers:{workers}/real_time",
                                      f"{IMPLEMENTATION}-{kind}", "us",
                                      self._start_row(kind, workers)))
        if o.overhead:
            w = OVERHEAD_WORKERS
            shapes = {
                "thread": [("SubmitThenResult", 10_000, 1), ("RoundTrip", 1_000, 1)],
                "process": [("SubmitThenResult", 3_000, 1), ("RoundTrip", 1_000, 1),
                            ("Map", 100_000, 100)],
            }
            for kind in ("thread", "process"):
                if kind not in o.executors:
                    continue
                family = FAMILY + kind.capitalize() + "Pool"
                for shape, count, chunksize in shapes[kind]:
                    args = f"workers:{w}/chunksize:{chunksize}/items:{count}" if shape == "Map" \
                        else f"workers:{w}/tasks:{count}"
                    out.append(Config(f"BM_{family}_{shape}/{args}/real_time",
                                      f"{IMPLEMENTATION}-{kind}", "ms",
                                      self._overhead_row(kind, shape, count, chunksize)))
        return number_families(out)

    def prepare(self):
        o = self.options
        for workload in o.workloads:
            job_set = JobSet(workload, o.arcfour_scale if workload == "arcfour" else o.sha_scale,
                             o.jobs)
            self.sets[workload] = job_set
            if workload == "arcfour":
                # Every job checks its own round trip and returns its size.
                job_set.expected = sum(job_set.sizes) & _MASK64
            else:
                progress("preparing: the expected SHA-256 digests (one sequential run)")
                job_set.expected = job_set.run_sequential()
            best = math.inf
            for _ in range(3):
                t0 = time.perf_counter()
                for args in job_set.jobs:
                    random_bytes(args[0], args[-1])
                best = min(best, time.perf_counter() - t0)
            self.generation[workload] = best
        if "process" in o.executors:
            progress(f"preparing: process pools of {', '.join(map(str, o.workers))} workers "
                     f"({o.start_method})")
            for workers in o.workers:
                self.pools.persistent_process_pool(workers)
            if o.overhead:
                self.pools.persistent_process_pool(OVERHEAD_WORKERS)

    def run(self):
        o = self.options
        try:
            self.prepare()
        except Exception as e:  # noqa: BLE001 - one line, not a traceback
            raise RowError(f"preparing: {type(e).__name__}: {e}") from e
        return run_rounds_saying(self.configs(), o.repetitions, o.max_rounds, o.max_ci, progress)

    def close(self, abort):
        self.pools.close(abort)


class RowError(Exception):
    """A row (or the preparation) failed: the run stops and writes nothing."""


def run_rounds_saying(configs, repetitions, max_rounds, max_ci, say):
    """run_rounds, saying through say(line) which row starts, and at the end how many rounds
    ran and which rows stayed wider than +-max_ci. Returns the rows."""
    start = time.monotonic()

    def on_start(done, total, c, round_index, rounds):
        say(f"[{done}/{total}] {c.shown} (round {round_index + 1}/{rounds}, "
            f"{total - done} left, {time.monotonic() - start:.0f} s so far)")

    rows = run_rounds(configs, repetitions, on_start, max_rounds, max_ci)
    wide = []
    for c in configs:
        w = relative_half_width([r["real_time"] for r in rows if r["name"] == c.name])
        if w > max_ci:
            wide.append(f"  {c.shown} +-{w * 100:.1f}%" if math.isfinite(w)
                        else f"  {c.shown}: too few rounds for an interval")
    rounds = max((r["repetitions"] for r in rows), default=0)
    say(f"[rounds] {rounds} rounds: "
        + (f"{len(wide)} rows still wider than +-{max_ci * 100:g}%"
           if wide else f"every row within +-{max_ci * 100:g}%")
        + f" ({time.monotonic() - start:.0f} s)")
    for line in wide:
        say(line)
    return rows


# -------------------------------------------------------------------------------------------
# Context

def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mhz_per_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return int(float(line.split(":", 1)[1]))
    except (OSError, ValueError):
        pass
    return None


def _caches():
    caches = []
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(e for e in os.listdir(base) if e.startswith("index"))
    except OSError:
        return caches
    for entry in entries:
        def read(name):
            with open(os.path.join(base, entry, name)) as f:
                return f.read().strip()
        try:
            size = read("size")
            multiplier = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(size[-1:], 1)
            size_bytes = int(size.rstrip("KMG")) * multiplier
            shared = read("shared_cpu_list")
            sharing = 0
            for part in shared.split(","):
                lo, _, hi = part.partition("-")
                sharing += int(hi or lo) - int(lo) + 1
            caches.append({"type": read("type"), "level": int(read("level")),
                           "size": size_bytes, "num_sharing": sharing})
        except (OSError, ValueError):
            continue
    return caches


def _git_revision():
    """As tools/run_bench.sh spells it: the short hash, -dirty with changes to src, bench, tools."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        def git(*args):
            return subprocess.run(["git", "-C", here, *args], capture_output=True, text=True,
                                  timeout=10)
        top = git("rev-parse", "--show-toplevel")
        rev = git("rev-parse", "--short", "HEAD")
        if top.returncode != 0 or rev.returncode != 0:
            return "unknown"
        revision = rev.stdout.strip()
        diff = subprocess.run(["git", "-C", top.stdout.strip(), "diff", "--quiet", "HEAD", "--",
                               "src", "bench", "tools"], capture_output=True, timeout=10)
        return revision + ("-dirty" if diff.returncode != 0 else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def benchmark_context():
    """The keys Google Benchmark writes in the context of every C++ record, with its types, so
    that the report reads this record as it reads those."""
    ctx = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": sys.argv[0],
        "num_cpus": os.cpu_count() or 1,
    }
    mhz = _mhz_per_cpu()
    if mhz is not None:
        ctx["mhz_per_cpu"] = mhz
    ctx["caches"] = _caches()
    try:
        ctx["load_avg"] = list(os.getloadavg())
    except OSError:
        pass
    return ctx


class ContextError(Exception):
    """The machine_context program could not be run or printed no JSON object."""


MACHINE_CONTEXT_TIMEOUT = 60
# Pairs of machine_context that describe the C++ build it belongs to and nothing of a Python
# run: left out of this record, where compiler and build_type name the Python instead.
CXX_BUILD_KEYS = ("cxx_flags", "onetbb", "boost", "google_benchmark", "google_benchmark_build")


def machine_context(program, where=None):
    """Runs `program` (the machine_context program of tools/context) and returns the JSON
    object it prints, as a dict. Raises ContextError with a one-line message, which begins with
    `where` (by default this script's name and flag), when it cannot be run, exits with a
    non-zero status, or prints anything but a JSON object."""
    where = where or f"{PROGRAM}: --machine-context={program}"
    try:
        r = subprocess.run([program], stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=MACHINE_CONTEXT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ContextError(f"{where}: no answer within {MACHINE_CONTEXT_TIMEOUT} s") from None
    except OSError as e:
        raise ContextError(f"{where}: cannot run it: {e.strerror or e}") from None
    if r.returncode != 0:
        why = (f"killed by signal {-r.returncode}" if r.returncode < 0
               else f"exited with status {r.returncode}")
        said = next((line.strip() for line in r.stderr.decode("utf-8", "replace").splitlines()
                     if line.strip()), "")
        raise ContextError(f"{where}: {why}" + (f" ({said})" if said else ""))
    try:
        value = json.loads(r.stdout, parse_constant=_reject_constant)
    except ValueError as e:
        raise ContextError(f"{where}: expected a JSON object on standard output: {e}") from None
    if not isinstance(value, dict):
        raise ContextError(f"{where}: expected a JSON object on standard output, got "
                           f"{type(value).__name__}")
    return value


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def python_build():
    """The Python build, which stands where a C++ record names its compiler and build type."""
    import ssl  # only for its version: hashlib hashes with the same OpenSSL

    impl = platform.python_implementation()
    version = platform.python_version()
    compiler = f"{impl} {version}"
    if impl == "PyPy":  # "PyPy 7.3.11 (Python 3.9.16)": PyPy's own release, then the language
        pypy = sys.pypy_version_info  # pylint: disable=no-member
        compiler = f"PyPy {pypy.major}.{pypy.minor}.{pypy.micro} (Python {version})"
    return {
        "compiler": compiler,
        "build_type": "python",
        "python_implementation": impl,
        "python_version": version,
        "python_compiler": platform.python_compiler(),
        "python_executable": sys.executable,
        "python_openssl": ssl.OPENSSL_VERSION,
    }


def python_context(options):
    """The Python build and this run's settings."""
    return {
        **python_build(),
        "start_method": options.start_method,
        "switch_interval_seconds": sys.getswitchinterval(),
        "workers": options.workers,
        "repetitions": options.repetitions,
        "max_rounds": options.max_rounds,
        "max_ci": options.max_ci,
        "arcfour_scale": options.arcfour_scale,
        "sha_scale": options.sha_scale,
    }


def machine_part(machine=None):
    """Google Benchmark's keys, then every pair of `machine` (what machine_context printed) but
    those of the C++ build, or without it cpu_model and git_revision alone."""
    ctx = benchmark_context()
    for key, value in (machine or {}).items():
        ctx.setdefault(key, value)  # Google Benchmark's keys keep its types
    for key, read in (("cpu_model", _cpu_model), ("git_revision", _git_revision)):
        if ctx.get(key, "unknown") == "unknown":
            ctx[key] = read()
    for key in CXX_BUILD_KEYS:
        ctx.pop(key, None)
    return ctx


def context(options, bench, benchmarks, machine=None):
    """The record's context: machine_part(machine); then the Python build and this run's
    settings, and the cost of making the jobs' data."""
    ctx = machine_part(machine)
    ctx.update(python_context(options))
    generation = {}
    for workload, seconds in bench.generation.items():
        entry = {"method": f"random.Random(seed).randbytes({RANDOM_BLOCK}), repeated",
                 "seconds_per_set": seconds}
        sequential = [row["real_time"] * UNIT_SECONDS[row["time_unit"]] for row in benchmarks
                      if row.get(WORKLOAD) == workload
                      and row[EXECUTOR] == f"{IMPLEMENTATION}-sequential"]
        if sequential:
            entry["share_of_sequential"] = seconds / statistics.median(sequential)
        generation[workload] = entry
    ctx["data_generation"] = generation
    return ctx


# -------------------------------------------------------------------------------------------
# Flags

USAGE = f"""usage: {PROGRAM}.py [flags]

Runs the book's ARCFOUR and SHA-256 job sets sequentially and on CPython's ThreadPoolExecutor
and ProcessPoolExecutor, plus pool start-up and per-task overhead rows, and writes a Google
Benchmark JSON record for tools/report. Progress goes to standard error.

  --workers=1,2,4,8          worker counts of the pools
  --scale=S                  sets both --arcfour-scale and --sha-scale
  --arcfour-scale=1          ARCFOUR job sizes: the book's (256 KiB on average) times this
  --sha-scale=16             SHA-256 job sizes: 1 MiB times this (sweep_bench's default)
  --jobs=12                  jobs per job set (the book's 12), 1 to 10000; with more cores
                             than jobs the largest job bounds the speedup
  --repetitions=9            rounds: each runs every row once, in a shuffled order
  --max-rounds=15            most rounds of a row whose 95% interval of the median is wider
                             than --max-ci (it reruns with its sequential baseline), 1 to 1000
  --max-ci=0.05              widest accepted half-width of that interval, relative to the
                             median, 0 to 1 (0.05: +-5%)
  --workloads=arcfour,sha    which job sets
  --executors=sequential,thread,process
                             which executors (pool start-up and overhead rows follow them)
  --start-method=M           multiprocessing start method: forkserver (the default where
                             available), fork or spawn; Debian's PyPy 3.9 takes only fork (its
                             ProcessPoolExecutor fails with the others), its default there
  --no-startup               leave out the pool start-up rows
  --no-overhead              leave out the per-task overhead rows
  --out=FILE                 where the JSON goes (default: standard output); written whole
                             or not at all
  --machine-context=PROGRAM  run PROGRAM (tools/context's machine_context, which
                             tools/run_bench.sh passes) and record every pair of the JSON object
                             it prints in the context, as the C++ records do; without it the
                             context names only the date, host, CPUs, CPU model and git revision
                             besides the Python
  --help                     this text

Flags take --name=VALUE or --name VALUE; an underscore may stand for a hyphen in a name
(--max_rounds, the old spelling, is --max-rounds). --scale sets both job sets' scale;
--arcfour-scale and --sha-scale, given too, win for theirs.
Exit status: 0, 1 when a row failed or the output could not be written (nothing written),
2 for a bad flag or a failing --machine-context program (nothing run), 130 when interrupted
(nothing written).
"""


class Options:
    def __init__(self):
        self.workers = [1, 2, 4, 8]
        self.arcfour_scale = 1.0
        self.sha_scale = 16.0
        self.jobs = ARCFOUR_JOBS  # SHA_JOBS alike: the book's 12
        self.repetitions = DEFAULT_REPETITIONS
        self.max_rounds = DEFAULT_MAX_ROUNDS
        self.max_ci = DEFAULT_MAX_CI
        self.workloads = ["arcfour", "sha"]
        self.executors = ["sequential", "thread", "process"]
        methods = usable_start_methods()
        self.start_method = next(m for m in ("forkserver", "spawn", "fork") if m in methods)
        self.startup = True
        self.overhead = True
        self.out = None
        self.machine_context = None


def usable_start_methods():
    """The start methods this interpreter's ProcessPoolExecutor works with.

    Debian's PyPy 7.3.11 (the Python 3.9 library) backported CPython's gh-90622 fix halfway:
    with forkserver or spawn, submit() calls self._adjust_process_count(), which its
    ProcessPoolExecutor does not define, and every submit fails with AttributeError. fork
    takes the other branch and works.
    """
    methods = multiprocessing.get_all_start_methods()
    if not hasattr(cf.ProcessPoolExecutor, "_adjust_process_count"):
        methods = [m for m in methods if m == "fork"]
    return methods


class FlagError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
    """argparse with this project's errors: a FlagError with one line, never usage and exit.

    A missing value's message says what the option takes: its converter's `accepts`.
    """

    def __init__(self, program):
        super().__init__(prog=program, add_help=False, allow_abbrev=False)
        self.program = program

    def error(self, message):
        missing = re.match(r"argument (\S+): expected one argument", message)
        if missing:
            name = missing.group(1)
            action = next(a for a in self._actions if name in a.option_strings)
            raise FlagError(f"{self.program}: missing value for option {name}: expected "
                            f"{getattr(action.type, 'accepts', 'a value')}")
        switch = re.match(r"argument (\S+): ignored explicit argument '(.*)'", message)
        if switch:
            name = switch.group(1)
            raise FlagError(f"{self.program}: invalid {name} '{switch.group(2)}': {name} is a "
                            "switch and takes no value")
        raise FlagError(f"{self.program}: {message}")


def parse_command_line(parser, argv):
    """The argparse namespace of what argv gives (an option not given is absent), or None for
    -h or --help, which win over everything before "--". An underscore in an option's name
    stands for a hyphen (--max_rounds, the old spelling). Raises FlagError, one line."""
    args = []
    for k, arg in enumerate(argv):
        if arg == "--":
            args += argv[k:]
            break
        if arg in ("-h", "--help"):
            return None
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            arg = "--" + name[2:].replace("_", "-") + eq + value
        args.append(arg)
    namespace, extras = parser.parse_known_args(args)
    for extra in extras:
        if extra == "--":
            continue
        if extra.startswith("-") and not re.match(r"-[0-9.]", extra):
            names = [o for action in parser._actions for o in action.option_strings]
            raise FlagError(f"{parser.program}: unknown option '{extra.partition('=')[0]}': "
                            f"expected one of {', '.join(names)}, --help")
        raise FlagError(f"{parser.program}: unexpected argument '{extra}': no positional "
                        "arguments are accepted")
    return namespace


def invalid(name, text, accepted, program=PROGRAM):
    """Raises the FlagError for a bad value: "invalid <name> '<text>': expected <accepted>"."""
    raise FlagError(f"{program}: invalid {name} '{text}': expected {accepted}")


def _is_whole(text):
    return text.isascii() and text.isdigit()


def converter(name, accepts, is_good, program=PROGRAM):
    """An argparse type: text as is_good(text) returns it (None: refused), else the FlagError
    "invalid <name> '<text>': expected <accepts>". `accepts` also names a missing value."""
    def convert(text):
        value = is_good(text)
        if value is None:
            invalid(name, text, accepts, program)
        return value
    convert.accepts = accepts
    return convert


def whole(name, lo, hi, program=PROGRAM):
    """A converter: text as a whole number from lo to hi."""
    return converter(name, f"a whole number from {lo} to {hi}",
                     lambda t: int(t) if _is_whole(t) and lo <= int(t) <= hi else None, program)


def number(name, lo, hi, program=PROGRAM):
    """A converter: text as a finite number from lo to hi."""
    def is_good(text):
        try:
            value = float(text)
        except ValueError:
            return None
        return value if math.isfinite(value) and lo <= value <= hi else None
    return converter(name, f"a number from {lo:g} to {hi:g}", is_good, program)


def choices(name, accepted, program=PROGRAM):
    """A converter: a comma-separated list of `accepted`, in their order, without repeats."""
    def is_good(text):
        items = [item.strip() for item in text.split(",")]
        if any(item not in accepted for item in items):
            return None
        return [a for a in accepted if a in items]
    return converter(name, f"a comma-separated list of {', '.join(accepted)}", is_good, program)


def nonempty(name, what, program=PROGRAM):
    """A converter: any text but the empty one."""
    return converter(name, what, lambda t: t or None, program)


def _workers(text):
    items = [item.strip() for item in text.split(",")]
    if not all(_is_whole(i) and 1 <= int(i) <= 1024 for i in items):
        invalid("--workers", text, "a comma-separated list of worker counts from 1 to 1024")
    return sorted({int(i) for i in items})


_workers.accepts = "LIST of worker counts from 1 to 1024"


def start_method():
    """A converter: a start method this interpreter's ProcessPoolExecutor works with."""
    methods = usable_start_methods()

    def convert(text):
        if text not in methods:
            invalid("--start-method", text, f"one of {', '.join(methods)}"
                    + ("" if text not in multiprocessing.get_all_start_methods() else
                       f" (this interpreter's ProcessPoolExecutor fails with {text}: its "
                       "submit() calls _adjust_process_count, which its library lacks)"))
        return text
    convert.accepts = f"one of {', '.join(methods)}"
    return convert


def _out(text):
    if not text:
        invalid("--out", text, "a file name")
    if text == "-":
        return None
    directory = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(directory):
        invalid("--out", text, f"a file in an existing directory ({directory} is not one)")
    if os.path.isdir(text):
        invalid("--out", text, "a file name, not a directory")
    return text


_out.accepts = "a file name"


def parse_flags(argv):
    """Returns Options, or None for --help. Raises FlagError with the one-line message."""
    scale = number("--scale", 1e-6, 1e4)
    p = OneLineParser(PROGRAM)
    s = argparse.SUPPRESS
    p.add_argument("--workers", type=_workers, default=s)
    p.add_argument("--scale", type=scale, default=s)
    p.add_argument("--arcfour-scale", type=number("--arcfour-scale", 1e-6, 1e4), default=s)
    p.add_argument("--sha-scale", type=number("--sha-scale", 1e-6, 1e4), default=s)
    p.add_argument("--jobs", type=whole("--jobs", 1, 10000), default=s)
    p.add_argument("--repetitions", type=whole("--repetitions", 1, 1000), default=s)
    p.add_argument("--max-rounds", type=whole("--max-rounds", 1, 1000), default=s)
    p.add_argument("--max-ci", type=number("--max-ci", 0, 1), default=s)
    p.add_argument("--workloads", type=choices("--workloads", ["arcfour", "sha"]), default=s)
    p.add_argument("--executors", type=choices("--executors", ["sequential", "thread", "process"]),
                   default=s)
    p.add_argument("--start-method", type=start_method(), default=s)
    p.add_argument("--no-startup", dest="startup", action="store_false", default=s)
    p.add_argument("--no-overhead", dest="overhead", action="store_false", default=s)
    p.add_argument("--out", type=_out, default=s)
    p.add_argument("--machine-context",
                   type=nonempty("--machine-context", "the machine_context program"), default=s)
    given = parse_command_line(p, argv)
    if given is None:
        return None
    given = vars(given)
    o = Options()
    # --scale sets both job sets; --arcfour-scale and --sha-scale, given too, win for theirs.
    o.arcfour_scale = given.pop("arcfour_scale", given.get("scale", o.arcfour_scale))
    o.sha_scale = given.pop("sha_scale", given.get("scale", o.sha_scale))
    given.pop("scale", None)
    for name, value in given.items():
        setattr(o, name, value)
    for workload, scale_of in (("arcfour", o.arcfour_scale), ("sha", o.sha_scale)):
        if workload in o.workloads:
            try:
                JobSet(workload, scale_of, o.jobs)
            except ValueError as e:
                raise FlagError(f"{PROGRAM}: bad scale for {workload}: {e}") from None
    return o


# -------------------------------------------------------------------------------------------
# Output

def progress(line):
    print(f"{PROGRAM}: {line}", file=sys.stderr, flush=True)


def write_atomically(path, text):
    """Writes `text` to `path` through a temporary file in the same directory."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def summary(benchmarks):
    """A table on standard error: median time, its spread, speedup, cores busy, per task."""
    by_name = {}
    for row in benchmarks:
        by_name.setdefault(row["name"], []).append(row)
    lines = []
    baselines = {}
    for name, rows in by_name.items():
        if rows[0][EXECUTOR] == f"{IMPLEMENTATION}-sequential":
            baselines[rows[0][WORKLOAD]] = statistics.median(r["real_time"] for r in rows)
    for name, rows in by_name.items():
        times = [r["real_time"] for r in rows]
        median = statistics.median(times)
        cv = statistics.stdev(times) / statistics.mean(times) if len(times) > 1 else 0.0
        text = (f"  {name[: -len('/real_time')]:<58} {median:10.3f} {rows[0]['time_unit']:<2} "
                f"(min {min(times):.3f}, max {max(times):.3f}, cv {cv * 100:.1f}%)")
        workload = rows[0].get(WORKLOAD)
        if workload in baselines:
            text += f"  speedup {baselines[workload] / median:.2f}x"
        if CORES_BUSY in rows[0]:
            text += f"  cores_busy {statistics.median(r[CORES_BUSY] for r in rows):.2f}"
        if SECONDS_PER_TASK in rows[0]:
            text += f"  {statistics.median(r[SECONDS_PER_TASK] for r in rows) * 1e6:.1f} us/task"
        lines.append(text)
    return "\n".join(lines)


def run_bench(bench, say):
    """Runs bench.run(), then bench.close(abort) (a second Ctrl-C cannot cut it short).
    Returns the rows, or the exit status when interrupted (130) or a row failed (1), said
    through say(line)."""
    try:
        finished = False
        try:
            benchmarks = bench.run()
            finished = True
        finally:
            # A second Ctrl-C must not cut the clean-up short.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                if not finished:
                    say("stopping the pools")
                bench.close(abort=not finished)
            finally:
                signal.signal(signal.SIGINT, previous)
    except KeyboardInterrupt:
        say("interrupted; nothing written")
        return 130
    except RowError as e:
        say(f"failed: {e}; nothing written")
        return 1
    return benchmarks


def write_record(record, out, say):
    """Writes the record as JSON to `out` (whole or not at all), or to standard output when
    `out` is None, then the summary table on standard error. Returns the exit status: 0, or 1
    when it could not be written."""
    text = json.dumps(record, indent=2, allow_nan=False) + "\n"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomically(out, text)
    except OSError as e:
        say(f"cannot write {out or 'standard output'}: {e}; nothing written")
        return 1
    finally:
        signal.signal(signal.SIGINT, previous)
    say("done" + (f": {out}" if out else ""))
    print(summary(record["benchmarks"]), file=sys.stderr)
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if sys.version_info < (3, 9):
        print(f"{PROGRAM}: needs Python 3.9 or later (random.randbytes, cancel_futures), "
              f"this is {platform.python_version()}", file=sys.stderr)
        return 2
    try:
        options = parse_flags(argv)
    except FlagError as e:
        print(e, file=sys.stderr)
        return 2
    if options is None:
        sys.stdout.write(USAGE)
        return 0
    machine = None
    if options.machine_context is not None:
        try:
            machine = machine_context(options.machine_context)
        except ContextError as e:
            print(e, file=sys.stderr)
            return 2

    bench = Bench(options)
    benchmarks = run_bench(bench, progress)
    if isinstance(benchmarks, int):
        return benchmarks
    record = {"context": context(options, bench, benchmarks, machine), "benchmarks": benchmarks}
    return write_record(record, options.out, progress)


if __name__ == "__main__":
    sys.exit(main())
