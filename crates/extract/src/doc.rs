//! Legacy binary Word documents (Word 97–2003 `.doc`): the text through the piece table,
//! field codes left out, and title, author and dates from the summary information.
//!
//! The document's characters live in the `WordDocument` stream in pieces, some as UTF-16
//! and some as Windows-1252 bytes; the piece table in the `0Table` or `1Table` stream says
//! where each run of character positions is stored. Main text, footnotes, headers,
//! comments, endnotes and text boxes follow one another in that character space.

use crate::docx::push_section;
use crate::ole::{read_stream, u16_at, u32_at};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page};
use std::io::Cursor;

pub(crate) struct Doc;

impl Extractor for Doc {
    fn format(&self) -> Format {
        Format::Doc
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
            .map_err(|e| Error::Corrupt(format!("not a readable OLE2 compound file ({e})")))?;
        let word = read_stream(&mut file, "/WordDocument", limits)?
            .ok_or_else(|| Error::MissingPart("WordDocument stream".into()))?;
        let fib = Fib::parse(&word)?;
        let table_name = if fib.table_one { "/1Table" } else { "/0Table" };
        let table = read_stream(&mut file, table_name, limits)?
            .ok_or_else(|| Error::MissingPart(format!("{} stream", &table_name[1..])))?;
        let text = piece_text(&word, &table, &fib, limits)?;
        let meta = match read_stream(&mut file, "/\u{5}SummaryInformation", limits) {
            Ok(Some(s)) => summary_information(&s),
            Ok(None) | Err(_) => Meta::default(),
        };
        let mut pages = Vec::new();
        let mut at = 0usize;
        let chars: Vec<char> = text.chars().collect();
        let mut take = |n: u32| {
            let end = (at + n as usize).min(chars.len());
            let part: String = chars
                .get(at..end)
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            at = end;
            clean(&part)
        };
        let body = take(fib.ccp_text);
        let footnotes = take(fib.ccp_ftn);
        let headers = take(fib.ccp_hdd);
        let _macros = take(fib.ccp_mcr);
        let comments = take(fib.ccp_atn);
        let endnotes = take(fib.ccp_edn);
        let text_boxes = take(fib.ccp_txbx);
        let header_boxes = take(fib.ccp_hdr_txbx);
        let mut body = body;
        if !text_boxes.trim().is_empty() {
            body.push('\n');
            body.push_str(text_boxes.trim());
        }
        pages.push(Page::new(1, body));
        let join = |parts: &[&String]| {
            parts
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        for (name, text) in [
            ("headers and footers", join(&[&headers, &header_boxes])),
            ("notes", join(&[&footnotes, &endnotes])),
            ("comments", join(&[&comments])),
        ] {
            push_section(&mut pages, name, text);
        }
        Ok(Document {
            format: Format::Doc,
            pages,
            meta,
            damaged: None,
        })
    }
}

/// The parts of the File Information Block that locate the text.
struct Fib {
    table_one: bool,
    ccp_text: u32,
    ccp_ftn: u32,
    ccp_hdd: u32,
    ccp_mcr: u32,
    ccp_atn: u32,
    ccp_edn: u32,
    ccp_txbx: u32,
    ccp_hdr_txbx: u32,
    fc_clx: u32,
    lcb_clx: u32,
}

impl Fib {
    fn parse(word: &[u8]) -> Result<Fib, Error> {
        let short = || Error::Corrupt("WordDocument stream too short for its header".into());
        if u16_at(word, 0) != Some(0xA5EC) {
            return Err(Error::Corrupt(
                "WordDocument stream without the Word signature".into(),
            ));
        }
        let n_fib = u16_at(word, 2).ok_or_else(short)?;
        let flags = u16_at(word, 0x0A).ok_or_else(short)?;
        if flags & 0x0100 != 0 || flags & 0x8000 != 0 {
            return Err(Error::Encrypted(
                "password-protected Word document (.doc)".into(),
            ));
        }
        if n_fib < 0x00C1 {
            return Err(Error::Unsupported(
                "Word 6.0/95 document (.doc); save it as DOCX or PDF".into(),
            ));
        }
        // The header's variable parts: csw words, cslw longs, then pairs of offsets.
        let csw = u16_at(word, 0x20).ok_or_else(short)? as usize;
        let lw_count_at = 0x22 + csw * 2;
        let cslw = u16_at(word, lw_count_at).ok_or_else(short)? as usize;
        let lw = lw_count_at + 2;
        let blob = lw + cslw * 4 + 2;
        let long = |i: usize| u32_at(word, lw + i * 4).unwrap_or(0);
        // fcClx/lcbClx are the 34th pair of FibRgFcLcb97.
        let fc_clx = u32_at(word, blob + 33 * 8).ok_or_else(short)?;
        let lcb_clx = u32_at(word, blob + 33 * 8 + 4).ok_or_else(short)?;
        Ok(Fib {
            table_one: flags & 0x0200 != 0,
            ccp_text: long(3),
            ccp_ftn: long(4),
            ccp_hdd: long(5),
            ccp_mcr: long(6),
            ccp_atn: long(7),
            ccp_edn: long(8),
            ccp_txbx: long(9),
            ccp_hdr_txbx: long(10),
            fc_clx,
            lcb_clx,
        })
    }
}

/// All characters of the document in character-position order, from the piece table.
fn piece_text(word: &[u8], table: &[u8], fib: &Fib, limits: &Limits) -> Result<String, Error> {
    let bad = |what: &str| Error::Corrupt(format!("Word piece table: {what}"));
    let start = fib.fc_clx as usize;
    let end = start
        .checked_add(fib.lcb_clx as usize)
        .filter(|e| *e <= table.len())
        .ok_or_else(|| bad("outside the table stream"))?;
    let clx = &table[start..end];
    // Skip the property modifiers (clxt 1) up to the piece table (clxt 2).
    let mut at = 0usize;
    let plc = loop {
        match clx.get(at) {
            Some(1) => {
                let cb = u16_at(clx, at + 1).ok_or_else(|| bad("truncated"))? as usize;
                at += 3 + cb;
            }
            Some(2) => {
                let lcb = u32_at(clx, at + 1).ok_or_else(|| bad("truncated"))? as usize;
                break clx
                    .get(at + 5..at + 5 + lcb)
                    .ok_or_else(|| bad("truncated"))?;
            }
            _ => return Err(bad("no piece table")),
        }
    };
    if plc.len() < 16 {
        return Err(bad("empty"));
    }
    let pieces = (plc.len() - 4) / 12;
    let mut out = String::new();
    let mut written = 0usize;
    for i in 0..pieces {
        limits.check_time()?;
        let cp_start = u32_at(plc, i * 4).ok_or_else(|| bad("truncated"))?;
        let cp_end = u32_at(plc, (i + 1) * 4).ok_or_else(|| bad("truncated"))?;
        let pcd = (pieces + 1) * 4 + i * 8;
        let fc = u32_at(plc, pcd + 2).ok_or_else(|| bad("truncated"))?;
        let count = cp_end.saturating_sub(cp_start) as usize;
        let count = count.min(limits.max_text_chars.saturating_sub(written));
        if count == 0 {
            continue;
        }
        let compressed = fc & 0x4000_0000 != 0;
        let fc = (fc & 0x3FFF_FFFF) as usize;
        if compressed {
            let from = fc / 2;
            let bytes = word
                .get(from..from.saturating_add(count).min(word.len()))
                .unwrap_or(&[]);
            out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0,
            );
        } else {
            let bytes = word
                .get(fc..fc.saturating_add(count * 2).min(word.len()))
                .unwrap_or(&[]);
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]));
            out.extend(char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')));
        }
        written += count;
    }
    Ok(out)
}

/// Word's control characters to plain text: paragraph and cell marks to line ends and
/// tabs, field instructions dropped (their results kept), anchors of pictures and notes
/// dropped.
fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    // One entry per open field: whether its result has begun.
    let mut fields: Vec<bool> = Vec::new();
    let mut last_cell_mark = false;
    for c in raw.chars() {
        match c {
            '\u{13}' => {
                if fields.len() < 64 {
                    fields.push(false);
                }
                continue;
            }
            '\u{14}' => {
                if let Some(top) = fields.last_mut() {
                    *top = true;
                }
                continue;
            }
            '\u{15}' => {
                fields.pop();
                continue;
            }
            _ => {}
        }
        if !fields.iter().all(|r| *r) {
            continue;
        }
        let cell_mark = c == '\u{7}';
        match c {
            '\r' | '\u{b}' | '\u{c}' | '\u{e}' => out.push('\n'),
            // A cell mark ends a cell; a second one in a row ends the row.
            '\u{7}' if last_cell_mark => {
                if out.ends_with('\t') {
                    out.pop();
                }
                out.push('\n');
            }
            '\u{7}' => out.push('\t'),
            '\u{1e}' => out.push('-'),
            '\u{a0}' => out.push(' '),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
        last_cell_mark = cell_mark && !last_cell_mark;
    }
    // Empty paragraphs used as spacing leave runs of blank lines: one is enough.
    let mut result = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines().map(|l| l.trim_end_matches([' ', '\t'])) {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        result.push_str(line);
        result.push('\n');
    }
    result.trim_matches('\n').to_string()
}

/// Title, author and dates from the `\x05SummaryInformation` property set.
pub(crate) fn summary_information(data: &[u8]) -> Meta {
    let mut meta = Meta::default();
    let Some(set) = u32_at(data, 0x2C).map(|o| o as usize) else {
        return meta;
    };
    let count = u32_at(data, set + 4).unwrap_or(0).min(1024) as usize;
    let mut code_page = 1252u16;
    let mut props = Vec::new();
    for i in 0..count {
        let (Some(id), Some(offset)) = (
            u32_at(data, set + 8 + i * 8),
            u32_at(data, set + 12 + i * 8),
        ) else {
            break;
        };
        let at = set + offset as usize;
        if id == 1 && u16_at(data, at) == Some(2) {
            code_page = u16_at(data, at + 4).unwrap_or(1252);
        }
        props.push((id, at));
    }
    let string = |at: usize| -> Option<String> {
        let kind = u16_at(data, at)?;
        let len = u32_at(data, at + 4)? as usize;
        let text = match kind {
            0x1E => {
                let bytes = data.get(at + 8..at + 8 + len.min(4096))?;
                let bytes = bytes.split(|b| *b == 0).next().unwrap_or(&[]);
                match code_page {
                    65001 => String::from_utf8_lossy(bytes).into_owned(),
                    _ => encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(bytes)
                        .0
                        .into_owned(),
                }
            }
            0x1F => {
                let bytes = data.get(at + 8..at + 8 + (len * 2).min(8192))?;
                let units = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .take_while(|u| *u != 0);
                char::decode_utf16(units).filter_map(Result::ok).collect()
            }
            _ => return None,
        };
        Some(text.trim().to_string()).filter(|t| !t.is_empty())
    };
    let time = |at: usize| -> Option<String> {
        if u16_at(data, at)? != 0x40 {
            return None;
        }
        let low = u32_at(data, at + 4)? as u64;
        let high = u32_at(data, at + 8)? as u64;
        crate::ole::filetime_iso((high << 32) | low)
    };
    for (id, at) in props {
        match id {
            2 => meta.title = string(at),
            4 => meta.author = string(at),
            8 if meta.author.is_none() => meta.author = string(at),
            12 => meta.created = time(at),
            13 => meta.modified = time(at),
            _ => {}
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_plain_text() {
        let raw = "Otsikko\r\u{13} TOC \\o \u{14}Sisällys\u{15}\rKaupunki\u{7}Malli\u{7}\u{7}Espoo\u{7}Viitekehys\u{7}\u{7}Loppu\u{1}\u{2}\u{b}rivi";
        assert_eq!(
            clean(raw),
            "Otsikko\nSisällys\nKaupunki\tMalli\nEspoo\tViitekehys\nLoppu\nrivi"
        );
        assert_eq!(clean("yksi\r\r\r\r\rkaksi\r"), "yksi\n\nkaksi");
    }

    #[test]
    fn nested_fields_show_the_outer_result() {
        assert_eq!(
            clean("a \u{13}IF \u{13}PAGE\u{14}3\u{15} = 3 \"x\"\u{14}tulos\u{15} b"),
            "a tulos b"
        );
    }

    fn word_stream(pieces: &[(u32, bool, &[u8])]) -> (Vec<u8>, Vec<u8>, Fib) {
        // A minimal WordDocument stream (text after a 1 KiB header) and table stream.
        let mut word = vec![0u8; 1024];
        let mut cps = vec![0u32];
        let mut pcds = Vec::new();
        let mut cp = 0u32;
        for (count, compressed, bytes) in pieces {
            let fc = word.len() as u32;
            word.extend_from_slice(bytes);
            cp += count;
            cps.push(cp);
            let stored = if *compressed {
                (fc * 2) | 0x4000_0000
            } else {
                fc
            };
            pcds.push(stored);
        }
        let mut plc = Vec::new();
        for c in &cps {
            plc.extend(c.to_le_bytes());
        }
        for fc in &pcds {
            plc.extend([0, 0]);
            plc.extend(fc.to_le_bytes());
            plc.extend([0, 0]);
        }
        let mut table = vec![1u8, 2, 0, 0xAA, 0xBB, 2];
        table.extend((plc.len() as u32).to_le_bytes());
        table.extend(&plc);
        let fib = Fib {
            table_one: false,
            ccp_text: cp,
            ccp_ftn: 0,
            ccp_hdd: 0,
            ccp_mcr: 0,
            ccp_atn: 0,
            ccp_edn: 0,
            ccp_txbx: 0,
            ccp_hdr_txbx: 0,
            fc_clx: 0,
            lcb_clx: table.len() as u32,
        };
        (word, table, fib)
    }

    #[test]
    fn pieces_in_utf16_and_windows_1252() {
        let utf16: Vec<u8> = "Päätös "
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let (word, table, fib) = word_stream(&[(7, false, &utf16), (4, true, b"\xe4\xf6 \x80")]);
        let text = piece_text(&word, &table, &fib, &Limits::default());
        assert_eq!(text.ok().as_deref(), Some("Päätös äö €"));
    }

    #[test]
    fn damaged_piece_tables_are_corrupt() {
        let (word, table, mut fib) = word_stream(&[(3, true, b"abc")]);
        fib.lcb_clx += 100;
        assert!(matches!(
            piece_text(&word, &table, &fib, &Limits::default()),
            Err(Error::Corrupt(_))
        ));
        assert!(matches!(Fib::parse(&[0u8; 8]), Err(Error::Corrupt(_))));
    }
}
