//! PresentationML (PPTX, PPTM, PPSX, POTX): one page per slide in presentation order, each
//! with the text of its shapes (groups, tables, charts, SmartArt, embedded documents), the
//! text its layout and master put on it, and its speaker notes.

use crate::drawingml::{self, Kind, ShapesText};
use crate::ooxml::{self, Relationship, Resolver};
use crate::package::Package;
use crate::xml::{self, Flow, Node};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Page};
use std::collections::HashMap;

pub(crate) struct Pptx;

impl Extractor for Pptx {
    fn format(&self) -> Format {
        Format::Pptx
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut package = Package::open(bytes, limits)?;
        let main = ooxml::main_part(&mut package, limits, "ppt/presentation.xml")?;
        if package.find(&main).is_none() {
            return Err(Error::MissingPart(main));
        }
        let meta = ooxml::core_properties(&mut package, limits)?;
        let slides = slide_parts(&mut package, &main, limits)?;
        // Layouts and masters are shared by many slides: read each once.
        let mut inherited: HashMap<String, Inherited> = HashMap::new();
        let mut pages = Vec::with_capacity(slides.len());
        for (i, slide) in slides.iter().enumerate() {
            limits.check_time()?;
            let rels = ooxml::relationships(&mut package, slide, limits)?;
            let slide_xml = package.read_xml(slide)?;
            let shapes = {
                let mut resolver = Resolver::new(&mut package, limits);
                let shapes =
                    drawingml::shapes_text(&slide_xml, slide, limits, Kind::Slide, &mut |r| {
                        resolver.resolve(&rels, r)
                    })?;
                if let Some(e) = resolver.fatal {
                    return Err(e);
                }
                shapes
            };
            // A slide with no words of its own that shows a picture: a screenshot or a
            // scanned page, whose writing OCR may read.
            let pictured = crate::without_words(&shapes.text)
                && ooxml::picture_parts(&mut package, &slide_xml, slide, &rels, limits).is_ok_and(
                    |parts| (parts.iter()).any(|part| crate::ocr_picture(&mut package, part)),
                );
            let mut text = shapes.text;
            let inherited_text = layout_text(
                &mut package,
                &rels,
                shapes.show_master,
                limits,
                &mut inherited,
            )?;
            push_section(&mut text, &inherited_text);
            if let Some(notes) = rel_of_kind(&package, &rels, "/notesSlide") {
                let notes_text = part_text(&mut package, &notes, Kind::Notes, limits)?;
                push_section(&mut text, &notes_text.text);
            }
            pages.push(Page {
                hidden: shapes.hidden,
                pictured,
                ..Page::new(i as u32 + 1, text)
            });
        }
        Ok(Document {
            format: Format::Pptx,
            pages,
            meta,
            damaged: None,
        })
    }
}

/// The pictures each slide shows (slide number, part), in presentation order: what OCR reads
/// of a presentation without text, slides saved as pictures, say. A layout's or master's
/// pictures are logos and backgrounds, and are left out.
pub(crate) fn pictures(bytes: &[u8], limits: &Limits) -> Result<Vec<(u32, String)>, Error> {
    let mut package = Package::open(bytes, limits)?;
    let main = ooxml::main_part(&mut package, limits, "ppt/presentation.xml")?;
    let slides = slide_parts(&mut package, &main, limits)?;
    let mut pictures = Vec::new();
    for (slide, n) in slides.iter().zip(1u32..) {
        limits.check_time()?;
        let rels = ooxml::relationships(&mut package, slide, limits)?;
        let xml_text = package.read_xml(slide)?;
        for part in ooxml::picture_parts(&mut package, &xml_text, slide, &rels, limits)? {
            pictures.push((n, part));
        }
    }
    Ok(pictures)
}

fn push_section(text: &mut String, section: &str) {
    if section.trim().is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(section);
}

fn rel_of_kind(package: &Package<'_>, rels: &[Relationship], kind: &str) -> Option<String> {
    rels.iter()
        .find(|r| r.kind.ends_with(kind))
        .map(|r| r.target.clone())
        .filter(|t| package.find(t).is_some())
}

/// Text of a notes, layout or master part with its charts and SmartArt. A damaged notes or
/// layout part costs only its own text, never the slide's.
fn part_text(
    package: &mut Package<'_>,
    part: &str,
    kind: Kind,
    limits: &Limits,
) -> Result<ShapesText, Error> {
    let read = |package: &mut Package<'_>| -> Result<ShapesText, Error> {
        let rels = ooxml::relationships(package, part, limits)?;
        let xml_text = package.read_xml(part)?;
        let mut resolver = Resolver::new(package, limits);
        let shapes = drawingml::shapes_text(&xml_text, part, limits, kind, &mut |r| {
            resolver.resolve(&rels, r)
        })?;
        if let Some(e) = resolver.fatal {
            return Err(e);
        }
        Ok(shapes)
    };
    match read(package) {
        Ok(shapes) => Ok(shapes),
        Err(e @ Error::Timeout(_)) => Err(e),
        Err(_) => Ok(ShapesText {
            text: String::new(),
            hidden: false,
            show_master: true,
        }),
    }
}

/// Text that the slide's layout and master draw on it: shapes of theirs that are not
/// placeholders (a logo's caption, a fixed footer line), unless the slide or layout hides
/// the master's shapes. Placeholders of a layout are only prompts, which a slide replaces
/// with its own text.
fn layout_text(
    package: &mut Package<'_>,
    slide_rels: &[Relationship],
    slide_shows_master: bool,
    limits: &Limits,
    cache: &mut HashMap<String, Inherited>,
) -> Result<String, Error> {
    let mut out = String::new();
    let Some(layout) = rel_of_kind(package, slide_rels, "/slideLayout") else {
        return Ok(out);
    };
    let layout = cached_text(package, &layout, limits, cache)?;
    if slide_shows_master
        && layout.show_master
        && let Some(master) = &layout.master
    {
        let master = cached_text(package, master, limits, cache)?;
        push_section(&mut out, &master.text);
    }
    push_section(&mut out, &layout.text);
    // A layout often repeats shapes of its master (a title bar, a menu), drawn over one
    // another: a reader sees each line once.
    let mut seen = std::collections::HashSet::new();
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.trim().is_empty() || seen.insert(l.trim()))
        .collect();
    Ok(lines.join("\n"))
}

/// A layout's or master's own text, read once per presentation.
#[derive(Clone)]
struct Inherited {
    text: String,
    show_master: bool,
    /// The master a layout is based on.
    master: Option<String>,
}

fn cached_text(
    package: &mut Package<'_>,
    part: &str,
    limits: &Limits,
    cache: &mut HashMap<String, Inherited>,
) -> Result<Inherited, Error> {
    if let Some(hit) = cache.get(part) {
        return Ok(hit.clone());
    }
    let shapes = part_text(package, part, Kind::Master, limits)?;
    let rels = ooxml::relationships(package, part, limits).unwrap_or_default();
    let entry = Inherited {
        text: shapes.text,
        show_master: shapes.show_master,
        master: rel_of_kind(package, &rels, "/slideMaster"),
    };
    cache.insert(part.to_string(), entry.clone());
    Ok(entry)
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
        match node {
            Node::Open {
                name: "sldId",
                element,
                ..
            } => {
                if let Some(id) = xml::attr_qualified(element, "r:id").or_else(|| {
                    // The relationships namespace under another prefix.
                    element
                        .attributes()
                        .with_checks(false)
                        .filter_map(Result::ok)
                        .find(|a| a.key.0.ends_with(":id"))
                        .map(|a| a.value.into_owned())
                }) {
                    ids.push(id);
                }
            }
            // Masters, notes masters and handout lists share the element names.
            Node::Open {
                name: "sldMasterIdLst" | "notesMasterIdLst" | "handoutMasterIdLst" | "extLst",
                ..
            } => return Flow::SkipChildren,
            _ => {}
        }
        Flow::Continue
    })?;
    let rels = ooxml::relationships(package, main, limits)?;
    ooxml::distinct_targets(package, &rels, &ids, limits)
}
