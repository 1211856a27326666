#!/usr/bin/env python3
"""The book's I/O-bound flags downloads on CPython's standard library, for the report beside ours.

Downloads Fluent Python's POP20 flags from a flags server (examples/flags/flags_server) the ways
the book's programs do -- one after another as flags.py, on a ThreadPoolExecutor as
flags_threadpool.py, and on asyncio with a semaphore as flags2_asyncio.py -- and writes the
measurements as a Google Benchmark JSON record in cpython_bench.py's shape, which tools/report
reads beside the C++ records. Standard library only (urllib, asyncio streams); Python 3.9 or
later.

bench/python/README.md explains the method. `flags_bench.py --help` lists the flags.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.client
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import cpython_bench as cb  # noqa: E402  the rounds, counters, context and record

PROGRAM = "flags_bench"
WORKLOAD = "flags"
# The book's 20 most populous countries (flags.py's POP20_CC).
POP20_CC = "CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split()
EXECUTORS = ["sequential", "thread", "asyncio"]
DEFAULT_WORKERS = [1, 4, 16, 64]
DEFAULT_FLAG_ROUNDS = 3
DEFAULT_TIMEOUT = 6.1  # seconds: flags.py's timeout of each request
MAX_WORKERS = 1024

# -------------------------------------------------------------------------------------------
# The downloads: flags.py, flags_threadpool.py and flags2_asyncio.py, on the standard library.

# urlopen's machinery without the proxies of the environment: the asyncio rows connect
# directly, and so do these.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class DownloadError(Exception):
    """A download answered another status than 200, or not as HTTP/1.x."""


def get_flag(base_url, cc, timeout):
    """flags.py's get_flag on urllib (HTTP/1.1, Connection: close): the image's bytes. Raises
    DownloadError for any status but 200, http.client's errors for a body cut short."""
    url = f"{base_url}/{cc.lower()}/{cc.lower()}.png"
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            if resp.status != 200:
                raise DownloadError(f"GET {url} answered {resp.status} {resp.reason}")
            return resp.read()
    except urllib.error.HTTPError as e:
        e.close()
        raise DownloadError(f"GET {url} answered {e.code} {e.reason}") from None


def save_flag(img, filename, dest):
    """flags.py's save_flag: the image as `filename` in the directory `dest`."""
    (pathlib.Path(dest) / filename).write_bytes(img)


def download_one(cc, base_url, dest, timeout):
    """flags_threadpool.py's download_one: get, then save as CC.png; returns (cc, bytes)."""
    image = get_flag(base_url, cc, timeout)
    save_flag(image, f"{cc}.png", dest)
    return cc, len(image)


def download_sequential(codes, base_url, dest, timeout):
    """flags.py's download_many: one flag after another."""
    return [download_one(cc, base_url, dest, timeout) for cc in codes]


def download_threads(pool, codes, base_url, dest, timeout):
    """flags_threadpool.py's download_many, on a pool made beforehand: executor.map."""
    one = functools.partial(download_one, base_url=base_url, dest=dest, timeout=timeout)
    return list(pool.map(one, codes))


class Target:
    """Where an http://HOST[:PORT][/PATH] base URL points: host, port, Host header, path."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host = parts.hostname
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.path = parts.path.rstrip("/")


async def get_flag_async(target, cc):
    """flags2_asyncio.py's get_flag on asyncio streams: an HTTP/1.1 GET with Connection:
    close, the status line, the headers, then Content-Length bytes of body."""
    path = f"{target.path}/{cc.lower()}/{cc.lower()}.png"
    url = f"http://{target.netloc}{path}"
    reader, writer = await asyncio.open_connection(target.host, target.port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {target.netloc}\r\n"
                     "Connection: close\r\n\r\n".encode("ascii"))
        await writer.drain()
        line = await reader.readline()
        if not line:
            raise DownloadError(f"GET {url}: the connection closed before a status line")
        version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
        status, _, reason = rest.partition(" ")
        if not (version.startswith("HTTP/1.") and status.isdigit()):
            raise DownloadError(f"GET {url}: expected an HTTP/1.x status line, got {line!r}")
        length = None
        while True:
            line = await reader.readline()
            if not line.endswith(b"\n"):
                raise DownloadError(f"GET {url}: the connection closed in the headers")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if status != "200":
            raise DownloadError(f"GET {url} answered {status} {reason}")
        if length is None:
            raise DownloadError(f"GET {url}: no Content-Length")
        return await reader.readexactly(length)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:  # the peer reset a connection we are done with
            pass


async def download_one_async(cc, target, dest, timeout, semaphore):
    """flags2_asyncio.py's download_one: the request under the semaphore, then the file saved
    through asyncio.to_thread; returns (cc, bytes)."""
    async with semaphore:
        image = await asyncio.wait_for(get_flag_async(target, cc), timeout)
    await asyncio.to_thread(save_flag, image, f"{cc}.png", dest)
    return cc, len(image)


async def supervisor(codes, target, dest, timeout, concur_req):
    """flags2_asyncio.py's supervisor: every download a task, at most `concur_req` requests in
    flight (asyncio.Semaphore), taken as they complete. The first failure cancels the rest."""
    semaphore = asyncio.Semaphore(concur_req)
    to_do = [asyncio.ensure_future(download_one_async(cc, target, dest, timeout, semaphore))
             for cc in codes]
    try:
        return [await coro for coro in asyncio.as_completed(to_do)]
    finally:
        for task in to_do:
            task.cancel()
        await asyncio.gather(*to_do, return_exceptions=True)  # no exception left unretrieved


# -------------------------------------------------------------------------------------------
# The server check and the rows.

class ServerError(Exception):
    """The URL does not answer as a flags server: nothing runs (exit status 2)."""


def start_server(program, delay):
    """flags_server in DELAY mode on a free loopback port, as this process's child, so that its
    CPU time counts as the rows' and not as other programs' load. Returns (its Popen, its base
    URL); terminate it with stop_server. Raises ServerError."""
    command = [program, "--mode", "DELAY", "--port", "0", "--delay", repr(delay),
               "--lifetime", "3600"]
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True)
    except OSError as e:
        raise ServerError(f"{PROGRAM}: invalid --server '{program}': cannot start it: "
                          f"{e.strerror}") from None
    match = re.search(r"http://127\.0\.0\.1:\d+/flags", proc.stdout.readline())
    if not match:
        stop_server(proc)
        raise ServerError(f"{PROGRAM}: invalid --server '{program}': it did not say where it "
                          "listens: expected flags_server")
    return proc, match.group(0)


def stop_server(proc):
    """Stops a server that start_server started, and waits for it."""
    if proc.poll() is None:
        proc.terminate()
    proc.communicate(timeout=30)


def expected_sizes(options):
    """Downloads each POP20 flag once, before any row: the check that the URL is reachable and
    serves them, and the size every later download of a flag must have. Returns {cc: bytes};
    raises ServerError with the one-line message."""
    o = options
    sizes = {}
    for cc in POP20_CC:
        try:
            sizes[cc] = len(get_flag(o.url, cc, o.timeout))
        except DownloadError as e:
            raise ServerError(f"{PROGRAM}: invalid --url '{o.url}': {e}: expected a flags server "
                              "answering 200 to GET URL/cc/cc.png (flags_server --mode DELAY "
                              "or LOCAL)") from None
        except urllib.error.URLError as e:
            why = getattr(e.reason, "strerror", None) or str(e.reason)
            raise ServerError(f"{PROGRAM}: cannot reach {o.url}: cannot connect to "
                              f"{o.target.netloc}: {why}") from None
        except (OSError, http.client.HTTPException) as e:
            raise ServerError(f"{PROGRAM}: cannot reach {o.url}: GET of {cc}: "
                              f"{type(e).__name__}: {e}") from None
    return sizes


class FlagsBench:
    """The rows of a run and the thread pools alive, as cpython_bench.run_bench takes them."""

    def __init__(self, options, sizes):
        self.options = options
        self.sizes = sizes
        # The book sorts the codes; each flag round is one pass over them.
        self.codes = sorted(POP20_CC) * options.flag_rounds
        self.pools = cb.Pools(None)  # thread pools only: no multiprocessing context
        self.dirs = []  # the rows' directories not yet removed

    def _row(self, executor, workers):
        o = self.options
        codes = self.codes

        def run():
            # The row's directory; close() removes it if the row does not get to (the pool's
            # threads may still be saving into it until the pool is shut down).
            dest = tempfile.mkdtemp(prefix=f"{PROGRAM}.")
            self.dirs.append(dest)
            if executor == "sequential":
                def fn():
                    return download_sequential(codes, o.url, dest, o.timeout)
            elif executor == "thread":
                pool = self.pools.thread_pool(workers)
                self.pools.warm_up(pool, workers)

                def fn():
                    return download_threads(pool, codes, o.url, dest, o.timeout)
            else:
                def fn():
                    return asyncio.run(supervisor(codes, o.target, dest, o.timeout, workers))
            got, wall, cpu, counters = cb.timed(fn)
            if executor == "thread":
                self.pools.shutdown(pool)
            self._check(got, dest)
            shutil.rmtree(dest)
            self.dirs.remove(dest)
            total = sum(size for _, size in got)
            jobs = len(codes)
            counters.update({
                cb.WORKERS: workers,
                cb.JOBS: jobs,
                cb.JOB_BYTES: total / jobs,
                cb.TOTAL_BYTES: total,
                "bytes_per_second": total / wall,
                "items_per_second": jobs / wall,
            })
            return 1, wall, cpu, counters
        return run

    def _check(self, got, dest):
        """Every download of the iteration came back with its flag's size, and the directory
        holds each flag, whole, and nothing else."""
        if sorted(cc for cc, _ in got) != sorted(self.codes):
            raise RuntimeError(f"{len(got)} downloads came back of {len(self.codes)}")
        for cc, size in got:
            if size != self.sizes[cc]:
                raise RuntimeError(f"{cc}: {size} bytes, {self.sizes[cc]} before the rows")
        files = {f"{cc}.png": size for cc, size in self.sizes.items()}
        if sorted(os.listdir(dest)) != sorted(files):
            raise RuntimeError(f"saved {sorted(os.listdir(dest))}, expected {sorted(files)}")
        for name, size in files.items():
            if os.path.getsize(os.path.join(dest, name)) != size:
                raise RuntimeError(f"{name} does not hold the {size} bytes downloaded")

    def configs(self):
        o = self.options
        out = []
        for executor in o.executors:
            family = cb.FAMILY + executor.capitalize()
            for workers in ([1] if executor == "sequential" else o.workers):
                out.append(cb.Config(f"BM_{family}_Flags/workers:{workers}/real_time",
                                     f"{cb.IMPLEMENTATION}-{executor}", "ms",
                                     self._row(executor, workers), WORKLOAD, bound="io"))
        sequential = [c for c in out if c.executor == f"{cb.IMPLEMENTATION}-sequential"]
        for c in out:
            if sequential and c is not sequential[0]:
                c.baseline = sequential[0]
        return cb.number_families(out)

    def run(self):
        o = self.options
        return cb.run_rounds_saying(self.configs(), o.rounds, o.max_rounds, o.max_ci, progress)

    def close(self, abort):
        """Ends the thread pools (see cpython_bench.Pools.close), then removes the directories
        of the rows that did not end."""
        self.pools.close(abort)
        for dest in self.dirs:
            shutil.rmtree(dest, ignore_errors=True)
        self.dirs.clear()


def context(options, sizes, machine=None):
    """The record's context: cpython_bench's machine part, the Python build, this run's
    settings and the flags' sizes."""
    o = options
    ctx = cb.machine_part(machine)
    ctx.update(cb.python_build())
    ctx.update({
        "switch_interval_seconds": sys.getswitchinterval(),
        "url": o.url,
        "executors": o.executors,
        "workers": o.workers,
        "rounds": o.rounds,
        "max_rounds": o.max_rounds,
        "max_ci": o.max_ci,
        "flag_rounds": o.flag_rounds,
        "timeout_seconds": o.timeout,
        "flag_bytes": sizes,
        # The server check's downloads, one of each flag, before the rows.
        "check_downloads": len(sizes),
    })
    return ctx


# -------------------------------------------------------------------------------------------
# Flags

USAGE = f"""usage: {PROGRAM}.py --url=URL|--server=PATH [flags]

Downloads the book's 20 flags (POP20) from a flags server, --flag-rounds times an iteration:
in a loop (flags.py), on CPython's ThreadPoolExecutor (flags_threadpool.py) and on asyncio
with a semaphore (flags2_asyncio.py), and writes a Google Benchmark JSON record for
tools/report. Before any row it downloads each flag once, as the check that the URL answers.
Progress goes to standard error.

  --url=URL                  the server's base URL, http://HOST[:PORT][/PATH], e.g.
                             http://127.0.0.1:8001/flags (flags_server --mode DELAY); or
  --server=PATH              start this flags_server in DELAY mode on a free loopback port,
                             as a child (its CPU time then counts as the rows'); one of the
                             two is required
  --delay=0.02               the --server's seconds before each answer, 0 to 10
  --workers=1,4,16,64        threads of the pools and asyncio's concurrency limits, 1 to 1024
  --flag-rounds=3            passes over the 20 flags an iteration, 1 to 1000
  --rounds=9                 rounds: each runs every row once, in a shuffled order
  --max-rounds=15            most rounds of a row whose 95% interval of the median is wider
                             than --max-ci (it reruns with its sequential baseline), 1 to 1000
  --max-ci=0.05              widest accepted half-width of that interval, relative to the
                             median, 0 to 1
  --executors=sequential,thread,asyncio
                             which executors
  --timeout=6.1              seconds each request may take, 0.001 to 3600
  --out=FILE                 where the JSON goes (default: standard output); written whole
                             or not at all
  --machine-context=PROGRAM  run PROGRAM (tools/context's machine_context) and record every
                             pair of the JSON object it prints in the context
  --help                     this text

Flags take --name=VALUE or --name VALUE; an underscore may stand for a hyphen in a name
(--max_rounds, the old spelling, is --max-rounds).
Exit status: 0, 1 when a row failed or the output could not be written (nothing written),
2 for a bad flag, a URL that does not answer as a flags server or a failing
--machine-context program (nothing run), 130 when interrupted (nothing written).
"""

URL_FORM = "http://HOST[:PORT][/PATH], the base URL of a flags server"


class Options:
    def __init__(self):
        self.url = None
        self.target = None
        self.server = None  # a flags_server program to start, instead of --url
        self.delay = 0.02
        self.workers = list(DEFAULT_WORKERS)
        self.flag_rounds = DEFAULT_FLAG_ROUNDS
        self.rounds = cb.DEFAULT_REPETITIONS
        self.max_rounds = cb.DEFAULT_MAX_ROUNDS
        self.max_ci = cb.DEFAULT_MAX_CI
        self.executors = list(EXECUTORS)
        self.timeout = DEFAULT_TIMEOUT
        self.out = None
        self.machine_context = None


def _invalid(name, value, accepted):
    cb.invalid(name, value, accepted, PROGRAM)


def parse_url(value):
    """The base URL without a trailing slash, and its Target. Raises FlagError."""
    if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
        _invalid("--url", value, URL_FORM)
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018  raises ValueError for a port out of range or not a number
    except ValueError:
        _invalid("--url", value, URL_FORM)
    if parts.scheme == "https":
        _invalid("--url", value, f"{URL_FORM} (https is not supported)")
    if (parts.scheme != "http" or not parts.hostname or parts.query or parts.fragment
            or parts.username is not None or value.endswith("?") or value.endswith("#")):
        _invalid("--url", value, URL_FORM)
    url = value.rstrip("/")
    return url, Target(url)


parse_url.accepts = URL_FORM


def _workers(value):
    items = [item.strip() for item in value.split(",")]
    if not all(cb._is_whole(i) and 1 <= int(i) <= MAX_WORKERS for i in items):
        _invalid("--workers", value, f"a comma-separated list of whole numbers from 1 to "
                                     f"{MAX_WORKERS}")
    return sorted({int(i) for i in items})


_workers.accepts = f"a comma-separated list of whole numbers from 1 to {MAX_WORKERS}"


def _out(value):
    directory = os.path.dirname(os.path.abspath(value)) if value else ""
    if not value or os.path.isdir(value):
        _invalid("--out", value, "a file name, not a directory")
    if not os.path.isdir(directory):
        _invalid("--out", value, f"a file in an existing directory ({directory} is not one)")
    return None if value == "-" else value


_out.accepts = "a file name"


def parse_flags(argv):
    """Returns Options, or None for --help. Raises cpython_bench.FlagError with the one-line
    message."""
    p = cb.OneLineParser(PROGRAM)
    s = argparse.SUPPRESS
    p.add_argument("--url", type=parse_url, default=s)
    p.add_argument("--server", type=cb.nonempty("--server", "the flags_server program", PROGRAM),
                   default=s)
    p.add_argument("--delay", type=cb.number("--delay", 0, 10, PROGRAM), default=s)
    p.add_argument("--workers", type=_workers, default=s)
    p.add_argument("--flag-rounds", type=cb.whole("--flag-rounds", 1, 1000, PROGRAM), default=s)
    p.add_argument("--rounds", type=cb.whole("--rounds", 1, 1000, PROGRAM), default=s)
    p.add_argument("--max-rounds", type=cb.whole("--max-rounds", 1, 1000, PROGRAM), default=s)
    p.add_argument("--max-ci", type=cb.number("--max-ci", 0, 1, PROGRAM), default=s)
    p.add_argument("--executors", type=cb.choices("--executors", EXECUTORS, PROGRAM), default=s)
    p.add_argument("--timeout", type=cb.number("--timeout", 0.001, 3600, PROGRAM), default=s)
    p.add_argument("--out", type=_out, default=s)
    p.add_argument("--machine-context",
                   type=cb.nonempty("--machine-context", "the machine_context program", PROGRAM),
                   default=s)
    given = cb.parse_command_line(p, argv)
    if given is None:
        return None
    o = Options()
    for name, value in vars(given).items():
        if name == "url":
            o.url, o.target = value
        else:
            setattr(o, name, value)
    if (o.url is None) == (o.server is None):
        what = "missing --url" if o.url is None else "both --url and --server given"
        raise cb.FlagError(f"{PROGRAM}: {what}: expected --url={URL_FORM}, e.g. "
                           "--url=http://127.0.0.1:8001/flags, or --server=PATH of a "
                           "flags_server to start")
    return o


# -------------------------------------------------------------------------------------------
# Output

def progress(line):
    print(f"{PROGRAM}: {line}", file=sys.stderr, flush=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if sys.version_info < (3, 9):
        print(f"{PROGRAM}: needs Python 3.9 or later (asyncio.to_thread), this is "
              f"{sys.version.split()[0]}", file=sys.stderr)
        return 2
    try:
        options = parse_flags(argv)
    except cb.FlagError as e:
        print(e, file=sys.stderr)
        return 2
    if options is None:
        sys.stdout.write(USAGE)
        return 0
    server = None
    try:
        if options.server is not None:
            server, options.url = start_server(options.server, options.delay)
            options.target = Target(options.url)
        return run(options)
    except ServerError as e:
        print(e, file=sys.stderr)
        return 2
    finally:
        if server is not None:
            stop_server(server)


def run(options):
    """main() once the server is known: the check, the rows, the record."""
    machine = None
    try:
        if options.machine_context is not None:
            machine = cb.machine_context(
                options.machine_context,
                f"{PROGRAM}: --machine-context={options.machine_context}")
        sizes = expected_sizes(options)
    except (cb.ContextError, ServerError) as e:
        print(e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        progress("interrupted; nothing written")
        return 130
    progress(f"checked: {options.url} serves the {len(sizes)} flags "
             f"({sum(sizes.values())} bytes)")

    bench = FlagsBench(options, sizes)
    benchmarks = cb.run_bench(bench, progress)
    if isinstance(benchmarks, int):
        return benchmarks
    record = {"context": context(options, sizes, machine), "benchmarks": benchmarks}
    return cb.write_record(record, options.out, progress)


if __name__ == "__main__":
    sys.exit(main())
