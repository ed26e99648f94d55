//! The audit: what a project office must look at by hand. Unreadable files by error kind,
//! empty ones (probably scanned), materials without theme, city or work package, copies
//! under other names, several versions of one material, corrections made by hand, and
//! annotations that could not be applied.

use crate::escape::{archive_file, code, markdown};
use crate::lang::Lang;
use crate::rows::RowList;
use crate::spill::Spill;
use crate::summary::stem;
use kooste_model::{CitySource, ErrorKind, Status, View};
use regex::Regex;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audit {
    pub generated: String,
    pub total: usize,
    /// (path, message) by error kind.
    pub unreadable: BTreeMap<ErrorKind, RowList>,
    /// Read, but no text: scanned pages that need OCR, or empty files.
    pub empty: RowList,
    /// Readable materials without a theme, city or work package. A person's correction to
    /// "none" in the annotations settles the question, so those are not listed.
    pub no_theme: RowList,
    /// With, as the row's detail, the names of the cities the text names about equally
    /// often, where it names several (comma-separated).
    pub no_city: RowList,
    pub no_tp: RowList,
    /// Groups of paths with identical content; the first is the one the summary lists.
    pub duplicates: Vec<Vec<String>>,
    pub versions: Vec<VersionGroup>,
    /// Materials a person corrected, with the fields corrected (comma-separated).
    pub manual: RowList,
    /// The annotations files read.
    pub annotation_sources: Vec<String>,
    /// Annotations that could not be applied.
    pub annotation_warnings: Vec<String>,
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
    /// Paths the summary's tables leave out: every version but the newest, every identical
    /// copy but the first. The same as the summary works out for itself from the index.
    pub fn superseded(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        for g in &self.duplicates {
            out.extend(g.iter().skip(1).map(String::as_str));
        }
        for g in &self.versions {
            if let Some((_, older)) = g.paths.split_last() {
                out.extend(older.iter().filter(|p| **p != g.newest).map(String::as_str));
            }
        }
        out
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
        let groups = |n: usize| n;
        self.errors()
            + self.empty.len()
            + self.no_theme.len()
            + self.no_city.len()
            + self.no_tp.len()
            + groups(self.duplicates.iter().map(Vec::len).sum())
            + groups(self.versions.iter().map(|g| g.paths.len()).sum())
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
                kind.as_str()
            );
            files.each(|path, message| row(&category, path, Cow::Borrowed(message)))?;
        }
        let plain = [
            (
                lang.pick("Tyhjä (tarvitsee OCR:n)", "Empty (needs OCR)"),
                &self.empty,
            ),
            (lang.pick("Ei teemaa", "No theme"), &self.no_theme),
        ];
        for (category, list) in plain {
            list.each(|path, _| row(category, path, Cow::Borrowed("")))?;
        }
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
        for (group, n) in self.duplicates.iter().zip(1..) {
            let detail = format!("{} {n}", lang.pick("ryhmä", "group"));
            for path in group {
                row(
                    lang.pick("Sama sisältö", "Identical content"),
                    path,
                    Cow::Borrowed(&detail),
                )?;
            }
        }
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
    let mut contents: Vec<(ContentKey, u32)> = Vec::new();
    let mut versions = VersionSets::default();
    let mut at = 0u32;
    view.materials.each_without_evidence(&mut |m| {
        let here = at;
        at += 1;
        if !m.hash.is_empty() && m.bytes > 0 && m.status != Status::Empty {
            contents.push((ContentKey::of(&m.hash), here));
        }
        versions.add_marked(here, &m.path);
        let set_by_hand = |field: &str| m.manual.iter().any(|f| f == field);
        if !m.manual.is_empty() {
            a.manual.push(&m.path, &m.manual.join(","))?;
        }
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
            Status::Empty => a.empty.push(&m.path, "")?,
            Status::Ok => {
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
    let copies = copy_positions(contents);
    // The second reading: the copies' names and cities, and the unmarked first drafts of
    // versioned materials.
    let mut copy_names: Vec<(u32, Copy)> = Vec::new();
    if !copies.is_empty() || !versions.is_empty() {
        let mut wanted: Vec<u32> = copies.iter().flatten().copied().collect();
        wanted.sort_unstable();
        let mut at = 0u32;
        view.materials.each_without_evidence(&mut |m| {
            let here = at;
            at += 1;
            if wanted.binary_search(&here).is_ok() {
                copy_names.push((here, Copy::of(m)));
            }
            versions.add_unmarked(here, &m.path);
            Ok(())
        })?;
    }
    a.duplicates = duplicate_groups(copies, &copy_names);
    // The time a version was modified orders it among versions of the same name: read
    // again for the few materials that have versions.
    a.versions = versions.groups(|at| Ok(view.materials.get(at)?.modified.clone()))?;
    Ok(a)
}

/// What orders the copies of one content: the one the summary keeps first.
struct Copy {
    path: Box<str>,
    has_city: bool,
}

impl Copy {
    fn of(m: &kooste_model::Material) -> Copy {
        Copy {
            path: m.path.as_str().into(),
            has_city: m.city.is_some(),
        }
    }
}

/// A content hash: the 32 bytes of a BLAKE3 hash written in lower-case hex (as kooste writes
/// them), or the text as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ContentKey {
    Blake3([u8; 32]),
    Other(Box<str>),
}

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
        if decoded {
            ContentKey::Blake3(bytes)
        } else {
            ContentKey::Other(hash.into())
        }
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

/// The positions of identical contents, in groups of two or more.
fn copy_positions(mut contents: Vec<(ContentKey, u32)>) -> Vec<Vec<u32>> {
    // Sorted by content, alike contents lie side by side: no map of every material's hash.
    contents.sort_unstable();
    contents
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|g| g.len() > 1)
        .map(|g| g.iter().map(|(_, at)| *at).collect())
        .collect()
}

/// Identical content under several names. The copy listed first, and kept in the summary,
/// is a file of its own rather than an archive member, then one whose name does not say it
/// is a copy, then one with a city, then the first by path. Files without text are listed
/// as empty already; that they are alike says nothing more. `names` holds each copy's
/// name by position, in position order.
fn duplicate_groups(copies: Vec<Vec<u32>>, names: &[(u32, Copy)]) -> Vec<Vec<String>> {
    let name = |at: &u32| {
        names
            .binary_search_by_key(at, |(k, _)| *k)
            .ok()
            .map(|k| &names[k].1)
    };
    let mut groups: Vec<Vec<&Copy>> = copies
        .iter()
        .map(|g| {
            let mut g: Vec<&Copy> = g.iter().filter_map(name).collect();
            g.sort_by_cached_key(|m| {
                (
                    archive_file(&m.path).len() < m.path.len(),
                    copy_mark().is_match(stem(kooste_model::file_name(&m.path))),
                    !m.has_city,
                    &*m.path,
                )
            });
            g
        })
        .collect();
    groups.sort_by(|a, b| a.iter().map(|m| &m.path).cmp(b.iter().map(|m| &m.path)));
    groups
        .into_iter()
        .map(|g| g.into_iter().map(|m| m.path.to_string()).collect())
        .collect()
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
            r"|\d{8}",
            r"|final|lopullinen|luonnos|draft\d*",
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
    let says_something = key.is_final || !key.not_draft || !key.version.is_empty() || key.date != 0;
    (says_something && mark.start() > 0).then_some(mark.start())
}

/// False only for a name that [`version_mark`] cannot match: an ASCII name without a digit
/// or a word of its own. Most names of a drive are looked at once this way instead of by the
/// pattern, which every run would otherwise try at each of their positions.
fn may_have_version_mark(file_stem: &str) -> bool {
    const WORDS: [&[u8]; 4] = [b"final", b"lopullinen", b"luonnos", b"draft"];
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
            r"|(?P<eight>\d{8})",
            r"|(?P<final>final|lopullinen)",
            r"|(?P<draft>luonnos|draft\d*)",
        ))
        .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
    })
}

/// What a name's version mark says, in the order that decides which is newest: a final
/// version, then the higher version number, then the later date, then not a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct VersionKey {
    is_final: bool,
    version: Vec<u32>,
    /// yyyymmdd
    date: u32,
    not_draft: bool,
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
    let cut = version_mark().find(file_stem).map_or(file_stem, |m| {
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

/// Versions of one material in one folder: the names with a version mark, by folder and
/// base name, each with its position; then the names without one that share a base name
/// with them (the first draft).
#[derive(Default)]
struct VersionSets {
    by_folder: HashMap<Box<str>, BTreeMap<String, Versions>>,
}

/// The versions of one material found so far: position and path of each.
type Versions = Vec<(u32, Box<str>)>;

impl VersionSets {
    fn is_empty(&self) -> bool {
        self.by_folder.is_empty()
    }

    /// Takes the material at `at` if its name has a version mark.
    fn add_marked(&mut self, at: u32, path: &str) {
        let file_stem = stem(kooste_model::file_name(path));
        if version_mark_at(file_stem).is_none() {
            return;
        }
        let base = base_name(file_stem);
        if base.is_empty() {
            return;
        }
        self.by_folder
            .entry(folder(path).into())
            .or_default()
            .entry(base)
            .or_default()
            .push((at, path.into()));
    }

    /// Takes the material at `at` into the set of its folder and base name, if there is one:
    /// an unmarked file with the same base name belongs to the group too. Call after every
    /// material has been offered to [`VersionSets::add_marked`].
    fn add_unmarked(&mut self, at: u32, path: &str) {
        let Some(in_folder) = self.by_folder.get_mut(folder(path)) else {
            return;
        };
        if let Some(g) = in_folder.get_mut(&base_name(stem(kooste_model::file_name(path))))
            && !g.iter().any(|(k, _)| *k == at)
        {
            g.push((at, path.into()));
        }
    }

    /// The groups of two or more, in folder then name order, each oldest first. `modified`
    /// gives the modification time of the material at a position.
    fn groups(
        self,
        mut modified: impl FnMut(usize) -> std::io::Result<Option<String>>,
    ) -> std::io::Result<Vec<VersionGroup>> {
        let mut by_folder: Vec<_> = self.by_folder.into_iter().collect();
        by_folder.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        by_folder
            .into_iter()
            .flat_map(|(_, in_folder)| in_folder)
            .filter(|(_, g)| g.len() > 1)
            .map(|(name, g)| {
                let mut keyed = g
                    .into_iter()
                    .map(|(at, path)| {
                        let key = version_key(stem(kooste_model::file_name(&path)));
                        Ok(((key, modified(at as usize)?), path))
                    })
                    .collect::<std::io::Result<Vec<_>>>()?;
                // Paths are unique, so the order is total.
                keyed.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.cmp(y)));
                let paths: Vec<String> = keyed.into_iter().map(|(_, p)| p.into()).collect();
                Ok(VersionGroup {
                    name,
                    newest: paths.last().cloned().unwrap_or_default(),
                    paths,
                })
            })
            .collect()
    }
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
    let count_rows = [
        (lang.pick("Materiaaleja", "Materials"), a.total),
        (lang.pick("Lukukelvottomia", "Unreadable"), a.errors()),
        (
            lang.pick("Tyhjiä (tarvitsevat OCR:n)", "Empty (need OCR)"),
            a.empty.len(),
        ),
        (lang.pick("Ilman teemaa", "No theme"), a.no_theme.len()),
        (lang.pick("Ilman kaupunkia", "No city"), a.no_city.len()),
        (
            lang.pick("Ilman työpakettia", "No work package"),
            a.no_tp.len(),
        ),
        (
            lang.pick("Kaksoiskappaleryhmiä", "Groups of identical copies"),
            a.duplicates.len(),
        ),
        (
            lang.pick("Versioituja materiaaleja", "Versioned materials"),
            a.versions.len(),
        ),
        (
            lang.pick("Käsin korjattuja", "Corrected by hand"),
            a.manual.len(),
        ),
    ];
    out.push_str(&format!(
        "| | {} |\n|---|---:|\n",
        lang.pick("määrä", "count")
    ));
    for (label, n) in count_rows {
        out.push_str(&format!("| {label} | {n} |\n"));
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
            "### {} ({}, `{}`)\n\n",
            lang.error_kind(*kind),
            files.len(),
            kind.as_str()
        ));
        files.each(|path, message| {
            out.push_str(&format!("- `{}`: {}\n", code(path), markdown(message)));
            Ok::<(), std::io::Error>(())
        })?;
        out.push('\n');
    }
    section(
        &mut out,
        lang,
        lang.pick(
            "Tyhjät tiedostot: todennäköisesti skannattuja, tarvitsevat tekstintunnistusta (OCR)",
            "Empty files: probably scanned, need text recognition (OCR)",
        ),
        &a.empty,
    )?;
    section(
        &mut out,
        lang,
        lang.pick("Materiaalit ilman teemaa", "Materials without a theme"),
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
        a.no_city.each(|p, cities| {
            match cities {
                "" => out.push_str(&format!("- `{}`\n", code(p))),
                cities => out.push_str(&format!(
                    "- `{}`: {}\n",
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
        &a.no_tp,
    )?;

    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick(
            "Sama sisältö eri nimillä",
            "Identical content under different names"
        ),
        a.duplicates.len()
    ));
    if a.duplicates.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
    } else {
        out.push_str(lang.pick(
            "Kooste listaa kustakin ryhmästä vain ensimmäisen.\n\n",
            "The summary lists only the first of each group.\n\n",
        ));
        for group in &a.duplicates {
            let names: Vec<String> = group.iter().map(|p| format!("`{}`", code(p))).collect();
            out.push_str(&format!("- {}\n", names.join(" = ")));
        }
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
            let names: Vec<String> = g.paths.iter().map(|p| format!("`{}`", code(p))).collect();
            out.push_str(&format!(
                "- {} → {} `{}`\n",
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
            out.push_str(&format!("- `{}`: {}\n", code(path), fields.join(", ")));
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
            let names: Vec<String> = a
                .annotation_sources
                .iter()
                .map(|s| format!("`{}`", code(s)))
                .collect();
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

fn section(out: &mut Spill<'_>, lang: Lang, title: &str, paths: &RowList) -> std::io::Result<()> {
    out.push_str(&format!("## {title} ({})\n\n", paths.len()));
    if paths.is_empty() {
        out.push_str(lang.pick("Ei yhtään.\n\n", "None.\n\n"));
        return Ok(());
    }
    paths.each(|p, _| {
        out.push_str(&format!("- `{}`\n", code(p)));
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
    fn content_keys_are_equal_exactly_when_the_hashes_are() {
        let h = |c: char| c.to_string().repeat(64);
        let a = "0123456789abcdef".repeat(4);
        assert_eq!(ContentKey::of(&a), ContentKey::of(&a.clone()));
        assert!(matches!(ContentKey::of(&a), ContentKey::Blake3(_)));
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

    #[test]
    fn a_name_the_quick_look_passes_over_has_no_version_mark() {
        // Names from an alphabet of separators, the marks' letters and digits, by a seeded
        // generator: wherever the quick look says no, the pattern finds nothing.
        let alphabet: Vec<char> = " _-.()vVerisonfalFLOPUNdDtTkaäö0123456789"
            .chars()
            .collect();
        let mut seed = 11u64;
        let mut passed_over = 0;
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 1 + (seed >> 60) as usize;
            let name: String = (0..len)
                .map(|i| {
                    let k = (seed >> (i * 4 % 56)) as usize + i;
                    alphabet[k % alphabet.len()]
                })
                .collect();
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
        ] {
            assert!(version_mark().is_match(name), "{name}");
        }
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
