//! OpenDocument text and presentations (ODT, ODP) and their flat single-XML forms (FODT,
//! FODP); also the metadata of ODS, whose cells calamine reads.

use crate::package::Package;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page};

pub(crate) struct Odt;
pub(crate) struct Odp;

impl Extractor for Odt {
    fn format(&self) -> Format {
        Format::Odt
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let (content, meta) = open(bytes, limits)?;
        let pages = body_pages(&content.0, &content.1, limits, false)?;
        Ok(Document {
            format: Format::Odt,
            pages,
            meta,
        })
    }
}

impl Extractor for Odp {
    fn format(&self) -> Format {
        Format::Odp
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let (content, meta) = open(bytes, limits)?;
        let pages = body_pages(&content.0, &content.1, limits, true)?;
        Ok(Document {
            format: Format::Odp,
            pages,
            meta,
        })
    }
}

/// A flat spreadsheet (FODS): calamine reads only zipped ODS, so its cells are read here as
/// table rows, one page for the whole workbook.
pub(crate) fn flat_spreadsheet(bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
    let (content, meta) = open(bytes, limits)?;
    let pages = body_pages(&content.0, &content.1, limits, false)?;
    Ok(Document {
        format: Format::Ods,
        pages,
        meta,
    })
}

/// The XML holding the body (with its part name for errors) and the metadata, from either a
/// zipped package or a flat file.
fn open(bytes: &[u8], limits: &Limits) -> Result<((String, String), Meta), Error> {
    if !bytes.starts_with(b"PK") {
        let flat = xml::decode(bytes, "flat ODF document")?;
        let meta = meta_from_xml(&flat, "flat ODF document", limits);
        return Ok(((flat, "flat ODF document".to_string()), meta));
    }
    let mut package = Package::open(bytes, limits)?;
    refuse_encrypted(&mut package, limits)?;
    let meta = meta(&mut package, limits)?;
    let content = package.read_xml("content.xml")?;
    Ok(((content, "content.xml".to_string()), meta))
}

/// ODF encrypts entries with a key derived from the password and records how in the
/// manifest; the entries themselves look like damaged deflate data.
fn refuse_encrypted(package: &mut Package<'_>, limits: &Limits) -> Result<(), Error> {
    let Some(manifest) = package.read_xml_if_present("META-INF/manifest.xml")? else {
        return Ok(());
    };
    let mut encrypted = false;
    xml::walk(&manifest, "META-INF/manifest.xml", limits, |node| {
        if let Node::Open {
            name: "encryption-data",
            ..
        } = node
        {
            encrypted = true;
        }
        Flow::Continue
    })?;
    if encrypted {
        return Err(Error::Encrypted(
            "password-protected OpenDocument file (encrypted entries)".into(),
        ));
    }
    Ok(())
}

/// Title, author and dates from `meta.xml`.
pub(crate) fn meta(package: &mut Package<'_>, limits: &Limits) -> Result<Meta, Error> {
    Ok(match package.read_xml_if_present("meta.xml")? {
        Some(x) => meta_from_xml(&x, "meta.xml", limits),
        None => Meta::default(),
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
            Node::Open { name: "body", .. } => return Flow::SkipChildren,
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

/// The body as pages: a text document is one page; a presentation has a page per
/// `draw:page` with its speaker notes after the slide's text.
fn body_pages(
    xml_text: &str,
    part: &str,
    limits: &Limits,
    slides: bool,
) -> Result<Vec<Page>, Error> {
    let mut pages: Vec<Page> = Vec::new();
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut in_body = false;
    let mut paragraph_depth = 0usize;
    let mut hidden = false;
    xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => match name {
                "body" => in_body = true,
                "meta" | "styles" | "automatic-styles" | "master-styles" | "font-face-decls"
                | "settings" | "scripts" | "tracked-changes" | "sequence-decls" => {
                    return Flow::SkipChildren;
                }
                "page" if slides && !empty => {
                    sink = TextSink::new(limits.max_text_chars);
                    hidden = xml::attr(element, "visibility").is_some_and(|v| v == "hidden");
                }
                "notes" if slides => sink.end_line(),
                "s" if in_body => {
                    let n = xml::attr(element, "c")
                        .and_then(|c| c.parse::<usize>().ok())
                        .unwrap_or(1);
                    for _ in 0..n.min(64) {
                        sink.push_char(' ');
                    }
                }
                "p" | "h" if !empty => paragraph_depth += 1,
                "tab" if in_body => sink.push_char('\t'),
                "line-break" if in_body => sink.push_char('\n'),
                "table-cell" if in_body => sink.cell_gap(),
                _ => {}
            },
            Node::Close { name } => match name {
                "p" | "h" => {
                    paragraph_depth = paragraph_depth.saturating_sub(1);
                    sink.end_line();
                }
                "table-row" => sink.end_line(),
                "page" if slides => {
                    let text =
                        std::mem::replace(&mut sink, TextSink::new(limits.max_text_chars)).finish();
                    pages.push(Page {
                        hidden,
                        ..Page::new(pages.len() as u32 + 1, text)
                    });
                }
                "body" => in_body = false,
                _ => {}
            },
            // ODF collapses white space inside paragraphs (explicit spaces are `text:s`), and
            // white space between elements is only indentation.
            Node::Text(t) if in_body && paragraph_depth > 0 => {
                let mut last_space = sink.ends_with_space();
                for c in t.chars() {
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
            Node::Text(_) => {}
        }
        Flow::Continue
    })?;
    if !slides {
        pages.push(Page::new(1, sink.finish()));
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_document_keeps_headings_paragraphs_and_spaces() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
            <text:h>Tausta</text:h><text:p>Asiakas<text:s text:c="2"/>ymmärrys<text:tab/>2017</text:p>
            <text:list><text:list-item><text:p>kohta</text:p></text:list-item></text:list>
            </office:text></office:body></office:document-content>"#;
        let pages = body_pages(xml, "content.xml", &Limits::default(), false).unwrap_or_default();
        assert_eq!(pages.len(), 1);
        assert_eq!(
            pages[0].text.trim(),
            "Tausta\nAsiakas  ymmärrys\t2017\nkohta"
        );
    }

    #[test]
    fn presentation_has_a_page_per_slide_with_notes() {
        let xml = r#"<office:document-content><office:body><office:presentation>
            <draw:page><draw:frame><draw:text-box><text:p>Yksi</text:p></draw:text-box></draw:frame>
              <presentation:notes><draw:frame><draw:text-box><text:p>Muistiinpano</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>
            <draw:page presentation:visibility="hidden"><text:p>Kaksi</text:p></draw:page>
            </office:presentation></office:body></office:document-content>"#;
        let pages = body_pages(xml, "content.xml", &Limits::default(), true).unwrap_or_default();
        let texts: Vec<_> = pages.iter().map(|p| p.text.trim().to_string()).collect();
        assert_eq!(texts, ["Yksi\nMuistiinpano", "Kaksi"]);
        assert!(!pages[0].hidden && pages[1].hidden);
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
