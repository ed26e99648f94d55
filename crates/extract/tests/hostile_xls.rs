//! Legacy XLS files that made calamine allocate a dense grid of billions of cells, which
//! aborts the process (found by fuzzing the xls target). Each is built here from BIFF
//! records in an OLE2 container.

use kooste_extract::{Limits, extract, first_sheet_rows};
use kooste_model::ErrorKind;
use std::io::{Cursor, Write};

fn biff(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = 0x0600u16.to_le_bytes().to_vec();
    d.extend(kind.to_le_bytes());
    d.extend([0; 12]);
    biff(0x0809, &d)
}

fn number(row: u16, col: u16) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend([0, 0]);
    d.extend(42.0f64.to_le_bytes());
    biff(0x0203, &d)
}

fn dimensions(first_row: u32, last_row: u32, first_col: u16, last_col: u16) -> Vec<u8> {
    let mut d = first_row.to_le_bytes().to_vec();
    d.extend(last_row.to_le_bytes());
    d.extend(first_col.to_le_bytes());
    d.extend(last_col.to_le_bytes());
    d.extend([0, 0]);
    biff(0x0200, &d)
}

/// A workbook stream of one sheet named "Taulu" holding these records.
fn workbook(sheet_records: &[Vec<u8>]) -> Vec<u8> {
    let bound = |pos: u32| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend([0, 0, 5, 0]);
        d.extend(b"Taulu");
        biff(0x0085, &d)
    };
    let globals_len = bof(0x0005).len() + bound(0).len() + biff(0x000A, &[]).len();
    let mut out = bof(0x0005);
    out.extend(bound(globals_len as u32));
    out.extend(biff(0x000A, &[]));
    out.extend(bof(0x0010));
    for r in sheet_records {
        out.extend(r);
    }
    out.extend(biff(0x000A, &[]));
    out
}

fn ole(stream_name: &str, data: &[u8]) -> Vec<u8> {
    ole_streams(&[(stream_name, data)])
}

/// A compound file holding these streams, in this order.
fn ole_streams(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut file = match cfb::CompoundFile::create(Cursor::new(Vec::new())) {
        Ok(f) => f,
        Err(e) => panic!("creating a compound file: {e}"),
    };
    for (name, data) in streams {
        match file.create_stream(format!("/{name}")) {
            Ok(mut s) => {
                if let Err(e) = s.write_all(data) {
                    panic!("writing the stream: {e}");
                }
            }
            Err(e) => panic!("creating the stream: {e}"),
        }
    }
    if let Err(e) = file.flush() {
        panic!("flushing: {e}");
    }
    file.into_inner().into_inner()
}

fn kind(result: Result<impl Sized, kooste_extract::Error>) -> Result<(), ErrorKind> {
    result.map(|_| ()).map_err(|e| e.kind())
}

#[test]
fn an_ordinary_workbook_is_read() {
    let bytes = ole(
        "Workbook",
        &workbook(&[dimensions(0, 3, 0, 2), number(0, 0), number(2, 1)]),
    );
    let doc = extract("taulu.xls", &bytes, &Limits::default());
    let text = doc.map(|d| d.pages.first().map(|p| p.text.clone()));
    assert_eq!(text.ok().flatten().as_deref(), Some("Taulu\n42\n42"));
    let rows = first_sheet_rows(&bytes, &Limits::default()).unwrap_or_default();
    assert_eq!(rows.len(), 3);
}

#[test]
fn cells_at_opposite_corners_of_the_grid_are_too_large() {
    let bytes = ole(
        "Workbook",
        &workbook(&[number(0, 0), number(65_535, 65_535)]),
    );
    let limits = Limits::default();
    assert_eq!(
        kind(extract("kulmat.xls", &bytes, &limits)),
        Err(ErrorKind::TooLarge)
    );
    assert_eq!(
        kind(first_sheet_rows(&bytes, &limits)),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_span_just_over_the_cell_limit_is_refused_and_one_at_it_is_read() {
    let mut limits = Limits::default();
    limits.max_cells = 100;
    let at = ole("Workbook", &workbook(&[number(0, 0), number(9, 9)]));
    assert_eq!(kind(extract("sata.xls", &at, &limits)), Ok(()));
    let over = ole("Workbook", &workbook(&[number(0, 0), number(10, 9)]));
    assert_eq!(
        kind(extract("yli.xls", &over, &limits)),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_dimensions_record_that_wraps_around_is_too_large() {
    // The last row (exclusive) before the first: calamine's row count wraps to 2^32 - 9.
    let bytes = ole(
        "Workbook",
        &workbook(&[dimensions(10, 1, 0, 1), number(0, 0)]),
    );
    assert_eq!(
        kind(extract("kierto.xls", &bytes, &Limits::default())),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_biff5_book_stream_is_checked_too() {
    let bytes = ole("Book", &workbook(&[number(0, 0), number(65_535, 65_535)]));
    assert_eq!(
        kind(extract("vanha.xls", &bytes, &Limits::default())),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_stream_name_with_garbage_after_its_nul_is_still_checked() {
    // calamine cuts a directory name at its first NUL; the entry's recorded length covers
    // "Workbook\0junk" here, so the stream is found under a different name by name length.
    let mut bytes = ole(
        "Workbook",
        &workbook(&[number(0, 0), number(65_535, 65_535)]),
    );
    let name: Vec<u8> = "Workbook\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let Some(at) = bytes.windows(name.len()).position(|w| w == name.as_slice()) else {
        panic!("no directory entry named Workbook");
    };
    let junk: Vec<u8> = "junk\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes[at + name.len()..at + name.len() + junk.len()].copy_from_slice(&junk);
    bytes[at + 64..at + 66].copy_from_slice(&28u16.to_le_bytes());
    assert_eq!(
        kind(extract("roska.xls", &bytes, &Limits::default())),
        Err(ErrorKind::TooLarge)
    );
}

/// A compound file whose directory tree leaves the workbook's entry out: the `cfb` crate
/// walks the tree and does not see it, calamine scans every entry and reads it (and here
/// its DIMENSIONS record would make it reserve a billion cells). Found by fuzzing the xls
/// target; built here by re-pointing the root entry's child past the workbook.
#[test]
fn a_workbook_hidden_from_the_directory_tree_is_refused() {
    let book = workbook(&[dimensions(0, 4_000_000, 0, 255), number(0, 0)]);
    let mut bytes = ole_streams(&[("Workbook", &book), ("Muu", b"muuta")]);

    // The directory: 128-byte entries from the sector the header names; sectors of
    // 2^shift bytes, the header taking the first.
    let shift = u16::from_le_bytes([bytes[0x1E], bytes[0x1F]]);
    let sector = u32::from_le_bytes(bytes[0x30..0x34].try_into().unwrap_or_default()) as usize;
    let dir = (sector + 1) << shift;
    let entry_named = |bytes: &[u8], name: &str| -> usize {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        (0..4)
            .find(|i| bytes[dir + i * 128..].starts_with(&utf16))
            .unwrap_or_else(|| panic!("no entry {name}"))
    };
    let (workbook_id, other) = (entry_named(&bytes, "Workbook"), entry_named(&bytes, "Muu"));
    let mut put = |at: usize, value: u32| bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    // The root's child is the other stream, which has no siblings.
    put(dir + 0x4C, other as u32);
    put(dir + other * 128 + 0x44, u32::MAX);
    put(dir + other * 128 + 0x48, u32::MAX);
    assert_ne!(workbook_id, other);

    let limits = Limits::default();
    assert_eq!(
        kind(extract("piilotettu.xls", &bytes, &limits)),
        Err(ErrorKind::Corrupt)
    );
    assert_eq!(
        kind(first_sheet_rows(&bytes, &limits)),
        Err(ErrorKind::Corrupt)
    );
    // With its tree intact, the vetting sees the workbook and refuses its declared cells.
    assert_eq!(
        kind(extract("taulu.xls", &ole("Workbook", &book), &limits)),
        Err(ErrorKind::TooLarge)
    );
}
