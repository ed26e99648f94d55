#!/usr/bin/env python3
"""Hostile Office files: writes them to a scratch folder and runs `kooste extract --json` on
each under /usr/bin/time -v, printing the status, wall time and peak RSS.

  scripts/office-dos.py [--bin target/release/kooste] [--out /tmp/kooste-dos]

Samples:
  xlsx-billion-rows   a sheet declaring A1:XFD1000000000 with a cell on row 1,000,000,000
  xlsx-many-rows      4 million empty rows (about 100 MB of XML, 200 kB zipped)
  docx-deep           a body nested 100,000 elements deep
  docx-zip-bomb       document.xml inflating to 1 GiB of one repeated byte
  docx-lying-bomb     the same, its headers claiming 1,000 bytes
  docx-ratio-bomb     document.xml of 200 MiB (under the part limit) deflated 1000-fold
  docx-nested-bomb    a DOCX embedding a DOCX embedding a DOCX ... each with a bomb
  xlsx-zip-bomb       a worksheet inflating to 1 GiB
  pptx-many-entries   100,000 ZIP entries
  odt-bomb            content.xml inflating to 1 GiB
"""

import argparse
import io
import os
import re
import subprocess
import zipfile

CT = """<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{target}"/></Relationships>"""
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in entries:
            if callable(data):
                with z.open(name, "w", force_zip64=False) as f:
                    data(f)
            else:
                z.writestr(name, data)
    return buf.getvalue()


def repeated(head, unit, count, tail):
    def write(f):
        f.write(head.encode())
        chunk = (unit * 4096).encode()
        for _ in range(count // 4096):
            f.write(chunk)
        f.write(tail.encode())
    return write


def lie_about_sizes(data, claimed=1000):
    """Rewrites every entry's uncompressed size in the local and central headers."""
    b = bytearray(data)
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = b.find(sig)
        while i >= 0:
            b[i + at:i + at + 4] = claimed.to_bytes(4, "little")
            i = b.find(sig, i + 4)
    return bytes(b)


def docx(document):
    return zipped([("[Content_Types].xml", CT), ("_rels/.rels", ROOT_RELS.format(target="word/document.xml")),
                   ("word/document.xml", document)])


def xlsx(sheet):
    wb = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
               'Target="worksheets/sheet1.xml"/></Relationships>')
    return zipped([("[Content_Types].xml", CT), ("_rels/.rels", ROOT_RELS.format(target="xl/workbook.xml")),
                   ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wb_rels),
                   ("xl/worksheets/sheet1.xml", sheet)])


SHEET_HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def samples():
    yield "xlsx-billion-rows.xlsx", xlsx(
        SHEET_HEAD + '<dimension ref="A1:XFD1000000000"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>alku</t></is></c></row>'
        '<row r="1000000000"><c r="XFD1000000000" t="inlineStr"><is><t>loppu</t></is></c></row>'
        '</sheetData></worksheet>')
    yield "xlsx-many-rows.xlsx", xlsx(repeated(SHEET_HEAD + "<sheetData>", "<row/>", 4_000_000,
                                               "</sheetData></worksheet>"))
    depth = 100_000
    yield "docx-deep.docx", docx(f"<w:document {W}><w:body>" + "<w:sdt><w:sdtContent>" * depth
                                 + "<w:p><w:r><w:t>syvä</w:t></w:r></w:p>"
                                 + "</w:sdtContent></w:sdt>" * depth + "</w:body></w:document>")
    bomb = repeated(f"<w:document {W}><w:body><w:p><w:r><w:t>", " ", 1 << 30, "</w:t></w:r></w:p></w:body></w:document>")
    yield "docx-zip-bomb.docx", docx(bomb)
    yield "docx-lying-bomb.docx", lie_about_sizes(docx(bomb))
    yield "docx-ratio-bomb.docx", docx(repeated(f"<w:document {W}><w:body><w:p><w:r><w:t>", " ", 200 << 20,
                                                "</w:t></w:r></w:p></w:body></w:document>"))
    inner = docx(bomb)
    for _ in range(3):
        rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/package" '
                'Target="embeddings/inner.docx"/></Relationships>')
        body = (f'<w:document {W} xmlns:o="urn:schemas-microsoft-com:office:office" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>'
                '<w:p><w:r><w:t>ulkokuori</w:t></w:r><w:r><w:object><o:OLEObject r:id="rId5"/></w:object></w:r></w:p>'
                '</w:body></w:document>')
        inner = zipped([("[Content_Types].xml", CT), ("_rels/.rels", ROOT_RELS.format(target="word/document.xml")),
                        ("word/document.xml", body), ("word/_rels/document.xml.rels", rels),
                        ("word/embeddings/inner.docx", inner)])
    yield "docx-nested-bomb.docx", inner
    yield "xlsx-zip-bomb.xlsx", xlsx(repeated(SHEET_HEAD + "<sheetData>", " ", 1 << 30, "</sheetData></worksheet>"))
    yield "pptx-many-entries.pptx", zipped([("[Content_Types].xml", CT)] + [(f"ppt/x{i}.xml", "") for i in range(100_000)])
    yield "odt-bomb.odt", zipped([("mimetype", "application/vnd.oasis.opendocument.text"),
                                  ("content.xml", repeated("<office:document-content><office:body><office:text><text:p>",
                                                           " ", 1 << 30, "</text:p></office:text></office:body></office:document-content>"))])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "kooste"))
    ap.add_argument("--out", default="/tmp/kooste-dos")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(f"{'sample':26} {'bytes':>9} {'status':>10} {'seconds':>8} {'peak RSS MiB':>12}  message")
    for name, data in samples():
        path = os.path.join(args.out, name)
        with open(path, "wb") as f:
            f.write(data)
        r = subprocess.run(["/usr/bin/time", "-v", os.path.abspath(args.bin), "extract", "--json", path],
                           capture_output=True, text=True)
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", r.stderr)
        secs = 0.0
        if wall:
            for part in wall.group(1).split(":"):
                secs = secs * 60 + float(part)
        status, message = "crash", r.stderr.strip().splitlines()[-1:] if r.returncode else ""
        m = re.search(r'"error":(null|\{"kind":"(\w+)","message":"([^"]*)")', r.stdout)
        if m:
            status = m.group(2) or "ok"
            message = (m.group(3) or "")[:70]
            if status == "ok":
                t = re.search(r'"text":"((?:[^"\\]|\\.){0,60})', r.stdout)
                message = "text: " + (t.group(1) if t else "")
        print(f"{name:26} {len(data):9} {status:>10} {secs:8.2f} {int(rss.group(1)) / 1024 if rss else 0:12.1f}  {message}",
              flush=True)


if __name__ == "__main__":
    main()
