//! A thin, bounded walk over XML parts. Formats describe what to do with elements and text;
//! this module resolves entities, limits nesting and turns parser errors into [`Error::Xml`]
//! naming the part.

use crate::{Error, Limits};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// Decodes an XML part to text: UTF-8 (with or without BOM) or UTF-16 with BOM.
pub(crate) fn decode(bytes: &[u8], part: &str) -> Result<String, Error> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, part);
    }
    let utf16 = |le: bool, rest: &[u8]| {
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(utf16(true, rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(utf16(false, rest));
    }
    utf8(bytes, part)
}

fn utf8(bytes: &[u8], part: &str) -> Result<String, Error> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        // Damaged bytes in one run of text should not cost the whole document.
        Err(e) if e.valid_up_to() > 0 || bytes.len() > 16 => {
            Ok(String::from_utf8_lossy(bytes).into_owned())
        }
        Err(e) => Err(Error::Xml {
            part: part.to_string(),
            message: e.to_string(),
        }),
    }
}

/// What the walk reports to a format's handler.
pub(crate) enum Node<'a, 'x> {
    /// An element opened; `empty` when it is self-closing (no `End` follows).
    Open {
        name: &'a str,
        element: &'a BytesStart<'x>,
        empty: bool,
    },
    Close {
        name: &'a str,
    },
    Text(&'a str),
}

/// Whether the handler wants the walk to enter the element just opened.
#[derive(PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// Skip everything up to the matching end tag (no events are reported for it).
    SkipChildren,
}

/// Walks `xml`, calling `handle` for each element and run of text, names without their
/// namespace prefix. Stops at `limits.max_xml_depth` or the deadline.
///
/// Of each `mc:AlternateContent` only the first branch is walked: the branches are the same
/// content in different encodings (a shape and its picture fallback, say), and a reader sees
/// one of them.
pub(crate) fn walk(
    xml: &str,
    part: &str,
    limits: &Limits,
    handle: impl FnMut(Node<'_, '_>) -> Flow,
) -> Result<(), Error> {
    walk_branches(xml, part, limits, false, handle)
}

/// [`walk`], but with `every_branch` each branch of an `mc:AlternateContent` is walked, for
/// a handler that chooses among them itself.
pub(crate) fn walk_branches(
    xml: &str,
    part: &str,
    limits: &Limits,
    every_branch: bool,
    mut handle: impl FnMut(Node<'_, '_>) -> Flow,
) -> Result<(), Error> {
    let mut reader = Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.expand_empty_elements = false;
    let err = |message: String| Error::Xml {
        part: part.to_string(),
        message,
    };
    let mut depth = 0usize;
    let mut skip_to: Option<usize> = None;
    // Depth of each open AlternateContent and whether one of its branches was taken.
    let mut alternates: Vec<(usize, bool)> = Vec::new();
    let mut events = 0u32;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| err(format!("{e} at byte {}", reader.buffer_position())))?;
        events = events.wrapping_add(1);
        // At the first event too, so that a part read after the deadline (a small flat ODF
        // file has no other check) stops rather than being read whole.
        if events % 4096 == 1 {
            limits.check_time()?;
        }
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth > limits.max_xml_depth {
                    return Err(Error::TooLarge(format!(
                        "XML part {part} nests deeper than {} elements",
                        limits.max_xml_depth
                    )));
                }
                if skip_to.is_some() {
                    continue;
                }
                let name = local(e.name().0);
                if let Some((_, taken)) = alternates.last_mut().filter(|(at, _)| *at + 1 == depth)
                    && matches!(name, "Choice" | "Fallback")
                {
                    if *taken && !every_branch {
                        skip_to = Some(depth);
                        continue;
                    }
                    *taken = true;
                }
                if name == "AlternateContent" {
                    alternates.push((depth, false));
                }
                let flow = handle(Node::Open {
                    name,
                    element: &e,
                    empty: false,
                });
                if flow == Flow::SkipChildren {
                    skip_to = Some(depth);
                }
            }
            Event::Empty(e) if skip_to.is_none() => {
                let name = local(e.name().0);
                handle(Node::Open {
                    name,
                    element: &e,
                    empty: true,
                });
            }
            Event::End(e) => {
                match skip_to {
                    Some(d) if d == depth => skip_to = None,
                    Some(_) => {
                        depth = depth.saturating_sub(1);
                        continue;
                    }
                    None => {}
                }
                if alternates.last().is_some_and(|(at, _)| *at == depth) {
                    alternates.pop();
                }
                depth = depth.saturating_sub(1);
                handle(Node::Close {
                    name: local(e.name().0),
                });
            }
            Event::Text(t) if skip_to.is_none() => {
                handle(Node::Text(&t.xml10_content()));
            }
            Event::CData(t) if skip_to.is_none() => {
                let raw = t.into_inner();
                handle(Node::Text(&raw));
            }
            Event::GeneralRef(r) if skip_to.is_none() => {
                let resolved: Cow<'_, str> = match r.resolve_char_ref() {
                    Ok(Some(c)) => Cow::Owned(c.to_string()),
                    // XML's own five, and the HTML names that hand-made XML uses as if
                    // they were XML's (`&auml;`, `&nbsp;`): a reader sees the letter.
                    Ok(None) => match quick_xml::escape::resolve_html5_entity(&r) {
                        Some(s) => Cow::Borrowed(s),
                        None => Cow::Owned(format!("&{};", &*r)),
                    },
                    Err(_) => Cow::Borrowed(""),
                };
                handle(Node::Text(&resolved));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

fn local(qname: &str) -> &str {
    match qname.as_bytes().iter().rposition(|&b| b == b':') {
        Some(i) => qname.get(i + 1..).unwrap_or(qname),
        None => qname,
    }
}

/// The value of an attribute by its local name, entities resolved.
pub(crate) fn attr(element: &BytesStart<'_>, local_name: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| local(a.key.0) == local_name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// The value of an attribute by its full qualified name (`r:id`), for formats where two
/// namespaces use the same local name.
pub(crate) fn attr_qualified(element: &BytesStart<'_>, qname: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| a.key.0 == qname)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// Collects text into lines, so that handlers can say "a paragraph ends here" without
/// producing runs of blank lines.
#[derive(Default)]
pub(crate) struct TextSink {
    out: String,
    max_chars: usize,
    chars: usize,
}

impl TextSink {
    pub(crate) fn new(max_chars: usize) -> TextSink {
        TextSink {
            out: String::new(),
            max_chars,
            chars: 0,
        }
    }

    pub(crate) fn push(&mut self, text: &str) {
        if self.chars >= self.max_chars {
            return;
        }
        let n = text.chars().count();
        if self.chars + n > self.max_chars {
            let keep: String = text.chars().take(self.max_chars - self.chars).collect();
            self.out.push_str(&keep);
            self.chars = self.max_chars;
        } else {
            self.out.push_str(text);
            self.chars += n;
        }
    }

    pub(crate) fn push_char(&mut self, c: char) {
        if self.chars < self.max_chars {
            self.out.push(c);
            self.chars += 1;
        }
    }

    /// True at the start of a line or after a space, where collapsed white space adds nothing.
    pub(crate) fn ends_with_space(&self) -> bool {
        self.out.is_empty() || self.out.ends_with([' ', '\n', '\t'])
    }

    /// Ends the current line unless the text already ends one (or is empty). Spaces and
    /// empty cells at the end of the line go.
    pub(crate) fn end_line(&mut self) {
        self.trim_end_of(&[' ', '\t']);
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.push_char('\n');
        }
    }

    fn trim_end_of(&mut self, chars: &[char]) {
        while self.out.ends_with(chars) {
            self.out.pop();
            self.chars = self.chars.saturating_sub(1);
        }
    }

    /// A word gap: a space unless the text already ends in white space or is empty.
    pub(crate) fn space(&mut self) {
        if !self.ends_with_space() {
            self.push_char(' ');
        }
    }

    /// Appends a block written elsewhere (a text box, a chart) on lines of its own.
    pub(crate) fn push_block(&mut self, text: &str) {
        let text = text.trim_matches(['\n', ' ']);
        if text.is_empty() {
            return;
        }
        self.end_line();
        self.push(text);
        self.end_line();
    }

    /// Separates cells of a table row; a row's last cell is followed by a line end instead.
    pub(crate) fn cell_gap(&mut self) {
        self.trim_end_of(&[' ']);
        if !self.out.is_empty() && !self.out.ends_with(['\n', '\t']) {
            self.push_char('\t');
        }
    }

    pub(crate) fn finish(self) -> String {
        let trimmed_len = self.out.trim_end().len();
        let mut out = self.out;
        out.truncate(trimmed_len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xml: &str) -> Result<String, Error> {
        let mut out = String::new();
        walk(xml, "test.xml", &Limits::default(), |n| {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Open { name: "skip", .. } => return Flow::SkipChildren,
                _ => {}
            }
            Flow::Continue
        })?;
        Ok(out)
    }

    #[test]
    fn resolves_entities_and_skips_subtrees() {
        let r = texts("<a>x &amp; y &#228;&#xF6; <skip><b>no</b></skip>z</a>");
        assert_eq!(r.ok().as_deref(), Some("x & y äö z"));
    }

    #[test]
    fn takes_one_branch_of_alternate_content() {
        let r = texts(
            "<a><mc:AlternateContent><mc:Choice Requires=\"wps\">yksi</mc:Choice>\
             <mc:Choice Requires=\"x\">kaksi</mc:Choice><mc:Fallback>kolme</mc:Fallback>\
             </mc:AlternateContent> <mc:AlternateContent><mc:Fallback>neljä</mc:Fallback>\
             </mc:AlternateContent></a>",
        );
        assert_eq!(r.ok().as_deref(), Some("yksi neljä"));
    }

    #[test]
    fn reports_malformed_xml_with_its_part() {
        match texts("<a><b></a") {
            Err(Error::Xml { part, .. }) => assert_eq!(part, "test.xml"),
            other => panic!("expected an XML error, got {other:?}"),
        }
    }

    #[test]
    fn bounds_nesting_depth() {
        let deep = "<a>".repeat(10_000);
        assert!(matches!(texts(&deep), Err(Error::TooLarge(_))));
    }

    #[test]
    fn decodes_utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("<a>ä</a>".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&bytes, "p").ok().as_deref(), Some("<a>ä</a>"));
    }

    #[test]
    fn sink_collapses_line_ends_and_caps_length() {
        let mut s = TextSink::new(5);
        s.end_line();
        s.push("abc");
        s.end_line();
        s.end_line();
        s.push("defgh");
        assert_eq!(s.finish(), "abc\nd");
    }
}
