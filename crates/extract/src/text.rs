//! Plain text and Markdown: decoded from whatever encoding the file is in.

use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page};

pub(crate) struct PlainText;
pub(crate) struct Markdown;

impl Extractor for PlainText {
    fn format(&self) -> Format {
        Format::Txt
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let text = capped(decode(bytes), limits);
        Ok(Document {
            format: Format::Txt,
            pages: vec![Page::new(1, text)],
            meta: Meta::default(),
            damaged: None,
        })
    }
}

impl Extractor for Markdown {
    fn format(&self) -> Format {
        Format::Markdown
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let text = capped(decode(bytes), limits);
        let title = first_heading(&text);
        Ok(Document {
            format: Format::Markdown,
            pages: vec![Page::new(1, text)],
            meta: Meta {
                title,
                ..Meta::default()
            },
            damaged: None,
        })
    }
}

/// UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252: what Finnish office machines
/// wrote before UTF-8 (ä and ö are single bytes there), and what a spreadsheet in a Finnish
/// locale still writes as "CSV". For plain-text files of the drive, and for labels, rules and
/// annotations kept as CSV.
pub fn decode(bytes: &[u8]) -> String {
    let (encoding, bom_len) =
        encoding_rs::Encoding::for_bom(bytes).unwrap_or((encoding_rs::UTF_8, 0));
    let body = &bytes[bom_len..];
    if encoding == encoding_rs::UTF_8 {
        if let Ok(s) = std::str::from_utf8(body) {
            return s.to_string();
        }
        return encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(body)
            .0
            .into_owned();
    }
    encoding.decode_without_bom_handling(body).0.into_owned()
}

pub(crate) fn capped(text: String, limits: &Limits) -> String {
    match text.char_indices().nth(limits.max_text_chars) {
        Some((cut, _)) => text[..cut].to_string(),
        None => text,
    }
}

/// The first ATX heading (`# Title`), the document's title by Markdown convention.
fn first_heading(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_legacy_finnish_text() {
        assert_eq!(decode(b"p\xe4\xe4t\xf6s"), "päätös");
        assert_eq!(decode("päätös".as_bytes()), "päätös");
        assert_eq!(decode(b"\xef\xbb\xbfbom"), "bom");
    }

    #[test]
    fn markdown_title_is_the_first_heading() {
        assert_eq!(
            first_heading("intro\n# Malli \n## Ala"),
            Some("Malli".into())
        );
        assert_eq!(first_heading("## vain alaotsikko"), None);
    }

    #[test]
    fn caps_by_characters() {
        let mut limits = Limits::default();
        limits.max_text_chars = 3;
        assert_eq!(capped("äöåx".into(), &limits), "äöå");
    }

    #[test]
    fn text_cut_at_the_limit_is_noted_and_text_within_it_is_not() {
        let mut limits = Limits::default();
        limits.max_text_chars = 5;
        let read = |text: &str| crate::extract("muistio.txt", text.as_bytes(), &limits);
        let cut = read("äöåxyz").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cut.text(), "äöåxy");
        assert_eq!(
            cut.damaged.as_deref(),
            Some(
                "read in part: the text of page 1 stops at the limit of 5 characters that one \
                 file may give; the rest was not read"
            )
        );
        // Fewer characters than the limit, if more bytes: whole, and no note.
        let whole = read("äöåx").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(whole.text(), "äöåx");
        assert_eq!(whole.damaged, None);
    }
}
