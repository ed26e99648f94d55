//! From one file's bytes to its extracted documents (archives expand into several) and from
//! a document to the material record the outputs show.

use crate::walk::DriveEntry;
use kooste_classify::{Classifier, MaterialText};
use kooste_extract::{Limits, Member};
use kooste_model::{Document, ErrorKind, ExtractError, Format, Material, Page, Status};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One extracted file: a file of the drive or a member of an archive on it.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub path: String,
    pub format: Format,
    pub bytes: u64,
    pub hash: String,
    pub result: Result<Document, ExtractError>,
}

/// One extraction result as the cache stores it and a worker process sends it: a file's own
/// result (`suffix` empty) or an archive member's (`suffix` = `/inner/x.pdf`). Paths are kept
/// relative to the file so that a copy or a renamed file reuses the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub suffix: String,
    pub format: Format,
    pub bytes: u64,
    pub hash: String,
    pub result: Result<Document, ExtractError>,
}

impl Item {
    pub(crate) fn failed(format: Format, bytes: u64, hash: &str, error: ExtractError) -> Item {
        Item {
            suffix: String::new(),
            format,
            bytes,
            hash: hash.to_string(),
            result: Err(error),
        }
    }

    pub(crate) fn into_analysed(self, path: &str) -> Analysed {
        Analysed {
            path: format!("{path}{}", self.suffix),
            format: self.format,
            bytes: self.bytes,
            hash: self.hash,
            result: self.result,
        }
    }
}

/// Whether OCR should read `doc`: a PDF in which no page has text, which is what a scan is.
pub fn is_scan(doc: &Document) -> bool {
    doc.format == Format::Pdf && !doc.pages.is_empty() && doc.is_empty()
}

/// What OCR can read of one extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A PDF without text, of so many pages.
    Pdf(u32),
    /// A PDF with text whose pages listed show a picture and no words: a page scanned into
    /// a report (a signed last page, an appendix), a slide that is a screenshot.
    PdfPages(Vec<u32>),
    /// A presentation with text whose slides listed show pictures and have no words of
    /// their own: screenshots, pages scanned onto slides.
    SlidePictures(Vec<u32>),
    /// A picture, which may be a page scanned to an image file.
    Image,
    /// A word-processing document or a presentation without text, which may show pictures
    /// of writing: pages scanned and pasted in, slides saved as pictures.
    Pictures,
}

/// What OCR can read of `doc`, if anything.
pub(crate) fn scan_of(doc: &Document) -> Option<Scan> {
    if is_scan(doc) {
        return Some(Scan::Pdf(doc.pages.len() as u32));
    }
    if !doc.is_empty() {
        // Pages whose writing may be in their pictures, as extraction marked them.
        let pages = doc.pictured_pages();
        if pages.is_empty() {
            return None;
        }
        return match doc.format {
            Format::Pdf => Some(Scan::PdfPages(pages)),
            Format::Pptx | Format::Odp => Some(Scan::SlidePictures(pages)),
            _ => None,
        };
    }
    match doc.format {
        Format::Image => Some(Scan::Image),
        Format::Docx | Format::Pptx | Format::Odt | Format::Odp if !doc.pages.is_empty() => {
            Some(Scan::Pictures)
        }
        _ => None,
    }
}

/// Reads `scan`, the file at `file`, by OCR.
pub(crate) fn read_by_ocr(
    ocr: &kooste_ocr::Ocr,
    scan: &Scan,
    file: &Path,
) -> Result<ScanReading, kooste_ocr::OcrError> {
    match scan {
        Scan::Pdf(pages) => ocr.read_pdf(file, *pages),
        Scan::PdfPages(pages) => {
            return ocr.read_pdf_pages(file, pages).map(|text| {
                let numbers = pages.iter().take(text.pages.len()).copied().collect();
                ScanReading {
                    numbers,
                    ..ScanReading::from(text)
                }
            });
        }
        Scan::Image => ocr.read_image(file),
        // Read from their copies, by `read_pictures_by_ocr`: the file itself is no picture.
        Scan::Pictures | Scan::SlidePictures(_) => Err(kooste_ocr::OcrError::Picture(
            "a document's pictures are read from copies of them".to_string(),
        )),
    }
    .map(ScanReading::from)
}

/// What OCR read of a scan, as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScanReading {
    pub pages: Vec<String>,
    /// Pages that could not be read (1-based) and why.
    pub failed: Vec<(u32, String)>,
    /// Pages of an image file past the cap, not read (a PDF's are known from its pages);
    /// of a document's pictures, the pictures not read.
    #[serde(default)]
    pub left_out: u32,
    /// Of a document read through its pictures ([`Scan::Pictures`]), how many pictures worth
    /// reading it shows: none means that OCR had nothing to read.
    #[serde(default)]
    pub pictures: u32,
    /// The time (ms) and memory (MiB) budgets at which listing the pictures was stopped: the
    /// reading is not used once the budgets are raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<(u64, u64)>,
    /// Of a PDF with text read in part ([`Scan::PdfPages`]), the number of each page read,
    /// in the order of `pages`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<u32>,
}

impl ScanReading {
    /// Of a document read through its pictures: it showed none, so OCR had nothing to read
    /// and nothing failed.
    pub(crate) fn shows_no_pictures(&self) -> bool {
        self.pictures == 0 && self.failed.is_empty()
    }

    /// Of a document with text read in part ([`Scan::in_part`]): OCR found no writing in
    /// its pictures (photographs, drawings), nothing failed and nothing was left unread.
    pub(crate) fn adds_nothing(&self) -> bool {
        self.failed.is_empty()
            && self.left_out == 0
            && self.pages.iter().all(|p| p.trim().is_empty())
    }

    /// Whether this reading of `scan` leaves the document as extracted, without a word of
    /// OCR: a document that shows no pictures, or pages of one with text whose pictures
    /// hold no writing.
    pub(crate) fn changes_nothing(&self, scan: &Scan) -> bool {
        (*scan == Scan::Pictures && self.shows_no_pictures())
            || (scan.in_part() && self.adds_nothing())
    }
}

impl From<kooste_ocr::OcrText> for ScanReading {
    fn from(text: kooste_ocr::OcrText) -> Self {
        ScanReading {
            pages: text.pages,
            failed: text.failed,
            left_out: text.left_out,
            pictures: 0,
            stopped_at: None,
            numbers: Vec::new(),
        }
    }
}

/// Puts what OCR read of a scan or a picture into `doc` and says how it was read; `reader`
/// names the reader ([`kooste_ocr::Ocr::describe`]). A picture gets the pages OCR found.
pub(crate) fn apply_reading(doc: &mut Document, reading: ScanReading, reader: &str) -> String {
    if reading.pictures > 0 {
        return fill_from_pictures(doc, reading, reader);
    }
    // Pages of a document with text: a whole scan has none.
    if !doc.is_empty() {
        return fill_picture_pages(doc, reading, reader);
    }
    let mut total = doc.pages.len();
    if doc.format == Format::Image {
        // Only the pages read: a file may claim any number of pages past them.
        doc.pages = (1..=reading.pages.len() as u32)
            .map(|n| Page::new(n, ""))
            .collect();
        total = reading.pages.len() + reading.left_out as usize;
    }
    fill_scan(doc, reading, reader, total)
}

/// Puts what OCR read into the scan's pages, page by page, and says how it was read;
/// `reader` names the reader ([`kooste_ocr::Ocr::describe`]).
fn fill_scan(doc: &mut Document, reading: ScanReading, reader: &str, total: usize) -> String {
    let read = reading.pages.len().min(doc.pages.len());
    put_pages(doc, reading.pages);
    let not_read = not_read(&reading.failed, "pages");
    if doc.is_empty() {
        return empty_note(&reading.failed, reader);
    }
    if read < total {
        format!("read by OCR ({reader}), the first {read} of {total} pages{not_read}")
    } else {
        format!("read by OCR ({reader}){not_read}")
    }
}

/// Puts what OCR read of a document's pictures into its pages and says how it was read,
/// counting pictures.
fn fill_from_pictures(doc: &mut Document, reading: ScanReading, reader: &str) -> String {
    let (shown, left_out) = (reading.pictures, reading.left_out);
    put_pages(doc, reading.pages);
    if doc.is_empty() {
        return empty_note(&reading.failed, reader);
    }
    let from = match (left_out, shown) {
        (0, 1) => "its picture".to_string(),
        (0, _) => format!("its {shown} pictures"),
        (n, _) => format!(
            "the first {} of its {shown} pictures",
            shown.saturating_sub(n)
        ),
    };
    format!(
        "read by OCR ({reader}) from {from}{}",
        not_read(&reading.failed, "pictures")
    )
}

/// Adds what OCR read of the pages of a PDF or the slides of a presentation with text that
/// show pictures to those pages, and says how they were read.
fn fill_picture_pages(doc: &mut Document, reading: ScanReading, reader: &str) -> String {
    let unit = if doc.format.has_slides() {
        "slide"
    } else {
        "page"
    };
    let mut found = Vec::new();
    for (&n, text) in reading.numbers.iter().zip(reading.pages) {
        let Some(page) = doc.pages.iter_mut().find(|p| p.n == n) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        found.push(n);
        // A page number or a date beside the scan stays before its text.
        if page.text.trim().is_empty() {
            page.text = text;
        } else {
            page.text = format!("{}\n{text}", page.text.trim_end());
        }
    }
    let more = match reading.left_out {
        0 => String::new(),
        1 => format!("; 1 more such {unit} not read"),
        n => format!("; {n} more such {unit}s not read"),
    };
    let not_read = not_read(&reading.failed, &format!("{unit}s"));
    if found.is_empty() {
        return match (reading.failed.first(), reading.numbers.as_slice()) {
            (Some((_, why)), _) => format!("OCR failed: {why}{more}"),
            // Every such slide's pictures were past the pictures read of a file.
            (None, []) => format!(
                "not read by OCR ({reader}): {} {unit}s that show pictures and no text, past the \
                 pictures it reads of a file",
                reading.left_out
            ),
            (None, read) => format!(
                "OCR found no text ({reader}) on {}{more}",
                page_list(read, unit)
            ),
        };
    }
    let what = match found.len() {
        1 => "which shows a picture and no text",
        _ => "which show pictures and no text",
    };
    format!(
        "read by OCR ({reader}): {}, {what}{more}{not_read}",
        page_list(&found, unit)
    )
}

/// "page 3", or "pages 3, 7–9, 12" (of `unit` "page").
fn page_list(numbers: &[u32], unit: &str) -> String {
    let runs = kooste_model::page_runs(numbers);
    match numbers {
        [_] => format!("{unit} {runs}"),
        _ => format!("{unit}s {runs}"),
    }
}

fn put_pages(doc: &mut Document, pages: Vec<String>) {
    for (page, text) in doc.pages.iter_mut().zip(pages) {
        page.text = text;
    }
}

/// What failed, of pages or pictures (`unit`), for a note that says what was read.
fn not_read(failed: &[(u32, String)], unit: &str) -> String {
    match failed {
        [] => String::new(),
        [(_, why)] => format!("; not read: {why}"),
        [(_, why), _] => format!(
            "; not read: {why} (and 1 more {unit})",
            unit = singular(unit)
        ),
        [(_, why), rest @ ..] => format!("; not read: {why} (and {} more {unit})", rest.len()),
    }
}

/// "page" of "pages", "picture" of "pictures".
fn singular(unit: &str) -> &str {
    unit.strip_suffix('s').unwrap_or(unit)
}

/// The note of a scan or a document of pictures in which OCR found nothing.
fn empty_note(failed: &[(u32, String)], reader: &str) -> String {
    match failed.first() {
        Some((_, why)) => format!("OCR failed: {why}"),
        // Blank pages, or pictures without writing.
        None => format!("OCR found no text ({reader})"),
    }
}

/// What a scan's material says when OCR could not read it.
pub(crate) fn ocr_failure(e: &kooste_ocr::OcrError) -> String {
    format!("OCR failed: {e}")
}

/// Where `a`, extracted from the file at `file` (`name` in [`analyse_bytes`]) or from a
/// member of it, is a scan, or a picture that may be one: reads it by OCR into `a` and says
/// how it was read, or why not. Without the cache: `kooste extract --ocr`.
pub fn read_scan_file(
    ocr: &kooste_ocr::Ocr,
    file: &Path,
    name: &str,
    a: &mut Analysed,
    limits: &Limits,
) -> Option<String> {
    let doc = a.result.as_mut().ok()?;
    let scan = scan_of(doc)?;
    let suffix = a.path.strip_prefix(name)?;
    if let Scan::Pictures | Scan::SlidePictures(_) = scan {
        let copies = match PictureCopies::make(|to| {
            Ok::<_, std::convert::Infallible>(copy_pictures(
                file,
                name,
                (suffix, &a.hash),
                to,
                limits,
                scan.slides().unwrap_or_default(),
            ))
        }) {
            Ok(Ok(copies)) => copies,
            Ok(Err(why)) => return Some(format!("OCR not used: {why}")),
        };
        return match read_pictures_by_ocr(ocr, &copies, doc.pages.len(), scan.slides()) {
            Ok(reading) if reading.changes_nothing(&scan) => None,
            Ok(reading) => Some(apply_reading(doc, reading, &ocr.describe())),
            Err(e) => Some(ocr_failure(&e)),
        };
    }
    let copy = match suffix {
        "" => None,
        _ => match ScanCopy::make(suffix, |to| {
            Ok::<_, std::convert::Infallible>(copy_member(
                file,
                name,
                (suffix, &a.hash),
                to,
                limits,
            ))
        }) {
            Ok(Ok(copy)) => Some(copy),
            Ok(Err(why)) => return Some(format!("OCR not used: {why}")),
        },
    };
    let path = copy.as_ref().map_or(file, ScanCopy::path);
    Some(match read_by_ocr(ocr, &scan, path) {
        Ok(reading) if reading.changes_nothing(&scan) => return None,
        Ok(reading) => apply_reading(doc, reading, &ocr.describe()),
        Err(e) => ocr_failure(&e),
    })
}

/// A private copy of an archive member or an attachment for OCR to read, removed with its
/// folder when dropped.
pub(crate) struct ScanCopy {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl ScanCopy {
    /// Makes the copy of the member `suffix` with `copy`, which writes it to the path given,
    /// or says why it could not. Why no copy was made, when it was not; `copy`'s own error
    /// passes through.
    pub(crate) fn make<E>(
        suffix: &str,
        copy: impl FnOnce(&Path) -> Result<Result<(), String>, E>,
    ) -> Result<Result<ScanCopy, String>, E> {
        let dir = match tempfile::Builder::new().prefix("kooste-scan-").tempdir() {
            Ok(dir) => dir,
            Err(e) => return Ok(Err(format!("cannot make a folder for a scan: {e}"))),
        };
        // The member's own extension, for the programs that go by it.
        let ext = kooste_model::copy_extension(suffix).unwrap_or_else(|| "bin".into());
        let path = dir.path().join(format!("scan.{ext}"));
        Ok(copy(&path)?.map(|()| ScanCopy { _dir: dir, path }))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Where the pictures of a document were copied for OCR to read, and how many more it
/// shows: a worker's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CopiedPictures {
    /// Each picture's page and file name in the folder, in reading order.
    pub files: Vec<(u32, String)>,
    pub left_out: u32,
    /// Why the document's pictures could not be found, where its content is to blame (a
    /// damaged package): that is kept like a reading, and not tried again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    /// The listing was stopped at the time or memory allowed: with more, it may finish.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
}

/// The pictures of a document copied out for OCR to read, removed with their folder when
/// dropped.
pub(crate) struct PictureCopies {
    dir: tempfile::TempDir,
    copied: CopiedPictures,
}

impl PictureCopies {
    /// Whether listing the pictures was stopped at the time or memory allowed.
    pub(crate) fn stopped(&self) -> bool {
        self.copied.stopped
    }

    /// Has `copy` write the pictures into a private folder (the path given) and say what
    /// it wrote, or why it could not; `copy`'s own error passes through.
    pub(crate) fn make<E>(
        copy: impl FnOnce(&Path) -> Result<Result<CopiedPictures, String>, E>,
    ) -> Result<Result<PictureCopies, String>, E> {
        let dir = match tempfile::Builder::new()
            .prefix("kooste-pictures-")
            .tempdir()
        {
            Ok(dir) => dir,
            Err(e) => return Ok(Err(format!("cannot make a folder for pictures: {e}"))),
        };
        Ok(copy(dir.path())?.and_then(|copied| {
            // The names come from a worker: each must be a plain name in the folder.
            let plain = copied.files.iter().all(|(_, name)| {
                name.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
            });
            if plain {
                Ok(PictureCopies { dir, copied })
            } else {
                Err("the pictures were copied under names not their own".to_string())
            }
        }))
    }
}

/// Writes the pictures that the document `member` (suffix, content hash) of the file at
/// `abs` (`name` on the drive; suffix empty for the file itself) shows into the folder `to`,
/// as [`kooste_extract::page_pictures`] finds them, or says why it could not.
pub(crate) fn copy_pictures(
    abs: &Path,
    name: &str,
    member: (&str, &str),
    to: &Path,
    limits: &Limits,
    pages: &[u32],
) -> Result<CopiedPictures, String> {
    let (target, bytes) = member_bytes(abs, name, member, limits)?
        .ok_or("the document is no longer what was read")?;
    let mut copied = CopiedPictures::default();
    // Each picture is written as it is found, so that only one is held at a time.
    let only = (!pages.is_empty()).then_some(pages);
    let listed = kooste_extract::page_pictures(&target, &bytes, &limits.start(), only, |picture| {
        let file = format!(
            "{:02}.{}",
            copied.files.len() + 1,
            picture.picture.extension()
        );
        std::fs::write(to.join(&file), &picture.bytes)?;
        copied.files.push((picture.page, file));
        Ok(())
    });
    match listed {
        Ok(count) => copied.left_out = count.left_out,
        Err(kooste_extract::Error::Io(e)) => return Err(e.to_string()),
        // Damage or a bound: the content is to blame, and another run would fare no better;
        // the deadline: only a longer one would. What was written before is not read.
        Err(e) => {
            return Ok(CopiedPictures {
                unreadable: Some(format!("its pictures could not be read: {e}")),
                stopped: matches!(e, kooste_extract::Error::Timeout(_)),
                ..CopiedPictures::default()
            });
        }
    }
    Ok(copied)
}

impl Scan {
    /// Whether OCR reads some pages of a document with text, not the whole of one without.
    pub(crate) fn in_part(&self) -> bool {
        matches!(self, Scan::PdfPages(_) | Scan::SlidePictures(_))
    }

    /// The slides to read, of a presentation with text; `None` where all pictures are read.
    pub(crate) fn slides(&self) -> Option<&[u32]> {
        match self {
            Scan::SlidePictures(slides) => Some(slides),
            _ => None,
        }
    }
}

/// Reads the copied pictures of a document of `pages` pages by OCR: each picture's text
/// goes to its page, after the text of the pictures before it there. With `slides`, only
/// the pictures of those slides are read, and the reading holds those slides alone.
pub(crate) fn read_pictures_by_ocr(
    ocr: &kooste_ocr::Ocr,
    copies: &PictureCopies,
    pages: usize,
    slides: Option<&[u32]>,
) -> Result<ScanReading, kooste_ocr::OcrError> {
    let copied = &copies.copied;
    let files = &copied.files;
    let paths: Vec<std::path::PathBuf> = files
        .iter()
        .map(|(_, file)| copies.dir.path().join(file))
        .collect();
    let mut text = if paths.is_empty() {
        kooste_ocr::OcrText {
            pages: Vec::new(),
            failed: Vec::new(),
            left_out: 0,
        }
    } else {
        ocr.read_pictures(&paths)?
    };
    let Some(slides) = slides else {
        return Ok(pictures_reading(copied, text, pages));
    };
    // The slides whose pictures were read, in order; a failure names its slide.
    let mut read: Vec<u32> = Vec::new();
    for (page, _) in files.iter().take(text.pages.len()) {
        if !read.contains(page) {
            read.push(*page);
        }
    }
    for (n, why) in &mut text.failed {
        if let Some((page, _)) = files.get((*n as usize).saturating_sub(1)) {
            *why = why.replacen(
                &format!("picture {n}"),
                &format!("the picture of slide {page}"),
                1,
            );
        }
    }
    // Slides past the cap or the time, not read; a slide without a picture OCR reads
    // (too small, a drawing) had nothing to read.
    let cut = copied.left_out > 0 || text.left_out > 0;
    let unread = slides.iter().filter(|n| !read.contains(n)).count() as u32;
    let reading = pictures_reading(copied, text, pages);
    Ok(ScanReading {
        pages: (read.iter())
            .map(|&n| {
                let at = (n as usize).saturating_sub(1);
                reading.pages.get(at).cloned().unwrap_or_default()
            })
            .collect(),
        numbers: read,
        pictures: 0,
        left_out: if cut { unread } else { 0 },
        ..reading
    })
}

/// What OCR read of the `copied` pictures (`text`, picture by picture) as the reading of a
/// document of `pages` pages: each picture's text on its page, after the text of the
/// pictures before it there.
fn pictures_reading(
    copied: &CopiedPictures,
    text: kooste_ocr::OcrText,
    pages: usize,
) -> ScanReading {
    let files = &copied.files;
    // A page past the document's last (the document and its pictures disagree) is its last.
    let page_of = |n: usize| {
        files
            .get(n)
            .map_or(0, |(page, _)| (*page as usize).clamp(1, pages.max(1)) - 1)
    };
    let mut reading = ScanReading {
        pages: vec![String::new(); pages.max(1)],
        failed: Vec::new(),
        left_out: copied.left_out.saturating_add(text.left_out),
        pictures: (files.len() as u32).saturating_add(copied.left_out),
        stopped_at: None,
        numbers: Vec::new(),
    };
    for (n, read) in text.pages.into_iter().enumerate() {
        if let Some(page) = reading.pages.get_mut(page_of(n))
            && !read.trim().is_empty()
        {
            if !page.is_empty() {
                page.push_str("\n\n");
            }
            page.push_str(&read);
        }
    }
    for (n, why) in text.failed {
        let page = page_of((n as usize).saturating_sub(1)) as u32 + 1;
        reading.failed.push((page, why));
    }
    if let Some(why) = &copied.unreadable {
        reading.failed.push((1, why.clone()));
    }
    reading
}

/// Items of the results of [`analyse_bytes`] called with `path`.
pub(crate) fn items_from(path: &str, analysed: Vec<Analysed>) -> Vec<Item> {
    analysed
        .into_iter()
        .map(|a| Item {
            suffix: a
                .path
                .strip_prefix(path)
                .map_or_else(|| format!("/{}", a.path), str::to_string),
            format: a.format,
            bytes: a.bytes,
            hash: a.hash,
            result: a.result,
        })
        .collect()
}

/// The lower-case extension of a path's file name, the only part of a name that extraction
/// looks at (it breaks ties in format sniffing).
pub(crate) fn extension(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The error record of a file that could not be read at all.
pub(crate) fn failed_analysed(entry: &DriveEntry<'_>, bytes: u64, error: ExtractError) -> Analysed {
    Analysed {
        path: entry.rel_path.to_string(),
        format: kooste_extract::sniff(&entry.rel_path, &[]),
        bytes,
        hash: String::new(),
        result: Err(error),
    }
}

/// Reads a file (at most `limit` bytes; a file that grew past it since it was measured is
/// refused, not cut).
pub(crate) fn read_capped(path: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "file grew over the limit of {limit} bytes while being read"
        )));
    }
    Ok(bytes)
}

/// Reads and extracts a file in this process, for when no worker processes are used.
pub(crate) fn extract_in_process(
    abs: &std::path::Path,
    name: &str,
    limits: &Limits,
) -> (String, Vec<Item>) {
    match read_capped(abs, limits.max_file_bytes) {
        Ok(bytes) => {
            let hash = blake3::hash(&bytes).to_hex().to_string();
            (hash, items_from(name, analyse_bytes(name, &bytes, limits)))
        }
        Err(e) => (
            String::new(),
            vec![Item::failed(
                kooste_extract::sniff(name, &[]),
                0,
                "",
                ExtractError::new(ErrorKind::Io, e.to_string()),
            )],
        ),
    }
}

/// Writes the bytes of the member `suffix` (`/inner/x.pdf`, as [`Item::suffix`] names it) of
/// the file at `abs`, whose path on the drive is `name`, to `to`, so that OCR can read a scan
/// inside an archive or attached to a message. The member must have the content `hash`: two
/// members can have one name (a folder `a/` beside an archive `a`). Returns why nothing was
/// written, when nothing was. The containers are opened again as extraction opened them, within
/// the same limits.
pub(crate) fn copy_member(
    abs: &Path,
    name: &str,
    member: (&str, &str),
    to: &Path,
    limits: &Limits,
) -> Result<(), String> {
    let (_, bytes) = member_bytes(abs, name, member, limits)?.ok_or_else(|| {
        format!(
            "{} could not be copied out of the file for OCR: it is not in it as it was read",
            member.0
        )
    })?;
    std::fs::write(to, &bytes).map_err(|e| e.to_string())
}

/// The path and bytes of the member (suffix, content hash; suffix empty for the file
/// itself) of the file at `abs`, `name` on the drive, opened again as extraction opened it;
/// `None` where it is no longer there as it was read. The error is the file's reading.
fn member_bytes(
    abs: &Path,
    name: &str,
    (suffix, hash): (&str, &str),
    limits: &Limits,
) -> Result<Option<(String, Vec<u8>)>, String> {
    let bytes = read_capped(abs, limits.max_file_bytes).map_err(|e| e.to_string())?;
    let target = format!("{name}{suffix}");
    Ok(find_member(name.to_string(), bytes, (&target, hash), limits, 0).map(|b| (target, b)))
}

/// The bytes of content `target.1` at `target.0` inside the file at `path` holding `bytes`,
/// going down through archives and messages as [`analyse_bytes`] does.
fn find_member(
    path: String,
    bytes: Vec<u8>,
    target: (&str, &str),
    limits: &Limits,
    depth: u32,
) -> Option<Vec<u8>> {
    let (target, hash) = target;
    if path == target {
        return (blake3::hash(&bytes).to_hex().as_str() == hash).then_some(bytes);
    }
    if depth >= limits.max_archive_depth {
        return None;
    }
    let members = match kooste_extract::sniff(&path, &bytes) {
        Format::Zip => {
            kooste_extract::archive_members(&bytes, limits)
                .ok()?
                .members
        }
        Format::Eml | Format::Msg => {
            kooste_extract::extract_with_attachments(&path, &bytes, &limits.start())
                .ok()?
                .1
        }
        _ => return None,
    };
    drop(bytes);
    let below = target.strip_prefix(path.as_str())?.strip_prefix('/')?;
    // Member names hold folders: `a` and `a/b.pdf` may both lead to the target.
    members
        .into_iter()
        .filter(|m| {
            below
                .strip_prefix(m.name.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .find_map(|m| {
            let at = format!("{path}/{}", m.name);
            find_member(at, m.bytes.ok()?, (target, hash), limits, depth + 1)
        })
}

/// Extracts one file held in memory. A ZIP archive gives one result per member, nested
/// archives included up to the depth limit.
pub fn analyse_bytes(path: &str, bytes: &[u8], limits: &Limits) -> Vec<Analysed> {
    let mut out = Vec::new();
    analyse_into(path, bytes, limits, 0, &mut out);
    out
}

fn analyse_into(path: &str, bytes: &[u8], limits: &Limits, depth: u32, out: &mut Vec<Analysed>) {
    let hash = blake3::hash(bytes).to_hex().to_string();
    let format = kooste_extract::sniff(path, bytes);
    let record = |format: Format, result: Result<Document, ExtractError>| Analysed {
        path: path.to_string(),
        format,
        bytes: bytes.len() as u64,
        hash: hash.clone(),
        result,
    };
    if format == Format::Zip {
        if depth >= limits.max_archive_depth {
            out.push(record(
                format,
                Err(ExtractError::new(
                    ErrorKind::TooLarge,
                    format!(
                        "archive nested deeper than {} levels",
                        limits.max_archive_depth
                    ),
                )),
            ));
            return;
        }
        match kooste_extract::archive_members(bytes, limits) {
            Ok(archive) if !archive.members.is_empty() => {
                // The archive itself is damaged, and the audit says so beside what was read.
                if let Some(note) = archive.damaged {
                    out.push(record(
                        format,
                        Err(ExtractError::new(ErrorKind::Corrupt, note)),
                    ));
                }
                for m in archive.members {
                    analyse_member(path, m, limits, depth, out);
                }
            }
            Ok(_) => out.push(record(
                format,
                Err(ExtractError::new(
                    ErrorKind::Unsupported,
                    "empty ZIP archive",
                )),
            )),
            Err(e) => out.push(record(format, Err(e.into()))),
        }
        return;
    }
    let (result, attachments) =
        match kooste_extract::extract_with_attachments(path, bytes, &limits.start()) {
            Ok((doc, attachments)) => (Ok(doc), attachments),
            Err(e) => (Err(ExtractError::from(e)), Vec::new()),
        };
    out.push(record(format, result));
    // The files attached to a message are materials of their own, as an archive's members
    // are, up to the same depth. Pictures sent by mail are capped per file, not only per
    // message: forwarded messages would each bring their own.
    if depth < limits.max_archive_depth {
        for m in attachments {
            let picture = m.bytes.as_deref().is_ok_and(|b| {
                kooste_model::Picture::of(&b[..b.len().min(16)], &extension(&m.name)).is_some()
            });
            let pictures = out.iter().filter(|a| a.format == Format::Image).count();
            if picture && pictures >= kooste_extract::MAX_SENT_PICTURES {
                continue;
            }
            analyse_member(path, m, limits, depth, out);
        }
    }
}

/// One member of an archive or attachment of a message, read as a file of its own at
/// `container/name`.
fn analyse_member(
    container: &str,
    m: Member,
    limits: &Limits,
    depth: u32,
    out: &mut Vec<Analysed>,
) {
    let member_path = format!("{container}/{}", m.name);
    match m.bytes {
        Ok(bytes) => {
            let first = out.len();
            analyse_into(&member_path, &bytes, limits, depth + 1, out);
            if m.cut {
                out[first..].iter_mut().for_each(mark_cut);
            }
        }
        Err(e) => out.push(Analysed {
            format: kooste_extract::sniff(&member_path, &[]),
            path: member_path,
            bytes: 0,
            hash: String::new(),
            result: Err(e.into()),
        }),
    }
}

/// A member the archive breaks off in was read from its beginning only.
fn mark_cut(a: &mut Analysed) {
    const CUT: &str = "the archive it is in breaks off inside it";
    match &mut a.result {
        Ok(doc) => {
            doc.damaged = Some(match doc.damaged.take() {
                Some(inner) => format!("{CUT}, so only its beginning was read; {inner}"),
                None => format!("{CUT}, so only its beginning was read"),
            });
        }
        Err(e) => e.message = format!("{CUT}: {}", e.message),
    }
}

/// Titles that tools write by default say nothing about the material.
fn is_placeholder_title(title: &str) -> bool {
    let t = title.trim().to_lowercase();
    const PLACEHOLDERS: [&str; 9] = [
        "powerpoint presentation",
        "powerpoint-esitys",
        "untitled",
        "nimetön",
        "slide 1",
        "dia 1",
        "title",
        "otsikko",
        "microsoft word",
    ];
    if t.is_empty() || PLACEHOLDERS.contains(&t.as_str()) || t.chars().count() < 3 {
        return true;
    }
    // Only a date or a number: "5.3.2021", "2021-03-05".
    if t.chars().all(|c| c.is_ascii_digit() || " ./-:".contains(c)) {
        return true;
    }
    // A tool's default name with its running number: "Asiakirja3", "Presentation12".
    const NUMBERED: [&str; 8] = [
        "asiakirja",
        "document",
        "dokumentti",
        "esitys",
        "diaesitys",
        "presentation",
        "työkirja",
        "book",
    ];
    let numbered = NUMBERED.iter().filter_map(|p| t.strip_prefix(p)).any(|n| {
        let n = n.trim();
        !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    });
    // The title of the template a document was made from, left in it: "Asiakirjapohja
    // OPH", "Harjoitustyöpohja", "Report template". A longer title naming a base
    // ("Yhteinen tietopohja kaupunkien palveluille") is a title.
    let words: Vec<&str> = t.split_whitespace().collect();
    let template = words.len() <= 3
        && words
            .iter()
            .any(|w| w.ends_with("pohja") || *w == "template" || w.ends_with("-template"));
    numbered || template
}

/// The title a person would use: the document's own, unless it is a tool's placeholder or
/// a file name in disguise ("Microsoft Word - x.docx"), else the file name without extension.
pub fn display_title(path: &str, meta_title: Option<&str>) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    match meta_title.map(str::trim) {
        Some(t) if !is_placeholder_title(t) => {
            let t = t.strip_prefix("Microsoft Word - ").unwrap_or(t);
            let t = t.strip_prefix("Microsoft PowerPoint - ").unwrap_or(t);
            t.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        _ => stem.to_string(),
    }
}

/// The index record of an extracted file, classified. Its `picture_pages` are those OCR
/// would read: a caller that ran OCR clears them.
pub fn material_from(a: &Analysed, classifier: &Classifier) -> Material {
    let file_title = display_title(&a.path, None);
    let mut m = Material {
        path: a.path.clone(),
        format: a.format,
        bytes: a.bytes,
        hash: a.hash.clone(),
        title: file_title,
        author: None,
        created: None,
        modified: None,
        city: None,
        city_source: None,
        tp: Vec::new(),
        themes: Vec::new(),
        scores: Default::default(),
        status: Status::Error,
        error: None,
        damaged: None,
        ocr: None,
        picture_pages: Vec::new(),
        pages: 0,
        chars: 0,
        manual: Vec::new(),
        answer_hints: Default::default(),
        city_contenders: Vec::new(),
    };
    let doc = match &a.result {
        Ok(doc) => doc,
        Err(e) => {
            m.error = Some(e.clone());
            // Path alone still tells city and work package of an unreadable file.
            let c = classifier.classify(&MaterialText {
                path: &a.path,
                title: None,
                author: None,
                pages: &[],
            });
            m.city = c.city.map(|(city, _)| city);
            m.city_source = c.city.map(|(_, s)| s);
            m.tp = c.tp;
            return m;
        }
    };
    m.format = doc.format;
    m.title = display_title(&a.path, doc.meta.title.as_deref());
    m.author = doc.meta.author.clone();
    m.created = doc.meta.created.clone();
    m.modified = doc.meta.modified.clone();
    m.pages = doc.pages.len() as u32;
    m.chars = doc.chars() as u64;
    m.damaged = doc.damaged.clone();
    m.status = if doc.is_empty() {
        Status::Empty
    } else {
        Status::Ok
    };
    // Until OCR runs: a caller with OCR on clears them, read or not.
    m.picture_pages = match scan_of(doc) {
        Some(Scan::PdfPages(pages) | Scan::SlidePictures(pages)) => pages,
        _ => Vec::new(),
    };
    let c = classifier.classify(&MaterialText {
        path: &a.path,
        title: doc
            .meta
            .title
            .as_deref()
            .filter(|t| !is_placeholder_title(t)),
        author: doc.meta.author.as_deref(),
        pages: &doc.pages,
    });
    m.city = c.city.map(|(city, _)| city);
    m.city_source = c.city.map(|(_, s)| s);
    m.city_contenders = c.city_contenders.clone();
    m.tp = c.tp.clone();
    m.scores = c
        .themes
        .iter()
        .map(|t| (t.id.as_str(), (t.score * 1000.0).round() / 1000.0))
        .collect();
    m.themes = c.assigned();
    m.answer_hints = kooste_classify::answer_hints(&doc.pages, &m.title);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_read_in_part_are_listed_with_runs_as_ranges() {
        assert_eq!(page_list(&[2], "page"), "page 2");
        assert_eq!(page_list(&[3, 4], "slide"), "slides 3, 4");
        assert_eq!(
            page_list(&[31, 36, 37, 38, 39, 40], "page"),
            "pages 31, 36\u{2013}40"
        );
        assert_eq!(
            page_list(&[1, 2, 3, 7, 9, 10], "page"),
            "pages 1\u{2013}3, 7, 9, 10"
        );
    }

    /// Only the pages that extraction marked as showing a picture without words are read.
    #[test]
    fn a_pdf_with_text_is_read_on_its_pages_of_pictures_alone() {
        let page = |n: u32, text: &str, pictured: bool| kooste_model::Page {
            pictured,
            ..kooste_model::Page::new(n, text)
        };
        let mut doc = Document {
            format: Format::Pdf,
            pages: vec![
                page(1, "Johdanto\n\n", false),
                page(2, "2\n\n", true),
                page(3, "Kuva 1. Työpaja\n\n", false),
                page(4, "", true),
                page(5, "", false),
            ],
            meta: kooste_model::Meta::default(),
            damaged: None,
        };
        assert_eq!(scan_of(&doc), Some(Scan::PdfPages(vec![2, 4])));
        let reading = ScanReading {
            pages: vec!["Allekirjoitukset".into(), String::new()],
            numbers: vec![2, 4],
            ..ScanReading::from(kooste_ocr::OcrText {
                pages: Vec::new(),
                failed: vec![(4, "tesseract failed on page 4: no".into())],
                left_out: 1,
            })
        };
        assert!(!reading.adds_nothing());
        let note = apply_reading(&mut doc, reading, "t");
        assert_eq!(
            note,
            "read by OCR (t): page 2, which shows a picture and no text; 1 more such page \
             not read; not read: tesseract failed on page 4: no"
        );
        assert_eq!(doc.pages[1].text, "2\nAllekirjoitukset");
        assert_eq!(doc.pages[3].text, "");
        // A document of no text at all is a scan, read whole.
        for p in &mut doc.pages {
            p.text.clear();
        }
        assert_eq!(scan_of(&doc), Some(Scan::Pdf(5)));
        // Nothing read and nothing failed: nothing to add or say.
        let blank = ScanReading {
            pages: vec![" \n".into()],
            numbers: vec![2],
            ..ScanReading::from(kooste_ocr::OcrText {
                pages: Vec::new(),
                failed: Vec::new(),
                left_out: 0,
            })
        };
        assert!(blank.adds_nothing());
        // Nothing found, but pages past the cap not read: that is said, not dropped.
        let mut doc = Document {
            format: Format::Pdf,
            pages: vec![page(1, "Johdanto", false), page(2, "", true)],
            meta: kooste_model::Meta::default(),
            damaged: None,
        };
        let capped = ScanReading {
            left_out: 1959,
            ..blank
        };
        assert!(!capped.adds_nothing());
        assert_eq!(
            apply_reading(&mut doc, capped, "t"),
            "OCR found no text (t) on page 2; 1959 more such pages not read"
        );
        assert_eq!(doc.pages[1].text, "");
    }

    #[test]
    fn items_keep_member_paths_relative() {
        let doc = |t: &str| Document {
            format: Format::Txt,
            pages: vec![kooste_model::Page::new(1, t)],
            meta: kooste_model::Meta::default(),
            damaged: None,
        };
        let analysed = vec![
            Analysed {
                path: "Espoo/a.zip/x.txt".into(),
                format: Format::Txt,
                bytes: 1,
                hash: "h".into(),
                result: Ok(doc("x")),
            },
            Analysed {
                path: "Espoo/a.zip/sub.zip/y.txt".into(),
                format: Format::Txt,
                bytes: 1,
                hash: "h2".into(),
                result: Ok(doc("y")),
            },
        ];
        let items = items_from("Espoo/a.zip", analysed);
        assert_eq!(items[0].suffix, "/x.txt");
        assert_eq!(items[1].suffix, "/sub.zip/y.txt");
        let moved: Vec<String> = items
            .into_iter()
            .map(|i| i.into_analysed("Vantaa/b.zip").path)
            .collect();
        assert_eq!(moved, ["Vantaa/b.zip/x.txt", "Vantaa/b.zip/sub.zip/y.txt"]);
    }

    #[test]
    fn a_scan_says_how_ocr_read_it() {
        // A scanned PDF's pages are all it has.
        let fill_scan_all = |doc: &mut Document, reading: ScanReading, reader: &str| {
            let total = doc.pages.len();
            fill_scan(doc, reading, reader, total)
        };
        let scan = |pages: u32| Document {
            format: Format::Pdf,
            pages: (1..=pages)
                .map(|n| kooste_model::Page::new(n, ""))
                .collect(),
            meta: Default::default(),
            damaged: None,
        };
        let reading = |pages: &[&str], failed: &[(u32, &str)]| ScanReading {
            pages: pages.iter().map(|p| p.to_string()).collect(),
            failed: failed.iter().map(|(n, w)| (*n, w.to_string())).collect(),
            left_out: 0,
            pictures: 0,
            stopped_at: None,
            numbers: Vec::new(),
        };
        let mut doc = scan(3);
        assert!(is_scan(&doc));
        let note = fill_scan_all(
            &mut doc,
            reading(
                &["Sivu", "", "Kolmas"],
                &[(2, "tesseract failed on page 2: x")],
            ),
            "t 5",
        );
        assert_eq!(
            note,
            "read by OCR (t 5); not read: tesseract failed on page 2: x"
        );
        assert_eq!(doc.pages[2].text, "Kolmas");
        assert!(!is_scan(&doc));

        let mut doc = scan(50);
        let note = fill_scan_all(
            &mut doc,
            reading(&["a", "b"], &[(1, "x"), (2, "y"), (3, "z")]),
            "t 5",
        );
        assert_eq!(
            note,
            "read by OCR (t 5), the first 2 of 50 pages; not read: x (and 2 more pages)"
        );

        let mut doc = scan(2);
        let note = fill_scan_all(&mut doc, reading(&["", " \n"], &[]), "t 5");
        assert_eq!(note, "OCR found no text (t 5)");
        let note = fill_scan_all(
            &mut scan(1),
            reading(&[""], &[(1, "pdftoppm failed on page 1: y")]),
            "t 5",
        );
        assert_eq!(note, "OCR failed: pdftoppm failed on page 1: y");
    }

    #[test]
    fn a_picture_gets_the_pages_read_and_says_how_many_it_claims() {
        let mut doc = Document {
            format: Format::Image,
            pages: Vec::new(),
            meta: Default::default(),
            damaged: None,
        };
        let reading = ScanReading {
            pages: vec!["Sivu yksi".into(), String::new()],
            failed: Vec::new(),
            left_out: 99_998,
            pictures: 0,
            stopped_at: None,
            numbers: Vec::new(),
        };
        let note = apply_reading(&mut doc, reading, "t 5");
        assert_eq!(doc.pages.len(), 2);
        assert_eq!(doc.pages[0].text, "Sivu yksi");
        assert_eq!(note, "read by OCR (t 5), the first 2 of 100000 pages");
    }

    #[test]
    fn pictures_are_read_into_their_pages_and_the_note_counts_them() {
        let copied = CopiedPictures {
            files: vec![
                (2, "01.png".into()),
                (2, "02.jpg".into()),
                (1, "03.png".into()),
                // The document has three pages: read onto its last.
                (7, "04.png".into()),
            ],
            left_out: 2,
            unreadable: None,
            stopped: false,
        };
        let text = kooste_ocr::OcrText {
            pages: vec![
                "Toka".into(),
                "Toinen".into(),
                String::new(),
                "Viimeinen".into(),
            ],
            failed: vec![
                (3, "tesseract failed on picture 3: x".into()),
                (4, "tesseract failed on picture 4: y".into()),
            ],
            left_out: 0,
        };
        let reading = pictures_reading(&copied, text, 3);
        assert_eq!(reading.pages, ["", "Toka\n\nToinen", "Viimeinen"]);
        assert_eq!(
            reading.failed,
            [
                (1, "tesseract failed on picture 3: x".to_string()),
                (3, "tesseract failed on picture 4: y".to_string())
            ]
        );
        assert_eq!((reading.pictures, reading.left_out), (6, 2));

        let slides = |n: u32| Document {
            format: Format::Pptx,
            pages: (1..=n).map(|n| Page::new(n, "")).collect(),
            meta: Default::default(),
            damaged: None,
        };
        let mut doc = slides(3);
        assert_eq!(scan_of(&doc), Some(Scan::Pictures));
        let note = apply_reading(&mut doc, reading.clone(), "t 5");
        assert_eq!(doc.pages[1].text, "Toka\n\nToinen");
        assert_eq!(
            note,
            "read by OCR (t 5) from the first 4 of its 6 pictures; not read: tesseract failed on \
             picture 3: x (and 1 more picture)"
        );
        let one = ScanReading {
            pages: vec!["Sivu".into()],
            failed: Vec::new(),
            left_out: 0,
            pictures: 1,
            stopped_at: None,
            numbers: Vec::new(),
        };
        assert_eq!(
            apply_reading(&mut slides(1), one, "t 5"),
            "read by OCR (t 5) from its picture"
        );
        let nothing = ScanReading {
            pages: vec![String::new(); 2],
            failed: Vec::new(),
            left_out: 0,
            pictures: 2,
            stopped_at: None,
            numbers: Vec::new(),
        };
        assert_eq!(
            apply_reading(&mut slides(2), nothing, "t 5"),
            "OCR found no text (t 5)"
        );
        // A package whose pictures cannot be found: a failure kept as the reading.
        let damaged = CopiedPictures {
            unreadable: Some("its pictures could not be read: damaged ZIP".into()),
            ..CopiedPictures::default()
        };
        let empty = kooste_ocr::OcrText {
            pages: Vec::new(),
            failed: Vec::new(),
            left_out: 0,
        };
        let reading = pictures_reading(&damaged, empty, 2);
        assert_eq!(reading.pictures, 0);
        assert_eq!(
            apply_reading(&mut slides(2), reading, "t 5"),
            "OCR failed: its pictures could not be read: damaged ZIP"
        );
        // Text of its own: not a document for OCR.
        let mut read = slides(1);
        read.pages[0].text = "Dia".into();
        assert_eq!(scan_of(&read), None);
    }

    #[test]
    fn a_file_keeps_at_most_the_cap_of_pictures_sent_by_mail_forwarded_ones_included() {
        let cap = kooste_extract::MAX_SENT_PICTURES;
        // A message with `n` pictures of a page attached, each a file of its own.
        let message = |subject: &str, n: usize, inner: &[u8]| {
            let mut mail = format!(
                "Subject: {subject}\nContent-Type: multipart/mixed; boundary=b{subject}\n\n\
                 --b{subject}\nContent-Type: text/plain\n\nKuvat liitteena.\n"
            )
            .into_bytes();
            for i in 0..n {
                mail.extend(
                    format!(
                        "--b{subject}\nContent-Type: image/jpeg\nContent-Disposition: attachment; \
                         filename=sivu{i}.jpg\n\n"
                    )
                    .bytes(),
                );
                let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
                jpeg.resize(40_000, i as u8);
                mail.extend(jpeg);
                mail.push(b'\n');
            }
            if !inner.is_empty() {
                mail.extend(format!("--b{subject}\nContent-Type: message/rfc822\n\n").bytes());
                mail.extend_from_slice(inner);
                mail.push(b'\n');
            }
            mail.extend(format!("--b{subject}--\n").bytes());
            mail
        };
        let innermost = message("c", cap / 2, b"");
        let inner = message("b", cap / 2, &innermost);
        let outer = message("a", cap / 2, &inner);
        let analysed = analyse_bytes("viesti.eml", &outer, &Limits::default());
        let pictures = analysed
            .iter()
            .filter(|a| a.format == Format::Image)
            .count();
        assert_eq!(pictures, cap);
        // The forwarded messages themselves are all there.
        assert_eq!(
            analysed.iter().filter(|a| a.format == Format::Eml).count(),
            3
        );
    }

    #[test]
    fn extension_is_lower_case_and_of_the_file_name_only() {
        assert_eq!(extension("a.b/Raportti.PDF"), "pdf");
        assert_eq!(extension("kansio.d/README"), "");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(extension("x.tar.gz"), "gz");
    }

    #[test]
    fn titles_skip_placeholders() {
        assert_eq!(
            display_title("a/Malli_v0.1.pptx", Some("PowerPoint Presentation")),
            "Malli_v0.1"
        );
        assert_eq!(
            display_title("a/x.docx", Some("Microsoft Word - Raportti.docx")),
            "Raportti.docx"
        );
        assert_eq!(
            display_title("a/x.pdf", Some("  Asiakaskokemus\n loppuraportti ")),
            "Asiakaskokemus loppuraportti"
        );
        assert_eq!(display_title("x", None), "x");
        // Dates, numbered default names and the titles of templates say nothing of the file.
        for placeholder in [
            "5.3.2021",
            "2021-03-05",
            "Asiakirja3",
            "Presentation 12",
            "ASIAKIRJAPOHJA OPH",
            "Harjoitustyöpohja",
            "Report template",
        ] {
            assert_eq!(
                display_title("Oulu/Loppuraportti.docx", Some(placeholder)),
                "Loppuraportti",
                "{placeholder}"
            );
        }
        for title in [
            "Yhteinen tietopohja kaupunkien palveluille",
            "Asiakirjahallinnan kehittäminen 2018",
            "Esityslista",
        ] {
            assert_eq!(display_title("a/x.docx", Some(title)), title);
        }
    }
}
