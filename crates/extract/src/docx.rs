//! WordprocessingML (DOCX, DOCM, DOTX): the body in document order with list numbers,
//! tables, text boxes, charts and SmartArt; then headers and footers, footnotes and
//! endnotes, and comments as pages of their own.

use crate::drawingml::Reference;
use crate::numbering::{self, Counters, MAX_LEVELS, NumStyle};
use crate::ooxml::{self, Relationship, Resolver};
use crate::package::Package;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Page};
use std::collections::HashMap;

pub(crate) struct Docx;

impl Extractor for Docx {
    fn format(&self) -> Format {
        Format::Docx
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut package = Package::open(bytes, limits)?;
        let main = ooxml::main_part(&mut package, limits, "word/document.xml")?;
        let meta = ooxml::core_properties(&mut package, limits)?;
        let rels = ooxml::relationships(&mut package, &main, limits)?;
        let styles = match rel_target(&package, &rels, "/styles") {
            Some(part) => optional(read_styles(&mut package, &part, limits))?,
            None => Styles::default(),
        };
        let lists = match rel_target(&package, &rels, "/numbering") {
            Some(part) => optional(read_numbering(&mut package, &part, limits))?,
            None => Numbering::default(),
        };
        let context = Context {
            styles: &styles,
            lists: &lists,
        };
        let mut counters = ListState::default();
        let body_xml = package.read_xml(&main)?;
        let body = part_text(
            &mut package,
            &body_xml,
            &main,
            &rels,
            &context,
            &mut counters,
            limits,
        )?;
        let mut pages = vec![Page::new(1, body.text)];

        // Headers and footers in the order the sections name them, each distinct text once
        // (the same footer on every section would otherwise repeat).
        let mut seen: Vec<String> = Vec::new();
        for id in body.header_refs.iter().chain(&body.footer_refs) {
            let Some(part) = ooxml::target(&package, &rels, id).map(str::to_string) else {
                continue;
            };
            let text = related_part(&mut package, &part, &context, limits)?;
            if !text.trim().is_empty() && !seen.contains(&text) {
                seen.push(text);
            }
        }
        push_section(&mut pages, "headers and footers", seen.join("\n"));

        let mut notes = Vec::new();
        for kind in ["/footnotes", "/endnotes"] {
            if let Some(part) = rel_target(&package, &rels, kind) {
                let text = related_part(&mut package, &part, &context, limits)?;
                if !text.trim().is_empty() {
                    notes.push(text);
                }
            }
        }
        push_section(&mut pages, "notes", notes.join("\n"));

        if let Some(part) = rel_target(&package, &rels, "/comments") {
            let text = related_part(&mut package, &part, &context, limits)?;
            push_section(&mut pages, "comments", text);
        }
        Ok(Document {
            format: Format::Docx,
            pages,
            meta,
            damaged: None,
        })
    }
}

/// Adds a named section after the pages (headers and footers, notes, comments), unless it is
/// empty.
pub(crate) fn push_section(pages: &mut Vec<Page>, name: &str, text: String) {
    if !text.trim().is_empty() {
        pages.push(Page {
            name: Some(name.to_string()),
            ..Page::new(pages.len() as u32 + 1, text)
        });
    }
}

/// The pictures of the body, in the order it shows them, all on the one page a flowing text
/// has: what OCR reads of a document without text, pages scanned and pasted in, say. Pictures
/// of headers and footers are logos, and are left out.
pub(crate) fn pictures(bytes: &[u8], limits: &Limits) -> Result<Vec<(u32, String)>, Error> {
    let mut package = Package::open(bytes, limits)?;
    let main = ooxml::main_part(&mut package, limits, "word/document.xml")?;
    let rels = ooxml::relationships(&mut package, &main, limits)?;
    let body = package.read_xml(&main)?;
    let parts = ooxml::picture_parts(&mut package, &body, &main, &rels, limits)?;
    Ok(parts.into_iter().map(|part| (1, part)).collect())
}

fn rel_target(package: &Package<'_>, rels: &[Relationship], kind: &str) -> Option<String> {
    rels.iter()
        .find(|r| r.kind.ends_with(kind))
        .map(|r| r.target.clone())
        .filter(|t| package.find(t).is_some())
}

/// Styles and numbering only add list labels: when they are damaged, the text is read
/// without them. Running out of time still stops the document.
fn optional<T: Default>(result: Result<T, Error>) -> Result<T, Error> {
    match result {
        Ok(v) => Ok(v),
        Err(e @ Error::Timeout(_)) => Err(e),
        Err(_) => Ok(T::default()),
    }
}

/// A header, footer, notes or comments part. Its own relationships resolve its charts;
/// list numbering restarts per part.
fn related_part(
    package: &mut Package<'_>,
    part: &str,
    context: &Context<'_>,
    limits: &Limits,
) -> Result<String, Error> {
    let rels = ooxml::relationships(package, part, limits)?;
    let xml_text = package.read_xml(part)?;
    let mut counters = ListState::default();
    Ok(part_text(
        package,
        &xml_text,
        part,
        &rels,
        context,
        &mut counters,
        limits,
    )?
    .text)
}

struct Context<'a> {
    styles: &'a Styles,
    lists: &'a Numbering,
}

struct PartText {
    text: String,
    header_refs: Vec<String>,
    footer_refs: Vec<String>,
}

/// Reads one WordprocessingML part, resolving the charts, SmartArt and embedded documents
/// it points to through `rels`.
fn part_text(
    package: &mut Package<'_>,
    xml_text: &str,
    part: &str,
    rels: &[Relationship],
    context: &Context<'_>,
    counters: &mut ListState,
    limits: &Limits,
) -> Result<PartText, Error> {
    let mut resolver = Resolver::new(package, limits);
    let mut resolve = |r: Reference| resolver.resolve(rels, r);
    let mut walker = Walker::new(context, counters, limits);
    xml::walk(xml_text, part, limits, |node| {
        walker.node(node, &mut resolve)
    })?;
    let header_refs = std::mem::take(&mut walker.header_refs);
    let footer_refs = std::mem::take(&mut walker.footer_refs);
    let text = walker.finish();
    if let Some(e) = resolver.fatal {
        return Err(e);
    }
    Ok(PartText {
        text,
        header_refs,
        footer_refs,
    })
}

/// What a paragraph's properties say about its list membership.
#[derive(Default, Clone)]
struct ParagraphProps {
    style: Option<String>,
    num_id: Option<String>,
    level: Option<usize>,
}

/// An open paragraph: its properties, and text boxes or charts anchored in it, which are
/// written after the paragraph's own text rather than in the middle of a sentence.
#[derive(Default)]
struct Paragraph {
    props: ParagraphProps,
    labelled: bool,
    deferred: Vec<String>,
}

/// A text box's content is written into a sink of its own; the enclosing paragraph and
/// table state wait on this stack until the box closes.
struct Frame {
    sink: TextSink,
    paragraphs: Vec<Paragraph>,
    tables: Vec<Table>,
}

#[derive(Default)]
struct Table {
    cells_in_row: usize,
    in_cell: bool,
}

struct Walker<'c, 'k> {
    context: &'c Context<'c>,
    counters: &'k mut ListState,
    limits: &'c Limits,
    frames: Vec<Frame>,
    /// Depth inside `w:t` (or `m:t`): text nodes elsewhere are layout white space.
    text_depth: u32,
    in_paragraph_props: bool,
    in_num_props: bool,
    /// One entry per open complex field: whether its result part has begun. Text shows
    /// only when every open field is in its result.
    fields: Vec<bool>,
    header_refs: Vec<String>,
    footer_refs: Vec<String>,
}

impl<'c, 'k> Walker<'c, 'k> {
    fn new(context: &'c Context<'c>, counters: &'k mut ListState, limits: &'c Limits) -> Self {
        Walker {
            context,
            counters,
            limits,
            frames: vec![Frame {
                sink: TextSink::new(limits.max_text_chars),
                paragraphs: Vec::new(),
                tables: Vec::new(),
            }],
            text_depth: 0,
            in_paragraph_props: false,
            in_num_props: false,
            fields: Vec::new(),
            header_refs: Vec::new(),
            footer_refs: Vec::new(),
        }
    }

    fn frame(&mut self) -> &mut Frame {
        // The stack is never empty: the root frame is only taken by `finish`.
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Keeps a section's header or footer reference, once.
    fn note_reference(&mut self, name: &str, element: &quick_xml::events::BytesStart<'_>) {
        if let Some(id) = xml::attr(element, "id") {
            let list = if name == "headerReference" {
                &mut self.header_refs
            } else {
                &mut self.footer_refs
            };
            if !list.contains(&id) {
                list.push(id);
            }
        }
    }

    fn visible(&self) -> bool {
        self.fields.iter().all(|in_result| *in_result)
    }

    fn in_cell(&mut self) -> bool {
        self.frame().tables.last().is_some_and(|t| t.in_cell)
    }

    fn node(
        &mut self,
        node: Node<'_, '_>,
        resolve: &mut dyn FnMut(Reference) -> Option<String>,
    ) -> Flow {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => return self.open(name, element, empty, resolve),
            Node::Close { name } => self.close(name),
            Node::Text(t) if self.text_depth > 0 && self.visible() => {
                self.label_once();
                self.frame().sink.push(t);
            }
            Node::Text(_) => {}
        }
        Flow::Continue
    }

    fn open(
        &mut self,
        name: &str,
        element: &quick_xml::events::BytesStart<'_>,
        empty: bool,
        resolve: &mut dyn FnMut(Reference) -> Option<String>,
    ) -> Flow {
        if self.in_paragraph_props {
            match name {
                "pStyle" => {
                    if let Some(p) = self.frame().paragraphs.last_mut() {
                        p.props.style = xml::attr(element, "val");
                    }
                }
                "numPr" if !empty => self.in_num_props = true,
                "numId" if self.in_num_props => {
                    if let Some(p) = self.frame().paragraphs.last_mut() {
                        p.props.num_id = xml::attr(element, "val");
                    }
                }
                "ilvl" if self.in_num_props => {
                    if let Some(p) = self.frame().paragraphs.last_mut() {
                        p.props.level = xml::attr(element, "val").and_then(|v| v.parse().ok());
                    }
                }
                // A section that ends here names its headers and footers: every section
                // but the last keeps its properties in its last paragraph's.
                "headerReference" | "footerReference" => self.note_reference(name, element),
                // The paragraph mark's run properties and revision records.
                "rPr" | "pPrChange" | "sectPrChange" | "tabs" => return Flow::SkipChildren,
                _ => {}
            }
            return Flow::Continue;
        }
        match name {
            // Properties, deleted and moved-away text, field codes, the phonetic guide of
            // ruby text, content-control settings: none of it is text a reader sees.
            "rPr" | "tblPr" | "tblGrid" | "trPr" | "tcPr" | "instrText" | "delText"
            | "delInstrText" | "del" | "moveFrom" | "fldData" | "docPr" | "rt" | "sdtPr"
            | "sdtEndPr" | "tblPrEx" | "customXmlPr" | "bookmarkStart" | "ffData" | "cNvPr"
            | "nvPicPr" | "blipFill" => return Flow::SkipChildren,
            "sectPr" => {
                // Only the header and footer references of a section matter here.
                return Flow::Continue;
            }
            "sectPrChange" => return Flow::SkipChildren,
            "headerReference" | "footerReference" => self.note_reference(name, element),
            "p" if !empty => self.frame().paragraphs.push(Paragraph::default()),
            "pPr" if !empty => self.in_paragraph_props = true,
            "t" if !empty => self.text_depth += 1,
            "tab" | "ptab" if self.visible() => {
                self.label_once();
                self.frame().sink.push_char('\t');
            }
            "br" | "cr" if self.visible() => {
                if self.in_cell() {
                    self.frame().sink.space();
                } else {
                    self.frame().sink.push_char('\n');
                }
            }
            "noBreakHyphen" if self.visible() => self.frame().sink.push_char('-'),
            "softHyphen" if self.visible() => self.frame().sink.push_char('\u{ad}'),
            "fldChar" => match xml::attr(element, "fldCharType").as_deref() {
                // Nesting beyond any real document is ignored rather than tracked.
                Some("begin") if self.fields.len() < 64 => self.fields.push(false),
                Some("separate") => {
                    if let Some(top) = self.fields.last_mut() {
                        *top = true;
                    }
                }
                Some("end") => {
                    self.fields.pop();
                }
                _ => {}
            },
            "tbl" if !empty => {
                self.frame().sink.end_line();
                self.frame().tables.push(Table::default());
            }
            "tr" if !empty => {
                if let Some(t) = self.frame().tables.last_mut() {
                    t.cells_in_row = 0;
                }
            }
            "tc" if !empty => {
                let gap = match self.frame().tables.last_mut() {
                    Some(t) => {
                        t.in_cell = true;
                        t.cells_in_row += 1;
                        t.cells_in_row > 1
                    }
                    None => false,
                };
                if gap {
                    self.frame().sink.cell_gap();
                }
            }
            "txbxContent" if !empty => {
                if self.frames.len() < 16 {
                    self.frames.push(Frame {
                        sink: TextSink::new(self.limits.max_text_chars),
                        paragraphs: Vec::new(),
                        tables: Vec::new(),
                    });
                } else {
                    return Flow::SkipChildren;
                }
            }
            "chart" | "relIds" | "OLEObject" | "altChunk" if self.visible() => {
                let text = match name {
                    "chart" => {
                        xml::attr(element, "id").and_then(|id| resolve(Reference::Chart(id)))
                    }
                    "relIds" => {
                        xml::attr(element, "dm").and_then(|id| resolve(Reference::Diagram(id)))
                    }
                    // Embedded objects and imported chunks (HTML, another DOCX).
                    _ => xml::attr(element, "id").and_then(|id| resolve(Reference::Embedded(id))),
                };
                if let Some(text) = text {
                    self.defer(text);
                }
            }
            // WordArt in legacy VML keeps its text in an attribute.
            "textpath" if self.visible() => {
                if let Some(text) = xml::attr(element, "string") {
                    self.defer(text);
                }
            }
            _ => {}
        }
        Flow::Continue
    }

    fn close(&mut self, name: &str) {
        if self.in_paragraph_props {
            match name {
                "pPr" => {
                    self.in_paragraph_props = false;
                    self.in_num_props = false;
                }
                "numPr" => self.in_num_props = false,
                _ => {}
            }
            return;
        }
        match name {
            "t" => self.text_depth = self.text_depth.saturating_sub(1),
            "p" => {
                let paragraph = self.frame().paragraphs.pop();
                let in_cell = self.in_cell();
                let sink = &mut self.frame().sink;
                if in_cell {
                    sink.space();
                } else {
                    sink.end_line();
                }
                if let Some(p) = paragraph {
                    for block in p.deferred {
                        if in_cell {
                            sink.space();
                            sink.push(block.trim());
                            sink.space();
                        } else {
                            sink.push_block(&block);
                        }
                    }
                }
            }
            "tc" => {
                if let Some(t) = self.frame().tables.last_mut() {
                    t.in_cell = false;
                }
            }
            "tr" => self.frame().sink.end_line(),
            "tbl" => {
                self.frame().tables.pop();
                self.frame().sink.end_line();
            }
            "txbxContent" if self.frames.len() > 1 => {
                if let Some(frame) = self.frames.pop() {
                    self.defer(frame.sink.finish());
                }
            }
            _ => {}
        }
    }

    /// Keeps a block for the end of the enclosing paragraph (or writes it now outside one).
    fn defer(&mut self, text: String) {
        if text.trim().is_empty() {
            return;
        }
        let frame = self.frame();
        match frame.paragraphs.last_mut() {
            Some(p) => p.deferred.push(text),
            None => frame.sink.push_block(&text),
        }
    }

    /// Writes the paragraph's list label before its first visible content.
    fn label_once(&mut self) {
        let context = self.context;
        let frame_index = self.frames.len() - 1;
        let Some(paragraph) = self.frames[frame_index].paragraphs.last_mut() else {
            return;
        };
        if paragraph.labelled {
            return;
        }
        paragraph.labelled = true;
        let props = paragraph.props.clone();
        if let Some(label) = list_label(context, self.counters, &props) {
            let sink = &mut self.frames[frame_index].sink;
            sink.push(&label);
            sink.push_char(' ');
        }
    }

    fn finish(mut self) -> String {
        while self.frames.len() > 1 {
            if let Some(frame) = self.frames.pop() {
                let text = frame.sink.finish();
                self.frame().sink.push_block(&text);
            }
        }
        match self.frames.pop() {
            Some(root) => root.sink.finish(),
            None => String::new(),
        }
    }
}

/// Counters of the lists of one part, by abstract list: Word continues a list across the
/// instances that share a definition, unless an instance overrides its start.
#[derive(Default)]
struct ListState {
    counters: HashMap<String, Counters>,
    /// Instances and levels whose start override has been applied.
    started: std::collections::HashSet<(String, usize)>,
}

/// The label a numbered or bulleted paragraph shows, advancing its list's counters.
fn list_label(
    context: &Context<'_>,
    state: &mut ListState,
    props: &ParagraphProps,
) -> Option<String> {
    let styles = context.styles;
    let lists = context.lists;
    let style_num = props.style.as_deref().and_then(|s| styles.numbering(s));
    let num_id = props
        .num_id
        .clone()
        .or_else(|| style_num.as_ref().and_then(|(id, _)| id.clone()))?;
    if num_id == "0" {
        return None;
    }
    let instance = lists.instances.get(&num_id)?;
    let abstract_id = lists.resolve_abstract(&instance.abstract_id, styles);
    let definition = lists.abstracts.get(&abstract_id)?;
    let level = props
        .level
        .or_else(|| style_num.as_ref().and_then(|(_, l)| *l))
        .or_else(|| {
            let style = props.style.as_deref()?;
            definition
                .levels
                .iter()
                .position(|l| l.as_ref().and_then(Level::style_ref) == Some(style))
        })
        .unwrap_or(0)
        .min(MAX_LEVELS - 1);
    let level_def = |i: usize| -> Level {
        instance
            .overrides
            .get(i)
            .and_then(|o| o.level.clone())
            .or_else(|| definition.levels.get(i).cloned().flatten())
            .unwrap_or_default()
    };
    let this = level_def(level);
    if this.style == NumStyle::None && this.text.is_empty() {
        return None;
    }
    // A start override restarts the list the first time this instance is used.
    let override_start = instance.overrides.get(level).and_then(|o| o.start);
    let first_use = override_start.is_some() && state.started.insert((num_id, level));
    let list = state.counters.entry(abstract_id).or_default();
    if first_use {
        list.restart(level);
    }
    let start = override_start.unwrap_or(this.start);
    list.advance(level, start);
    if this.style == NumStyle::Bullet {
        return Some(numbering::visible_bullet(&this.text));
    }
    let mut label = String::new();
    let mut chars = this.text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%'
            && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
        {
            chars.next();
            let referenced = (d as usize).saturating_sub(1).min(MAX_LEVELS - 1);
            let def = level_def(referenced);
            let value = list.value(referenced).unwrap_or(def.start);
            let style = if this.legal && def.style != NumStyle::Bullet {
                NumStyle::Decimal
            } else {
                def.style
            };
            label.push_str(&style.format(value));
            continue;
        }
        label.push(c);
    }
    let label = label.trim().to_string();
    (!label.is_empty()).then_some(label)
}

#[derive(Default)]
struct Styles {
    /// Paragraph style id to (basedOn, numId, ilvl).
    paragraph: HashMap<String, StyleDef>,
}

#[derive(Default, Clone)]
struct StyleDef {
    based_on: Option<String>,
    num_id: Option<String>,
    level: Option<usize>,
}

impl Styles {
    /// The numbering a paragraph style gives, following `basedOn` a bounded number of steps.
    fn numbering(&self, style: &str) -> Option<(Option<String>, Option<usize>)> {
        let mut current = style;
        let mut level = None;
        for _ in 0..16 {
            let def = self.paragraph.get(current)?;
            level = level.or(def.level);
            if def.num_id.is_some() {
                return Some((def.num_id.clone(), level));
            }
            current = def.based_on.as_deref()?;
        }
        None
    }
}

fn read_styles(package: &mut Package<'_>, part: &str, limits: &Limits) -> Result<Styles, Error> {
    let xml_text = package.read_xml(part)?;
    let mut styles = Styles::default();
    let mut current: Option<(String, StyleDef)> = None;
    let mut in_num = false;
    xml::walk(&xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => match name {
                "style" if !empty => {
                    let paragraph = xml::attr(element, "type").is_none_or(|t| t == "paragraph");
                    current = match (paragraph, xml::attr(element, "styleId")) {
                        (true, Some(id)) => Some((id, StyleDef::default())),
                        _ => None,
                    };
                }
                "basedOn" => {
                    if let Some((_, def)) = current.as_mut() {
                        def.based_on = xml::attr(element, "val");
                    }
                }
                "numPr" if !empty => in_num = true,
                "numId" if in_num => {
                    if let Some((_, def)) = current.as_mut() {
                        def.num_id = xml::attr(element, "val");
                    }
                }
                "ilvl" if in_num => {
                    if let Some((_, def)) = current.as_mut() {
                        def.level = xml::attr(element, "val").and_then(|v| v.parse().ok());
                    }
                }
                "rPr" | "tblPr" | "tcPr" | "trPr" | "tblStylePr" => return Flow::SkipChildren,
                _ => {}
            },
            Node::Close { name: "numPr" } => in_num = false,
            Node::Close { name: "style" } => {
                if let Some((id, def)) = current.take() {
                    styles.paragraph.insert(id, def);
                }
            }
            _ => {}
        }
        Flow::Continue
    })?;
    Ok(styles)
}

/// One level of a list definition.
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    style: NumStyle,
    /// `w:lvlText`: "%1.%2." and so on, or the bullet character.
    text: String,
    /// Legal numbering: every level's number in decimal.
    legal: bool,
    /// The paragraph style this level is tied to (heading numbering).
    style_link: Option<String>,
}

impl Level {
    fn style_ref(&self) -> Option<&str> {
        self.style_link.as_deref()
    }
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 1,
            style: NumStyle::Decimal,
            text: String::new(),
            legal: false,
            style_link: None,
        }
    }
}

#[derive(Default)]
struct AbstractList {
    levels: Vec<Option<Level>>,
    /// `w:numStyleLink`: the definition lives with the numbering style of this name.
    style_link: Option<String>,
}

#[derive(Default)]
struct Override {
    start: Option<u32>,
    level: Option<Level>,
}

struct Instance {
    abstract_id: String,
    overrides: Vec<Override>,
}

#[derive(Default)]
struct Numbering {
    abstracts: HashMap<String, AbstractList>,
    instances: HashMap<String, Instance>,
}

impl Numbering {
    /// Follows `w:numStyleLink` through the numbering style to the list it stands for.
    fn resolve_abstract(&self, id: &str, styles: &Styles) -> String {
        let mut current = id.to_string();
        for _ in 0..4 {
            let Some(link) = self
                .abstracts
                .get(&current)
                .and_then(|a| a.style_link.as_deref())
            else {
                break;
            };
            let Some(next) = styles
                .numbering(link)
                .and_then(|(num, _)| num)
                .and_then(|num| self.instances.get(&num))
                .map(|i| i.abstract_id.clone())
            else {
                break;
            };
            if next == current {
                break;
            }
            current = next;
        }
        current
    }
}

fn read_numbering(
    package: &mut Package<'_>,
    part: &str,
    limits: &Limits,
) -> Result<Numbering, Error> {
    let xml_text = package.read_xml(part)?;
    let mut numbering = Numbering::default();
    let mut abstract_list: Option<(String, AbstractList)> = None;
    let mut instance: Option<(String, Instance)> = None;
    let mut level: Option<(usize, Level)> = None;
    let mut override_level: Option<usize> = None;
    xml::walk(&xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => {
                let val = || xml::attr(element, "val");
                match name {
                    "abstractNum" if !empty => {
                        abstract_list = xml::attr(element, "abstractNumId")
                            .map(|id| (id, AbstractList::default()));
                    }
                    "num" if !empty => {
                        instance = xml::attr(element, "numId").map(|id| {
                            (
                                id,
                                Instance {
                                    abstract_id: String::new(),
                                    overrides: Vec::new(),
                                },
                            )
                        });
                    }
                    "abstractNumId" => {
                        if let Some((_, i)) = instance.as_mut() {
                            i.abstract_id = val().unwrap_or_default();
                        }
                    }
                    "lvlOverride" if !empty => {
                        override_level = xml::attr(element, "ilvl")
                            .and_then(|v| v.parse::<usize>().ok())
                            .filter(|l| *l < MAX_LEVELS);
                    }
                    "startOverride" => {
                        if let (Some((_, i)), Some(l)) = (instance.as_mut(), override_level) {
                            if i.overrides.len() <= l {
                                i.overrides.resize_with(l + 1, Override::default);
                            }
                            i.overrides[l].start = val().and_then(|v| v.parse().ok());
                        }
                    }
                    "lvl" if !empty => {
                        let index = xml::attr(element, "ilvl")
                            .and_then(|v| v.parse::<usize>().ok())
                            .or(override_level)
                            .filter(|l| *l < MAX_LEVELS);
                        level = index.map(|i| (i, Level::default()));
                    }
                    "start" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.start = val().and_then(|v| v.parse().ok()).unwrap_or(1);
                        }
                    }
                    "numFmt" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.style = NumStyle::from_word(&val().unwrap_or_default());
                        }
                    }
                    "lvlText" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.text = val().unwrap_or_default();
                        }
                    }
                    "isLgl" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.legal = val().is_none_or(|v| v != "0" && v != "false");
                        }
                    }
                    "pStyle" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.style_link = val();
                        }
                    }
                    "numStyleLink" => {
                        if let Some((_, a)) = abstract_list.as_mut() {
                            a.style_link = val();
                        }
                    }
                    "rPr" | "pPr" | "legacy" | "lvlPicBulletId" => return Flow::SkipChildren,
                    _ => {}
                }
            }
            Node::Close { name } => match name {
                "lvl" => {
                    if let Some((index, def)) = level.take() {
                        if let Some((_, a)) = abstract_list.as_mut() {
                            if a.levels.len() <= index {
                                a.levels.resize(index + 1, None);
                            }
                            a.levels[index] = Some(def);
                        } else if let Some((_, i)) = instance.as_mut() {
                            if i.overrides.len() <= index {
                                i.overrides.resize_with(index + 1, Override::default);
                            }
                            i.overrides[index].level = Some(def);
                        }
                    }
                }
                "lvlOverride" => override_level = None,
                "abstractNum" => {
                    if let Some((id, a)) = abstract_list.take() {
                        numbering.abstracts.insert(id, a);
                    }
                }
                "num" => {
                    if let Some((id, i)) = instance.take() {
                        numbering.instances.insert(id, i);
                    }
                }
                _ => {}
            },
            Node::Text(_) => {}
        }
        Flow::Continue
    })?;
    Ok(numbering)
}

/// The visible text of a WordprocessingML part on its own, without numbering or the parts
/// it points to.
#[cfg(test)]
pub(crate) fn wordprocessing_text(
    xml_text: &str,
    part: &str,
    limits: &Limits,
) -> Result<String, Error> {
    let styles = Styles::default();
    let lists = Numbering::default();
    let context = Context {
        styles: &styles,
        lists: &lists,
    };
    with_context(xml_text, part, limits, &context)
}

#[cfg(test)]
fn with_context(
    xml_text: &str,
    part: &str,
    limits: &Limits,
    context: &Context<'_>,
) -> Result<String, Error> {
    let mut counters = ListState::default();
    let mut walker = Walker::new(context, &mut counters, limits);
    let mut resolve = |r: Reference| match r {
        Reference::Chart(id) => Some(format!("[kaavio {id}]")),
        _ => None,
    };
    xml::walk(xml_text, part, limits, |node| {
        walker.node(node, &mut resolve)
    })?;
    Ok(walker.finish())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn text(body: &str) -> String {
        let xml = format!(
            r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>{body}</w:body></w:document>"#
        );
        wordprocessing_text(&xml, "word/document.xml", &Limits::default()).unwrap_or_default()
    }

    fn p(inner: &str) -> String {
        format!("<w:p>{inner}</w:p>")
    }

    fn r(t: &str) -> String {
        format!("<w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r>")
    }

    #[test]
    fn paragraphs_runs_and_tabs() {
        assert_eq!(
            text(
                "<w:p><w:r><w:t>Asiakas</w:t></w:r><w:r><w:t xml:space=\"preserve\">kokemus </w:t><w:tab/><w:t>2017</w:t></w:r></w:p><w:p><w:r><w:t>Toinen</w:t></w:r></w:p>"
            ),
            "Asiakaskokemus \t2017\nToinen"
        );
    }

    #[test]
    fn drops_deleted_text_field_codes_and_fallbacks() {
        let body = "<w:p><w:del><w:r><w:delText>poistettu</w:delText></w:r></w:del>\
            <w:ins><w:r><w:t>lisätty</w:t></w:r></w:ins>\
            <w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>3</w:t></w:r>\
            <mc:AlternateContent><mc:Choice><w:r><w:t>valinta</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>varalla</w:t></w:r></mc:Fallback></mc:AlternateContent>\
            <w:moveFrom><w:r><w:t>siirretty pois</w:t></w:r></w:moveFrom><w:moveTo><w:r><w:t>siirretty</w:t></w:r></w:moveTo></w:p>";
        assert_eq!(text(body), "lisätty3valintasiirretty");
    }

    #[test]
    fn complex_fields_show_their_result_only() {
        let body = p(&format!(
            "{}<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>HYPERLINK \"x\"</w:instrText></w:r>\
             <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:t>sisäkkäinen koodi</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
             <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>{}<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>{}",
            r("Katso "),
            r("linkki"),
            r(" tästä")
        ));
        assert_eq!(text(&body), "Katso linkki tästä");
    }

    #[test]
    fn tables_put_cells_on_tabs_and_rows_on_lines() {
        let row = |a: &str, b: &str| {
            format!(
                "<w:tr><w:trPr/><w:tc><w:tcPr/><w:p><w:r><w:t>{a}</w:t></w:r></w:p><w:p><w:r><w:t>jatkuu</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{b}</w:t></w:r></w:p></w:tc></w:tr>"
            )
        };
        let t = text(&format!(
            "{}<w:tbl><w:tblPr/>{}{}</w:tbl>{}",
            p(&r("Ennen")),
            row("Kaupunki", "Malli"),
            row("Espoo", "Viitekehys"),
            p(&r("Jälkeen"))
        ));
        assert_eq!(
            t,
            "Ennen\nKaupunki jatkuu\tMalli\nEspoo jatkuu\tViitekehys\nJälkeen"
        );
    }

    #[test]
    fn text_boxes_follow_their_paragraph_and_charts_resolve() {
        let body = format!(
            "<w:p>{}<w:r><w:drawing><wp:anchor><wp:docPr id=\"1\" name=\"x\"/><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>{}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>{}</w:p>\
             <w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData><c:chart r:id=\"rId9\"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>{}",
            r("Alku ja "),
            p(&r("Laatikossa")),
            r("loppu"),
            p(&r("Seuraava"))
        );
        assert_eq!(
            text(&body),
            "Alku ja loppu\nLaatikossa\n[kaavio rId9]\nSeuraava"
        );
    }

    fn numbered_context() -> (Styles, Numbering) {
        let numbering = r#"<w:numbering>
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:pStyle w:val="Heading1"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/><w:pStyle w:val="Heading2"/></w:lvl>
            </w:abstractNum>
            <w:abstractNum w:abstractNumId="1">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1)"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="&#xF0B7;"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
            <w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
            </w:numbering>"#;
        let styles = r#"<w:styles>
            <w:style w:type="paragraph" w:styleId="Heading1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
            </w:styles>"#;
        let limits = Limits::default();
        let bytes = zip_of(&[
            ("word/numbering.xml", numbering),
            ("word/styles.xml", styles),
        ]);
        let mut package = Package::open(&bytes, &limits)
            .ok()
            .unwrap_or_else(|| unreachable!());
        let lists = read_numbering(&mut package, "word/numbering.xml", &limits).unwrap_or_default();
        let styles = read_styles(&mut package, "word/styles.xml", &limits).unwrap_or_default();
        (styles, lists)
    }

    pub(crate) fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            for (name, data) in entries {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                let _ = zip.start_file(*name, options);
                let _ = zip.write_all(data.as_bytes());
            }
            let _ = zip.finish();
        }
        out.into_inner()
    }

    #[test]
    fn list_labels_count_levels_styles_and_restarts() {
        let (styles, lists) = numbered_context();
        let context = Context {
            styles: &styles,
            lists: &lists,
        };
        let heading = |style: &str, t: &str| {
            format!(
                "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>{}</w:p>",
                r(t)
            )
        };
        let item = |num: u32, level: u32, t: &str| {
            format!(
                "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"{num}\"/></w:numPr><w:rPr><w:b/></w:rPr></w:pPr>{}</w:p>",
                r(t)
            )
        };
        let body = [
            heading("Heading1", "Johdanto"),
            heading("Heading2", "Tausta"),
            heading("Heading2", "Tavoite"),
            heading("Heading1", "Tulokset"),
            heading("Heading2", "Espoo"),
            item(2, 0, "eka"),
            item(2, 1, "luettelomerkki"),
            item(2, 0, "toka"),
            item(3, 0, "alusta"),
            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:numPr><w:numId w:val=\"0\"/></w:numPr></w:pPr><w:r><w:t>Liitteet</w:t></w:r></w:p>".to_string(),
        ]
        .concat();
        let xml = format!("<w:document><w:body>{body}</w:body></w:document>");
        let t = with_context(&xml, "word/document.xml", &Limits::default(), &context);
        assert_eq!(
            t.ok().as_deref(),
            Some(
                "1. Johdanto\n1.1. Tausta\n1.2. Tavoite\n2. Tulokset\n2.1. Espoo\na) eka\n• luettelomerkki\nb) toka\na) alusta\nLiitteet"
            )
        );
    }
}
