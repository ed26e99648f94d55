//! Text and metadata from the files of a project drive.
//!
//! One module per file format, each behind the [`Extractor`] trait, each with its own failure
//! modes wrapped into the one [`Error`] type; [`extract`] sniffs the content, picks the
//! extractor and contains anything that goes wrong inside it. Every input ends in a
//! [`Document`] or a typed [`Error`]: no input may panic the caller, run without bound, or
//! allocate without bound.

mod archive;
mod chart;
mod doc;
mod docx;
mod drawingml;
mod eml;
mod error;
mod html;
mod ics;
mod limits;
mod msg;
mod numbering;
mod numfmt;
mod odf;
mod ole;
mod ooxml;
mod package;
mod pdf;
mod ppt;
mod pptx;
mod rtf;
mod salvage;
mod sheet;
mod sniff;
mod text;
mod xls;
mod xml;

use kooste_model::{Document, Format, Picture};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use archive::{Archive, Member, is_hidden_path, members as archive_members};
pub use eml::MAX_SENT_PICTURES;
pub use error::Error;
pub use limits::Limits;
pub use sheet::{SheetTable, TableKind, first_sheet_rows, first_sheet_table, table_kind};
pub use sniff::sniff;
pub use text::decode as decode_text;

/// Bumped whenever any extractor's output changes, so that cached results are not reused
/// across versions that would extract differently.
pub const EXTRACTOR_REVISION: u32 = 15;

/// One file format's reader.
pub trait Extractor: Sync {
    /// The format this extractor produces documents of.
    fn format(&self) -> Format;

    /// Reads one file held in memory. Implementations check `limits` and its deadline.
    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error>;
}

/// The extractor for a sniffed format, or `None` where we hold no reader for it.
pub fn extractor_for(format: Format) -> Option<&'static dyn Extractor> {
    Some(match format {
        Format::Pdf => &pdf::Pdf,
        Format::Docx => &docx::Docx,
        Format::Pptx => &pptx::Pptx,
        Format::Xlsx | Format::Xlsb | Format::Xls => sheet::for_format(format)?,
        Format::Ods => &odf::Ods,
        Format::Odt => &odf::Odt,
        Format::Odp => &odf::Odp,
        Format::Txt => &text::PlainText,
        Format::Markdown => &text::Markdown,
        Format::Html => &html::Html,
        Format::Doc => &doc::Doc,
        Format::Ppt => &ppt::Ppt,
        Format::Rtf => &rtf::Rtf,
        Format::Eml => &eml::Eml,
        Format::Msg => &msg::Msg,
        Format::Ics => &ics::Ics,
        Format::Zip | Format::Unknown | Format::Image => return None,
    })
}

/// Extracts one file: sniffs its format from the content (the name breaks ties), reads it with
/// that format's extractor, and turns a panic inside any parser into an [`Error`].
///
/// ZIP archives are not documents: they give [`Error::Archive`] and their members come from
/// [`archive_members`].
pub fn extract(name: &str, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
    extract_with_attachments(name, bytes, limits).map(|(doc, _)| doc)
}

/// [`extract`], and for an e-mail message (`.eml`, `.msg`) the files attached to it, each to
/// be read as a material of its own, from the same one read of the message. Other formats
/// have none.
pub fn extract_with_attachments(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Document, Vec<Member>), Error> {
    let (mut doc, members) = read_any(name, bytes, limits)?;
    note_text_cut(&mut doc, limits);
    Ok((doc, members))
}

/// Says so where a page's text stopped at [`Limits::max_text_chars`]: the rest of it was not
/// read, and a person should know that the summary saw only part of the file.
fn note_text_cut(doc: &mut Document, limits: &Limits) {
    let cut = doc
        .pages
        .iter()
        // Bytes first: a page of fewer bytes than the limit has fewer characters too.
        .find(|p| {
            p.text.len() >= limits.max_text_chars && p.text.chars().count() >= limits.max_text_chars
        });
    if let Some(page) = cut {
        let note = format!(
            "read in part: the text of {} stops at the limit of {} characters that one file \
             may give; the rest was not read",
            page.name
                .clone()
                .unwrap_or_else(|| format!("page {}", page.n)),
            limits.max_text_chars
        );
        add_damage_note(doc, note);
    }
}

/// Adds a note to what [`Document::damaged`] says, after any note it has.
fn add_damage_note(doc: &mut Document, note: String) {
    doc.damaged = Some(match doc.damaged.take() {
        Some(earlier) => format!("{earlier}; {note}"),
        None => note,
    });
}

fn read_any(name: &str, bytes: &[u8], limits: &Limits) -> Result<(Document, Vec<Member>), Error> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(Error::TooLarge(format!(
            "file of {} bytes is over the limit of {} bytes",
            bytes.len(),
            limits.max_file_bytes
        )));
    }
    let format = sniff(name, bytes);
    // A zero-byte document is an upload or a sync that never finished; saying so is clearer
    // than the parser's complaint about a missing header.
    if bytes.is_empty()
        && !matches!(
            format,
            Format::Txt | Format::Markdown | Format::Html | Format::Unknown
        )
    {
        return Err(Error::Corrupt(format!(
            "empty file (0 bytes) where a {} document was expected: an upload or copy that did not finish?",
            format.as_str().to_uppercase()
        )));
    }
    if let Some(reason) = ole::refusal(format, bytes) {
        return Err(reason);
    }
    // A package cut short (an interrupted copy or upload) has lost the directory at its end;
    // the entries before the cut may hold all of the text.
    if zipped(format) && salvage::directory_lost(bytes) {
        return read_cut(name, bytes, limits).map(|doc| (doc, Vec::new()));
    }
    let extractor = match format {
        Format::Eml => return contained(|| eml::read_message(bytes, limits)),
        Format::Msg => return contained(|| msg::read_message(bytes, limits)),
        Format::Zip => return Err(Error::Archive),
        Format::Unknown => return Err(Error::Unsupported(sniff::describe_unknown(name, bytes))),
        // A picture has no text of its own: like a scan without a text layer, it is there,
        // and empty until OCR reads it. One OCR cannot read either is of a format kooste
        // does not read.
        Format::Image => {
            let picture = Picture::of(&bytes[..bytes.len().min(16)], &sniff::extension(name));
            if let Some(picture) = picture.filter(|p| !p.readable_by_ocr()) {
                return Err(Error::Unsupported(format!(
                    "{}: no text to read (saved as JPEG, kooste run --ocr reads it)",
                    picture.describe()
                )));
            }
            return Ok((
                Document {
                    format,
                    pages: Vec::new(),
                    meta: Default::default(),
                    damaged: None,
                },
                Vec::new(),
            ));
        }
        other => extractor_for(other)
            .ok_or_else(|| Error::Unsupported(format!("no extractor for {}", other.as_str())))?,
    };
    read_repairing(extractor, format, bytes, limits).map(|doc| (doc, Vec::new()))
}

/// [`read_with`], and where that finds the file damaged, [`read_with_root_relationships`].
fn read_repairing(
    extractor: &dyn Extractor,
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Document, Error> {
    match read_with(extractor, bytes, limits) {
        Err(e) if e.kind() == kooste_model::ErrorKind::Corrupt => {
            read_with_root_relationships(extractor, format, bytes, limits).ok_or(e)
        }
        other => other,
    }
}

/// An Office Open XML package that failed to read, read again with root relationships that
/// name its main part, where the package's own are damaged.
fn read_with_root_relationships(
    extractor: &dyn Extractor,
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Option<Document> {
    let main = match format {
        Format::Docx => "word/document.xml",
        Format::Pptx => "ppt/presentation.xml",
        Format::Xlsx => "xl/workbook.xml",
        Format::Xlsb => "xl/workbook.bin",
        _ => return None,
    };
    let (repaired, main) = ooxml::with_root_relationships(bytes, limits, main)?;
    let mut doc = read_with(extractor, &repaired, limits).ok()?;
    add_damage_note(
        &mut doc,
        format!("the package's root relationships (_rels/.rels) are damaged; read from its {main}"),
    );
    Some(doc)
}

/// A picture shown on a page of a document, for OCR to read where the document has no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePicture {
    /// The page (slide) it is first shown on, 1-based, as in the document [`extract`] gives.
    pub page: u32,
    pub picture: Picture,
    pub bytes: Vec<u8>,
}

/// How many pictures of a document [`page_pictures`] gave, and how many more it shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PictureCount {
    pub given: u32,
    pub left_out: u32,
}

/// The most pictures of one document given to OCR, as many pages as it reads of a scan.
pub const MAX_PAGE_PICTURES: u32 = 40;

/// Pictures smaller than this are icons, bullets and logos rather than pages of writing.
const MIN_PAGE_PICTURE_BYTES: usize = 4096;

/// Whether a page's (a slide's own) text has no words: a page number or a date may stand
/// beside a scanned page, and then its writing may be in its picture.
pub(crate) fn without_words(text: &str) -> bool {
    !text.chars().any(char::is_alphabetic)
}

/// Whether the picture `part` of a package is one [`page_pictures`] would give OCR, by its
/// first bytes and its declared size: the test of a slide that may be a picture of writing.
pub(crate) fn ocr_picture(package: &mut package::Package<'_>, part: &str) -> bool {
    package.head(part, 16).is_some_and(|(head, size)| {
        size >= MIN_PAGE_PICTURE_BYTES as u64
            && Picture::of(&head, &sniff::extension(part)).is_some_and(|p| p.readable_by_ocr())
    })
}

/// Gives `each` the pictures that the pages of a word-processing document or a presentation
/// (DOCX, PPTX, ODT, ODP) show, one at a time, in reading order: pages scanned and pasted
/// into a document, or slides saved as pictures, which OCR can read where the document has
/// no text. Each picture once, with the page it is first shown on; only pictures OCR reads,
/// of [`MIN_PAGE_PICTURE_BYTES`] or more, and the first [`MAX_PAGE_PICTURES`] of them (those
/// shown after are counted, not looked at). A package whose directory is lost is read from
/// the entries before the cut, as [`extract`] reads it. Other formats have none. An error of
/// `each` stops the listing and is returned. With `pages`, only the pictures those pages show
/// are given and counted, each on the first of them that shows it.
pub fn page_pictures(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    pages: Option<&[u32]>,
    mut each: impl FnMut(PagePicture) -> Result<(), Error>,
) -> Result<PictureCount, Error> {
    let rebuilt;
    let mut bytes = bytes;
    let mut format = sniff(name, bytes);
    if zipped(format) && salvage::directory_lost(bytes) {
        rebuilt = salvage::rebuild(bytes, limits, false).map(|r| r.bytes);
        if let Some(whole) = &rebuilt {
            bytes = whole;
            format = sniff(name, bytes);
        }
    }
    contained(|| {
        let shown = match format {
            Format::Docx => docx::pictures(bytes, limits)?,
            Format::Pptx => pptx::pictures(bytes, limits)?,
            Format::Odt | Format::Odp => odf::pictures(bytes, limits)?,
            _ => return Ok(PictureCount::default()),
        };
        // A flat OpenDocument file is no package, and shows none.
        if shown.is_empty() {
            return Ok(PictureCount::default());
        }
        let mut package = package::Package::open(bytes, limits)?;
        let mut count = PictureCount::default();
        // A picture shown on many slides is read once, on the first.
        let mut seen = std::collections::HashSet::new();
        let only: Option<std::collections::HashSet<u32>> =
            pages.map(|pages| pages.iter().copied().collect());
        for (page, part) in &shown {
            limits.check_time()?;
            if only.as_ref().is_some_and(|only| !only.contains(page)) {
                continue;
            }
            if !seen.insert(part.as_str()) {
                continue;
            }
            if count.given == MAX_PAGE_PICTURES {
                count.left_out += 1;
                continue;
            }
            // A picture that is missing, damaged or too large costs only itself; the
            // deadline stops them all.
            let bytes = match package.read(part) {
                Ok(bytes) => bytes,
                Err(e @ Error::Timeout(_)) => return Err(e),
                Err(_) => continue,
            };
            let picture = Picture::of(&bytes[..bytes.len().min(16)], &sniff::extension(part));
            if let Some(picture) = picture.filter(|p| p.readable_by_ocr())
                && bytes.len() >= MIN_PAGE_PICTURE_BYTES
            {
                count.given += 1;
                each(PagePicture {
                    page: *page,
                    picture,
                    bytes,
                })?;
            }
        }
        Ok(count)
    })
}

/// Reads a package whose directory is lost from its rebuilt container: first with the
/// beginning of the entry the cut falls in, then, if that part does not read, from the whole
/// entries alone. Its kind is sniffed again from the rebuilt container: what the name or a
/// stray end record said may be wrong.
fn read_cut(name: &str, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
    let refused = |why: &str| {
        Error::Zip(format!(
            "not a readable ZIP container: the directory at its end is missing (a copy cut \
             short?) and the parts before the cut do not make a document ({why})"
        ))
    };
    let mut why = "not one whole entry".to_string();
    for partial in [true, false] {
        let Some(rebuilt) = salvage::rebuild(bytes, limits, partial) else {
            return Err(refused(&why));
        };
        let format = sniff(name, &rebuilt.bytes);
        let Some(extractor) = extractor_for(format).filter(|_| zipped(format)) else {
            return Err(refused(&format!(
                "its parts are those of {}",
                format.as_str()
            )));
        };
        match read_repairing(extractor, format, &rebuilt.bytes, limits) {
            Ok(mut doc) => {
                add_damage_note(&mut doc, rebuilt.describe(bytes.len()));
                return Ok(doc);
            }
            // A bound or the deadline of the limits: that is the answer.
            Err(e @ (Error::TooLarge(_) | Error::Timeout(_))) => return Err(e),
            Err(e) => why = e.to_string(),
        }
        if !rebuilt.partial {
            break;
        }
    }
    Err(refused(&why))
}

/// Reads with one extractor, turning a panic inside its parser into an [`Error`].
fn read_with(extractor: &dyn Extractor, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
    contained(|| extractor.extract(bytes, limits))
}

/// Runs a parser, turning a panic inside it into an [`Error`].
pub(crate) fn contained<T>(read: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    match catch_unwind(AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(payload) => Err(Error::Panic(panic_message(payload.as_ref()))),
    }
}

/// Formats whose files are ZIP packages.
fn zipped(format: Format) -> bool {
    matches!(
        format,
        Format::Docx
            | Format::Pptx
            | Format::Xlsx
            | Format::Xlsb
            | Format::Ods
            | Format::Odt
            | Format::Odp
    )
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
