//! From one file's bytes to its extracted documents (archives expand into several) and from
//! a document to the material record the outputs show.

use crate::walk::DriveEntry;
use kooste_classify::{Classifier, MaterialText};
use kooste_extract::{Error, Limits};
use kooste_model::{Document, ErrorKind, ExtractError, Format, Material, Status};
use std::collections::BTreeMap;

/// One extracted file: a file of the drive or a member of an archive on it.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub path: String,
    pub format: Format,
    pub bytes: u64,
    pub hash: String,
    pub result: Result<Document, ExtractError>,
}

pub(crate) fn analyse_entry(
    entry: &DriveEntry,
    classifier: &Classifier,
    limits: &Limits,
) -> Vec<Material> {
    read_and_analyse(entry, limits)
        .iter()
        .map(|a| material_from(a, classifier))
        .collect()
}

/// Reads a drive entry and extracts it, turning every failure into an error record.
pub(crate) fn read_and_analyse(entry: &DriveEntry, limits: &Limits) -> Vec<Analysed> {
    let failed = |kind: ErrorKind, message: String| {
        vec![Analysed {
            path: entry.rel_path.clone(),
            format: kooste_extract::sniff(&entry.rel_path, &[]),
            bytes: 0,
            hash: String::new(),
            result: Err(ExtractError::new(kind, message)),
        }]
    };
    if let Some(message) = &entry.walk_error {
        return failed(ErrorKind::Io, message.clone());
    }
    match std::fs::metadata(&entry.abs_path) {
        Ok(m) if m.len() > limits.max_file_bytes => {
            let mut out = failed(
                ErrorKind::TooLarge,
                format!(
                    "file of {} bytes is over the limit of {} bytes",
                    m.len(),
                    limits.max_file_bytes
                ),
            );
            out[0].bytes = m.len();
            return out;
        }
        Ok(_) => {}
        Err(e) => return failed(ErrorKind::Io, e.to_string()),
    }
    match std::fs::read(&entry.abs_path) {
        Ok(bytes) => analyse_bytes(&entry.rel_path, &bytes, limits),
        Err(e) => failed(ErrorKind::Io, e.to_string()),
    }
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
            Ok(members) if !members.is_empty() => {
                for m in members {
                    analyse_into(
                        &format!("{path}/{}", m.name),
                        &m.bytes,
                        limits,
                        depth + 1,
                        out,
                    );
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
    let result = kooste_extract::extract(path, bytes, &limits.start())
        .map_err(|e: Error| ExtractError::from(e));
    out.push(record(format, result));
}

/// Titles that tools write by default say nothing about the material.
fn is_placeholder_title(title: &str) -> bool {
    let t = title.trim().to_lowercase();
    const PLACEHOLDERS: [&str; 14] = [
        "powerpoint presentation",
        "powerpoint-esitys",
        "powerpoint-esitys",
        "esitys1",
        "presentation1",
        "untitled",
        "nimetön",
        "document1",
        "asiakirja1",
        "slide 1",
        "dia 1",
        "title",
        "otsikko",
        "microsoft word",
    ];
    t.is_empty() || PLACEHOLDERS.contains(&t.as_str()) || t.chars().count() < 3
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

/// The index record of an extracted file, classified.
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
        scores: BTreeMap::new(),
        status: Status::Error,
        error: None,
        pages: 0,
        chars: 0,
        manual: Vec::new(),
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
    m.status = if doc.is_empty() {
        Status::Empty
    } else {
        Status::Ok
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
    m.tp = c.tp.clone();
    m.scores = c
        .themes
        .iter()
        .map(|t| (t.id.clone(), (t.score * 1000.0).round() / 1000.0))
        .collect();
    m.themes = c.assigned();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
