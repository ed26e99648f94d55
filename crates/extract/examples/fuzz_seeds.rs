//! Writes small legacy Office files (XLS, DOC, PPT), an RTF document, e-mail messages
//! (EML, MSG) and a calendar invitation (ICS) into a folder, as seeds for the fuzz targets of those formats: the real-world
//! corpus holds none, and a fuzzer that starts from a valid container reaches the record
//! parsers instead of stopping at the OLE2 header.
//!
//! `cargo run -p kooste-extract --example fuzz_seeds -- DIR`

use std::error::Error;
use std::io::{Cursor, Write};
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args().nth(1).ok_or(
        "usage: fuzz_seeds DIR (writes DIR/xls, DIR/doc, DIR/ppt, DIR/rtf, DIR/eml, DIR/msg, DIR/ics)",
    )?;
    let dir = Path::new(&dir);
    let message = outlook();
    let message: Vec<(&str, &[u8])> = message.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    let seeds: [(&str, &str, Vec<u8>); 9] = [
        (
            "xls",
            "seed-cells.xls",
            ole(&[("Workbook", &workbook(false))])?,
        ),
        (
            "xls",
            "seed-dimensions.xls",
            ole(&[("Workbook", &workbook(true))])?,
        ),
        ("xls", "seed-biff5.xls", ole(&[("Book", &workbook(false))])?),
        ("doc", "seed.doc", ole(&word())?),
        ("ppt", "seed.ppt", ole(&powerpoint())?),
        ("rtf", "seed.rtf", RTF.to_vec()),
        ("eml", "seed.eml", EML.to_vec()),
        ("msg", "seed.msg", ole(&message)?),
        ("ics", "seed.ics", ICS.to_vec()),
    ];
    for (target, name, bytes) in seeds {
        let folder = dir.join(target);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(name), bytes)?;
    }
    Ok(())
}

/// An Outlook-style invitation: a time zone, quoted and folded parameters, escapes, an HTML
/// description, an alarm nested in the event, and a to-do beside it.
const ICS: &[u8] = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Kokoukset\r\n\
BEGIN:VTIMEZONE\r\nTZID:FLE Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16011028T040000\r\n\
END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\n\
ORGANIZER;CN=\"Lehtonen, Jussi\":mailto:jussi@example.fi\r\n\
SUMMARY;LANGUAGE=fi-FI:Ty\xc3\xb6paja\\, osa 2\r\nLOCATION:Kaupungintalo\r\n\
DESCRIPTION:Rivi\\nToinen\\; kolmas\r\n  jatkuu\r\nCREATED:20170921T110700Z\r\n\
X-ALT-DESC;FMTTYPE=text/html:<p>Kuvaus &amp; liite</p>\r\n\
BEGIN:VALARM\r\nDESCRIPTION:Muistutus\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nSUMMARY:Raportti\r\nDTSTAMP:20180110\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

/// Every construct the RTF reader treats apart: tables of fonts (two code pages), the
/// document information, a header, a field, a list, a footnote, hidden text, Unicode with
/// fallbacks, a surrogate pair, binary data and an unknown optional destination.
const RTF: &[u8] = br#"{\rtf1\ansi\ansicpg1252\uc1\deff0{\fonttbl{\f0\fcharset0 Arial;}{\f1\fcharset204 Arial Cyr;}{\f2\fcharset2 Symbol;}}
{\info{\title Otsikko}{\author Tekij\'e4}{\creatim\yr2018\mo3\dy13\hr10\min5}}
{\header Vantaan kaupunki\par}
\pard Osallisuus ja yhteiskehitt\'e4minen\par
{\field{\*\fldinst HYPERLINK "https://www.vantaa.fi/"}{\fldrslt vantaa.fi}}\par
{\listtext\f2 \u61623\'3f\tab}Kohta\par
Ty\'f6paja{\footnote Huomautus.}{\v piilo}\par
{\f1 \'cf\'f0} 5\u8364\'80 \u-10179?\u-8704?\par
\trowd\cellx1000 Solu\cell\row
{\*\pict\bin3 {}}{\*\tuntematon x}\par
}"#;

/// A multipart message: encoded words, a quoted-printable body in Latin-1, an HTML
/// alternative, a named attachment in base64 and a picture.
const EML: &[u8] = b"From: =?utf-8?Q?Liisa_M=C3=A4ki?= <liisa@example.fi>\r
Subject: =?iso-8859-1?B?VHn2cGFqYQ==?= kutsu\r
Date: Mon, 20 Mar 2017 09:15:00 +0200\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary=\"a\"\r
\r
--a\r
Content-Type: multipart/alternative; boundary=\"b\"\r
\r
--b\r
Content-Type: text/plain; charset=iso-8859-1\r
Content-Transfer-Encoding: quoted-printable\r
\r
Tervetuloa ty=F6pajaan, asiakasraati kokoontuu=\r
 taas.\r
--b\r
Content-Type: text/html; charset=utf-8\r
\r
<p>Tervetuloa</p>\r
--b--\r
--a\r
Content-Type: text/plain; name*=utf-8''ohjelma%20%C3%A4.txt\r
Content-Disposition: attachment; filename=\"ohjelma.txt\"\r
Content-Transfer-Encoding: base64\r
\r
T2hqZWxtYQ==\r
--a\r
Content-Type: image/png; name=logo.png\r
\r
iVBORw0KGgo=\r
--a--\r
";

/// Root streams of an Outlook message: the property stream with a sending time and a code
/// page, a Unicode subject, an 8-bit sender and the compressed RTF example of MS-OXRTFCP.
fn outlook() -> Vec<(&'static str, Vec<u8>)> {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let mut properties = vec![0u8; 32];
    for (kind, id, value) in [
        (0x0040u16, 0x0039u16, 131_340_000_000_000_000u64),
        (0x0003, 0x3FFD, 1252),
    ] {
        properties.extend(kind.to_le_bytes());
        properties.extend(id.to_le_bytes());
        properties.extend(6u32.to_le_bytes());
        properties.extend(value.to_le_bytes());
    }
    let rtf: [u8; 49] = [
        0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7,
        0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a,
        0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d,
        0x0a, 0x80, 0x0f, 0xa0,
    ];
    vec![
        ("__properties_version1.0", properties),
        ("__substg1.0_0037001F", utf16("Työpajan muistio")),
        ("__substg1.0_0C1A001E", b"Liisa M\xe4ki".to_vec()),
        ("__substg1.0_10090102", rtf.to_vec()),
    ]
}

fn ole(streams: &[(&str, &[u8])]) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
    for (name, data) in streams {
        file.create_stream(format!("/{name}"))?.write_all(data)?;
    }
    file.flush()?;
    Ok(file.into_inner().into_inner())
}

fn biff(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

/// BIFF8 workbook globals with two sheets, each holding a number and a text cell.
fn workbook(dimensions: bool) -> Vec<u8> {
    let bof = |kind: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(kind.to_le_bytes());
        d.extend([0; 12]);
        biff(0x0809, &d)
    };
    let sheet = |row: u16, text: &str| {
        let mut out = bof(0x0010);
        if dimensions {
            let mut d = u32::from(row).to_le_bytes().to_vec();
            d.extend((u32::from(row) + 2).to_le_bytes());
            d.extend([0, 0, 2, 0, 0, 0]);
            out.extend(biff(0x0200, &d));
        }
        let mut number = row.to_le_bytes().to_vec();
        number.extend([0, 0, 0, 0]);
        number.extend(1234.5f64.to_le_bytes());
        out.extend(biff(0x0203, &number));
        let mut label = (row + 1).to_le_bytes().to_vec();
        label.extend([1, 0, 0, 0]);
        label.extend((text.len() as u16).to_le_bytes());
        label.push(0);
        label.extend(text.as_bytes());
        out.extend(biff(0x0204, &label));
        out.extend(biff(0x000A, &[]));
        out
    };
    let sheets = [sheet(0, "Budjetti"), sheet(3, "Aikataulu")];
    let bound = |pos: u32, name: &str| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend([0, 0, name.len() as u8, 0]);
        d.extend(name.as_bytes());
        biff(0x0085, &d)
    };
    // Offsets of the sheets depend on the length of the globals, which is fixed here.
    let globals_len = |names: &[&str]| {
        bof(0x0005).len()
            + names.iter().map(|n| bound(0, n).len()).sum::<usize>()
            + biff(0x000A, &[]).len()
    };
    let names = ["Talous", "Aikataulu"];
    let mut at = globals_len(&names) as u32;
    let mut out = bof(0x0005);
    for (name, sheet) in names.iter().zip(&sheets) {
        out.extend(bound(at, name));
        at += sheet.len() as u32;
    }
    out.extend(biff(0x000A, &[]));
    for sheet in sheets {
        out.extend(sheet);
    }
    out
}

/// A Word 97 document: a 1 KiB header (the FIB) followed by the text, and a table stream
/// whose piece table maps the text as one 8-bit piece.
fn word() -> Vec<(&'static str, &'static [u8])> {
    let text = b"Otsikko\rKaupunki\x07Malli\x07\x07Espoo\x07Viitekehys\x07\x07Loppu\r";
    let mut doc = vec![0u8; 1024];
    doc[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    doc[2..4].copy_from_slice(&0x00C1u16.to_le_bytes());
    doc[0x20..0x22].copy_from_slice(&14u16.to_le_bytes());
    doc[0x3E..0x40].copy_from_slice(&22u16.to_le_bytes());
    doc[0x4C..0x50].copy_from_slice(&(text.len() as u32).to_le_bytes());
    doc[0x98..0x9A].copy_from_slice(&93u16.to_le_bytes());
    doc.extend(text);
    let mut plc = Vec::new();
    plc.extend(0u32.to_le_bytes());
    plc.extend((text.len() as u32).to_le_bytes());
    plc.extend([0, 0]);
    plc.extend(((1024u32 * 2) | 0x4000_0000).to_le_bytes());
    plc.extend([0, 0]);
    let mut table = vec![2u8];
    table.extend((plc.len() as u32).to_le_bytes());
    table.extend(&plc);
    // fcClx 0, lcbClx: the whole table stream.
    doc[0x1A6..0x1AA].copy_from_slice(&(table.len() as u32).to_le_bytes());
    vec![("WordDocument", doc.leak()), ("0Table", table.leak())]
}

fn ppt_record(kind: u16, container: bool, body: &[u8]) -> Vec<u8> {
    let mut out = if container { 0xFu16 } else { 0 }.to_le_bytes().to_vec();
    out.extend(kind.to_le_bytes());
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A PowerPoint 97 presentation of one slide with a text box, its slide list and the
/// persist directory and user edit that lead to it.
fn powerpoint() -> Vec<(&'static str, &'static [u8])> {
    let mut stream = Vec::new();
    let slide_at = stream.len() as u32;
    let text = ppt_record(0x0FA8, false, b"Laatikko \xe4");
    let drawing = ppt_record(0x040C, true, &ppt_record(0xF00D, true, &text));
    stream.extend(ppt_record(0x03EE, true, &drawing));
    let document_at = stream.len() as u32;
    let mut persist = 2u32.to_le_bytes().to_vec();
    persist.extend([0u8; 8]);
    persist.extend(256u32.to_le_bytes());
    persist.extend([0u8; 4]);
    let mut list = ppt_record(0x03F3, false, &persist);
    let title: Vec<u8> = "Otsikko"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    list.extend(ppt_record(0x0FA0, false, &title));
    stream.extend(ppt_record(0x03E8, true, &ppt_record(0x0FF0, true, &list)));
    let directory_at = stream.len() as u32;
    let mut directory = (1u32 | (2 << 20)).to_le_bytes().to_vec();
    directory.extend(document_at.to_le_bytes());
    directory.extend(slide_at.to_le_bytes());
    stream.extend(ppt_record(0x1772, false, &directory));
    let edit_at = stream.len() as u32;
    let mut edit = vec![0u8; 0x1C];
    edit[12..16].copy_from_slice(&directory_at.to_le_bytes());
    edit[16..20].copy_from_slice(&1u32.to_le_bytes());
    stream.extend(ppt_record(0x0FF5, false, &edit));
    let mut current_user = vec![0u8; 24];
    current_user[16..20].copy_from_slice(&edit_at.to_le_bytes());
    vec![
        ("PowerPoint Document", stream.leak()),
        ("Current User", current_user.leak()),
    ]
}
