//! The rules: themes with their vocabulary, weights and work-package priors, read from TOML
//! or from a table (a spreadsheet or CSV with columns theme, term, weight).

use crate::morph::Morphology;
use kooste_model::{ThemeInfo, WorkPackage};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The embedded default: the six themes of the 6Aika summary.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The TOML parser's message, which names the line and column.
    #[error("rules file is not valid TOML: {0}")]
    Toml(String),
    #[error("{at}: {message}")]
    Invalid { at: String, message: String },
}

fn invalid(at: impl Into<String>, message: impl Into<String>) -> RulesError {
    RulesError::Invalid {
        at: at.into(),
        message: message.into(),
    }
}

/// Tunable numbers of the scoring; defaults suit the six 6Aika themes.
///
/// A theme's score adds, for each of its terms found, the term's weight times
/// `title_weight` if the term is in the title or file name, plus the term's weight times a
/// saturating count of its occurrences: `c (k + 1) / (c + k (1 - b + b L / P))`, where `c`
/// counts body occurrences once and heading occurrences `heading_weight` times, `k` is
/// `saturation`, `b` is `length_norm`, `L` the document's words and `P` `length_pivot`.
/// Repeats add less and less, and a long document needs more occurrences than a short one
/// for the same score (the BM25 weighting of information retrieval).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// A theme is assigned at or above this score.
    pub threshold: f64,
    /// ...and only when its score is at least this share of the document's strongest
    /// theme: set above 0 for a summary of what each material is mainly about. Off by
    /// default: the 2018 summary lists a broad material under every theme it touches (its
    /// TP5 model document under all six), and 0.33 would drop such themes; on the two
    /// development sets 0.33 removed 7 assignments, 6 of them wrong by our labels.
    pub share_of_top: f64,
    /// How many times a term's weight counts when the term is in the title or file name.
    pub title_weight: f64,
    /// How many body occurrences one occurrence in a heading is worth.
    pub heading_weight: f64,
    /// How fast repeats of a term saturate (BM25 `k1`): small values saturate early.
    pub saturation: f64,
    /// How much document length dampens counts (BM25 `b`): 0 not at all, 1 fully.
    pub length_norm: f64,
    /// Document length, in words, at which counts are taken at face value.
    pub length_pivot: f64,
    /// A second way to a theme, for texts whose subject it is: the theme's weighted
    /// occurrences per 1,000 words (a heading occurrence counting `heading_weight` times)
    /// reach this, and its score reaches `density_share` of `threshold`. Saturation caps
    /// what one term adds to the score, so a short text that keeps to one subject (a
    /// press release on service vouchers saying "palveluseteli" sixteen times) scores
    /// below texts that touch many terms in passing. 0 turns this way off.
    pub density: f64,
    /// The share of `threshold` that a theme's score must reach through `density`.
    pub density_share: f64,
    /// ...and the share of the document's strongest theme that it must reach too. A short
    /// text on participation names decision-making often enough to look dense in
    /// management as well; a theme far weaker than the text's main one is a side thread.
    /// Over the 1,229 labelled texts of the development sets, 0.25 drops 9 false
    /// assignments and no right one; 0.3 begins to drop right ones.
    pub density_share_of_top: f64,
    /// Texts shorter than this many words have their density taken over this many, so that
    /// a few words of a form or a title page do not look dense.
    pub density_min_words: f64,
    /// Documents of at least this many words get a theme only where one stretch of them, of
    /// `section_span` words, holds `section_weight` of the theme's term weight (each
    /// occurrence counting its term's weight once), unless the title, file name or work
    /// package speaks for the theme. A report or programme of thousands of words touches
    /// every theme in passing, and its scattered mentions add up past `threshold`; the
    /// labellers give such a document a theme when a section of it is on that theme.
    pub long_document: f64,
    /// The stretch, in words, that must carry the theme in a long document.
    pub section_span: f64,
    /// The weight that stretch must hold (0 turns the rule off).
    pub section_weight: f64,
    /// Evidence sentences kept per assigned theme.
    pub snippets: usize,
    /// How much Finnish morphology matching applies: exact, snowball, stems, gradation or
    /// full (the default: inflection, gradation and compound parts).
    pub morphology: Morphology,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            threshold: 16.0,
            share_of_top: 0.0,
            title_weight: 3.0,
            heading_weight: 2.0,
            saturation: 1.2,
            length_norm: 0.75,
            length_pivot: 1000.0,
            density: 50.0,
            density_share: 0.4,
            density_share_of_top: 0.25,
            density_min_words: 300.0,
            long_document: 1500.0,
            section_span: 300.0,
            section_weight: 20.0,
            snippets: 3,
            morphology: Morphology::Full,
        }
    }
}

/// One keyword or phrase of a theme, in base form.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub text: String,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThemeRules {
    pub id: String,
    pub title_fi: String,
    pub title_en: String,
    pub terms: Vec<Term>,
    /// Terms whose presence argues against the theme (negative weights).
    pub negative: Vec<Term>,
    /// Words that never count for the theme, though a term would match them (`alustava`,
    /// preliminary, is not `alusta`, a platform). A trailing `*` makes a prefix.
    pub exclude: Vec<String>,
    /// Weight added when the material is tagged with the work package.
    pub tp: BTreeMap<WorkPackage, f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub settings: Settings,
    pub themes: Vec<ThemeRules>,
    /// Words that never count for any theme.
    pub exclude: Vec<String>,
    hash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(rename = "theme")]
    themes: Vec<RawTheme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    /// Spans (here and below) let errors found after parsing name their line.
    id: Spanned<String>,
    title_fi: String,
    #[serde(default)]
    title_en: Option<String>,
    #[serde(default)]
    terms: Vec<Spanned<RawTerm>>,
    #[serde(default)]
    negative: Vec<Spanned<RawTerm>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    tp: BTreeMap<String, f64>,
    /// Terms sharing one weight: `[[theme.group]]` with `weight` and `terms`.
    #[serde(default, rename = "group")]
    groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    weight: f64,
    terms: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawTerm {
    Plain(String),
    Weighted { term: String, weight: f64 },
}

impl Rules {
    pub fn default_rules() -> Rules {
        // The embedded file is tested to parse; fall back to no themes rather than panic.
        Rules::from_toml(DEFAULT_RULES).unwrap_or_else(|_| Rules {
            settings: Settings::default(),
            themes: Vec::new(),
            exclude: Vec::new(),
            hash: String::new(),
        })
    }

    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| RulesError::Toml(e.to_string()))?;
        // Where each line starts, found once: every term's line is then a binary search.
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line = |span: std::ops::Range<usize>| {
            format!("line {}", line_starts.partition_point(|&s| s <= span.start))
        };
        let mut themes = Vec::with_capacity(raw.themes.len());
        let mut places = Vec::with_capacity(raw.themes.len());
        for (i, t) in raw.themes.into_iter().enumerate() {
            let id_line = line(t.id.span());
            let id = t.id.into_inner();
            let at = format!("{id_line}, theme #{} ({id})", i + 1);
            let mut tp = BTreeMap::new();
            for (name, weight) in t.tp {
                let wp = name
                    .parse::<WorkPackage>()
                    .map_err(|e| invalid(&at, e.to_string()))?;
                tp.insert(wp, weight);
            }
            let at_term = |span| format!("{}, theme {id:?}", line(span));
            let convert =
                |raw: Vec<Spanned<RawTerm>>, negative: bool| -> Result<Vec<Term>, RulesError> {
                    raw.into_iter()
                        .map(|r| {
                            let at = at_term(r.span());
                            let (text, weight) = match r.into_inner() {
                                RawTerm::Plain(s) => (s, 1.0),
                                RawTerm::Weighted { term, weight } => (term, weight),
                            };
                            term(&at, &text, if negative { -weight.abs() } else { weight })
                        })
                        .collect()
                };
            let mut terms = convert(t.terms, false)?;
            let mut negative = convert(t.negative, true)?;
            for group in t.groups {
                for text in group.terms {
                    let t = term(&at_term(text.span()), text.get_ref(), group.weight)?;
                    if group.weight < 0.0 {
                        negative.push(t);
                    } else {
                        terms.push(t);
                    }
                }
            }
            let exclude = words(t.exclude, at_term)?;
            themes.push(ThemeRules {
                title_en: t.title_en.unwrap_or_else(|| t.title_fi.clone()),
                id,
                title_fi: t.title_fi,
                terms,
                negative,
                exclude,
                tp,
            });
            places.push(id_line);
        }
        let exclude = words(raw.exclude, |span| format!("{}, exclude", line(span)))?;
        Rules::checked(raw.settings, themes, &places, exclude, text)
    }

    /// Rules from a table with a header row naming at least `theme` and `term` (and
    /// optionally `weight`, `title_fi`, `title_en`): the shape project offices keep keyword
    /// lists in. Themes with the ids of the default rules keep their titles and
    /// work-package priors; settings are the defaults. A negative weight makes a dampening term; the weight `exclude` makes a word
    /// that never counts for the theme. Row numbers in errors are 1-based as a spreadsheet
    /// shows them.
    pub fn from_rows(rows: &[Vec<String>]) -> Result<Rules, RulesError> {
        Rules::from_rows_at(rows, (0, 0))
    }

    /// [`Rules::from_rows`] for a table whose top-left cell stands at `origin` (row, column,
    /// 0-based) of its sheet, so that errors name the cells as the sheet shows them.
    pub fn from_rows_at(rows: &[Vec<String>], origin: (u32, u32)) -> Result<Rules, RulesError> {
        let (top, left) = (origin.0 as usize, origin.1 as usize);
        let header_row = format!("row {}", top + 1);
        let header = rows
            .first()
            .ok_or_else(|| invalid(&header_row, "the table is empty; expected a header row"))?;
        // A heading in English or Finnish, in any case, with a trailing colon.
        let col = |names: &[&str]| {
            header.iter().position(|h| {
                let h = kooste_model::heading_key(h);
                names.iter().any(|n| h == *n)
            })
        };
        let theme_col = col(&["theme", "teema"])
            .ok_or_else(|| invalid(&header_row, "no column named theme (teema)"))?;
        let term_col = col(&["term", "termi", "sana", "avainsana", "keyword"])
            .ok_or_else(|| invalid(&header_row, "no column named term (termi)"))?;
        let weight_col = col(&["weight", "paino"]);
        let title_fi_col = col(&["title_fi"]);
        let title_en_col = col(&["title_en"]);
        let cell = |row: &Vec<String>, c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let defaults = Rules::default_rules();
        let mut themes: Vec<ThemeRules> = Vec::new();
        // The row each theme first stands on.
        let mut places: Vec<String> = Vec::new();
        for (i, row) in rows.iter().enumerate().skip(1) {
            let at = format!("row {}", top + i + 1);
            // Ids are lower case; a sheet may well write the theme as a name (Osallisuus).
            let id = cell(row, Some(theme_col)).to_lowercase();
            let text = cell(row, Some(term_col));
            if id.is_empty() && text.is_empty() {
                continue;
            }
            if id.is_empty() {
                return Err(invalid(&at, "term without a theme"));
            }
            let weight_text = cell(row, weight_col);
            let is_exclude = weight_text.eq_ignore_ascii_case("exclude");
            let weight = match weight_text {
                _ if is_exclude => 0.0,
                w if w.is_empty() => 1.0,
                w => w.replace(',', ".").parse::<f64>().map_err(|_| {
                    let cell = weight_col
                        .map(|c| format!(", cell {}{}", column_name(left + c), top + i + 1));
                    invalid(
                        format!("{at}{}", cell.unwrap_or_default()),
                        format!("weight {w:?} is not a number"),
                    )
                })?,
            };
            let index = match themes.iter().position(|t| t.id == id) {
                Some(index) => index,
                None => {
                    let known = defaults.themes.iter().find(|t| t.id == id);
                    let title_fi = Some(cell(row, title_fi_col))
                        .filter(|s| !s.is_empty())
                        .or_else(|| known.map(|k| k.title_fi.clone()))
                        .unwrap_or_else(|| id.clone());
                    let title_en = Some(cell(row, title_en_col))
                        .filter(|s| !s.is_empty())
                        .or_else(|| known.map(|k| k.title_en.clone()))
                        .unwrap_or_else(|| title_fi.clone());
                    themes.push(ThemeRules {
                        id: id.clone(),
                        title_fi,
                        title_en,
                        terms: Vec::new(),
                        negative: Vec::new(),
                        exclude: Vec::new(),
                        // A theme of the default rules keeps its work-package priors: they
                        // describe the project, not the vocabulary.
                        tp: known.map(|k| k.tp.clone()).unwrap_or_default(),
                    });
                    places.push(at.clone());
                    themes.len() - 1
                }
            };
            // Synonyms on lines of one cell are terms of their own, not one phrase.
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let t = term(&at, line, weight)?;
                if let Some(theme) = themes.get_mut(index) {
                    if is_exclude {
                        theme.exclude.push(t.text);
                    } else if weight < 0.0 {
                        theme.negative.push(t);
                    } else {
                        theme.terms.push(t);
                    }
                }
            }
        }
        let canonical: String = rows
            .iter()
            .map(|r| r.join("\t"))
            .collect::<Vec<_>>()
            .join("\n");
        Rules::checked(Settings::default(), themes, &places, Vec::new(), &canonical)
    }

    /// Checks what no single term shows. `places` says where each theme stands in its
    /// source (`line 12`, `row 3`), for the messages.
    fn checked(
        settings: Settings,
        themes: Vec<ThemeRules>,
        places: &[String],
        exclude: Vec<String>,
        source: &str,
    ) -> Result<Rules, RulesError> {
        if themes.is_empty() {
            return Err(invalid("rules", "no themes defined"));
        }
        for (i, t) in themes.iter().enumerate() {
            let place = places.get(i).map_or(String::new(), |p| format!("{p}, "));
            if !valid_id(&t.id) {
                return Err(invalid(
                    format!("{place}theme #{}", i + 1),
                    format!("id {:?} must be lower-case letters, digits, - or _", t.id),
                ));
            }
            if let Some(first) = themes[..i].iter().position(|o| o.id == t.id) {
                let also = places
                    .get(first)
                    .map_or(String::new(), |p| format!(" (first on {p})"));
                return Err(invalid(
                    format!("{place}theme #{}", i + 1),
                    format!("id {:?} is defined twice{also}", t.id),
                ));
            }
            if let Some((wp, w)) = t.tp.iter().find(|(_, w)| !within_weight_range(**w)) {
                return Err(invalid(
                    format!("{place}theme {:?}", t.id),
                    format!(
                        "tp weight {w} of {wp:?} must be a number between -{MAX_WEIGHT} and \
                         {MAX_WEIGHT}"
                    ),
                ));
            }
            if t.terms.is_empty() {
                return Err(invalid(
                    format!("{place}theme {:?}", t.id),
                    "has no terms of positive weight, so it could never be assigned",
                ));
            }
        }
        if !(settings.threshold.is_finite() && settings.threshold > 0.0) {
            return Err(invalid("settings", "threshold must be a positive number"));
        }
        let non_negative = |x: f64| x.is_finite() && x >= 0.0;
        if !(non_negative(settings.title_weight)
            && non_negative(settings.heading_weight)
            && non_negative(settings.saturation)
            && (0.0..=1.0).contains(&settings.length_norm)
            && (0.0..=1.0).contains(&settings.share_of_top)
            && (0.0..=1.0).contains(&settings.density_share)
            && (0.0..=1.0).contains(&settings.density_share_of_top)
            && non_negative(settings.density)
            && non_negative(settings.long_document)
            && non_negative(settings.section_weight)
            && settings.section_span.is_finite()
            && settings.section_span > 0.0
            && settings.length_pivot.is_finite()
            && settings.length_pivot > 0.0
            && settings.density_min_words.is_finite()
            && settings.density_min_words > 0.0)
        {
            return Err(invalid(
                "settings",
                "title_weight, heading_weight, saturation, density, long_document and \
                 section_weight must be numbers of at least 0, length_norm, share_of_top, \
                 density_share and density_share_of_top between 0 and 1, and length_pivot, \
                 density_min_words and section_span above 0",
            ));
        }
        Ok(Rules {
            settings,
            themes,
            exclude,
            hash: blake3::hash(source.as_bytes()).to_hex()[..16].to_string(),
        })
    }

    /// A short content hash: two rules sets with the same hash classify alike.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn theme_infos(&self) -> Vec<ThemeInfo> {
        self.themes
            .iter()
            .map(|t| ThemeInfo {
                id: t.id.clone(),
                title_fi: t.title_fi.clone(),
                title_en: t.title_en.clone(),
            })
            .collect()
    }
}

/// A spreadsheet column's letters: 0 is A, 25 Z, 26 AA.
fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn words(
    raw: Vec<Spanned<String>>,
    at: impl Fn(std::ops::Range<usize>) -> String,
) -> Result<Vec<String>, RulesError> {
    raw.into_iter()
        .map(|w| term(&at(w.span()), w.get_ref(), 1.0).map(|t| t.text))
        .collect()
}

/// The largest weight a term or work-package prior may have, either way. The default's
/// weights are a few points against a threshold of 16; a weight near the largest float
/// would make a score infinite (and then no theme would reach its share of the strongest).
const MAX_WEIGHT: f64 = 1000.0;

fn within_weight_range(weight: f64) -> bool {
    weight.is_finite() && weight.abs() <= MAX_WEIGHT
}

fn term(at: &str, text: &str, weight: f64) -> Result<Term, RulesError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(at, "empty term"));
    }
    if !within_weight_range(weight) {
        return Err(invalid(
            at,
            format!("weight of {text:?} must be a number between -{MAX_WEIGHT} and {MAX_WEIGHT}"),
        ));
    }
    // Words of one letter are checked next to the others of their phrase; one of at least
    // two letters is what the text is searched for.
    let searchable = text
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.chars().count() >= 2);
    if !searchable {
        return Err(invalid(
            at,
            format!("term {text:?} needs a word of at least two letters"),
        ));
    }
    Ok(Term {
        text: text.to_string(),
        weight,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_parse_with_six_themes_in_the_seed_order() {
        let rules = Rules::from_toml(DEFAULT_RULES);
        assert!(rules.is_ok(), "{:?}", rules.err());
        let ids: Vec<String> = rules
            .map(|r| r.themes.into_iter().map(|t| t.id).collect())
            .unwrap_or_default();
        assert_eq!(
            ids,
            [
                "monitoimijuus",
                "osallisuus",
                "digitaalisuus",
                "asiakastieto",
                "alustatalous",
                "johtaminen"
            ]
        );
    }

    #[test]
    fn weighted_and_plain_terms_and_tp_priors() {
        let rules = Rules::from_toml(
            r#"
            [[theme]]
            id = "osallisuus"
            title_fi = "Osallisuus"
            terms = ["osallisuus", { term = "yhteiskehittäminen", weight = 2.5 }]
            negative = ["kokouskutsu"]
            tp = { TP2 = 1.5 }
            "#,
        );
        let rules = match rules {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let t = &rules.themes[0];
        assert_eq!(t.title_en, "Osallisuus");
        assert_eq!(
            t.terms[1],
            Term {
                text: "yhteiskehittäminen".into(),
                weight: 2.5
            }
        );
        assert_eq!(t.negative[0].weight, -1.0);
        assert_eq!(
            t.tp.get(&WorkPackage::new(2).unwrap_or_else(|| unreachable!())),
            Some(&1.5)
        );
    }

    #[test]
    fn malformed_rules_say_where() {
        let e = Rules::from_toml("[[theme]]\nid = \"x\"\ntitle_fi = 3\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("line 3"), "{e}");
        let e = Rules::from_toml("[[theme]]\nid = \"Bad Id\"\ntitle_fi = \"x\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("theme #1"), "{e}");
        // Errors found after parsing name their line too.
        let e = Rules::from_toml(
            "[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\nterms = [\"osallisuus\"]\n\n\
             [[theme]]\nid = \"x\"\ntitle_fi = \"y\"\nterms = [\"asukas\"]\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(
            e,
            "line 7, theme #2: id \"x\" is defined twice (first on line 2)"
        );
        let e = Rules::from_toml(
            "[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\nterms = [\n  \"osallisuus\",\n  \" \",\n]\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(e, "line 6, theme \"x\": empty term");
        let e = Rules::from_toml(
            "[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\nterms = [\"a\"]\n[[theme.group]]\nweight = 2\n\
             terms = [\"osallisuus\", \"\"]\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(
            e,
            "line 4, theme \"x\": term \"a\" needs a word of at least two letters"
        );
        let e =
            Rules::from_toml("exclude = [\"ok\", \"\"]\n[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\n")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
        assert_eq!(e, "line 1, exclude: empty term");
        let e = Rules::from_toml("[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\ntp = { TP9 = 1.0 }\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("TP9"), "{e}");
        let e = Rules::from_toml("[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\nterms = [\"e-?\"]\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("two letters"), "{e}");
        // A theme without a term of positive weight could never be assigned.
        let e =
            Rules::from_toml("[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\nnegative = [\"kokous\"]\n")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
        assert!(e.contains("could never be assigned"), "{e}");
        // Weights that would make a score NaN or infinite are refused, priors as well.
        for bad in [
            "tp = { TP2 = nan }",
            "tp = { TP2 = inf }",
            "terms = [{ term = \"osallisuus\", weight = 1e308 }]",
            "[[theme.group]]\nweight = -1e6\nterms = [\"osallisuus\"]",
        ] {
            let text = format!("[[theme]]\nid = \"x\"\ntitle_fi = \"x\"\n{bad}\n");
            let e = Rules::from_toml(&text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("between -1000 and 1000"), "{bad}: {e}");
        }
    }

    #[test]
    fn rules_from_a_table() {
        let rows: Vec<Vec<String>> = [
            vec!["Theme", "Term", "Weight"],
            vec!["osallisuus", "osallisuus", ""],
            vec!["osallisuus", "työpaja", "0,5"],
            vec!["", "", ""],
            vec!["uusi", "kokeilu", "2"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let rules = match Rules::from_rows(&rows) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(rules.themes.len(), 2);
        assert_eq!(rules.themes[0].title_fi, "Osallisuus ja yhteiskehittäminen");
        assert_eq!(rules.themes[0].terms[1].weight, 0.5);
        assert_eq!(rules.themes[1].title_fi, "uusi");

        let bad = vec![
            vec![
                "theme".to_string(),
                "term".to_string(),
                "weight".to_string(),
            ],
            vec!["x".to_string(), "y".to_string(), "paljon".to_string()],
        ];
        let e = Rules::from_rows(&bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "row 2, cell C2: weight \"paljon\" is not a number");

        // Finnish headings, a theme written as a name, synonyms on lines of one cell.
        let finnish: Vec<Vec<String>> = [
            ["Teema:", "Termi", "Paino"],
            ["Osallisuus", "asukasraati\nkuntalaisraati", "2"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let rules = Rules::from_rows(&finnish).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rules.themes[0].id, "osallisuus");
        let terms: Vec<(&str, f64)> = rules.themes[0]
            .terms
            .iter()
            .map(|t| (t.text.as_str(), t.weight))
            .collect();
        assert_eq!(terms, [("asukasraati", 2.0), ("kuntalaisraati", 2.0)]);
        // The same table standing at C4 of its sheet: the cell is E5.
        let e = Rules::from_rows_at(&bad, (3, 2))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "row 5, cell E5: weight \"paljon\" is not a number");
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(27), "AB");
    }
}
