//! Writes the same materials-like sheet with kooste-xlsx and with rust_xlsxwriter (its
//! constant-memory mode, as kooste used before) and prints time, peak heap and file size of
//! each, side by side, as ratios.
//!
//!     cargo run --release -p kooste-xlsx --example versus_rust_xlsxwriter -- [ROWS]

#[path = "../tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::time::Instant;

const COLS: u16 = 20;

fn row_text(row: u32, col: u16) -> String {
    format!(
        "Espoo/TP{}/Raportit/materiaali {row} sarake {col}.pdf",
        row % 5 + 1
    )
}

fn ours(path: &std::path::Path, rows: u32) -> Result<(), kooste_xlsx::XlsxError> {
    use kooste_xlsx::{Layout, Properties, Style, Workbook};
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut book = Workbook::new(file, Properties::default());
    let widths = [30.0; COLS as usize];
    let mut sheet = book.add_sheet(
        "Materiaalit",
        &Layout {
            widths: &widths,
            frozen_rows: 1,
        },
    )?;
    for row in 0..rows {
        sheet.link(
            row,
            0,
            &format!("../drive/{}", row_text(row, 0)),
            &row_text(row, 0),
        )?;
        for col in 1..COLS {
            if col % 3 == 0 {
                sheet.number(row, col, f64::from(row) / 7.0, Style::Plain)?;
            } else {
                sheet.string(row, col, &row_text(row, col), Style::Plain)?;
            }
        }
    }
    sheet.autofilter(0, rows.saturating_sub(1), COLS - 1);
    sheet.finish()?;
    book.finish()?;
    Ok(())
}

fn theirs(path: &std::path::Path, rows: u32) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Url, Workbook};
    let mut book = Workbook::new();
    book.set_zip_compression_level(1);
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("Materiaalit")?;
    for row in 0..rows {
        let url =
            Url::new(format!("file:///../drive/{}", row_text(row, 0))).set_text(row_text(row, 0));
        sheet.write_url(row, 0, url)?;
        for col in 1..COLS {
            if col % 3 == 0 {
                sheet.write_number(row, col, f64::from(row) / 7.0)?;
            } else {
                sheet.write_string(row, col, row_text(row, col))?;
            }
        }
    }
    for col in 0..COLS {
        sheet.set_column_width(col, 30.0)?;
    }
    sheet.autofilter(0, 0, rows.saturating_sub(1), COLS - 1)?;
    sheet.set_freeze_panes(1, 0)?;
    book.save(path)?;
    Ok(())
}

fn measure(
    name: &str,
    run: impl FnOnce() -> Result<(), String>,
    path: &std::path::Path,
) -> (f64, usize, u64) {
    let start = Instant::now();
    let (result, peak) = counting_alloc::peak_heap_of(run);
    let secs = start.elapsed().as_secs_f64();
    if let Err(e) = result {
        eprintln!("{name}: {e}");
        std::process::exit(1);
    }
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    println!(
        "{name:16} {secs:7.3} s  peak heap {:8.1} MiB  file {:6.1} MiB",
        peak as f64 / 1048576.0,
        bytes as f64 / 1048576.0
    );
    (secs, peak, bytes)
}

fn main() {
    let rows: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("kooste-xlsx-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (a, b) = (dir.join("ours.xlsx"), dir.join("theirs.xlsx"));
    println!("{rows} rows x {COLS} columns, a link in every row");
    let (ts, tp, _) = measure(
        "rust_xlsxwriter",
        || theirs(&b, rows).map_err(|e| e.to_string()),
        &b,
    );
    let (os, op, _) = measure(
        "kooste-xlsx",
        || ours(&a, rows).map_err(|e| e.to_string()),
        &a,
    );
    println!(
        "kooste-xlsx is {:.1}x as fast, with {:.1}x less peak heap",
        ts / os.max(1e-9),
        tp as f64 / (op.max(1)) as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
