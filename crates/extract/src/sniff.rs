//! Format recognition by content. Share drives hold files with wrong or missing extensions,
//! so the signature decides and the extension only breaks ties.

use kooste_model::{Format, Picture};
use std::io::{Cursor, Read};

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of a file from its first bytes, its ZIP directory or OLE streams, then its name.
pub fn sniff(name: &str, bytes: &[u8]) -> Format {
    let ext = extension(name);
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Format::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // A package cut short has lost its directory, and an end record found in it may be
        // that of a workbook embedded in a chart: the name says more. `extract` reads the
        // kind again from the rebuilt container.
        if crate::salvage::directory_lost(bytes) {
            return by_extension(&ext).unwrap_or(Format::Zip);
        }
        return zip_kind(bytes).unwrap_or_else(|| by_extension(&ext).unwrap_or(Format::Zip));
    }
    if bytes.starts_with(OLE_MAGIC) {
        return ole_kind(bytes, &ext);
    }
    if let Some(f) = flat_odf_kind(head) {
        return f;
    }
    if head.trim_ascii_start().starts_with(b"{\\rtf") {
        return Format::Rtf;
    }
    if head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start()
        .get(..15)
        .is_some_and(|h| h.eq_ignore_ascii_case(b"BEGIN:VCALENDAR"))
    {
        return Format::Ics;
    }
    if Picture::of(head, &ext).is_some() {
        return Format::Image;
    }
    if let Some(f) = by_extension(&ext) {
        return f;
    }
    if looks_like_html(head) {
        return Format::Html;
    }
    if looks_like_mail(&bytes[..bytes.len().min(8192)]) {
        return Format::Eml;
    }
    if looks_like_text(&bytes[..bytes.len().min(8192)]) {
        return Format::Txt;
    }
    Format::Unknown
}

/// A short description of an unrecognised file for the audit: what it seems to be.
pub(crate) fn describe_unknown(name: &str, bytes: &[u8]) -> String {
    let ext = extension(name);
    let what = match bytes {
        [0x1F, 0x8B, ..] => "gzip archive",
        [b'R', b'a', b'r', b'!', ..] => "RAR archive",
        [b'7', b'z', 0xBC, 0xAF, ..] => "7-Zip archive",
        [] => "empty file",
        _ => "",
    };
    match (what, ext.is_empty()) {
        ("", true) => "unrecognised binary file".to_string(),
        ("", false) => format!("unrecognised binary file (.{ext})"),
        (what, _) => format!("{what}: no text to read"),
    }
}

pub(crate) fn extension(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn by_extension(ext: &str) -> Option<Format> {
    Some(match ext {
        "pdf" => Format::Pdf,
        "docx" | "docm" | "dotx" | "dotm" => Format::Docx,
        "pptx" | "pptm" | "ppsx" | "ppsm" | "potx" | "potm" => Format::Pptx,
        "xlsx" | "xlsm" | "xltx" | "xltm" => Format::Xlsx,
        "xlsb" => Format::Xlsb,
        "xls" | "xlt" => Format::Xls,
        "ods" | "ots" | "fods" => Format::Ods,
        "odt" | "ott" | "fodt" => Format::Odt,
        "odp" | "otp" | "fodp" => Format::Odp,
        "doc" | "dot" => Format::Doc,
        "ppt" | "pps" | "pot" => Format::Ppt,
        "rtf" => Format::Rtf,
        "txt" | "text" | "csv" | "tsv" | "log" => Format::Txt,
        "md" | "markdown" => Format::Markdown,
        "htm" | "html" | "xhtml" => Format::Html,
        "zip" => Format::Zip,
        "eml" => Format::Eml,
        "msg" => Format::Msg,
        "ics" | "ical" | "ifb" => Format::Ics,
        _ => return None,
    })
}

/// Office packages and ODF documents are ZIP files too: their central directory tells them
/// apart. `None` when the directory cannot be read (a damaged file keeps its extension's
/// format, so that the right extractor reports the damage).
fn zip_kind(bytes: &[u8]) -> Option<Format> {
    // Most files are Office packages, told apart by their names alone: read those straight
    // from the central directory, without building an archive index (the extractor builds
    // its own).
    if let Some(names) = central_directory_names(bytes) {
        let has = |prefix: &[u8]| {
            names
                .iter()
                .any(|n| n.len() >= prefix.len() && n[..prefix.len()].eq_ignore_ascii_case(prefix))
        };
        for (prefix, format) in [
            (&b"word/"[..], Format::Docx),
            (b"ppt/", Format::Pptx),
            (b"xl/workbook.bin", Format::Xlsb),
            (b"xl/", Format::Xlsx),
        ] {
            if has(prefix) {
                return Some(format);
            }
        }
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let has = |prefix: &str| {
        archive
            .file_names()
            .filter_map(Result::ok)
            .any(|n| n.to_ascii_lowercase().starts_with(prefix))
    };
    if has("word/") {
        return Some(Format::Docx);
    }
    if has("ppt/") {
        return Some(Format::Pptx);
    }
    if has("xl/workbook.bin") {
        return Some(Format::Xlsb);
    }
    if has("xl/") {
        return Some(Format::Xlsx);
    }
    let mimetype = {
        let mut entry = archive.by_name("mimetype").ok()?;
        let mut text = String::new();
        entry.by_ref().take(200).read_to_string(&mut text).ok()?;
        text
    };
    odf_mimetype(&mimetype).or(Some(Format::Zip))
}

/// Entry names from the central directory of a plain (not ZIP64) archive, or `None` when
/// the directory cannot be found or read that simply.
fn central_directory_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let u16_at = |at: usize| -> Option<usize> {
        Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize)
    };
    let u32_at = |at: usize| -> Option<usize> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    // The end record sits in the last 22 bytes plus at most a 64 KiB comment.
    let tail_from = bytes.len().saturating_sub(22 + 0xFFFF);
    let eocd = tail_from + memchr::memmem::rfind(&bytes[tail_from..], b"PK\x05\x06")?;
    let count = u16_at(eocd + 10)?;
    let offset = u32_at(eocd + 16)?;
    if count == 0xFFFF || offset == 0xFFFF_FFFF {
        return None;
    }
    let mut names = Vec::with_capacity(count.min(4096));
    let mut at = offset;
    for _ in 0..count.min(100_000) {
        if bytes.get(at..at + 4)? != b"PK\x01\x02" {
            return None;
        }
        let name_len = u16_at(at + 28)?;
        let extra_len = u16_at(at + 30)?;
        let comment_len = u16_at(at + 32)?;
        names.push(bytes.get(at + 46..at + 46 + name_len)?);
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

fn odf_mimetype(mimetype: &str) -> Option<Format> {
    let m = mimetype.trim();
    let kind = m.strip_prefix("application/vnd.oasis.opendocument.")?;
    Some(match kind {
        "text" | "text-template" | "text-master" => Format::Odt,
        "spreadsheet" | "spreadsheet-template" => Format::Ods,
        "presentation" | "presentation-template" => Format::Odp,
        _ => return None,
    })
}

/// A flat ODF file (FODT, FODS, FODP) is one XML document naming its type in an attribute.
fn flat_odf_kind(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    if !text.contains("office:document") {
        return None;
    }
    let at = text.find("office:mimetype=")?;
    let rest = text.get(at + "office:mimetype=".len() + 1..)?;
    let end = rest.find(['"', '\''])?;
    odf_mimetype(rest.get(..end)?)
}

/// OLE2 compound files hold legacy Office documents and password-protected OOXML. The stream
/// names are stored as UTF-16LE in the directory, so a byte search finds them without parsing
/// an untrusted container.
fn ole_kind(bytes: &[u8], ext: &str) -> Format {
    if has_ole_stream(bytes, "EncryptedPackage") {
        // The package inside is encrypted; report it under the format its name claims.
        return by_extension(ext)
            .filter(|f| matches!(f, Format::Docx | Format::Pptx | Format::Xlsx | Format::Xlsb))
            .unwrap_or(Format::Docx);
    }
    // An Outlook message first: a Word or Excel file attached to it has its streams inside.
    if has_ole_stream(bytes, "__properties_version1.0") {
        Format::Msg
    } else if has_ole_stream(bytes, "WordDocument") {
        Format::Doc
    } else if has_ole_stream(bytes, "PowerPoint Document") {
        Format::Ppt
    } else if has_ole_stream(bytes, "Workbook") || has_ole_stream(bytes, "Book") {
        Format::Xls
    } else {
        by_extension(ext).unwrap_or(Format::Unknown)
    }
}

pub(crate) fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(OLE_MAGIC)
}

/// Whether the compound file's directory names a stream `name` (ASCII). Directory names
/// are UTF-16LE, NUL-terminated and compared without regard to case, as the format does
/// ("ENCRYPTEDPACKAGE" is the same stream).
pub(crate) fn has_ole_stream(bytes: &[u8], name: &str) -> bool {
    let name = name.as_bytes();
    let Some(&first) = name.first() else {
        return false;
    };
    let wanted = name.len() * 2 + 2;
    memchr::memchr2_iter(
        first.to_ascii_uppercase(),
        first.to_ascii_lowercase(),
        bytes,
    )
    .any(|at| {
        let Some(candidate) = bytes.get(at..at + wanted) else {
            return false;
        };
        candidate
            .chunks_exact(2)
            .zip(name.iter().copied().chain([0]))
            .all(|(unit, c)| unit[1] == 0 && unit[0].eq_ignore_ascii_case(&c))
    })
}

fn looks_like_html(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<!doctype html") || t.starts_with("<html")
}

/// A saved e-mail under a name that does not say so: a block of header lines at the start
/// that names the sender and either the subject or the MIME version.
fn looks_like_mail(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut names = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        match line.split_once(':') {
            Some((name, _)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()) => {
                names.push(name.to_ascii_lowercase());
            }
            _ => return false,
        }
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    has("from") && (has("subject") || has("mime-version"))
}

/// No NUL bytes and mostly printable: a plain text file under an unknown name.
fn looks_like_text(sample: &[u8]) -> bool {
    if sample.is_empty() || sample.contains(&0) {
        return false;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 100 < sample.len()
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_beats_extension() {
        assert_eq!(sniff("x.docx", b"%PDF-1.4\n..."), Format::Pdf);
        assert_eq!(sniff("noext", b"\n\n%PDF-1.7"), Format::Pdf);
        assert_eq!(sniff("raportti.pdf", b"just some words"), Format::Pdf);
    }

    #[test]
    fn extension_decides_for_text_and_unknown_content() {
        assert_eq!(sniff("muistio.md", b"# Otsikko"), Format::Markdown);
        assert_eq!(sniff("a.TXT", b"teksti"), Format::Txt);
        assert_eq!(sniff("README", b"Plain words\nmore"), Format::Txt);
        assert_eq!(
            sniff("kuva", &[0x89, b'P', b'N', b'G', 0, 0]),
            Format::Unknown
        );
        assert_eq!(sniff("sivu", b"<!DOCTYPE html><html>"), Format::Html);
    }

    #[test]
    fn rtf_is_known_by_its_signature_whatever_its_name() {
        // Word saves RTF under a .doc name when asked to; old drives hold such files.
        assert_eq!(sniff("muistio.doc", b"{\\rtf1\\ansi teksti}"), Format::Rtf);
        assert_eq!(sniff("muistio", b"\r\n{\\rtf1 teksti}"), Format::Rtf);
        assert_eq!(sniff("muistio.rtf", b"rikki"), Format::Rtf);
        assert_eq!(sniff("muistio.txt", b"{\\rt ei ole"), Format::Txt);
    }

    #[test]
    fn ole_streams_tell_legacy_and_encrypted_apart() {
        let mut encrypted = OLE_MAGIC.to_vec();
        encrypted.extend(vec![0u8; 64]);
        encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        encrypted.extend([0, 0]);
        assert_eq!(sniff("salainen.xlsx", &encrypted), Format::Xlsx);
        assert!(has_ole_stream(&encrypted, "EncryptedPackage"));

        let mut upper = OLE_MAGIC.to_vec();
        upper.extend("ENCRYPTEDPACKAGE".encode_utf16().flat_map(u16::to_le_bytes));
        upper.extend([0, 0]);
        assert!(has_ole_stream(&upper, "EncryptedPackage"));
        assert!(!has_ole_stream(&upper, "EncryptedPackag"));

        let mut doc = OLE_MAGIC.to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        doc.extend([0, 0]);
        assert_eq!(sniff("vanha.bin", &doc), Format::Doc);

        // An Outlook message that carries a Word attachment is still a message.
        let mut msg = OLE_MAGIC.to_vec();
        for name in ["WordDocument", "__properties_version1.0"] {
            msg.extend(name.encode_utf16().flat_map(u16::to_le_bytes));
            msg.extend([0, 0]);
        }
        assert_eq!(sniff("viesti", &msg), Format::Msg);
    }

    #[test]
    fn a_calendar_is_known_by_its_first_line_whatever_its_name() {
        let ics = b"\xEF\xBB\xBF\r\nbegin:vcalendar\r\nBEGIN:VEVENT\r\nSUMMARY:Kokous\r\n";
        assert_eq!(sniff("kutsu", ics), Format::Ics);
        assert_eq!(sniff("kutsu.txt", ics), Format::Ics);
        assert_eq!(sniff("kutsu.ics", b"rikki"), Format::Ics);
        assert_eq!(sniff("muistio.txt", b"BEGIN: kokous alkaa"), Format::Txt);
    }

    #[test]
    fn saved_mail_is_known_by_its_headers() {
        let mail = b"Received: from x\r\n\tby y\r\nFrom: a@b.fi\r\nSubject: Kutsu\r\n\r\nHei";
        assert_eq!(sniff("viesti", mail), Format::Eml);
        assert_eq!(sniff("viesti.eml", b"rikki"), Format::Eml);
        // A text file keeps its extension's format, and a text that only names a sender is text.
        assert_eq!(sniff("muistio.txt", mail), Format::Txt);
        assert_eq!(
            sniff("muistio", b"From: Liisa\nKiitos kokouksesta."),
            Format::Txt
        );
    }

    #[test]
    fn zip_containers_by_their_entries() {
        let zip = crate::docx::tests::zip_of;
        assert_eq!(
            sniff("x.zip", &zip(&[("PPT/presentation.xml", "")])),
            Format::Pptx
        );
        assert_eq!(
            sniff(
                "x",
                &zip(&[("[Content_Types].xml", ""), ("word/document.xml", "")])
            ),
            Format::Docx
        );
        assert_eq!(sniff("x", &zip(&[("xl/workbook.bin", "")])), Format::Xlsb);
        let odt = zip(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", ""),
        ]);
        assert_eq!(sniff("x.zip", &odt), Format::Odt);
        assert_eq!(sniff("x.zip", &zip(&[("a.txt", "")])), Format::Zip);
        // A package without its parts keeps the format its name gives, to be reported damaged.
        assert_eq!(sniff("x.docx", &zip(&[("a.txt", "")])), Format::Docx);
    }

    #[test]
    fn flat_odf_names_its_type() {
        let fodt = br#"<?xml version="1.0"?><office:document xmlns:office="x" office:mimetype="application/vnd.oasis.opendocument.text">"#;
        assert_eq!(sniff("x.xml", fodt), Format::Odt);
    }

    #[test]
    fn pictures_are_told_by_their_signatures() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        for (name, bytes) in [
            ("scan.png", &png[..]),
            // The signature decides over a wrong extension, and needs none.
            ("scan.pdf", &png[..]),
            ("IMG_0042", b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            ("a.gif", b"GIF89a\x01\0\x01\0"),
            ("fax.tif", b"II*\0\x08\0\0\0"),
            ("fax.tiff", b"MM\0*\0\0\0\x08"),
            ("kuva.webp", b"RIFF\x24\0\0\0WEBPVP8 "),
            ("kuva.bmp", b"BM\x36\0\x0c\0\0\0"),
            ("IMG_1234.HEIC", b"\0\0\0\x18ftypheic\0\0"),
        ] {
            assert_eq!(sniff(name, bytes), Format::Image, "{name}");
        }
        // A picture is a document without text, as a scan without a text layer is.
        let doc = crate::extract("scan.png", png, &crate::Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((doc.format, doc.pages.len()), (Format::Image, 0));
        // HEIC, which OCR cannot read either, is a format kooste does not read.
        let heic = crate::extract(
            "IMG.HEIC",
            b"\0\0\0\x18ftypheic\0\0",
            &crate::Limits::default(),
        );
        assert_eq!(
            heic.err().map(|e| e.to_string()).unwrap_or_default(),
            "HEIC image: no text to read (saved as JPEG, kooste run --ocr reads it)"
        );
        // "BM" begins words too: without the extension it is no picture.
        assert_eq!(sniff("muistio.txt", b"BMX-hankkeen muistio"), Format::Txt);
        assert_ne!(sniff("muistio", b"BM"), Format::Image);
    }

    #[test]
    fn describes_unknown_files() {
        assert_eq!(
            describe_unknown("x.bin", &[0, 1, 2]),
            "unrecognised binary file (.bin)"
        );
        assert_eq!(describe_unknown("x", &[]), "empty file: no text to read");
    }
}
