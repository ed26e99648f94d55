//! Legacy binary PowerPoint presentations (PowerPoint 97–2003 `.ppt`): one page per slide
//! in presentation order, with its speaker notes, hidden slides flagged.
//!
//! The `PowerPoint Document` stream is a tree of records. The slide list of the document
//! names the slides in order, each by a persist id; the persist directory (found through
//! the `Current User` stream and the chain of user edits) maps ids to the records holding
//! the slides and their notes. Placeholder text sits in the slide list itself, other text
//! in the shapes of each slide's drawing. When that machinery is damaged, the text of every
//! slide record is read in stream order instead.

use crate::ole::{read_stream, u16_at, u32_at};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Page};
use std::collections::HashMap;
use std::io::Cursor;

pub(crate) struct Ppt;

const DOCUMENT: u16 = 0x03E8;
const SLIDE: u16 = 0x03EE;
const NOTES: u16 = 0x03F0;
const NOTES_ATOM: u16 = 0x03F1;
const SLIDE_PERSIST_ATOM: u16 = 0x03F3;
const SLIDE_SHOW_INFO: u16 = 0x03F9;
const SLIDE_LIST_WITH_TEXT: u16 = 0x0FF0;
const TEXT_CHARS: u16 = 0x0FA0;
const TEXT_BYTES: u16 = 0x0FA8;
const USER_EDIT: u16 = 0x0FF5;
const PERSIST_DIRECTORY: u16 = 0x1772;
/// A shape of a drawing (OfficeArtSpContainer).
const SHAPE: u16 = 0xF004;
/// What a placeholder shape stands for: its type in the fifth byte (7 to 10: date, slide
/// number, footer, header).
const PLACEHOLDER_ATOM: u16 = 0x0BC3;

impl Extractor for Ppt {
    fn format(&self) -> Format {
        Format::Ppt
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
            .map_err(|e| Error::Corrupt(format!("not a readable OLE2 compound file ({e})")))?;
        if file.is_stream("/EncryptedSummary") {
            return Err(Error::Encrypted(
                "password-protected PowerPoint presentation (.ppt)".into(),
            ));
        }
        let meta = match read_stream(&mut file, "/\u{5}SummaryInformation", limits) {
            Ok(Some(s)) => crate::doc::summary_information(&s),
            Ok(None) | Err(_) => Default::default(),
        };
        let stream = read_stream(&mut file, "/PowerPoint Document", limits)?
            .ok_or_else(|| Error::MissingPart("PowerPoint Document stream".into()))?;
        let current_user = read_stream(&mut file, "/Current User", limits)?;
        let slides = match current_user
            .as_deref()
            .and_then(|cu| slides_in_order(&stream, cu, limits).transpose())
        {
            Some(Ok(slides)) if !slides.is_empty() => slides,
            Some(Err(e @ (Error::Encrypted(_) | Error::Timeout(_)))) => return Err(e),
            _ => slides_in_stream_order(&stream, limits)?,
        };
        let pages = slides
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let mut text = s.text;
                if !s.notes.trim().is_empty() {
                    text.push_str("\n\n");
                    text.push_str(s.notes.trim());
                }
                Page {
                    hidden: s.hidden,
                    ..Page::new(i as u32 + 1, text)
                }
            })
            .collect();
        Ok(Document {
            format: Format::Ppt,
            pages,
            meta,
            damaged: None,
        })
    }
}

/// One record: its type, instance, whether it is a container, and its body's bounds.
#[derive(Clone, Copy)]
struct Record {
    kind: u16,
    instance: u16,
    container: bool,
    start: usize,
    end: usize,
}

fn record_at(stream: &[u8], at: usize) -> Option<Record> {
    let ver_inst = u16_at(stream, at)?;
    let kind = u16_at(stream, at + 2)?;
    let len = u32_at(stream, at + 4)? as usize;
    let start = at + 8;
    let end = start.checked_add(len)?.min(stream.len());
    Some(Record {
        kind,
        instance: ver_inst >> 4,
        container: ver_inst & 0xF == 0xF,
        start,
        end,
    })
}

/// The records directly inside `[start, end)`.
fn children(stream: &[u8], start: usize, end: usize) -> impl Iterator<Item = Record> + '_ {
    let mut at = start;
    std::iter::from_fn(move || {
        if at + 8 > end {
            return None;
        }
        let r = record_at(stream, at)?;
        at = r.end.max(at + 8);
        Some(r)
    })
}

/// The text of one text atom, paragraph and line breaks as line ends.
fn atom_text(stream: &[u8], r: &Record) -> Option<String> {
    let body = stream.get(r.start..r.end)?;
    let raw: String = match r.kind {
        TEXT_CHARS => {
            let units = body
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{fffd}'))
                .collect()
        }
        // Each byte is the low byte of a UTF-16 unit: Latin-1, not Windows-1252.
        TEXT_BYTES => body.iter().map(|&b| char::from(b)).collect(),
        _ => return None,
    };
    let text: String = raw
        .chars()
        .map(|c| match c {
            '\r' | '\u{b}' => '\n',
            c => c,
        })
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    // "*" is the stored text of a slide-number field: the number is drawn, not written.
    Some(text.trim().to_string()).filter(|t| !t.is_empty() && t != "*")
}

/// Text atoms anywhere under a record, in order, bounded in depth.
fn texts_under(stream: &[u8], r: &Record, depth: u32, out: &mut Vec<String>) {
    text_of_shapes(stream, r, depth, false, out);
}

/// The text of a notes page: its notes, without the header, footer, date and page number
/// that the page prints around them (shapes whose placeholder is one of those).
fn notes_text(stream: &[u8], r: &Record, depth: u32, out: &mut Vec<String>) {
    text_of_shapes(stream, r, depth, true, out);
}

fn text_of_shapes(
    stream: &[u8],
    r: &Record,
    depth: u32,
    no_furniture: bool,
    out: &mut Vec<String>,
) {
    if depth > 32 {
        return;
    }
    for child in children(stream, r.start, r.end) {
        if no_furniture
            && child.kind == SHAPE
            && child.container
            && page_furniture(stream, &child, 0)
        {
            continue;
        }
        if child.container {
            text_of_shapes(stream, &child, depth + 1, no_furniture, out);
        } else if let Some(t) = atom_text(stream, &child) {
            out.push(t);
        }
    }
}

/// Whether a shape is a placeholder for a date, slide number, footer or header.
fn page_furniture(stream: &[u8], r: &Record, depth: u32) -> bool {
    depth <= 8
        && children(stream, r.start, r.end).any(|child| {
            if child.container {
                page_furniture(stream, &child, depth + 1)
            } else {
                child.kind == PLACEHOLDER_ATOM
                    && stream
                        .get(child.start + 4)
                        .is_some_and(|kind| (0x07..=0x0A).contains(kind))
            }
        })
}

struct Slide {
    text: String,
    notes: String,
    hidden: bool,
}

/// Slides through the persist directory and the document's slide list.
fn slides_in_order(
    stream: &[u8],
    current_user: &[u8],
    limits: &Limits,
) -> Result<Option<Vec<Slide>>, Error> {
    let Some(mut edit_at) = u32_at(current_user, 16).map(|o| o as usize) else {
        return Ok(None);
    };
    // Persist id to stream offset, the newest edit first.
    let mut directory: HashMap<u32, usize> = HashMap::new();
    let mut document_id = None;
    for _ in 0..256 {
        limits.check_time()?;
        let Some(edit) = record_at(stream, edit_at).filter(|r| r.kind == USER_EDIT) else {
            break;
        };
        let field = |off: usize| u32_at(stream, edit.start + off);
        if document_id.is_none() {
            document_id = field(16);
            // An encrypted session reference appears in the newest edit only.
            if edit.end - edit.start >= 0x20 && field(0x1C).is_some_and(|id| id != 0) {
                return Err(Error::Encrypted(
                    "password-protected PowerPoint presentation (.ppt)".into(),
                ));
            }
        }
        if let Some(dir) = field(12)
            .and_then(|o| record_at(stream, o as usize))
            .filter(|r| r.kind == PERSIST_DIRECTORY)
        {
            let mut at = dir.start;
            while at + 4 <= dir.end {
                let Some(head) = u32_at(stream, at) else {
                    break;
                };
                let (first, count) = (head & 0x000F_FFFF, (head >> 20) as usize);
                at += 4;
                for i in 0..count {
                    let Some(offset) = u32_at(stream, at + i * 4) else {
                        break;
                    };
                    directory.entry(first + i as u32).or_insert(offset as usize);
                }
                at += count * 4;
            }
        }
        match field(8) {
            Some(previous) if previous != 0 && previous as usize != edit_at => {
                edit_at = previous as usize
            }
            _ => break,
        }
    }
    let Some(document) = document_id
        .and_then(|id| directory.get(&id))
        .and_then(|&at| record_at(stream, at))
        .filter(|r| r.kind == DOCUMENT)
    else {
        return Ok(None);
    };
    // Notes name the slide they belong to (the slide's reference to them is often left 0).
    let mut notes_by_slide: HashMap<u32, String> = HashMap::new();
    for &at in directory.values() {
        let Some(notes) = record_at(stream, at).filter(|r| r.kind == NOTES && r.container) else {
            continue;
        };
        let slide_id = children(stream, notes.start, notes.end)
            .find(|r| r.kind == NOTES_ATOM)
            .and_then(|r| u32_at(stream, r.start));
        if let Some(id) = slide_id.filter(|id| *id != 0) {
            let mut texts = Vec::new();
            notes_text(stream, &notes, 0, &mut texts);
            notes_by_slide.insert(id, texts.join("\n"));
        }
    }
    let mut slides = Vec::new();
    for list in children(stream, document.start, document.end)
        .filter(|r| r.kind == SLIDE_LIST_WITH_TEXT && r.instance == 0)
    {
        // (persist id, slide id, placeholder texts) of the slide being read.
        let mut current: Option<(u32, u32, Vec<String>)> = None;
        let finish = |current: Option<(u32, u32, Vec<String>)>, slides: &mut Vec<Slide>| {
            if let Some((id, slide_id, placeholders)) = current {
                let mut s = slide(stream, &directory, id, placeholders);
                s.notes = notes_by_slide.get(&slide_id).cloned().unwrap_or_default();
                slides.push(s);
            }
        };
        for r in children(stream, list.start, list.end) {
            limits.check_time()?;
            if r.kind == SLIDE_PERSIST_ATOM {
                finish(current.take(), &mut slides);
                current = u32_at(stream, r.start)
                    .map(|id| (id, u32_at(stream, r.start + 12).unwrap_or(0), Vec::new()));
            } else if let (Some((_, _, texts)), Some(t)) = (current.as_mut(), atom_text(stream, &r))
            {
                texts.push(t);
            }
        }
        finish(current.take(), &mut slides);
    }
    Ok(Some(slides))
}

/// A slide's text: its placeholders' text from the slide list, then the text of its other
/// shapes; whether it is hidden.
fn slide(
    stream: &[u8],
    directory: &HashMap<u32, usize>,
    id: u32,
    placeholders: Vec<String>,
) -> Slide {
    let mut texts = placeholders;
    let mut hidden = false;
    if let Some(container) = directory
        .get(&id)
        .and_then(|&at| record_at(stream, at))
        .filter(|r| r.kind == SLIDE)
    {
        let mut own = Vec::new();
        texts_under(stream, &container, 0, &mut own);
        // A placeholder's text may stand in the slide's drawing too: each one there cancels
        // one equal text of the drawing, no more, so that boxes of the same text (a form's
        // five "Uni:" fields) all stay.
        let mut listed: HashMap<String, usize> = HashMap::new();
        for t in &texts {
            *listed.entry(t.clone()).or_default() += 1;
        }
        for t in own {
            match listed.get_mut(&t).filter(|n| **n > 0) {
                Some(n) => *n -= 1,
                None => texts.push(t),
            }
        }
        if let Some(info) =
            children(stream, container.start, container.end).find(|r| r.kind == SLIDE_SHOW_INFO)
        {
            hidden = u16_at(stream, info.start + 10).is_some_and(|flags| flags & 0x0004 != 0);
        }
    }
    Slide {
        text: texts.join("\n"),
        notes: String::new(),
        hidden,
    }
}

/// Fallback for damaged persist structures: the text of each slide record as it comes,
/// each notes record joined to the slide before it.
fn slides_in_stream_order(stream: &[u8], limits: &Limits) -> Result<Vec<Slide>, Error> {
    let mut slides: Vec<Slide> = Vec::new();
    for r in children(stream, 0, stream.len()) {
        limits.check_time()?;
        let mut texts = Vec::new();
        match r.kind {
            SLIDE => {
                texts_under(stream, &r, 0, &mut texts);
                slides.push(Slide {
                    text: texts.join("\n"),
                    notes: String::new(),
                    hidden: false,
                });
            }
            NOTES => {
                notes_text(stream, &r, 0, &mut texts);
                if let Some(last) = slides.last_mut() {
                    last.notes = texts.join("\n");
                }
            }
            _ => {}
        }
    }
    if slides.is_empty() {
        return Err(Error::Corrupt(
            "PowerPoint Document stream holds no slides".into(),
        ));
    }
    Ok(slides)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn rec(kind: u16, instance: u16, body: &[u8]) -> Vec<u8> {
        let mut out = (instance << 4).to_le_bytes().to_vec();
        out.extend(kind.to_le_bytes());
        out.extend((body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn container(kind: u16, instance: u16, parts: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = parts.concat();
        let mut out = ((instance << 4) | 0xF).to_le_bytes().to_vec();
        out.extend(kind.to_le_bytes());
        out.extend((body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn chars(text: &str) -> Vec<u8> {
        rec(
            TEXT_CHARS,
            0,
            &text
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<_>>(),
        )
    }

    fn bytes(text: &[u8]) -> Vec<u8> {
        rec(TEXT_BYTES, 0, text)
    }

    /// A presentation of two slides stored in the opposite order, the second hidden, the
    /// first with notes.
    fn presentation() -> (Vec<u8>, Vec<u8>) {
        let mut stream = Vec::new();
        let mut offsets = HashMap::new();
        let drawing = |t: &[u8]| container(0x040C, 0, &[container(0xF00D, 0, &[bytes(t)])]);
        // Persist 4: notes of slide 1.
        offsets.insert(4u32, stream.len());
        stream.extend(container(
            NOTES,
            0,
            &[
                rec(NOTES_ATOM, 0, &[0, 1, 0, 0, 0, 0, 0, 0]),
                drawing(b"Puhujan muistiinpano"),
                // The notes page's header placeholder: printed on the page, not a note.
                container(
                    0x040C,
                    0,
                    &[container(
                        SHAPE,
                        0,
                        &[
                            container(
                                0xF011,
                                0,
                                &[rec(PLACEHOLDER_ATOM, 0, &[0, 0, 0, 0, 0x0A, 0, 0, 0])],
                            ),
                            container(0xF00D, 0, &[bytes(b"Yl\xe4tunniste")]),
                        ],
                    )],
                ),
            ],
        ));
        // Persist 3: slide 2, hidden.
        offsets.insert(3u32, stream.len());
        let mut show = vec![0u8; 16];
        show[10] = 0x04;
        stream.extend(container(
            SLIDE,
            0,
            &[rec(SLIDE_SHOW_INFO, 0, &show), drawing(b"Toinen laatikko")],
        ));
        // Persist 2: slide 1 (slide id 256, which its notes name).
        offsets.insert(2u32, stream.len());
        // Its drawing holds the title placeholder's text again, which counts once, and two
        // boxes of the same text, which both count.
        let boxes = container(
            0x040C,
            0,
            &[container(
                0xF00D,
                0,
                &[
                    bytes(b"Otsikko\rAlaotsikko"),
                    bytes(b"Laatikko \xe4"),
                    bytes(b"Uni:"),
                    bytes(b"Uni:"),
                ],
            )],
        );
        stream.extend(container(SLIDE, 0, &[boxes]));
        // Persist 1: the document with its slide list.
        offsets.insert(1u32, stream.len());
        let persist = |id: u32| {
            let mut b = id.to_le_bytes().to_vec();
            b.extend([0u8; 8]);
            b.extend((254 + id).to_le_bytes());
            b.extend([0u8; 4]);
            rec(SLIDE_PERSIST_ATOM, 0, &b)
        };
        stream.extend(container(
            DOCUMENT,
            0,
            &[container(
                SLIDE_LIST_WITH_TEXT,
                0,
                &[
                    persist(2),
                    chars("Otsikko\rAlaotsikko"),
                    persist(3),
                    chars("Toinen dia"),
                ],
            )],
        ));
        let dir_at = stream.len();
        let mut dir = (1u32 | (4 << 20)).to_le_bytes().to_vec();
        for id in 1..=4u32 {
            dir.extend((offsets[&id] as u32).to_le_bytes());
        }
        stream.extend(rec(PERSIST_DIRECTORY, 0, &dir));
        let edit_at = stream.len();
        let mut edit = vec![0u8; 0x1C];
        edit[12..16].copy_from_slice(&(dir_at as u32).to_le_bytes());
        edit[16..20].copy_from_slice(&1u32.to_le_bytes());
        stream.extend(rec(USER_EDIT, 0, &edit));
        let mut current_user = vec![0u8; 24];
        current_user[16..20].copy_from_slice(&(edit_at as u32).to_le_bytes());
        (stream, current_user)
    }

    #[test]
    fn slides_in_presentation_order_with_notes_and_hidden() {
        let (stream, cu) = presentation();
        let slides = slides_in_order(&stream, &cu, &Limits::default())
            .ok()
            .flatten()
            .unwrap_or_default();
        let texts: Vec<&str> = slides.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Otsikko\nAlaotsikko\nLaatikko ä\nUni:\nUni:",
                "Toinen dia\nToinen laatikko"
            ]
        );
        assert_eq!(slides[0].notes, "Puhujan muistiinpano");
        assert!(!slides[0].hidden && slides[1].hidden);
    }

    #[test]
    fn damaged_directories_fall_back_to_stream_order() {
        let (stream, _) = presentation();
        let slides = slides_in_order(&stream, &[0u8; 24], &Limits::default());
        assert!(matches!(slides, Ok(None)));
        let fallback = slides_in_stream_order(&stream, &Limits::default()).unwrap_or_default();
        let texts: Vec<&str> = fallback.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Toinen laatikko",
                "Otsikko\nAlaotsikko\nLaatikko ä\nUni:\nUni:"
            ]
        );
    }

    #[test]
    fn reads_a_compound_file() {
        let (stream, cu) = presentation();
        let mut file = match cfb::CompoundFile::create(Cursor::new(Vec::new())) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        for (name, data) in [("/PowerPoint Document", &stream), ("/Current User", &cu)] {
            if let Ok(mut s) = file.create_stream(name) {
                let _ = s.write_all(data);
            }
        }
        let _ = file.flush();
        let bytes = file.into_inner().into_inner();
        let doc = Ppt.extract(&bytes, &Limits::default());
        let doc = match doc {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(doc.pages.len(), 2);
        assert!(doc.pages[0].text.ends_with("\n\nPuhujan muistiinpano"));
        assert!(doc.pages[1].hidden);
    }
}
