//! Builders of hostile containers shared by the denial-of-service tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// The shared corpus (`../shared/corpus` from the workspace root, or `KOOSTE_CORPUS`), where
/// this checkout has one.
pub fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KOOSTE_CORPUS") {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    // The workspace root's sibling `shared/corpus`; worktrees sit one level deeper.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(2)
        .take(3)
        .map(|a| a.join("shared").join("corpus"))
        .find(|d| d.is_dir())
}

/// Writes a ZIP; an entry given as (head, unit, count, tail) is streamed, so that a bomb
/// never exists inflated in memory here either.
pub enum Data<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
    Repeat(&'a str, &'a str, usize, &'a str),
}

pub fn zip(entries: &[(&str, Data<'_>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, data) in entries {
            z.start_file(*name, options).ok();
            match data {
                Data::Text(t) => {
                    z.write_all(t.as_bytes()).ok();
                }
                Data::Bytes(b) => {
                    z.write_all(b).ok();
                }
                Data::Repeat(head, unit, count, tail) => {
                    z.write_all(head.as_bytes()).ok();
                    let chunk = unit.repeat(4096);
                    for _ in 0..count / 4096 {
                        z.write_all(chunk.as_bytes()).ok();
                    }
                    z.write_all(tail.as_bytes()).ok();
                }
            }
        }
        z.finish().ok();
    }
    out.into_inner()
}

pub const ROOT_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

pub fn docx(document: Data<'_>) -> Vec<u8> {
    zip(&[
        ("_rels/.rels", Data::Text(ROOT_RELS)),
        ("word/document.xml", document),
    ])
}

pub fn xlsx(sheet: Data<'_>) -> Vec<u8> {
    zip(&[
        (
            "_rels/.rels",
            Data::Text(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
        ),
        (
            "xl/workbook.xml",
            Data::Text(
                r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Kunnat" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            Data::Text(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

/// A PDF of the given objects (numbered from 1, the catalog first), with a correct
/// cross-reference table, so that what is hostile is the content and not the file's frame.
pub fn pdf(objects: &[&[u8]]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A page content stream that shows `text` in a standard font.
pub fn content_stream(text: &str) -> Vec<u8> {
    let ops = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let mut out = format!("<< /Length {} >>\nstream\n", ops.len()).into_bytes();
    out.extend_from_slice(ops.as_bytes());
    out.extend_from_slice(b"\nendstream");
    out
}

pub const FONT: &[u8] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

const ODF_MANIFEST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>"#;

/// An OpenDocument spreadsheet of one table with the given rows (`table:table-row`
/// elements).
pub fn ods(rows: &str) -> Vec<u8> {
    let media = "application/vnd.oasis.opendocument.spreadsheet";
    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="{media}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#
    );
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Taulukko1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip(&[
        ("mimetype", Data::Text(media)),
        ("META-INF/manifest.xml", Data::Text(&manifest)),
        ("content.xml", Data::Text(&content)),
    ])
}

/// An OpenDocument text of the given `content.xml`; `encrypted` records the content as
/// encrypted in the manifest, as LibreOffice does for a password-protected file.
pub fn odt(content: Data<'_>, encrypted: bool) -> Vec<u8> {
    let entry = if encrypted {
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="1200"><manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="c2hh"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="aXY="/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="c2FsdA=="/></manifest:encryption-data></manifest:file-entry>"#
    } else {
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#
    };
    let manifest = format!("{ODF_MANIFEST_HEAD}{entry}</manifest:manifest>");
    zip(&[
        (
            "mimetype",
            Data::Text("application/vnd.oasis.opendocument.text"),
        ),
        ("META-INF/manifest.xml", Data::Text(&manifest)),
        ("content.xml", content),
    ])
}

pub const ODT_HEAD: &str = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text>"#;
pub const ODT_TAIL: &str = "</office:text></office:body></office:document-content>";
