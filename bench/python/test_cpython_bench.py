"""Tests of cpython_bench.py: the jobs against the book's and the C++ jobs' values, the field
names against tools/report/fields.hpp, the rounds, the canary and the process-tree counters, the
flags, --machine-context, a tiny real run whose JSON the report program can read, and a clean
Ctrl-C.

Run from the repository root:  python3 -m unittest discover -s bench/python -p 'test_*.py'
"""

import hashlib
import json
import math
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "cpython_bench.py")
FIELDS_HPP = os.path.join(HERE, "..", "..", "tools", "report", "fields.hpp")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import cpython_bench as cb  # noqa: E402

# The book's ARCFOUR sizes, and those that jobs::arcfour_jobs makes at scales 0.5 and 0.001.
BOOK_SIZES = [393216, 371370, 349525, 327680, 305834, 283989,
              262144, 240299, 218454, 196608, 174763, 152918]
HALF_SIZES = [196608, 185685, 174763, 163840, 152917, 141995,
              131072, 120150, 109227, 98304, 87382, 76459]
MILLI_SIZES = [393, 371, 350, 328, 306, 284, 262, 240, 218, 197, 175, 153]
# jobs::derive_seed(2015, 0), (2015, 1), (2015, 2).
CXX_SEEDS = [16451630847085022781, 9194104178944181947, 14677146019513204491]


def run_script(*args, timeout=300):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=timeout)


class ArcfourTest(unittest.TestCase):
    def test_book_vectors(self):
        vectors = [
            ("0123456789abcdef", "0123456789abcdef", "75b7878099e0c596"),
            ("0123456789abcdef", "0000000000000000", "7494c2e7104b0879"),
            ("0000000000000000", "0000000000000000", "de188941a3375d3a"),
            ("ef012345", "00000000000000000000", "d6a141a7ec3c38dfbd61"),
        ]
        for key, plain, cipher in vectors:
            with self.subTest(key=key, plain=plain):
                out = cb.arcfour(bytes.fromhex(key), bytes.fromhex(plain), loops=1)
                self.assertEqual(out.hex(), cipher)
                self.assertEqual(cb.arcfour(bytes.fromhex(key), out, loops=1).hex(), plain)

    def test_twenty_passes_round_trip(self):
        data = cb.random_bytes(1000, 7)
        cypher = cb.arcfour(cb.ARCFOUR_KEY, data)
        self.assertNotEqual(cypher, data)
        self.assertNotEqual(cypher, cb.arcfour(cb.ARCFOUR_KEY, data, loops=1))
        self.assertEqual(cb.arcfour(cb.ARCFOUR_KEY, cypher), data)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            cb.arcfour(b"", b"abc")
        with self.assertRaises(ValueError):
            cb.arcfour(bytes(257), b"abc")
        with self.assertRaises(ValueError):
            cb.arcfour(b"key", b"abc", loops=0)

    def test_arcfour_test_returns_the_size(self):
        self.assertEqual(cb.arcfour_test(333, cb.ARCFOUR_KEY, 1), 333)


class JobSetTest(unittest.TestCase):
    def test_book_sizes(self):
        self.assertEqual(cb.arcfour_sizes(), BOOK_SIZES)
        self.assertEqual(len(cb.arcfour_jobs()), 12)
        self.assertTrue(all(key == b"'Twas brillig, and the slithy toves\nDid gyre"
                            for _, key, _ in cb.arcfour_jobs()))

    def test_scaled_sizes_round_as_the_cxx_jobs(self):
        # 283989 * 0.5 = 141994.5 rounds away from zero, as std::round does.
        self.assertEqual(cb.arcfour_sizes(0.5), HALF_SIZES)
        self.assertEqual(cb.arcfour_sizes(0.001), MILLI_SIZES)
        self.assertEqual(cb.round_half_away(2.5), 3)
        self.assertEqual(cb.round_half_away(0.49999999999999994), 0)

    def test_sha_sizes(self):
        self.assertEqual([size for size, _ in cb.sha_jobs()], [1 << 20] * 12)
        self.assertEqual({size for size, _ in cb.sha_jobs(32)}, {32 << 20})

    def test_empty_jobs_are_refused(self):
        with self.assertRaises(ValueError):
            cb.arcfour_sizes(1e-6)
        with self.assertRaises(ValueError):
            cb.scaled(100, 0)

    def test_seeds_match_the_cxx_jobs(self):
        self.assertEqual([cb.derive_seed(2015, k) for k in range(3)], CXX_SEEDS)
        self.assertEqual([seed for _, _, seed in cb.arcfour_jobs()[:3]], CXX_SEEDS)
        self.assertEqual([seed for _, seed in cb.sha_jobs()[:3]], CXX_SEEDS)
        self.assertEqual(len({seed for _, seed in cb.sha_jobs()}), 12)

    def test_random_bytes(self):
        a = cb.random_bytes(10000, 5)
        self.assertEqual(len(a), 10000)
        self.assertEqual(a, cb.random_bytes(10000, 5))
        self.assertEqual(a[:77], cb.random_bytes(77, 5))
        self.assertNotEqual(a, cb.random_bytes(10000, 6))
        self.assertEqual(cb.random_bytes(0, 5), b"")

    def test_sha_job(self):
        expected = hashlib.sha256(cb.random_bytes(5000, 3)).hexdigest()
        self.assertEqual(cb.sha_job(5000, 3), expected)
        self.assertEqual(cb.fold(expected), int(expected[:16], 16))


class FieldNamesTest(unittest.TestCase):
    @unittest.skipUnless(os.path.exists(FIELDS_HPP), "needs tools/report/fields.hpp")
    def test_the_names_mirror_fields_hpp(self):
        with open(FIELDS_HPP) as f:
            header = dict(re.findall(r'\bk(\w+) = "([^"]*)"', f.read()))
        self.assertTrue(header)
        for name, value in header.items():
            constant = re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()  # kJobBytes: JOB_BYTES
            with self.subTest(name=name):
                self.assertEqual(getattr(cb, constant), value)


class FakeConfig:
    """A row that records the order it ran in."""

    def __init__(self, name, calls):
        self.name = f"BM_Fake_{name}/real_time"
        self.shown = name
        self.executor = "cpython-fake"
        self.workload = None
        self.unit = "ms"
        self.family_index = self.instance_index = 0
        self.baseline = None
        self.calls = calls
        self.walls = None  # seconds of successive runs; None: always 1 ms

    def run(self):
        self.calls.append(self.name)
        wall = 0.001 if self.walls is None else self.walls[len(
            [c for c in self.calls if c == self.name]) - 1]
        return 1, wall, 0.0, {"call": len(self.calls) - 1}


class RoundsTest(unittest.TestCase):
    def test_repetition_index_is_the_round(self):
        calls = []
        configs = [FakeConfig(name, calls) for name in "abcde"]
        started = []
        rows = cb.run_rounds(configs, 4, lambda done, total, c, k, rounds: started.append((done, k)))
        self.assertEqual(len(rows), 20)
        self.assertEqual(started, [(n + 1, n // 5) for n in range(20)])
        for row in rows:
            with self.subTest(name=row["name"], round=row["repetition_index"]):
                # Round k ran calls 5k to 5k + 4: every row once, and no row of another round.
                self.assertEqual(int(row["call"]) // 5, row["repetition_index"])
                self.assertEqual(row["repetitions"], 4)
        for config in configs:
            mine = [r for r in rows if r["name"] == config.name]
            self.assertEqual([r["repetition_index"] for r in mine], [0, 1, 2, 3])
        # Shuffled: not every round runs the rows in the same order, and the order is seeded.
        orders = {tuple(calls[5 * k: 5 * k + 5]) for k in range(4)}
        self.assertGreater(len(orders), 1)
        again = []
        cb.run_rounds([FakeConfig(name, again) for name in "abcde"], 4)
        self.assertEqual(again, calls)

    def test_wide_rows_get_more_rounds_with_their_baseline(self):
        calls = []
        steady, noisy, baseline, other = (FakeConfig(n, calls)
                                          for n in ("steady", "noisy", "base", "other"))
        noisy.baseline = baseline
        steady.walls = [0.001] * 20
        noisy.walls = [0.001, 0.003] * 10  # stays wide: every interval spans 1 to 3 ms
        baseline.walls = other.walls = [0.002] * 20
        rows = cb.run_rounds([steady, noisy, baseline, other], 9, max_rounds=12, max_ci=0.05)
        ran = {c.name: [r["repetition_index"] for r in rows if r["name"] == c.name]
               for c in (steady, noisy, baseline, other)}
        self.assertEqual(ran[noisy.name], list(range(12)))
        self.assertEqual(ran[baseline.name], list(range(12)))  # kept paired
        self.assertEqual(ran[steady.name], list(range(9)))
        self.assertEqual(ran[other.name], list(range(9)))
        for row in rows:
            self.assertEqual(row["repetitions"], len(ran[row["name"]]))

    def test_no_more_rounds_than_asked_when_every_row_is_steady(self):
        calls = []
        configs = [FakeConfig(n, calls) for n in "ab"]
        rows = cb.run_rounds(configs, 6, max_rounds=15, max_ci=0.05)
        self.assertEqual(len(rows), 12)

    def test_median_interval_matches_the_order_statistics(self):
        # n = 9: coverage of (x_(2), x_(8)) is 1 - 2 * 10/512 = 0.961 >= 0.95, of (x_(3), x_(7))
        # 1 - 2 * 46/512 = 0.820: the interval is the 2nd and 8th smallest values.
        self.assertEqual(cb.median_interval([9, 1, 8, 2, 7, 3, 6, 4, 5]), (2, 8))
        # n = 15: (x_(4), x_(12)), coverage 0.965.
        self.assertEqual(cb.median_interval(list(range(1, 16))), (4, 12))
        self.assertIsNone(cb.median_interval([1, 2, 3, 4, 5]))
        self.assertEqual(cb.relative_half_width([1.0] * 9), 0.0)
        self.assertEqual(cb.relative_half_width([1.0] * 5), math.inf)

    def test_a_failing_row_is_named(self):
        calls = []
        bad = FakeConfig("bad", calls)
        bad.run = lambda: 1 / 0
        with self.assertRaisesRegex(cb.RowError, "^bad: ZeroDivisionError"):
            cb.run_rounds([FakeConfig("good", calls), bad], 2)


class CanaryTest(unittest.TestCase):
    def test_canary_takes_time(self):
        seconds = [cb.canary_seconds() for _ in range(3)]
        self.assertTrue(all(s > 0 for s in seconds), seconds)

    def test_timed_records_the_canary_and_the_counters(self):
        result, wall, cpu, counters = cb.timed(lambda: sum(range(100000)), iterations=2)
        self.assertEqual(result, sum(range(100000)))
        self.assertGreater(wall, 0)
        self.assertGreaterEqual(cpu, 0)
        self.assertGreater(counters[cb.CANARY_SECONDS], 0)
        for name in (cb.SYSTEM_SECONDS, cb.MINOR_FAULTS, cb.MAJOR_FAULTS):
            self.assertGreaterEqual(counters[name], 0, name)


@unittest.skipUnless(os.path.exists("/proc/self/stat"), "needs /proc")
class ProcessTreeTest(unittest.TestCase):
    def test_a_descendants_cpu_and_faults_count(self):
        # A child that, when told to, touches 64 MiB and spins for 0.2 s of CPU time.
        with subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent("""
                import sys, time
                print("started", flush=True)
                sys.stdin.readline()
                data = b"x" * (64 << 20)
                end = time.process_time() + 0.2
                while time.process_time() < end:
                    pass
                print("done", flush=True)
                sys.stdin.readline()
            """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
            self.assertEqual(child.stdout.readline(), "started\n")
            before = cb._descendant_totals()
            child.stdin.write("go\n")
            child.stdin.flush()
            self.assertEqual(child.stdout.readline(), "done\n")
            after = cb._descendant_totals()
        # 64 MiB is 16384 pages of 4 KiB, or 32 huge pages.
        self.assertGreaterEqual(after.minor - before.minor, 32)
        self.assertGreaterEqual(after.seconds - before.seconds, 0.1)
        self.assertGreaterEqual(after.system, before.system)
        self.assertGreaterEqual(after.major, before.major)

    def test_counters_per_iteration(self):
        before = cb.ProcSample(before=True)
        data = b"y" * (16 << 20)
        after = cb.ProcSample(before=False)
        del data
        one = cb.proc_counters(before, after, 0.5, 1)
        four = cb.proc_counters(before, after, 0.5, 4)
        for name in (cb.SYSTEM_SECONDS, cb.MINOR_FAULTS, cb.MAJOR_FAULTS):
            self.assertGreaterEqual(one[name], 0, name)
            self.assertAlmostEqual(four[name] * 4, one[name], msg=name)
        self.assertGreater(one[cb.MINOR_FAULTS], 0)
        self.assertEqual(one[cb.CORES_BUSY], four[cb.CORES_BUSY])  # per second, not per iteration


class FlagTest(unittest.TestCase):
    BAD = [
        (["--workers=0"], "invalid --workers '0'"),
        (["--workers=1,x"], "invalid --workers '1,x'"),
        (["--workers="], "invalid --workers ''"),
        (["--scale=-1"], "invalid --scale '-1'"),
        (["--scale=nan"], "invalid --scale 'nan'"),
        (["--sha-scale=1e9"], "invalid --sha-scale '1e9'"),
        (["--arcfour-scale=0.000001"], "arcfour"),
        (["--repetitions=0"], "invalid --repetitions '0'"),
        (["--repetitions=two"], "invalid --repetitions 'two'"),
        (["--max-rounds=0"], "invalid --max-rounds '0'"),
        (["--max-ci=-0.1"], "invalid --max-ci '-0.1'"),
        (["--max-ci=nan"], "invalid --max-ci 'nan'"),
        (["--workloads=md5"], "invalid --workloads 'md5'"),
        (["--executors=gpu"], "invalid --executors 'gpu'"),
        (["--start-method=teleport"], "invalid --start-method 'teleport'"),
        (["--frobnicate"], "unknown option '--frobnicate'"),
        (["extra"], "unexpected argument 'extra'"),
        (["--workers"], "missing value for option --workers"),
        (["--max_rounds=0"], "invalid --max-rounds '0'"),
        (["--no-startup=1"], "--no-startup is a switch"),
        (["--machine-context="], "invalid --machine-context ''"),
    ]

    def test_bad_flags_exit_2_with_one_line_and_write_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.json")
            for args, named in self.BAD:
                with self.subTest(args=args):
                    r = run_script(*args, f"--out={out}", timeout=60)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                    self.assertIn(named, r.stderr)
                    self.assertEqual(r.stdout, "")
                    self.assertEqual(os.listdir(tmp), [])

    def test_out_in_a_missing_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = run_script(f"--out={tmp}/missing/out.json", timeout=60)
            self.assertEqual(r.returncode, 2)
            self.assertEqual(len(r.stderr.splitlines()), 1)
            self.assertIn("missing", r.stderr)
            self.assertEqual(os.listdir(tmp), [])

    def test_help(self):
        r = run_script("--help", timeout=60)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--workers=1,2,4,8", r.stdout)
        self.assertIn(f"--repetitions={cb.DEFAULT_REPETITIONS} ", r.stdout)
        self.assertIn("--machine-context=PROGRAM", r.stdout)
        self.assertIn("run_bench.sh", r.stdout)
        self.assertEqual(r.stderr, "")


def reject_constant(name):
    raise ValueError(f"not JSON: {name}")


class StartMethodTest(unittest.TestCase):
    def test_every_method_where_the_library_is_whole(self):
        self.assertEqual(set(cb.usable_start_methods()),
                         set(cb.multiprocessing.get_all_start_methods()))

    def test_only_fork_where_submit_calls_a_missing_method(self):
        # Debian's PyPy 3.9: ProcessPoolExecutor has no _adjust_process_count, which its
        # submit() calls under forkserver and spawn.
        saved = cb.cf.ProcessPoolExecutor._adjust_process_count
        try:
            del cb.cf.ProcessPoolExecutor._adjust_process_count
            self.assertEqual(cb.usable_start_methods(), ["fork"])
            self.assertEqual(cb.Options().start_method, "fork")
        finally:
            cb.cf.ProcessPoolExecutor._adjust_process_count = saved


@unittest.skipIf(shutil.which("pypy3") is None, "pypy3 is not installed (make test installs it)")
class PypyRunTest(unittest.TestCase):
    """The same script under PyPy: its own row names, a process pool that works."""

    def test_job_set_rows_under_pypy(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "pypy.json")
            result = subprocess.run(
                ["pypy3", SCRIPT, "--scale=0.001", "--repetitions=1", "--max-rounds=1",
                 "--workers=1,2", "--no-startup", "--no-overhead", f"--out={out}"],
                capture_output=True, text=True, timeout=240, check=False)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(out) as f:
                record = json.load(f, parse_constant=reject_constant)
        self.assertTrue(record["context"]["compiler"].startswith("PyPy "))
        self.assertIn("(Python 3.", record["context"]["compiler"])
        seen = {(row["executor"], row["workload"], row["workers"]) for row in record["benchmarks"]}
        expected = set()
        for workload in ("arcfour", "sha"):
            expected.add(("pypy-sequential", workload, 1))
            expected |= {(f"pypy-{kind}", workload, w) for kind in ("thread", "process")
                         for w in (1, 2)}
        self.assertEqual(seen, expected)
        for row in record["benchmarks"]:
            self.assertTrue(row["name"].startswith("BM_PyPy"), row["name"])


class TinyRunTest(unittest.TestCase):
    """One short run of everything, checked against what tools/report reads."""

    ROUNDS = 2

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "cpython.json")
        cls.result = run_script("--scale=0.001", f"--repetitions={cls.ROUNDS}",
                                f"--max-rounds={cls.ROUNDS}", "--workers=1,2",
                                f"--out={cls.out}")
        cls.record = None
        if cls.result.returncode == 0:
            with open(cls.out) as f:
                cls.record = json.load(f, parse_constant=reject_constant)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.rows = self.record["benchmarks"]

    def test_output_alone_in_its_directory(self):
        self.assertEqual(os.listdir(self.tmp.name), ["cpython.json"])
        self.assertEqual(self.result.stdout, "")
        self.assertIn("[1/", self.result.stderr)

    def test_minimal_context_without_machine_context(self):
        ctx = self.record["context"]
        for key in ("date", "host_name", "executable", "num_cpus", "load_avg", "caches",
                    "cpu_model", "git_revision", "compiler", "build_type", "python_version",
                    "python_implementation", "python_compiler", "python_executable",
                    "start_method", "switch_interval_seconds", "data_generation"):
            self.assertIn(key, ctx)
        self.assertIsInstance(ctx["num_cpus"], int)
        self.assertTrue(all(isinstance(v, (int, float)) for v in ctx["load_avg"]))
        self.assertTrue(ctx["compiler"].startswith(ctx["python_implementation"]))
        self.assertEqual(ctx["repetitions"], self.ROUNDS)
        self.assertEqual(set(ctx["data_generation"]), {"arcfour", "sha"})
        self.assertNotIn("usable_cpus", ctx)  # machine_context's, not gathered here

    def test_rows_in_google_benchmark_shape(self):
        for row in self.rows:
            with self.subTest(name=row["name"]):
                self.assertEqual(row["run_name"], row["name"])
                self.assertEqual(row["run_type"], "iteration")
                self.assertIn(row["time_unit"], ("ns", "us", "ms", "s"))
                self.assertGreater(row["real_time"], 0)
                self.assertGreaterEqual(row["cpu_time"], 0)
                self.assertEqual(row["repetitions"], self.ROUNDS)
                self.assertTrue(row["name"].endswith("/real_time"))
                self.assertIn(row["executor"], ("cpython-sequential", "cpython-thread",
                                                "cpython-process"))
                for key, value in row.items():
                    if key not in ("name", "run_name", "run_type", "time_unit", "executor",
                                   "workload"):
                        self.assertIsInstance(value, (int, float), key)

    def test_every_row_once_a_round(self):
        rounds = {}
        for row in self.rows:
            rounds.setdefault(row["name"], []).append(row["repetition_index"])
        for name, seen in rounds.items():
            self.assertEqual(seen, list(range(self.ROUNDS)), name)

    def test_every_row_has_the_canary_and_the_process_tree_counters(self):
        for row in self.rows:
            with self.subTest(name=row["name"]):
                self.assertGreater(row[cb.CANARY_SECONDS], 0)
                for name in (cb.SYSTEM_SECONDS, cb.MINOR_FAULTS, cb.MAJOR_FAULTS, cb.CORES_BUSY,
                             cb.MACHINE_BUSY, cb.MACHINE_STEAL):
                    self.assertGreaterEqual(row[name], 0, name)

    def test_start_rows_per_worker(self):
        start = [r for r in self.rows if "_Start/" in r["name"]]
        self.assertEqual(len(start), 4 * self.ROUNDS)
        for r in start:
            with self.subTest(name=r["name"]):
                self.assertEqual(r["time_unit"], "us")
                self.assertEqual(r["iterations"], cb.START_ITERATIONS)
                # real_time is per pool; seconds_per_task = wall / (iterations * workers).
                wall = r["real_time"] * 1e-6 * r["iterations"]
                tasks = r["iterations"] * r[cb.WORKERS]
                self.assertAlmostEqual(r[cb.SECONDS_PER_TASK], wall / tasks)

    def test_sweep_rows(self):
        sweep = [r for r in self.rows if "workload" in r]
        seen = {(r["executor"], r["workload"], int(r["workers"])) for r in sweep}
        expected = set()
        for workload in ("arcfour", "sha"):
            expected.add(("cpython-sequential", workload, 1))
            for kind in ("thread", "process"):
                expected |= {(f"cpython-{kind}", workload, w) for w in (1, 2)}
        self.assertEqual(seen, expected)
        families = {"cpython-sequential": "CPythonSequential", "cpython-thread": "CPythonThread",
                    "cpython-process": "CPythonProcess"}
        for r in sweep:
            with self.subTest(name=r["name"]):
                title = "Arcfour" if r["workload"] == "arcfour" else "Sha"
                self.assertEqual(r["name"], f"BM_{families[r['executor']]}_{title}"
                                            f"/workers:{int(r['workers'])}/real_time")
                for counter in ("workers", "jobs", "job_bytes", "total_bytes", "bytes_per_second",
                                "items_per_second", "cores_busy", "scale"):
                    self.assertIn(counter, r)
                self.assertEqual(r["jobs"], 12)
                self.assertEqual(r["time_unit"], "ms")
                sizes = MILLI_SIZES if r["workload"] == "arcfour" else [1049] * 12
                self.assertEqual(r["total_bytes"], sum(sizes))
                self.assertAlmostEqual(r["job_bytes"], sum(sizes) / 12)
                self.assertEqual(r["scale"], 0.001)
                seconds = r["real_time"] * 1e-3
                self.assertAlmostEqual(r["bytes_per_second"] * seconds, r["total_bytes"],
                                       delta=1e-6 * r["total_bytes"])

    def test_every_sweep_row_has_its_sequential_baseline(self):
        # The report compares cpython-<kind> with cpython-sequential of the same workload, job
        # count and job size.
        sweep = [r for r in self.rows if "workload" in r]
        baselines = {(r["workload"], r["jobs"], r["job_bytes"]) for r in sweep
                     if r["executor"] == "cpython-sequential"}
        for r in sweep:
            self.assertIn((r["workload"], r["jobs"], r["job_bytes"]), baselines)

    def test_start_and_overhead_rows(self):
        names = {re.sub(r"/real_time$", "", r["name"]) for r in self.rows if "workload" not in r}
        self.assertEqual(names, {
            "BM_CPythonThread_Start/workers:1", "BM_CPythonThread_Start/workers:2",
            "BM_CPythonProcess_Start/workers:1", "BM_CPythonProcess_Start/workers:2",
            "BM_CPythonThreadPool_SubmitThenResult/workers:2/tasks:10000",
            "BM_CPythonThreadPool_RoundTrip/workers:2/tasks:1000",
            "BM_CPythonProcessPool_SubmitThenResult/workers:2/tasks:3000",
            "BM_CPythonProcessPool_RoundTrip/workers:2/tasks:1000",
            "BM_CPythonProcessPool_Map/workers:2/chunksize:100/items:100000",
        })
        for r in self.rows:
            if "workload" in r:
                continue
            # Not sweep rows for the report: no jobs or job_bytes counters.
            self.assertNotIn("jobs", r)
            self.assertNotIn("job_bytes", r)
            if "_Start/" not in r["name"]:
                count = int(re.search(r"(tasks|items):(\d+)", r["name"]).group(2))
                seconds = r["real_time"] * 1e-3
                self.assertAlmostEqual(r["seconds_per_task"], seconds / count)
                self.assertAlmostEqual(r["items_per_second"], count / seconds,
                                       delta=1e-6 * count / seconds)


def write_program(directory, body):
    """An executable Python script in `directory` with `body` as its code; returns its path."""
    path = os.path.join(directory, "machine_context")
    with open(path, "w") as f:
        f.write(f"#!{sys.executable}\n{textwrap.dedent(body)}")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


class MachineContextTest(unittest.TestCase):
    # A run of one short row: what is tested is the context.
    QUICK = ["--workloads=sha", "--executors=sequential", "--no-startup", "--no-overhead",
             "--scale=0.001", "--repetitions=1", "--max-rounds=1"]

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.program_dir = tempfile.mkdtemp(dir=tmp.name)
        self.out_dir = tempfile.mkdtemp(dir=tmp.name)
        self.out = os.path.join(self.out_dir, "cpython.json")

    def test_every_pair_goes_into_the_context(self):
        program = write_program(self.program_dir, """
            import json
            print(json.dumps({"cpu_model": "Fake CPU 9000", "kernel": "6.1.0-fake",
                              "cache_l2": "512 KiB", "usable_cpus": "1", "compiler": "g++ 12.2.0",
                              "cxx_flags": "-O2", "google_benchmark": "1.7.1",
                              "openssl": "3.0.19", "num_cpus": "99"}))
        """)
        r = run_script(*self.QUICK, f"--machine-context={program}", f"--out={self.out}",
                       timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.out) as f:
            ctx = json.load(f)["context"]
        self.assertEqual(ctx["cpu_model"], "Fake CPU 9000")
        self.assertEqual(ctx["kernel"], "6.1.0-fake")
        self.assertEqual(ctx["cache_l2"], "512 KiB")
        self.assertEqual(ctx["usable_cpus"], "1")
        # Google Benchmark's keys keep its types; the Python names the build.
        self.assertIsInstance(ctx["num_cpus"], int)
        self.assertTrue(ctx["compiler"].startswith(ctx["python_implementation"]))
        self.assertEqual(ctx["build_type"], "python")
        self.assertEqual(ctx["openssl"], "3.0.19")
        self.assertNotIn("cxx_flags", ctx)  # the C++ build's, not the Python's
        self.assertNotIn("google_benchmark", ctx)
        for key in ("python_version", "python_executable", "start_method",
                    "switch_interval_seconds", "git_revision", "date", "host_name"):
            self.assertIn(key, ctx)

    def assert_refused(self, program, named):
        r = run_script(*self.QUICK, f"--machine-context={program}", f"--out={self.out}",
                       timeout=120)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn(f"--machine-context={program}", r.stderr)
        self.assertIn(named, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(os.listdir(self.out_dir), [])

    def test_a_failing_program_exits_2_writing_nothing(self):
        program = write_program(self.program_dir, """
            import sys
            print("machine_context: cannot read /proc", file=sys.stderr)
            sys.exit(3)
        """)
        self.assert_refused(program, "status 3 (machine_context: cannot read /proc)")

    def test_output_that_is_not_a_json_object_exits_2(self):
        for body, named in (('print("cpu_model=x")', "JSON object"),
                            ('print("[1, 2]")', "got list"),
                            ('print(\'{"mhz": NaN}\')', "NaN")):
            with self.subTest(body=body):
                self.assert_refused(write_program(self.program_dir, body), named)

    def test_a_missing_program_exits_2(self):
        self.assert_refused(os.path.join(self.program_dir, "absent"), "cannot run it")


def session_processes(sid):
    """Live processes (not zombies) of a session."""
    return [pid for pid, fields in cb.proc_stats()
            if len(fields) > cb.STAT_SESSION and int(fields[cb.STAT_SESSION]) == sid
            and fields[cb.STAT_STATE] != b"Z"]


@unittest.skipUnless(os.path.isdir("/proc"), "needs /proc to find leftover processes")
class InterruptTest(unittest.TestCase):
    def test_ctrl_c_exits_130_writing_nothing_and_leaving_no_process(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.json")
            # Long enough that the interrupt lands while the pools are busy.
            p = subprocess.Popen(
                [sys.executable, SCRIPT, "--workloads=arcfour", "--arcfour-scale=0.5",
                 "--executors=thread,process", "--workers=2", "--repetitions=20",
                 "--no-overhead", "--no-startup", f"--out={out}"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                start_new_session=True)
            try:
                lines = []
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    line = p.stderr.readline()
                    if not line:
                        break
                    lines.append(line)
                    if line.startswith("cpython_bench: [3/"):
                        break
                self.assertTrue(lines and lines[-1].startswith("cpython_bench: [3/"),
                                "".join(lines))
                time.sleep(0.3)
                os.killpg(p.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
                stdout, stderr = p.communicate(timeout=120)
            finally:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            self.assertEqual(p.returncode, 130, stderr)
            self.assertEqual(stdout, "")
            self.assertIn("interrupted", stderr)
            self.assertNotIn("Traceback", stderr)
            self.assertEqual(os.listdir(tmp), [])
            deadline = time.monotonic() + 10
            while session_processes(p.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(session_processes(p.pid), [])


if __name__ == "__main__":
    unittest.main()
