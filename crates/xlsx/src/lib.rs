//! A streaming writer of SpreadsheetML workbooks (`.xlsx`), for outputs whose sheets grow
//! with the drive.
//!
//! Each sheet's XML goes straight into its zip entry as rows are written, with every string
//! inline (no shared-string table to hold), and a sheet's links, which SpreadsheetML keeps
//! after the rows and in a part of their own, are spooled to an anonymous temporary file.
//! Memory therefore stays the same whether a sheet has ten rows or a million.
//!
//! Only what kooste's workbook needs is here: text and number cells, a handful of fixed
//! styles, links to files, column widths, a frozen header and an autofilter.

use std::fmt::Write as _;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Excel's largest sheet.
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_COLS: u16 = 16_384;
/// Excel's longest cell text, in characters.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Excel keeps at most this many links on one sheet.
pub const MAX_LINKS: u32 = 65_530;
/// Excel refuses longer link targets.
pub const MAX_LINK_TARGET: usize = 2_079;

/// A row's XML is handed to the compressor once it is about this large, or when it ends.
const FLUSH_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("writing the workbook: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the workbook's zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cell ({row}, {col}) written after a cell to its right or below it")]
    OutOfOrder { row: u32, col: u16 },
    #[error("cell ({row}, {col}) is outside a sheet's {MAX_ROWS} rows and {MAX_COLS} columns")]
    OutOfRange { row: u32, col: u16 },
    #[error("{0:?} is not a sheet name Excel accepts, or is taken")]
    SheetName(String),
    #[error("a sheet was left unfinished")]
    SheetOpen,
}

/// The fixed cell styles of the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    /// Bold, 14 points: a sheet's title.
    Title,
    /// Wrapped and aligned to the top: long answers.
    Wrap,
    /// Aligned to the top, beside wrapped cells.
    Top,
    /// Blue and underlined, as spreadsheets show links.
    Link,
}

impl Style {
    /// Index into the `cellXfs` of [`STYLES`].
    fn xf(self) -> u8 {
        match self {
            Style::Plain => 0,
            Style::Bold => 1,
            Style::Title => 2,
            Style::Wrap => 3,
            Style::Top => 4,
            Style::Link => 5,
        }
    }
}

/// Document properties.
#[derive(Debug, Clone, Default)]
pub struct Properties {
    pub title: String,
    /// W3C date and time, `2018-03-13T00:00:00Z`.
    pub created: Option<String>,
}

/// How a sheet is laid out, fixed before its first row.
#[derive(Debug, Clone, Default)]
pub struct Layout<'a> {
    /// Column widths in characters, from the first column on.
    pub widths: &'a [f64],
    /// Rows kept in view above the scrolling part (0: none).
    pub frozen_rows: u32,
}

struct SheetEntry {
    name: String,
    /// Zero-based first row, last row and last column of the autofilter.
    filter: Option<(u32, u32, u16)>,
}

/// A workbook being written to `W`. Sheets are written one after another, each finished
/// before the next begins.
pub struct Workbook<W: Write + Seek> {
    zip: ZipWriter<W>,
    sheets: Vec<SheetEntry>,
    properties: Properties,
    open: bool,
}

fn entry_options() -> SimpleFileOptions {
    // Fastest deflate: the workbook is rewritten on every run, and a higher level costs more
    // time than the rest of an unchanged run for a file a few per cent smaller. The fixed
    // time stamp makes equal workbooks equal bytes.
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
}

impl<W: Write + Seek> Workbook<W> {
    pub fn new(w: W, properties: Properties) -> Self {
        Self {
            zip: ZipWriter::new(w),
            sheets: Vec::new(),
            properties,
            open: false,
        }
    }

    /// Starts the next sheet. `name` must be 1 to 31 characters, none of `[]:*?/\`, not
    /// starting or ending with an apostrophe, and not taken (in any letter case).
    pub fn add_sheet(
        &mut self,
        name: &str,
        layout: &Layout<'_>,
    ) -> Result<Sheet<'_, W>, XlsxError> {
        if self.open {
            return Err(XlsxError::SheetOpen);
        }
        let chars = name.chars().count();
        let taken = self
            .sheets
            .iter()
            .any(|s| s.name.to_lowercase() == name.to_lowercase());
        if !(1..=31).contains(&chars)
            || name.contains(['[', ']', ':', '*', '?', '/', '\\'])
            || name.starts_with('\'')
            || name.ends_with('\'')
            || name.chars().any(char::is_control)
            || taken
        {
            return Err(XlsxError::SheetName(name.to_string()));
        }
        let number = self.sheets.len() + 1;
        self.zip
            .start_file(format!("xl/worksheets/sheet{number}.xml"), entry_options())?;
        let mut head = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetViews><sheetView ",
        );
        if number == 1 {
            head.push_str("tabSelected=\"1\" ");
        }
        head.push_str("workbookViewId=\"0\"");
        if layout.frozen_rows > 0 && layout.frozen_rows < MAX_ROWS {
            let _ = write!(
                head,
                "><pane ySplit=\"{0}\" topLeftCell=\"A{1}\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView>",
                layout.frozen_rows,
                layout.frozen_rows + 1
            );
        } else {
            head.push_str("/>");
        }
        head.push_str("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        let widths: Vec<(usize, f64)> = layout
            .widths
            .iter()
            .copied()
            .enumerate()
            .take(usize::from(MAX_COLS))
            .filter(|(_, w)| w.is_finite() && *w >= 0.0)
            .collect();
        if !widths.is_empty() {
            head.push_str("<cols>");
            for (i, w) in widths {
                let _ = write!(
                    head,
                    "<col min=\"{0}\" max=\"{0}\" width=\"{1}\" customWidth=\"1\"/>",
                    i + 1,
                    column_width(w.min(255.0))
                );
            }
            head.push_str("</cols>");
        }
        head.push_str("<sheetData>");
        self.zip.write_all(head.as_bytes())?;
        self.sheets.push(SheetEntry {
            name: name.to_string(),
            filter: None,
        });
        self.open = true;
        Ok(Sheet {
            book: self,
            at: None,
            buf: String::with_capacity(FLUSH_BYTES + 4096),
            links: None,
            link_count: 0,
            filter: None,
        })
    }

    /// Writes the workbook's own parts and ends the zip.
    pub fn finish(mut self) -> Result<W, XlsxError> {
        if self.open {
            return Err(XlsxError::SheetOpen);
        }
        let n = self.sheets.len();
        let options = entry_options();
        let mut types = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
        );
        for i in 1..=n {
            let _ = write!(
                types,
                "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            );
        }
        types.push_str("</Types>");
        self.part("[Content_Types].xml", &types, options)?;
        self.part("_rels/.rels", ROOT_RELS, options)?;

        let mut rels = String::from(RELS_HEAD);
        for i in 1..=n {
            let _ = write!(
                rels,
                "<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"
            );
        }
        let _ = write!(
            rels,
            "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>",
            n + 1
        );
        self.part("xl/_rels/workbook.xml.rels", &rels, options)?;

        let mut book = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><bookViews><workbookView/></bookViews><sheets>",
        );
        for (s, i) in self.sheets.iter().zip(1..) {
            book.push_str("<sheet name=\"");
            push_escaped(&mut book, &s.name, true);
            let _ = write!(book, "\" sheetId=\"{i}\" r:id=\"rId{i}\"/>");
        }
        book.push_str("</sheets>");
        // Excel keeps each autofilter's range as a hidden name of its sheet; names sorted.
        let mut filters: Vec<(&str, usize, (u32, u32, u16))> = self
            .sheets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.filter.map(|f| (s.name.as_str(), i, f)))
            .collect();
        filters.sort_by_key(|(name, i, _)| (name.to_lowercase(), *i));
        if !filters.is_empty() {
            book.push_str("<definedNames>");
            for (name, i, (first, last, col)) in filters {
                let _ = write!(
                    book,
                    "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{i}\" hidden=\"1\">"
                );
                let quoted = format!("'{}'", name.replace('\'', "''"));
                push_escaped(&mut book, &quoted, false);
                let _ = write!(
                    book,
                    "!${0}${1}:${2}${3}</definedName>",
                    Column(0),
                    first + 1,
                    Column(col),
                    last + 1
                );
            }
            book.push_str("</definedNames>");
        }
        book.push_str("</workbook>");
        self.part("xl/workbook.xml", &book, options)?;
        self.part("xl/styles.xml", STYLES, options)?;

        let mut core = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>",
        );
        push_escaped(&mut core, &self.properties.title, false);
        core.push_str("</dc:title>");
        if let Some(when) = self
            .properties
            .created
            .as_deref()
            .filter(|w| is_w3c_time(w))
        {
            let _ = write!(
                core,
                "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified>"
            );
        }
        core.push_str("</cp:coreProperties>");
        self.part("docProps/core.xml", &core, options)?;
        self.part("docProps/app.xml", APP, options)?;
        Ok(self.zip.finish()?)
    }

    fn part(
        &mut self,
        name: &str,
        text: &str,
        options: SimpleFileOptions,
    ) -> Result<(), XlsxError> {
        self.zip.start_file(name, options)?;
        self.zip.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// One sheet being written, row after row, each row's cells from left to right.
pub struct Sheet<'a, W: Write + Seek> {
    book: &'a mut Workbook<W>,
    /// The last cell written.
    at: Option<(u32, u16)>,
    buf: String,
    /// The `<hyperlink>` elements and their relationships, spooled until the rows end.
    links: Option<LinkSpool>,
    link_count: u32,
    filter: Option<(u32, u32, u16)>,
}

struct LinkSpool {
    refs: BufWriter<std::fs::File>,
    rels: BufWriter<std::fs::File>,
}

impl<W: Write + Seek> Sheet<'_, W> {
    /// A text cell. Text longer than a cell holds is cut at [`MAX_CELL_CHARS`]. Empty text
    /// leaves the cell blank, as a spreadsheet does: a cell holding "" would count as filled.
    pub fn string(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        style: Style,
    ) -> Result<(), XlsxError> {
        if text.is_empty() {
            return self.check(row, col);
        }
        self.open_cell(row, col)?;
        let _ = write!(self.buf, "<c r=\"{}{}\"", Column(col), row + 1);
        if style != Style::Plain {
            let _ = write!(self.buf, " s=\"{}\"", style.xf());
        }
        self.buf.push_str(" t=\"inlineStr\"><is><t");
        // Leading or trailing white space is kept only when the element says so.
        if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
            self.buf.push_str(" xml:space=\"preserve\"");
        }
        self.buf.push('>');
        push_cell_text(&mut self.buf, text);
        self.buf.push_str("</t></is></c>");
        self.flush_if_full()
    }

    /// A number cell. A value that is not finite has no cell in a spreadsheet: nothing is
    /// written.
    pub fn number(
        &mut self,
        row: u32,
        col: u16,
        value: f64,
        style: Style,
    ) -> Result<(), XlsxError> {
        if !value.is_finite() {
            return Ok(());
        }
        self.open_cell(row, col)?;
        let _ = write!(self.buf, "<c r=\"{}{}\"", Column(col), row + 1);
        if style != Style::Plain {
            let _ = write!(self.buf, " s=\"{}\"", style.xf());
        }
        let _ = write!(self.buf, "><v>{value}</v></c>");
        self.flush_if_full()
    }

    /// A text cell that opens `target` (a URL, or a path relative to the workbook's folder
    /// with `/` separators). Returns false when the sheet cannot hold another link or the
    /// target is too long: the text is then written as plain text.
    pub fn link(
        &mut self,
        row: u32,
        col: u16,
        target: &str,
        text: &str,
    ) -> Result<bool, XlsxError> {
        let escaped = escape_target(target);
        if self.link_count >= MAX_LINKS || escaped.len() > MAX_LINK_TARGET {
            self.string(row, col, text, Style::Plain)?;
            return Ok(false);
        }
        self.string(row, col, text, Style::Link)?;
        if self.links.is_none() {
            self.links = Some(LinkSpool {
                refs: BufWriter::new(tempfile::tempfile()?),
                rels: BufWriter::new(tempfile::tempfile()?),
            });
        }
        self.link_count += 1;
        let id = self.link_count;
        if let Some(spool) = &mut self.links {
            write!(
                spool.refs,
                "<hyperlink ref=\"{}{}\" r:id=\"rId{id}\"/>",
                Column(col),
                row + 1
            )?;
            let mut rel = String::new();
            push_escaped(&mut rel, &escaped, true);
            write!(
                spool.rels,
                "<Relationship Id=\"rId{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"{rel}\" TargetMode=\"External\"/>"
            )?;
        }
        Ok(true)
    }

    /// An autofilter over rows `first_row..=last_row` (the first holds the headers) and
    /// columns from the first to `last_col`.
    pub fn autofilter(&mut self, first_row: u32, last_row: u32, last_col: u16) {
        if first_row <= last_row && last_row < MAX_ROWS && last_col < MAX_COLS {
            self.filter = Some((first_row, last_row, last_col));
        }
    }

    /// Ends the sheet: its rows, filter and links.
    pub fn finish(mut self) -> Result<(), XlsxError> {
        if self.at.is_some() {
            self.buf.push_str("</row>");
        }
        self.buf.push_str("</sheetData>");
        if let Some((first, last, col)) = self.filter {
            let _ = write!(
                self.buf,
                "<autoFilter ref=\"A{}:{}{}\"/>",
                first + 1,
                Column(col),
                last + 1
            );
        }
        let zip = &mut self.book.zip;
        zip.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        let spool = self.links.take();
        let rels = match spool {
            Some(LinkSpool { refs, rels }) => {
                zip.write_all(b"<hyperlinks>")?;
                copy_spool(refs, zip)?;
                zip.write_all(b"</hyperlinks>")?;
                Some(rels)
            }
            None => None,
        };
        zip.write_all(
            b"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>",
        )?;
        let number = self.book.sheets.len();
        if let Some(rels) = rels {
            zip.start_file(
                format!("xl/worksheets/_rels/sheet{number}.xml.rels"),
                entry_options(),
            )?;
            zip.write_all(RELS_HEAD.as_bytes())?;
            copy_spool(rels, zip)?;
            zip.write_all(b"</Relationships>")?;
        }
        if let Some(entry) = self.book.sheets.last_mut() {
            entry.filter = self.filter;
        }
        self.book.open = false;
        Ok(())
    }

    /// Whether a cell may be written at (`row`, `col`): inside the sheet, and below or to
    /// the right of the last one.
    fn check(&self, row: u32, col: u16) -> Result<(), XlsxError> {
        if row >= MAX_ROWS || col >= MAX_COLS {
            return Err(XlsxError::OutOfRange { row, col });
        }
        match self.at {
            Some((r, c)) if row < r || (row == r && col <= c) => {
                Err(XlsxError::OutOfOrder { row, col })
            }
            _ => Ok(()),
        }
    }

    /// Checks a new cell and opens its row.
    fn open_cell(&mut self, row: u32, col: u16) -> Result<(), XlsxError> {
        self.check(row, col)?;
        match self.at {
            Some((r, _)) if row == r => {}
            Some(_) => {
                self.buf.push_str("</row>");
                let _ = write!(self.buf, "<row r=\"{}\">", row + 1);
            }
            None => {
                let _ = write!(self.buf, "<row r=\"{}\">", row + 1);
            }
        }
        self.at = Some((row, col));
        Ok(())
    }

    fn flush_if_full(&mut self) -> Result<(), XlsxError> {
        if self.buf.len() >= FLUSH_BYTES {
            self.book.zip.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }
}

/// Copies a spool's contents into `w` from its start.
fn copy_spool(spool: BufWriter<std::fs::File>, w: &mut impl Write) -> std::io::Result<()> {
    let mut file = spool.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    std::io::copy(&mut file, w)?;
    Ok(())
}

/// A column's letters, 0 → A, 25 → Z, 26 → AA, written without allocating: every cell's
/// reference goes through here.
struct Column(u16);

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Three letters reach XFD, the last of MAX_COLS; a u16 needs at most four.
        let mut letters = [0u8; 4];
        let mut at = letters.len();
        let mut n = u32::from(self.0) + 1;
        while n > 0 {
            at -= 1;
            letters[at] = b'A' + ((n - 1) % 26) as u8;
            n = (n - 1) / 26;
        }
        f.write_str(std::str::from_utf8(&letters[at..]).unwrap_or("A"))
    }
}

/// The stored width of a column `chars` wide in the default font: Excel pads each column
/// by 5 pixels over its 7-pixel digits and keeps widths in 1/256ths.
fn column_width(chars: f64) -> f64 {
    if chars <= 1.0 {
        return (chars * 12.0 / 7.0 * 256.0).trunc() / 256.0;
    }
    ((chars * 7.0 + 5.0) / 7.0 * 256.0).trunc() / 256.0
}

/// Appends `text` escaped for XML content, or for an attribute value.
fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c if c.is_control() && !matches!(c, '\t' | '\n') => {}
            c => out.push(c),
        }
    }
}

/// Appends cell text: XML-escaped, with the characters XML cannot carry (control
/// characters, carriage returns, U+FFFE/U+FFFF) written as Excel's `_xHHHH_` escapes, and
/// every `_` that could start such an escape written as `_x005F_`, so that the text reads
/// back as written. At most [`MAX_CELL_CHARS`] characters.
fn push_cell_text(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    for (at, ch) in text.char_indices().take(MAX_CELL_CHARS) {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(ch),
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "_x{:04X}_", u32::from(ch));
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "_x{:04X}_", u32::from(c));
            }
            // Not only before a whole `_xHHHH_`: `_x000D` followed by a character that is
            // escaped here would become one (`_x000D_x0001_`).
            '_' if bytes.get(at + 1..at + 6).is_some_and(|b| {
                matches!(b[0], b'x' | b'X') && b[1..].iter().all(u8::is_ascii_hexdigit)
            }) =>
            {
                out.push_str("_x005F_")
            }
            c => out.push(c),
        }
    }
}

/// A link target as a relationship holds it: the characters a URI may not carry
/// percent-encoded, `#` too (in a file path it is a name, not a fragment).
fn escape_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for ch in target.chars() {
        match ch {
            ' ' | '%' | '"' | '`' | '<' | '>' | '[' | ']' | '^' | '{' | '}' | '#' | '|' => {
                let _ = write!(out, "%{:02X}", u32::from(ch));
            }
            c if c.is_control() => {
                let mut bytes = [0u8; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form core properties carry.
fn is_w3c_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

const RELS_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>kooste</Application></Properties>";

/// The styles of [`Style`], in its order.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><fonts count=\"4\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font><font><b/><sz val=\"14\"/><name val=\"Calibri\"/><family val=\"2\"/></font><font><u/><sz val=\"11\"/><color rgb=\"FF0563C1\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"6\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/><xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\"/></xf><xf numFmtId=\"0\" fontId=\"3\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";

#[cfg(test)]
mod tests {
    use super::Column;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        let name = |c| Column(c).to_string();
        assert_eq!(name(0), "A");
        assert_eq!(name(25), "Z");
        assert_eq!(name(26), "AA");
        assert_eq!(name(701), "ZZ");
        assert_eq!(name(702), "AAA");
        assert_eq!(name(16_383), "XFD");
        assert_eq!(name(u16::MAX), "CRXP");
    }
}
