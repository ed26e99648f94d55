//! A check of legacy XLS workbooks before calamine reads them, and the text of their cell
//! comments and text boxes, which calamine does not read.
//!
//! calamine reads every sheet of an XLS file when it opens it, and holds each sheet as a
//! dense grid spanning the cells the sheet holds: one cell at A1 and one at the far corner
//! of the 16-bit grid make a grid of 2^32 cells (about 137 GB), and the allocation fails by
//! aborting the process, which no `catch_unwind` contains. A sheet's DIMENSIONS record also
//! makes it reserve room for the declared range, and a range whose last row lies before its
//! first wraps around to billions of cells. Both come from a handful of bytes, so the
//! records are walked here first, as calamine walks them, and a workbook whose grid would
//! exceed the cell limit is refused.

use crate::ole::{read_stream, u16_at, u32_at};
use crate::{Error, Limits};
use std::io::Cursor;

const BOUND_SHEET: u16 = 0x0085;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const CONTINUE: u16 = 0x003C;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
/// A text object: a cell comment's or a text box's text, in the CONTINUE records after it.
const TXO: u16 = 0x01B6;
/// Records that calamine turns into one cell (or formula) at the row and column in their
/// first four bytes: Number, Label, RString, BoolErr, RK, LabelSst, Formula.
const ONE_CELL: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// Refuses with [`Error::TooLarge`] a workbook any of whose sheets would make calamine hold
/// more cells than `limits.max_cells`, declared or spanned. Returns, from the same read of
/// the workbook stream, the text of each sheet's text objects in sheet order: cell comments
/// (notes) and text boxes, which calamine does not read.
pub(crate) fn vet(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, Error> {
    let mut notes = Vec::new();
    for_each_workbook(bytes, limits, |stream| {
        vet_stream(stream, limits)?;
        // calamine reads the first workbook stream it finds; its notes are those.
        if notes.is_empty() {
            notes = sheet_offsets(stream)
                .into_iter()
                .map(|pos| stream.get(pos..).map(text_objects).unwrap_or_default())
                .collect();
        }
        Ok(())
    })?;
    Ok(notes)
}

/// Calls `f` with each stream of the compound file that calamine could take for the
/// workbook.
fn for_each_workbook(
    bytes: &[u8],
    limits: &Limits,
    mut f: impl FnMut(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| Error::Corrupt(format!("not a readable OLE2 compound file ({e})")))?;
    let streams: Vec<(String, String)> = file
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| {
            (
                e.path().to_string_lossy().into_owned(),
                e.name().to_string(),
            )
        })
        .collect();
    // calamine looks the stream up by its name cut at the first NUL, whatever the directory
    // entry says the name's length is, so garbage after a NUL still names the workbook.
    let is_workbook = |name: &str| {
        let name = name.split('\0').next().unwrap_or_default();
        name.eq_ignore_ascii_case("Workbook") || name.eq_ignore_ascii_case("Book")
    };
    // calamine finds its stream by scanning every directory entry, cfb by walking the
    // directory's tree. A workbook that only the scan finds sits in a damaged directory,
    // out of this check's sight: calamine must not read it either (fuzzing found such a
    // 6 KB file making it reserve 59 GB).
    if !streams.iter().any(|(_, name)| is_workbook(name)) {
        return Err(Error::Corrupt(
            "the compound file's directory holds no Workbook stream".into(),
        ));
    }
    for (path, name) in &streams {
        limits.check_time()?;
        if !is_workbook(name) {
            continue;
        }
        match read_stream(&mut file, path, limits)? {
            Some(stream) => f(&stream)?,
            None => {
                return Err(Error::Corrupt(format!(
                    "workbook stream {path:?} cannot be read"
                )));
            }
        }
    }
    Ok(())
}

/// Where each sheet's substream begins, from the workbook globals' BOUNDSHEET records.
fn sheet_offsets(stream: &[u8]) -> Vec<usize> {
    let mut sheets = Vec::new();
    for record in records(stream) {
        match record.kind {
            BOUND_SHEET => {
                if let Some(pos) = u32_at(record.data, 0) {
                    sheets.push(pos as usize);
                }
            }
            EOF => break,
            _ => {}
        }
    }
    sheets
}

/// The text of the TXO records of one sheet substream (not of the charts within it), one
/// to a line. A TXO record gives the text's length in characters; the text follows in
/// CONTINUE records, each beginning with a byte that says whether its characters are one
/// byte (Latin-1) or two (UTF-16).
fn text_objects(sheet: &[u8]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut raw = raw_records(sheet).peekable();
    let mut depth = 0usize;
    let mut seen_bof = false;
    while let Some((kind, data)) = raw.next() {
        match kind {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF if depth == 0 => break,
            EOF => depth -= 1,
            TXO if depth == 0 => {
                let mut left = usize::from(u16_at(data, 10).unwrap_or(0));
                let mut text = String::new();
                while left > 0 {
                    let Some((CONTINUE, part)) = raw.peek().copied() else {
                        break;
                    };
                    raw.next();
                    let Some((&wide, chars)) = part.split_first() else {
                        continue;
                    };
                    if wide & 1 == 1 {
                        let units: Vec<u16> = chars
                            .chunks_exact(2)
                            .take(left)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect();
                        left -= units.len();
                        text.extend(
                            char::decode_utf16(units)
                                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
                        );
                    } else {
                        let bytes = &chars[..chars.len().min(left)];
                        left -= bytes.len();
                        text.extend(bytes.iter().map(|&b| char::from(b)));
                    }
                }
                // Excel ends a note's lines with a line feed, older versions with CR LF.
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                let text = text.trim();
                if !text.is_empty() {
                    out.push(text.to_string());
                }
            }
            _ => {}
        }
    }
    out.join("\n")
}

/// Every record of `stream` as it stands, CONTINUE records apart, up to the first that runs
/// past the stream.
fn raw_records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let kind = u16_at(stream, 0)?;
        let len = usize::from(u16_at(stream, 2)?);
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some((kind, data))
    })
}

/// One BIFF record: its type and its data, without the CONTINUE records that follow it.
struct Record<'a> {
    kind: u16,
    data: &'a [u8],
}

/// The records from the start of `stream`, as calamine splits them; ends at the first
/// record that runs past the stream, where calamine fails.
fn records(mut stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    let mut first = true;
    std::iter::from_fn(move || {
        loop {
            let kind = u16_at(stream, 0)?;
            let len = usize::from(u16_at(stream, 2)?);
            let data = stream.get(4..4 + len)?;
            stream = &stream[4 + len..];
            // calamine appends CONTINUE records to the record before them.
            if kind == CONTINUE && !first {
                continue;
            }
            first = false;
            return Some(Record { kind, data });
        }
    })
}

fn vet_stream(stream: &[u8], limits: &Limits) -> Result<(), Error> {
    for (index, pos) in sheet_offsets(stream).into_iter().enumerate() {
        limits.check_time()?;
        let Some(sheet) = stream.get(pos..) else {
            continue;
        };
        let cells = sheet_cells(sheet);
        if cells > u128::from(limits.max_cells) {
            return Err(Error::TooLarge(format!(
                "sheet {} of the workbook spans {cells} cells, over the limit of {}",
                index + 1,
                limits.max_cells
            )));
        }
    }
    Ok(())
}

/// The larger of the cells a sheet's DIMENSIONS records make calamine reserve and the cells
/// of the grid that spans its cell records.
fn sheet_cells(sheet: &[u8]) -> u128 {
    let mut reserved = 0u128;
    let mut span: Option<(u32, u32, u32, u32)> = None;
    let mut put = |row: u32, col: u32| {
        span = Some(match span {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    };
    let mut seen_bof = false;
    let mut depth = 0usize;
    for record in records(sheet) {
        // Embedded charts and the like are substreams whose cells calamine skips.
        if depth > 0 {
            match record.kind {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let data = record.data;
        match record.kind {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => reserved = reserved.max(declared_cells(data)),
            MUL_RK => {
                if let (Some(row), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) {
                    let count = data.len().saturating_sub(6) / 6;
                    put(row.into(), first.into());
                    put(
                        row.into(),
                        u32::from(first) + count.saturating_sub(1) as u32,
                    );
                }
            }
            kind if ONE_CELL.contains(&kind) => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    put(row.into(), col.into());
                }
            }
            _ => {}
        }
    }
    let spanned = span.map_or(0, |(r0, r1, c0, c1)| {
        (u128::from(r1 - r0) + 1) * (u128::from(c1 - c0) + 1)
    });
    reserved.max(spanned)
}

/// The cells calamine reserves for a DIMENSIONS record, computed as it computes them, with
/// the unsigned wrap-around of a last row or column before the first.
fn declared_cells(data: &[u8]) -> u128 {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0).unwrap_or(0)),
            u32::from(u16_at(data, 2).unwrap_or(0)),
            u32::from(u16_at(data, 4).unwrap_or(0)),
            u32::from(u16_at(data, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u32::from(u16_at(data, 8).unwrap_or(0)),
            u32::from(u16_at(data, 10).unwrap_or(0)),
        ),
        _ => return 0,
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    if last_row == 0 || last_col == 0 {
        return 1;
    }
    let rows = (last_row - 1).wrapping_sub(first_row).wrapping_add(1);
    let cols = (last_col - 1).wrapping_sub(first_col).wrapping_add(1);
    u128::from(rows) * u128::from(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut out = kind.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn a_dimensions_record_is_read_as_calamine_reads_it() {
        let biff8 = |r0: u32, r1: u32, c0: u16, c1: u16| {
            let mut d = r0.to_le_bytes().to_vec();
            d.extend(r1.to_le_bytes());
            d.extend(c0.to_le_bytes());
            d.extend(c1.to_le_bytes());
            d.extend([0, 0]);
            d
        };
        // Rows 0..10 and columns 0..3 (the last row and column are one past the end).
        assert_eq!(declared_cells(&biff8(0, 10, 0, 3)), 30);
        // A last row before the first wraps around to four billion rows.
        assert_eq!(declared_cells(&biff8(5, 2, 0, 1)), (1u128 << 32) - 3);
        assert_eq!(declared_cells(&biff8(0, 0, 0, 0)), 1);
        assert_eq!(declared_cells(&[0; 3]), 0);
    }

    #[test]
    fn the_span_of_cells_counts_and_substreams_do_not() {
        let cell = |row: u16, col: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend([0; 10]);
            record(0x0203, &d)
        };
        let mut sheet = record(BOF, &[0; 16]);
        sheet.extend(cell(2, 1));
        sheet.extend(cell(4, 3));
        // A chart substream's cells are skipped, as calamine skips them.
        sheet.extend(record(BOF, &[0; 16]));
        sheet.extend(cell(60_000, 200));
        sheet.extend(record(EOF, &[]));
        sheet.extend(record(EOF, &[]));
        sheet.extend(cell(65_535, 255));
        assert_eq!(sheet_cells(&sheet), 3 * 3);
    }

    #[test]
    fn comments_and_text_boxes_are_read_from_their_text_objects() {
        let txo = |chars: u16| {
            let mut d = vec![0u8; 18];
            d[10..12].copy_from_slice(&chars.to_le_bytes());
            record(TXO, &d)
        };
        let continued = |wide: bool, text: &str| {
            let mut d = vec![u8::from(wide)];
            if wide {
                d.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            } else {
                d.extend(text.chars().map(|c| c as u8));
            }
            record(CONTINUE, &d)
        };
        let runs = record(CONTINUE, &[0; 16]);
        let mut sheet = record(BOF, &[0; 16]);
        // A note in one-byte characters, with its formatting runs after it.
        sheet.extend(txo(21));
        sheet.extend(continued(false, "Kommentti: p\u{e4}\u{e4}t\u{f6}s\r\nok"));
        sheet.extend(runs.clone());
        // A text box whose text goes on in a second record, in two-byte characters.
        sheet.extend(txo(12));
        sheet.extend(continued(true, "Asiakas"));
        sheet.extend(continued(true, "tieto"));
        sheet.extend(runs.clone());
        // A chart's label in a substream of the sheet is the chart's, not the sheet's.
        sheet.extend(record(BOF, &[0; 16]));
        sheet.extend(txo(5));
        sheet.extend(continued(false, "akseli"));
        sheet.extend(record(EOF, &[]));
        // A text object whose text is missing adds nothing.
        sheet.extend(txo(9));
        sheet.extend(record(EOF, &[]));
        assert_eq!(text_objects(&sheet), "Kommentti: päätös\nok\nAsiakastieto");
    }
}
