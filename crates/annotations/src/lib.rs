//! The drive's annotations: what a person adds to the rules' result. Curated answers to the
//! example questions, examples pinned or excluded, and corrections of a material's themes,
//! city, work packages or title. Corrections win over the rules and are marked as manual.
//!
//! The annotations live at the drive's root, in `kooste.toml` or in a table
//! `kooste-annotations.xlsx` (also `.ods`, `.xls`, `.csv`) with a header row naming the
//! columns file, why, leadership, business (and optionally example, themes, city, tp, title).
//! Both may be present; a material annotated in both takes each field from the table.
//! `kooste.example.toml` beside this crate's sources documents every key.
//!
//! Everything here is pure: parsing takes text or table rows, applying takes the index.

mod apply;
mod parse;

pub use apply::{Curated, Curation, apply, apply_to};
pub use parse::{parse_rows, parse_rows_at, parse_toml};

use kooste_model::{City, WorkPackage};

/// The TOML annotations file, at the drive's root.
pub const TOML_FILE: &str = "kooste.toml";

/// The table form of the annotations, at the drive's root.
pub const TABLE_FILES: [&str; 4] = [
    "kooste-annotations.xlsx",
    "kooste-annotations.ods",
    "kooste-annotations.xls",
    "kooste-annotations.csv",
];

/// True for the name of an annotations file (compared without letter case). The walk leaves
/// such a file at the drive's root out of the materials.
pub fn is_annotations_file(name: &str) -> bool {
    let name = name.to_lowercase();
    name == TOML_FILE || TABLE_FILES.contains(&name.as_str())
}

/// Settings of the summary as a whole, from the `[summary]` table of `kooste.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummarySettings {
    /// The summary's title, e.g. "Kooste esimerkeistä 6Aika AOA yhteenvetoa varten".
    pub title: Option<String>,
    /// A line under the title: date, authors, organisation.
    pub subtitle: Option<String>,
    /// Bullet points of the introduction ("Alustus").
    pub intro: Option<Vec<String>>,
    /// Examples per theme.
    pub examples: Option<usize>,
    /// Lines of a closing "Lisätietoja" section: contact persons.
    pub contacts: Vec<String>,
}

/// Whether a material may be one of a theme's examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleChoice {
    /// Never an example.
    Exclude,
    /// Always an example of these themes (ids or titles as written; resolved when applied).
    /// Empty: of the material's strongest theme.
    Pin(Vec<String>),
}

/// One material's annotation. `None` leaves the rules' value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotation {
    /// The material as the person named it: a path relative to the drive, a file name, or
    /// the end of a path; the extension may be left out.
    pub file: String,
    /// Where it was written, for messages: "kooste.toml, [[material]] 3".
    pub origin: String,
    pub title: Option<String>,
    /// Theme ids or titles; replaces the rules' themes.
    pub themes: Option<Vec<String>>,
    /// `Some(None)`: a joint material of no single city.
    pub city: Option<Option<City>>,
    pub tp: Option<Vec<WorkPackage>>,
    pub example: Option<ExampleChoice>,
    /// "Miksi hyvä esimerkki": one bullet point per entry.
    pub why: Vec<String>,
    /// "Miten voitaisiin käyttää johtamisessa".
    pub leadership: Vec<String>,
    /// "Miksi yritykset voisivat hyötyä".
    pub business: Vec<String>,
}

impl Annotation {
    pub fn has_answers(&self) -> bool {
        !(self.why.is_empty() && self.leadership.is_empty() && self.business.is_empty())
    }
}

/// Everything read from a drive's annotations files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotations {
    /// The files read, by name.
    pub sources: Vec<String>,
    pub summary: SummarySettings,
    pub materials: Vec<Annotation>,
    /// Values that were not understood and so not applied; shown in the audit.
    pub warnings: Vec<String>,
}

impl Annotations {
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty() && self.materials.is_empty()
    }

    /// Adds another file's annotations; its summary settings fill only what is unset.
    pub fn merge(&mut self, other: Annotations) {
        self.sources.extend(other.sources);
        let s = &mut self.summary;
        let o = other.summary;
        s.title = s.title.take().or(o.title);
        s.subtitle = s.subtitle.take().or(o.subtitle);
        s.intro = s.intro.take().or(o.intro);
        s.examples = s.examples.or(o.examples);
        if s.contacts.is_empty() {
            s.contacts = o.contacts;
        }
        self.materials.extend(other.materials);
        self.warnings.extend(other.warnings);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnnotationsError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// One text or several, as a list of non-empty lines: a text with line breaks (a spreadsheet
/// cell, a TOML multi-line string) gives one bullet per line, leading bullet marks removed.
pub(crate) fn lines(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.lines())
        .map(|l| {
            let l = l.trim();
            // A bullet mark, not a minus sign: the mark is followed by a space.
            ["- ", "• ", "* ", "– "]
                .iter()
                .find_map(|mark| l.strip_prefix(mark))
                .unwrap_or(l)
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_files_are_recognised_in_any_case() {
        assert!(is_annotations_file("kooste.toml"));
        assert!(is_annotations_file("Kooste-Annotations.XLSX"));
        assert!(is_annotations_file("kooste-annotations.csv"));
        assert!(!is_annotations_file("kooste.xlsx"));
        assert!(!is_annotations_file("rules.toml"));
    }

    #[test]
    fn lines_split_cells_and_drop_bullet_marks() {
        let v = vec![
            "- Kaupungin roolin miettiminen\n• Tarvearvioinnin tukena\n\n".to_string(),
            "  ".to_string(),
            "Yksi".to_string(),
            "-20 % kuluista".to_string(),
        ];
        assert_eq!(
            lines(&v),
            [
                "Kaupungin roolin miettiminen",
                "Tarvearvioinnin tukena",
                "Yksi",
                "-20 % kuluista"
            ]
        );
    }
}
