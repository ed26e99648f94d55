//! Scores every theme for one material and decides city and work packages, keeping the
//! evidence: matched terms with counts and pages, and the sentences that weigh most.

use crate::city::{self, CityDecision};
use crate::matcher::{Matcher, Scan, TermSpec};
use crate::rules::{Rules, Settings};
use crate::work_package::{detect_work_packages, from_words};
use kooste_model::{City, CitySource, Page, TermCount, ThemeScore, WorkPackage};
use kooste_normalize::{Segments, composed, for_matching, segment_into};
use std::borrow::Cow;

/// Normalised text scanned per material; beyond this a material is long enough to have
/// shown its themes, and the bound keeps the work per file finite.
const MAX_SCANNED: usize = 8 << 20;

/// What the classifier reads of a material.
pub struct MaterialText<'a> {
    /// Relative to the drive, `/`-separated.
    pub path: &'a str,
    pub title: Option<&'a str>,
    pub author: Option<&'a str>,
    pub pages: &'a [Page],
}

/// The verdict on one material.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub city: Option<(City, CitySource)>,
    /// When no city won: the cities the text names about equally often (joint material).
    pub city_contenders: Vec<City>,
    pub tp: Vec<WorkPackage>,
    /// Every theme of the rules, in rules order.
    pub themes: Vec<ThemeResult>,
    /// Words of body text read.
    pub words: usize,
}

impl Classification {
    /// Assigned themes, strongest first, as the index carries them.
    pub fn assigned(&self) -> Vec<ThemeScore> {
        let mut out: Vec<ThemeScore> = self
            .themes
            .iter()
            .filter(|t| t.assigned)
            .map(|t| ThemeScore {
                id: t.id.clone(),
                score: round3(t.score),
                terms: t.terms.clone(),
                snippets: t.snippets.clone(),
                manual: false,
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThemeResult {
    pub id: String,
    pub score: f64,
    pub assigned: bool,
    /// Matched terms, most frequent first; page 0 stands for the title and file name.
    pub terms: Vec<TermCount>,
    pub snippets: Vec<String>,
    /// Weight added by the work-package prior.
    pub tp_bonus: f64,
    /// The score by source, for explanations.
    pub parts: ScoreParts,
    /// Every term found, with its weight and where it was found: the whole evidence.
    pub matches: Vec<TermMatch>,
}

/// A theme's score by where the evidence came from; the parts add up to the score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScoreParts {
    /// Terms in the title and file name.
    pub title: f64,
    /// Terms in headings and body text.
    pub text: f64,
    /// The work-package prior.
    pub tp: f64,
}

/// One term of a theme found in a material, counted by zone.
#[derive(Debug, Clone, PartialEq)]
pub struct TermMatch {
    pub term: String,
    pub weight: f64,
    /// In the title or file name.
    pub title: u32,
    /// In headings.
    pub heading: u32,
    /// In body text.
    pub body: u32,
}

/// Rules compiled for matching; build once, classify many.
pub struct Classifier {
    settings: Settings,
    theme_ids: Vec<String>,
    tp_priors: Vec<Vec<(WorkPackage, f64)>>,
    matcher: Matcher,
}

/// Which part of a material a match came from.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Zone {
    Title,
    Heading,
    Body,
}

/// A sentence or line of a page: where it is in the page text and in the scanned buffer.
struct UnitRef {
    page: usize,
    orig: (usize, usize),
    norm_start: usize,
    zone: Zone,
}

impl Classifier {
    pub fn new(rules: &Rules) -> Classifier {
        let mut terms: Vec<TermSpec> = Vec::new();
        for (i, t) in rules.themes.iter().enumerate() {
            for term in t.terms.iter().chain(&t.negative) {
                terms.push((i, for_matching(&term.text), term.weight, false));
            }
            for word in t.exclude.iter().chain(&rules.exclude) {
                terms.push((i, for_matching(word), 0.0, true));
            }
        }
        Classifier {
            settings: rules.settings.clone(),
            theme_ids: rules.themes.iter().map(|t| t.id.clone()).collect(),
            tp_priors: rules
                .themes
                .iter()
                .map(|t| t.tp.iter().map(|(k, v)| (*k, *v)).collect())
                .collect(),
            matcher: Matcher::new(terms, rules.settings.morphology),
        }
    }

    pub fn classify(&self, material: &MaterialText<'_>) -> Classification {
        let path_norm = for_matching(material.path);
        let file_name = path_norm.rsplit('/').next().unwrap_or(&path_norm);
        let file_stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);

        // Title and file name are one zone; each term counts there once.
        let mut head = String::new();
        let mut head_seg = Segments::default();
        if let Some(title) = material.title {
            segment_into(&composed(title), &mut head, &mut head_seg);
            head.push('\n');
        }
        segment_into(file_stem, &mut head, &mut head_seg);
        let head_scan = self.matcher.scan(&head, &head_seg.words);

        // The body: all pages normalised into one buffer, split into units and words.
        let total: usize = material.pages.iter().map(|p| p.text.len()).sum();
        let mut buffer = String::with_capacity(total.min(MAX_SCANNED) + 64);
        let mut seg = Segments::default();
        let mut units: Vec<UnitRef> = Vec::new();
        let mut texts: Vec<Cow<'_, str>> = Vec::with_capacity(material.pages.len());
        let mut words = 0usize;
        // Words of the first two pages, where a work package is named if anywhere.
        let mut opening_words = 0usize;
        for (pi, page) in material.pages.iter().enumerate() {
            if buffer.len() >= MAX_SCANNED {
                break;
            }
            let text = composed(&page.text);
            let first = seg.units.len();
            words += segment_into(&text, &mut buffer, &mut seg);
            buffer.push('\n');
            if pi < 2 {
                opening_words = seg.words.len();
            }
            let page_units = seg.units.get(first..).unwrap_or(&[]);
            for (k, u) in page_units.iter().enumerate() {
                let next_words = page_units.get(k + 1).map_or(0, |n| n.words as usize);
                let original = text.get(u.orig.0..u.orig.1).unwrap_or("");
                let zone = if is_heading(original, u.words as usize, k == 0, next_words) {
                    Zone::Heading
                } else {
                    Zone::Body
                };
                units.push(UnitRef {
                    page: pi,
                    orig: u.orig,
                    norm_start: u.norm.0,
                    zone,
                });
            }
            texts.push(text);
        }
        let body_scan = self.matcher.scan(&buffer, &seg.words);

        let mut tp = detect_work_packages(material.path);
        if tp.is_empty() {
            tp = from_words(head_seg.words.iter().map(|w| word_text(&head, *w)));
        }
        if tp.is_empty() {
            let opening = seg.words.get(..opening_words).unwrap_or(&[]);
            tp = from_words(opening.iter().map(|w| word_text(&buffer, *w)));
        }

        let decision = self.city(material, &path_norm, &buffer, &seg.words, &body_scan);
        let themes = (0..self.theme_ids.len())
            .map(|theme| {
                self.score_theme(
                    theme, &head_scan, &body_scan, &units, &texts, material, words, &tp,
                )
            })
            .collect();
        Classification {
            city: decision.city,
            city_contenders: decision.contenders,
            tp,
            themes,
            words,
        }
    }

    fn city(
        &self,
        material: &MaterialText<'_>,
        path_norm: &str,
        buffer: &str,
        words: &[(u32, u32)],
        scan: &Scan,
    ) -> CityDecision {
        let bytes = buffer.as_bytes();
        // The neighbouring word, if close enough to belong to the same name.
        let neighbour = |a: Option<&(u32, u32)>,
                         b: Option<&(u32, u32)>,
                         which: Option<&(u32, u32)>| match (a, b, which) {
            (Some(a), Some(b), Some(w)) if b.0.saturating_sub(a.1) <= 4 => bytes
                .get(a.1 as usize..b.0 as usize)
                .filter(|gap| gap.iter().all(|&c| !c.is_ascii_punctuation() || c == b'-'))
                .and_then(|_| buffer.get(w.0 as usize..w.1 as usize))
                .unwrap_or(""),
            _ => "",
        };
        let mut weights = [0u32; 6];
        for m in &scan.cities {
            let this = words.get(m.word);
            let next_w = words.get(m.word + 1);
            let prev_w = m.word.checked_sub(1).and_then(|i| words.get(i));
            let next = neighbour(this, next_w, next_w);
            let previous = neighbour(prev_w, this, prev_w);
            if let Some(slot) = City::ALL.iter().position(|c| *c == m.city) {
                weights[slot] += city::mention_weight(previous, next);
            }
        }
        let meta: Vec<String> = [material.title, material.author]
            .into_iter()
            .flatten()
            .map(for_matching)
            .collect();
        let meta_refs: Vec<&str> = meta.iter().map(String::as_str).collect();
        city::decide(path_norm, &meta_refs, &weights)
    }

    #[allow(clippy::too_many_arguments)]
    fn score_theme(
        &self,
        theme: usize,
        head: &Scan,
        body: &Scan,
        units: &[UnitRef],
        texts: &[Cow<'_, str>],
        material: &MaterialText<'_>,
        body_words: usize,
        tp: &[WorkPackage],
    ) -> ThemeResult {
        let s = &self.settings;
        let terms = &self.matcher.terms;
        let of_theme = |t: usize| terms.get(t).is_some_and(|t| t.theme == theme);
        // Per term: counts by zone and the pages it was seen on.
        let mut per_term: Vec<(usize, [u32; 3], Vec<u32>)> = Vec::new();
        let mut unit_weight: Vec<(usize, f64)> = Vec::new();
        let mut tally = |term: usize, zone: Zone, page: u32| {
            let z = match zone {
                Zone::Title => 0,
                Zone::Heading => 1,
                Zone::Body => 2,
            };
            let i = match per_term.iter().position(|(t, _, _)| *t == term) {
                Some(i) => i,
                None => {
                    per_term.push((term, [0; 3], Vec::new()));
                    per_term.len() - 1
                }
            };
            if let Some(entry) = per_term.get_mut(i) {
                entry.1[z] += 1;
                if !entry.2.contains(&page) {
                    entry.2.push(page);
                }
            }
        };
        for h in head.hits.iter().filter(|h| of_theme(h.term)) {
            tally(h.term, Zone::Title, 0);
        }
        for h in body.hits.iter().filter(|h| of_theme(h.term)) {
            let u = units.partition_point(|u| u.norm_start <= h.start);
            let Some(unit) = u.checked_sub(1).and_then(|i| units.get(i)) else {
                continue;
            };
            let page = material.pages.get(unit.page).map_or(0, |p| p.n);
            tally(h.term, unit.zone, page);
            let w = terms.get(h.term).map_or(0.0, |t| t.weight);
            match unit_weight.iter_mut().find(|(i, _)| *i == u - 1) {
                Some((_, total)) => *total += w,
                None => unit_weight.push((u - 1, w)),
            }
        }
        let mut score = 0.0;
        let mut parts = ScoreParts::default();
        for (term, zones, _) in &per_term {
            let w = terms.get(*term).map_or(0.0, |t| t.weight);
            let (title, body) = term_score(s, zones, body_words);
            parts.title += w * title;
            parts.text += w * body;
            score += w * (title + body);
        }
        let tp_bonus: f64 = self.tp_priors[theme]
            .iter()
            .filter(|(wp, _)| tp.contains(wp))
            .map(|(_, w)| w)
            .sum();
        // A work package speaks for its themes only where the text does too.
        let tp_bonus = if score > 0.0 { tp_bonus } else { 0.0 };
        score += tp_bonus;
        parts.tp = tp_bonus;
        let assigned = score >= s.threshold;

        let mut counts: Vec<TermCount> = per_term
            .iter()
            .filter(|(t, _, _)| terms.get(*t).is_some_and(|t| t.weight > 0.0))
            .map(|(t, zones, pages)| {
                let mut pages = pages.clone();
                pages.sort_unstable();
                TermCount {
                    term: terms.get(*t).map(|t| t.text.clone()).unwrap_or_default(),
                    count: zones.iter().sum(),
                    pages,
                }
            })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
        let matches = per_term
            .iter()
            .map(|(t, zones, _)| TermMatch {
                term: terms.get(*t).map(|t| t.text.clone()).unwrap_or_default(),
                weight: terms.get(*t).map_or(0.0, |t| t.weight),
                title: zones[0],
                heading: zones[1],
                body: zones[2],
            })
            .collect();

        unit_weight.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut snippets: Vec<String> = Vec::new();
        for (i, w) in unit_weight {
            if w <= 0.0 {
                break;
            }
            let Some(unit) = units.get(i) else { continue };
            let Some(page) = texts.get(unit.page) else {
                continue;
            };
            let Some(original) = page.get(unit.orig.0..unit.orig.1) else {
                continue;
            };
            let text = original.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.chars().count() < 20 || snippets.iter().any(|s| s.starts_with(&text)) {
                continue;
            }
            snippets.push(clip(&text, 300));
            if snippets.len() >= s.snippets {
                break;
            }
        }
        ThemeResult {
            id: self.theme_ids[theme].clone(),
            score,
            assigned,
            terms: counts,
            snippets,
            tp_bonus,
            parts,
            matches,
        }
    }
}

/// What one term contributes per unit of weight: (title or file name, headings and body).
/// The count saturates (BM25): `c (k + 1) / (c + k (1 - b + b L / P))`.
fn term_score(s: &Settings, zones: &[u32; 3], words: usize) -> (f64, f64) {
    let title = if zones[0] > 0 { s.title_weight } else { 0.0 };
    let count = f64::from(zones[2]) + s.heading_weight * f64::from(zones[1]);
    if count <= 0.0 {
        return (title, 0.0);
    }
    let k = s.saturation;
    let length = 1.0 - s.length_norm + s.length_norm * words as f64 / s.length_pivot;
    (title, count * (k + 1.0) / (count + k * length))
}

/// Headings and slide titles: short lines without closing punctuation that open a page,
/// carry a section number, are written in capitals, or stand before a paragraph. Bullet
/// items are not headings.
fn is_heading(original: &str, n_words: usize, first_on_page: bool, next_words: usize) -> bool {
    let t = original.trim();
    if !(1..=10).contains(&n_words) || t.ends_with(['.', ',', ';', ':', '!', '?']) {
        return false;
    }
    let Some(first) = t.chars().next() else {
        return false;
    };
    if "-•*–▪●◦·o>".contains(first) && t.chars().nth(1).is_some_and(char::is_whitespace)
    {
        return false;
    }
    let numbered = first.is_ascii_digit()
        && t.split_whitespace()
            .next()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        && n_words >= 2;
    let capitals =
        t.chars().filter(|c| c.is_alphabetic()).count() >= 4 && !t.chars().any(char::is_lowercase);
    first_on_page || numbered || capitals || next_words >= 15
}

fn word_text(text: &str, (a, b): (u32, u32)) -> &str {
    text.get(a as usize..b as usize).unwrap_or("")
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{at_word} …")
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rules;

    fn classify(path: &str, title: Option<&str>, pages: &[&str]) -> Classification {
        let rules = Rules::default_rules();
        let pages: Vec<Page> = pages
            .iter()
            .zip(1..)
            .map(|(t, n)| Page::new(n, *t))
            .collect();
        Classifier::new(&rules).classify(&MaterialText {
            path,
            title,
            author: None,
            pages: &pages,
        })
    }

    fn assigned(c: &Classification) -> Vec<String> {
        c.themes
            .iter()
            .filter(|t| t.assigned)
            .map(|t| t.id.clone())
            .collect()
    }

    #[test]
    fn participation_memo_gets_participation_with_evidence() {
        let c = classify(
            "Helsinki/TP2/tyopaja.docx",
            Some("Yhteiskehittämisen työpajat"),
            &[
                "Työpajoissa asukkaat ja yritykset kehittivät palveluja yhdessä kaupungin kanssa. \
               Osallisuus syntyy, kun kuntalaiset pääsevät mukaan yhteiskehittämiseen alusta asti. \
               Palvelumuotoilun menetelmät tukivat ideointia.",
            ],
        );
        assert!(
            assigned(&c).contains(&"osallisuus".to_string()),
            "{:?}",
            c.themes
        );
        assert_eq!(c.city, Some((City::Helsinki, CitySource::Folder)));
        assert_eq!(
            c.tp.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
            ["TP2"]
        );
        let theme = c.themes.iter().find(|t| t.id == "osallisuus");
        let snippets = theme.map(|t| t.snippets.clone()).unwrap_or_default();
        assert!(
            snippets.iter().any(|s| s.starts_with("Osallisuus syntyy")),
            "{snippets:?}"
        );
    }

    #[test]
    fn practicalities_get_no_theme() {
        let c = classify(
            "Yhteiset/kokouskutsu.docx",
            Some("Kokouskutsu"),
            &[
                "Kokous pidetään tiistaina kello 13 neuvotteluhuoneessa. Kahvitarjoilu järjestetään. \
               Ilmoittautumiset sihteerille perjantaihin mennessä.",
            ],
        );
        assert!(assigned(&c).is_empty(), "{:?}", c.themes);
        assert_eq!(c.city, None);
        assert!(c.tp.is_empty());
    }

    #[test]
    fn headings() {
        assert!(is_heading("2.1 Asiakasymmärrys", 2, false, 3));
        assert!(is_heading("Johdanto", 1, false, 40));
        assert!(is_heading("ASIAKASTIETO", 1, false, 3));
        assert!(is_heading("Yhteiskehittäminen", 1, true, 3));
        assert!(!is_heading("- kohta listassa", 3, false, 3));
        assert!(!is_heading("Tämä on lause.", 3, true, 30));
        assert!(!is_heading("Tavallinen rivi", 2, false, 3));
    }
}
