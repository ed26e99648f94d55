//! Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) through calamine: one page per sheet, named by
//! the sheet, a line per non-empty row with cells separated by tabs, values as a reader sees
//! them.

use crate::package::Package;
use crate::{Error, Extractor, Limits, ooxml};
use calamine::{Data, Reader, SheetVisible};
use kooste_model::{Document, Format, Meta, Page};
use std::collections::BTreeMap;
use std::io::Cursor;

pub(crate) struct Sheet(Format);

static XLSX: Sheet = Sheet(Format::Xlsx);
static XLSB: Sheet = Sheet(Format::Xlsb);
static XLS: Sheet = Sheet(Format::Xls);
static ODS: Sheet = Sheet(Format::Ods);

pub(crate) fn for_format(format: Format) -> Option<&'static dyn Extractor> {
    Some(match format {
        Format::Xlsx => &XLSX,
        Format::Xlsb => &XLSB,
        Format::Xls => &XLS,
        Format::Ods => &ODS,
        _ => return None,
    })
}

impl Extractor for Sheet {
    fn format(&self) -> Format {
        self.0
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        if self.0 == Format::Ods && !bytes.starts_with(b"PK") {
            return crate::odf::flat_spreadsheet(bytes, limits);
        }
        let meta = match self.0 {
            Format::Xls => Meta::default(),
            zipped => {
                // calamine inflates parts without bounds of its own: vet the container first.
                let mut package = Package::open(bytes, limits)?;
                package.check_expansion()?;
                if zipped == Format::Ods {
                    crate::odf::meta(&mut package, limits)?
                } else {
                    ooxml::core_properties(&mut package, limits)?
                }
            }
        };
        let cursor = Cursor::new(bytes);
        let mut budget = Budget {
            cells: limits.max_cells,
            limits,
        };
        let pages = match self.0 {
            Format::Xlsx => {
                let mut book: calamine::Xlsx<_> =
                    calamine::open_workbook_from_rs(cursor).map_err(sheet_error)?;
                let mut pages = Vec::new();
                for (name, hidden) in sheet_list(&book) {
                    let mut reader = book.worksheet_cells_reader(&name).map_err(sheet_error)?;
                    let mut rows = RowText::default();
                    while budget.take()? {
                        let Some(cell) = reader.next_cell().map_err(sheet_error)? else {
                            break;
                        };
                        let (row, col) = cell.get_position();
                        rows.put(row, col, display(&Data::from(cell.get_value().clone())));
                    }
                    pages.push(page(pages.len(), name, hidden, rows.finish()));
                }
                pages
            }
            Format::Xlsb => {
                let mut book: calamine::Xlsb<_> =
                    calamine::open_workbook_from_rs(cursor).map_err(sheet_error)?;
                let mut pages = Vec::new();
                for (name, hidden) in sheet_list(&book) {
                    let mut reader = book.worksheet_cells_reader(&name).map_err(sheet_error)?;
                    let mut rows = RowText::default();
                    while budget.take()? {
                        let Some(cell) = reader.next_cell().map_err(sheet_error)? else {
                            break;
                        };
                        let (row, col) = cell.get_position();
                        rows.put(row, col, display(&Data::from(cell.get_value().clone())));
                    }
                    pages.push(page(pages.len(), name, hidden, rows.finish()));
                }
                pages
            }
            Format::Xls => {
                let book: calamine::Xls<_> =
                    calamine::open_workbook_from_rs(cursor).map_err(xls_error)?;
                whole_ranges(book, &mut budget)?
            }
            _ => {
                let book: calamine::Ods<_> =
                    calamine::open_workbook_from_rs(cursor).map_err(sheet_error)?;
                whole_ranges(book, &mut budget)?
            }
        };
        Ok(Document {
            format: self.0,
            pages,
            meta,
        })
    }
}

/// The cells of a workbook's first sheet as rows of display text, for tables that configure
/// kooste (rules, annotations) rather than materials to summarise.
pub fn first_sheet_rows(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, Error> {
    let format = crate::sniff("table", bytes);
    if !matches!(
        format,
        Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods
    ) {
        return Err(Error::Unsupported(format!(
            "not a spreadsheet but {}",
            format.as_str()
        )));
    }
    if format != Format::Xls {
        Package::open(bytes, limits)?.check_expansion()?;
    }
    let run = || -> Result<Vec<Vec<String>>, Error> {
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(sheet_error)?;
        let Some(name) = book.sheet_names().into_iter().next() else {
            return Ok(Vec::new());
        };
        let range = book.worksheet_range(&name).map_err(sheet_error)?;
        let mut budget = Budget {
            cells: limits.max_cells,
            limits,
        };
        let mut rows = Vec::new();
        for row in range.rows() {
            let mut cells = Vec::with_capacity(row.len());
            for value in row {
                if !budget.take()? {
                    return Ok(rows);
                }
                cells.push(display(value));
            }
            rows.push(cells);
        }
        Ok(rows)
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(Error::Panic(
            "spreadsheet reader failed on malformed input".into(),
        ))
    })
}

/// Cells left to read in this workbook; reading stops, without error, when they run out, so
/// a giant sheet still yields its first two million cells of text.
struct Budget<'a> {
    cells: u64,
    limits: &'a Limits,
}

impl Budget<'_> {
    fn take(&mut self) -> Result<bool, Error> {
        if self.cells == 0 {
            return Ok(false);
        }
        self.cells -= 1;
        if self.cells % 65_536 == 0 {
            self.limits.check_time()?;
        }
        Ok(true)
    }
}

/// XLS and ODS readers only give whole ranges.
fn whole_ranges<RS, R>(mut book: R, budget: &mut Budget<'_>) -> Result<Vec<Page>, Error>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    let mut pages = Vec::new();
    for (name, hidden) in sheet_list(&book) {
        let range = book.worksheet_range(&name).map_err(sheet_error)?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = RowText::default();
        'rows: for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if !budget.take()? {
                    break 'rows;
                }
                rows.put(top + r as u32, left + c as u32, display(value));
            }
        }
        pages.push(page(pages.len(), name, hidden, rows.finish()));
    }
    Ok(pages)
}

fn sheet_list<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(book: &R) -> Vec<(String, bool)> {
    book.sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect()
}

fn page(index: usize, name: String, hidden: bool, text: String) -> Page {
    Page {
        name: Some(name),
        hidden,
        ..Page::new(index as u32 + 1, text)
    }
}

fn sheet_error(e: impl std::fmt::Debug) -> Error {
    let message = format!("{e:?}");
    if message.to_lowercase().contains("password") || message.contains("Encrypted") {
        Error::Encrypted(format!("password-protected workbook ({message})"))
    } else {
        Error::Sheet(message)
    }
}

fn xls_error(e: calamine::XlsError) -> Error {
    sheet_error(e)
}

/// Collects cells into lines: one line per row that has any text, cells in column order.
#[derive(Default)]
struct RowText {
    rows: BTreeMap<u32, Vec<(u32, String)>>,
}

impl RowText {
    fn put(&mut self, row: u32, col: u32, text: String) {
        if !text.trim().is_empty() {
            self.rows.entry(row).or_default().push((col, text));
        }
    }

    fn finish(self) -> String {
        let mut out = String::new();
        for (_, mut cells) in self.rows {
            cells.sort_by_key(|(c, _)| *c);
            let line: Vec<String> = cells.into_iter().map(|(_, t)| t).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out
    }
}

/// A cell value as the spreadsheet would display it in a plain format: whole numbers without
/// decimals, dates as ISO dates, booleans as Excel writes them, errors left out.
fn display(value: &Data) -> String {
    match value {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                number(dt.as_f64())
            } else {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                if (h, mi, s) == (0, 0, 0) {
                    format!("{y:04}-{mo:02}-{d:02}")
                } else {
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
                }
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else if f.is_finite() {
        // Ten significant digits hide binary noise such as 0.30000000000000004.
        let s = format!("{f:.10}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_display_without_noise() {
        assert_eq!(number(42.0), "42");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(-3.25), "-3.25");
        assert_eq!(number(f64::NAN), "");
    }

    #[test]
    fn rows_keep_column_order_and_skip_blanks() {
        let mut rows = RowText::default();
        rows.put(2, 1, "b".into());
        rows.put(2, 0, "a".into());
        rows.put(0, 3, "otsikko".into());
        rows.put(1, 0, "  ".into());
        assert_eq!(rows.finish(), "otsikko\na\tb");
    }
}
