//! The audit: what a project office must look at by hand. Unreadable files by error kind,
//! empty ones (probably scanned), materials without theme, city or work package, copies
//! under other names, and several versions of one material.

use crate::summary::escape_inline;
use kooste_model::{ErrorKind, Index, Material, Status};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audit {
    pub total: usize,
    /// (path, message) by error kind.
    pub unreadable: BTreeMap<ErrorKind, Vec<(String, String)>>,
    /// Read, but no text: scanned pages that need OCR, or empty files.
    pub empty: Vec<String>,
    pub no_theme: Vec<String>,
    pub no_city: Vec<String>,
    pub no_tp: Vec<String>,
    /// Groups of paths with identical content.
    pub duplicates: Vec<Vec<String>>,
    pub versions: Vec<VersionGroup>,
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
    /// Readable materials that got no theme.
    pub fn untagged(&self) -> usize {
        self.no_theme.len()
    }

    pub fn errors(&self) -> usize {
        self.unreadable.values().map(Vec::len).sum()
    }
}

pub fn audit(index: &Index) -> Audit {
    let mut a = Audit {
        total: index.documents.len(),
        ..Audit::default()
    };
    for m in &index.documents {
        match m.status {
            Status::Error => {
                let (kind, message) = m
                    .error
                    .as_ref()
                    .map(|e| (e.kind, e.message.clone()))
                    .unwrap_or((ErrorKind::Corrupt, String::new()));
                a.unreadable
                    .entry(kind)
                    .or_default()
                    .push((m.path.clone(), message));
            }
            Status::Empty => a.empty.push(m.path.clone()),
            Status::Ok => {
                if m.themes.is_empty() {
                    a.no_theme.push(m.path.clone());
                }
                if m.city.is_none() {
                    a.no_city.push(m.path.clone());
                }
                if m.tp.is_empty() {
                    a.no_tp.push(m.path.clone());
                }
            }
        }
    }
    let mut by_hash: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for m in index.documents.iter().filter(|m| !m.hash.is_empty()) {
        by_hash.entry(&m.hash).or_default().push(m.path.clone());
    }
    a.duplicates = by_hash.into_values().filter(|g| g.len() > 1).collect();
    a.versions = version_groups(&index.documents);
    a
}

fn version_mark() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?i)(?:[\s_\-.]*(?:",
            r"v(?:er(?:sio|sion)?)?[\s_.]*\d+(?:[._]\d+)*",
            r"|\d{1,2}[._]\d{1,2}[._](?:\d{4}|\d{2})",
            r"|\d{4}-\d{2}-\d{2}",
            r"|\d{8}",
            r"|final|lopullinen|luonnos|draft\d*",
            r"))+$"
        ))
        .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
    })
}

/// Orders versions: explicit version numbers, then dates in the name, then the document's
/// modified date. Returns a sortable key.
fn version_key(m: &Material) -> (Vec<u32>, String) {
    let stem = stem(m.file_name());
    let numbers = version_mark()
        .find(stem)
        .map(|mark| {
            mark.as_str()
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|d| d.parse::<u32>().ok())
                .collect::<Vec<u32>>()
        })
        .unwrap_or_default();
    (numbers, m.modified.clone().unwrap_or_default())
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

fn version_groups(documents: &[Material]) -> Vec<VersionGroup> {
    let mut groups: BTreeMap<(String, String), Vec<&Material>> = BTreeMap::new();
    for m in documents {
        let file_stem = stem(m.file_name());
        let Some(mark) = version_mark().find(file_stem) else {
            continue;
        };
        let base = file_stem[..mark.start()].trim().to_lowercase();
        if base.is_empty() {
            continue;
        }
        let folder = m.path.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        groups.entry((folder, base)).or_default().push(m);
    }
    // Unmarked files with the same base name belong to the group too (the first draft).
    for m in documents {
        let folder = m.path.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        let key = (folder, stem(m.file_name()).trim().to_lowercase());
        if let Some(g) = groups.get_mut(&key) {
            if !g.iter().any(|x| x.path == m.path) {
                g.push(m);
            }
        }
    }
    groups
        .into_iter()
        .filter(|(_, g)| g.len() > 1)
        .map(|((_, base), mut g)| {
            g.sort_by(|a, b| {
                version_key(a)
                    .cmp(&version_key(b))
                    .then_with(|| a.path.cmp(&b.path))
            });
            let newest = g.last().map(|m| m.path.clone()).unwrap_or_default();
            VersionGroup {
                name: base,
                paths: g.iter().map(|m| m.path.clone()).collect(),
                newest,
            }
        })
        .collect()
}

/// `audit.md`.
pub fn audit_markdown(a: &Audit) -> String {
    let mut out = String::from("# Auditointi\n\n");
    out.push_str(&format!(
        "Materiaaleja {}: lukukelvottomia {}, tyhjiä {}, ilman teemaa {}, ilman kaupunkia {}, ilman työpakettia {}.\n\n",
        a.total,
        a.errors(),
        a.empty.len(),
        a.no_theme.len(),
        a.no_city.len(),
        a.no_tp.len()
    ));
    out.push_str("## Lukukelvottomat tiedostot\n\n");
    if a.unreadable.is_empty() {
        out.push_str("Ei lukukelvottomia tiedostoja.\n\n");
    }
    for (kind, files) in &a.unreadable {
        out.push_str(&format!(
            "### {} ({} {})\n\n",
            kind_title(*kind),
            files.len(),
            kind.as_str()
        ));
        for (path, message) in files {
            out.push_str(&format!("- `{}`: {}\n", code(path), escape_inline(message)));
        }
        out.push('\n');
    }
    section(
        &mut out,
        "Tyhjät tiedostot (todennäköisesti skannattuja: tarvitsevat tekstintunnistusta)",
        &a.empty,
    );
    section(&mut out, "Materiaalit ilman teemaa", &a.no_theme);
    section(&mut out, "Materiaalit ilman kaupunkia", &a.no_city);
    section(&mut out, "Materiaalit ilman työpakettia", &a.no_tp);
    out.push_str("## Sama sisältö eri nimillä\n\n");
    if a.duplicates.is_empty() {
        out.push_str("Ei kaksoiskappaleita.\n\n");
    }
    for group in &a.duplicates {
        let names: Vec<String> = group.iter().map(|p| format!("`{}`", code(p))).collect();
        out.push_str(&format!("- {}\n", names.join(" = ")));
    }
    if !a.duplicates.is_empty() {
        out.push('\n');
    }
    out.push_str("## Saman materiaalin useat versiot\n\n");
    if a.versions.is_empty() {
        out.push_str("Ei versioituja materiaaleja.\n\n");
    }
    for g in &a.versions {
        let names: Vec<String> = g.paths.iter().map(|p| format!("`{}`", code(p))).collect();
        out.push_str(&format!(
            "- {}: uusin `{}`\n",
            names.join(", "),
            code(&g.newest)
        ));
    }
    if !a.versions.is_empty() {
        out.push('\n');
    }
    out
}

fn section(out: &mut String, title: &str, paths: &[String]) {
    out.push_str(&format!("## {title} ({})\n\n", paths.len()));
    if paths.is_empty() {
        out.push_str("Ei yhtään.\n\n");
        return;
    }
    for p in paths {
        out.push_str(&format!("- `{}`\n", code(p)));
    }
    out.push('\n');
}

/// Paths go into code spans; a backtick inside would end the span early.
fn code(path: &str) -> String {
    path.replace('`', "'").replace(['\n', '\r'], " ")
}

fn kind_title(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Encrypted => "Salatut",
        ErrorKind::Corrupt => "Vioittuneet",
        ErrorKind::Unsupported => "Tukemattomat muodot",
        ErrorKind::TooLarge => "Liian suuret",
        ErrorKind::Timeout => "Aikaraja ylittyi",
        ErrorKind::Io => "Lukuvirheet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
