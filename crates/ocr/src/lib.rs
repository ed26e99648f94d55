//! Text of scanned PDF pages and scanned images by optical character recognition.
//!
//! Project drives keep signed minutes and decisions as scans: PDFs whose pages are pictures
//! with no text layer, or the scanner's or phone's image files themselves. Two programs that
//! do this well are used rather than reimplemented:
//! `pdftoppm` (poppler) renders a page to a greyscale image and `tesseract` reads it with its
//! Finnish and English models. Each runs as a child process with a time limit per page, so
//! a page that makes either hang costs the limit and no more, and with a cap on the pages read
//! per file. The images live in a private temporary folder that is removed however the read
//! ends. Nothing here prints; failures are [`OcrError`]s.

use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Bumped when what [`Ocr::read_pdf`] returns for the same programs would change, so that
/// stored results are read again.
const REVISION: u32 = 5;

/// How pages are rendered and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Rendering resolution. Tesseract reads body text best at about 300 dots per inch.
    pub dpi: u32,
    /// Rendering and recognising one page may take this long.
    pub page_timeout: Duration,
    /// Pages read per file; a longer scan is read from its start, and the rest is counted.
    pub max_pages: u32,
    /// Reading one file may take this long in all: pages not begun by then are left out.
    pub file_timeout: Duration,
    /// Address space each program may use, in MiB (Unix). A normal page needs a few hundred.
    pub memory_mib: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dpi: 300,
            page_timeout: Duration::from_secs(120),
            max_pages: 40,
            file_timeout: Duration::from_secs(600),
            memory_mib: 2048,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("{program} was not found on PATH; {hint}")]
    Missing {
        program: &'static str,
        hint: &'static str,
    },
    #[error(
        "tesseract has no Finnish model (fin); install tesseract-ocr-fin or put fin.traineddata in its tessdata folder"
    )]
    NoFinnish,
    #[error("{program} failed on page {page}: {detail}")]
    Failed {
        program: &'static str,
        page: u32,
        detail: String,
    },
    #[error("{program} took longer than {secs} s on page {page} and was stopped")]
    Timeout {
        program: &'static str,
        page: u32,
        secs: u64,
    },
    /// A picture that OCR does not read, and why.
    #[error("{0}")]
    Picture(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The text that recognition found, page by page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrText {
    /// From the first page on; a page that could not be read is empty.
    pub pages: Vec<String>,
    /// The pages that could not be read (1-based) and why.
    pub failed: Vec<(u32, String)>,
    /// Pages beyond [`Settings::max_pages`], or not begun within
    /// [`Settings::file_timeout`], not read.
    pub left_out: u32,
}

/// The two programs, found and checked once for a run.
#[derive(Debug, Clone)]
pub struct Ocr {
    pdftoppm: PathBuf,
    tesseract: PathBuf,
    /// `fin` or `fin+eng`: English too where its model is installed, for the English words
    /// and names that Finnish project papers hold.
    languages: String,
    tesseract_version: String,
    pdftoppm_version: String,
    /// tesseract has its orientation model (`osd`), which tells a sideways page's turn.
    orientation: bool,
    settings: Settings,
}

impl Ocr {
    /// Finds `pdftoppm` and `tesseract` on `PATH` and checks that tesseract has a Finnish
    /// model.
    pub fn detect(settings: Settings) -> Result<Ocr, OcrError> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let pdftoppm = on_path(&path, "pdftoppm").ok_or(OcrError::Missing {
            program: "pdftoppm",
            hint: "install poppler-utils",
        })?;
        let tesseract = on_path(&path, "tesseract").ok_or(OcrError::Missing {
            program: "tesseract",
            hint: "install tesseract-ocr and tesseract-ocr-fin",
        })?;
        let version = Command::new(&tesseract).arg("--version").output()?;
        // Tesseract 4 printed its version on stderr, 5 on stdout.
        let banner = [version.stdout, version.stderr].concat();
        let tesseract_version = first_line(&banner, "tesseract");
        let rendered = Command::new(&pdftoppm).arg("-v").output()?;
        let pdftoppm_version = first_line(&[rendered.stdout, rendered.stderr].concat(), "pdftoppm");
        let listed = Command::new(&tesseract).arg("--list-langs").output()?;
        let listed = String::from_utf8_lossy(&[listed.stdout, listed.stderr].concat()).to_string();
        let has = |lang: &str| listed.lines().any(|l| l.trim() == lang);
        if !has("fin") {
            return Err(OcrError::NoFinnish);
        }
        let languages = if has("eng") { "fin+eng" } else { "fin" }.to_string();
        let orientation = has("osd");
        Ok(Ocr {
            pdftoppm,
            tesseract,
            languages,
            tesseract_version,
            pdftoppm_version,
            orientation,
            settings,
        })
    }

    /// Names what reads the pages, for a person: `tesseract 5.3.0, fin+eng`.
    pub fn describe(&self) -> String {
        format!("{}, {}", self.tesseract_version, self.languages)
    }

    /// Identifies the results this reader gives, for caches: the programs' versions, the
    /// languages and the settings that change the text.
    pub fn key(&self) -> String {
        format!(
            "ocr r{REVISION}; {}; {}; {}; {} dpi; {} pages; {} s a page, {} s a file; {} MiB",
            self.tesseract_version,
            self.pdftoppm_version,
            self.languages,
            self.settings.dpi,
            self.settings.max_pages,
            self.settings.page_timeout.as_secs(),
            self.settings.file_timeout.as_secs(),
            self.settings.memory_mib
        )
    }

    /// Renders and reads the first `pages` pages of the PDF at `pdf`: at most
    /// [`Settings::max_pages`] of them, and those begun within [`Settings::file_timeout`].
    /// A page that fails is left empty, with why in [`OcrText::failed`], and the others are
    /// still read: what fails on a page is the page's. Only an I/O error of this machine (no
    /// temporary folder, no output) stops the file.
    pub fn read_pdf(&self, pdf: &Path, pages: u32) -> Result<OcrText, OcrError> {
        self.read_pages(pages, |page, work, left| {
            self.read_page(pdf, page, work, left, false)
        })
    }

    /// Renders and reads the pages numbered `pages` (1-based, in the order given) of the PDF
    /// at `pdf`, as [`Ocr::read_pdf`] reads its first pages: the pages of a document with
    /// text elsewhere that show a picture and no text. The [`OcrText`]'s pages are those
    /// read, in that order, and its failures carry the pages' own numbers.
    pub fn read_pdf_pages(&self, pdf: &Path, pages: &[u32]) -> Result<OcrText, OcrError> {
        let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
        let number = |i: u32| pages.get(i as usize - 1).copied().unwrap_or(i);
        // Beside pages with text, a picture without writing (a photograph, a texture) must
        // not add noise: a page keeps its text only where tesseract trusts enough of it.
        let mut text = self.read_pages(count, |i, work, left| {
            self.read_page(pdf, number(i), work, left, true)
        })?;
        for (page, _) in &mut text.failed {
            *page = number(*page);
        }
        Ok(text)
    }

    /// Reads an image file as [`Ocr::read_pdf`] reads a PDF, page by page: a page scanned or
    /// photographed to JPEG, PNG, TIFF (each of its pages), GIF, BMP or WebP, at the
    /// resolution the file states. A page read upright that tesseract trusts little is read
    /// again with its orientation model turning it (`--psm 1`), and keeps the reading it
    /// trusts clearly more. A page keeps its text only where tesseract read at least
    /// [`TRUSTED_WORDS`] words it trusts: a photograph or a drawing gives a few strings of
    /// noise, which are not text.
    pub fn read_image(&self, image: &Path) -> Result<OcrText, OcrError> {
        let failed = |why: String| OcrText {
            pages: vec![String::new()],
            failed: vec![(1, why)],
            left_out: 0,
        };
        let held = match HeldPicture::of(image)? {
            Ok(held) => held,
            Err(why) => return Ok(failed(why)),
        };
        // A TIFF's pages are asked for one by one: left to itself, tesseract follows the
        // file's chain of pages, which may loop. Other pictures hold one page.
        let tiff = tiff_pages(&held.path);
        let pages = tiff.unwrap_or(1).max(1);
        self.read_pages(pages, |page, work, left| {
            self.read_image_page(&held.path, page, tiff.is_some(), work, left)
        })
    }

    /// Reads the pictures at `pictures` one after another, as the pages of one file: the
    /// pictures of a document without text. Each gives one "page" of the [`OcrText`], in the
    /// order given (its first page, for a TIFF); at most [`Settings::max_pages`] of them, and
    /// those begun within [`Settings::file_timeout`] of them all. A picture that fails or
    /// that tesseract cannot read is left empty, with why in [`OcrText::failed`].
    pub fn read_pictures(&self, pictures: &[PathBuf]) -> Result<OcrText, OcrError> {
        self.read_pages(pictures.len() as u32, |n, work, left| {
            let image = pictures
                .get(n as usize - 1)
                .ok_or_else(|| OcrError::Picture(format!("no picture {n}")))?;
            let held = HeldPicture::of(image)?.map_err(OcrError::Picture)?;
            // Each picture is the first page of its own file: what failed is said of the
            // picture. A stop at the file's time, not the picture's, stays a timeout, so
            // that the rest is left out.
            self.read_image_page(&held.path, 1, tiff_pages(&held.path).is_some(), work, left)
                .map_err(|e| match e {
                    OcrError::Failed {
                        program, detail, ..
                    } => OcrError::Picture(format!("{program} failed on picture {n}: {detail}")),
                    OcrError::Timeout { program, secs, .. }
                        if left >= self.settings.page_timeout =>
                    {
                        OcrError::Picture(format!(
                            "{program} took longer than {secs} s on picture {n} and was stopped"
                        ))
                    }
                    other => other,
                })
        })
    }

    /// Reads the first `pages` pages with `read_page` (page, work folder, time left of the
    /// file's): at most [`Settings::max_pages`] of them, and those begun within
    /// [`Settings::file_timeout`].
    fn read_pages(
        &self,
        pages: u32,
        read_page: impl Fn(u32, &Path, Duration) -> Result<String, OcrError>,
    ) -> Result<OcrText, OcrError> {
        let work = tempfile::Builder::new().prefix("kooste-ocr-").tempdir()?;
        let end = Instant::now() + self.settings.file_timeout;
        let cap = pages.min(self.settings.max_pages);
        let mut text = Vec::with_capacity(cap as usize);
        let mut failed = Vec::new();
        for page in 1..=cap {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match read_page(page, work.path(), left) {
                Ok(read) => text.push(read),
                // Cut off by the file's time, not the page's: the rest is left out.
                Err(OcrError::Timeout { .. }) if left < self.settings.page_timeout => break,
                // The machine, not the page: no later page would fare better.
                Err(e @ OcrError::Io(_)) => return Err(e),
                Err(e) => {
                    failed.push((page, e.to_string()));
                    text.push(String::new());
                }
            }
        }
        Ok(OcrText {
            left_out: pages - text.len() as u32,
            pages: text,
            failed,
        })
    }

    /// One page of an image file (of several, a multi-page TIFF: `select` it), within the
    /// page time limit and the `left` of the file's.
    fn read_image_page(
        &self,
        image: &Path,
        page: u32,
        select: bool,
        work: &Path,
        left: Duration,
    ) -> Result<String, OcrError> {
        let end = Instant::now() + self.settings.page_timeout.min(left);
        let remaining = || end.saturating_duration_since(Instant::now());
        let selected = format!("tessedit_page_number={}", page - 1);
        let mut args = Vec::new();
        if select {
            args.extend(["-c", selected.as_str()]);
        }
        let mut best = self.recognise(image, "text", &args, page, work, remaining())?;
        if self.orientation && best.confidence.is_some_and(|c| c < TURN_BELOW) {
            args.extend(["--psm", "1"]);
            // A reading that fails (the time may be nearly spent) leaves the upright one.
            if let Ok(again) = self.recognise(image, "turned", &args, page, work, remaining())
                && again.confidence.unwrap_or(0.0) > best.confidence.unwrap_or(0.0) + TURN_MARGIN
            {
                best = again;
            }
        }
        Ok(if best.trusted >= TRUSTED_WORDS {
            best.text
        } else {
            String::new()
        })
    }

    /// tesseract reading `image` into `out` (without extension) in this reader's languages.
    fn tesseract_command(&self, image: &Path, out: &Path) -> Command {
        let mut command = Command::new(&self.tesseract);
        command
            .arg(image)
            .arg(out)
            .args(["-l", &self.languages])
            // One thread per page: a run reads several files at once, and tesseract's own
            // threads would only compete with them.
            .env("OMP_THREAD_LIMIT", "1");
        command
    }

    /// One page, within the page time limit and the `left` of the file's.
    fn read_page(
        &self,
        pdf: &Path,
        page: u32,
        work: &Path,
        left: Duration,
        trusted_only: bool,
    ) -> Result<String, OcrError> {
        // Rendering, reading and a second reading of the page turned share the page's time.
        let end = Instant::now() + self.settings.page_timeout.min(left);
        let remaining = || end.saturating_duration_since(Instant::now());
        let image = work.join("page");
        let n = page.to_string();
        let mut render = Command::new(&self.pdftoppm);
        // Greyscale PGM: uncompressed, so it is written and read quickly, and a page turned
        // upside down is its pixels in reverse order.
        render
            .args(["-r", &self.settings.dpi.to_string(), "-gray"])
            .args(["-f", &n, "-l", &n, "-singlefile"])
            .arg(pdf)
            .arg(&image);
        self.run(render, "pdftoppm", page, work, remaining())?;
        let pgm = image.with_extension("pgm");
        let dpi = self.settings.dpi.to_string();
        let at_dpi = ["--dpi", dpi.as_str()];
        let first = self.recognise(&pgm, "text", &at_dpi, page, work, remaining())?;
        // A page fed into the scanner upside down or sideways reads as gibberish that
        // tesseract itself trusts little; read it turned, and keep the reading it trusts
        // clearly more.
        let mut best = first;
        if best.confidence.is_some_and(|c| c < TURN_BELOW) {
            // Sideways only where tesseract's orientation model says so; else upside down.
            let turns = self
                .quarter_turns(&pgm, page, work, remaining())
                .filter(|t| *t != 0)
                .unwrap_or(2);
            if let Some(turned) = turned_pgm(&pgm, &work.join("turned.pgm"), turns) {
                // A turned reading that fails (the page's time may be nearly spent) leaves the
                // upright one standing.
                if let Ok(again) =
                    self.recognise(&turned, "turned", &at_dpi, page, work, remaining())
                    && again.confidence.unwrap_or(0.0)
                        > best.confidence.unwrap_or(0.0) + TURN_MARGIN
                {
                    best = again;
                }
                let _ = std::fs::remove_file(&turned);
            }
        }
        let _ = std::fs::remove_file(&pgm);
        Ok(if trusted_only && best.trusted < TRUSTED_WORDS {
            String::new()
        } else {
            best.text
        })
    }

    /// How many quarter turns clockwise would set the page image upright, by tesseract's
    /// orientation model (`--psm 0`); `None` without the model or an answer.
    fn quarter_turns(&self, image: &Path, page: u32, work: &Path, limit: Duration) -> Option<u8> {
        if !self.orientation {
            return None;
        }
        let out = work.join("orientation");
        let mut detect = Command::new(&self.tesseract);
        detect
            .arg(image)
            .arg(&out)
            .args(["--psm", "0", "-l", "osd"])
            .env("OMP_THREAD_LIMIT", "1");
        self.run(detect, "tesseract", page, work, limit).ok()?;
        let said = std::fs::read_to_string(out.with_extension("osd")).ok()?;
        rotate_of(&said)
    }

    /// Reads one page image with tesseract, with `extra` arguments, into `name` in `work`:
    /// its text, its mean word confidence (0-100) from the TSV output (`None` when it found
    /// no words), and its trusted words.
    fn recognise(
        &self,
        image: &Path,
        name: &str,
        extra: &[&str],
        page: u32,
        work: &Path,
        limit: Duration,
    ) -> Result<Reading, OcrError> {
        let out = work.join(name);
        let mut recognise = self.tesseract_command(image, &out);
        recognise.args(extra).args(["txt", "tsv"]);
        self.run(recognise, "tesseract", page, work, limit)?;
        // No text file from a program that says it succeeded is a page without text (a page
        // too large to render, say), not this machine's trouble.
        let text = std::fs::read(out.with_extension("txt")).unwrap_or_default();
        let tsv = std::fs::read(out.with_extension("tsv")).unwrap_or_default();
        let tsv = String::from_utf8_lossy(&tsv);
        let words = word_stats(&tsv);
        Ok(Reading {
            text: String::from_utf8_lossy(&text)
                .trim_end_matches(['\u{c}', '\n', ' '])
                .to_string(),
            confidence: words.mean(),
            trusted: words.trusted,
        })
    }

    /// Runs a program to its end within `limit`, confined to the memory budget; its
    /// messages go to a file so that a full pipe cannot stall it.
    fn run(
        &self,
        mut command: Command,
        program: &'static str,
        page: u32,
        work: &Path,
        limit: Duration,
    ) -> Result<(), OcrError> {
        let log = work.join(format!("{program}.log"));
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        // No recogniser outlives an interrupted run, and a page the size of a wall cannot
        // take the machine's memory.
        kooste_confine::confine(&mut command, self.settings.memory_mib);
        let mut child = command.spawn()?;
        let status = match wait_for(&mut child, limit)? {
            Some(status) => status,
            None => {
                return Err(OcrError::Timeout {
                    program,
                    page,
                    secs: limit.as_secs_f64().ceil() as u64,
                });
            }
        };
        if status.success() {
            return Ok(());
        }
        let said = std::fs::read(&log).unwrap_or_default();
        let said = String::from_utf8_lossy(&said);
        let detail = said
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .map_or_else(|| status.to_string(), str::to_string);
        Err(OcrError::Failed {
            program,
            page,
            detail,
        })
    }
}

/// Below this mean word confidence a page is read again turned upside down. Upright Finnish
/// and English print reads at 85-95; the same page upside down at about 50.
const TURN_BELOW: f64 = 70.0;
/// How much more the turned reading must be trusted to be kept.
const TURN_MARGIN: f64 = 15.0;
/// Pictures larger than this are not read: no scanned page is (an uncompressed A3 page at
/// 600 dpi is about 70 MB).
const MAX_PICTURE_BYTES: u64 = 256 << 20;
/// A TIFF's pages are counted up to this many, so that the note can say how many were left
/// out, at a bounded cost.
const MAX_TIFF_PAGES: u32 = 100_000;
/// A page image larger than this is not turned: it would have to be held in memory, and no
/// scanned sheet is this large (A4 at 300 dpi is 8.7 MB, A3 17 MB).
const MAX_TURNED_BYTES: u64 = 64 << 20;

/// An image page keeps its text only where tesseract read at least this many words of three
/// letters or more at [`TRUSTED_CONFIDENCE`]. A scanned page of print has hundreds; a
/// photograph, a logo or a chart without writing, none.
pub const TRUSTED_WORDS: u32 = 5;
/// The confidence (0-100) of a trusted word.
const TRUSTED_CONFIDENCE: f64 = 80.0;

/// One reading of a page image.
#[derive(Debug, Default)]
struct Reading {
    text: String,
    confidence: Option<f64>,
    /// Words of three letters or more read at [`TRUSTED_CONFIDENCE`] or above.
    trusted: u32,
}

/// What tesseract's TSV output says of one page's words.
#[derive(Debug, Default, Clone, Copy)]
struct WordStats {
    sum: f64,
    words: u32,
    trusted: u32,
}

impl WordStats {
    fn mean(&self) -> Option<f64> {
        (self.words > 0).then(|| self.sum / f64::from(self.words))
    }
}

/// The words of tesseract's TSV output: level 5 rows with text. Each recognition reads one
/// page, so they are one page's.
fn word_stats(tsv: &str) -> WordStats {
    let mut stats = WordStats::default();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(level), Some(conf), Some(text)) = (cols.first(), cols.get(10), cols.get(11))
        else {
            continue;
        };
        let Ok(conf) = conf.trim().parse::<f64>() else {
            continue;
        };
        let text = text.trim();
        if *level != "5" || conf < 0.0 || text.is_empty() {
            continue;
        }
        stats.sum += conf;
        stats.words += 1;
        if conf >= TRUSTED_CONFIDENCE && text.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
            stats.trusted += 1;
        }
    }
    stats
}

/// A private copy of a picture for tesseract to read, checked to be one it reads, removed
/// with its folder when dropped.
///
/// tesseract reads a file whose format it does not know (HEIC, say) as a list of the paths
/// of images to read: such a file could make it read any picture on the machine. The check
/// is on the copy, so that the file cannot be swapped between the check and the read.
struct HeldPicture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl HeldPicture {
    /// The copy of `image`, or why it is not read.
    fn of(image: &Path) -> Result<Result<HeldPicture, String>, OcrError> {
        let refused = || {
            "tesseract cannot read this kind of picture; saved as JPEG or PNG it can be read"
                .to_string()
        };
        let ext = image
            .file_name()
            .and_then(|name| kooste_model::copy_extension(&name.to_string_lossy()))
            .unwrap_or_default();
        // Checked before the copy too, so that nothing is copied to be refused.
        if !is_readable_picture(image, &ext) {
            return Ok(Err(refused()));
        }
        let size = std::fs::metadata(image)?.len();
        if size > MAX_PICTURE_BYTES {
            return Ok(Err(format!(
                "a picture of {size} bytes is over the {} MiB OCR reads",
                MAX_PICTURE_BYTES >> 20
            )));
        }
        let dir = tempfile::Builder::new()
            .prefix("kooste-picture-")
            .tempdir()?;
        let path = dir.path().join(format!("picture.{ext}"));
        std::io::copy(
            &mut std::fs::File::open(image)?.take(MAX_PICTURE_BYTES),
            &mut std::fs::File::create(&path)?,
        )?;
        if !is_readable_picture(&path, &ext) {
            return Ok(Err(refused()));
        }
        Ok(Ok(HeldPicture { _dir: dir, path }))
    }
}

/// Whether the file at `path` (of extension `ext`) begins as a picture tesseract's image
/// library reads.
fn is_readable_picture(path: &Path, ext: &str) -> bool {
    let mut head = [0u8; 16];
    let Ok(read) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    kooste_model::Picture::of(&head[..read], ext)
        .is_some_and(kooste_model::Picture::readable_by_ocr)
}

/// How many pages (image file directories that can be read) the TIFF file at `path` holds, up to
/// [`MAX_TIFF_PAGES`]; `None` when it is no TIFF.
fn tiff_pages(path: &Path) -> Option<u32> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut header = [0u8; 8];
    file.read_exact(&mut header).ok()?;
    let big_endian = match &header[..4] {
        [b'I', b'I', 42, 0] => false,
        [b'M', b'M', 0, 42] => true,
        _ => return None,
    };
    let u16_of = |b: [u8; 2]| {
        if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    };
    let u32_of = |b: [u8; 4]| {
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let mut offset = u32_of([header[4], header[5], header[6], header[7]]);
    let mut seen = std::collections::HashSet::new();
    let mut pages = 0u32;
    // A chain that loops or breaks off ends the count: the pages before it stand.
    while offset != 0 && pages < MAX_TIFF_PAGES && seen.insert(offset) {
        let mut count = [0u8; 2];
        let mut next = [0u8; 4];
        let entries = file
            .seek(SeekFrom::Start(u64::from(offset)))
            .and_then(|_| file.read_exact(&mut count))
            .map(|()| u16_of(count));
        let Ok(entries) = entries else {
            break;
        };
        if file
            .seek(SeekFrom::Current(12 * i64::from(entries)))
            .and_then(|_| file.read_exact(&mut next))
            .is_err()
        {
            break;
        }
        // Counted even without entries: pages are asked for by their place in the chain.
        pages += 1;
        offset = u32_of(next);
    }
    Some(pages)
}

/// The `Rotate:` line of tesseract's orientation report, in quarter turns clockwise.
fn rotate_of(report: &str) -> Option<u8> {
    let degrees: u32 = report
        .lines()
        .find_map(|l| l.strip_prefix("Rotate:"))?
        .trim()
        .parse()
        .ok()?;
    match degrees {
        0 => Some(0),
        90 => Some(1),
        180 => Some(2),
        270 => Some(3),
        _ => None,
    }
}

/// Writes `pgm` (binary greyscale, 8 bits) turned clockwise by `quarter_turns` right angles
/// to `to`. Upside down is the pixels in reverse order under the same header; a quarter turn
/// swaps width and height. `None` for anything else or too large.
fn turned_pgm(pgm: &Path, to: &Path, quarter_turns: u8) -> Option<PathBuf> {
    if std::fs::metadata(pgm).ok()?.len() > MAX_TURNED_BYTES {
        return None;
    }
    let bytes = std::fs::read(pgm).ok()?;
    let (header, pixels, width, height) = split_pgm(&bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    match quarter_turns % 4 {
        2 => {
            out.extend_from_slice(header);
            out.extend(pixels.iter().rev());
        }
        turns @ (1 | 3) => {
            out.extend_from_slice(format!("P5\n{height} {width}\n255\n").as_bytes());
            // Row y of the turned image is column y of the original, read bottom-up for a
            // clockwise turn and top-down, from the right, for an anticlockwise one.
            for y in 0..width {
                for x in 0..height {
                    let (col, row) = if turns == 1 {
                        (y, height - 1 - x)
                    } else {
                        (width - 1 - y, x)
                    };
                    out.push(pixels[row * width + col]);
                }
            }
        }
        _ => return None,
    }
    std::fs::write(to, out).ok()?;
    Some(to.to_path_buf())
}

/// The header (`P5`, width, height, maximum value, each followed by white space), the pixels,
/// the width and the height of an 8-bit binary PGM, when the pixels are exactly width × height
/// bytes.
fn split_pgm(bytes: &[u8]) -> Option<(&[u8], &[u8], usize, usize)> {
    let mut at = 0;
    let mut fields = Vec::with_capacity(4);
    while fields.len() < 4 {
        while bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        fields.push(&bytes[start..at]);
    }
    // One white-space byte ends the header.
    let header_end = at + 1;
    let number = |f: &[u8]| std::str::from_utf8(f).ok()?.parse::<usize>().ok();
    let (width, height, max) = (number(fields[1])?, number(fields[2])?, number(fields[3])?);
    let pixels = bytes.get(header_end..)?;
    (fields[0] == b"P5" && max < 256 && width.checked_mul(height)? == pixels.len())
        .then(|| (&bytes[..header_end], pixels, width, height))
}

/// Waits for `child` at most `limit`; a child still running then is killed and reaped.
fn wait_for(
    child: &mut Child,
    limit: Duration,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let end = Instant::now() + limit;
    let mut nap = Duration::from_millis(5);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(100));
    }
}

/// A program's first line of output, which names its version; `fallback` when it says none.
fn first_line(output: &[u8], fallback: &str) -> String {
    String::from_utf8_lossy(output)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

/// The first executable file called `name` in the folders of `path`.
fn on_path(path: &OsString, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.with_extension("exe").is_file() || path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_over_its_time_is_stopped() {
        let _serial = serial();
        let Some(sleep) = on_path(&std::env::var_os("PATH").unwrap_or_default(), "sleep") else {
            return;
        };
        let mut child = Command::new(sleep)
            .arg("30")
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let status =
            wait_for(&mut child, Duration::from_millis(200)).unwrap_or_else(|e| panic!("{e}"));
        assert!(status.is_none());
        // Reaped: a second wait returns at once with the kill's status.
        assert!(child.try_wait().unwrap_or_else(|e| panic!("{e}")).is_some());
    }

    /// Held by every test that writes a program and runs it. A script still open for writing
    /// in one thread while another forks is inherited by that child until it execs, and
    /// running the script meanwhile fails with "text file busy".
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        LOCK.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An [`Ocr`] whose programs are the shell scripts given, in a folder of their own.
    #[cfg(unix)]
    fn scripted(dir: &Path, pdftoppm: &str, tesseract: &str, max_pages: u32) -> Ocr {
        use std::os::unix::fs::PermissionsExt;
        let write = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap_or_else(|e| panic!("{e}"));
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{e}"));
            path
        };
        Ocr {
            pdftoppm: write("pdftoppm", pdftoppm),
            tesseract: write("tesseract", tesseract),
            languages: "fin".into(),
            tesseract_version: "tesseract 0".into(),
            pdftoppm_version: "pdftoppm 0".into(),
            orientation: false,
            settings: Settings {
                max_pages,
                page_timeout: Duration::from_secs(5),
                ..Settings::default()
            },
        }
    }

    #[cfg(unix)]
    #[test]
    fn pages_are_rendered_then_read_up_to_the_cap() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // pdftoppm's last argument is the image's name without .pgm; tesseract's second, the
        // text's without .txt. The fake reader says which page it was given.
        let ocr = scripted(
            dir.path(),
            r#"for a; do last="$a"; done; echo "$5" > "$last.pgm""#,
            r#"printf 'Sivu %s\n\f' "$(cat "$1")" > "$2.txt""#,
            2,
        );
        let text = ocr
            .read_pdf(Path::new("skannaus.pdf"), 3)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Sivu 1", "Sivu 2"]);
        assert_eq!(text.left_out, 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_page_that_fails_is_left_empty_and_the_others_are_read() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ocr = scripted(
            dir.path(),
            r#"[ "$5" = 2 ] && { echo 'Syntax Error: bad page' >&2; exit 1; }
for a; do last="$a"; done; echo "$5" > "$last.pgm""#,
            r#"printf 'Sivu %s\n' "$(cat "$1")" > "$2.txt""#,
            5,
        );
        let text = ocr
            .read_pdf(Path::new("liite.pdf"), 3)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Sivu 1", "", "Sivu 3"]);
        assert_eq!(
            text.failed,
            [(
                2,
                "pdftoppm failed on page 2: Syntax Error: bad page".to_string()
            )]
        );
        assert_eq!(text.left_out, 0);
    }

    #[cfg(unix)]
    #[test]
    fn only_the_pages_asked_for_are_read_and_failures_name_them() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // Page 10 reads as words tesseract trusts little: a photograph, not writing.
        let ocr = scripted(
            dir.path(),
            r#"[ "$5" = 7 ] && { echo 'Syntax Error: bad page' >&2; exit 1; }
for a; do last="$a"; done; echo "$5" > "$last.pgm""#,
            r#"page="$(cat "$1")"; conf=95; [ "$page" = 10 ] && conf=30
printf 'Sivu %s\n' "$page" > "$2.txt"
printf 'level\n' > "$2.tsv"
for w in Allekirjoitettu hallituksen kokouksen pöytäkirja liitteenä; do
  printf '5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t%s\t%s\n' "$conf" "$w" >> "$2.tsv"
done"#,
            4,
        );
        let text = ocr
            .read_pdf_pages(Path::new("raportti.pdf"), &[4, 7, 9, 10, 12])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Sivu 4", "", "Sivu 9", ""]);
        assert_eq!(
            text.failed,
            [(
                7,
                "pdftoppm failed on page 7: Syntax Error: bad page".to_string()
            )]
        );
        // The cap of four pages leaves the fifth out.
        assert_eq!(text.left_out, 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_or_hanging_program_fails_its_page_with_the_reason() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ocr = scripted(
            dir.path(),
            "echo 'Syntax Error: Couldn'\\''t read xref table' >&2\necho '' >&2\nexit 99",
            "exit 0",
            5,
        );
        let text = ocr
            .read_pdf(Path::new("rikki.pdf"), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, [""]);
        assert_eq!(
            text.failed,
            [(
                1,
                "pdftoppm failed on page 1: Syntax Error: Couldn't read xref table".to_string()
            )]
        );
        let mut ocr = scripted(
            dir.path(),
            r#"for a; do last="$a"; done; : > "$last.pgm""#,
            "exec sleep 30",
            5,
        );
        ocr.settings.page_timeout = Duration::from_millis(300);
        let text = ocr
            .read_pdf(Path::new("jumi.pdf"), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text.failed,
            [(
                1,
                "tesseract took longer than 1 s on page 1 and was stopped".to_string()
            )]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_is_read_within_its_time_and_each_program_within_its_memory() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let render = r#"for a; do last="$a"; done; echo "$5" > "$last.pgm""#;
        // The first page reads at once, the second would take half a minute.
        let recognise = r#"[ "$(cat "$1")" = 1 ] || exec sleep 30; echo luettu > "$2.txt""#;
        let mut ocr = scripted(dir.path(), render, recognise, 10);
        ocr.settings.file_timeout = Duration::from_secs(3);
        let text = ocr
            .read_pdf(Path::new("pitkä.pdf"), 10)
            .unwrap_or_else(|e| panic!("{e}"));
        // The first page is read; the second is cut off by the file's time and left out
        // with the rest, rather than losing the first.
        assert_eq!(text.pages, ["luettu"]);
        assert_eq!(text.left_out, 9);

        // The recogniser reports the address-space limit it runs under (ulimit -v, in KiB).
        let mut ocr = scripted(dir.path(), render, "ulimit -v >&2; exit 3", 10);
        ocr.settings.memory_mib = 512;
        let text = ocr
            .read_pdf(Path::new("x.pdf"), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text.failed,
            [(1, "tesseract failed on page 1: 524288".to_string())]
        );
    }

    #[test]
    fn a_pgm_turns_by_reversing_its_pixels_and_confidence_is_the_words_mean() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let pgm = dir.path().join("p.pgm");
        std::fs::write(&pgm, b"P5\n3 2\n255\n\x01\x02\x03\x04\x05\x06")
            .unwrap_or_else(|e| panic!("{e}"));
        let turned =
            turned_pgm(&pgm, &dir.path().join("t.pgm"), 2).unwrap_or_else(|| panic!("not turned"));
        assert_eq!(
            std::fs::read(turned).unwrap_or_default(),
            b"P5\n3 2\n255\n\x06\x05\x04\x03\x02\x01"
        );
        // 1 2 3 / 4 5 6 turned a quarter clockwise is 4 1 / 5 2 / 6 3, anticlockwise 3 6 / 2 5 / 1 4.
        for (turns, pixels) in [
            (1, b"\x04\x01\x05\x02\x06\x03"),
            (3, b"\x03\x06\x02\x05\x01\x04"),
        ] {
            let turned = turned_pgm(&pgm, &dir.path().join("q.pgm"), turns)
                .unwrap_or_else(|| panic!("not turned"));
            let mut want = b"P5\n2 3\n255\n".to_vec();
            want.extend_from_slice(pixels);
            assert_eq!(std::fs::read(turned).unwrap_or_default(), want, "{turns}");
        }
        assert_eq!(
            rotate_of("Page number: 0\nOrientation in degrees: 270\nRotate: 90\n"),
            Some(1)
        );
        assert_eq!(rotate_of("Rotate: 45\n"), None);
        assert_eq!(rotate_of("Too few characters"), None);
        // Not a binary 8-bit PGM, or pixels that do not fill width × height: left alone.
        for bad in [
            &b"P6\n1 1\n255\nabc"[..],
            b"P5\n2 2\n255\nab",
            b"P5\n1 1\n65535\nab",
            b"P5 1",
        ] {
            std::fs::write(&pgm, bad).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                turned_pgm(&pgm, &dir.path().join("t.pgm"), 2),
                None,
                "{bad:?}"
            );
        }
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90.5\tAsukas\n\
5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t79.5\traati\n\
5\t1\t1\t1\t1\t3\t0\t0\t10\t10\t10\t \n";
        assert_eq!(word_stats(tsv).mean(), Some(85.0));
        assert_eq!(word_stats("level\n").mean(), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_page_read_upside_down_is_read_again_turned() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let render = r#"for a; do last="$a"; done; printf 'P5\n2 1\n255\nab' > "$last.pgm""#;
        // The stand-in trusts its reading of the turned image, whose name says it is turned.
        let tsv = |conf: &str, word: &str| {
            format!(
                "printf 'level\\tconf\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1\\t{conf}\\t{word}\\n' > \"$2.tsv\""
            )
        };
        let seen = dir.path().join("seen");
        let log = format!("echo \"$1\" >> '{}'", seen.display());
        let recognise = format!(
            "{log}; case \"$1\" in *turned.pgm) echo 'Oikein päin' > \"$2.txt\"; {} ;; \
             *) echo 'niäp niekiO' > \"$2.txt\"; {} ;; esac",
            tsv("95", "Oikein"),
            tsv("40", "niekiO")
        );
        let ocr = scripted(dir.path(), render, &recognise, 5);
        let text = ocr
            .read_pdf(Path::new("väärinpäin.pdf"), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Oikein päin"]);
        let read_as = |log: &Path| std::fs::read_to_string(log).unwrap_or_default();
        assert_eq!(read_as(&seen).lines().count(), 2);
        // Trusted at once: read once, not turned.
        std::fs::remove_file(&seen).unwrap_or_else(|e| panic!("{e}"));
        let recognise = format!(
            "{log}; echo 'Suoraan' > \"$2.txt\"; {}",
            tsv("92", "Suoraan")
        );
        let ocr = scripted(dir.path(), render, &recognise, 5);
        let text = ocr
            .read_pdf(Path::new("oikein.pdf"), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Suoraan"]);
        assert_eq!(read_as(&seen).lines().count(), 1);

        // With the orientation model, a page it finds sideways is turned a quarter, as it says.
        std::fs::remove_file(&seen).unwrap_or_else(|e| panic!("{e}"));
        let recognise = format!(
            "{log}; case \"$*\" in *--psm*) printf 'Rotate: 90\\n' > \"$2.osd\" ;; \
             *turned.pgm*) sed -n 2p \"$1\" > \"$2.txt\"; {} ;; \
             *) echo 'sivuttain' > \"$2.txt\"; {} ;; esac",
            tsv("95", "Oikein"),
            tsv("30", "sivuttain")
        );
        let mut ocr = scripted(dir.path(), render, &recognise, 5);
        ocr.orientation = true;
        let text = ocr
            .read_pdf(Path::new("sivuttain.pdf"), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        // The turned image (its size line, as the stand-in reads it) is 1 pixel wide and 2
        // high: a quarter turn of the 2 × 1 page, not a half.
        assert_eq!(text.pages, ["1 2"]);
        assert_eq!(read_as(&seen).lines().count(), 3);
    }

    /// A tesseract stand-in's TSV row of one word: page, confidence, text.
    fn word_row(page: u32, conf: &str, word: &str) -> String {
        format!("5\\t{page}\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1\\t{conf}\\t{word}\\n")
    }

    /// A TIFF file of `pages` pages, each an image file directory of one entry (zeros):
    /// enough for the pages to be counted.
    fn tiff(path: &Path, pages: u32, big_endian: bool) {
        let u32_bytes = |n: u32| {
            if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            }
        };
        let mut bytes = if big_endian {
            b"MM\0*".to_vec()
        } else {
            b"II*\0".to_vec()
        };
        bytes.extend(u32_bytes(8));
        for page in 1..=pages {
            // One entry, then the next directory's offset (0 after the last).
            bytes.extend(if big_endian { [0, 1] } else { [1, 0] });
            bytes.extend([0; 12]);
            bytes.extend(u32_bytes(if page < pages { 8 + 18 * page } else { 0 }));
        }
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn the_pages_of_a_tiff_are_counted_and_a_broken_chain_ends_the_count() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("faksi.tif");
        for (pages, big_endian) in [(1, false), (3, false), (3, true), (300, true)] {
            tiff(&path, pages, big_endian);
            assert_eq!(tiff_pages(&path), Some(pages), "{pages}");
        }
        let write = |bytes: &[u8]| std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
        // A directory that names itself as the next counts once.
        let mut looping = b"II*\0\x08\0\0\0\x01\0".to_vec();
        looping.extend([0; 12]);
        looping.extend(8u32.to_le_bytes());
        write(&looping);
        assert_eq!(tiff_pages(&path), Some(1));
        // A first directory past the end, or one whose entries run past it: no page.
        write(b"II*\0\xff\0\0\0");
        assert_eq!(tiff_pages(&path), Some(0));
        write(b"II*\0\x08\0\0\0\xff\xff\0\0");
        assert_eq!(tiff_pages(&path), Some(0));
        // A directory without entries still has its place in the chain.
        write(b"II*\0\x08\0\0\0\0\0\0\0\0\0");
        assert_eq!(tiff_pages(&path), Some(1));
        write(b"\x89PNG\r\n\x1a\n");
        assert_eq!(tiff_pages(&path), None);
    }

    #[cfg(unix)]
    #[test]
    fn an_image_is_read_page_by_page_and_keeps_only_trusted_text() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let image = dir.path().join("kuva.tif");
        tiff(&image, 3, false);
        // Three pages: print read well, a photograph's noise (trusted little, and short
        // words), and print with exactly the five trusted words a page needs.
        let page = |words: &[(&str, &str)]| -> String {
            let text: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
            let rows: String = words.iter().map(|(c, w)| word_row(1, c, w)).collect();
            format!(
                "printf '%s\\n' '{}' > \"$2.txt\"; printf 'level\\n{rows}' > \"$2.tsv\"",
                text.join(" ")
            )
        };
        let first = page(&[
            ("93", "Pöytäkirja"),
            ("93", "kokous"),
            ("93", "avattiin"),
            ("93", "kello"),
            ("93", "kymmenen"),
        ]);
        let second = page(&[
            ("31", "Te"),
            ("45", "Hee"),
            ("92", "m"),
            ("95", "™"),
            ("52", "wel"),
        ]);
        let third = page(&[
            ("88", "Asukkaat"),
            ("88", "osallistuivat"),
            ("88", "työpajaan"),
            ("88", "Varissuolla"),
            ("88", "syksyllä"),
            ("88", "ja"),
        ]);
        // Each page is asked for by its number (from 0), and at the file's own resolution.
        let recognise = format!(
            "case \"$*\" in *--dpi*) exit 9 ;; \
             *page_number=0*) {first} ;; *page_number=1*) {second} ;; *page_number=2*) {third} ;; \
             *) exit 8 ;; esac"
        );
        let ocr = scripted(dir.path(), "exit 1", &recognise, 5);
        let text = ocr.read_image(&image).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text.pages,
            [
                "Pöytäkirja kokous avattiin kello kymmenen",
                "",
                "Asukkaat osallistuivat työpajaan Varissuolla syksyllä ja"
            ]
        );
        assert!(text.failed.is_empty(), "{:?}", text.failed);
        assert_eq!(text.left_out, 0);
        // Pages past the cap are left out and counted, however many.
        let ocr = scripted(dir.path(), "exit 1", &recognise, 2);
        let text = ocr.read_image(&image).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages.len(), 2);
        assert_eq!(text.left_out, 1);
        // A TIFF of one page is asked for its page too: left to itself, tesseract would
        // follow a chain of pages that loops.
        let one = dir.path().join("yksi.tif");
        tiff(&one, 1, true);
        let text = ocr.read_image(&one).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Pöytäkirja kokous avattiin kello kymmenen"]);
        let long = dir.path().join("pitkä.tif");
        tiff(&long, 45, false);
        let text = ocr.read_image(&long).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages.len(), 2);
        assert_eq!(text.left_out, 43);
        // A file of one page is read without asking for a page.
        let single = dir.path().join("kuva.png");
        std::fs::write(&single, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_or_else(|e| panic!("{e}"));
        let recognise = format!("case \"$*\" in *page_number*) exit 8 ;; *) {first} ;; esac");
        let ocr = scripted(dir.path(), "exit 1", &recognise, 5);
        let text = ocr.read_image(&single).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Pöytäkirja kokous avattiin kello kymmenen"]);
    }

    #[cfg(unix)]
    #[test]
    fn an_image_read_askew_is_read_again_by_the_orientation_model() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let seen = dir.path().join("seen");
        let picture = dir.path().join("sivuttain.png");
        std::fs::write(&picture, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
            .unwrap_or_else(|e| panic!("{e}"));
        let words = |conf: &str| {
            ["Sivuttain", "skannattu", "muistio", "luettiin", "oikein"]
                .iter()
                .map(|w| word_row(1, conf, w))
                .collect::<String>()
        };
        // Upright it reads at 40; with --psm 1 (tesseract turning the page) at 94.
        let recognise = format!(
            "echo \"$*\" >> '{}'; case \"$*\" in \
             *--psm*) echo 'Sivuttain skannattu muistio luettiin oikein' > \"$2.txt\"; printf 'h\\n{}' > \"$2.tsv\" ;; \
             *) echo 'nittaviS' > \"$2.txt\"; printf 'h\\n{}' > \"$2.tsv\" ;; esac",
            seen.display(),
            words("94"),
            words("40"),
        );
        let mut ocr = scripted(dir.path(), "exit 1", &recognise, 5);
        ocr.orientation = true;
        let text = ocr.read_image(&picture).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, ["Sivuttain skannattu muistio luettiin oikein"]);
        let runs = std::fs::read_to_string(&seen).unwrap_or_default();
        assert_eq!(runs.lines().count(), 2, "{runs}");
        // Without the model there is no second reading, and the doubtful one has no trusted
        // words: no text.
        std::fs::remove_file(&seen).unwrap_or_else(|e| panic!("{e}"));
        ocr.orientation = false;
        let text = ocr.read_image(&picture).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, [""]);
        assert_eq!(
            std::fs::read_to_string(&seen)
                .unwrap_or_default()
                .lines()
                .count(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_image_tesseract_cannot_read_fails_as_its_first_page() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ocr = scripted(
            dir.path(),
            "exit 1",
            "echo 'Error in pixReadStream: Unknown format: no pix returned' >&2; exit 1",
            5,
        );
        let broken = dir.path().join("rikki.jpg");
        std::fs::write(&broken, b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01")
            .unwrap_or_else(|e| panic!("{e}"));
        let text = ocr.read_image(&broken).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, [""]);
        assert_eq!(text.failed.len(), 1);
        assert_eq!(text.failed[0].0, 1);
        assert!(
            text.failed[0].1.contains("no pix returned"),
            "{:?}",
            text.failed
        );
        // A picture of a kind tesseract does not know is not given to it: it would read the
        // file as a list of paths of pictures to read.
        let heic = dir.path().join("IMG_0042.HEIC");
        std::fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0/etc/kuva.png\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let ocr = scripted(dir.path(), "exit 1", "echo 'Sivu' > \"$2.txt\"", 5);
        let text = ocr.read_image(&heic).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.pages, [""]);
        assert_eq!(
            text.failed,
            [(
                1,
                "tesseract cannot read this kind of picture; saved as JPEG or PNG it can be read"
                    .to_string()
            )]
        );
    }

    #[test]
    fn programs_are_found_on_the_path_given() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = OsString::from(dir.path());
        assert_eq!(on_path(&path, "tesseract"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let program = dir.path().join("tesseract");
            std::fs::write(&program, "#!/bin/sh\n").unwrap_or_else(|e| panic!("{e}"));
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o644))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(on_path(&path, "tesseract"), None, "not executable");
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(on_path(&path, "tesseract"), Some(program));
        }
    }
}
