#!/usr/bin/env python3
"""Times PDF text extraction over every PDF of the shared corpus against pdftotext.

Runs, one file at a time on one thread, the extractor command (given the PDF's path as its
last argument) and `pdftotext FILE -` over the same files, alternating the two tools for
each round, and reports each tool's total wall time (the best of the rounds), the ratio,
the slowest files and the peak resident memory of any single run. Output goes to
/dev/null for both tools.

Usage: scripts/bench-pdf.py [--cmd "COMMAND"] [--corpus DIR] [--rounds N] [--timeout S]
The default command is the example binary target/release/examples/pdftext.
"""
import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_one(argv, timeout):
    """Wall seconds, peak RSS in KiB, and whether the run finished in time."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            return time.perf_counter() - start, usage.ru_maxrss, True
        if time.perf_counter() > deadline:
            p.kill()
            _, _, usage = os.wait4(p.pid, 0)
            return time.perf_counter() - start, usage.ru_maxrss, False
        time.sleep(0.0005)


def run_set(make_argv, pdfs, timeout):
    total = 0.0
    peak = (0, "")
    per_file = {}
    hung = []
    for pdf in pdfs:
        secs, rss, finished = run_one(make_argv(pdf), timeout)
        total += secs
        per_file[pdf.name] = secs
        if rss > peak[0]:
            peak = (rss, pdf.name)
        if not finished:
            hung.append(pdf.name)
    return total, peak, per_file, hung


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", default=str(ROOT / "target/release/examples/pdftext"))
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus")
    pdfs = sorted((corpus / "pdf").glob("*.pdf"))
    cmd = shlex.split(args.cmd)
    tools = {
        "ours": lambda p: cmd + [str(p)],
        "pdftotext": lambda p: ["pdftotext", str(p), "-"],
    }
    best = {}
    for r in range(args.rounds):
        for name, make in tools.items():
            total, peak, per_file, hung = run_set(make, pdfs, args.timeout)
            print("round %d %-9s %8.2f s  peak RSS %6.1f MiB (%s)%s" % (
                r + 1, name, total, peak[0] / 1024, peak[1],
                "  killed: " + ", ".join(hung) if hung else ""), flush=True)
            if name not in best or total < best[name][0]:
                best[name] = (total, peak, per_file, hung)
    ours, theirs = best["ours"], best["pdftotext"]
    print("command:", " ".join(cmd))
    print("files: %d" % len(pdfs))
    print("best total wall time: ours %.2f s, pdftotext %.2f s, ratio %.3f" % (
        ours[0], theirs[0], ours[0] / theirs[0]))
    killed = set(ours[3]) | set(theirs[3])
    if killed:
        o = sum(v for k, v in ours[2].items() if k not in killed)
        t = sum(v for k, v in theirs[2].items() if k not in killed)
        print("without the %d file(s) a tool was killed on (%s): ours %.2f s, pdftotext %.2f s, ratio %.3f" % (
            len(killed), ", ".join(sorted(killed)), o, t, o / t))
    print("peak RSS of one run: ours %.1f MiB (%s), pdftotext %.1f MiB (%s)" % (
        ours[1][0] / 1024, ours[1][1], theirs[1][0] / 1024, theirs[1][1]))
    print("slowest files (ours vs pdftotext, seconds):")
    for name in sorted(ours[2], key=lambda n: -ours[2][n])[:10]:
        print("  %7.3f %7.3f  %s" % (ours[2][name], theirs[2][name], name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
