//! The audit: what a project office must look at by hand. Unreadable files by error kind,
//! empty ones (probably scanned), materials without theme, city or work package, copies
//! under other names, several versions of one material, corrections made by hand, and
//! annotations that could not be applied.

use crate::escape::{archive_file, code, markdown};
use crate::lang::Lang;
use crate::rows::RowList;
use crate::spill::Spill;
use crate::summary::stem;
use kooste_model::{CitySource, ErrorKind, Format, Status, View};
use regex::Regex;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

#[derive(Debug, PartialEq, Default)]
pub struct Audit {
    pub generated: String,
    pub total: usize,
    /// (path, message) by error kind.
    pub unreadable: BTreeMap<ErrorKind, RowList>,
    /// Damaged files read in part (a package cut short), with what was read as the detail.
    pub damaged: RowList,
    /// Read, but no text: scanned pages that need OCR, or empty files. The detail says why
    /// OCR, where it was tried, failed.
    pub empty: RowList,
    /// Scans whose text was read by OCR, with what read them as the detail: the text may
    /// hold misread words.
    pub ocr: RowList,
    /// Materials with text and pages (slides) of pictures without words of their own, that
    /// no OCR read: as detail, `page:` or `slide:` and their numbers, comma-separated.
    pub pictures: RowList,
    /// OCR ran on some material of the run: an empty file is then one that OCR found no text
    /// in, or that it could not read, rather than one that needs it.
    pub ocr_ran: bool,
    /// Readable materials without a theme, city or work package. A person's correction to
    /// "none" in the annotations settles the question, so those are not listed.
    pub no_theme: RowList,
    /// With, as the row's detail, the names of the cities the text names about equally
    /// often, where it names several (comma-separated).
    pub no_city: RowList,
    pub no_tp: RowList,
    /// Paths with identical content, a group after another, each with its group's number
    /// (from 1) as the detail; the first of a group is the one the summary lists.
    pub duplicates: RowList,
    /// How many groups `duplicates` holds.
    pub duplicate_groups: usize,
    pub versions: Vec<VersionGroup>,
    /// Materials a person corrected, with the fields corrected (comma-separated).
    pub manual: RowList,
    /// The annotations files read.
    pub annotation_sources: Vec<String>,
    /// Annotations that could not be applied.
    pub annotation_warnings: Vec<String>,
    /// The positions of the materials the summary's tables leave out.
    superseded: Positions,
}

/// A set of material positions, a bit each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Positions {
    bits: Vec<u64>,
    len: usize,
}

impl Positions {
    pub fn insert(&mut self, at: usize) {
        let (word, bit) = (at / 64, 1u64 << (at % 64));
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if let Some(w) = self.bits.get_mut(word)
            && *w & bit == 0
        {
            *w |= bit;
            self.len += 1;
        }
    }

    pub fn contains(&self, at: usize) -> bool {
        self.bits
            .get(at / 64)
            .is_some_and(|w| w & (1u64 << (at % 64)) != 0)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The positions in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits.iter().enumerate().flat_map(|(word, &w)| {
            (0..64)
                .filter(move |bit| w & (1u64 << bit) != 0)
                .map(move |bit| word * 64 + bit)
        })
    }
}

/// One row of the audit as a table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow<'a> {
    pub category: Cow<'a, str>,
    pub path: &'a str,
    pub detail: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VersionGroup {
    /// The material's name with version marks removed.
    pub name: String,
    /// Oldest first.
    pub paths: Vec<String>,
    pub newest: String,
}

impl Audit {
    /// The positions of the materials the summary's tables leave out: every version but the
    /// newest, every identical copy but the first.
    pub fn superseded(&self) -> &Positions {
        &self.superseded
    }

    /// Readable materials that got no theme.
    pub fn untagged(&self) -> usize {
        self.no_theme.len()
    }

    pub fn errors(&self) -> usize {
        self.unreadable.values().map(RowList::len).sum()
    }

    /// How many rows [`Audit::each_row`] gives.
    pub fn row_count(&self) -> usize {
        self.errors()
            + self.damaged.len()
            + self.empty.len()
            + self.pictures.len()
            + self.ocr.len()
            + self.no_theme.len()
            + self.no_city.len()
            + self.no_tp.len()
            + self.duplicates.len()
            + self.versions.iter().map(|g| g.paths.len()).sum::<usize>()
            + self.manual.len()
            + self.annotation_warnings.len()
    }

    /// Calls `f` with every (category, path, detail) of the audit, for tables, until it
    /// fails. Made one at a time: on a drive full of copies there are as many rows as files.
    pub fn each_row<E: From<std::io::Error>>(
        &self,
        lang: Lang,
        mut f: impl FnMut(AuditRow<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut row = |category: &str, path: &str, detail: Cow<'_, str>| {
            f(AuditRow {
                category: Cow::Borrowed(category),
                path,
                detail,
            })
        };
        for (kind, files) in &self.unreadable {
            let category = format!(
                "{}: {}",
                lang.pick("Lukukelvoton", "Unreadable"),
                lang.error_kind_one(*kind)
            );
            files.each(|path, message| row(&category, path, Cow::Borrowed(message)))?;
        }
        self.damaged.each(|path, note| {
            row(
                lang.pick("Vioittunut, luettu osittain", "Damaged, read in part"),
                path,
                Cow::Borrowed(note),
            )
        })?;
        let plain = [
            (
                lang.pick("Tyhjä (tarvitsee OCR:n)", "Empty (needs OCR)"),
                &self.empty,
            ),
            (lang.pick("Ei teemaa", "No theme"), &self.no_theme),
        ];
        for (category, list) in plain {
            list.each(|path, detail| row(category, path, Cow::Borrowed(detail)))?;
        }
        self.pictures.each(|path, pages| {
            row(
                lang.pick(
                    "Sivuja kuvina ilman tekstiä (tarvitsee OCR:n)",
                    "Pages of pictures without text (needs OCR)",
                ),
                path,
                Cow::Owned(picture_pages_note(lang, pages)),
            )
        })?;
        self.ocr.each(|path, note| {
            row(
                lang.pick("Luettu tekstintunnistuksella", "Read by OCR"),
                path,
                Cow::Borrowed(note),
            )
        })?;
        self.no_city.each(|path, cities| {
            let detail = match cities {
                "" => Cow::Borrowed(""),
                cities => Cow::Owned(contenders_note(lang, cities)),
            };
            row(lang.pick("Ei kaupunkia", "No city"), path, detail)
        })?;
        self.no_tp.each(|path, _| {
            row(
                lang.pick("Ei työpakettia", "No work package"),
                path,
                Cow::Borrowed(""),
            )
        })?;
        self.duplicates.each(|path, n| {
            row(
                lang.pick("Sama sisältö", "Identical content"),
                path,
                Cow::Owned(format!("{} {n}", lang.pick("ryhmä", "group"))),
            )
        })?;
        for g in &self.versions {
            for path in &g.paths {
                let detail = if *path == g.newest {
                    Cow::Borrowed(lang.pick("uusin", "newest"))
                } else {
                    Cow::Owned(format!("{} {}", lang.pick("uusin:", "newest:"), g.newest))
                };
                row(lang.pick("Versio", "Version"), path, detail)?;
            }
        }
        self.manual.each(|path, fields| {
            row(
                lang.pick("Korjattu käsin", "Corrected by hand"),
                path,
                Cow::Owned(fields.replace(',', ", ")),
            )
        })?;
        for w in &self.annotation_warnings {
            row(
                lang.pick("Huomiotiedosto", "Annotations"),
                "",
                Cow::Borrowed(w.as_str()),
            )?;
        }
        Ok(())
    }
}

/// One line of the audit's table of counts.
pub(crate) struct CountRow {
    pub label: &'static str,
    pub count: usize,
    /// The fragment that filters the page's table of materials to those counted ("" where
    /// no filter shows them).
    pub filter: &'static str,
}

impl Audit {
    /// The table of counts that `audit.md` and the page's audit section both show.
    pub(crate) fn count_rows(&self, lang: Lang) -> Vec<CountRow> {
        let row = |label: &'static str, count: usize, filter: &'static str| CountRow {
            label,
            count,
            filter,
        };
        let mut rows = vec![
            row(lang.pick("Materiaaleja", "Materials"), self.total, ""),
            row(
                lang.pick("Lukukelvottomia", "Unreadable"),
                self.errors(),
                "#status=error",
            ),
            row(
                lang.pick("Vioittuneita, luettu osittain", "Damaged, read in part"),
                self.damaged.len(),
                "",
            ),
            row(
                if self.ocr_ran {
                    lang.pick("Tyhjiä (ei tekstiä)", "Empty (no text)")
                } else {
                    lang.pick("Tyhjiä (tarvitsevat OCR:n)", "Empty (need OCR)")
                },
                self.empty.len(),
                "#status=empty",
            ),
            row(
                lang.pick("Ilman teemaa", "No theme"),
                self.no_theme.len(),
                "#theme=-&status=ok",
            ),
            row(
                lang.pick("Ilman kaupunkia", "No city"),
                self.no_city.len(),
                "#city=-&status=ok",
            ),
            row(
                lang.pick("Ilman työpakettia", "No work package"),
                self.no_tp.len(),
                "#tp=-&status=ok",
            ),
            row(
                lang.pick("Kaksoiskappaleryhmiä", "Groups of identical copies"),
                self.duplicate_groups,
                "",
            ),
            row(
                lang.pick("Versioituja materiaaleja", "Versioned materials"),
                self.versions.len(),
                "",
            ),
            row(
                lang.pick("Käsin korjattuja", "Corrected by hand"),
                self.manual.len(),
                "",
            ),
        ];
        // Shown where there are such pages, after the empty files: a run with OCR has read
        // them.
        if !self.pictures.is_empty() {
            let label = lang.pick(
                "Kuvasivuja ilman tekstiä (tarvitsevat OCR:n)",
                "With pages of pictures, no text (need OCR)",
            );
            rows.insert(4, row(label, self.pictures.len(), ""));
        }
        // Shown where OCR read something, after the empty files: a run without it has
        // nothing to say of it.
        if !self.ocr.is_empty() {
            let label = lang.pick("Luettu tekstintunnistuksella (OCR)", "Read by OCR");
            rows.insert(4, row(label, self.ocr.len(), ""));
        }
        rows
    }
}

/// The audit of a run, from one reading of its materials and, when there are copies or
/// versions, a second for their names.
pub fn audit(view: View<'_>) -> std::io::Result<Audit> {
    let mut a = Audit {
        generated: view.generated.to_string(),
        total: view.materials.len(),
        ..Audit::default()
    };
    // What copies are found from: the content of each material whose content can be
    // compared, by position. Their paths are read again for the few that have copies.
    let mut contents: Vec<(ContentKey, u8, u32)> = Vec::with_capacity(view.materials.len());
    let mut versions = VersionSets::default();
    let mut at = 0u32;
    view.materials.each_without_evidence(&mut |m| {
        let here = at;
        at += 1;
        // Empty scans are left out, but pictures are compared: a drive holds many copies of
        // a photo, text or none.
        if !m.hash.is_empty()
            && m.bytes > 0
            && (m.status != Status::Empty || m.format == Format::Image)
        {
            contents.push((ContentKey::of(&m.hash), copy_rank(m), here));
        }
        versions.add_marked(&m.path, m.status == Status::Ok);
        let set_by_hand = |field: &str| m.manual.iter().any(|f| f == field);
        if !m.manual.is_empty() {
            a.manual.push(&m.path, &m.manual.join(","))?;
        }
        if let Some(note) = &m.damaged {
            a.damaged.push(&m.path, note)?;
        }
        a.ocr_ran |= m.ocr.is_some();
        match m.status {
            Status::Error => {
                let (kind, message) = m
                    .error
                    .as_ref()
                    .map_or((ErrorKind::Corrupt, ""), |e| (e.kind, e.message.as_str()));
                a.unreadable
                    .entry(kind)
                    .or_default()
                    .push(&m.path, message)?;
            }
            // A text file with nothing in it is listed with the scans, but says that it
            // is no scan: OCR has nothing to read there.
            Status::Empty if m.format.is_plain_text() => a
                .empty
                .push(&m.path, "a text file with no text in it, not a scan")?,
            Status::Empty => a
                .empty
                .push(&m.path, m.ocr.as_deref().unwrap_or_default())?,
            Status::Ok => {
                if let Some(note) = &m.ocr {
                    a.ocr.push(&m.path, note)?;
                }
                if !m.picture_pages.is_empty() {
                    let unit = if m.format.has_slides() {
                        "slide"
                    } else {
                        "page"
                    };
                    let numbers: Vec<String> = m.picture_pages.iter().map(u32::to_string).collect();
                    a.pictures
                        .push(&m.path, &format!("{unit}:{}", numbers.join(",")))?;
                }
                if m.themes.is_empty() && !set_by_hand("themes") {
                    a.no_theme.push(&m.path, "")?;
                }
                if m.city.is_none() && m.city_source != Some(CitySource::Manual) {
                    let cities: Vec<&str> = m.city_contenders.iter().map(|c| c.name()).collect();
                    a.no_city.push(&m.path, &cities.join(", "))?;
                }
                if m.tp.is_empty() && !set_by_hand("tp") {
                    a.no_tp.push(&m.path, "")?;
                }
            }
        }
        Ok(())
    })?;
    let copies = Copies::of(contents);
    // The second reading: the copies' names, and the unmarked first drafts of versioned
    // materials.
    let mut sorter = copies.sorter();
    if !copies.is_empty() || !versions.is_empty() {
        let mut at = 0u32;
        view.materials.each_without_evidence(&mut |m| {
            let here = at;
            at += 1;
            sorter.add(here, &m.path)?;
            versions.add_member(here, &m.path, m.status == Status::Ok);
            Ok(())
        })?;
    }
    a.duplicates = sorter.finish()?;
    a.duplicate_groups = copies.groups;
    for &(at, _, order) in &copies.members {
        if order > 0 {
            a.superseded.insert(at as usize);
        }
    }
    // The few materials that have versions are read again, for their names and the time
    // each was modified, which orders it among versions of the same name.
    a.versions = versions.groups(
        |at| {
            let m = view.materials.get(at)?;
            Ok((m.path.clone(), m.modified.clone()))
        },
        &mut a.superseded,
    )?;
    Ok(a)
}

/// What a content hash says, in 32 bytes: a BLAKE3 hash written in lower-case hex (as
/// kooste writes them), or the SHA-256 of any other text. The audit holds one per material
/// while it finds the copies: bytes, not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ContentKey([u8; 32]);

impl ContentKey {
    fn of(hash: &str) -> ContentKey {
        let mut bytes = [0u8; 32];
        let hex = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let decoded = hash.len() == 64
            && hash
                .as_bytes()
                .chunks_exact(2)
                .zip(bytes.iter_mut())
                .all(|(pair, b)| match (hex(pair[0]), hex(pair[1])) {
                    (Some(h), Some(l)) => {
                        *b = h * 16 + l;
                        true
                    }
                    _ => false,
                });
        if !decoded {
            use sha2::Digest;
            bytes = sha2::Sha256::digest(hash.as_bytes()).into();
        }
        ContentKey(bytes)
    }
}

/// A name that says it is a copy: "Kopio malli", "malli - Copy", "malli (2)".
fn copy_mark() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)(?:^|[\s_\-(])(?:kopio|copy|kopia)(?:$|[\s_\-)])|\(\d{1,3}\)\s*$")
            .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
    })
}

/// Which copy of a content comes first, and is kept in the summary: lowest first. A file
/// of its own before an archive member, then one whose name does not say it is a copy, then
/// one with a city; then the first by path (by position: materials come in path order).
fn copy_rank(m: &kooste_model::Material) -> u8 {
    let in_archive = archive_file(&m.path).len() < m.path.len();
    let file_stem = stem(kooste_model::file_name(&m.path));
    let marked = may_have_copy_mark(file_stem) && copy_mark().is_match(file_stem);
    u8::from(in_archive) << 2 | u8::from(marked) << 1 | u8::from(m.city.is_none())
}

/// False only for a name that [`copy_mark`] cannot match: one without its words and not
/// ending in a parenthesis. Most names are looked at once this way instead of by the pattern.
fn may_have_copy_mark(file_stem: &str) -> bool {
    const WORDS: [&[u8]; 3] = [b"kopio", b"copy", b"kopia"];
    let bytes = file_stem.trim_end().as_bytes();
    bytes.ends_with(b")")
        || WORDS
            .iter()
            .any(|w| bytes.windows(w.len()).any(|b| b.eq_ignore_ascii_case(w)))
}

/// Identical content under several names. Files without text are listed as empty already;
/// that they are alike says nothing more.
struct Copies {
    /// Each copy's position, group (numbered in the order the audit lists them) and order
    /// within its group, by position.
    members: Vec<(u32, u32, u32)>,
    groups: usize,
}

/// Rows of copies put in order in memory at once, per bucket of groups; more on a drive with
/// so many copies that the buckets would otherwise number more than `COPY_BUCKETS_MAX`
/// (each has a temporary file open).
const COPIES_PER_BUCKET: usize = 4096;
const COPY_BUCKETS_MAX: usize = 256;

impl Copies {
    /// The groups of two or more among (content, rank, position). Groups are listed by the
    /// position of the copy that comes first in them.
    fn of(mut contents: Vec<(ContentKey, u8, u32)>) -> Copies {
        // Sorted by content, alike contents lie side by side: no map of every material's hash.
        contents.sort_unstable();
        let mut groups: Vec<Vec<u32>> = contents
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|g| g.len() > 1)
            .map(|g| g.iter().map(|(_, _, at)| *at).collect())
            .collect();
        drop(contents);
        groups.sort_unstable_by_key(|g| g.first().copied());
        let mut members: Vec<(u32, u32, u32)> = groups
            .iter()
            .zip(0u32..)
            .flat_map(|(g, n)| g.iter().zip(0u32..).map(move |(&at, k)| (at, n, k)))
            .collect();
        members.sort_unstable();
        Copies {
            members,
            groups: groups.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Puts the copies' paths, met in position order, into group order.
    fn sorter(&self) -> CopySorter<'_> {
        // Groups in buckets of about COPIES_PER_BUCKET rows: a bucket waits on disk, then
        // is put in order in memory.
        let mut sizes = vec![0usize; self.groups];
        for &(_, n, _) in &self.members {
            if let Some(size) = sizes.get_mut(n as usize) {
                *size += 1;
            }
        }
        let per_bucket = COPIES_PER_BUCKET.max(self.members.len().div_ceil(COPY_BUCKETS_MAX));
        let mut bucket_of = Vec::with_capacity(self.groups);
        let (mut bucket, mut filled) = (0u32, 0usize);
        for size in sizes {
            if filled > 0 && filled + size > per_bucket {
                bucket += 1;
                filled = 0;
            }
            bucket_of.push(bucket);
            filled += size;
        }
        let buckets = bucket_of.last().map_or(0, |&b| b as usize + 1);
        CopySorter {
            copies: self,
            bucket_of,
            buckets: (0..buckets).map(|_| RowList::with_memory(4096)).collect(),
            next: 0,
        }
    }
}

struct CopySorter<'a> {
    copies: &'a Copies,
    bucket_of: Vec<u32>,
    buckets: Vec<RowList>,
    /// The next member to meet, in `copies.members`.
    next: usize,
}

impl CopySorter<'_> {
    /// Offers the material at `at`, named `path`; positions come in increasing order.
    fn add(&mut self, at: u32, path: &str) -> std::io::Result<()> {
        let Some(&(member, group, order)) = self.copies.members.get(self.next) else {
            return Ok(());
        };
        if member != at {
            return Ok(());
        }
        self.next += 1;
        let bucket = self.bucket_of.get(group as usize).copied().unwrap_or(0);
        match self.buckets.get_mut(bucket as usize) {
            Some(list) => list.push(path, &format!("{group} {order}")),
            None => Ok(()),
        }
    }

    /// The copies in group order, each with its group's number from 1.
    fn finish(self) -> std::io::Result<RowList> {
        let mut out = RowList::new();
        for bucket in self.buckets {
            let mut rows: Vec<((u32, u32), String)> = Vec::with_capacity(bucket.len());
            bucket.each(|path, place| {
                let mut numbers = place.split(' ').map(str::parse::<u32>);
                match (numbers.next(), numbers.next()) {
                    (Some(Ok(group)), Some(Ok(order))) => {
                        rows.push(((group, order), path.to_string()));
                        Ok(())
                    }
                    _ => Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "a list of copies is damaged",
                    )),
                }
            })?;
            rows.sort_unstable();
            for ((group, _), path) in rows {
                out.push(&path, &(group + 1).to_string())?;
            }
        }
        Ok(out)
    }
}

fn version_mark() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            // Each mark follows a separator: the digits of "Fuzzer-4959857092198400" are no date.
            r"(?i)(?:[\s_\-.(]+(?:",
            r"v(?:er(?:sio|sion)?)?[\s_.]*\d+(?:[._]\d+)*",
            r"|\d{1,2}[._]\d{1,2}[._](?:\d{4}|\d{2})",
            r"|\d{4}-\d{2}-\d{2}",
            r"|\d{4}-\d{2}",
            r"|\d{8}",
            r"|final|lopullinen|luonnos|draft\d*",
            // A copy's name: "malli (1)" as a browser saves it again, "malli - kopio".
            r"|\(\d{1,3}|kopio|kopia|copy",
            r")\)?)+$"
        ))
        .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
    })
}

/// Where a name's version mark starts, when it has one that says something: a version
/// number, a real date, final or draft.
fn version_mark_at(file_stem: &str) -> Option<usize> {
    if !may_have_version_mark(file_stem) {
        return None;
    }
    let mark = version_mark().find(file_stem)?;
    let key = version_key(file_stem);
    let says_something =
        key.is_final || !key.not_draft || !key.not_copy || !key.version.is_empty() || key.date != 0;
    (says_something && mark.start() > 0).then_some(mark.start())
}

/// False only for a name that [`version_mark`] cannot match: an ASCII name without a digit
/// or a word of its own. Most names of a drive are looked at once this way instead of by the
/// pattern, which every run would otherwise try at each of their positions.
fn may_have_version_mark(file_stem: &str) -> bool {
    const WORDS: [&[u8]; 7] = [
        b"final",
        b"lopullinen",
        b"luonnos",
        b"draft",
        b"kopio",
        b"kopia",
        b"copy",
    ];
    let bytes = file_stem.as_bytes();
    !file_stem.is_ascii()
        || bytes.iter().any(u8::is_ascii_digit)
        || WORDS
            .iter()
            .any(|w| bytes.windows(w.len()).any(|b| b.eq_ignore_ascii_case(w)))
}

fn mark_part() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?i)(?P<version>v(?:er(?:sio|sion)?)?[\s_.]*\d+(?:[._]\d+)*)",
            r"|(?P<dmy>\d{1,2}[._]\d{1,2}[._](?:\d{4}|\d{2}))",
            r"|(?P<iso>\d{4}-\d{2}-\d{2})",
            r"|(?P<month>\d{4}-\d{2})",
            r"|(?P<eight>\d{8})",
            r"|(?P<final>final|lopullinen)",
            r"|(?P<draft>luonnos|draft\d*)",
            r"|(?P<copy>\(\d{1,3}|kopio|kopia|copy)",
        ))
        .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
    })
}

/// What a name's version mark says, in the order that decides which is newest: a final
/// version, then the higher version number, then the later date, then not a draft, then
/// not a copy (the name without "(1)" or "kopio" is the one the others copy).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct VersionKey {
    is_final: bool,
    version: Vec<u32>,
    /// yyyymmdd
    date: u32,
    not_draft: bool,
    not_copy: bool,
}

fn numbers(s: &str) -> Vec<u32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter_map(|d| d.parse::<u32>().ok())
        .collect()
}

fn ymd(y: u32, m: u32, d: u32) -> u32 {
    let y = if y < 100 { 2000 + y } else { y };
    if (1..=12).contains(&m) && (1..=31).contains(&d) {
        y * 10_000 + m * 100 + d
    } else {
        0
    }
}

fn version_key(file_stem: &str) -> VersionKey {
    let mut key = VersionKey {
        not_draft: true,
        not_copy: true,
        ..VersionKey::default()
    };
    let Some(mark) = version_mark().find(file_stem) else {
        return key;
    };
    for part in mark_part().captures_iter(mark.as_str()) {
        if let Some(v) = part.name("version") {
            key.version = numbers(v.as_str());
        } else if let Some(d) = part.name("dmy") {
            if let [d, m, y] = numbers(d.as_str())[..] {
                key.date = ymd(y, m, d);
            }
        } else if let Some(d) = part.name("iso") {
            if let [y, m, d] = numbers(d.as_str())[..] {
                key.date = ymd(y, m, d);
            }
        } else if let Some(d) = part.name("month") {
            // A year and month: the first of the month, so that it sorts among dates.
            if let [y, m] = numbers(d.as_str())[..] {
                key.date = ymd(y, m, 1);
            }
        } else if let Some(d) = part.name("eight") {
            let s = d.as_str();
            let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
            // 20170302 or 03022017: the year is where a plausible year is.
            let year_first = n(0..4).filter(|y| (1990..=2100).contains(y)).is_some();
            key.date = match (year_first, n(0..2), n(2..4), n(4..6), n(4..8), n(6..8)) {
                (true, _, _, Some(m), _, Some(d)) => n(0..4).map_or(0, |y| ymd(y, m, d)),
                (false, Some(d), Some(m), _, Some(y), _) => ymd(y, m, d),
                _ => 0,
            };
        } else if part.name("final").is_some() {
            key.is_final = true;
        } else if part.name("draft").is_some() {
            key.not_draft = false;
        } else if part.name("copy").is_some() {
            key.not_copy = false;
        }
    }
    key
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(f, _)| f)
}

/// A name's base with version marks removed and separators made alike, so that
/// `Malli_v0.1` and `Malli v1.0` meet.
fn base_name(file_stem: &str) -> String {
    // Every readable name comes here once: the quick look spares most the pattern.
    let mark = may_have_version_mark(file_stem)
        .then(|| version_mark().find(file_stem))
        .flatten();
    let cut = mark.map_or(file_stem, |m| {
        file_stem.get(..m.start()).unwrap_or(file_stem)
    });
    let mut base = String::with_capacity(cut.len());
    for word in cut
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
    {
        if !base.is_empty() {
            base.push(' ');
        }
        base.push_str(word);
    }
    if base.is_ascii() {
        base.make_ascii_lowercase();
        base
    } else {
        // Lower-casing a whole string minds context (a final sigma), as the words joined do.
        base.to_lowercase()
    }
}

/// Versions of one material in one folder. The names with a version mark give the groups,
/// by folder and base name; the names without one that share a base name with them (the
/// first draft) join. Held as hashes of (folder, base name) and positions, not names: on a
/// drive that dates its files most names have a mark, and most such groups have one member.
#[derive(Default)]
struct VersionSets {
    /// The folders with a marked name.
    folders: HashSet<u64>,
    /// The groups' keys.
    marked: HashSet<u64>,
    /// The keys of the unmarked names met, to find a name met twice.
    names: HashSet<u64>,
    /// (key, position) of each material of a group, as met.
    members: Vec<(u64, u32)>,
}

fn folder_key(folder: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    folder.hash(&mut h);
    h.finish()
}

fn group_key(folder: &str, base: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (folder, base).hash(&mut h);
    h.finish()
}

impl VersionSets {
    fn is_empty(&self) -> bool {
        self.marked.is_empty()
    }

    /// Takes note of a readable material's name if it has a version mark, or if another
    /// readable material of its folder has the same name in another format (`Raportti.odt`
    /// and the `Raportti.pdf` made of it are one material). An unreadable file is in no
    /// group: a readable version must not give way to it.
    fn add_marked(&mut self, path: &str, readable: bool) {
        if !readable {
            return;
        }
        let file_stem = stem(kooste_model::file_name(path));
        let marked = version_mark_at(file_stem).is_some();
        let base = base_name(file_stem);
        if base.is_empty() {
            return;
        }
        let folder = folder(path);
        let key = group_key(folder, &base);
        if marked || !self.names.insert(key) {
            self.folders.insert(folder_key(folder));
            self.marked.insert(key);
        }
    }

    /// Takes the readable material at `at` into the set of its folder and base name, if
    /// there is one. Call with every material, after each has been offered to
    /// [`VersionSets::add_marked`].
    fn add_member(&mut self, at: u32, path: &str, readable: bool) {
        if !readable {
            return;
        }
        let folder = folder(path);
        if !self.folders.contains(&folder_key(folder)) {
            return;
        }
        let key = group_key(folder, &base_name(stem(kooste_model::file_name(path))));
        if self.marked.contains(&key) {
            self.members.push((key, at));
        }
    }

    /// The groups of two or more, in folder then name order, each oldest first. `read`
    /// gives the path and modification time of the material at a position; every version
    /// but the newest goes into `older`.
    fn groups(
        mut self,
        mut read: impl FnMut(usize) -> std::io::Result<(String, Option<String>)>,
        older: &mut Positions,
    ) -> std::io::Result<Vec<VersionGroup>> {
        self.members.sort_unstable();
        let mut versions: Vec<Version> = Vec::new();
        for same_key in self.members.chunk_by(|a, b| a.0 == b.0) {
            if same_key.len() < 2 {
                continue;
            }
            for &(_, at) in same_key {
                let (path, modified) = read(at as usize)?;
                let file_stem = stem(kooste_model::file_name(&path));
                versions.push(Version {
                    folder: folder(&path).to_string(),
                    base: base_name(file_stem),
                    key: version_key(file_stem),
                    modified,
                    path,
                    at,
                });
            }
        }
        // Paths are unique, so the order is total. Names whose hashes met by chance part
        // again here, in groups of their own.
        versions.sort_by(|a, b| {
            (&a.folder, &a.base, &a.key, &a.modified, &a.path).cmp(&(
                &b.folder,
                &b.base,
                &b.key,
                &b.modified,
                &b.path,
            ))
        });
        let mut groups = Vec::new();
        for g in versions.chunk_by(|a, b| a.folder == b.folder && a.base == b.base) {
            let Some((newest, before_newest)) = g.split_last() else {
                continue;
            };
            if before_newest.is_empty() {
                continue;
            }
            for v in before_newest {
                older.insert(v.at as usize);
            }
            groups.push(VersionGroup {
                name: newest.base.clone(),
                newest: newest.path.clone(),
                paths: g.iter().map(|v| v.path.clone()).collect(),
            });
        }
        Ok(groups)
    }
}

/// One version of a material, as its group orders it.
struct Version {
    folder: String,
    base: String,
    key: VersionKey,
    modified: Option<String>,
    path: String,
    at: u32,
}

/// `audit.md`, and what `kooste audit` prints.
pub fn audit_markdown(a: &Audit, lang: Lang) -> String {
    crate::spill::to_string(|w| write_audit_markdown(w, a, lang))
}

/// [`audit_markdown`] written to `w` as it is made.
pub fn write_audit_markdown(
    w: &mut dyn std::io::Write,
    a: &Audit,
    lang: Lang,
) -> std::io::Result<()> {
    let mut out = Spill::new(w);
    out.push_str(&format!("# {}\n\n", lang.pick("Auditointi", "Audit")));
    if !a.generated.is_empty() {
        out.push_str(&format!(
            "*{} {}.*\n\n",
            lang.pick("Koottu", "Compiled on"),
            lang.date(&a.generated)
        ));
    }
    out.push_str(&format!(
        "| | {} |\n|---|---:|\n",
        lang.pick("määrä", "count")
    ));
    for row in a.count_rows(lang) {
        out.push_str(&format!("| {} | {} |\n", row.label, row.count));
    }
    out.push('\n');

    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick("Lukukelvottomat tiedostot", "Unreadable files"),
        a.errors()
    ));
    if a.unreadable.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    }
    for (kind, files) in &a.unreadable {
        out.push_str(&format!(
            "### {} ({}, `{}`)\n\n{}\n\n",
            lang.error_kind(*kind),
            files.len(),
            kind.as_str(),
            lang.error_remedy(*kind)
        ));
        detail_lines(&mut out, files)?;
    }
    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick(
            "Osittain luetut tiedostot: vioittuneiden ehjä osa tai rajaan asti",
            "Files read in part: the whole part of a damaged file, or up to a limit"
        ),
        a.damaged.len()
    ));
    if a.damaged.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    } else {
        detail_lines(&mut out, &a.damaged)?;
    }
    section(
        &mut out,
        lang,
        if a.ocr_ran {
            lang.pick(
                "Tyhjät tiedostot: ei tekstiä (tekstintunnistuksen, OCR, tulos rivillä, missä sitä käytettiin)",
                "Empty files: no text (what text recognition, OCR, found, beside those it read)",
            )
        } else {
            lang.pick(
                "Tyhjät tiedostot: todennäköisesti skannattuja, tarvitsevat tekstintunnistusta (OCR)",
                "Empty files: probably scanned, need text recognition (OCR)",
            )
        },
        (!a.ocr_ran).then(|| {
            lang.pick(
                "`kooste run --ocr` lukee skannattujen sivujen tekstin.",
                "`kooste run --ocr` reads the text of scanned pages.",
            )
        }),
        &a.empty,
    )?;
    if !a.pictures.is_empty() {
        out.push_str(&format!(
            "## {} ({})\n\n{}\n\n",
            lang.pick(
                "Kuvasivut ilman tekstiä: skannattuja sivuja tai kuvakaappauksia, tarvitsevat tekstintunnistusta (OCR)",
                "Pages of pictures without text: scanned pages or screenshots, need text recognition (OCR)"
            ),
            a.pictures.len(),
            lang.pick(
                "Näissä materiaaleissa on tekstiä, mutta näillä sivuilla ei ole omaa tekstiä, vain kuva. `kooste run --ocr` lukee ne.",
                "These materials have text, but these pages have none of their own, only a picture. `kooste run --ocr` reads them."
            )
        ));
        a.pictures.each(|p, pages| {
            out.push_str(&format!(
                "- {}: {}\n",
                code(p),
                picture_pages_note(lang, pages)
            ));
            Ok::<(), std::io::Error>(())
        })?;
        out.push('\n');
    }
    if !a.ocr.is_empty() {
        out.push_str(&format!(
            "## {} ({})\n\n",
            lang.pick(
                "Tekstintunnistuksella (OCR) luetut skannaukset: tekstissä voi olla virheitä",
                "Scans read by text recognition (OCR): the text may hold misread words"
            ),
            a.ocr.len()
        ));
        detail_lines(&mut out, &a.ocr)?;
    }
    section(
        &mut out,
        lang,
        lang.pick("Materiaalit ilman teemaa", "Materials without a theme"),
        Some(lang.pick(
            "Tarkista, kuuluuko materiaali hankkeen teemoihin; teeman voi antaa käsin tiedostossa kooste.toml.",
            "Check whether the material belongs to the project's themes; a theme can be given by hand in kooste.toml.",
        )),
        &a.no_theme,
    )?;
    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick("Materiaalit ilman kaupunkia", "Materials without a city"),
        a.no_city.len()
    ));
    if a.no_city.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    } else {
        out.push_str(lang.pick(
            "Kaupunki luetaan kansion tai tiedoston nimestä, tiedoston tiedoista tai tekstistä; sen voi antaa myös tiedostossa kooste.toml.\n\n",
            "The city is read from the folder or file name, the file's properties or its text; it can also be given in kooste.toml.\n\n",
        ));
        a.no_city.each(|p, cities| {
            match cities {
                "" => out.push_str(&format!("- {}\n", code(p))),
                cities => out.push_str(&format!(
                    "- {}: {}\n",
                    code(p),
                    contenders_note(lang, cities)
                )),
            }
            Ok::<(), std::io::Error>(())
        })?;
        out.push('\n');
    }
    section(
        &mut out,
        lang,
        lang.pick(
            "Materiaalit ilman työpakettia",
            "Materials without a work package",
        ),
        Some(lang.pick(
            "Työpaketti luetaan polusta (kansio TP2 tai Työpaketti 2) tai ensimmäisiltä sivuilta; sen voi antaa myös tiedostossa kooste.toml.",
            "The work package is read from the path (a folder TP2 or Työpaketti 2) or the first pages; it can also be given in kooste.toml.",
        )),
        &a.no_tp,
    )?;

    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick(
            "Sama sisältö eri nimillä",
            "Identical content under different names"
        ),
        a.duplicate_groups
    ));
    if a.duplicates.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    } else {
        out.push_str(lang.pick(
            "Kooste listaa kustakin ryhmästä vain ensimmäisen.\n\n",
            "The summary lists only the first of each group.\n\n",
        ));
        // A line per group: its names joined as they come.
        let mut line: Vec<String> = Vec::new();
        let mut group = String::new();
        let flush = |out: &mut Spill<'_>, line: &mut Vec<String>| {
            if !line.is_empty() {
                out.push_str(&format!("- {}\n", line.join(" = ")));
                line.clear();
            }
        };
        a.duplicates.each(|path, n| {
            if n != group {
                flush(&mut out, &mut line);
                group = n.to_string();
            }
            line.push(code(path));
            Ok::<(), std::io::Error>(())
        })?;
        flush(&mut out, &mut line);
        out.push('\n');
    }

    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick(
            "Saman materiaalin useat versiot",
            "Several versions of one material"
        ),
        a.versions.len()
    ));
    if a.versions.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    } else {
        out.push_str(lang.pick(
            "Versiot vanhimmasta uusimpaan; kooste listaa vain uusimman.\n\n",
            "Versions from oldest to newest; the summary lists only the newest.\n\n",
        ));
        for g in &a.versions {
            let names: Vec<String> = g.paths.iter().map(|p| code(p)).collect();
            out.push_str(&format!(
                "- {} → {} {}\n",
                names.join(", "),
                lang.pick("uusin", "newest"),
                code(&g.newest)
            ));
        }
        out.push('\n');
    }

    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick("Käsin korjatut", "Corrected by hand"),
        a.manual.len()
    ));
    if a.manual.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    } else {
        a.manual.each(|path, fields| {
            let fields: Vec<&str> = fields.split(',').map(|f| field_name(f, lang)).collect();
            out.push_str(&format!("- {}: {}\n", code(path), fields.join(", ")));
            Ok::<(), std::io::Error>(())
        })?;
        out.push('\n');
    }
    if !a.annotation_sources.is_empty() || !a.annotation_warnings.is_empty() {
        out.push_str(&format!(
            "## {} ({})\n\n",
            lang.pick("Huomiotiedoston ongelmat", "Problems in the annotations"),
            a.annotation_warnings.len()
        ));
        if !a.annotation_sources.is_empty() {
            let names: Vec<String> = a.annotation_sources.iter().map(|s| code(s)).collect();
            out.push_str(&format!(
                "{} {}.\n\n",
                lang.pick("Luettu:", "Read:"),
                names.join(", ")
            ));
        }
        for w in &a.annotation_warnings {
            out.push_str(&format!("- {}\n", markdown(w)));
        }
        if !a.annotation_warnings.is_empty() {
            out.push('\n');
        }
    }
    out.finish()
}

fn field_name(field: &str, lang: Lang) -> &str {
    match field {
        "title" => lang.pick("otsikko", "title"),
        "city" => lang.pick("kaupunki", "city"),
        "tp" => lang.pick("työpaketti", "work package"),
        "themes" => lang.pick("teemat", "themes"),
        other => other,
    }
}

/// Why a material has no city though its text names cities (`names`, comma-separated):
/// none of them wins.
fn contenders_note(lang: Lang, names: &str) -> String {
    format!(
        "{} {}",
        lang.pick(
            "teksti mainitsee tasaveroisesti useita kaupunkeja, ei selvää voittajaa:",
            "the text names several cities about equally, no clear winner:"
        ),
        names
    )
}

/// "sivut 31, 36–40" or "slides 3, 5": the pages of pictures of an [`Audit::pictures`] row,
/// runs of consecutive pages as ranges.
fn picture_pages_note(lang: Lang, detail: &str) -> String {
    let (unit, list) = detail.split_once(':').unwrap_or(("page", detail));
    let numbers: Vec<u32> = list.split(',').filter_map(|n| n.parse().ok()).collect();
    let word = match (unit, numbers.len() == 1) {
        ("slide", true) => lang.pick("dia", "slide"),
        ("slide", false) => lang.pick("diat", "slides"),
        (_, true) => lang.pick("sivu", "page"),
        (_, false) => lang.pick("sivut", "pages"),
    };
    format!("{word} {}", kooste_model::page_runs(&numbers))
}

/// One line per row, the path and its detail, and a blank line after them.
fn detail_lines(out: &mut Spill<'_>, rows: &RowList) -> std::io::Result<()> {
    rows.each(|path, detail| {
        out.push_str(&format!("- {}: {}\n", code(path), markdown(detail)));
        Ok::<(), std::io::Error>(())
    })?;
    out.push('\n');
    Ok(())
}

/// A section of paths with their details, after a line that says what to do about them
/// (`hint`, when the list is not empty).
fn section(
    out: &mut Spill<'_>,
    lang: Lang,
    title: &str,
    hint: Option<&str>,
    paths: &RowList,
) -> std::io::Result<()> {
    out.push_str(&format!("## {title} ({})\n\n", paths.len()));
    if paths.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
        return Ok(());
    }
    if let Some(hint) = hint {
        out.push_str(&format!("{hint}\n\n"));
    }
    paths.each(|p, detail| {
        match detail {
            "" => out.push_str(&format!("- {}\n", code(p))),
            detail => out.push_str(&format!("- {}: {}\n", code(p), markdown(detail))),
        }
        Ok::<(), std::io::Error>(())
    })?;
    out.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kooste_model::Index;

    fn audit_of(index: &Index) -> Audit {
        audit(index.view()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn damaged_files_read_in_part_are_listed_with_what_was_read() {
        let note = "the directory at the end of its ZIP container is missing: read from 7 entries";
        let index: Index = serde_json::from_str(&format!(
            r#"{{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {{"source": "default", "hash": "h"}}, "documents": [
            {{"path": "Oulu/luonnos.docx", "format": "docx", "bytes": 9, "hash": "a",
              "title": "t", "city": "Oulu", "tp": ["TP5"], "themes": [], "status": "ok",
              "error": null, "damaged": "{note}", "pages": 1, "chars": 100}},
            {{"path": "Oulu/rikki.docx", "format": "docx", "bytes": 9, "hash": "b",
              "title": "t", "city": "Oulu", "tp": ["TP5"], "themes": [], "status": "error",
              "error": {{"kind": "corrupt", "message": "damaged ZIP container"}},
              "pages": 0, "chars": 0}},
            {{"path": "Oulu/ehja.docx", "format": "docx", "bytes": 9, "hash": "c",
              "title": "t", "city": "Oulu", "tp": ["TP5"], "themes": [], "status": "ok",
              "error": null, "pages": 1, "chars": 100}}]}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let a = audit_of(&index);
        assert_eq!((a.damaged.len(), a.errors()), (1, 1));
        // Read, so held to the same questions as any material: here, no theme.
        assert_eq!(a.no_theme.len(), 2);
        let md = audit_markdown(&a, Lang::Fi);
        assert!(md.contains("| Vioittuneita, luettu osittain | 1 |"), "{md}");
        assert!(
            md.contains(&format!(
                "## Osittain luetut tiedostot: vioittuneiden ehjä osa tai rajaan asti (1)\n\n- `Oulu/luonnos.docx`: {note}\n"
            )),
            "{md}"
        );
        let mut rows = Vec::new();
        a.each_row(Lang::En, |r| {
            rows.push((
                r.category.into_owned(),
                r.path.to_string(),
                r.detail.into_owned(),
            ));
            Ok::<(), std::io::Error>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(rows.contains(&(
            "Damaged, read in part".to_string(),
            "Oulu/luonnos.docx".to_string(),
            note.to_string()
        )));
        assert_eq!(rows.len(), a.row_count());
    }

    #[test]
    fn each_list_of_the_audit_says_what_to_do() {
        let index: Index = serde_json::from_str(
            r#"{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {"source": "default", "hash": "h"}, "documents": [
            {"path": "salattu.pdf", "format": "pdf", "bytes": 9, "hash": "a",
              "title": "t", "city": null, "tp": [], "themes": [], "status": "error",
              "error": {"kind": "encrypted", "message": "PDF: the document needs a password"},
              "pages": 0, "chars": 0},
            {"path": "skannattu.pdf", "format": "pdf", "bytes": 9, "hash": "b",
              "title": "t", "city": null, "tp": [], "themes": [], "status": "empty",
              "error": null, "pages": 1, "chars": 0},
            {"path": "muistio.txt", "format": "txt", "bytes": 9, "hash": "c",
              "title": "t", "city": null, "tp": [], "themes": [], "status": "ok",
              "error": null, "pages": 1, "chars": 100}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let a = audit_of(&index);
        let md = audit_markdown(&a, Lang::Fi);
        for said in [
            "### Salatut (1, `encrypted`)\n\nPyydä tiedosto ilman salasanaa tai tallenna se \
             uudelleen ilman suojausta.\n\n- `salattu.pdf`",
            "\n\n`kooste run --ocr` lukee skannattujen sivujen tekstin.\n\n- `skannattu.pdf`",
            "## Materiaalit ilman teemaa (1)\n\nTarkista, kuuluuko materiaali",
            "## Materiaalit ilman kaupunkia (1)\n\nKaupunki luetaan kansion",
            "## Materiaalit ilman työpakettia (1)\n\nTyöpaketti luetaan polusta",
        ] {
            assert!(md.contains(said), "{said}\n---\n{md}");
        }
        // The spreadsheet's rows name the reason in the report's language.
        let mut categories = Vec::new();
        a.each_row(Lang::Fi, |r| {
            categories.push(r.category.into_owned());
            Ok::<(), std::io::Error>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            categories.contains(&"Lukukelvoton: salattu".to_string()),
            "{categories:?}"
        );
    }

    #[test]
    fn pages_of_pictures_without_text_are_listed_for_ocr() {
        let index: Index = serde_json::from_str(
            r#"{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {"source": "default", "hash": "h"}, "documents": [
            {"path": "Oulu/luento.pdf", "format": "pdf", "bytes": 9, "hash": "a",
              "title": "t", "city": "Oulu", "tp": ["TP5"], "themes": [], "status": "ok",
              "error": null, "picture_pages": [31, 36, 37, 38, 39, 40], "pages": 45,
              "chars": 100},
            {"path": "Oulu/diat.pptx", "format": "pptx", "bytes": 9, "hash": "b",
              "title": "t", "city": "Oulu", "tp": ["TP5"], "themes": [], "status": "ok",
              "error": null, "picture_pages": [3], "pages": 5, "chars": 100},
            {"path": "Oulu/muistio.pdf", "format": "pdf", "bytes": 9, "hash": "c",
              "title": "t", "city": "Oulu", "tp": ["TP5"], "themes": [], "status": "ok",
              "error": null, "pages": 1, "chars": 100}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let a = audit_of(&index);
        assert_eq!(a.pictures.len(), 2);
        let md = audit_markdown(&a, Lang::Fi);
        assert!(
            md.contains("| Kuvasivuja ilman tekstiä (tarvitsevat OCR:n) | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("- `Oulu/luento.pdf`: sivut 31, 36\u{2013}40\n- `Oulu/diat.pptx`: dia 3\n"),
            "{md}"
        );
        let md = audit_markdown(&a, Lang::En);
        assert!(md.contains("- `Oulu/diat.pptx`: slide 3\n"), "{md}");
        let mut rows = Vec::new();
        a.each_row(Lang::En, |r| {
            rows.push((r.category.into_owned(), r.detail.into_owned()));
            Ok::<(), std::io::Error>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(rows.contains(&(
            "Pages of pictures without text (needs OCR)".to_string(),
            "pages 31, 36\u{2013}40".to_string()
        )));
        assert_eq!(rows.len(), a.row_count());
    }

    #[test]
    fn content_keys_are_equal_exactly_when_the_hashes_are() {
        let h = |c: char| c.to_string().repeat(64);
        let a = "0123456789abcdef".repeat(4);
        assert_eq!(ContentKey::of(&a), ContentKey::of(&a.clone()));
        assert_eq!(ContentKey::of(&a).0[..4], [0x01, 0x23, 0x45, 0x67]);
        let keys = [
            ContentKey::of(&h('a')),
            ContentKey::of(&h('b')),
            ContentKey::of(&h('A')),
            ContentKey::of("ab12"),
            ContentKey::of(&a),
        ];
        for (i, x) in keys.iter().enumerate() {
            for (j, y) in keys.iter().enumerate() {
                assert_eq!(x == y, i == j, "{x:?} {y:?}");
            }
        }
    }

    /// 20,000 names of 1 to 16 characters of `alphabet`, by a seeded generator.
    fn seeded_names(alphabet: &str, mut seed: u64) -> impl Iterator<Item = String> {
        let alphabet: Vec<char> = alphabet.chars().collect();
        (0..20_000).map(move |_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 1 + (seed >> 60) as usize;
            (0..len)
                .map(|i| alphabet[((seed >> (i * 4 % 56)) as usize + i) % alphabet.len()])
                .collect()
        })
    }

    #[test]
    fn a_name_the_quick_look_passes_over_has_no_version_mark() {
        // Names from an alphabet of separators, the marks' letters and digits, by a seeded
        // generator: wherever the quick look says no, the pattern finds nothing.
        let mut passed_over = 0;
        for name in seeded_names(" _-.()vVerisonfalFLOPUNdDtTkaäö0123456789", 11) {
            if !may_have_version_mark(&name) {
                passed_over += 1;
                assert!(version_mark().find(&name).is_none(), "{name:?}");
            }
        }
        assert!(
            passed_over > 1000,
            "the quick look passed over {passed_over}"
        );
        for marked in ["Malli_final", "raportti LUONNOS", "Draft2", "ohje_v2"] {
            assert!(may_have_version_mark(marked), "{marked}");
        }
    }

    #[test]
    fn a_name_the_quick_look_passes_over_has_no_copy_mark() {
        let mut passed_over = 0;
        for name in seeded_names(" _-.()kopiKOPIcyCYa2(3)", 7) {
            if !may_have_copy_mark(&name) {
                passed_over += 1;
                assert!(!copy_mark().is_match(&name), "{name:?}");
            }
        }
        assert!(passed_over > 1000, "passed over {passed_over}");
    }

    #[test]
    fn copies_come_out_in_group_order_however_many_there_are() {
        // Enough copies for several buckets of the sorting; groups of one to four, some
        // members in archives, some named as copies, some without a city.
        let n = 3 * COPIES_PER_BUCKET + 500;
        let mut docs: Vec<(String, String, bool)> = (0..n)
            .map(|i| {
                let content = (i * 7919) % (n / 2);
                let name = match i % 5 {
                    0 => format!("Kopio raportti {i:05}.docx"),
                    1 => format!("paketti{:03}.zip/raportti {i:05}.docx", i % 97),
                    _ => format!("raportti {i:05}.docx"),
                };
                let folder = ["Espoo", "Oulu/TP2", "Yhteiset"][i % 3];
                (
                    format!("{folder}/{name}"),
                    format!("{content:064x}"),
                    i % 4 != 0,
                )
            })
            .collect();
        docs.sort();
        let json: Vec<String> = docs
            .iter()
            .map(|(path, hash, city)| {
                let city = if *city { "\"Espoo\"" } else { "null" };
                format!(
                    r#"{{"path": "{path}", "format": "docx", "bytes": 1, "hash": "{hash}",
                    "title": "t", "city": {city}, "tp": [], "themes": [], "status": "ok",
                    "error": null, "pages": 1, "chars": 100}}"#
                )
            })
            .collect();
        let index: Index = serde_json::from_str(&format!(
            r#"{{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {{"source": "default", "hash": "h"}}, "documents": [{}]}}"#,
            json.join(",")
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        // The order worked out plainly: by content, each group by the rule, groups by their
        // first path.
        let mut by_content: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (at, (_, hash, _)) in docs.iter().enumerate() {
            by_content.entry(hash).or_default().push(at);
        }
        let mut groups: Vec<Vec<usize>> =
            by_content.into_values().filter(|g| g.len() > 1).collect();
        for g in &mut groups {
            g.sort_by_key(|&at| {
                let path = &docs[at].0;
                (
                    path.contains(".zip/"),
                    path.contains("Kopio"),
                    !docs[at].2,
                    path.clone(),
                )
            });
        }
        groups.sort_by_key(|g| docs[g[0]].0.clone());
        let docs = &docs;
        let want: Vec<(String, String)> = groups
            .iter()
            .zip(1..)
            .flat_map(|(g, n)| {
                g.iter()
                    .map(move |&at| (docs[at].0.clone(), format!("{n}")))
            })
            .collect();
        let a = audit_of(&index);
        assert!(want.len() > 2 * COPIES_PER_BUCKET);
        assert_eq!(a.duplicate_groups, groups.len());
        assert_eq!(a.duplicates.pairs().unwrap_or_else(|e| panic!("{e}")), want);
        let superseded: Vec<usize> = a.superseded().iter().collect();
        let mut want_superseded: Vec<usize> = groups.iter().flat_map(|g| g[1..].to_vec()).collect();
        want_superseded.sort_unstable();
        assert_eq!(superseded, want_superseded);
    }

    #[test]
    fn a_joint_material_naming_several_cities_says_so() {
        let doc = |path: &str, contenders: &str| {
            format!(
                r#"{{"path": "{path}", "format": "docx", "bytes": 1, "hash": "{path}",
                "title": "t", "city": null, "tp": [], "themes": [], "status": "ok",
                "error": null, "pages": 1, "chars": 100, "city_contenders": {contenders}}}"#
            )
        };
        let json = format!(
            r#"{{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {{"source": "default", "hash": "h"}},
            "documents": [{}, {}]}}"#,
            doc("Yhteiset/a.docx", r#"["Espoo", "Tampere"]"#),
            doc("Yhteiset/b.docx", "[]")
        );
        let index: Index = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        let a = audit_of(&index);
        assert_eq!(
            a.no_city.paths().unwrap_or_else(|e| panic!("{e}")),
            ["Yhteiset/a.docx", "Yhteiset/b.docx"]
        );
        let md = audit_markdown(&a, Lang::Fi);
        assert!(
            md.contains("- `Yhteiset/a.docx`: teksti mainitsee tasaveroisesti useita kaupunkeja, ei selvää voittajaa: Espoo, Tampere\n- `Yhteiset/b.docx`\n"),
            "{md}"
        );
        let mut rows: Vec<(String, String, String)> = Vec::new();
        a.each_row(Lang::En, |r| {
            rows.push((r.category.into(), r.path.into(), r.detail.into()));
            Ok::<(), std::io::Error>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), a.row_count());
        let row = rows
            .iter()
            .find(|(category, path, _)| path == "Yhteiset/a.docx" && category == "No city")
            .unwrap_or_else(|| panic!("{rows:?}"));
        assert!(
            row.2.ends_with("no clear winner: Espoo, Tampere"),
            "{row:?}"
        );
    }

    #[test]
    fn version_marks_are_recognised() {
        for name in [
            "malli_v0.1",
            "malli v1.0",
            "malli_15.5.2017",
            "malli_2017-12-14",
            "malli_final",
            "malli-versio 2",
            "malli_03022017",
            "malli 2021-05",
            "malli (1)",
            "malli - kopio",
            "malli_copy",
        ] {
            assert!(version_mark().is_match(name), "{name}");
        }
        // A school year is no month.
        assert_eq!(version_mark_at("opetussuunnitelma 2017-18"), None);
        for name in ["malli", "6Aika AOA Tampere", "Helsinki_2017_1"] {
            assert!(!version_mark().is_match(name), "{name}");
        }
        // Digits that are no version and no date.
        for name in [
            "POIXWPFFuzzer-4959857092198400",
            "raportti_12345678",
            "malliv2",
            "v1.0",
        ] {
            assert_eq!(version_mark_at(name), None, "{name}");
        }
        assert_eq!(version_mark_at("malli (v2)"), Some(5));
    }

    #[test]
    fn versions_order_by_number_then_date() {
        assert!(version_key("malli_v0.1") < version_key("malli_v1.0"));
        assert!(version_key("malli_v0.9") < version_key("malli_v0.10"));
        assert!(version_key("malli_v2") < version_key("malli_final"));
        assert!(version_key("malli_luonnos") < version_key("malli"));
        // Dates compare as dates, whatever order the name writes them in.
        assert!(version_key("malli_15.12.2016") < version_key("malli_2.1.2017"));
        assert!(version_key("malli_14122017") < version_key("malli_03022018"));
        assert!(version_key("malli_20171214") < version_key("malli_2018-02-03"));
        assert_eq!(version_key("malli_03022017").date, 20170203);
        assert_eq!(version_key("malli_1.2.17").date, 20170201);
        // A year and month sorts as its first day.
        assert!(version_key("malli 2021-05") < version_key("malli 2022-09"));
        assert!(version_key("malli 2021-05") < version_key("malli_15.5.2021"));
        // A copy's name gives way to the name it copies.
        assert!(version_key("malli (1)") < version_key("malli"));
        assert!(version_key("malli - kopio") < version_key("malli"));
        assert_eq!(
            base_name("Sovelluksen dokumentointi (1)"),
            "sovelluksen dokumentointi"
        );
    }

    #[test]
    fn version_groups_stay_in_their_folder_in_folder_then_name_order() {
        let doc = |path: &str| {
            format!(
                r#"{{"path": "{path}", "format": "docx", "bytes": 1, "hash": "{path}",
                "title": "t", "city": null, "tp": [], "themes": [], "status": "ok",
                "error": null, "pages": 1, "chars": 100}}"#
            )
        };
        let paths = [
            "B/Malli v2.docx",
            "B/malli_v1.docx",
            "B/Mittarit.docx",
            "a b/Raportti_luonnos.docx",
            "a b/Raportti.docx",
            "a/Malli.docx",
            "a/Malli_v1.0.docx",
            "a/Malli_2017-12-14.docx",
            "a/Yksin_v3.docx",
        ];
        let docs: Vec<String> = paths.iter().map(|p| doc(p)).collect();
        let json = format!(
            r#"{{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {{"source": "default", "hash": "h"}}, "documents": [{}]}}"#,
            docs.join(",")
        );
        let index: Index = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        let groups: Vec<(String, Vec<String>, String)> = audit_of(&index)
            .versions
            .into_iter()
            .map(|g| (g.name, g.paths, g.newest))
            .collect();
        let owned = |v: &[&str]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(
            groups,
            [
                (
                    "malli".to_string(),
                    owned(&["B/malli_v1.docx", "B/Malli v2.docx"]),
                    "B/Malli v2.docx".to_string()
                ),
                (
                    "malli".to_string(),
                    // The unmarked first draft joins; a date ranks below a version number.
                    owned(&[
                        "a/Malli.docx",
                        "a/Malli_2017-12-14.docx",
                        "a/Malli_v1.0.docx"
                    ]),
                    "a/Malli_v1.0.docx".to_string()
                ),
                (
                    "raportti".to_string(),
                    owned(&["a b/Raportti_luonnos.docx", "a b/Raportti.docx"]),
                    "a b/Raportti.docx".to_string()
                ),
            ]
        );
    }

    #[test]
    fn one_name_in_two_formats_is_one_material_and_unreadable_files_are_in_no_group() {
        let doc = |path: &str, status: &str, modified: &str| {
            format!(
                r#"{{"path": "{path}", "format": "docx", "bytes": 1, "hash": "{path}",
                "title": "t", "city": null, "tp": [], "themes": [], "status": "{status}",
                "error": null, "pages": 1, "chars": 100, "modified": "{modified}"}}"#
            )
        };
        let docs = [
            doc("a/Referaatti.odt", "ok", "2018-01-02"),
            doc("a/Referaatti.pdf", "ok", "2018-01-03"),
            // A corrupt newer version: the readable one stays in the summary.
            doc("b/Malli_v1.docx", "ok", "2018-01-01"),
            doc("b/Malli_v2.docx", "error", "2018-01-05"),
            // The same name in another folder is another material.
            doc("c/Referaatti.odt", "ok", "2018-01-04"),
        ];
        let json = format!(
            r#"{{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
            "rules": {{"source": "default", "hash": "h"}}, "documents": [{}]}}"#,
            docs.join(",")
        );
        let index: Index = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        let groups: Vec<(Vec<String>, String)> = audit_of(&index)
            .versions
            .into_iter()
            .map(|g| (g.paths, g.newest))
            .collect();
        assert_eq!(
            groups,
            [(
                vec![
                    "a/Referaatti.odt".to_string(),
                    "a/Referaatti.pdf".to_string()
                ],
                "a/Referaatti.pdf".to_string()
            )]
        );
    }

    #[test]
    fn copy_marks_are_recognised() {
        for name in [
            "Kopio malli",
            "malli - Copy",
            "malli (2)",
            "Copy of malli",
            "malli_kopio",
        ] {
            assert!(copy_mark().is_match(name), "{name}");
        }
        for name in ["Kopiointiohje", "malli", "Malli 2017", "copyright"] {
            assert!(!copy_mark().is_match(name), "{name}");
        }
    }

    #[test]
    fn base_names_meet_across_separators() {
        assert_eq!(
            base_name("Helsinki_Yhteiskehittamisen_malli_v0.1"),
            "helsinki yhteiskehittamisen malli"
        );
        assert_eq!(
            base_name("Helsinki Yhteiskehittamisen malli v1.0"),
            "helsinki yhteiskehittamisen malli"
        );
    }
}
