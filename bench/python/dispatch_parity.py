#!/usr/bin/env python3
"""How concurrent.futures.ProcessPoolExecutor hands out tasks, measured as bench/dispatch_parity
measures this library's pool (2 workers, 5 ms tasks), in four numbers:
  running_max          the most futures running() at once, 1000 queued 5 ms tasks
  ran_after_cancel     of 1000 queued 5 ms tasks, how many ran after
                       shutdown(cancel_futures=True) called once the first one was running
  ran_after_map_break  of map() over 1000 items of 5 ms, how many ran after the loop left at
                       the first result
  short_done_seconds   one 1 s task, then 100 of 5 ms: when the last short one finished
Prints one JSON object. Usage: dispatch_parity.py [--help]"""
import concurrent.futures as cf
import json
import os
import platform
import sys
import tempfile
import time

WORKERS = 2
TASKS = 1000
TASK_MS = 5


def sleep_ms(ms):
    time.sleep(ms / 1000)
    return ms


def logged_sleep(path, ms):
    """Appends one byte to `path` (every run of a task leaves one), then sleeps."""
    with open(path, "ab") as f:
        f.write(b"\1")
    return sleep_ms(ms)


def logged_sleep_item(item):
    return logged_sleep(*item)


class RunLog:
    def __enter__(self):
        fd, self.path = tempfile.mkstemp(prefix="dispatch_parity.")
        os.close(fd)
        return self

    def __exit__(self, *exc):
        os.unlink(self.path)

    def runs(self):
        return os.stat(self.path).st_size


def wait_until_running(f):
    while not f.running() and not f.done():
        time.sleep(0.0002)


def running_max():
    with cf.ProcessPoolExecutor(WORKERS) as pool:
        fs = [pool.submit(sleep_ms, TASK_MS) for _ in range(TASKS)]
        most = 0
        for _ in range(50):  # 50 looks over the first ~0.1 s
            if fs[-1].done():
                break
            most = max(most, sum(f.running() for f in fs))
            time.sleep(0.002)
        pool.shutdown(wait=True, cancel_futures=True)
    return most


def ran_after_cancel():
    with RunLog() as log:
        pool = cf.ProcessPoolExecutor(WORKERS)
        fs = [pool.submit(logged_sleep, log.path, TASK_MS) for _ in range(TASKS)]
        wait_until_running(fs[0])
        pool.shutdown(wait=True, cancel_futures=True)
        return log.runs()


def ran_after_map_break():
    with RunLog() as log:
        pool = cf.ProcessPoolExecutor(WORKERS)
        results = pool.map(logged_sleep_item, [(log.path, TASK_MS)] * TASKS)
        for _ in results:  # the first result, then leave the loop
            break
        results.close()
        pool.shutdown(wait=True)
        return log.runs()


def short_done_seconds():
    with cf.ProcessPoolExecutor(WORKERS) as pool:
        # Both workers exist before the clock starts, as in the C++ program.
        for f in [pool.submit(sleep_ms, 1) for _ in range(WORKERS)]:
            f.result()
        start = time.perf_counter()
        long_one = pool.submit(sleep_ms, 1000)
        shorts = [pool.submit(sleep_ms, TASK_MS) for _ in range(100)]
        for f in shorts:
            f.result()
        seconds = time.perf_counter() - start
        long_one.result()
    return seconds


def main(argv):
    if argv[1:] in (["--help"], ["-h"]):
        print(__doc__)
        return 0
    if argv[1:]:
        print(f"dispatch_parity.py: unknown argument '{argv[1]}' (see --help)", file=sys.stderr)
        return 2
    out = {
        "implementation": f"{platform.python_implementation()} {platform.python_version()}",
        "workers": WORKERS, "tasks": TASKS, "task_ms": TASK_MS,
        "running_max": running_max(),
        "ran_after_cancel": ran_after_cancel(),
        "ran_after_map_break": ran_after_map_break(),
        "short_done_seconds": round(short_done_seconds(), 3),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
