#!/usr/bin/env python3
"""Extraction time per Office format: kooste against kreuzberg and markitdown, same files,
one run, one thread.

Run it pinned to one core so that no tool spreads work over several:
  taskset -c 1 scripts/bench-office.py [--corpus ../shared/corpus] [--bin target/release/kooste]
                                       [--formats docx,pptx,xlsx] [--runs 3]

kooste reads all files of a format in one process (`kooste extract --json --jobs 1`), timed
from outside, process start included. kreuzberg and markitdown each run in a worker process
of their own, timed around their per-file calls; a file a tool fails on still counts its
time. The worker runs under a 6 GiB address-space limit and a 120 s per-file timeout
(markitdown's pandas reader exhausts memory on some corpus workbooks); a file that kills
or stalls the worker counts as failed, with the time it took, and the worker is restarted.
Each timing is the median of --runs runs after one warm-up run (the warm-up fills the page
cache).
"""

import argparse
import os
import resource
import select
import statistics
import subprocess
import sys
import time

# Keep the Rust core of kreuzberg and any BLAS to one thread before they load.
for var in ("RAYON_NUM_THREADS", "TOKIO_WORKER_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def files_of(corpus, fmt):
    d = os.path.join(corpus, fmt)
    return [os.path.join(d, n) for n in sorted(os.listdir(d))]


def time_kooste(binary, files):
    start = time.perf_counter()
    subprocess.run([binary, "extract", "--json", "--jobs", "1"] + files,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, None


def converter(tool):
    """The per-file call of a Python tool, for the worker."""
    if tool == "kreuzberg":
        import kreuzberg
        config = kreuzberg.ExtractionConfig(
            use_cache=False,
            disable_ocr=True,
            concurrency=kreuzberg.ConcurrencyConfig(max_threads=1),
            images=kreuzberg.ImageExtractionConfig(extract_images=False),
        )
        return lambda f: kreuzberg.extract_file_sync(f, config=config)
    from markitdown import MarkItDown
    md = MarkItDown(enable_plugins=False)
    return md.convert


def worker(tool):
    """Reads paths from stdin, answers 'seconds ok|fail' per path."""
    import warnings
    warnings.filterwarnings("ignore")
    convert = converter(tool)
    print("ready", flush=True)
    for line in sys.stdin:
        path = line.rstrip("\n")
        start = time.perf_counter()
        try:
            convert(path)
            ok = "ok"
        except BaseException:
            ok = "fail"
        print(f"{time.perf_counter() - start:.6f} {ok}", flush=True)


def limit_memory():
    limit = 6 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Worker:
    def __init__(self, tool):
        self.tool = tool
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", self.tool],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, preexec_fn=limit_memory)
        self.proc.stdout.readline()  # "ready": imports are not timed

    def convert(self, path, timeout=120):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        start = time.perf_counter()
        self.proc.stdin.write(path + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            return time.perf_counter() - start, False
        secs, ok = line.split()
        return float(secs), ok == "ok"

    def run(self, files):
        total, failed = 0.0, 0
        for f in files:
            secs, ok = self.convert(f)
            total += secs
            failed += not ok
        return total, failed


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        return worker(sys.argv[2])
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
    ap.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "kooste"))
    ap.add_argument("--formats", default="docx,pptx,xlsx")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markitdown-runs", type=int, default=1)
    args = ap.parse_args()
    corpus = os.path.abspath(args.corpus)
    binary = os.path.abspath(args.bin)
    affinity = len(os.sched_getaffinity(0))
    if affinity != 1:
        print(f"note: running on {affinity} cores; use taskset -c N for one", file=sys.stderr)
    tools = {
        "kooste": lambda files: time_kooste(binary, files),
        "kreuzberg": Worker("kreuzberg").run,
        "markitdown": Worker("markitdown").run,
    }
    print(f"{'format':6} {'files':>5} {'kooste s':>9} {'kreuzberg s':>11} {'markitdown s':>12} "
          f"{'vs kreuzberg':>12} {'vs markitdown':>13}  failures k/m")
    for fmt in args.formats.split(","):
        files = files_of(corpus, fmt)
        times = {}
        failures = {}
        for name, run in tools.items():
            runs = args.markitdown_runs if name == "markitdown" else args.runs
            run(files)  # warm-up
            samples = []
            for _ in range(runs):
                t, failed = run(files)
                samples.append(t)
                failures[name] = failed
            times[name] = statistics.median(samples)
        k, z, m = times["kooste"], times["kreuzberg"], times["markitdown"]
        print(f"{fmt:6} {len(files):5} {k:9.3f} {z:11.3f} {m:12.3f} {z / k:11.1f}x {m / k:12.1f}x"
              f"  {failures['kreuzberg']}/{failures['markitdown']}", flush=True)


if __name__ == "__main__":
    main()
