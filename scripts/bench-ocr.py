#!/usr/bin/env python3
"""Measures `kooste extract --ocr` on scans made from real Finnish PDFs, beside the same two
programs run by hand.

The scans: the first pages of Finnish PDFs of the shared corpus that have a text layer,
rendered by pdftoppm to greyscale JPEG at 150 dpi (an office scanner's default) and wrapped
into image-only PDFs with Pillow, so they carry no text at all. The reference is pdftotext's
text of the same pages of the original.

Reported, in one run:
- recall: the share of the reference's words (three letters or more, lower-cased) that the
  recognised text holds, for kooste and for the hand-run programs;
- time: kooste (`--jobs 1`, then all cores) against a shell loop of `pdftoppm -r 300 -gray
  -png` and `tesseract -l fin+eng` over the same pages, one page at a time, and the ratio.

With --images, the scans are image files instead, as a scanner or a phone saves them: the
first page of each PDF as 150 dpi greyscale JPEG, every third turned a quarter and every third
upside down, as pages go into feeders. The hand-run peer is then `tesseract -l fin+eng` on each
image, as a person would run it.

With --office, each scan is a Word document (DOCX) without text into which the pages were
pasted as 150 dpi greyscale JPEG pictures, one after another, as a scan is kept where a
signed paper must go into a Word template. The hand-run peer then takes the pictures out of
the package (as `unzip` would) and runs `tesseract -l fin+eng` on each.

Needs pdftoppm, pdftotext, tesseract with the fin and eng models, and Pillow.
Usage: scripts/bench-ocr.py [--corpus DIR] [--files N] [--pages N] [--images | --office]
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
KOOSTE = ROOT / "target/release/kooste"


def words(text):
    return [w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)]


def recall(reference, read):
    seen = set(words(read))
    ref = words(reference)
    return sum(1 for w in ref if w in seen), len(ref)


def finnish_pdfs(corpus):
    manifest = corpus / "MANIFEST.tsv"
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) > 6 and cols[6] == "fi" and cols[0].lower().endswith(".pdf"):
            yield corpus / cols[0]


def word_of_pictures(pictures, path):
    """A DOCX whose body is the given JPEG files, one picture after another, and no text."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    body = "".join(
        f'<w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill>'
        f'<a:blip r:embed="rId{i}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic>'
        f'</wp:inline></w:drawing></w:r></w:p>'
        for i in range(1, len(pictures) + 1)
    )
    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
          f'xmlns:r="{rel}"')
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/image" Target="media/image{i}.jpg"/>'
        for i in range(1, len(pictures) + 1)
    )
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="jpg" ContentType="image/jpeg"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
                   f'Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", f"<w:document {ns}><w:body>{body}</w:body></w:document>")
        z.writestr("word/_rels/document.xml.rels", f'<Relationships xmlns="{pkg}">{rels}</Relationships>')
        for i, picture in enumerate(pictures, 1):
            z.write(picture, f"word/media/image{i}.jpg")


def make_scan(pdf, pages, work, n, image_files=False, office=False):
    """An image-only PDF of the first `pages` pages (or, with `image_files`, an image file of
    the first page; with `office`, a DOCX of the pages as pictures), and pdftotext's text of
    them."""
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", str(pages), str(pdf), "-"],
        capture_output=True, text=True, timeout=60,
    ).stdout
    prefix = work / f"img{n}"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", "-jpeg", "-f", "1", "-l", str(pages), str(pdf), str(prefix)],
        check=True, capture_output=True, timeout=120,
    )
    images = sorted(work.glob(f"img{n}-*.jpg"))
    if not images:
        return None
    if image_files:
        # One page, saved as an image file, turned as the n-th page fed in was.
        turn = (0, 90, 180)[n % 3]
        scan = work / f"scan{n:02d}.jpg"
        Image.open(images[0]).rotate(turn, expand=True).save(scan, quality=90, dpi=(150, 150))
        for p in images:
            p.unlink()
        return scan, text, 1
    if office:
        scan = work / f"scan{n:02d}.docx"
        word_of_pictures(images, scan)
        for p in images:
            p.unlink()
        return scan, text, len(images)
    frames = [Image.open(p).convert("L") for p in images]
    scan = work / f"scan{n:02d}.pdf"
    frames[0].save(scan, save_all=True, append_images=frames[1:], resolution=150.0)
    for p in images:
        p.unlink()
    return scan, text, len(frames)


def by_hand(scan, pages, work):
    if scan.suffix == ".docx":
        out = []
        with zipfile.ZipFile(scan) as z:
            names = sorted(
                (n for n in z.namelist() if n.startswith("word/media/")),
                key=lambda n: int(re.sub(r"\D", "", n) or 0),
            )
            for name in names:
                picture = work / "hand.jpg"
                picture.write_bytes(z.read(name))
                subprocess.run(
                    ["tesseract", str(picture), str(work / "hand"), "-l", "fin+eng"],
                    check=True, capture_output=True,
                    env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
                )
                out.append((work / "hand.txt").read_text(encoding="utf-8", errors="replace"))
        return "\n".join(out)
    if scan.suffix == ".jpg":
        subprocess.run(
            ["tesseract", str(scan), str(work / "hand"), "-l", "fin+eng"],
            check=True, capture_output=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        return (work / "hand.txt").read_text(encoding="utf-8", errors="replace")
    out = []
    for page in range(1, pages + 1):
        img = work / "hand"
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(scan), str(img)],
            check=True, capture_output=True,
        )
        subprocess.run(
            ["tesseract", str(img) + ".png", str(work / "hand"), "-l", "fin+eng", "--dpi", "300"],
            check=True, capture_output=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        out.append((work / "hand.txt").read_text(encoding="utf-8", errors="replace"))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--pages", type=int, default=2)
    kind = ap.add_mutually_exclusive_group()
    kind.add_argument("--images", action="store_true", help="image files rather than PDFs")
    kind.add_argument("--office", action="store_true", help="Word documents of pictures rather than PDFs")
    args = ap.parse_args()
    if args.images:
        args.pages = 1
    corpus = Path(args.corpus)
    if not KOOSTE.exists():
        sys.exit("build first: cargo build --release")
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        work = Path(tmp)
        scans = []
        for pdf in finnish_pdfs(corpus):
            if len(scans) >= args.files:
                break
            try:
                made = make_scan(pdf, args.pages, work, len(scans), args.images, args.office)
            except (subprocess.SubprocessError, OSError):
                continue
            # Pages with little text say little about recognition.
            if made and len(words(made[1])) >= 150 * made[2]:
                scans.append((pdf, *made))
        pages = sum(s[3] for s in scans)
        print(f"{len(scans)} scans, {pages} pages, from Finnish PDFs of {corpus}")

        timings = {}
        kooste_text = {}
        for jobs in ("1", "2"):
            start = time.perf_counter()
            out = subprocess.run(
                [str(KOOSTE), "extract", "--json", "--ocr", "--jobs", jobs, *[str(s[1]) for s in scans]],
                capture_output=True, text=True, check=True,
            ).stdout
            timings[f"kooste --jobs {jobs}"] = time.perf_counter() - start
            for line in out.splitlines():
                d = json.loads(line)
                kooste_text[d["path"]] = d["text"]

        start = time.perf_counter()
        hand_text = {str(s[1]): by_hand(s[1], s[3], work) for s in scans}
        peer = (
            "tesseract by hand" if args.images
            else "unzip + tesseract by hand" if args.office
            else "pdftoppm + tesseract by hand"
        )
        timings[peer] = time.perf_counter() - start

        ours = theirs = total = 0
        for pdf, scan, reference, _ in scans:
            f, n = recall(reference, kooste_text.get(str(scan), ""))
            g, _ = recall(reference, hand_text[str(scan)])
            ours, theirs, total = ours + f, theirs + g, total + n
            print(f"  {pdf.name[:60]:60} words {n:5}  kooste {f / n:6.1%}  by hand {g / n:6.1%}")
        print(f"recall: kooste {ours / total:.1%}, by hand {theirs / total:.1%} of {total} words")
        hand = timings[peer]
        for name, secs in timings.items():
            print(f"{name:32} {secs:7.1f} s  {secs / pages:5.2f} s/page  ratio to by hand {secs / hand:.2f}")


if __name__ == "__main__":
    main()
