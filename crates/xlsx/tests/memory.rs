//! The writer's memory does not grow with the rows of a sheet: the heap it holds at its
//! peak is measured (a counting allocator, bytes not time) for a short and a long sheet.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use kooste_xlsx::{Layout, Properties, Style, Workbook, XlsxError};

/// Peak heap, above what was live before, of writing `rows` rows (a link and five texts
/// each) into a workbook on disk.
fn peak_heap(rows: u32) -> Result<usize, XlsxError> {
    let dir = tempfile::tempdir()?;
    let file = std::io::BufWriter::new(std::fs::File::create(dir.path().join("a.xlsx"))?);
    let (written, peak) = counting_alloc::peak_heap_of(|| write_rows(file, rows));
    written?;
    Ok(peak)
}

fn write_rows(file: impl std::io::Write + std::io::Seek, rows: u32) -> Result<(), XlsxError> {
    let mut book = Workbook::new(file, Properties::default());
    let mut sheet = book.add_sheet("Materiaalit", &Layout::default())?;
    for row in 0..rows {
        let path = format!("Espoo/TP{}/Raportit/materiaali {row}.pdf", row % 5 + 1);
        sheet.link(row, 0, &format!("../drive/{path}"), &path)?;
        for col in 1..6 {
            sheet.string(row, col, &path, Style::Plain)?;
        }
    }
    sheet.autofilter(0, rows - 1, 5);
    sheet.finish()?;
    book.finish()?;
    Ok(())
}

#[test]
fn a_long_sheet_takes_no_more_memory_than_a_short_one() -> Result<(), XlsxError> {
    let short = peak_heap(1_000)?;
    let long = peak_heap(60_000)?;
    eprintln!("peak heap: {short} bytes for 1,000 rows, {long} for 60,000");
    // 60,000 links alone were ~45 MB held until saving with the writer kooste used before.
    assert!(
        long < 2 * 1024 * 1024,
        "peak heap {long} bytes for 60,000 rows"
    );
    assert!(
        long < short + 256 * 1024,
        "peak heap grows with rows: {short} bytes for 1,000, {long} for 60,000"
    );
    Ok(())
}
