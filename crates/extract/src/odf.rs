//! OpenDocument text, presentations and spreadsheets (ODT, ODP, ODS) and their flat
//! single-XML forms (FODT, FODP, FODS).
//!
//! One walker reads all three: paragraphs and headings with their list and outline numbers,
//! tables, frames and shapes, embedded charts, notes and comments. Spreadsheet cells are read
//! as the text the cell displays (`text:p`), which ODF stores already formatted; repeated
//! rows and columns are expanded only where they hold text, within the cell budget.

use crate::numbering::{self, Counters, MAX_LEVELS, NumStyle};
use crate::package::Package;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page};
use quick_xml::events::BytesStart;
use std::collections::{HashMap, HashSet};

pub(crate) struct Odt;
pub(crate) struct Odp;
pub(crate) struct Ods;

impl Extractor for Odt {
    fn format(&self) -> Format {
        Format::Odt
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        read(bytes, limits, Format::Odt)
    }
}

impl Extractor for Odp {
    fn format(&self) -> Format {
        Format::Odp
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        read(bytes, limits, Format::Odp)
    }
}

impl Extractor for Ods {
    fn format(&self) -> Format {
        Format::Ods
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        read(bytes, limits, Format::Ods)
    }
}

const FLAT: &str = "flat ODF document";

fn read(bytes: &[u8], limits: &Limits, format: Format) -> Result<Document, Error> {
    if !bytes.starts_with(b"PK") {
        let flat = xml::decode(bytes, FLAT)?;
        if !flat
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            return Err(Error::Corrupt(
                "neither an OpenDocument package (ZIP) nor a flat OpenDocument XML file".into(),
            ));
        }
        let meta = meta_from_xml(&flat, FLAT, limits);
        let mut styles = Styles::default();
        styles.collect(&flat, FLAT, limits)?;
        let mut body = walk_body(&flat, FLAT, &styles, limits, &mut |_| None)?;
        // Its pictures are inline: none is a picture of a package that OCR reads.
        for page in &mut body.pages {
            page.pictured = false;
        }
        return Ok(document(format, body, meta));
    }
    let mut package = Package::open(bytes, limits)?;
    refuse_encrypted(&mut package, limits)?;
    let meta = meta(&mut package, limits)?;
    let mut styles = Styles::default();
    if let Some(styles_xml) = package.read_xml_if_present("styles.xml")? {
        // Damaged styles cost list numbers and page headers, not the text.
        if let Err(e @ Error::Timeout(_)) = styles.collect(&styles_xml, "styles.xml", limits) {
            return Err(e);
        }
    }
    let content = package.read_xml("content.xml")?;
    styles.collect(&content, "content.xml", limits)?;
    let mut fatal = None;
    let body = {
        let mut object = |href: &str| -> Option<String> {
            match object_text(&mut package, href, limits) {
                Ok(text) => text,
                Err(e @ Error::Timeout(_)) => {
                    fatal = Some(e);
                    None
                }
                Err(_) => None,
            }
        };
        walk_body(&content, "content.xml", &styles, limits, &mut object)?
    };
    if let Some(e) = fatal {
        return Err(e);
    }
    let mut body = body;
    // A slide is one of pictures only where OCR reads one of them.
    for (at, hrefs) in std::mem::take(&mut body.slide_pictures) {
        let readable = hrefs.iter().any(|href| {
            picture_part(&package, href).is_some_and(|part| crate::ocr_picture(&mut package, &part))
        });
        if let Some(page) = body.pages.get_mut(at) {
            page.pictured = readable;
        }
    }
    Ok(document(format, body, meta))
}

/// The package part a picture's link names: `./Pictures/a%20b.png` is `Pictures/a b.png`.
fn picture_part(package: &Package<'_>, href: &str) -> Option<String> {
    let href = href.trim_start_matches("./");
    if href.contains("://") {
        return None;
    }
    let decoded = crate::eml::percent_decoded(href);
    package
        .find(href)
        .or_else(|| package.find(&String::from_utf8_lossy(&decoded)))
        .map(str::to_string)
}

/// The pictures of a text document (all on its one page) or of each slide of a presentation
/// (slide number, part), in the order they are shown: what OCR reads of a document without
/// text. Pictures of speaker notes and of a flat ODF file (held inline) are left out.
pub(crate) fn pictures(bytes: &[u8], limits: &Limits) -> Result<Vec<(u32, String)>, Error> {
    if !bytes.starts_with(b"PK") {
        return Ok(Vec::new());
    }
    let mut package = Package::open(bytes, limits)?;
    let content = package.read_xml("content.xml")?;
    let mut slides = None;
    let mut pictures: Vec<(u32, String)> = Vec::new();
    let mut seen = HashSet::new();
    xml::walk(&content, "content.xml", limits, |node| {
        let Node::Open { name, element, .. } = node else {
            return Flow::Continue;
        };
        match name {
            "presentation" | "drawing" if slides.is_none() => slides = Some(0u32),
            "page" => {
                if let Some(n) = slides.as_mut() {
                    *n += 1;
                }
            }
            "notes" => return Flow::SkipChildren,
            "image" => {
                let part =
                    xml::attr(element, "href").and_then(|href| picture_part(&package, &href));
                let page = slides.unwrap_or(1).max(1);
                if let Some(part) = part
                    && seen.insert(part.clone())
                {
                    pictures.push((page, part));
                }
            }
            _ => {}
        }
        Flow::Continue
    })?;
    Ok(pictures)
}

/// Refuses a spreadsheet package whose tables, laid out as the dense grids calamine makes of
/// them (a cell for every position up to the last one with content, on every sheet at
/// once), would hold more than `limits.max_cells` cells. Repeat counts make that grid
/// arbitrarily large from a few bytes: one row of content repeated 20,000 times over 1,000
/// columns is 20 million cells from a 2 KB file. Only calamine's readers need this; our own
/// ODS extraction never expands repeats beyond its cell budget.
pub(crate) fn vet_tables(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let mut package = Package::open(bytes, limits)?;
    let content = package.read_xml("content.xml")?;
    let mut grid = GridExtent::default();
    let mut total: u64 = 0;
    let mut too_large = false;
    xml::walk(&content, "content.xml", limits, |node| {
        match node {
            xml::Node::Open {
                name,
                element,
                empty,
            } => match name {
                "table" => {
                    grid.depth += 1;
                    if grid.depth == 1 {
                        grid.start_table();
                    }
                }
                "table-row" if grid.depth == 1 => {
                    grid.start_row(repeat_count(element, "number-rows-repeated"));
                    if empty {
                        grid.end_row();
                    }
                }
                "table-cell" | "covered-table-cell" if grid.depth == 1 => {
                    let valued = xml::attr(element, "value-type").is_some();
                    grid.start_cell(repeat_count(element, "number-columns-repeated"), valued);
                    if empty {
                        grid.end_cell();
                    }
                }
                // Any paragraph, frame or annotation in a cell is content.
                _ if grid.depth == 1 && grid.in_cell => grid.cell_has_content = true,
                _ => {}
            },
            xml::Node::Text(t) if grid.in_cell && !t.trim().is_empty() => {
                grid.cell_has_content = true;
            }
            xml::Node::Text(_) => {}
            xml::Node::Close { name } => match name {
                "table" => {
                    if grid.depth == 1 {
                        total = total.saturating_add(grid.cells());
                        too_large |= total > limits.max_cells;
                    }
                    grid.depth = grid.depth.saturating_sub(1);
                }
                "table-row" if grid.depth == 1 => grid.end_row(),
                "table-cell" | "covered-table-cell" if grid.depth == 1 => grid.end_cell(),
                _ => {}
            },
        }
        if too_large {
            Flow::SkipChildren
        } else {
            Flow::Continue
        }
    })?;
    if too_large {
        return Err(Error::TooLarge(format!(
            "the spreadsheet's tables span more than {} cells once their repeated rows and \
             columns are laid out",
            limits.max_cells
        )));
    }
    Ok(())
}

/// The repeat count of an ODF table row or cell (`number-rows-repeated`,
/// `number-columns-repeated`): 1 where the attribute is absent, zero or not a number of
/// type `T`, since a reader lays such a row or cell out once.
fn repeat_count<T: std::str::FromStr + Ord + From<u8>>(element: &BytesStart<'_>, name: &str) -> T {
    xml::attr(element, name)
        .and_then(|v| v.trim().parse::<T>().ok())
        .map_or(T::from(1), |n| n.max(T::from(1)))
}

/// The extent of the cells with content in one table, as a spreadsheet reader lays it out.
#[derive(Default)]
struct GridExtent {
    /// Nesting of `table:table` (a cell may hold a sub-table, which is not laid out).
    depth: u32,
    /// Index of the next row and column.
    row: u64,
    column: u64,
    row_repeat: u64,
    row_has_content: bool,
    in_cell: bool,
    cell_start: u64,
    cell_repeat: u64,
    cell_has_content: bool,
    /// One past the last row and column with content.
    rows: u64,
    columns: u64,
}

impl GridExtent {
    fn start_table(&mut self) {
        *self = GridExtent {
            depth: self.depth,
            ..GridExtent::default()
        };
    }

    fn start_row(&mut self, repeat: u64) {
        self.column = 0;
        self.row_repeat = repeat;
        self.row_has_content = false;
    }

    fn end_row(&mut self) {
        let end = self.row.saturating_add(self.row_repeat);
        if self.row_has_content {
            self.rows = self.rows.max(end);
        }
        self.row = end;
        self.row_repeat = 1;
    }

    fn start_cell(&mut self, repeat: u64, valued: bool) {
        self.in_cell = true;
        self.cell_start = self.column;
        self.cell_repeat = repeat;
        self.cell_has_content = valued;
    }

    fn end_cell(&mut self) {
        let end = self.cell_start.saturating_add(self.cell_repeat);
        if self.cell_has_content {
            self.columns = self.columns.max(end);
            self.row_has_content = true;
        }
        self.column = end;
        self.in_cell = false;
    }

    fn cells(&self) -> u64 {
        self.rows.saturating_mul(self.columns)
    }
}

/// The text of an embedded object (`draw:object xlink:href="./Object 1"`): a chart, a
/// formula, another document, read from its own `content.xml`.
fn object_text(
    package: &mut Package<'_>,
    href: &str,
    limits: &Limits,
) -> Result<Option<String>, Error> {
    let folder = href.trim_start_matches("./").trim_end_matches('/');
    if folder.is_empty() || folder.contains("..") || folder.starts_with('/') {
        return Ok(None);
    }
    let part = format!("{folder}/content.xml");
    let Some(content) = package.read_xml_if_present(&part)? else {
        return Ok(None);
    };
    let mut styles = Styles::default();
    styles.collect(&content, &part, limits)?;
    let body = walk_body(&content, &part, &styles, limits, &mut |_| None)?;
    let text: Vec<String> = body
        .pages
        .into_iter()
        .map(|p| p.text)
        .chain([body.notes, body.comments])
        .filter(|t| !t.trim().is_empty())
        .collect();
    Ok(Some(text.join("\n")).filter(|t| !t.is_empty()))
}

fn document(format: Format, body: Body, meta: Meta) -> Document {
    let mut pages = body.pages;
    if pages.is_empty() && format == Format::Odt {
        pages.push(Page::new(1, String::new()));
    }
    for (name, text) in [
        ("headers and footers", body.headers),
        ("notes", body.notes),
        ("comments", body.comments),
    ] {
        if !text.trim().is_empty() {
            pages.push(Page {
                name: Some(name.to_string()),
                ..Page::new(pages.len() as u32 + 1, text)
            });
        }
    }
    Document {
        format,
        pages,
        meta,
        damaged: None,
    }
}

/// ODF encrypts entries with a key derived from the password and records how in the
/// manifest; the entries themselves look like damaged deflate data.
fn refuse_encrypted(package: &mut Package<'_>, limits: &Limits) -> Result<(), Error> {
    let Some(manifest) = package.read_xml_if_present("META-INF/manifest.xml")? else {
        return Ok(());
    };
    let mut encrypted = false;
    // A damaged manifest is not a reason to refuse the document.
    let _ = xml::walk(&manifest, "META-INF/manifest.xml", limits, |node| {
        if let Node::Open {
            name: "encryption-data",
            ..
        } = node
        {
            encrypted = true;
        }
        Flow::Continue
    });
    if encrypted {
        return Err(Error::Encrypted(
            "password-protected OpenDocument file (encrypted entries)".into(),
        ));
    }
    Ok(())
}

/// Title, author and dates from `meta.xml`.
pub(crate) fn meta(package: &mut Package<'_>, limits: &Limits) -> Result<Meta, Error> {
    Ok(match package.read_xml_if_present("meta.xml") {
        Ok(Some(x)) => meta_from_xml(&x, "meta.xml", limits),
        Ok(None) => Meta::default(),
        Err(e @ (Error::Timeout(_) | Error::Encrypted(_))) => return Err(e),
        Err(_) => Meta::default(),
    })
}

fn meta_from_xml(xml_text: &str, part: &str, limits: &Limits) -> Meta {
    let mut meta = Meta::default();
    let mut inside_meta = false;
    let mut current: Option<String> = None;
    let mut value = String::new();
    // Damaged metadata must not cost the document's text.
    let _ = xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name: "meta",
                empty: false,
                ..
            } => inside_meta = true,
            Node::Open {
                name: "body" | "styles" | "automatic-styles" | "master-styles",
                ..
            } => return Flow::SkipChildren,
            Node::Open {
                name, empty: false, ..
            } if inside_meta => {
                current = Some(name.to_string());
                value.clear();
            }
            Node::Text(t) if current.is_some() => value.push_str(t),
            Node::Close { name: "meta" } => inside_meta = false,
            Node::Close { name } if current.as_deref() == Some(name) => {
                let v = Some(value.trim().to_string()).filter(|v| !v.is_empty());
                match name {
                    "title" => meta.title = meta.title.take().or(v),
                    "initial-creator" => meta.author = v.or(meta.author.take()),
                    "creator" => meta.author = meta.author.take().or(v),
                    "creation-date" => meta.created = v,
                    "date" => meta.modified = v,
                    _ => {}
                }
                current = None;
            }
            _ => {}
        }
        Flow::Continue
    });
    meta
}

/// One level of a list style or of the outline style.
#[derive(Debug, Clone)]
struct LevelStyle {
    style: NumStyle,
    prefix: String,
    suffix: String,
    display_levels: usize,
    start: u32,
    bullet: String,
}

impl Default for LevelStyle {
    fn default() -> Self {
        LevelStyle {
            style: NumStyle::None,
            prefix: String::new(),
            suffix: String::new(),
            display_levels: 1,
            start: 1,
            bullet: String::new(),
        }
    }
}

type ListStyle = Vec<Option<LevelStyle>>;

/// A master page's text: its header and footer, and for presentations the shapes it draws
/// on every slide that uses it.
#[derive(Default, Clone)]
struct Master {
    headers: String,
    /// Shapes that are not placeholders.
    shapes: String,
    /// The text of its footer placeholder, shown where a slide displays footers.
    footer: String,
}

/// What the styles say about numbering, visibility and page furniture.
#[derive(Default)]
struct Styles {
    lists: HashMap<String, ListStyle>,
    outline: ListStyle,
    /// Drawing-page styles that hide the slide, and that show the footer.
    hidden_pages: HashSet<String>,
    footer_pages: HashSet<String>,
    /// Table styles that hide the sheet.
    hidden_tables: HashSet<String>,
    /// Style name to the master page it starts (tables, paragraphs).
    style_masters: HashMap<String, String>,
    masters: HashMap<String, Master>,
}

impl Styles {
    /// Reads list styles, the outline style, page and table styles and master pages from a
    /// styles part, the automatic styles of a content part, or a flat document.
    fn collect(&mut self, xml_text: &str, part: &str, limits: &Limits) -> Result<(), Error> {
        let mut list: Option<(String, ListStyle)> = None;
        let mut in_outline = false;
        let mut level: Option<(usize, LevelStyle)> = None;
        let mut style: Option<(String, String)> = None;
        let mut master: Option<(String, MasterWalker)> = None;
        let mut depth = 0usize;
        xml::walk(xml_text, part, limits, |node| {
            if let Some((_, walker)) = master.as_mut() {
                match &node {
                    Node::Close {
                        name: "master-page",
                    } if walker.depth == depth => {}
                    _ => {
                        let flow = walker.node(&node);
                        match node {
                            Node::Open { empty: false, .. } => depth += 1,
                            Node::Close { .. } => depth = depth.saturating_sub(1),
                            _ => {}
                        }
                        return flow;
                    }
                }
            }
            match node {
                Node::Open {
                    name,
                    element,
                    empty,
                } => {
                    if !empty {
                        depth += 1;
                    }
                    let attr = |n: &str| xml::attr(element, n);
                    match name {
                        // Content is read by the body walker; only styles matter here.
                        "body" | "scripts" | "font-face-decls" | "settings" | "meta" => {
                            return Flow::SkipChildren;
                        }
                        "list-style" if !empty => {
                            list = attr("name").map(|n| (n, ListStyle::new()));
                        }
                        "outline-style" if !empty => in_outline = true,
                        "list-level-style-number"
                        | "outline-level-style"
                        | "list-level-style-bullet"
                        | "list-level-style-image" => {
                            let index = attr("level")
                                .and_then(|l| l.parse::<usize>().ok())
                                .unwrap_or(1)
                                .clamp(1, MAX_LEVELS)
                                - 1;
                            let mut def = LevelStyle {
                                prefix: attr("num-prefix").unwrap_or_default(),
                                suffix: attr("num-suffix").unwrap_or_default(),
                                display_levels: attr("display-levels")
                                    .and_then(|d| d.parse().ok())
                                    .unwrap_or(1),
                                start: attr("start-value")
                                    .and_then(|d| d.parse().ok())
                                    .unwrap_or(1),
                                ..LevelStyle::default()
                            };
                            def.style = match name {
                                "list-level-style-bullet" | "list-level-style-image" => {
                                    def.bullet = attr("bullet-char").unwrap_or_default();
                                    NumStyle::Bullet
                                }
                                _ => NumStyle::from_odf(&attr("num-format").unwrap_or_default()),
                            };
                            if empty {
                                store_level(&mut list, in_outline, &mut self.outline, index, def);
                            } else {
                                level = Some((index, def));
                            }
                        }
                        "style" => {
                            let family = attr("family").unwrap_or_default();
                            let style_name = attr("name").unwrap_or_default();
                            if let Some(m) = attr("master-page-name").filter(|m| !m.is_empty()) {
                                self.style_masters.insert(style_name.clone(), m);
                            }
                            if !empty {
                                style = Some((family, style_name));
                            }
                        }
                        "drawing-page-properties" => {
                            if let Some((_, s)) = style.as_ref() {
                                if attr("visibility").is_some_and(|v| v == "hidden") {
                                    self.hidden_pages.insert(s.clone());
                                }
                                if attr("display-footer").is_some_and(|v| v == "true") {
                                    self.footer_pages.insert(s.clone());
                                }
                            }
                        }
                        "table-properties" => {
                            if let Some((_, s)) = style.as_ref()
                                && attr("display").is_some_and(|v| v == "false")
                            {
                                self.hidden_tables.insert(s.clone());
                            }
                        }
                        "master-page" if !empty => {
                            let name = attr("name").unwrap_or_default();
                            master = Some((name, MasterWalker::new(limits, depth)));
                        }
                        _ => {}
                    }
                }
                Node::Close { name } => {
                    match name {
                        "list-style" => {
                            if let Some((n, l)) = list.take() {
                                self.lists.insert(n, l);
                            }
                        }
                        "outline-style" => in_outline = false,
                        "list-level-style-number"
                        | "outline-level-style"
                        | "list-level-style-bullet"
                        | "list-level-style-image" => {
                            if let Some((index, def)) = level.take() {
                                store_level(&mut list, in_outline, &mut self.outline, index, def);
                            }
                        }
                        "style" => style = None,
                        "master-page" => {
                            if let Some((name, walker)) = master.take() {
                                self.masters.insert(name, walker.finish());
                            }
                        }
                        _ => {}
                    }
                    depth = depth.saturating_sub(1);
                }
                Node::Text(_) => {}
            }
            Flow::Continue
        })
    }
}

fn store_level(
    list: &mut Option<(String, ListStyle)>,
    in_outline: bool,
    outline: &mut ListStyle,
    index: usize,
    def: LevelStyle,
) {
    let target = if in_outline {
        outline
    } else if let Some((_, l)) = list.as_mut() {
        l
    } else {
        return;
    };
    if target.len() <= index {
        target.resize(index + 1, None);
    }
    target[index] = Some(def);
}

/// Reads a master page: header and footer paragraphs (fields such as the page number left
/// out, as they are no text of the document), and the shapes of a presentation master.
struct MasterWalker {
    headers: TextSink,
    shapes: TextSink,
    footer: TextSink,
    depth: usize,
    /// Where text goes: 0 nowhere, 1 headers, 2 shapes, 3 footer placeholder.
    target: Vec<(usize, u8)>,
    level: usize,
    in_paragraph: u32,
}

impl MasterWalker {
    fn new(limits: &Limits, depth: usize) -> Self {
        MasterWalker {
            headers: TextSink::new(limits.max_text_chars),
            shapes: TextSink::new(limits.max_text_chars),
            footer: TextSink::new(limits.max_text_chars),
            depth,
            target: Vec::new(),
            level: 0,
            in_paragraph: 0,
        }
    }

    fn sink(&mut self) -> Option<&mut TextSink> {
        match self.target.last().map(|t| t.1) {
            Some(1) => Some(&mut self.headers),
            Some(2) => Some(&mut self.shapes),
            Some(3) => Some(&mut self.footer),
            _ => None,
        }
    }

    fn node(&mut self, node: &Node<'_, '_>) -> Flow {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => {
                if !empty {
                    self.level += 1;
                }
                let display = xml::attr(element, "display").is_none_or(|d| d != "false");
                match *name {
                    "header" | "footer" | "header-left" | "footer-left" | "header-first"
                    | "footer-first" => {
                        if !display {
                            return Flow::SkipChildren;
                        }
                        if !empty {
                            self.target.push((self.level, 1));
                        }
                    }
                    "frame" | "custom-shape" | "rect" | "ellipse" | "polygon" | "line"
                        if self.target.is_empty() && !empty =>
                    {
                        let target = match xml::attr(element, "class").as_deref() {
                            None => 2,
                            Some("footer") => 3,
                            Some(_) => 0,
                        };
                        self.target.push((self.level, target));
                    }
                    // Fields (page numbers, sheet names, dates) and presentation notes.
                    "page-number" | "page-count" | "sheet-name" | "title" | "date" | "time"
                    | "file-name" | "chapter" | "notes" | "date-time" | "header-decl"
                    | "footer-decl" | "desc" => return Flow::SkipChildren,
                    "p" | "h" if !empty => self.in_paragraph += 1,
                    "s" => {
                        if let Some(s) = self.sink() {
                            s.push_char(' ');
                        }
                    }
                    "tab" => {
                        if let Some(s) = self.sink() {
                            s.push_char('\t');
                        }
                    }
                    _ => {}
                }
            }
            Node::Close { name } => {
                if matches!(*name, "p" | "h") {
                    self.in_paragraph = self.in_paragraph.saturating_sub(1);
                    if let Some(s) = self.sink() {
                        s.end_line();
                    }
                }
                if self.target.last().is_some_and(|t| t.0 == self.level) {
                    self.target.pop();
                }
                self.level = self.level.saturating_sub(1);
            }
            Node::Text(t) if self.in_paragraph > 0 => {
                if let Some(s) = self.sink() {
                    push_collapsed(s, t);
                }
            }
            Node::Text(_) => {}
        }
        Flow::Continue
    }

    fn finish(self) -> Master {
        Master {
            headers: self.headers.finish(),
            shapes: self.shapes.finish(),
            footer: self.footer.finish(),
        }
    }
}

/// ODF collapses white space inside paragraphs (explicit spaces are `text:s`); white space
/// between elements is only indentation.
fn push_collapsed(sink: &mut TextSink, text: &str) {
    let mut last_space = sink.ends_with_space();
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !last_space {
                sink.push_char(' ');
                last_space = true;
            }
        } else {
            sink.push_char(c);
            last_space = false;
        }
    }
}

/// What the body walk produced, before it becomes pages.
#[derive(Default)]
struct Body {
    pages: Vec<Page>,
    headers: String,
    notes: String,
    comments: String,
    /// Of each pictured slide (by its position in `pages`), the links of its pictures, for
    /// the package to tell whether OCR reads any of them.
    slide_pictures: Vec<(usize, Vec<String>)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Presentation,
    Spreadsheet,
}

/// What a nested sink collects, and where its text goes when the element closes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Root,
    /// A frame's text box inside a paragraph: written after the paragraph.
    Frame,
    /// A footnote or endnote body: to the notes section.
    Note,
    /// A comment: to the comments section.
    Annotation,
    /// A spreadsheet cell, repeated over this many columns.
    Cell(u32),
    /// A slide's speaker notes: after the slide's text.
    SlideNotes,
}

struct Sink {
    sink: TextSink,
    purpose: Purpose,
    /// The element depth at which this sink was opened.
    depth: usize,
    /// Blocks waiting for the end of the open paragraph, per paragraph level.
    deferred: Vec<Vec<String>>,
}

struct ListFrame {
    key: usize,
    style: Option<String>,
}

struct TableFrame {
    cells_in_row: usize,
    in_cell: bool,
}

struct Walker<'s, 'l, 'o> {
    styles: &'s Styles,
    limits: &'l Limits,
    object: &'o mut dyn FnMut(&str) -> Option<String>,
    kind: Option<Kind>,
    depth: usize,
    in_body: bool,
    sinks: Vec<Sink>,
    /// Paragraph nesting (a note inside a paragraph holds paragraphs of its own).
    paragraphs: usize,
    lists: Vec<ListFrame>,
    list_counters: Vec<Counters>,
    last_list_of_style: HashMap<String, usize>,
    list_ids: HashMap<String, usize>,
    pending_label: Option<String>,
    outline: Counters,
    tables: Vec<TableFrame>,
    /// Inside `draw:object` (an inline chart): tables are text, not sheets.
    objects: usize,
    // Spreadsheet state.
    sheet_name: String,
    sheet_hidden: bool,
    sheet_masters: HashSet<String>,
    row: Vec<(u32, String)>,
    row_repeat: u32,
    column: u32,
    rows: Vec<String>,
    cells_left: u64,
    // Presentation state.
    page_hidden: bool,
    /// The links of the pictures the slide shows of its own (not in its notes).
    page_pictures: Vec<String>,
    page_notes: String,
    page_footer: Option<String>,
    page_master: Option<String>,
    page_style: Option<String>,
    footer_decls: HashMap<String, String>,
    in_decl: Option<(String, String)>,
    used_masters: Vec<String>,
    body: Body,
}

/// Walks the body of a content part (or flat document) into pages and sections.
fn walk_body(
    xml_text: &str,
    part: &str,
    styles: &Styles,
    limits: &Limits,
    object: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<Body, Error> {
    let mut walker = Walker {
        styles,
        limits,
        object,
        kind: None,
        depth: 0,
        in_body: false,
        sinks: Vec::new(),
        paragraphs: 0,
        lists: Vec::new(),
        list_counters: Vec::new(),
        last_list_of_style: HashMap::new(),
        list_ids: HashMap::new(),
        pending_label: None,
        outline: Counters::default(),
        tables: Vec::new(),
        objects: 0,
        sheet_name: String::new(),
        sheet_hidden: false,
        sheet_masters: HashSet::new(),
        row: Vec::new(),
        row_repeat: 1,
        column: 0,
        rows: Vec::new(),
        cells_left: limits.max_cells,
        page_hidden: false,
        page_pictures: Vec::new(),
        page_notes: String::new(),
        page_footer: None,
        page_master: None,
        page_style: None,
        footer_decls: HashMap::new(),
        in_decl: None,
        used_masters: Vec::new(),
        body: Body::default(),
    };
    walker.push_sink(Purpose::Root);
    xml::walk(xml_text, part, limits, |node| walker.node(node))?;
    Ok(walker.finish())
}

impl Walker<'_, '_, '_> {
    fn push_sink(&mut self, purpose: Purpose) {
        self.sinks.push(Sink {
            sink: TextSink::new(self.limits.max_text_chars),
            purpose,
            depth: self.depth,
            deferred: Vec::new(),
        });
    }

    fn sink(&mut self) -> &mut TextSink {
        if self.sinks.is_empty() {
            self.push_sink(Purpose::Root);
        }
        let last = self.sinks.len() - 1;
        &mut self.sinks[last].sink
    }

    fn in_cell(&self) -> bool {
        matches!(self.sinks.last().map(|s| s.purpose), Some(Purpose::Cell(_)))
            || self.tables.last().is_some_and(|t| t.in_cell)
    }

    fn sheet_mode(&self) -> bool {
        self.kind == Some(Kind::Spreadsheet) && self.objects == 0
    }

    fn node(&mut self, node: Node<'_, '_>) -> Flow {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => {
                if !empty {
                    self.depth += 1;
                }
                self.open(name, element, empty)
            }
            Node::Close { name } => {
                self.close(name);
                Flow::Continue
            }
            Node::Text(t) => {
                if let Some((_, text)) = self.in_decl.as_mut() {
                    text.push_str(t);
                } else if self.in_body && self.paragraphs > 0 {
                    self.label_once();
                    push_collapsed(self.sink(), t);
                }
                Flow::Continue
            }
        }
    }

    fn open(&mut self, name: &str, element: &BytesStart<'_>, empty: bool) -> Flow {
        let attr = |n: &str| xml::attr(element, n);
        if !self.in_body {
            return match name {
                "body" => {
                    self.in_body = true;
                    Flow::Continue
                }
                "document" | "document-content" => Flow::Continue,
                _ => Flow::SkipChildren,
            };
        }
        match name {
            "text" if self.kind.is_none() => self.kind = Some(Kind::Text),
            "presentation" | "drawing" if self.kind.is_none() => {
                self.kind = Some(Kind::Presentation)
            }
            "spreadsheet" | "chart" if self.kind.is_none() => {
                self.kind = Some(if name == "chart" {
                    Kind::Text
                } else {
                    Kind::Spreadsheet
                })
            }
            // Declarations, templates of generated indexes, tracked deletions, forms,
            // pictures' data and descriptions: none of it is text on the page.
            "tracked-changes"
            | "sequence-decls"
            | "variable-decls"
            | "user-field-decls"
            | "dde-connection-decls"
            | "forms"
            | "binary-data"
            | "named-expressions"
            | "database-ranges"
            | "content-validations"
            | "calculation-settings"
            | "label-ranges"
            | "dde-links"
            | "event-listeners"
            | "scripts"
            | "ruby-text"
            | "table-of-content-source"
            | "alphabetical-index-source"
            | "illustration-index-source"
            | "object-index-source"
            | "table-index-source"
            | "user-index-source"
            | "bibliography-source"
            | "page-thumbnail"
            | "data-pilot-tables"
            | "consolidation"
            | "meta"
            | "styles"
            | "automatic-styles"
            | "master-styles"
            | "font-face-decls"
            | "settings" => {
                return Flow::SkipChildren;
            }
            "title" | "desc" if qualified(element).starts_with("svg:") => {
                return Flow::SkipChildren;
            }
            // A slide's number field holds the placeholder "<number>" as saved, not the
            // number a viewer shows.
            "page-number" if self.kind == Some(Kind::Presentation) => {
                return Flow::SkipChildren;
            }
            "creator" | "date" | "date-string" if self.annotation_open() => {
                return Flow::SkipChildren;
            }
            "footer-decl" | "header-decl" | "date-time-decl" if !empty => {
                let name = attr("name").unwrap_or_default();
                self.in_decl = Some((name, String::new()));
            }
            "p" | "h" if !empty => {
                self.paragraphs += 1;
                if let Some(s) = self.sinks.last_mut() {
                    s.deferred.push(Vec::new());
                }
                if name == "h" && self.pending_label.is_none() && self.lists.is_empty() {
                    self.heading_label(element);
                }
            }
            "s" if self.paragraphs > 0 => {
                let n = attr("c").and_then(|c| c.parse::<usize>().ok()).unwrap_or(1);
                self.label_once();
                let sink = self.sink();
                for _ in 0..n.min(64) {
                    sink.push_char(' ');
                }
            }
            "tab" if self.paragraphs > 0 => {
                self.label_once();
                self.sink().push_char('\t');
            }
            "line-break" if self.paragraphs > 0 => {
                if self.in_cell() {
                    self.sink().space();
                } else {
                    self.sink().push_char('\n');
                }
            }
            "list" if !empty => self.open_list(element),
            "list-item" | "list-header" => {
                self.pending_label = None;
                if name == "list-item" {
                    let start = attr("start-value").and_then(|v| v.parse::<u32>().ok());
                    self.pending_label = self.list_label(start);
                }
            }
            "note-body" if !empty => self.push_sink(Purpose::Note),
            "annotation" if !empty => self.push_sink(Purpose::Annotation),
            "frame" | "text-box" | "custom-shape" | "rect" | "ellipse" | "polygon" | "polyline"
            | "path" | "circle" | "caption" | "measure" | "regular-polygon" | "connector"
            | "line"
                if !empty && self.paragraphs > 0 && name != "text-box" =>
            {
                self.push_sink(Purpose::Frame);
            }
            "object" => {
                if let Some(href) = attr("href")
                    && let Some(text) = (self.object)(&href)
                {
                    self.defer(text);
                }
                if !empty {
                    self.objects += 1;
                }
            }
            "notes" if self.kind == Some(Kind::Presentation) && !empty => {
                self.push_sink(Purpose::SlideNotes);
            }
            // A picture in the package; a flat file's pictures are inline, and OCR reads
            // only a package's.
            "image"
                if self.kind == Some(Kind::Presentation)
                    && !self.sinks.iter().any(|s| s.purpose == Purpose::SlideNotes) =>
            {
                if let Some(href) = attr("href").filter(|h| !h.contains("://")) {
                    self.page_pictures.push(href);
                }
            }
            "page" if self.kind == Some(Kind::Presentation) && !empty => {
                let style = attr("style-name");
                self.page_hidden = style
                    .as_ref()
                    .is_some_and(|s| self.styles.hidden_pages.contains(s))
                    || attr("visibility").is_some_and(|v| v == "hidden");
                self.page_footer = attr("use-footer-name");
                self.page_master = attr("master-page-name");
                self.page_style = style;
                self.page_pictures.clear();
                self.page_notes.clear();
                self.sinks.truncate(1);
                if let Some(root) = self.sinks.first_mut() {
                    root.sink = TextSink::new(self.limits.max_text_chars);
                }
            }
            "table" if self.sheet_mode() && !empty => {
                self.sheet_name = attr("name").unwrap_or_default();
                let style = attr("style-name");
                self.sheet_hidden = style
                    .as_ref()
                    .is_some_and(|s| self.styles.hidden_tables.contains(s));
                if let Some(master) = self
                    .styles
                    .style_masters
                    .get(style.as_deref().unwrap_or(""))
                    .cloned()
                    .or_else(|| Some("Default".to_string()))
                {
                    self.sheet_masters.insert(master);
                }
                self.rows.clear();
                self.sinks.truncate(1);
                if let Some(root) = self.sinks.first_mut() {
                    root.sink = TextSink::new(self.limits.max_text_chars);
                }
            }
            "table-row" if self.sheet_mode() => {
                self.row.clear();
                self.column = 0;
                self.row_repeat = repeat_count(element, "number-rows-repeated");
                if self.cells_left == 0 {
                    return Flow::SkipChildren;
                }
            }
            // Cells hidden under a merged cell: LibreOffice shows only the merged one.
            "covered-table-cell" if self.sheet_mode() => {
                let repeat: u32 = repeat_count(element, "number-columns-repeated");
                self.column = self.column.saturating_add(repeat);
                return Flow::SkipChildren;
            }
            "table-cell" if self.sheet_mode() => {
                let repeat: u32 = repeat_count(element, "number-columns-repeated");
                if empty {
                    self.column = self.column.saturating_add(repeat);
                } else {
                    self.push_sink(Purpose::Cell(repeat));
                }
            }
            "table" if !empty => {
                self.sink().end_line();
                self.tables.push(TableFrame {
                    cells_in_row: 0,
                    in_cell: false,
                });
            }
            "table-row" => {
                if let Some(t) = self.tables.last_mut() {
                    t.cells_in_row = 0;
                }
            }
            "table-cell" | "covered-table-cell" if !empty => {
                let gap = match self.tables.last_mut() {
                    Some(t) => {
                        t.in_cell = true;
                        t.cells_in_row += 1;
                        t.cells_in_row > 1
                    }
                    None => false,
                };
                if gap {
                    self.sink().cell_gap();
                }
            }
            _ => {}
        }
        Flow::Continue
    }

    fn close(&mut self, name: &str) {
        if let Some((decl, text)) = self.in_decl.take() {
            if name.ends_with("-decl") {
                if name == "footer-decl" {
                    self.footer_decls.insert(decl, text.trim().to_string());
                }
            } else {
                self.in_decl = Some((decl, text));
            }
        }
        match name {
            "p" | "h" if self.paragraphs > 0 => {
                self.paragraphs -= 1;
                self.label_once();
                let in_cell = self.in_cell();
                let deferred = self
                    .sinks
                    .last_mut()
                    .and_then(|s| s.deferred.pop())
                    .unwrap_or_default();
                let sink = self.sink();
                if in_cell {
                    sink.space();
                } else {
                    sink.end_line();
                }
                for block in deferred {
                    if in_cell {
                        sink.space();
                        sink.push(block.trim());
                        sink.space();
                    } else {
                        sink.push_block(&block);
                    }
                }
            }
            "list" => {
                self.lists.pop();
                self.pending_label = None;
            }
            "object" => self.objects = self.objects.saturating_sub(1),
            "page" if self.kind == Some(Kind::Presentation) => self.finish_slide(),
            "table" if self.sheet_mode() => self.finish_sheet(),
            "table-row" if self.sheet_mode() => self.finish_row(),
            "table" if !self.tables.is_empty() => {
                self.tables.pop();
                self.sink().end_line();
            }
            "table-row" if !self.tables.is_empty() => self.sink().end_line(),
            "table-cell" | "covered-table-cell" => {
                if let Some(t) = self.tables.last_mut() {
                    t.in_cell = false;
                }
            }
            "body" => self.in_body = false,
            _ => {}
        }
        // A sink opened at this depth closes with its element.
        if self.sinks.len() > 1
            && self.sinks.last().is_some_and(|s| s.depth == self.depth)
            && let Some(done) = self.sinks.pop()
        {
            self.route(done);
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn route(&mut self, done: Sink) {
        let text = done.sink.finish();
        match done.purpose {
            Purpose::Root => {}
            Purpose::Frame => self.defer(text),
            Purpose::Note => append_line(&mut self.body.notes, &text),
            Purpose::Annotation => append_line(&mut self.body.comments, &text),
            Purpose::SlideNotes => append_line(&mut self.page_notes, &text),
            Purpose::Cell(repeat) => {
                let text = text.trim().to_string();
                if !text.is_empty() && self.cells_left > 0 {
                    for _ in 0..repeat.min(256) {
                        if self.cells_left == 0 {
                            break;
                        }
                        self.cells_left -= 1;
                        self.row.push((self.column, text.clone()));
                        self.column = self.column.saturating_add(1);
                    }
                    self.column = self.column.saturating_add(repeat.saturating_sub(256));
                } else {
                    self.column = self.column.saturating_add(repeat);
                }
            }
        }
    }

    fn annotation_open(&self) -> bool {
        self.sinks
            .last()
            .is_some_and(|s| s.purpose == Purpose::Annotation)
    }

    /// Keeps a block (a frame's text, an object) for the end of the open paragraph, or
    /// writes it now outside one.
    fn defer(&mut self, text: String) {
        if text.trim().is_empty() {
            return;
        }
        let Some(sink) = self.sinks.last_mut() else {
            return;
        };
        match sink.deferred.last_mut() {
            Some(list) if self.paragraphs > 0 => list.push(text),
            _ => sink.sink.push_block(&text),
        }
    }

    fn finish_row(&mut self) {
        if self.row.is_empty() {
            return;
        }
        let line: Vec<&str> = self.row.iter().map(|(_, t)| t.as_str()).collect();
        let line = line.join("\t");
        let mut repeat = self.row_repeat.min(1024);
        let cells = self.row.len() as u64;
        while repeat > 0 {
            self.rows.push(line.clone());
            repeat -= 1;
            if repeat > 0 {
                if self.cells_left < cells {
                    break;
                }
                self.cells_left -= cells;
            }
        }
        self.row.clear();
    }

    fn finish_sheet(&mut self) {
        let mut sink = TextSink::new(self.limits.max_text_chars);
        if !self.sheet_name.is_empty() {
            sink.push(&self.sheet_name);
            sink.end_line();
        }
        for line in self.rows.drain(..) {
            sink.push(&line);
            sink.end_line();
        }
        // Shapes and charts drawn on the sheet.
        if let Some(root) = self.sinks.first_mut() {
            let shapes =
                std::mem::replace(&mut root.sink, TextSink::new(self.limits.max_text_chars))
                    .finish();
            sink.push_block(&shapes);
        }
        let n = self.body.pages.len() as u32 + 1;
        self.body.pages.push(Page {
            name: Some(std::mem::take(&mut self.sheet_name)),
            hidden: self.sheet_hidden,
            ..Page::new(n, sink.finish())
        });
    }

    fn finish_slide(&mut self) {
        let text = match self.sinks.first_mut() {
            Some(root) => {
                std::mem::replace(&mut root.sink, TextSink::new(self.limits.max_text_chars))
                    .finish()
            }
            None => String::new(),
        };
        self.sinks.truncate(1);
        // A slide with no words of its own that shows a picture: a screenshot or a scanned
        // page, whose writing OCR may read.
        let pictured = !self.page_pictures.is_empty() && crate::without_words(&text);
        if pictured {
            let at = self.body.pages.len();
            (self.body.slide_pictures).push((at, std::mem::take(&mut self.page_pictures)));
        }
        let mut text = text;
        let master = self
            .page_master
            .as_ref()
            .and_then(|m| self.styles.masters.get(m));
        let shows_footer = self
            .page_style
            .as_ref()
            .is_some_and(|s| self.styles.footer_pages.contains(s));
        if let Some(master) = master {
            append_block(&mut text, &master.shapes);
            if shows_footer {
                let footer = self
                    .page_footer
                    .as_ref()
                    .and_then(|f| self.footer_decls.get(f))
                    .cloned()
                    .unwrap_or_else(|| master.footer.clone());
                append_block(&mut text, &footer);
            }
        } else if shows_footer
            && let Some(f) = self
                .page_footer
                .as_ref()
                .and_then(|f| self.footer_decls.get(f))
        {
            append_block(&mut text, f);
        }
        if !self.page_notes.trim().is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(self.page_notes.trim());
        }
        let n = self.body.pages.len() as u32 + 1;
        self.body.pages.push(Page {
            hidden: self.page_hidden,
            pictured,
            ..Page::new(n, text)
        });
        self.page_notes.clear();
    }

    fn open_list(&mut self, element: &BytesStart<'_>) {
        let style = xml::attr(element, "style-name");
        if let Some(parent) = self.lists.last() {
            let key = parent.key;
            let style = style.or_else(|| parent.style.clone());
            self.lists.push(ListFrame { key, style });
            return;
        }
        let continues = xml::attr(element, "continue-numbering").is_some_and(|v| v == "true");
        let key = xml::attr(element, "continue-list")
            .and_then(|id| self.list_ids.get(&id).copied())
            .or_else(|| {
                continues
                    .then(|| {
                        style
                            .as_ref()
                            .and_then(|s| self.last_list_of_style.get(s).copied())
                    })
                    .flatten()
            })
            .unwrap_or_else(|| {
                self.list_counters.push(Counters::default());
                self.list_counters.len() - 1
            });
        if let Some(s) = style.as_ref() {
            self.last_list_of_style.insert(s.clone(), key);
        }
        if let Some(id) = xml::attr(element, "id") {
            self.list_ids.insert(id, key);
        }
        self.lists.push(ListFrame { key, style });
    }

    /// Advances the counters of the innermost list and returns the item's label.
    fn list_label(&mut self, start_value: Option<u32>) -> Option<String> {
        let frame = self.lists.last()?;
        let level = (self.lists.len() - 1).min(MAX_LEVELS - 1);
        let style = frame
            .style
            .as_ref()
            .and_then(|s| self.styles.lists.get(s))?;
        let def = style.get(level).cloned().flatten().unwrap_or_default();
        let counters = self.list_counters.get_mut(frame.key)?;
        if start_value.is_some() {
            counters.restart(level);
        }
        counters.advance(level, start_value.unwrap_or(def.start));
        label(style, &def, level, counters)
    }

    fn heading_label(&mut self, element: &BytesStart<'_>) {
        if xml::attr(element, "is-list-header").is_some_and(|v| v == "true") {
            return;
        }
        let level = xml::attr(element, "outline-level")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_LEVELS)
            - 1;
        let Some(def) = self.styles.outline.get(level).cloned().flatten() else {
            return;
        };
        if def.style == NumStyle::None && def.prefix.is_empty() && def.suffix.is_empty() {
            return;
        }
        let start = xml::attr(element, "restart-numbering")
            .filter(|v| v == "true")
            .and_then(|_| xml::attr(element, "start-value"))
            .and_then(|v| v.parse::<u32>().ok());
        if start.is_some() {
            self.outline.restart(level);
        }
        self.outline.advance(level, start.unwrap_or(def.start));
        self.pending_label = label(&self.styles.outline, &def, level, &self.outline);
    }

    /// Writes the pending list label before the paragraph's first content.
    fn label_once(&mut self) {
        if let Some(label) = self.pending_label.take() {
            let sink = self.sink();
            sink.push(&label);
            sink.push_char(' ');
        }
    }

    fn finish(mut self) -> Body {
        while self.sinks.len() > 1 {
            if let Some(done) = self.sinks.pop() {
                self.route(done);
            }
        }
        let rest = self
            .sinks
            .pop()
            .map(|s| s.sink.finish())
            .unwrap_or_default();
        match self.kind {
            Some(Kind::Text) | None => {
                self.body.pages.push(Page::new(1, rest));
                self.used_masters = self.styles.style_masters.values().cloned().collect();
                self.used_masters.push("Standard".into());
            }
            Some(Kind::Spreadsheet) => {
                self.used_masters = self.sheet_masters.drain().collect();
            }
            Some(Kind::Presentation) => {}
        }
        self.used_masters.sort();
        self.used_masters.dedup();
        let mut seen: Vec<&str> = Vec::new();
        for name in &self.used_masters {
            if let Some(m) = self.styles.masters.get(name) {
                let t = m.headers.trim();
                if !t.is_empty() && !seen.contains(&t) {
                    seen.push(t);
                }
            }
        }
        self.body.headers = seen.join("\n");
        self.body
    }
}

fn qualified(element: &BytesStart<'_>) -> String {
    element.name().0.to_string()
}

/// A list label from a level style: bullets as their character, numbers with the parent
/// levels the style displays ("2.1."), prefix and suffix.
fn label(style: &ListStyle, def: &LevelStyle, level: usize, counters: &Counters) -> Option<String> {
    match def.style {
        NumStyle::Bullet => return Some(numbering::visible_bullet(&def.bullet)),
        NumStyle::None if def.prefix.is_empty() && def.suffix.is_empty() => return None,
        _ => {}
    }
    let shown = def.display_levels.clamp(1, level + 1);
    let mut parts = Vec::new();
    for l in level + 1 - shown..=level {
        let d = style.get(l).cloned().flatten().unwrap_or_default();
        let value = counters.value(l).unwrap_or(d.start);
        let s = if l == level { def.style } else { d.style };
        let text = s.format(value);
        if !text.is_empty() {
            parts.push(text);
        }
    }
    let label = format!("{}{}{}", def.prefix, parts.join("."), def.suffix);
    let label = label.trim().to_string();
    (!label.is_empty()).then_some(label)
}

fn append_line(target: &mut String, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if !target.is_empty() {
        target.push('\n');
    }
    target.push_str(text);
}

fn append_block(target: &mut String, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if !target.is_empty() && !target.ends_with('\n') {
        target.push('\n');
    }
    target.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(xml: &str, styles_xml: &str) -> Body {
        let limits = Limits::default();
        let mut styles = Styles::default();
        let _ = styles.collect(styles_xml, "styles.xml", &limits);
        let _ = styles.collect(xml, "content.xml", &limits);
        walk_body(xml, "content.xml", &styles, &limits, &mut |href| {
            Some(format!("[objekti {href}]"))
        })
        .unwrap_or_default()
    }

    fn texts(b: &Body) -> Vec<String> {
        b.pages.iter().map(|p| p.text.clone()).collect()
    }

    #[test]
    fn text_document_keeps_headings_paragraphs_and_spaces() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
            <text:h>Tausta</text:h><text:p>Asiakas<text:s text:c="2"/>ymmärrys<text:tab/>2017</text:p>
            <text:list><text:list-item><text:p>kohta</text:p></text:list-item></text:list>
            </office:text></office:body></office:document-content>"#;
        let b = body(xml, "");
        assert_eq!(texts(&b), ["Tausta\nAsiakas  ymmärrys\t2017\nkohta"]);
    }

    #[test]
    fn lists_and_headings_are_numbered_as_displayed() {
        let styles = r#"<office:document-styles><office:styles>
            <text:outline-style style:name="Outline">
              <text:outline-level-style text:level="1" style:num-format="1" style:num-suffix="."/>
              <text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/>
            </text:outline-style></office:styles></office:document-styles>"#;
        let xml = r#"<office:document-content><office:automatic-styles>
            <text:list-style style:name="L1">
              <text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."/>
              <text:list-level-style-number text:level="2" style:num-format="a" style:num-suffix=")"/>
            </text:list-style>
            <text:list-style style:name="L2"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/></text:list-style>
            </office:automatic-styles><office:body><office:text>
            <text:h text:outline-level="1">Johdanto</text:h>
            <text:h text:outline-level="2">Tausta</text:h>
            <text:h text:outline-level="1">Tulokset</text:h>
            <text:list text:style-name="L1">
              <text:list-item><text:p>eka</text:p>
                <text:list><text:list-item><text:p>ala</text:p></text:list-item><text:list-item><text:p>toinen ala</text:p></text:list-item></text:list>
              </text:list-item>
              <text:list-item><text:p>toka</text:p></text:list-item>
            </text:list>
            <text:list text:style-name="L1" text:continue-numbering="true"><text:list-item><text:p>kolmas</text:p></text:list-item></text:list>
            <text:list text:style-name="L1"><text:list-item text:start-value="7"><text:p>alusta</text:p></text:list-item></text:list>
            <text:list text:style-name="L2"><text:list-item><text:p>luettelo</text:p></text:list-item></text:list>
            </office:text></office:body></office:document-content>"#;
        let b = body(xml, styles);
        assert_eq!(
            texts(&b),
            [
                "1. Johdanto\n1.1 Tausta\n2. Tulokset\n1. eka\na) ala\nb) toinen ala\n2. toka\n3. kolmas\n7. alusta\n• luettelo"
            ]
        );
    }

    #[test]
    fn notes_comments_and_frames_go_to_their_places() {
        let xml = r#"<office:document-content><office:body><office:text>
            <text:p>Teksti<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Alaviite</text:p></text:note-body></text:note> jatkuu.<office:annotation><dc:creator>Maija</dc:creator><dc:date>2017-01-01</dc:date><text:p>Huomautus</text:p></office:annotation></text:p>
            <text:p>Ankkuri<draw:frame><draw:text-box><text:p>Kehyksessä</text:p></draw:text-box></draw:frame> ja kaavio<draw:frame><draw:object xlink:href="./Object 1"/><svg:title>Kuvaus</svg:title></draw:frame></text:p>
            <text:tracked-changes><text:changed-region><text:deletion><text:p>poistettu</text:p></text:deletion></text:changed-region></text:tracked-changes>
            </office:text></office:body></office:document-content>"#;
        let b = body(xml, "");
        assert_eq!(
            texts(&b),
            ["Teksti1 jatkuu.\nAnkkuri ja kaavio\nKehyksessä\n[objekti ./Object 1]"]
        );
        assert_eq!(b.notes, "Alaviite");
        assert_eq!(b.comments, "Huomautus");
    }

    #[test]
    fn presentation_has_a_page_per_slide_with_notes_and_master_text() {
        let styles = r#"<office:document-styles><office:master-styles>
            <style:master-page style:name="M1">
              <draw:frame presentation:class="title"><draw:text-box><text:p>Otsikkopaikka</text:p></draw:text-box></draw:frame>
              <draw:frame><draw:text-box><text:p>Logo teksti</text:p></draw:text-box></draw:frame>
              <draw:frame presentation:class="footer"><draw:text-box><text:p>Alatunniste</text:p></draw:text-box></draw:frame>
              <presentation:notes><draw:frame><draw:text-box><text:p>ei</text:p></draw:text-box></draw:frame></presentation:notes>
            </style:master-page></office:master-styles></office:document-styles>"#;
        let xml = r#"<office:document-content><office:automatic-styles>
            <style:style style:name="dp1" style:family="drawing-page"><style:drawing-page-properties presentation:display-footer="true"/></style:style>
            <style:style style:name="dp2" style:family="drawing-page"><style:drawing-page-properties presentation:visibility="hidden"/></style:style>
            </office:automatic-styles><office:body><office:presentation>
            <draw:page draw:style-name="dp1" draw:master-page-name="M1"><draw:frame><draw:text-box><text:p>Yksi</text:p></draw:text-box></draw:frame>
              <presentation:notes><draw:page-thumbnail/><draw:frame><draw:text-box><text:p>Muistiinpano</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>
            <draw:page draw:style-name="dp2"><draw:custom-shape><text:p>Kaksi</text:p></draw:custom-shape>
              <draw:frame><table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell><table:table-cell><text:p>b</text:p></table:table-cell></table:table-row></table:table></draw:frame></draw:page>
            </office:presentation></office:body></office:document-content>"#;
        let b = body(xml, styles);
        assert_eq!(
            texts(&b),
            [
                "Yksi\nLogo teksti\nAlatunniste\n\nMuistiinpano",
                "Kaksi\na\tb"
            ]
        );
        assert!(!b.pages[0].hidden && b.pages[1].hidden);
    }

    /// A slide is marked for OCR when it shows a picture of the package and has no words of
    /// its own: its number field and its notes do not count, a caption does; a picture in
    /// the notes or held inline (a flat file's) does not make it one.
    #[test]
    fn slides_of_pictures_without_words_are_marked() {
        let picture = r#"<draw:frame><draw:image xlink:href="Pictures/kuva.png"/></draw:frame>"#;
        let number = r#"<draw:frame presentation:class="page-number"><draw:text-box><text:p><text:page-number>&lt;number&gt;</text:page-number></text:p></draw:text-box></draw:frame>"#;
        let notes = r#"<presentation:notes><draw:frame><draw:text-box><text:p>Puhujan muistiinpano</text:p></draw:text-box></draw:frame></presentation:notes>"#;
        let slides = [
            r#"<draw:frame><draw:text-box><text:p>Otsikko</text:p></draw:text-box></draw:frame>"#.to_string(),
            format!("{picture}{number}{notes}"),
            format!(r#"{picture}<draw:frame><draw:text-box><text:p>Kuva 1</text:p></draw:text-box></draw:frame>"#),
            r#"<presentation:notes><draw:frame><draw:image xlink:href="Pictures/kuva.png"/></draw:frame></presentation:notes>"#.to_string(),
            r#"<draw:frame><draw:image><office:binary-data>iVBORw0KGgo=</office:binary-data></draw:image></draw:frame>"#.to_string(),
        ];
        let pages: String = slides
            .iter()
            .map(|s| format!("<draw:page>{s}</draw:page>"))
            .collect();
        let xml = format!(
            "<office:document-content><office:body><office:presentation>{pages}</office:presentation></office:body></office:document-content>"
        );
        let b = body(&xml, "");
        let pictured: Vec<u32> = b.pages.iter().filter(|p| p.pictured).map(|p| p.n).collect();
        assert_eq!(pictured, [2]);
        // The number's placeholder is no text; the notes follow without a blank start.
        assert_eq!(b.pages[1].text, "Puhujan muistiinpano");
    }

    #[test]
    fn spreadsheet_cells_repeat_only_where_they_hold_text() {
        let xml = r#"<office:document-content><office:automatic-styles>
            <style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
            </office:automatic-styles><office:body><office:spreadsheet>
            <table:table table:name="Kunnat">
              <table:table-row><table:table-cell office:value-type="string"><text:p>Kunta</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell><text:p>Väkiluku</text:p></table:table-cell></table:table-row>
              <table:table-row table:number-rows-repeated="2"><table:table-cell><text:p>Espoo</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"><text:p>x</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="305274"><text:p>305 274</text:p></table:table-cell></table:table-row>
              <table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
            </table:table>
            <table:table table:name="Piilo" table:style-name="ta2"><table:table-row><table:table-cell><text:p>salainen</text:p></table:table-cell></table:table-row></table:table>
            </office:spreadsheet></office:body></office:document-content>"#;
        let b = body(xml, "");
        assert_eq!(
            texts(&b),
            [
                "Kunnat\nKunta\tVäkiluku\nEspoo\tx\tx\t305 274\nEspoo\tx\tx\t305 274",
                "Piilo\nsalainen"
            ]
        );
        assert_eq!(b.pages[0].name.as_deref(), Some("Kunnat"));
        assert!(b.pages[1].hidden);
    }

    #[test]
    fn spreadsheet_headers_and_footers_skip_fields() {
        let styles = r#"<office:document-styles><office:master-styles><style:master-page style:name="Default">
            <style:header><text:p><text:sheet-name>???</text:sheet-name></text:p></style:header><style:header-left style:display="false"><text:p>ei</text:p></style:header-left>
            <style:footer><text:p>Alatunniste keskellä</text:p></style:footer>
            </style:master-page></office:master-styles></office:document-styles>"#;
        let xml = r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="T"><table:table-row><table:table-cell><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
        let b = body(xml, styles);
        assert_eq!(b.headers, "Alatunniste keskellä");
    }

    #[test]
    fn meta_reads_title_author_and_dates() {
        let xml = r#"<office:document-meta><office:meta><dc:title>Malli</dc:title>
            <meta:initial-creator>Maija</meta:initial-creator><dc:creator>Pekka</dc:creator>
            <meta:creation-date>2017-05-15T10:00:00</meta:creation-date><dc:date>2017-06-01</dc:date>
            </office:meta></office:document-meta>"#;
        let m = meta_from_xml(xml, "meta.xml", &Limits::default());
        assert_eq!(m.title.as_deref(), Some("Malli"));
        assert_eq!(m.author.as_deref(), Some("Maija"));
        assert_eq!(m.created.as_deref(), Some("2017-05-15T10:00:00"));
        assert_eq!(m.modified.as_deref(), Some("2017-06-01"));
    }
}
