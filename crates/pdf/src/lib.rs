//! PDF text and metadata on lopdf's object model.
//!
//! lopdf parses the file (cross-reference recovery, object streams, decryption with the empty
//! user password); everything that turns objects into text is here: bounded stream decoding,
//! a content-stream interpreter that tracks glyph positions, font encodings and ToUnicode
//! CMaps, and a layout pass that rebuilds words, lines and reading order the way pdftotext
//! does, so that text from this crate and from poppler can be compared word for word.
//!
//! Every input is untrusted: decompressed bytes, objects, nesting depth, content-stream
//! operations and wall time are bounded by [`Limits`], and lopdf's loader runs under
//! `catch_unwind` because it is not panic-free on hostile files.

mod budget;
mod cff;
mod cmap;
mod content;
mod encoding;
mod filters;
mod font;
mod fontfile;
mod interp;
mod layout;
mod meta;
mod objects;
mod pages;
mod tables;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

pub use budget::Limits;
use budget::{Budget, Stop};

/// Text of a document: one string per page, in page order, and its metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfText {
    pub pages: Vec<String>,
    /// For each page, the share of its area (0 to 1) that the largest picture it draws
    /// covers: a scanned page is one picture covering it all; a screenshot on a slide
    /// covers much of it; a logo little.
    pub picture_cover: Vec<f32>,
    pub meta: PdfMeta,
}

/// Document metadata from the Info dictionary, completed from XMP where Info lacks a field.
/// Dates are ISO 8601 where the PDF date parses, else the raw string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfMeta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
}

/// Why a document gave no text.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("{0}")]
    Encrypted(String),
    #[error("{0}")]
    Corrupt(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("the time limit ran out")]
    Timeout,
    /// A document whose text this crate cannot read: at present, XFA forms whose pages
    /// are empty.
    #[error("{0}")]
    Unsupported(String),
}

/// The category of a [`PdfError`], for callers that report kinds rather than messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdfErrorKind {
    Encrypted,
    Corrupt,
    TooLarge,
    Timeout,
    Unsupported,
}

impl PdfError {
    pub fn kind(&self) -> PdfErrorKind {
        match self {
            PdfError::Encrypted(_) => PdfErrorKind::Encrypted,
            PdfError::Corrupt(_) => PdfErrorKind::Corrupt,
            PdfError::TooLarge(_) => PdfErrorKind::TooLarge,
            PdfError::Timeout => PdfErrorKind::Timeout,
            PdfError::Unsupported(_) => PdfErrorKind::Unsupported,
        }
    }
}

impl From<Stop> for PdfError {
    fn from(stop: Stop) -> PdfError {
        match stop {
            Stop::Timeout => PdfError::Timeout,
            Stop::TooLarge(what) => PdfError::TooLarge(what.to_string()),
        }
    }
}

/// Extracts the text of every page and the document metadata.
///
/// A document whose pages carry no text is `Ok` with empty page strings.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<PdfText, PdfError> {
    if limits.deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(PdfError::Timeout);
    }
    let doc = load(bytes, limits)?;
    let mut budget = Budget::new(limits);
    // A panic below would be a bug in this crate or in a lopdf accessor; contain it so that
    // one bad file cannot take down a batch run.
    let result = catch_unwind(AssertUnwindSafe(|| extract_loaded(&doc, &mut budget)));
    match result {
        Ok(r) => r,
        Err(_) => Err(PdfError::Corrupt(
            "internal error while reading the document".into(),
        )),
    }
}

fn extract_loaded(doc: &lopdf::Document, budget: &mut Budget) -> Result<PdfText, PdfError> {
    let pages = pages::collect(doc, budget)?;
    if pages.is_empty() {
        if doc.trailer.get(b"Encrypt").is_ok() {
            return Err(PdfError::Encrypted(
                "the document needs a password to open".into(),
            ));
        }
        return Err(PdfError::Corrupt("no pages found".into()));
    }
    let mut interp = interp::Interp::new(doc);
    let mut texts = Vec::with_capacity(pages.len());
    let mut picture_cover = Vec::with_capacity(pages.len());
    for page in &pages {
        budget.check_time()?;
        let (text, cover) = interp.page_text(page, budget)?;
        texts.push(text);
        picture_cover.push(cover);
    }
    // Pictures are found to be read by a renderer that numbers pages by the page tree's
    // count; where that count is not the pages found (a page listed twice), a page number
    // could name another page, so no page is said to show one.
    if declared_pages(doc).is_some_and(|n| n != pages.len() as i64) {
        picture_cover.fill(0.0);
    }
    if texts.iter().all(|t| t.trim().is_empty()) {
        if has_xfa(doc) {
            return Err(PdfError::Unsupported(
                "an XFA form: its content is in the form's XML, not on the pages".into(),
            ));
        }
        // Pages that give no text because their content could not be read are not a scan:
        // a person should hear why, and OCR would not be the remedy.
        let unread = interp.unread();
        let filters: Vec<&str> = unread
            .iter()
            .map(String::as_str)
            .filter(|r| *r != interp::UNDECODABLE)
            // Each stream of a crafted file may name another.
            .take(3)
            .collect();
        if !filters.is_empty() {
            return Err(PdfError::Unsupported(format!(
                "the page content is compressed with {}, which this reader does not decode",
                filters.join(", ")
            )));
        }
        if unread.contains(interp::UNDECODABLE) {
            return Err(if doc.was_encrypted() {
                PdfError::Encrypted(
                    "the document is encrypted and its content did not decrypt with the \
                     empty password"
                        .into(),
                )
            } else {
                PdfError::Corrupt("the page content is damaged: it does not decompress".into())
            });
        }
    }
    Ok(PdfText {
        pages: texts,
        picture_cover,
        meta: meta::read(doc, budget),
    })
}

/// The page count that the page tree's root declares.
fn declared_pages(doc: &lopdf::Document) -> Option<i64> {
    let catalog = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| objects::as_dict(doc, r))?;
    let root = objects::get_dict(doc, catalog, b"Pages")?;
    objects::get_int(doc, root, b"Count")
}

/// Whether the document carries an XFA form, whose content viewers without XFA support
/// (pdftotext among them) do not show.
fn has_xfa(doc: &lopdf::Document) -> bool {
    doc.trailer
        .get(b"Root")
        .ok()
        .and_then(|r| objects::as_dict(doc, r))
        .and_then(|catalog| objects::get_dict(doc, catalog, b"AcroForm"))
        .is_some_and(|form| objects::get(doc, form, b"XFA").is_some())
}

fn load(bytes: &[u8], limits: &Limits) -> Result<lopdf::Document, PdfError> {
    // A file without a header but with objects is read as viewers read it: as a PDF whose
    // first line went missing.
    let patched: Vec<u8>;
    let bytes = if bytes.windows(5).any(|w| w == b"%PDF-") {
        bytes
    } else if bytes.windows(6).any(|w| w == b"endobj") {
        patched = [b"%PDF-1.7\n".as_slice(), bytes].concat();
        &patched
    } else {
        return Err(PdfError::Corrupt(
            "not a PDF file: no header and no objects".into(),
        ));
    };
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_stream_bytes),
        ..lopdf::LoadOptions::default()
    };
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        lopdf::Document::load_mem_with_options(bytes, options)
    }));
    let doc = match loaded {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(classify_load_error(e)),
        Err(_) => {
            return Err(PdfError::Corrupt(
                "the PDF parser failed on this file".into(),
            ));
        }
    };
    if doc.objects.len() > limits.max_objects {
        return Err(PdfError::TooLarge(format!(
            "{} objects (limit {})",
            doc.objects.len(),
            limits.max_objects
        )));
    }
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted(
            "the document needs a password to open".into(),
        ));
    }
    let mut doc = doc;
    if !doc.was_encrypted() {
        recover_stream_data(&mut doc, bytes, limits);
    }
    Ok(doc)
}

/// Streams whose `/Length` is unusable (a reference to the stream itself, say) load with no
/// data; read them up to their `endstream` keyword, as viewers do.
fn recover_stream_data(doc: &mut lopdf::Document, bytes: &[u8], limits: &Limits) {
    // lopdf counts positions from the header, which may follow leading junk.
    let Some(base) = bytes.windows(5).position(|w| w == b"%PDF-") else {
        return;
    };
    let mut scan_allowance = bytes.len().saturating_mul(2).max(1 << 20);
    for obj in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = obj else {
            continue;
        };
        let Some(start) = stream.start_position.map(|p| p + base) else {
            continue;
        };
        if !stream.content.is_empty() || start >= bytes.len() || scan_allowance == 0 {
            continue;
        }
        let window = bytes.len().min(
            start
                .saturating_add(limits.max_stream_bytes)
                .min(start + scan_allowance),
        );
        let hay = &bytes[start..window];
        let Some(end) = hay.windows(9).position(|w| w == b"endstream") else {
            scan_allowance = scan_allowance.saturating_sub(hay.len());
            continue;
        };
        scan_allowance = scan_allowance.saturating_sub(end);
        let mut data = &hay[..end];
        while let Some((&last, rest)) = data.split_last() {
            if last == b'\n' || last == b'\r' {
                data = rest;
            } else {
                break;
            }
        }
        stream.content = data.to_vec();
    }
}

fn classify_load_error(e: lopdf::Error) -> PdfError {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            PdfError::TooLarge(e.to_string())
        }
        lopdf::Error::Decryption(_)
        | lopdf::Error::InvalidPassword
        | lopdf::Error::UnsupportedSecurityHandler(_) => PdfError::Encrypted(e.to_string()),
        other => PdfError::Corrupt(other.to_string()),
    }
}
