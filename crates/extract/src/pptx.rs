//! PresentationML (PPTX, PPTM, PPSX, POTX): one page per slide in presentation order, the
//! slide's speaker notes after its own text.

use crate::ooxml;
use crate::package::Package;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Page};

pub(crate) struct Pptx;

impl Extractor for Pptx {
    fn format(&self) -> Format {
        Format::Pptx
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut package = Package::open(bytes, limits)?;
        let main = ooxml::relationships(&mut package, "", limits)?
            .into_iter()
            .find(|r| r.kind.ends_with("/officeDocument"))
            .map(|r| r.target)
            .filter(|t| package.find(t).is_some())
            .unwrap_or_else(|| "ppt/presentation.xml".to_string());
        let meta = ooxml::core_properties(&mut package, limits)?;
        let slides = slide_parts(&mut package, &main, limits)?;
        let mut pages = Vec::with_capacity(slides.len());
        for (i, slide) in slides.iter().enumerate() {
            limits.check_time()?;
            let slide_xml = package.read_xml(slide)?;
            let (mut text, hidden) = slide_text(&slide_xml, slide, limits)?;
            let notes = ooxml::relationships(&mut package, slide, limits)?
                .into_iter()
                .find(|r| r.kind.ends_with("/notesSlide"))
                .map(|r| r.target);
            if let Some(notes) = notes.filter(|n| package.find(n).is_some()) {
                let notes_xml = package.read_xml(&notes)?;
                let (notes_text, _) = slide_text(&notes_xml, &notes, limits)?;
                if !notes_text.trim().is_empty() {
                    if !text.is_empty() {
                        text.push_str("\n\n");
                    }
                    text.push_str(&notes_text);
                }
            }
            pages.push(Page {
                hidden,
                ..Page::new(i as u32 + 1, text)
            });
        }
        Ok(Document {
            format: Format::Pptx,
            pages,
            meta,
        })
    }
}

/// Slide parts in the order of `p:sldIdLst`, resolved through the presentation's
/// relationships: file names say nothing about order (slide10 may come before slide2).
fn slide_parts(
    package: &mut Package<'_>,
    main: &str,
    limits: &Limits,
) -> Result<Vec<String>, Error> {
    let presentation = package.read_xml(main)?;
    let mut ids = Vec::new();
    xml::walk(&presentation, main, limits, |node| {
        if let Node::Open {
            name: "sldId",
            element,
            ..
        } = node
        {
            if let Some(id) = xml::attr_qualified(element, "r:id")
                .or_else(|| xml::attr(element, "id").filter(|v| v.starts_with("rId")))
            {
                ids.push(id);
            }
        }
        Flow::Continue
    })?;
    let rels = ooxml::relationships(package, main, limits)?;
    Ok(ids
        .iter()
        .filter_map(|id| rels.iter().find(|r| &r.id == id))
        .map(|r| r.target.clone())
        .filter(|t| package.find(t).is_some())
        .collect())
}

/// Text of a slide or notes part: paragraphs on lines, table cells separated by tabs. The
/// slide-number field of a notes page is layout, not text. Also tells whether the slide is
/// hidden (`show="0"`).
fn slide_text(xml_text: &str, part: &str, limits: &Limits) -> Result<(String, bool), Error> {
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut in_text = false;
    let mut hidden = false;
    xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => match name {
                "sld" => {
                    hidden = xml::attr(element, "show").is_some_and(|v| v == "0" || v == "false")
                }
                "t" => in_text = !empty,
                "br" => sink.push_char('\n'),
                "tc" => sink.cell_gap(),
                "fld" if xml::attr(element, "type").is_some_and(|t| t == "slidenum") => {
                    return Flow::SkipChildren;
                }
                "Fallback" | "rPr" | "pPr" | "bodyPr" | "spPr" | "extLst" => {
                    return Flow::SkipChildren;
                }
                _ => {}
            },
            Node::Close { name } => match name {
                "t" => in_text = false,
                "p" | "tr" => sink.end_line(),
                _ => {}
            },
            Node::Text(t) if in_text => sink.push(t),
            Node::Text(_) => {}
        }
        Flow::Continue
    })?;
    Ok((sink.finish(), hidden))
}
