#!/usr/bin/env python3
"""RTF text against the DOCX it was saved from.

The corpus holds no RTF, so LibreOffice makes some: each DOCX of ../shared/corpus (or
$KOOSTE_CORPUS; --lang picks the manifest's language, default fi) is saved as RTF in a
temporary folder with `soffice --headless --convert-to rtf`. kooste extracts both, and the
script prints, per file where they differ and in total, the word recall and precision of the
RTF text against the DOCX text, and how many texts are identical. LibreOffice leaves out of
the RTF some things that kooste reads from the DOCX (SmartArt and chart text), so recall
below one can be the converter's; precision below one is RTF text that the DOCX does not
have.

    python3 scripts/rtf-fidelity.py [--kooste target/release/kooste] [--lang fi|all] [--limit N]
"""

import argparse
import collections
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def words(text):
    return collections.Counter(re.findall(r"\w+", (text or "").lower()))


def extract(kooste, files):
    out = subprocess.run(
        [kooste, "extract", "--json", *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    docs = {}
    for line in out.split("\n"):
        if not line:
            continue
        d = json.loads(line)
        docs[pathlib.Path(d["path"]).stem] = d
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kooste", default=str(ROOT / "target/release/kooste"))
    ap.add_argument("--lang", default="fi")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    corpus = pathlib.Path(os.environ.get("KOOSTE_CORPUS", ROOT.parent / "shared/corpus"))
    if not (corpus / "MANIFEST.tsv").is_file():
        sys.exit(f"no corpus at {corpus}")
    if not shutil.which("soffice"):
        sys.exit("needs LibreOffice (soffice): apt-get install libreoffice-writer-nogui")
    files = []
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            if row["relpath"].endswith(".docx") and args.lang in ("all", row.get("language_guess")):
                files.append(corpus / row["relpath"])
    if args.limit:
        files = files[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--norestore", "--convert-to", "rtf", "--outdir", tmp, *map(str, files)],
            check=False,
            capture_output=True,
        )
        rtfs = sorted(pathlib.Path(tmp).glob("*.rtf"))
        docx = extract(args.kooste, files)
        rtf = extract(args.kooste, rtfs)
    total = [0, 0, 0]
    identical = 0
    failed = []
    for stem, r in sorted(rtf.items()):
        d = docx.get(stem)
        if d is None:
            continue
        if r.get("error"):
            failed.append((stem, r["error"]))
            continue
        a, b = words(r.get("text")), words(d.get("text"))
        common = sum((a & b).values())
        total[0] += sum(b.values())
        total[1] += sum(a.values())
        total[2] += common
        identical += r.get("text") == d.get("text")
        recall = common / max(sum(b.values()), 1)
        precision = common / max(sum(a.values()), 1)
        if recall < 0.99 or precision < 0.99:
            print(f"{stem[:60]:60} docx {sum(b.values()):6} rtf {sum(a.values()):6} "
                  f"recall {recall:.3f} precision {precision:.3f}")
    for stem, error in failed:
        print(f"{stem}: RTF not read: {error}")
    print(f"{len(rtf)} RTF files from {len(files)} DOCX; identical text {identical}; "
          f"failed {len(failed)}")
    print(f"words: recall {total[2] / max(total[0], 1):.4f} precision "
          f"{total[2] / max(total[1], 1):.4f} (DOCX {total[0]}, RTF {total[1]})")


if __name__ == "__main__":
    main()
