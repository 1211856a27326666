"""Tests of flags_bench.py: the flags, the asyncio rows' HTTP against a stand-in server, an
unreachable URL, and a tiny real run against flags_server whose JSON the report program can
read and whose downloads the server counted.

The tests that need flags_server take its path from the environment variable FLAGS_SERVER
(CTest sets it where the flags programs are built) and are skipped without it.

Run from the repository root:
  FLAGS_SERVER=build/debug/examples/flags/flags_server \
      python3 -m unittest discover -s bench/python -p 'test_*.py'
"""

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "flags_bench.py")
FIELDS_HPP = os.path.join(HERE, "..", "..", "tools", "report", "fields.hpp")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import cpython_bench as cb  # noqa: E402
import flags_bench as fb  # noqa: E402

FLAGS_SERVER = os.environ.get("FLAGS_SERVER", "")
needs_server = unittest.skipUnless(
    FLAGS_SERVER, "FLAGS_SERVER is not set: the path of examples/flags/flags_server "
    "(CTest sets it where the flags programs are built)")
# A well-formed URL that the flag tests never reach: their flags fail first.
NOWHERE = "--url=http://127.0.0.1:1/flags"


def run_script(*args, timeout=120, env=None, interpreter=sys.executable):
    return subprocess.run([interpreter, SCRIPT, *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


class FlagsServer:
    """flags_server in DELAY mode on a free port; stop() returns its answers by status."""

    def __init__(self, delay=0.005):
        self.proc = subprocess.Popen(
            [FLAGS_SERVER, "--mode", "DELAY", "--port", "0", "--delay", str(delay),
             "--lifetime", "120"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
        first = self.proc.stdout.readline()
        found = re.search(r" at (http://\S+/flags) ", first)
        if not found:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"flags_server said {first!r}")
        self.url = found.group(1)

    def stop(self):
        """SIGTERM; the counts of its last line, 'served N requests: a × 200, ...'."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        last = out.strip().splitlines()[-1]
        return {int(status): int(count) for count, status in re.findall(r"(\d+) × (\d+)", last)}


def reject_constant(name):
    raise ValueError(f"not JSON: {name}")


class FlagTest(unittest.TestCase):
    BAD = [
        ([], "flags_bench: missing --url: expected --url=http://HOST[:PORT][/PATH]"),
        ([NOWHERE, "--server=x"], "flags_bench: both --url and --server given: expected"),
        (["--server=x", "--delay=11"], "flags_bench: invalid --delay '11': expected a number"),
        (["--url"], "flags_bench: missing value for option --url: expected http://"),
        (["--url=https://127.0.0.1/flags"], "(https is not supported)"),
        (["--url=ftp://127.0.0.1/flags"], "flags_bench: invalid --url 'ftp://127.0.0.1/flags':"),
        (["--url=http:///flags"], "invalid --url 'http:///flags': expected http://HOST"),
        (["--url=http://h:70000/flags"], "invalid --url 'http://h:70000/flags'"),
        (["--url=http://h/flags?x=1"], "invalid --url 'http://h/flags?x=1'"),
        ([NOWHERE, "--workers=0"], "flags_bench: invalid --workers '0': expected a comma-"),
        ([NOWHERE, "--workers=1,x"], "invalid --workers '1,x'"),
        ([NOWHERE, "--workers=1025"], "from 1 to 1024"),
        ([NOWHERE, "--workers="], "invalid --workers ''"),
        ([NOWHERE, "--flag-rounds=0"], "invalid --flag-rounds '0': expected a whole number"),
        ([NOWHERE, "--flag-rounds", "2.5"], "invalid --flag-rounds '2.5'"),
        ([NOWHERE, "--rounds=0"], "invalid --rounds '0': expected a whole number from 1 to"),
        ([NOWHERE, "--max-rounds=x"], "invalid --max-rounds 'x'"),
        ([NOWHERE, "--max-ci=nan"], "invalid --max-ci 'nan': expected a number from 0 to 1"),
        ([NOWHERE, "--timeout=0"], "invalid --timeout '0': expected a number from 0.001"),
        ([NOWHERE, "--executors=process"], "invalid --executors 'process': expected a comma-"),
        ([NOWHERE, "--out=."], "invalid --out '.': expected a file name, not a directory"),
        ([NOWHERE, "--out=/nonexistent/x.json"], "(/nonexistent is not one)"),
        ([NOWHERE, "--machine_context="], "invalid --machine-context ''"),
        ([NOWHERE, "--bogus"], "flags_bench: unknown option '--bogus': expected one of --url,"),
        ([NOWHERE, "extra"], "flags_bench: unexpected argument 'extra': no positional"),
        ([NOWHERE, "--workers"], "flags_bench: missing value for option --workers"),
    ]

    def test_bad_flags_exit_2_with_one_line_and_write_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.json")
            for args, said in self.BAD:
                with self.subTest(args=args):
                    mine = any(a.startswith("--out") for a in args)
                    r = run_script(*([] if mine else [f"--out={out}"]), *args, timeout=60)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                    self.assertTrue(r.stderr.startswith("flags_bench: "), r.stderr)
                    if "unexpected argument" not in r.stderr:
                        self.assertIn(": expected ", r.stderr)
                    self.assertIn(said, r.stderr)
                    self.assertEqual(r.stdout, "")
                    self.assertEqual(os.listdir(tmp), [])

    def test_help(self):
        r = run_script("--help", timeout=60)
        self.assertEqual(r.returncode, 0)
        for default in ("--workers=1,4,16,64 ", f"--flag-rounds={fb.DEFAULT_FLAG_ROUNDS} ",
                        f"--rounds={cb.DEFAULT_REPETITIONS} ",
                        f"--max-rounds={cb.DEFAULT_MAX_ROUNDS} ",
                        f"--max-ci={cb.DEFAULT_MAX_CI} ", f"--timeout={fb.DEFAULT_TIMEOUT} ",
                        "--executors=sequential,thread,asyncio"):
            self.assertIn(default, r.stdout)
        self.assertEqual(r.stderr, "")

    def test_flag_forms(self):
        o = fb.parse_flags(["--url", "http://127.0.0.1:8001/flags/", "--workers=16,4,4",
                            "--flag-rounds", "2", "--max-ci=0.1", "--executors=asyncio,thread"])
        self.assertEqual(o.url, "http://127.0.0.1:8001/flags")
        self.assertEqual((o.target.host, o.target.port, o.target.netloc, o.target.path),
                         ("127.0.0.1", 8001, "127.0.0.1:8001", "/flags"))
        self.assertEqual(o.workers, [4, 16])
        self.assertEqual(o.flag_rounds, 2)
        self.assertEqual(o.max_ci, 0.1)
        self.assertEqual(o.executors, ["thread", "asyncio"])
        self.assertEqual(fb.parse_flags(["--url=http://h/flags"]).target.port, 80)
        self.assertIsNone(fb.parse_flags(["--url=http://h/flags", "--help"]))


class UnreachableTest(unittest.TestCase):
    def test_nobody_listening_exits_2_before_any_row(self):
        # A port bound but not listening refuses connections, and no one else can take it.
        with socket.socket() as s, tempfile.TemporaryDirectory() as tmp:
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}/flags"
            r = run_script(f"--url={url}", f"--out={tmp}/out.json", timeout=60)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr.splitlines(),
                             [f"flags_bench: cannot reach {url}: cannot connect to "
                              f"127.0.0.1:{s.getsockname()[1]}: Connection refused"])
            self.assertEqual(r.stdout, "")
            self.assertEqual(os.listdir(tmp), [])


class AsyncioHttpTest(unittest.TestCase):
    """get_flag_async against a stand-in server that answers each request with `reply`."""

    def fetch(self, reply):
        async def go():
            async def answer(reader, writer):
                request = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(request)
                writer.write(reply)
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(answer, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            try:
                return await fb.get_flag_async(fb.Target(f"http://127.0.0.1:{port}/flags"), "BR")
            finally:
                server.close()
                await server.wait_closed()

        self.requests = []
        return asyncio.run(go())

    def test_a_whole_body(self):
        body = self.fetch(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                          b"content-length: 5\r\n\r\nPNG!!")
        self.assertEqual(body, b"PNG!!")
        request = self.requests[0].decode("ascii")
        self.assertTrue(request.startswith("GET /flags/br/br.png HTTP/1.1\r\n"), request)
        self.assertIn("\r\nConnection: close\r\n", request)
        self.assertIn("\r\nHost: 127.0.0.1:", request)

    def test_failures(self):
        cases = [
            (b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n", fb.DownloadError,
             "answered 404 Not Found"),
            (b"HTTP/1.1 200 OK\r\n\r\nPNG", fb.DownloadError, "no Content-Length"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nPNG", asyncio.IncompleteReadError,
             ""),
            (b"SSH-2.0-OpenSSH\r\n\r\n", fb.DownloadError, "expected an HTTP/1.x status line"),
            (b"", fb.DownloadError, "closed before a status line"),
            (b"HTTP/1.1 200 OK\r\nContent-Le", fb.DownloadError, "closed in the headers"),
        ]
        for reply, error, said in cases:
            with self.subTest(reply=reply):
                with self.assertRaisesRegex(error, re.escape(said)):
                    self.fetch(reply)


@needs_server
class ChildServerTest(unittest.TestCase):
    """--server: the script starts flags_server itself and stops it at the end."""

    @needs_server
    def test_a_run_with_its_own_server(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "flags.json")
            r = run_script(f"--server={FLAGS_SERVER}", "--delay=0.001", "--rounds=1",
                           "--max-rounds=1", "--flag-rounds=1", "--workers=2",
                           "--executors=sequential,thread", f"--out={out}")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                record = json.load(f, parse_constant=reject_constant)
        self.assertRegex(record["context"]["url"], r"^http://127\.0\.0\.1:\d+/flags$")
        self.assertEqual(sorted(row["executor"] for row in record["benchmarks"]),
                         ["cpython-sequential", "cpython-thread"])
        # The child is gone: nothing listens on its port any more.
        port = int(record["context"]["url"].split(":")[2].split("/")[0])
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()

    def test_a_program_that_is_not_a_server(self):
        for program, message in [("/nonexistent/flags_server", "cannot start it: No such file"),
                                 ("/bin/true", "it did not say where it listens")]:
            with self.subTest(program=program), tempfile.TemporaryDirectory() as tmp:
                r = run_script(f"--server={program}", f"--out={tmp}/out.json", timeout=60)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertIn(f"flags_bench: invalid --server '{program}': {message}", r.stderr)
                self.assertEqual(os.listdir(tmp), [])


class TinyRunTest(unittest.TestCase):
    """One short run against flags_server, checked against what tools/report reads and what the
    server counted."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out_dir = os.path.join(cls.tmp.name, "out")
        cls.scratch = os.path.join(cls.tmp.name, "scratch")  # TMPDIR: the rows' directories
        os.mkdir(cls.out_dir)
        os.mkdir(cls.scratch)
        cls.out = os.path.join(cls.out_dir, "flags.json")
        server = FlagsServer()
        try:
            cls.result = run_script(f"--url={server.url}", "--rounds=1", "--max-rounds=1",
                                    "--flag-rounds=1", "--workers=1,4", f"--out={cls.out}",
                                    env={**os.environ, "TMPDIR": cls.scratch})
        finally:
            cls.served = server.stop()
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

    def test_output_alone_and_the_row_directories_removed(self):
        self.assertEqual(os.listdir(self.out_dir), ["flags.json"])
        self.assertEqual(os.listdir(self.scratch), [])
        self.assertEqual(self.result.stdout, "")
        self.assertIn("flags_bench: [1/5] ", self.result.stderr)

    def test_rows(self):
        seen = {(r["name"], r["executor"], r["workload"], r["workers"]) for r in self.rows}
        self.assertEqual(seen, {
            ("BM_CPythonSequential_Flags/workers:1/real_time", "cpython-sequential", "flags", 1),
            ("BM_CPythonThread_Flags/workers:1/real_time", "cpython-thread", "flags", 1),
            ("BM_CPythonThread_Flags/workers:4/real_time", "cpython-thread", "flags", 4),
            ("BM_CPythonAsyncio_Flags/workers:1/real_time", "cpython-asyncio", "flags", 1),
            ("BM_CPythonAsyncio_Flags/workers:4/real_time", "cpython-asyncio", "flags", 4),
        })
        flag_bytes = sum(self.record["context"]["flag_bytes"].values())
        for r in self.rows:
            with self.subTest(name=r["name"]):
                self.assertEqual(r["run_name"], r["name"])
                self.assertEqual(r["run_type"], "iteration")
                self.assertEqual((r["repetitions"], r["repetition_index"]), (1, 0))
                self.assertEqual(r["time_unit"], "ms")
                self.assertGreater(r["real_time"], 0)
                self.assertEqual(r["jobs"], 20)
                self.assertEqual(r["total_bytes"], flag_bytes)
                self.assertAlmostEqual(r["job_bytes"], flag_bytes / 20)
                self.assertGreater(r["canary_seconds"], 0)
                self.assertEqual(r["bound"], "io")  # the report's ideal is min(workers, jobs)
                for key, value in r.items():
                    if key not in ("name", "run_name", "run_type", "time_unit", "executor",
                                   "workload", "bound"):
                        self.assertIsInstance(value, (int, float), key)

    @unittest.skipUnless(os.path.exists(FIELDS_HPP), "needs tools/report/fields.hpp")
    def test_every_name_of_fields_hpp_on_every_row(self):
        with open(FIELDS_HPP) as f:
            names = set(re.findall(r'\bk\w+ = "([^"]*)"', f.read()))
        self.assertIn("job_bytes", names)
        names.discard("seconds_per_task")  # overhead rows only
        names -= {"ranks", "cpus"}  # rows of an MPI job only
        for r in self.rows:
            self.assertEqual(names - set(r), set(), r["name"])

    def test_every_row_has_its_sequential_baseline(self):
        baselines = {(r["workload"], r["jobs"], r["job_bytes"]) for r in self.rows
                     if r["executor"] == "cpython-sequential"}
        for r in self.rows:
            self.assertIn((r["workload"], r["jobs"], r["job_bytes"]), baselines)

    def test_the_server_counted_every_download(self):
        claimed = sum(r["jobs"] * r["iterations"] for r in self.rows)
        checked = self.record["context"]["check_downloads"]
        self.assertEqual(checked, 20)
        self.assertEqual(self.served, {200: claimed + checked})

    def test_context(self):
        ctx = self.record["context"]
        for key in ("date", "host_name", "num_cpus", "cpu_model", "git_revision", "compiler",
                    "build_type", "python_version", "url", "flag_rounds", "timeout_seconds"):
            self.assertIn(key, ctx)
        self.assertEqual(sorted(ctx["flag_bytes"]), sorted(fb.POP20_CC))


@needs_server
class ServerAnswersTest(unittest.TestCase):
    def test_a_url_that_serves_no_flags_exits_2(self):
        server = FlagsServer()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                r = run_script(f"--url={server.url}z", f"--out={tmp}/out.json", timeout=60)
                self.assertEqual(os.listdir(tmp), [])
        finally:
            served = server.stop()
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn(f"invalid --url '{server.url}z': GET {server.url}z/cn/cn.png answered "
                      "404 Not Found: expected a flags server", r.stderr)
        self.assertEqual(served, {404: 1})

    @unittest.skipIf(shutil.which("pypy3") is None, "pypy3 is not installed")
    def test_rows_named_after_pypy(self):
        server = FlagsServer()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "pypy.json")
                r = run_script(f"--url={server.url}", "--rounds=1", "--max-rounds=1",
                               "--flag-rounds=1", "--workers=2", f"--out={out}",
                               interpreter="pypy3")
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(out) as f:
                    rows = json.load(f)["benchmarks"]
        finally:
            server.stop()
        self.assertEqual({(row["name"], row["executor"]) for row in rows}, {
            ("BM_PyPySequential_Flags/workers:1/real_time", "pypy-sequential"),
            ("BM_PyPyThread_Flags/workers:2/real_time", "pypy-thread"),
            ("BM_PyPyAsyncio_Flags/workers:2/real_time", "pypy-asyncio"),
        })


@needs_server
class StopTest(unittest.TestCase):
    """A run cut short writes nothing and leaves no row directory behind."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.out_dir = os.path.join(tmp.name, "out")
        self.scratch = os.path.join(tmp.name, "scratch")
        os.mkdir(self.out_dir)
        os.mkdir(self.scratch)
        self.env = {**os.environ, "TMPDIR": self.scratch}

    def test_ctrl_c_in_a_thread_row_exits_130(self):
        server = FlagsServer()
        self.addCleanup(server.stop)
        p = subprocess.Popen(
            [sys.executable, SCRIPT, f"--url={server.url}", "--executors=thread",
             "--workers=4", "--flag-rounds=50", f"--out={self.out_dir}/out.json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
            start_new_session=True)
        try:
            line = p.stderr.readline()
            while line and "[1/" not in line:
                line = p.stderr.readline()
            self.assertIn("[1/", line)
            time.sleep(0.3)
            os.killpg(p.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
            stdout, stderr = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.assertEqual(p.returncode, 130, stderr)
        self.assertIn("interrupted; nothing written", stderr)
        self.assertNotIn("Traceback", stderr)
        self.assertEqual(stdout, "")
        self.assertEqual(os.listdir(self.out_dir), [])
        self.assertEqual(os.listdir(self.scratch), [])

    def test_a_server_that_stops_fails_the_row(self):
        server = FlagsServer()
        self.addCleanup(server.stop)
        # The server check passes; the rows, 1000 downloads each, outlast the server.
        r = subprocess.Popen([sys.executable, SCRIPT, f"--url={server.url}", "--workers=2",
                              "--flag-rounds=50", f"--out={self.out_dir}/out.json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=self.env)
        line = r.stderr.readline()
        while line and "[1/" not in line:
            line = r.stderr.readline()
        server.proc.send_signal(signal.SIGTERM)
        stdout, stderr = r.communicate(timeout=60)
        self.assertEqual(r.returncode, 1, stderr)
        self.assertRegex(stderr.splitlines()[-1],
                         r"^flags_bench: failed: BM_CPython\w+_Flags/workers:\d: .*; nothing "
                         r"written$")
        self.assertEqual(stdout, "")
        self.assertEqual(os.listdir(self.out_dir), [])
        self.assertEqual(os.listdir(self.scratch), [])


if __name__ == "__main__":
    unittest.main()
