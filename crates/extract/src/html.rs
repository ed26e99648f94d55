//! HTML pages saved on the drive: visible text with block structure kept as lines. A small
//! tolerant tokenizer, since saved pages are rarely well-formed XML.

use crate::text::{capped, decode};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page};
use std::borrow::Cow;

pub(crate) struct Html;

impl Extractor for Html {
    fn format(&self) -> Format {
        Format::Html
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let source = decode(bytes);
        let (text, title) = visible_text(&source);
        Ok(Document {
            format: Format::Html,
            pages: vec![Page::new(1, capped(text, limits))],
            meta: Meta {
                title,
                ..Meta::default()
            },
            damaged: None,
        })
    }
}

const BLOCK_TAGS: [&str; 24] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "dt",
    "dd",
    "title",
];

/// The text a browser would show, and the `<title>`.
pub(crate) fn visible_text(html: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(html.len() / 2);
    let mut title = None;
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    let mut in_title = false;
    let mut title_text = String::new();
    while let Some(lt) = rest.find('<') {
        let chunk = &rest[..lt];
        if skip_until.is_none() {
            let decoded = decode_entities(chunk);
            if in_title {
                title_text.push_str(&decoded);
            } else {
                out.push_str(&decoded);
            }
        }
        let after = &rest[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(end) = skip_until {
            if closing && name == end {
                skip_until = None;
            }
            continue;
        }
        match name.as_str() {
            "script" if !closing => skip_until = Some("script"),
            "style" if !closing => skip_until = Some("style"),
            "title" => {
                in_title = !closing;
                if closing {
                    title = Some(title_text.trim().to_string()).filter(|t| !t.is_empty());
                }
            }
            "td" | "th" if !closing => out.push('\t'),
            n if BLOCK_TAGS.contains(&n) => out.push('\n'),
            _ => {}
        }
    }
    if skip_until.is_none() && !in_title {
        out.push_str(&decode_entities(rest));
    }
    (tidy(&out), title)
}

/// Collapses the white space of HTML source into words and lines.
fn tidy(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// Character references as a browser reads them: numeric ones, every HTML5 name, and the
/// old Latin-1 names written without their semicolon (`&auml`), which browsers still read.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match reference(after) {
            Some((resolved, used)) => {
                out.push_str(&resolved);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The reference that `after` (the text after a `&`) begins with: what it stands for and
/// how many bytes it takes.
fn reference(after: &str) -> Option<(Cow<'static, str>, usize)> {
    // The longest name is 31 characters (`CounterClockwiseContourIntegral`).
    if let Some(end) = after.find(';').filter(|&e| e <= 32) {
        let name = &after[..end];
        if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            return char::from_u32(code).map(|c| (Cow::Owned(c.to_string()), end + 1));
        }
        if let Some(s) = quick_xml::escape::resolve_html5_entity(name) {
            return Some((Cow::Borrowed(s), end + 1));
        }
    }
    let run = after
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(after.len());
    let name = &after[..run];
    let legacy = quick_xml::escape::resolve_html5_entity(name)
        .filter(|s| name.len() <= 6 && s.chars().count() == 1 && s.chars().all(|c| c <= '\u{ff}'));
    legacy.map(|s| (Cow::Borrowed(s), run))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_what_a_browser_shows() {
        let html = "<html><head><title>Tiedote &ndash; Espoo</title><style>p{}</style>\
            <script>var x = '<p>ei</p>';</script></head><body><h1>Otsikko</h1>\
            <p>Asiakas&shy;kokemus ja <b>p&auml;&auml;t&ouml;s</b></p><!-- piilossa --><p>loppu &amp; &#228;</p></body></html>";
        let (text, title) = visible_text(html);
        assert_eq!(title.as_deref(), Some("Tiedote – Espoo"));
        assert_eq!(text, "Otsikko\nAsiakas\u{ad}kokemus ja päätös\nloppu & ä");
    }

    #[test]
    fn survives_broken_markup() {
        let (text, _) = visible_text("<p>auki <b unterminated");
        assert_eq!(text, "auki");
        let (text, _) = visible_text("a &bogus; b & c");
        assert_eq!(text, "a &bogus; b & c");
    }

    #[test]
    fn every_html5_name_and_the_old_ones_without_semicolon() {
        let (text, _) = visible_text(
            "<p>Caf&eacute; M&uuml;nchen 20&deg;C &sect; 3 &laquo;x&raquo; &trade; &bull; \
             &hearts; &auml &copy 2018 &amp c</p>",
        );
        assert_eq!(text, "Café München 20°C § 3 «x» ™ • ♥ ä © 2018 & c");
        // Without a semicolon only the old Latin-1 names are read, and only whole.
        let (text, _) = visible_text("<p>&aumlx &hellip &notin &#x41 &#65;</p>");
        assert_eq!(text, "&aumlx &hellip &notin &#x41 A");
    }
}
