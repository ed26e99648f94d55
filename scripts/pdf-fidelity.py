#!/usr/bin/env python3
"""Measures PDF text extraction against pdftotext's reference texts of the shared corpus.

Runs an extractor command on every PDF of CORPUS/pdf (the command gets the PDF's path as
its last argument and prints the text, pages separated by form feeds) and reports:

  * status counts: ok, empty, encrypted, corrupt, too_large, timeout, unsupported, plus
    hang (killed by this script's timeout) and crash (signal, or a failure without a
    `kind: message` line on stderr);
  * fidelity, for each PDF whose reference (CORPUS/_reference/pdftotext/NAME.pdf.txt) has
    at least 200 non-blank characters: word-bag F1 and word-bigram F1 of the command's text
    against the reference. Both texts are NFC-normalised, hyphenated line ends are rejoined,
    and words are lower-cased runs of letters and digits;
  * Finnish letters: on PDFs whose manifest language is `fi`, the counts of ä ö å Ä Ö in the
    command's text and in the reference.

Usage: scripts/pdf-fidelity.py [--cmd "COMMAND"] [--corpus DIR] [--jobs N] [--timeout S]
                               [--report FILE.tsv] [--below 0.8]
The default command is the example binary target/release/examples/pdftext.
"""
import argparse
import collections
import concurrent.futures
import csv
import os
import re
import shlex
import statistics
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["ok", "empty", "encrypted", "corrupt", "too_large", "timeout", "unsupported", "io", "hang", "crash"]
FINNISH = ["ä", "ö", "å", "Ä", "Ö"]
HYPHEN_END = re.compile(r"(?<=\w)[-\u00ad][ \t]*\n[\s\f]*(?=\w)")
WORD = re.compile(r"[^\W_]+")


def words(text):
    text = unicodedata.normalize("NFC", text)
    text = HYPHEN_END.sub("", text)
    return WORD.findall(text.lower())


def f1(ours, ref):
    a, b = collections.Counter(ours), collections.Counter(ref)
    common = sum((a & b).values())
    if not ours or not ref or common == 0:
        return 0.0
    p, r = common / len(ours), common / len(ref)
    return 2 * p * r / (p + r)


def bigrams(tokens):
    return list(zip(tokens, tokens[1:]))


def run(cmd, pdf, timeout):
    try:
        p = subprocess.run(cmd + [str(pdf)], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", "", "killed after %ss" % timeout
    text = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace").strip()
    # `kooste extract` exits 0 for an unreadable file and names its kind on standard error
    # as "kooste: PATH: KIND: message"; other tools exit non-zero.
    typed = re.search(r": (%s): " % "|".join(KINDS), err.splitlines()[-1]) if err else None
    if p.returncode == 0 and typed:
        return typed.group(1), text, err.splitlines()[-1]
    if p.returncode == 0:
        return ("ok" if text.strip() else "empty"), text, ""
    if p.returncode < 0:
        return "crash", text, "signal %d" % -p.returncode
    last = err.splitlines()[-1] if err else ""
    kind = last.split(":", 1)[0].strip()
    if kind in KINDS:
        return kind, text, last
    return "crash", text, last[:200]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", default=str(ROOT / "target/release/examples/pdftext"))
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--report", help="write per-file results to this TSV file")
    ap.add_argument("--below", type=float, default=0.8, help="list files under this word F1")
    args = ap.parse_args()

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus")
    cmd = shlex.split(args.cmd)
    pdfs = sorted((corpus / "pdf").glob("*.pdf"))
    refdir = corpus / "_reference" / "pdftotext"
    lang = {}
    with open(corpus / "MANIFEST.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            lang[row["relpath"]] = row["language_guess"]

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(lambda p: run(cmd, p, args.timeout), pdfs))

    statuses = collections.Counter()
    rows = []
    fid = []
    fin_ours = collections.Counter()
    fin_ref = collections.Counter()
    fin_rows = []
    for pdf, (status, text, msg) in zip(pdfs, results):
        statuses[status] += 1
        ref_path = refdir / (pdf.name + ".txt")
        ref = ref_path.read_text("utf-8", "replace") if ref_path.exists() else None
        wf = bf = None
        if ref is not None and sum(not c.isspace() for c in ref) >= 200:
            ow, rw = words(text), words(ref)
            wf, bf = f1(ow, rw), f1(bigrams(ow), bigrams(rw))
            fid.append((pdf.name, wf, bf, status))
        if lang.get("pdf/" + pdf.name) == "fi" and ref is not None:
            o = collections.Counter(c for c in unicodedata.normalize("NFC", text) if c in FINNISH)
            r = collections.Counter(c for c in unicodedata.normalize("NFC", ref) if c in FINNISH)
            fin_ours.update(o)
            fin_ref.update(r)
            fin_rows.append((pdf.name, o, r))
        rows.append((pdf.name, status, "" if wf is None else "%.4f" % wf, "" if bf is None else "%.4f" % bf, msg))

    if args.report:
        with open(args.report, "w", newline="") as f:
            w = csv.writer(f, delimiter="\t")
            w.writerow(["file", "status", "word_f1", "bigram_f1", "message"])
            w.writerows(rows)

    print("command:", " ".join(cmd))
    print("corpus PDFs:", len(pdfs))
    print("status counts:", ", ".join("%s=%d" % (k, statuses[k]) for k in KINDS if statuses[k]))
    crashes = [r for r in rows if r[1] in ("crash", "hang")]
    for r in crashes:
        print("  %s: %s %s" % (r[1], r[0], r[4]))
    if fid:
        wfs = [x[1] for x in fid]
        bfs = [x[2] for x in fid]
        print("fidelity files (reference >= 200 non-blank chars):", len(fid))
        print("median word F1:   %.4f   (mean %.4f)" % (statistics.median(wfs), statistics.mean(wfs)))
        print("median bigram F1: %.4f   (mean %.4f)" % (statistics.median(bfs), statistics.mean(bfs)))
        low = sorted((x for x in fid if x[1] < args.below), key=lambda x: x[1])
        print("files with word F1 < %.2f: %d" % (args.below, len(low)))
        for name, wf, bf, status in low:
            print("  %.4f %.4f %-10s %s" % (wf, bf, status, name))
    print("Finnish PDFs:", len(fin_rows))
    print("  letter  ours  pdftotext")
    for c in FINNISH:
        print("  %s     %6d  %6d" % (c, fin_ours[c], fin_ref[c]))
    diff = [(n, o, r) for n, o, r in fin_rows if o != r]
    for n, o, r in diff:
        print("  differs: %s ours=%s ref=%s" % (n, dict(o), dict(r)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
