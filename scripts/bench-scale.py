#!/usr/bin/env python3
"""Share-drive scale benchmark of `kooste run` (issue 7).

Builds synthetic drives by copying the files of ../shared/corpus under varied names into
city and work-package folders, then measures:

  1. cold run, warm re-run with nothing changed, re-run after adding 10 new files
     (targets: warm <= 2 % of cold; +10 files <= 5 % of cold);
  2. parallel speed-up of the cold run, --jobs 1 against --jobs 2 (target >= 1.8x), and
     that both give byte-identical outputs;
  3. markitdown converting the same files to text, against kooste's full cold run
     (target: kooste >= 30x faster);
  4. peak memory of the cold run at N and at the big N (must not grow with N).

Usage (from the repository root, after `cargo build --release`):

  python3 scripts/bench-scale.py                      # 5,000 and 20,000 files
  python3 scripts/bench-scale.py --files 1000 --big 0 --markitdown none   # quick look

Markitdown modes: `sources` (default) converts each distinct corpus file the drive was built
from once, one file at a time in one Python process, and adds up each drive file's source
time, which is what converting every copy would cost; `full` converts every drive file
(slow: tens of minutes); `none` skips it. Every markitdown file has a 60 s limit.

The drives are copies, so a drive of N files holds only as many distinct contents as the
corpus has (1,231): kooste's cache extracts each content once. The script also times a
`--no-cache` cold run, which extracts every file, to show the cost without that effect.
"""

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpus beside the repository; a worktree deeper down finds it further up.
CORPUS = next((d / "shared" / "corpus" for d in ROOT.parents if (d / "shared" / "corpus").is_dir()),
              ROOT.parent / "shared" / "corpus")
CITIES = ["Espoo", "Helsinki", "Oulu", "Tampere", "Turku", "Vantaa"]
SUBFOLDERS = ["Raportit", "Esitykset", "Työpajat", "Aineisto", "Pöytäkirjat", "Loppuraportti"]
PREFIXES = ["", "", "Kopio_", "2018_", "Luonnos-", "AOA_"]
SUFFIXES = ["", "_v2", "_final", " (1)", "_muokattu", "_LOPULLINEN", "_kommentit"]
EPOCH = "1700000000"


def sources():
    rows = csv.DictReader(open(CORPUS / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t")
    return sorted(r["relpath"] for r in rows if (CORPUS / r["relpath"]).is_file())


def build_drive(drive: Path, n: int, seed: int = 7):
    """Copies corpus files into `drive` until it holds n files; returns {drive path: source}."""
    plan_file = drive.parent / (drive.name + ".plan.json")
    if drive.is_dir() and plan_file.is_file():
        plan = json.loads(plan_file.read_text())
        if len(plan) == n:
            return plan
    if drive.exists():
        shutil.rmtree(drive)
    rng = random.Random(seed)
    srcs = sources()
    plan = {}
    order = []
    while len(order) < n:
        batch = srcs[:]
        rng.shuffle(batch)
        order.extend(batch)
    for i, src in enumerate(order[:n]):
        stem_ext = src.split("/", 1)[-1].split("__", 1)[-1]
        stem, dot, ext = stem_ext.rpartition(".")
        if not dot:
            stem, ext = stem_ext, ""
        if rng.random() < 0.08:
            folder = f"Yhteiset/{rng.choice(SUBFOLDERS)}"
        else:
            folder = f"{rng.choice(CITIES)}/TP{rng.randint(1, 5)}/{rng.choice(SUBFOLDERS)}"
        name = f"{rng.choice(PREFIXES)}{stem}{rng.choice(SUFFIXES)}"
        rel = f"{folder}/{name}.{ext}" if ext else f"{folder}/{name}"
        k = 2
        while rel in plan:
            rel = f"{folder}/{name}_{k}.{ext}" if ext else f"{folder}/{name}_{k}"
            k += 1
        target = drive / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / src, target)
        plan[rel] = src
    plan_file.write_text(json.dumps(plan))
    return plan


def add_new_files(drive: Path, count: int, tag: str):
    """Adds `count` PDFs of new content: corpus PDFs with a comment appended after %%EOF,
    which readers ignore but which changes the content hash, so each needs extracting."""
    pdfs = [s for s in sources() if s.startswith("pdf/")]
    rng = random.Random(99)
    rng.shuffle(pdfs)
    added = []
    for i, src in enumerate(pdfs[:count]):
        rel = f"Uudet/{tag}/Uusi_toimitus_{i + 1}.pdf"
        target = drive / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = (CORPUS / src).read_bytes() + f"\n%kooste-bench {tag} {i}\n".encode()
        target.write_bytes(data)
        added.append(rel)
    return added


def run_kooste(kooste, drive, out, *extra):
    """Runs kooste; returns (wall seconds, peak RSS KiB of kooste or its largest worker,
    the run's row from the runs table)."""
    cmd = ["/usr/bin/time", "-f", "%e %M", "-o", str(out) + ".time", str(kooste), "run",
           str(drive), "-o", str(out), "-q", *extra]
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    subprocess.run(cmd, check=True, env=env)
    secs, rss = Path(str(out) + ".time").read_text().split()[-2:]
    db = sqlite3.connect(out / "kooste.db")
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())
    db.close()
    return float(secs), int(rss), row


def same_outputs(a: Path, b: Path):
    names = ["kooste.md", "index.json", "themes.csv", "audit.md", "kooste.html", "kooste.xlsx"]
    diffs = []
    for name in names:
        pa, pb = a / name, b / name
        if pa.exists() != pb.exists() or (pa.exists() and pa.read_bytes() != pb.read_bytes()):
            diffs.append(name)
    return diffs


def _md_worker(jobs, results):
    from markitdown import MarkItDown
    import warnings
    warnings.filterwarnings("ignore")
    md = MarkItDown()
    for path in iter(jobs.get, None):
        t = time.perf_counter()
        try:
            md.convert(path)
            ok = True
        except Exception:
            ok = False
        results.put((path, time.perf_counter() - t, ok))


def markitdown_times(paths, limit=60.0):
    """Seconds per file for markitdown, one file at a time in one worker process (restarted
    when a file overruns `limit`, which is then counted at `limit`)."""
    times = {}
    pending = list(paths)
    ctx = mp.get_context("spawn")
    while pending:
        jobs, results = ctx.Queue(), ctx.Queue()
        proc = ctx.Process(target=_md_worker, args=(jobs, results), daemon=True)
        proc.start()
        # Start-up (imports) is not charged to any file.
        while pending:
            path = pending.pop(0)
            jobs.put(path)
            try:
                got, secs, ok = results.get(timeout=limit + 30)
                times[got] = (secs, ok)
            except Exception:
                times[path] = (limit, False)
                proc.kill()
                proc.join()
                break
        else:
            jobs.put(None)
            proc.join(timeout=10)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--big", type=int, default=20000, help="second drive size for memory; 0 skips")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kooste-bench"))
    ap.add_argument("--kooste", type=Path, default=ROOT / "target" / "release" / "kooste")
    ap.add_argument("--markitdown", choices=["sources", "full", "none"], default="sources")
    ap.add_argument("--repeat", type=int, default=3, help="timed kooste runs repeated, fastest kept")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    if not args.kooste.is_file():
        sys.exit(f"no kooste at {args.kooste}: run cargo build --release first")
    args.work.mkdir(parents=True, exist_ok=True)
    res = {"files": args.files, "cores": os.cpu_count()}

    drive = args.work / f"drive{args.files}"
    t = time.time()
    plan = build_drive(drive, args.files)
    res["distinct_sources"] = len(set(plan.values()))
    print(f"drive of {args.files} files ({res['distinct_sources']} distinct) ready in {time.time() - t:.0f} s", flush=True)
    # Leave no file from an earlier +10 step behind.
    shutil.rmtree(drive / "Uudet", ignore_errors=True)

    def fresh(name):
        out = args.work / name
        shutil.rmtree(out, ignore_errors=True)
        return out

    # 1. cold, warm, +10; each repeated, the fastest kept (the machine is shared and noisy)
    best = {}
    for _ in range(args.repeat):
        out = fresh("out")
        cold, cold_rss, cold_row = run_kooste(args.kooste, drive, out)
        warm, _, warm_row = run_kooste(args.kooste, drive, out)
        add_new_files(drive, 10, "a")
        plus10, _, plus_row = run_kooste(args.kooste, drive, out)
        shutil.rmtree(drive / "Uudet", ignore_errors=True)
        for k, v in (("cold", (cold, cold_rss, cold_row)), ("warm", (warm, 0, warm_row)),
                     ("plus10", (plus10, 0, plus_row))):
            if k not in best or v[0] < best[k][0]:
                best[k] = v
    cold, cold_rss, cold_row = best["cold"]
    warm, _, warm_row = best["warm"]
    plus10, _, plus_row = best["plus10"]
    res.update(cold_s=cold, warm_s=warm, plus10_s=plus10,
               warm_ratio=warm / cold, plus10_ratio=plus10 / cold,
               cold_extracted=cold_row["extracted"], warm_extracted=warm_row["extracted"],
               plus10_extracted=plus_row["extracted"],
               db_bytes=(out / "kooste.db").stat().st_size)
    print(f"cold {cold:.2f} s (extracted {cold_row['extracted']}), warm {warm:.2f} s "
          f"({100 * warm / cold:.1f} %), +10 files {plus10:.2f} s ({100 * plus10 / cold:.1f} %, "
          f"extracted {plus_row['extracted']})", flush=True)

    # 2. --jobs 1 against --jobs 2, fresh output folders, alternated and repeated
    j1s, j2s = [], []
    for _ in range(args.repeat):
        o1, o2 = fresh("out-j1"), fresh("out-j2")
        j1s.append(run_kooste(args.kooste, drive, o1, "--jobs", "1")[0])
        j2s.append(run_kooste(args.kooste, drive, o2, "--jobs", "2")[0])
    j1, j2 = min(j1s), min(j2s)
    # The fastest runs give the ratio; the medians and every run are shown beside it, as two
    # shared cores swing from run to run.
    med1, med2 = statistics.median(j1s), statistics.median(j2s)
    diffs = same_outputs(o1, o2)
    nc1, _, _ = run_kooste(args.kooste, drive, fresh("out-nc-j1"), "--jobs", "1", "--no-cache")
    ncout = fresh("out-nc-j2")
    nc2, _, nc_row = run_kooste(args.kooste, drive, ncout, "--jobs", "2", "--no-cache")
    res.update(jobs1_s=j1, jobs2_s=j2, speedup=j1 / j2, jobs1_runs=j1s, jobs2_runs=j2s,
               speedup_median=med1 / med2, identical=not diffs, differing=diffs,
               nocache_jobs1_s=nc1, nocache_jobs2_s=nc2, nocache_speedup=nc1 / nc2,
               nocache_extracted=nc_row["extracted"])
    runs = lambda ts: ", ".join(f"{t:.2f}" for t in ts)
    print(f"cold --jobs 1 {j1:.2f} s, --jobs 2 {j2:.2f} s: speed-up {j1 / j2:.2f}x "
          f"(medians {med1:.2f} / {med2:.2f} s: {med1 / med2:.2f}x; runs {runs(j1s)} / {runs(j2s)}); "
          f"outputs {'identical' if not diffs else 'DIFFER: ' + ', '.join(diffs)}", flush=True)
    print(f"cold --no-cache (every file extracted): --jobs 1 {nc1:.2f} s, --jobs 2 {nc2:.2f} s: "
          f"speed-up {nc1 / nc2:.2f}x", flush=True)

    # 3. markitdown
    if args.markitdown != "none":
        t = time.time()
        if args.markitdown == "full":
            paths = [str(drive / p) for p in sorted(plan)]
            times = markitdown_times(paths)
            total = sum(s for s, _ in times.values())
            ok = sum(1 for _, good in times.values() if good)
        else:
            srcs = sorted(set(plan.values()))
            times = markitdown_times([str(CORPUS / s) for s in srcs])
            per = {s: times[str(CORPUS / s)] for s in srcs}
            total = sum(per[s][0] for s in plan.values())
            ok = sum(1 for s in plan.values() if per[s][1])
        res.update(markitdown_mode=args.markitdown, markitdown_s=total, markitdown_ok=ok,
                   vs_markitdown=total / cold, vs_markitdown_nocache=total / nc2)
        print(f"markitdown ({args.markitdown}): {total:.0f} s for {len(plan)} files ({ok} converted; "
              f"measured in {time.time() - t:.0f} s): kooste cold run {total / cold:.0f}x faster, "
              f"--no-cache {total / nc2:.0f}x faster", flush=True)

    # 4. memory at N and at the big N
    # A re-run is what users do most: its memory counts as much as the cold run's.
    res.update(rss_kib=cold_row["peak_rss_kib"], worker_rss_kib=cold_row["worker_peak_rss_kib"],
               time_max_rss_kib=cold_rss, plus10_rss_kib=plus_row["peak_rss_kib"])
    print(f"peak RSS at {args.files}: kooste {cold_row['peak_rss_kib']} KiB cold, "
          f"{plus_row['peak_rss_kib']} KiB re-run after 10 new files, "
          f"largest worker {cold_row['worker_peak_rss_kib']} KiB", flush=True)
    if args.big:
        big = args.work / f"drive{args.big}"
        t = time.time()
        build_drive(big, args.big)
        print(f"drive of {args.big} files ready in {time.time() - t:.0f} s", flush=True)
        bout = fresh("out-big")
        bsecs, brss, brow = run_kooste(args.kooste, big, bout)
        shutil.rmtree(big / "Uudet", ignore_errors=True)
        add_new_files(big, 10, "a")
        psecs, _, prow = run_kooste(args.kooste, big, bout)
        shutil.rmtree(big / "Uudet", ignore_errors=True)
        res.update(big_files=args.big, big_cold_s=bsecs, big_rss_kib=brow["peak_rss_kib"],
                   big_worker_rss_kib=brow["worker_peak_rss_kib"], big_time_max_rss_kib=brss,
                   big_db_bytes=(bout / "kooste.db").stat().st_size,
                   big_plus10_s=psecs, big_plus10_rss_kib=prow["peak_rss_kib"])
        print(f"peak RSS at {args.big}: kooste {brow['peak_rss_kib']} KiB cold, "
              f"{prow['peak_rss_kib']} KiB re-run after 10 new files ({psecs:.2f} s), "
              f"largest worker {brow['worker_peak_rss_kib']} KiB (cold run {bsecs:.1f} s, "
              f"db {res['big_db_bytes'] >> 20} MiB)", flush=True)

    (args.work / "results.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
