//! Hostile Office files, made here: each must end quickly in `too_large`, `corrupt` or a
//! bounded result, never a panic or an unbounded allocation.

mod common;

use common::{Data, ROOT_RELS, docx, ods, xlsx, zip};
use kooste_extract::{Limits, extract};
use kooste_model::ErrorKind;

const W: &str = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#;
const W_END: &str = "</w:t></w:r></w:p></w:body></w:document>";

fn kind_of(name: &str, bytes: &[u8], limits: &Limits) -> Result<String, ErrorKind> {
    extract(name, bytes, &limits.start())
        .map(|d| d.text())
        .map_err(|e| e.kind())
}

#[test]
fn a_deflate_bomb_under_the_part_limit_stops_at_the_ratio() {
    // 64 MiB of spaces deflate about a thousandfold; the ratio limit stops the read at
    // 32 MiB instead of inflating it all.
    let bytes = docx(Data::Repeat(W, " ", 64 << 20, W_END));
    assert!(bytes.len() < 1 << 20);
    assert_eq!(
        kind_of("pommi.docx", &bytes, &Limits::default()),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_part_over_the_size_limit_is_refused_from_its_header() {
    let mut limits = Limits::default();
    limits.max_part_bytes = 1 << 20;
    let bytes = docx(Data::Repeat(W, "a", 4 << 20, W_END));
    assert_eq!(
        kind_of("iso.docx", &bytes, &limits),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_spreadsheet_bomb_is_refused_before_calamine_reads_it() {
    let head = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    let bytes = xlsx(Data::Repeat(
        head,
        " ",
        300 << 20,
        "</sheetData></worksheet>",
    ));
    assert_eq!(
        kind_of("pommi.xlsx", &bytes, &Limits::default()),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn a_billion_declared_rows_cost_nothing() {
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1000000000"/><sheetData>
        <row r="1"><c r="A1" t="inlineStr"><is><t>alku</t></is></c></row>
        <row r="1000000000"><c r="XFD1000000000" t="inlineStr"><is><t>loppu</t></is></c></row>
        </sheetData></worksheet>"#;
    let bytes = xlsx(Data::Text(sheet));
    assert_eq!(
        kind_of("rivit.xlsx", &bytes, &Limits::default()).as_deref(),
        Ok("Kunnat\nalku\nloppu")
    );
}

#[test]
fn the_cell_budget_truncates_a_huge_sheet() {
    let mut limits = Limits::default();
    limits.max_cells = 1000;
    let head = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    let bytes = xlsx(Data::Repeat(
        head,
        r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#,
        100_000,
        "</sheetData></worksheet>",
    ));
    let text = kind_of("solut.xlsx", &bytes, &limits).unwrap_or_default();
    assert_eq!(text.lines().filter(|l| *l == "x").count(), 1000);
}

#[test]
fn deep_nesting_is_too_large() {
    let depth = 50_000;
    let doc = format!(
        "<w:document xmlns:w=\"w\"><w:body>{}<w:p/>{}</w:body></w:document>",
        "<w:sdt><w:sdtContent>".repeat(depth),
        "</w:sdtContent></w:sdt>".repeat(depth)
    );
    let bytes = docx(Data::Text(&doc));
    assert_eq!(
        kind_of("syva.docx", &bytes, &Limits::default()),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn too_many_entries_are_too_large() {
    let mut limits = Limits::default();
    limits.max_entries = 100;
    let names: Vec<String> = (0..200).map(|i| format!("ppt/x{i}.xml")).collect();
    let entries: Vec<(&str, Data<'_>)> =
        names.iter().map(|n| (n.as_str(), Data::Text(""))).collect();
    let bytes = zip(&entries);
    assert_eq!(
        kind_of("paljon.pptx", &bytes, &limits),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn entity_expansion_is_not_performed() {
    // The billion-laughs pattern: quick-xml does not expand DTD entities, so the text stays
    // as written and small.
    let doc = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
        <w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"#;
    let bytes = docx(Data::Text(doc));
    let text = kind_of("lol.docx", &bytes, &Limits::default()).unwrap_or_default();
    assert!(text.len() < 100, "{text}");
}

#[test]
fn nested_embedded_documents_stop_at_the_depth_limit() {
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/package" Target="embeddings/inner.docx"/></Relationships>"#;
    let body = r#"<w:document xmlns:w="w" xmlns:o="o" xmlns:r="r"><w:body><w:p><w:r><w:t>kerros</w:t></w:r><w:r><w:object><o:OLEObject r:id="rId5"/></w:object></w:r></w:p></w:body></w:document>"#;
    let mut inner = docx(Data::Text(body));
    for _ in 0..8 {
        inner = zip(&[
            ("_rels/.rels", Data::Text(ROOT_RELS)),
            ("word/document.xml", Data::Text(body)),
            ("word/_rels/document.xml.rels", Data::Text(rels)),
            ("word/embeddings/inner.docx", Data::Bytes(&inner)),
        ]);
    }
    let text = kind_of("kerrokset.docx", &inner, &Limits::default()).unwrap_or_default();
    // The outer document and at most `max_archive_depth` embedded levels.
    let layers = text.matches("kerros").count();
    assert_eq!(layers, 4, "{text}");
}

#[test]
fn a_table_with_cells_at_opposite_corners_is_read_sparsely() {
    // Read as a table of rules or annotations, a sheet was held as one dense grid spanning
    // its cells: A1 and XFD1048576 make 2^34 cells, and the allocation aborts the process.
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>file</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>kulma</t></is></c></row></sheetData></worksheet>"#;
    let bytes = xlsx(Data::Text(sheet));
    let rows = kooste_extract::first_sheet_rows(&bytes, &Limits::default());
    // The grid spans 16,384 columns, so the cell limit of two million admits 122 rows of
    // it; the far corner is cut off, not allocated.
    let rows = rows.map(|r| {
        let first = r.first().map(|row| (row.len(), row[0].clone()));
        (r.len(), first)
    });
    assert_eq!(rows.ok(), Some((122, Some((16_384, "file".to_string())))));
}

/// A row of `cells` string cells reading `text`, repeated `rows` times, as ODF writes it.
fn repeated_row(rows: u64, cells: u64, text: &str) -> String {
    format!(
        r#"<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cells}" office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
    )
}

const HEADER_ROW: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>file</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>why</text:p></table:table-cell></table:table-row>"#;

#[test]
fn an_ods_table_whose_repeats_span_millions_of_cells_is_too_large_as_a_table() {
    // Two kilobytes that calamine laid out as 20 million cells (2.6 GB in the main process,
    // where rules and annotations spreadsheets are read).
    let bomb = ods(&format!(
        "{HEADER_ROW}{}",
        repeated_row(20_000, 1_000, "a.txt")
    ));
    let kind = kooste_extract::first_sheet_rows(&bomb, &Limits::default()).map_err(|e| e.kind());
    assert_eq!(kind.map(|rows| rows.len()), Err(ErrorKind::TooLarge));
    // The same file as a document is read within the cell budget, not refused.
    let doc = kooste_extract::extract("bomb.ods", &bomb, &Limits::default());
    assert!(doc.is_ok_and(|d| d.text().starts_with("Taulukko1")));
}

#[test]
fn an_ods_table_with_repeats_that_stay_small_is_read_whole() {
    // Filler as LibreOffice writes it after the last row (empty cells repeated to the end of
    // the sheet) spans nothing; content repeated a few times is laid out.
    let filler = r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#;
    let table = ods(&format!("{HEADER_ROW}{}{filler}", repeated_row(3, 2, "x")));
    let rows = kooste_extract::first_sheet_rows(&table, &Limits::default());
    let expected: Vec<Vec<String>> = [["file", "why"], ["x", "x"], ["x", "x"], ["x", "x"]]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.ok(), Some(expected));
}
