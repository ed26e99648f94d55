use crate::{City, CitySource, ErrorKind, ExtractError, Format, Scores, WorkPackage};
use serde::{Deserialize, Serialize};

/// Version of the `index.json` layout. Bump only for changes that break readers.
pub const INDEX_SCHEMA: u32 = 1;

/// The index of a whole drive: every material with its status and classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub schema: u32,
    /// When the run finished, RFC 3339 UTC.
    pub generated: String,
    pub drive: String,
    pub rules: RulesInfo,
    /// The theme catalogue of the rules in force, in their order, so that readers of the index
    /// can title themes without the rules file.
    #[serde(default)]
    pub themes: Vec<ThemeInfo>,
    /// Sorted by path.
    pub documents: Vec<Material>,
    /// What differs from the previous index in the same output folder, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInfo {
    /// The rules file's path, or "default" for the embedded rules.
    pub source: String,
    /// Content hash of the rules, so that a change of rules shows in the index.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeInfo {
    pub id: String,
    pub title_fi: String,
    pub title_en: String,
}

impl ThemeInfo {
    /// The theme a person names: by its id or its title in either language, in any letter
    /// case, or by the start of its title ("Monitoimijuus" for "Monitoimijuus ja uudet
    /// palvelumarkkinat") when only one fits. Annotations and labels are read this way.
    pub fn named<'a>(themes: &'a [ThemeInfo], name: &str) -> Option<&'a ThemeInfo> {
        match ThemeInfo::fitting(themes, name).as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The themes a name may mean, as [`ThemeInfo::named`] reads it: the one it names
    /// exactly, else every theme whose title it begins (of five characters or more). More
    /// than one is a name to write out further, and a message can say which themes it fits.
    pub fn fitting<'a>(themes: &'a [ThemeInfo], name: &str) -> Vec<&'a ThemeInfo> {
        let n = name.trim().to_lowercase();
        if n.is_empty() {
            return Vec::new();
        }
        let exact = themes.iter().find(|t| {
            t.id.to_lowercase() == n
                || t.title_fi.to_lowercase() == n
                || t.title_en.to_lowercase() == n
        });
        if let Some(exact) = exact {
            return vec![exact];
        }
        if n.chars().count() < 5 {
            return Vec::new();
        }
        themes
            .iter()
            .filter(|t| {
                t.title_fi.to_lowercase().starts_with(&n)
                    || t.title_en.to_lowercase().starts_with(&n)
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Text was read.
    Ok,
    /// The file was read but holds no text (scanned pages, an empty sheet).
    Empty,
    /// The file could not be read; `error` says why.
    Error,
}

/// One file of the drive (or one member of an archive on it), as the outputs show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Relative to the drive, `/`-separated; members of an archive as `archive.zip/inner/x.pdf`.
    pub path: String,
    pub format: Format,
    pub bytes: u64,
    /// BLAKE3 of the content, hex.
    pub hash: String,
    /// The document's own title, or the file name without extension when it has none.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    pub city: Option<City>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city_source: Option<CitySource>,
    /// When no city won: the cities the text names about equally often, as a joint
    /// material does. A person should decide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub city_contenders: Vec<City>,
    pub tp: Vec<WorkPackage>,
    /// Assigned themes, strongest first.
    pub themes: Vec<ThemeScore>,
    /// Every theme's score, assigned or not, for audit and tuning.
    #[serde(default)]
    pub scores: Scores,
    pub status: Status,
    pub error: Option<ExtractError>,
    /// The file is damaged and was read in part: what was wrong and what was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damaged: Option<String>,
    /// Set when the file is a scan whose text was read by optical character recognition
    /// (what read it), or whose recognition failed (why), so that a person knows the text may
    /// hold misread words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<String>,
    /// Of a material with text, the pages (slides) with no words of their own that show a
    /// picture, where OCR did not run: a scanned page or a screenshot, whose writing a run
    /// with `--ocr` may read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub picture_pages: Vec<u32>,
    pub pages: u32,
    pub chars: u64,
    /// Fields a person set in the drive's annotations file, overriding the rules: any of
    /// `title`, `city`, `tp`, `themes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manual: Vec<String>,
    /// Sentences of the text that could answer an example's questions when no person has.
    #[serde(default, skip_serializing_if = "AnswerHints::is_empty")]
    pub answer_hints: AnswerHints,
}

/// Sentences of a material that speak of management and of companies, strongest first: the
/// stand-in answers to "how could leadership use it" and "why could companies benefit".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerHints {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leadership: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub business: Vec<String>,
}

impl AnswerHints {
    pub fn is_empty(&self) -> bool {
        self.leadership.is_empty() && self.business.is_empty()
    }
}

impl Material {
    pub fn error_kind(&self) -> Option<ErrorKind> {
        self.error.as_ref().map(|e| e.kind)
    }

    pub fn has_theme(&self, id: &str) -> bool {
        self.themes.iter().any(|t| t.id == id)
    }

    /// The file name part of the path (after the last `/`).
    pub fn file_name(&self) -> &str {
        file_name(&self.path)
    }
}

/// The file name part of a material's path (after the last `/`).
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// One assigned theme of a material, with the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeScore {
    pub id: String,
    pub score: f64,
    /// Matched rule terms, most frequent first.
    pub terms: Vec<TermCount>,
    /// The sentences that carry the most weight.
    pub snippets: Vec<String>,
    /// Set by a person in the annotations file rather than by the rules.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCount {
    pub term: String,
    pub count: u32,
    /// Pages (or slides, sheets) where the term was found; 0 stands for title and file name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<u32>,
}

/// The difference between two runs over the same drive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// `generated` of the index compared against.
    pub since: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Same path, different content.
    pub modified: Vec<String>,
    /// Assignments that differ, for materials present in both runs (a moved material under
    /// its new path).
    pub reassigned: Vec<ThemeChange>,
    /// Materials whose content is the same under another path: moved or renamed, not
    /// removed and added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<Moved>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeChange {
    pub path: String,
    /// `themes`, `city` or `tp`.
    pub field: String,
    pub before: String,
    pub after: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_names_resolve_by_id_title_or_unique_start() {
        let theme = |id: &str, fi: &str, en: &str| ThemeInfo {
            id: id.into(),
            title_fi: fi.into(),
            title_en: en.into(),
        };
        let ts = [
            theme(
                "monitoimijuus",
                "Monitoimijuus ja uudet palvelumarkkinat",
                "Multi-actor provision and new service markets",
            ),
            theme(
                "osallisuus",
                "Osallisuus ja yhteiskehittäminen",
                "Participation and co-development",
            ),
            theme(
                "digitaalisuus",
                "Digitaalisuus, teknologia, rajapinnat",
                "Digitality, technology, interfaces",
            ),
            theme("muut", "Monitoimialaiset muut", "Other"),
        ];
        let id = |name: &str| ThemeInfo::named(&ts, name).map(|t| t.id.as_str());
        assert_eq!(id("OSALLISUUS"), Some("osallisuus"));
        assert_eq!(id(" Participation and co-development "), Some("osallisuus"));
        assert_eq!(
            id("Digitaalisuus, teknologia, rajapinnat"),
            Some("digitaalisuus")
        );
        assert_eq!(id("Monitoimijuus ja"), Some("monitoimijuus"));
        // Too short, or the start of two titles.
        assert_eq!(id("Mon"), None);
        assert_eq!(id("Monitoimi"), None);
        assert_eq!(id("kestävyys"), None);
        assert_eq!(id(""), None);
        let fits = |name: &str| -> Vec<&str> {
            ThemeInfo::fitting(&ts, name)
                .iter()
                .map(|t| t.id.as_str())
                .collect()
        };
        assert_eq!(fits("Monitoimi"), ["monitoimijuus", "muut"]);
        assert_eq!(fits("muut"), ["muut"]);
        assert!(fits("kestävyys").is_empty());
    }

    #[test]
    fn file_name_is_the_last_segment() {
        let m = Material {
            path: "Helsinki/TP2/malli.pptx".into(),
            format: Format::Pptx,
            bytes: 1,
            hash: String::new(),
            title: "malli".into(),
            author: None,
            created: None,
            modified: None,
            city: Some(City::Helsinki),
            city_source: Some(CitySource::Folder),
            tp: vec![],
            themes: vec![],
            scores: Scores::new(),
            status: Status::Ok,
            error: None,
            damaged: None,
            ocr: None,
            picture_pages: Vec::new(),
            pages: 1,
            chars: 1,
            manual: vec![],
            answer_hints: Default::default(),
            city_contenders: Vec::new(),
        };
        assert_eq!(m.file_name(), "malli.pptx");
        let json = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(json["city"], "Helsinki");
        assert_eq!(json["status"], "ok");
        assert_eq!(json["error"], serde_json::Value::Null);
        assert_eq!(json["city_source"], "folder");
        assert!(json.get("manual").is_none(), "no manual field unless set");
    }
}
