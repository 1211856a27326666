"""The flags programs as a user runs them: flags_server in its three modes on ephemeral loopback
ports, every downloader against each, nginx serving the same images, and the server's own
guarantees (keep-alive, 1,000 concurrent connections, reproducible errors, bounded runs).

Run by CTest with FLAGS_BIN set to the directory of the built programs. Every server this test
starts listens on 127.0.0.1, stops after --lifetime seconds at the latest and is stopped with
SIGTERM when its test ends. Timings are never asserted.
"""

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest
from pathlib import Path

BIN = Path(os.environ.get("FLAGS_BIN", ".")).resolve()
FLAGS_DIR = Path("/usr/share/iso-flags-png-320x240")
POP20 = sorted("CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split())
A_Z = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
EVERY = [a + b for a in A_Z for b in A_Z]
AVAILABLE = sorted(
    p.stem.upper() for p in FLAGS_DIR.glob("??.png") if p.stem not in ("eo", "eu", "zz"))
SERVED = {p.stem.upper() for p in FLAGS_DIR.glob("??.png")}
LIFETIME = "120"  # seconds: no server outlives a hung test
RUN_TIMEOUT = 120


def image(cc):
    return (FLAGS_DIR / f"{cc.lower()}.png").read_bytes()


class Server:
    """flags_server on an ephemeral port; stop() returns its closing counts by status."""

    def __init__(self, *args, program="flags_server"):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(BIN / program), "--port", "0", "--lifetime", LIFETIME, *args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.banner = self.proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/flags", self.banner)
        if not match:
            self.proc.kill()
            raise AssertionError(f"flags_server did not start: {self.banner!r}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}/flags"

    def stop(self, sig=signal.SIGTERM):
        """Stops the server (if still running) and returns {status: count} from its last line."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rest, _ = self.proc.communicate(timeout=30)
        self.log.seek(0)
        self.log_lines = self.log.read().decode().splitlines()
        self.log.close()
        self.returncode = self.proc.returncode
        last = rest.strip().splitlines()[-1]
        match = re.fullmatch(r"flags_server: served (\d+) requests?(?:: (.*))?", last)
        if not match:
            raise AssertionError(f"no closing line: {rest!r}")
        counts = {}
        for part in (match.group(2) or "").split(", "):
            if part:
                n, status = part.split(" × ")
                counts[int(status)] = int(n)
        self.total = int(match.group(1))
        return counts

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        if not self.log.closed:
            self.log.close()


def run(program, *args, cwd):
    return subprocess.run([str(BIN / program), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def assertSavedExactly(self, dest, codes):
        """dest holds CC.png for exactly `codes`, each byte for byte the served image, and no
        temporary file."""
        self.assertEqual(sorted(p.name for p in dest.iterdir()), sorted(f"{cc}.png" for cc in codes))
        for cc in codes:
            self.assertEqual((dest / f"{cc}.png").read_bytes(), image(cc), cc)


class FlagsTest(TempDirTest):
    """flags, flags_threadpool, flags_threadpool_ac, flags_asyncio: the book's first programs."""

    PROGRAMS = {"flags": POP20, "flags_threadpool": POP20, "flags_threadpool_ac": POP20[:5],
                "flags_asyncio": POP20}

    def check_success(self, server_args):
        for program, codes in self.PROGRAMS.items():
            with self.subTest(program=program), Server(*server_args) as server:
                dest = self.tmp / program
                r = run(program, "--url", server.url, "--dest", str(dest), cwd=self.tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "")
                lines = r.stdout.splitlines()
                self.assertRegex(lines[-1], rf"^{len(codes)} downloads in \d+\.\d\ds$")
                # What download_one printed, once the _ac program's future lines are taken out
                # (its threads print codes in the middle of those lines).
                future_line = r"(Scheduled for [A-Z]{2}: )?<Future at 0x[0-9a-f]+ state=\w+[^>]*>" \
                              r"( result: '[A-Z]{2}')?"
                shown = re.findall(r"\b[A-Z]{2}\b", re.sub(future_line, "", "\n".join(lines[:-1])))
                self.assertEqual(sorted(shown), codes)
                self.assertSavedExactly(dest, codes)
                self.assertEqual(server.stop(), {200: len(codes)})
                if program == "flags_threadpool_ac":
                    scheduled = [l for l in lines if l.startswith("Scheduled for ")]
                    results = re.findall(r"<Future at 0x[0-9a-f]+ state=finished returned "
                                         r"std::string> result: '([A-Z]{2})'$",
                                         r.stdout, re.MULTILINE)
                    self.assertEqual(len(scheduled), 5)
                    self.assertEqual(sorted(results), codes)

    def test_local(self):
        self.check_success(["--mode", "LOCAL"])

    def test_delay(self):
        self.check_success(["--mode", "DELAY", "--delay", "0.02-0.05"])

    def test_error_ends_the_run_with_one_line(self):
        for program in self.PROGRAMS:
            with self.subTest(program=program), Server("--mode", "ERROR", "--seed", "1") as server:
                dest = self.tmp / program
                r = run(program, "--url", server.url, "--dest", str(dest), cwd=self.tmp)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertRegex(r.stderr, rf"^{program}: error: [A-Z]{{2}}: HTTP 418 - "
                                           r"I'm a teapot\n$")
                saved = [p.stem for p in dest.iterdir()]
                self.assertSavedExactly(dest, saved)  # whole images only, no temporary file
                self.assertGreater(server.stop().get(418, 0), 0)


class Flags2Test(TempDirTest):
    """flags2_sequential, flags2_threadpool, flags2_asyncio: the book's command line, counts,
    progress bar and errors."""

    PROGRAMS = {"flags2_sequential": 1, "flags2_threadpool": 30, "flags2_asyncio": 1000}

    def download(self, program, server, *args):
        dest = self.tmp / f"{program}-{len(list(self.tmp.iterdir()))}"
        r = run(program, "--url", server.url, "--dest", str(dest), *args, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r, dest

    def counts(self, stdout):
        """The closing lines as {'downloaded': n, 'not found': n, 'errors': n}."""
        found = {"downloaded": 0, "not found": 0, "errors": 0}
        for n, what in re.findall(r"^ *(\d+) (?:flags? )?(downloaded|not found|errors?)\.$",
                                  stdout, re.MULTILINE):
            found["errors" if what.startswith("error") else what] = int(n)
        self.assertRegex(stdout, r"\nElapsed time: \d+\.\d\ds\n$")
        return found

    def test_default_is_pop20_with_the_book_opening_lines(self):
        with Server("--mode", "DELAY", "--delay", "0.01") as server:
            for program, default_req in self.PROGRAMS.items():
                with self.subTest(program=program):
                    r, dest = self.download(program, server)
                    lines = r.stdout.splitlines()
                    self.assertEqual(lines[0], f"URL site: {server.url}")
                    self.assertEqual(lines[1], "Searching for 20 flags: from BD to VN")
                    req = min(default_req, 20)
                    self.assertEqual(lines[2], "1 connection will be used." if req == 1
                                     else f"{req} concurrent connections will be used.")
                    self.assertEqual(self.counts(r.stdout),
                                     {"downloaded": 20, "not found": 0, "errors": 0})
                    self.assertIn("100%|██████████| 20/20 [", r.stderr)  # the progress bar
                    self.assertSavedExactly(dest, POP20)

    def test_all_and_every_and_limit(self):
        with Server("--mode", "LOCAL") as server:
            for program in self.PROGRAMS:
                with self.subTest(program=program, args="-a"):
                    r, dest = self.download(program, server, "-a")
                    self.assertIn(f"Searching for {len(AVAILABLE)} flags: from AD to ZW", r.stdout)
                    self.assertEqual(self.counts(r.stdout)["downloaded"], len(AVAILABLE))
                    self.assertSavedExactly(dest, AVAILABLE)
                with self.subTest(program=program, args="-e -l 60"):
                    r, dest = self.download(program, server, "-e", "-l", "60", "-m", "7")
                    first = EVERY[:60]
                    present = [cc for cc in first if cc in SERVED]
                    self.assertEqual(self.counts(r.stdout),
                                     {"downloaded": len(present),
                                      "not found": 60 - len(present), "errors": 0})
                    self.assertSavedExactly(dest, present)
                with self.subTest(program=program, args="b z -l 30 -v"):
                    r, dest = self.download(program, server, "b", "z", "-l", "30", "-v")
                    codes = sorted(["B" + c for c in A_Z] + ["Z" + c for c in A_Z])[:30]
                    verbose = re.findall(r"^([A-Z]{2}) (OK|not found)$", r.stdout, re.MULTILINE)
                    self.assertEqual(sorted(cc for cc, _ in verbose), codes)
                    self.assertEqual(sorted(cc for cc, s in verbose if s == "OK"),
                                     [cc for cc in codes if cc in SERVED])
                    self.assertEqual(r.stderr, "")  # no progress bar with -v

    def test_error_counts_match_the_server_log(self):
        error_sets = {}
        for program in self.PROGRAMS:
            with self.subTest(program=program), \
                    Server("--mode", "ERROR", "--error-rate", "0.25", "--seed", "7", "-v") as server:
                r, dest = self.download(program, server, "-v", "-a")
                counts = self.counts(r.stdout)
                by_status = server.stop()
                logged_418 = sum(1 for line in server.log_lines if '" 418 ' in line)
                self.assertEqual(counts["errors"], by_status.get(418, 0))
                self.assertEqual(counts["errors"], logged_418)
                self.assertEqual(counts["downloaded"], by_status.get(200, 0))
                self.assertEqual(counts["downloaded"] + counts["errors"], len(AVAILABLE))
                self.assertGreater(counts["errors"], 0)
                errors = re.findall(r"^([A-Z]{2}) error: HTTP 418 - I'm a teapot$", r.stdout,
                                    re.MULTILINE)
                self.assertEqual(len(errors), counts["errors"])
                self.assertSavedExactly(dest, sorted(set(AVAILABLE) - set(errors)))
                error_sets[program] = sorted(errors)
        # The server's errors follow from the seed and the path, not the order of requests.
        self.assertEqual(len({tuple(v) for v in error_sets.values()}), 1, error_sets)

    def test_timeout_is_an_error_not_a_hang(self):
        with Server("--mode", "DELAY", "--delay", "5") as server:
            for program in self.PROGRAMS:
                with self.subTest(program=program):
                    r, _ = self.download(program, server, "--timeout", "0.2", "-v", "CN", "BR")
                    self.assertEqual(self.counts(r.stdout),
                                     {"downloaded": 0, "not found": 0, "errors": 2})
                    self.assertRegex(r.stdout, r"CN error: GET /flags/cn/cn\.png from "
                                               r"127\.0\.0\.1:\d+: timed out after 0\.2 s")

    def test_unwritable_output_directory_is_one_line(self):
        with Server("--mode", "LOCAL") as server:
            for program in self.PROGRAMS:
                with self.subTest(program=program):
                    r = run(program, "--url", server.url, "--dest", "/dev/null/flags",
                            cwd=self.tmp)
                    self.assertEqual(r.returncode, 2)
                    self.assertEqual(r.stdout, "")
                    self.assertEqual(r.stderr, f"{program}: invalid output directory "
                                               f"'/dev/null/flags': Not a directory\n")
            self.assertEqual(server.stop(), {})
        self.assertEqual(list(self.tmp.iterdir()), [])


class DownloadUrlsTest(TempDirTest):
    """download_urls: the Python docs' example, each URL's size or its exception, as each
    completes."""

    def test_sizes_and_exceptions(self):
        with Server("--mode", "LOCAL") as server:
            urls = [f"{server.url}/{cc}/{cc}.png" for cc in ("cn", "br", "in", "us")]
            missing = f"{server.url}/xx/xx.png"
            r = run("download_urls", *urls, missing, "http://127.0.0.1:1/", cwd=self.tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = sorted(r.stdout.splitlines())
            expected = sorted([f"'{u}' page is {len(image(u.split('/')[-2].upper()))} bytes"
                               for u in urls] +
                              [f"'{missing}' generated an exception: HTTP Error 404: Not Found",
                               "'http://127.0.0.1:1/' generated an exception: cannot connect "
                               "to 127.0.0.1:1: Connection refused"])
            self.assertEqual(lines, expected)
            self.assertEqual(server.stop(), {200: 4, 404: 1})
        self.assertEqual(list(self.tmp.iterdir()), [])  # it saves nothing


class KeptConnectionTest(TempDirTest):
    """A server that closes a kept-alive connection without saying so: the client's next request
    on it fails before any answer, and is retried once on a new connection."""

    def test_retry_on_a_closed_kept_connection(self):
        import threading
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(30)
        port = listener.getsockname()[1]
        connections = []

        def serve():  # answers one request per connection; stops after two
            with listener:
                while len(connections) < 2:
                    conn, _ = listener.accept()
                    with conn:
                        conn.settimeout(30)
                        request = b""
                        while b"\r\n\r\n" not in request:
                            chunk = conn.recv(4096)
                            if not chunk:
                                break  # the client's check that the server is there
                            request += chunk
                        if not request:
                            continue
                        connections.append(request)
                        cc = request.split(b" ")[1].split(b"/")[-1][:2].decode().upper()
                        body = image(cc)
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
                                     + body)

        thread = threading.Thread(target=serve)
        thread.start()
        r = run("flags2_sequential", "--url", f"http://127.0.0.1:{port}/flags", "--dest",
                str(self.tmp / "d"), "-v", "BR", "CN", cwd=self.tmp)
        thread.join(timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("BR OK\nCN OK\n", r.stdout)
        self.assertEqual(len(connections), 2)
        self.assertSavedExactly(self.tmp / "d", ["BR", "CN"])


class ServerTest(unittest.TestCase):
    """flags_server's own guarantees."""

    @staticmethod
    def get(port, paths, keep_alive=True):
        """GETs `paths` over one connection; returns [(status, body)]."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out = []
        for path in paths:
            conn.request("GET", path, headers={} if keep_alive else {"Connection": "close"})
            resp = conn.getresponse()
            out.append((resp.status, resp.read()))
        conn.close()
        return out

    def test_layout_and_keep_alive(self):
        with Server("--mode", "LOCAL", "-v") as server:
            answers = self.get(server.port, ["/flags/cn/cn.png", "/flags/CN/CN.png",
                                             "/flags/cn/br.png", "/flags/xx/xx.png", "/",
                                             "/flags/br/br.png"])
            self.assertEqual([s for s, _ in answers], [200, 404, 404, 404, 404, 200])
            self.assertEqual(answers[0][1], image("CN"))
            self.assertEqual(server.stop(), {200: 2, 404: 4})
            # One connection served all six: the log names a single client port.
            peers = {line.split()[0] for line in server.log_lines}
            self.assertEqual(len(peers), 1, server.log_lines)
            self.assertEqual(len(server.log_lines), 6)

    def test_only_get(self):
        import http.client
        with Server("--mode", "LOCAL") as server:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.request("DELETE", "/flags/cn/cn.png", headers={"Connection": "close"})
            self.assertEqual(conn.getresponse().status, 405)
            conn.close()
            self.assertEqual(server.stop(), {405: 1})

    def test_a_thousand_concurrent_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 1100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        with Server("--mode", "DELAY", "--delay", "0.5") as server:
            socks = []
            try:
                for k in range(1000):
                    s = socket.create_connection(("127.0.0.1", server.port), timeout=60)
                    s.sendall(f"GET /flags/{POP20[k % 20].lower()}/{POP20[k % 20].lower()}.png "
                              f"HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                    socks.append(s)
                statuses = []
                for s in socks:
                    data = b""
                    while chunk := s.recv(65536):
                        data += chunk
                    statuses.append(data.split(b" ", 2)[1])
            finally:
                for s in socks:
                    s.close()
            self.assertEqual(statuses, [b"200"] * 1000)
            self.assertEqual(server.stop(), {200: 1000})

    def test_errors_follow_the_seed(self):
        paths = [f"/flags/{cc.lower()}/{cc.lower()}.png" for cc in POP20] * 3
        runs = []
        for _ in range(2):
            with Server("--mode", "ERROR", "--seed", "42") as server:
                runs.append([s for s, _ in self.get(server.port, paths)])
                server.stop()
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(set(runs[0]), {200, 418})
        with Server("--mode", "ERROR", "--seed", "43") as server:
            other = [s for s, _ in self.get(server.port, paths)]
        self.assertNotEqual(other, runs[0])

    def test_max_requests_stops_the_server(self):
        for keep_alive in (True, False):
            with self.subTest(keep_alive=keep_alive), \
                    Server("--mode", "LOCAL", "--max-requests", "3") as server:
                for _ in range(3):
                    self.get(server.port, ["/flags/cn/cn.png"], keep_alive=keep_alive)
                self.assertEqual(server.proc.wait(timeout=30), 0)
                self.assertEqual(server.stop(), {200: 3})

    def test_sigint_stops_it_cleanly(self):
        with Server("--mode", "DELAY", "--delay", "0") as server:
            self.get(server.port, ["/flags/fr/fr.png"])
            self.assertEqual(server.stop(signal.SIGINT), {200: 1})
            self.assertEqual(server.returncode, 0)


@unittest.skipUnless(shutil.which("nginx") or Path("/usr/sbin/nginx").exists(),
                     "nginx is not installed")
class NginxTest(TempDirTest):
    """The downloaders against a server that is not ours: nginx serving the same images in the
    same layout."""

    def setUp(self):
        super().setUp()
        with socket.socket() as s:  # a free port; nginx cannot report one it chose itself
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        conf = self.tmp / "nginx.conf"
        conf.write_text(f"""
daemon off;
master_process off;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {self.tmp}/body;
  proxy_temp_path {self.tmp}/proxy;
  fastcgi_temp_path {self.tmp}/fastcgi;
  uwsgi_temp_path {self.tmp}/uwsgi;
  scgi_temp_path {self.tmp}/scgi;
  server {{
    listen 127.0.0.1:{self.port};
    location ~ "^/flags/(?<cc>[a-z][a-z])/\\k<cc>\\.png$" {{
      alias {FLAGS_DIR}/$cc.png;
    }}
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(self.tmp)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self.stop_nginx)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    self.fail(f"nginx exited: {self.proc.stderr.read().decode()}")
                import time
                time.sleep(0.05)  # waiting for a foreign server to bind, not timing our code
        self.url = f"http://127.0.0.1:{self.port}/flags"

    def stop_nginx(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def test_every_downloader(self):
        for program in FlagsTest.PROGRAMS:
            with self.subTest(program=program):
                dest = self.tmp / program
                r = run(program, "--url", self.url, "--dest", str(dest), cwd=self.tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertSavedExactly(dest, FlagsTest.PROGRAMS[program])
        for program in Flags2Test.PROGRAMS:
            with self.subTest(program=program):
                dest = self.tmp / program
                r = run(program, "--url", self.url, "--dest", str(dest), "-e", "-l", "100",
                        "-m", "10", cwd=self.tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                present = [cc for cc in EVERY[:100] if cc in SERVED]
                self.assertIn(f"{len(present):3} flags downloaded.\n", r.stdout)
                self.assertIn(f"{100 - len(present):3} not found.\n", r.stdout)
                self.assertSavedExactly(dest, present)


if __name__ == "__main__":
    unittest.main()
