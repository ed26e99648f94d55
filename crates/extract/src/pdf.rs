//! PDF through lopdf. An interim reader: page text comes from lopdf's own text extraction
//! until the kooste-pdf text layer (glyph positions, encodings, bounds) replaces it.

use crate::{Error, Extractor, Limits};
use kooste_model::{Document, ErrorKind, Format, Meta, Page};

pub(crate) struct Pdf;

impl Extractor for Pdf {
    fn format(&self) -> Format {
        Format::Pdf
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let doc = lopdf::Document::load_mem(bytes).map_err(|e| {
            let message = e.to_string();
            let kind = if message.to_lowercase().contains("decrypt")
                || message.to_lowercase().contains("password")
            {
                ErrorKind::Encrypted
            } else {
                ErrorKind::Corrupt
            };
            Error::Pdf(message, kind)
        })?;
        if doc.is_encrypted() {
            return Err(Error::Pdf(
                "encrypted with a user password".into(),
                ErrorKind::Encrypted,
            ));
        }
        let mut pages = Vec::new();
        for (n, _) in doc.get_pages() {
            limits.check_time()?;
            let text = doc
                .extract_text_with_limit(&[n], limits.max_part_bytes as usize)
                .unwrap_or_default();
            pages.push(Page::new(n, text));
        }
        Ok(Document {
            format: Format::Pdf,
            pages,
            meta: info(&doc),
        })
    }
}

fn info(doc: &lopdf::Document) -> Meta {
    let dict = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok())
        .and_then(|id| doc.get_dictionary(id).ok());
    let field = |key: &[u8]| {
        dict.and_then(|d| d.get(key).ok())
            .and_then(|o| o.as_str().ok())
            .map(|b| {
                lopdf::decode_text_string(&lopdf::Object::String(
                    b.to_vec(),
                    lopdf::StringFormat::Literal,
                ))
                .unwrap_or_default()
            })
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Meta {
        title: field(b"Title"),
        author: field(b"Author"),
        created: field(b"CreationDate"),
        modified: field(b"ModDate"),
    }
}
