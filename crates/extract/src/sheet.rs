//! Excel workbooks (XLSX, XLSM, XLTX, Strict OOXML; XLSB; legacy XLS) through calamine: one
//! page per sheet, named by the sheet and starting with its name, a line per non-empty row
//! with cells separated by tabs, values as the cell displays them (its number format
//! applied), then the text of the sheet's drawings: charts and text boxes. Chart sheets are
//! pages holding their chart's text.

use crate::drawingml::{self, Kind};
use crate::numfmt;
use crate::ooxml::{self, Relationship, Resolver};
use crate::package::Package;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Extractor, Limits};
use calamine::{Data, Reader, SheetVisible};
use kooste_model::{Document, Format, Page};
use std::collections::BTreeMap;
use std::io::Cursor;

pub(crate) struct Sheet(Format);

static XLSX: Sheet = Sheet(Format::Xlsx);
static XLSB: Sheet = Sheet(Format::Xlsb);
static XLS: Sheet = Sheet(Format::Xls);

pub(crate) fn for_format(format: Format) -> Option<&'static dyn Extractor> {
    Some(match format {
        Format::Xlsx => &XLSX,
        Format::Xlsb => &XLSB,
        Format::Xls => &XLS,
        _ => return None,
    })
}

impl Extractor for Sheet {
    fn format(&self) -> Format {
        self.0
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut budget = Budget {
            cells: limits.max_cells,
            limits,
        };
        let (pages, meta) = match self.0 {
            Format::Xls => {
                let notes = crate::xls::vet(bytes, limits)?;
                let book: calamine::Xls<_> =
                    calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(sheet_error)?;
                (
                    whole_ranges(book, &notes, &mut budget, limits)?,
                    Default::default(),
                )
            }
            zipped => {
                // calamine inflates parts without bounds of its own: vet the container first.
                let mut package = Package::open(bytes, limits)?;
                package.check_expansion()?;
                let meta = ooxml::core_properties(&mut package, limits)?;
                let structure = workbook_structure(&mut package, limits).unwrap_or_default();
                let pages = if zipped == Format::Xlsb {
                    let book: calamine::Xlsb<_> =
                        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(sheet_error)?;
                    xlsb_pages(book, &structure, &mut package, &mut budget, limits)?
                } else {
                    let book = open_xlsx(bytes, &mut package, limits)?;
                    xlsx_pages(book, &structure, &mut package, &mut budget, limits)?
                };
                (pages, meta)
            }
        };
        Ok(Document {
            format: self.0,
            pages,
            meta,
            damaged: None,
        })
    }
}

/// A sheet as the workbook part lists it, with the part that holds it.
#[derive(Default, Clone)]
struct SheetEntry {
    name: String,
    part: Option<String>,
    chart_sheet: bool,
}

/// The sheets of the workbook in tab order, read from the workbook part and its
/// relationships (which calamine does not expose), so that drawings and chart sheets can
/// be found.
fn workbook_structure(
    package: &mut Package<'_>,
    limits: &Limits,
) -> Result<Vec<SheetEntry>, Error> {
    let main = ooxml::main_part(package, limits, "xl/workbook.xml")?;
    let Some(workbook) = package.read_xml_if_present(&main)? else {
        return Ok(Vec::new());
    };
    let rels = ooxml::relationships(package, &main, limits)?;
    let mut sheets = Vec::new();
    xml::walk(&workbook, &main, limits, |node| {
        if let Node::Open {
            name: "sheet",
            element,
            ..
        } = node
        {
            let id = element
                .attributes()
                .with_checks(false)
                .filter_map(Result::ok)
                .find(|a| a.key.0.ends_with(":id"))
                .map(|a| a.value.into_owned());
            let rel = id.and_then(|id| rels.iter().find(|r| r.id == id));
            sheets.push(SheetEntry {
                name: xml::attr(element, "name").unwrap_or_default(),
                part: rel.map(|r| r.target.clone()),
                chart_sheet: rel.is_some_and(|r| r.kind.ends_with("/chartsheet")),
            });
        }
        Flow::Continue
    })?;
    Ok(sheets)
}

/// The relationship types of Excel 4 macro sheets, which calamine refuses with the whole
/// workbook, and the type they are read as: their cells are laid out as a worksheet's.
const MACRO_SHEET_TYPES: [&str; 2] = [
    "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
    "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet",
];
const WORKSHEET_TYPE: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";

/// An XLSX workbook through calamine. One with Excel 4 macro sheets is opened from a copy
/// of its package in which those sheets are declared worksheets: calamine would refuse it
/// whole, and the macro sheets' cells and the other sheets are worth reading.
fn open_xlsx<'b>(
    bytes: &'b [u8],
    package: &mut Package<'_>,
    limits: &Limits,
) -> Result<calamine::Xlsx<Cursor<std::borrow::Cow<'b, [u8]>>>, Error> {
    let open = |b: std::borrow::Cow<'b, [u8]>| calamine::open_workbook_from_rs(Cursor::new(b));
    match open(std::borrow::Cow::Borrowed(bytes)) {
        Ok(book) => Ok(book),
        Err(calamine::XlsxError::Unrecognized {
            typ: "sheet:type", ..
        }) => {
            let copy = with_macro_sheets_as_worksheets(package, limits)?;
            open(std::borrow::Cow::Owned(copy)).map_err(sheet_error)
        }
        Err(e) => Err(sheet_error(e)),
    }
}

/// The package again, zipped in memory (its expansion was vetted), with the workbook's
/// macro sheet relationships turned into worksheet ones.
fn with_macro_sheets_as_worksheets(
    package: &mut Package<'_>,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let main = ooxml::main_part(package, limits, "xl/workbook.xml")?;
    let rels = match main.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{main}.rels"),
    };
    ooxml::repacked(package, limits, |package, name| {
        let mut part = package.read(name)?;
        if name == rels {
            let mut text = String::from_utf8_lossy(&part).into_owned();
            for macro_type in MACRO_SHEET_TYPES {
                text = text.replace(macro_type, WORKSHEET_TYPE);
            }
            part = text.into_bytes();
        }
        Ok(part)
    })
}

fn xlsx_pages<RS: std::io::Read + std::io::Seek>(
    mut book: calamine::Xlsx<RS>,
    structure: &[SheetEntry],
    package: &mut Package<'_>,
    budget: &mut Budget<'_>,
    limits: &Limits,
) -> Result<Vec<Page>, Error> {
    let date1904 = book.has_1904_epoch();
    let mut pages = Vec::new();
    for (name, hidden) in sheet_list(&book) {
        limits.check_time()?;
        let entry = structure.iter().find(|s| s.name == name);
        let mut rows = RowText::new(limits.max_text_chars);
        if !entry.is_some_and(|e| e.chart_sheet) {
            // A sheet calamine cannot read (a macro or dialog sheet) keeps its drawings.
            if let Ok(mut reader) = book.worksheet_cells_reader(&name) {
                let formats: Vec<Option<String>> = reader
                    .styles()
                    .iter()
                    .map(|s| s.number_format.as_ref().map(format_code))
                    .collect();
                while budget.take()? {
                    let Ok(Some((cell, style))) = reader.next_cell_with_style_id() else {
                        // Damage part way through a sheet keeps the rows read so far.
                        break;
                    };
                    let (row, col) = cell.get_position();
                    let format = formats.get(style).and_then(Option::as_deref);
                    rows.put(
                        row,
                        col,
                        display(&Data::from(cell.get_value().clone()), format, date1904),
                    );
                }
            }
        }
        let drawings = entry
            .and_then(|e| e.part.as_deref())
            .map(|part| drawing_text(package, part, limits))
            .transpose()?
            .unwrap_or_default();
        pages.push(page(pages.len(), name, hidden, rows.finish(), &drawings));
    }
    Ok(pages)
}

fn xlsb_pages(
    mut book: calamine::Xlsb<Cursor<&[u8]>>,
    structure: &[SheetEntry],
    package: &mut Package<'_>,
    budget: &mut Budget<'_>,
    limits: &Limits,
) -> Result<Vec<Page>, Error> {
    let date1904 = book.has_1904_epoch();
    let mut pages = Vec::new();
    for (name, hidden) in sheet_list(&book) {
        limits.check_time()?;
        let entry = structure.iter().find(|s| s.name == name);
        let mut rows = RowText::new(limits.max_text_chars);
        if !entry.is_some_and(|e| e.chart_sheet)
            && let Ok(mut reader) = book.worksheet_cells_reader(&name)
        {
            while budget.take()? {
                let Ok(Some(cell)) = reader.next_cell() else {
                    break;
                };
                let (row, col) = cell.get_position();
                rows.put(
                    row,
                    col,
                    display(&Data::from(cell.get_value().clone()), None, date1904),
                );
            }
        }
        // Binary sheets keep drawings in XML parts all the same.
        let drawings = entry
            .and_then(|e| e.part.as_deref())
            .map(|part| drawing_text(package, part, limits))
            .transpose()?
            .unwrap_or_default();
        pages.push(page(pages.len(), name, hidden, rows.finish(), &drawings));
    }
    Ok(pages)
}

/// The code of a cell's number format. Built-in formats 14 and 22 are the locale's short
/// date, which Excel and LibreOffice show in en-US as m/d/yyyy, not the "mm-dd-yy" the
/// standard lists.
fn format_code(format: &calamine::NumberFormat) -> String {
    match format.format_id {
        Some(14) => "m/d/yyyy".to_string(),
        Some(22) => "m/d/yyyy h:mm".to_string(),
        _ => format.format_code.clone(),
    }
}

/// Text of the drawings and cell comments of a sheet part: text boxes, shapes and charts. Damage costs only
/// the drawing's text.
fn drawing_text(
    package: &mut Package<'_>,
    sheet_part: &str,
    limits: &Limits,
) -> Result<String, Error> {
    let rels = match ooxml::relationships(package, sheet_part, limits) {
        Ok(r) => r,
        Err(e @ Error::Timeout(_)) => return Err(e),
        Err(_) => return Ok(String::new()),
    };
    let mut out = TextSink::new(limits.max_text_chars);
    let parts: Vec<(bool, String)> = rels
        .iter()
        .filter(|r| r.kind.ends_with("/drawing") || r.kind.ends_with("/comments"))
        .map(|r| (r.kind.ends_with("/drawing"), r.target.clone()))
        .collect();
    for (drawing, part) in parts {
        let text = if drawing {
            one_drawing(package, &part, limits)
        } else {
            comments(package, &part, limits)
        };
        match text {
            Ok(text) => out.push_block(&text),
            Err(e @ Error::Timeout(_)) => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out.finish())
}

fn one_drawing(package: &mut Package<'_>, part: &str, limits: &Limits) -> Result<String, Error> {
    let rels: Vec<Relationship> = ooxml::relationships(package, part, limits)?;
    let xml_text = package.read_xml(part)?;
    let mut resolver = Resolver::new(package, limits);
    let shapes = drawingml::shapes_text(&xml_text, part, limits, Kind::Other, &mut |r| {
        resolver.resolve(&rels, r)
    })?;
    if let Some(e) = resolver.fatal {
        return Err(e);
    }
    Ok(shapes.text)
}

/// Cell comments (notes), one to a line, without their authors or phonetic guides.
fn comments(package: &mut Package<'_>, part: &str, limits: &Limits) -> Result<String, Error> {
    let xml_text = package.read_xml(part)?;
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut text_depth = 0u32;
    xml::walk(&xml_text, part, limits, |node| {
        match node {
            Node::Open { name, empty, .. } => match name {
                "authors" | "rPh" | "rPr" | "extLst" => return Flow::SkipChildren,
                "t" if !empty => text_depth += 1,
                _ => {}
            },
            Node::Close { name } => match name {
                "t" => text_depth = text_depth.saturating_sub(1),
                "comment" => sink.end_line(),
                _ => {}
            },
            Node::Text(t) if text_depth > 0 => sink.push(t),
            Node::Text(_) => {}
        }
        Flow::Continue
    })?;
    Ok(sink.finish())
}

/// How a table that configures kooste (rules, labels, annotations) is read, by the
/// extension of its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// XLSX, XLSM, XLS, XLSB or ODS: the first sheet, by [`first_sheet_rows`].
    Spreadsheet,
    Csv,
}

/// The kind of table a file of this name holds, or `None` for another file.
pub fn table_kind(name: &str) -> Option<TableKind> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some(TableKind::Spreadsheet),
        "csv" => Some(TableKind::Csv),
        _ => None,
    }
}

/// The cells of a workbook's first sheet as rows of display text, for tables that configure
/// kooste (rules, annotations) rather than materials to summarise.
pub fn first_sheet_rows(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, Error> {
    first_sheet_table(bytes, limits).map(|t| t.rows)
}

/// The rows of a sheet's table and where on the sheet they stand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetTable {
    pub rows: Vec<Vec<String>>,
    /// The sheet's row and column (0-based) of the table's top-left cell: a table need not
    /// start at A1, and a message about a cell must name the cell the person sees.
    pub origin: (u32, u32),
    /// The name of the sheet read, for messages: a workbook's first sheet may be another
    /// table than the one a person meant.
    pub sheet: String,
}

/// [`first_sheet_rows`] with where the table stands on the sheet.
pub fn first_sheet_table(bytes: &[u8], limits: &Limits) -> Result<SheetTable, Error> {
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
    let mut budget = Budget {
        cells: limits.max_cells,
        limits,
    };
    // The checks run inside the panic containment too: they parse the container (the
    // compound file through the cfb crate), and this is called in the main process.
    let run = || -> Result<SheetTable, Error> {
        if format == Format::Xls {
            crate::xls::vet(bytes, limits)?;
        } else {
            Package::open(bytes, limits)?.check_expansion()?;
        }
        if format == Format::Ods {
            crate::odf::vet_tables(bytes, limits)?;
        }
        // A range from calamine is a dense grid spanning every cell of the sheet, so two
        // cells at opposite corners of an XLSX sheet make it allocate 2^34 cells. The
        // zipped formats are read cell by cell instead; an XLS file was vetted above.
        let (sheet, cells) = match format {
            Format::Xlsx => {
                let mut book: calamine::Xlsx<_> =
                    calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(sheet_error)?;
                let Some(name) = book.sheet_names().into_iter().next() else {
                    return Ok(SheetTable::default());
                };
                let mut reader = book.worksheet_cells_reader(&name).map_err(sheet_error)?;
                let cells = budgeted_cells(&mut budget, || {
                    let cell = reader.next_cell_with_formula()?;
                    Ok::<_, calamine::XlsxError>(cell.map(|cell| {
                        let value = Data::from(cell.value);
                        // A formula whose result was never worked out (a file written by a
                        // program and never opened in a spreadsheet) has no value: it shows
                        // as its formula, so that a cell that must hold a number says so,
                        // instead of reading as empty.
                        let text = match (&value, cell.formula) {
                            (Data::Empty, Some(f)) if !f.trim().is_empty() => format!("={f}"),
                            _ => display(&value, None, false),
                        };
                        (cell.pos, text)
                    }))
                })?;
                (name, cells)
            }
            Format::Xlsb => {
                let mut book: calamine::Xlsb<_> =
                    calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(sheet_error)?;
                let Some(name) = book.sheet_names().into_iter().next() else {
                    return Ok(SheetTable::default());
                };
                let mut reader = book.worksheet_cells_reader(&name).map_err(sheet_error)?;
                let cells = budgeted_cells(&mut budget, || {
                    let cell = reader.next_cell()?;
                    Ok::<_, calamine::XlsbError>(cell.map(|cell| {
                        let value = Data::from(cell.get_value().clone());
                        (cell.get_position(), display(&value, None, false))
                    }))
                })?;
                (name, cells)
            }
            _ => {
                let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
                    .map_err(sheet_error)?;
                let Some(name) = book.sheet_names().into_iter().next() else {
                    return Ok(SheetTable::default());
                };
                let range = book.worksheet_range(&name).map_err(sheet_error)?;
                let mut cells = Vec::new();
                for (row, col, value) in range.used_cells() {
                    if !budget.take()? {
                        break;
                    }
                    let (top, left) = range.start().unwrap_or((0, 0));
                    cells.push((
                        (top + row as u32, left + col as u32),
                        display(value, None, false),
                    ));
                }
                (name, cells)
            }
        };
        Ok(SheetTable {
            sheet,
            ..dense_rows(cells, limits)?
        })
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(Error::Panic(
            "spreadsheet reader failed on malformed input".into(),
        ))
    })
}

/// A cell's (row, column) and its displayed text.
type PlacedText = ((u32, u32), String);

/// Cells from one of calamine's cell-by-cell readers (XLSX and XLSB each have their own
/// types, with no trait in common), each as placed text by `next`, until the cell budget is
/// spent.
fn budgeted_cells<E: std::fmt::Display>(
    budget: &mut Budget<'_>,
    mut next: impl FnMut() -> Result<Option<PlacedText>, E>,
) -> Result<Vec<PlacedText>, Error> {
    let mut cells = Vec::new();
    while budget.take()? {
        let Some(cell) = next().map_err(sheet_error)? else {
            break;
        };
        cells.push(cell);
    }
    Ok(cells)
}

/// Rows of a table from its cells: the grid that spans them, its first row and column
/// those of the top-left cell, empty strings where no cell is. The cell limit counts the
/// grid's cells, filled or not, and a row that does not fit is left out whole.
fn dense_rows(mut cells: Vec<PlacedText>, limits: &Limits) -> Result<SheetTable, Error> {
    let Some(top) = cells.iter().map(|((r, _), _)| *r).min() else {
        return Ok(SheetTable::default());
    };
    let left = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
    let right = cells.iter().map(|((_, c), _)| *c).max().unwrap_or(0);
    let width = (right - left) as usize + 1;
    cells.sort_by_key(|(at, _)| *at);
    let mut budget = Budget {
        cells: limits.max_cells,
        limits,
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut next = top;
    let mut cells = cells.into_iter().peekable();
    while let Some(((row, _), _)) = cells.peek() {
        let row = *row;
        // Empty rows between filled ones keep their place.
        while next <= row {
            if (budget.cells as usize) < width {
                return Ok(SheetTable {
                    rows,
                    origin: (top, left),
                    ..SheetTable::default()
                });
            }
            for _ in 0..width {
                budget.take()?;
            }
            rows.push(vec![String::new(); width]);
            next += 1;
        }
        while let Some(((_, col), text)) = cells.next_if(|((r, _), _)| *r == row) {
            if let Some(slot) = rows
                .last_mut()
                .and_then(|r| r.get_mut((col - left) as usize))
            {
                *slot = text;
            }
        }
    }
    Ok(SheetTable {
        rows,
        origin: (top, left),
        ..SheetTable::default()
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
        if self.cells.is_multiple_of(65_536) {
            self.limits.check_time()?;
        }
        Ok(true)
    }
}

/// Legacy XLS: calamine gives whole ranges only, which are bounded by the file's size.
/// Every sheet's cells, then its `notes` (by sheet index: text calamine does not read).
fn whole_ranges<RS, R>(
    mut book: R,
    notes: &[String],
    budget: &mut Budget<'_>,
    limits: &Limits,
) -> Result<Vec<Page>, Error>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    let mut pages = Vec::new();
    for (index, (name, hidden)) in sheet_list(&book).into_iter().enumerate() {
        limits.check_time()?;
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = RowText::new(limits.max_text_chars);
        'rows: for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if !budget.take()? {
                    break 'rows;
                }
                rows.put(top + r as u32, left + c as u32, display(value, None, false));
            }
        }
        let sheet_notes = notes.get(index).map_or("", String::as_str);
        pages.push(page(pages.len(), name, hidden, rows.finish(), sheet_notes));
    }
    Ok(pages)
}

fn sheet_list<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(book: &R) -> Vec<(String, bool)> {
    book.sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect()
}

fn page(index: usize, name: String, hidden: bool, cells: String, drawings: &str) -> Page {
    let mut text = name.clone();
    for part in [cells.as_str(), drawings] {
        if !part.trim().is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(part);
        }
    }
    Page {
        name: Some(name),
        hidden,
        ..Page::new(index as u32 + 1, text)
    }
}

fn sheet_error(e: impl std::fmt::Display) -> Error {
    let message = e.to_string();
    if message.to_lowercase().contains("password") || message.contains("Encrypted") {
        Error::Encrypted(format!("password-protected workbook ({message})"))
    } else {
        Error::Sheet(message)
    }
}

/// Collects cells into lines: one line per row that has any text, cells in column order.
struct RowText {
    rows: BTreeMap<u32, Vec<(u32, String)>>,
    chars_left: usize,
}

impl RowText {
    fn new(max_chars: usize) -> RowText {
        RowText {
            rows: BTreeMap::new(),
            chars_left: max_chars,
        }
    }

    fn put(&mut self, row: u32, col: u32, text: String) {
        let text = text.trim();
        if text.is_empty() || self.chars_left == 0 {
            return;
        }
        self.chars_left = self.chars_left.saturating_sub(text.len() + 1);
        self.rows
            .entry(row)
            .or_default()
            .push((col, text.to_string()));
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

/// A cell value as the spreadsheet displays it: numbers and dates through the cell's number
/// format where it is known, booleans as Excel writes them, errors as their codes.
fn display(value: &Data, format: Option<&str>, date1904: bool) -> String {
    let code = format.filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case("general"));
    match value {
        Data::Empty => String::new(),
        Data::Error(e) => e.to_string(),
        Data::String(s) => s.clone(),
        Data::Int(i) => match code {
            Some(c) => numfmt::format(*i as f64, c, date1904),
            None => i.to_string(),
        },
        Data::Float(f) => match code {
            Some(c) => numfmt::format(*f, c, date1904),
            None => numfmt::general(*f),
        },
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            match code {
                Some(c) => numfmt::format(serial, c, date1904),
                None if dt.is_duration() => numfmt::format(serial, "[h]:mm:ss", date1904),
                // A date with a time of day (an XLS cell, whose format calamine does not
                // give) keeps its time.
                None if serial.fract().abs() > 1e-9 => {
                    numfmt::format(serial, "yyyy-mm-dd hh:mm:ss", date1904)
                }
                None => numfmt::format(serial, "yyyy-mm-dd", date1904),
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_without_a_format_keeps_its_time_of_day() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let at = |serial: f64| {
            display(
                &Data::DateTime(ExcelDateTime::new(
                    serial,
                    ExcelDateTimeType::DateTime,
                    false,
                )),
                None,
                false,
            )
        };
        // 44197 is 2021-01-01.
        assert_eq!(at(44197.0), "2021-01-01");
        assert_eq!(
            at(44197.0 + (10.0 * 3600.0 + 10.0 * 60.0 + 10.0) / 86400.0),
            "2021-01-01 10:10:10"
        );
    }

    #[test]
    fn tables_are_told_apart_by_extension_in_any_case() {
        for (name, kind) in [
            ("rules.xlsx", Some(TableKind::Spreadsheet)),
            ("C:\\Projekti\\Teemat.ODS", Some(TableKind::Spreadsheet)),
            ("vanha.xls", Some(TableKind::Spreadsheet)),
            ("labels.CSV", Some(TableKind::Csv)),
            ("rules.toml", None),
            ("kansio.csv/rules", None),
            ("README", None),
        ] {
            assert_eq!(table_kind(name), kind, "{name}");
        }
    }

    #[test]
    fn cells_display_through_their_format() {
        assert_eq!(display(&Data::Float(0.256), Some("0%"), false), "26%");
        assert_eq!(
            display(&Data::Float(1234.5), Some("#,##0.00"), false),
            "1,234.50"
        );
        assert_eq!(display(&Data::Float(0.1 + 0.2), None, false), "0.3");
        assert_eq!(display(&Data::Int(7), Some("General"), false), "7");
        assert_eq!(display(&Data::Bool(true), None, false), "TRUE");
        assert_eq!(
            display(&Data::Error(calamine::CellErrorType::Div0), None, false),
            "#DIV/0!"
        );
    }

    #[test]
    fn rows_keep_column_order_and_skip_blanks() {
        let mut rows = RowText::new(1000);
        rows.put(2, 1, "b".into());
        rows.put(2, 0, "a".into());
        rows.put(0, 3, "otsikko".into());
        rows.put(1, 0, "  ".into());
        assert_eq!(rows.finish(), "otsikko\na\tb");
    }

    #[test]
    fn comments_without_authors() {
        let xml = r#"<comments><authors><author>Maija</author></authors><commentList>
            <comment ref="A1" authorId="0"><text><r><rPr><b/></rPr><t>Maija:</t></r><r><t xml:space="preserve"> tarkista luku</t></r></text></comment>
            <comment ref="B2" authorId="0"><text><t>toinen</t><rPh><t>ei</t></rPh></text></comment>
            </commentList></comments>"#;
        let bytes = crate::docx::tests::zip_of(&[("xl/comments1.xml", xml)]);
        let limits = Limits::default();
        let text = Package::open(&bytes, &limits)
            .and_then(|mut p| comments(&mut p, "xl/comments1.xml", &limits));
        assert_eq!(text.ok().as_deref(), Some("Maija: tarkista luku\ntoinen"));
    }

    #[test]
    fn pages_start_with_the_sheet_name() {
        let p = page(0, "Budjetti".into(), true, "a\tb".into(), "Kaavio");
        assert_eq!(p.text, "Budjetti\na\tb\nKaavio");
        assert_eq!(p.name.as_deref(), Some("Budjetti"));
        assert!(p.hidden);
    }
}
