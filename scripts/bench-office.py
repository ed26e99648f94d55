#!/usr/bin/env python3
"""Extraction time per Office format: kooste against kreuzberg and markitdown, same files,
one run, one thread.

Run it pinned to one core so that no tool spreads work over several:
  taskset -c 1 scripts/bench-office.py [--corpus ../shared/corpus] [--bin target/release/kooste]
                                       [--formats docx,pptx,xlsx] [--runs 3]

kooste reads all files of a format in one process (`kooste extract --json --jobs 1`), timed
from outside, process start included. kreuzberg and markitdown run in this process, timed
around their per-file calls; a file a tool fails on still counts its time. Each timing is the
median of --runs runs after one warm-up run (the warm-up fills the page cache).
"""

import argparse
import os
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


def make_kreuzberg():
    import kreuzberg
    config = kreuzberg.ExtractionConfig(
        use_cache=False,
        disable_ocr=True,
        concurrency=kreuzberg.ConcurrencyConfig(max_threads=1),
        images=kreuzberg.ImageExtractionConfig(extract_images=False),
    )

    def run(files):
        failed = 0
        start = time.perf_counter()
        for f in files:
            try:
                kreuzberg.extract_file_sync(f, config=config)
            except Exception:
                failed += 1
        return time.perf_counter() - start, failed

    return run


def make_markitdown():
    from markitdown import MarkItDown
    md = MarkItDown(enable_plugins=False)

    def run(files):
        failed = 0
        start = time.perf_counter()
        for f in files:
            try:
                md.convert(f)
            except Exception:
                failed += 1
        return time.perf_counter() - start, failed

    return run


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "..", "shared", "corpus"))
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
        "kreuzberg": make_kreuzberg(),
        "markitdown": make_markitdown(),
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
