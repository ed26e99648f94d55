//! Workbooks written here and read back with calamine (as a spreadsheet program reads them)
//! and as raw parts of the zip.

use calamine::{Data, Reader, Xlsx};
use kooste_xlsx::{Layout, Properties, Style, Workbook, XlsxError};
use std::io::{Cursor, Read};

fn book() -> Workbook<Cursor<Vec<u8>>> {
    Workbook::new(
        Cursor::new(Vec::new()),
        Properties {
            title: "Kooste & <testi>".to_string(),
            created: Some("2018-03-13T00:00:00Z".to_string()),
        },
    )
}

fn part(bytes: &[u8], name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut entry = zip.by_name(name).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).ok()?;
    Some(text)
}

fn cells(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut xlsx: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes.to_vec())).unwrap_or_else(|e| panic!("{e}"));
    let range = xlsx
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn text_numbers_and_links_read_back_as_written() -> Result<(), XlsxError> {
    let mut b = book();
    let mut s = b.add_sheet(
        "Materiaalit",
        &Layout {
            widths: &[40.0, 10.0],
            frozen_rows: 1,
        },
    )?;
    let awkward = [
        "a & b <c> \"d\" 'e'",
        "  leading and trailing  ",
        "rivi\nrivi\r\nloppu",
        "ohjaus\u{1}\u{8}\u{b}merkit",
        "literal _x0041_ stays",
        // Found by fuzzing: an escaped character right after `_x000D` completed an escape.
        "_x000D\u{0}\u{0}5",
        "_x000D\u{1}\u{0}_ & <t>\r\n ",
        "__xFFFF_x0041__",
        "äöå ÄÖÅ € 😀",
        "",
    ];
    s.string(0, 0, "Polku", Style::Bold)?;
    s.string(0, 1, "Pisteet", Style::Bold)?;
    for (text, row) in awkward.iter().zip(1u32..) {
        s.string(row, 0, text, Style::Wrap)?;
        s.number(row, 1, f64::from(row) * 1.5, Style::Plain)?;
    }
    let last = awkward.len() as u32 + 1;
    assert!(s.link(last, 0, "../drive/Espoo/TP1/raportti 1 #2.pdf", "raportti")?);
    s.number(last, 1, f64::NAN, Style::Plain)?;
    s.autofilter(0, last, 1);
    s.finish()?;
    let bytes = b.finish()?.into_inner();

    let rows = cells(&bytes, "Materiaalit");
    assert_eq!(rows[0][0], Data::String("Polku".into()));
    for (text, row) in awkward.iter().zip(1usize..) {
        if text.is_empty() {
            assert_eq!(
                rows[row][0],
                Data::Empty,
                "empty text leaves the cell blank"
            );
        } else {
            assert_eq!(rows[row][0], Data::String((*text).to_string()), "row {row}");
        }
        assert_eq!(rows[row][1], Data::Float(row as f64 * 1.5));
    }
    assert_eq!(rows[last as usize][0], Data::String("raportti".into()));
    assert_eq!(rows[last as usize][1], Data::Empty, "NaN has no cell");

    let sheet = part(&bytes, "xl/worksheets/sheet1.xml").unwrap_or_default();
    assert!(
        sheet.contains(&format!("<autoFilter ref=\"A1:B{}\"/>", last + 1)),
        "{sheet}"
    );
    assert!(
        sheet.contains(&format!("<hyperlink ref=\"A{}\" r:id=\"rId1\"/>", last + 1)),
        "{sheet}"
    );
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    let rels = part(&bytes, "xl/worksheets/_rels/sheet1.xml.rels").unwrap_or_default();
    assert!(
        rels.contains(
            "Target=\"../drive/Espoo/TP1/raportti%201%20%232.pdf\" TargetMode=\"External\""
        ),
        "{rels}"
    );
    let workbook = part(&bytes, "xl/workbook.xml").unwrap_or_default();
    assert!(
        workbook.contains(&format!(
            ">'Materiaalit'!$A$1:$B${}</definedName>",
            last + 1
        )),
        "{workbook}"
    );
    let core = part(&bytes, "docProps/core.xml").unwrap_or_default();
    assert!(
        core.contains("<dc:title>Kooste &amp; &lt;testi&gt;</dc:title>"),
        "{core}"
    );
    assert!(
        core.contains(">2018-03-13T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    Ok(())
}

#[test]
fn sheets_keep_their_names_and_order() -> Result<(), XlsxError> {
    let mut b = book();
    for name in ["Osallisuus", "Auditointi", "Apostrophe's sheet"] {
        let mut s = b.add_sheet(name, &Layout::default())?;
        s.string(0, 0, name, Style::Plain)?;
        s.finish()?;
    }
    let bytes = b.finish()?.into_inner();
    let xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        xlsx.sheet_names(),
        ["Osallisuus", "Auditointi", "Apostrophe's sheet"]
    );
    assert_eq!(
        cells(&bytes, "Apostrophe's sheet")[0][0],
        Data::String("Apostrophe's sheet".into())
    );
    Ok(())
}

#[test]
fn misuse_is_a_typed_error_not_a_broken_file() -> Result<(), XlsxError> {
    let mut b = book();
    for bad in ["", "a/b", "[x]", "'quoted'", &"x".repeat(32)] {
        assert!(
            matches!(
                b.add_sheet(bad, &Layout::default()),
                Err(XlsxError::SheetName(_))
            ),
            "{bad:?}"
        );
    }
    let mut s = b.add_sheet("Ok", &Layout::default())?;
    s.string(1, 1, "b2", Style::Plain)?;
    assert!(matches!(
        s.string(1, 0, "a2", Style::Plain),
        Err(XlsxError::OutOfOrder { row: 1, col: 0 })
    ));
    assert!(matches!(
        s.string(1, 1, "b2 again", Style::Plain),
        Err(XlsxError::OutOfOrder { .. })
    ));
    assert!(matches!(
        s.string(0, 5, "above", Style::Plain),
        Err(XlsxError::OutOfOrder { .. })
    ));
    assert!(matches!(
        s.number(kooste_xlsx::MAX_ROWS, 0, 1.0, Style::Plain),
        Err(XlsxError::OutOfRange { .. })
    ));
    s.finish()?;
    assert!(matches!(
        b.add_sheet("OK", &Layout::default()),
        Err(XlsxError::SheetName(_))
    ));
    // A sheet left open keeps the workbook from being finished half-written.
    let _open = b.add_sheet("Open", &Layout::default())?;
    assert!(matches!(b.finish(), Err(XlsxError::SheetOpen)));
    Ok(())
}

#[test]
fn long_text_is_cut_to_what_a_cell_holds_and_long_targets_are_not_links() -> Result<(), XlsxError> {
    let mut b = book();
    let mut s = b.add_sheet("Pitkä", &Layout::default())?;
    s.string(0, 0, &"ä".repeat(40_000), Style::Plain)?;
    let far = format!("{}.pdf", "a/".repeat(1_100));
    assert!(!s.link(1, 0, &far, "kaukana")?);
    s.finish()?;
    let bytes = b.finish()?.into_inner();
    let rows = cells(&bytes, "Pitkä");
    assert_eq!(
        rows[0][0],
        Data::String("ä".repeat(kooste_xlsx::MAX_CELL_CHARS))
    );
    assert_eq!(rows[1][0], Data::String("kaukana".into()));
    assert!(part(&bytes, "xl/worksheets/_rels/sheet1.xml.rels").is_none());
    Ok(())
}

#[test]
fn a_sheet_of_many_links_spools_them_and_stays_whole() -> Result<(), XlsxError> {
    let mut b = book();
    let mut s = b.add_sheet("Linkit", &Layout::default())?;
    let n = 70_000u32;
    let mut linked = 0;
    for row in 0..n {
        if s.link(
            row,
            0,
            &format!("kansio/tiedosto {row}.pdf"),
            &format!("t{row}"),
        )? {
            linked += 1;
        }
    }
    s.finish()?;
    // Excel's limit per sheet: the rest are plain text.
    assert_eq!(linked, kooste_xlsx::MAX_LINKS);
    let bytes = b.finish()?.into_inner();
    let rows = cells(&bytes, "Linkit");
    assert_eq!(rows.len(), n as usize);
    assert_eq!(rows[69_999][0], Data::String("t69999".into()));
    let rels = part(&bytes, "xl/worksheets/_rels/sheet1.xml.rels").unwrap_or_default();
    assert_eq!(rels.matches("<Relationship ").count(), linked as usize);
    assert!(rels.contains("Target=\"kansio/tiedosto%2065529.pdf\""));
    Ok(())
}

#[test]
fn equal_workbooks_are_equal_bytes() -> Result<(), XlsxError> {
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut b = book();
        let mut s = b.add_sheet("A", &Layout::default())?;
        s.link(0, 0, "x.pdf", "x")?;
        s.finish()?;
        Ok(b.finish()?.into_inner())
    };
    assert_eq!(write()?, write()?);
    Ok(())
}

/// Seeded strings from an alphabet of everything the escaping treats specially (markup,
/// control characters, `_xHHHH_`-like runs, white space at the ends, wide characters) read
/// back exactly.
#[test]
fn generated_awkward_text_reads_back_exactly() -> Result<(), XlsxError> {
    const PIECES: &[&str] = &[
        "a", "Ä", "😀", "&", "<", ">", "\"", "'", "_", "x", "_x", "_x0", "_x00", "_x000D_",
        "_x005F_", "_xFFFF_", "0", "D", "F", "_", " ", "\t", "\n", "\r", "\u{0}", "\u{1}",
        "\u{1f}", "\u{7f}", "\u{85}", "\u{fffe}", "\u{ffff}", "]]>", "\u{feff}",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let texts: Vec<String> = (0..2_000)
        .map(|_| {
            let len = 1 + (next() % 12) as usize;
            (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect()
        })
        .collect();
    let mut b = book();
    let mut s = b.add_sheet("Teksti", &Layout::default())?;
    for (text, row) in texts.iter().zip(0u32..) {
        s.string(row, 0, text, Style::Plain)?;
    }
    s.finish()?;
    let bytes = b.finish()?.into_inner();
    let rows = cells(&bytes, "Teksti");
    for (text, row) in texts.iter().zip(0usize..) {
        // XML cannot carry NUL even escaped by character reference; Excel's own escape
        // keeps it, so every text comes back whole.
        let got = match rows.get(row).and_then(|r| r.first()) {
            Some(Data::String(s)) => s.clone(),
            other => panic!("row {row}: {other:?} for {text:?}"),
        };
        assert_eq!(&got, text, "row {row}");
    }
    Ok(())
}
