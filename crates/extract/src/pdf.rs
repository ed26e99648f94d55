//! PDF through the kooste-pdf crate, which owns the text layer (glyph positions, encodings,
//! ToUnicode maps, reading order) and its own bounds; this module maps its results and
//! limits onto the extractor's.

use crate::{Error, Extractor, Limits};
use kooste_model::{Document, ErrorKind, Format, Meta, Page};
use kooste_pdf::{PdfError, PdfErrorKind};

pub(crate) struct Pdf;

/// A page without words whose largest picture covers this share of it or more is marked as
/// one whose writing may be in the picture. A scanned page covers it all, a screenshot on a
/// slide a quarter or more; a logo or a signature covers less.
const PICTURED_COVER: f32 = 0.1;

impl Extractor for Pdf {
    fn format(&self) -> Format {
        Format::Pdf
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let text =
            kooste_pdf::extract(bytes, &pdf_limits(limits)).map_err(|e| from_pdf(&e, limits))?;
        let pages = text
            .pages
            .into_iter()
            .enumerate()
            .map(|(i, t)| Page {
                // A page number or a date may stand beside a scanned page: no letters.
                pictured: text
                    .picture_cover
                    .get(i)
                    .is_some_and(|&c| c >= PICTURED_COVER)
                    && crate::without_words(&t),
                ..Page::new(u32::try_from(i + 1).unwrap_or(u32::MAX), t)
            })
            .collect();
        let meta = text.meta;
        Ok(Document {
            format: Format::Pdf,
            pages,
            meta: Meta {
                title: meta.title,
                author: meta.author,
                created: meta.created,
                modified: meta.modified,
            },
            damaged: None,
        })
    }
}

fn pdf_limits(limits: &Limits) -> kooste_pdf::Limits {
    let part = usize::try_from(limits.max_part_bytes).unwrap_or(usize::MAX);
    let total = usize::try_from(limits.max_unzipped_bytes).unwrap_or(usize::MAX);
    kooste_pdf::Limits {
        max_stream_bytes: part,
        max_file_bytes: total,
        deadline: limits.deadline(),
        ..kooste_pdf::Limits::default()
    }
}

fn from_pdf(e: &PdfError, limits: &Limits) -> Error {
    let kind = match e.kind() {
        PdfErrorKind::Encrypted => ErrorKind::Encrypted,
        PdfErrorKind::Corrupt => ErrorKind::Corrupt,
        PdfErrorKind::TooLarge => ErrorKind::TooLarge,
        PdfErrorKind::Unsupported => ErrorKind::Unsupported,
        PdfErrorKind::Timeout => return Error::Timeout(limits.time_limit),
    };
    Error::Pdf(e.to_string(), kind)
}
