//! Scores every theme for one material and decides city and work packages, keeping the
//! evidence: matched terms with counts and pages, and the sentences that weigh most.

use crate::matcher::{Hit, Matcher};
use crate::rules::{Rules, Settings};
use crate::text::{sentences, words};
use crate::{detect_city, detect_work_packages};
use kooste_model::{City, CitySource, Page, TermCount, ThemeScore, WorkPackage};
use kooste_normalize::for_matching;

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
    pub tp: Vec<WorkPackage>,
    /// Every theme of the rules, in rules order.
    pub themes: Vec<ThemeResult>,
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
}

/// Rules compiled for matching; build once, classify many.
pub struct Classifier {
    settings: Settings,
    theme_ids: Vec<String>,
    tp_priors: Vec<Vec<(WorkPackage, f64)>>,
    matcher: Matcher,
}

/// Which part of a material a match came from.
#[derive(Clone, Copy, PartialEq)]
enum Zone {
    Title,
    Heading,
    Body,
}

struct Occurrence {
    term: usize,
    zone: Zone,
    page: u32,
    sentence: usize,
}

impl Classifier {
    pub fn new(rules: &Rules) -> Classifier {
        let terms = rules.themes.iter().enumerate().flat_map(|(i, t)| {
            t.terms
                .iter()
                .chain(&t.negative)
                .map(move |term| (i, for_matching(&term.text), term.weight))
        });
        Classifier {
            settings: rules.settings.clone(),
            theme_ids: rules.themes.iter().map(|t| t.id.clone()).collect(),
            tp_priors: rules
                .themes
                .iter()
                .map(|t| t.tp.iter().map(|(k, v)| (*k, *v)).collect())
                .collect(),
            matcher: Matcher::new(terms),
        }
    }

    pub fn classify(&self, material: &MaterialText<'_>) -> Classification {
        let path_norm = for_matching(material.path);
        let file_name = path_norm.rsplit('/').next().unwrap_or(&path_norm);
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        let title_norm = material.title.map(for_matching).unwrap_or_default();

        let mut sentences_text: Vec<String> = Vec::new();
        let mut occurrences: Vec<Occurrence> = Vec::new();
        let mut body_words = 0usize;
        let mut body_norm = String::new();

        // Title and file name count once each, as one zone.
        let head = format!("{title_norm}\n{}", stem.replace(['_', '-', '.'], " "));
        self.collect(&head, Zone::Title, 0, usize::MAX, &mut occurrences);

        for page in material.pages {
            for (a, b) in sentences(&page.text) {
                let original = &page.text[a..b];
                let norm = for_matching(original);
                let n_words = words(&norm).len();
                let zone = if is_heading(original, n_words) {
                    Zone::Heading
                } else {
                    Zone::Body
                };
                body_words += n_words;
                let index = sentences_text.len();
                self.collect(&norm, zone, page.n, index, &mut occurrences);
                if body_norm.len() < 200_000 {
                    body_norm.push_str(&norm);
                    body_norm.push('\n');
                }
                sentences_text.push(original.split_whitespace().collect::<Vec<_>>().join(" "));
            }
        }

        let head_text = material
            .pages
            .iter()
            .take(2)
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let mut tp = detect_work_packages(material.path);
        if tp.is_empty() {
            tp = detect_work_packages(&head_text);
        }
        let meta: Vec<String> = [material.title, material.author]
            .into_iter()
            .flatten()
            .map(for_matching)
            .collect();
        let meta_refs: Vec<&str> = meta.iter().map(String::as_str).collect();
        let city = detect_city(&path_norm, &meta_refs, &body_norm);

        let themes = (0..self.theme_ids.len())
            .map(|theme| self.score_theme(theme, &occurrences, &sentences_text, body_words, &tp))
            .collect();
        Classification { city, tp, themes }
    }

    fn collect(
        &self,
        norm: &str,
        zone: Zone,
        page: u32,
        sentence: usize,
        out: &mut Vec<Occurrence>,
    ) {
        let ws: Vec<&str> = words(norm).into_iter().map(|w| w.text).collect();
        for Hit { term, .. } in self.matcher.find(&ws) {
            out.push(Occurrence {
                term,
                zone,
                page,
                sentence,
            });
        }
    }

    fn score_theme(
        &self,
        theme: usize,
        occurrences: &[Occurrence],
        sentences_text: &[String],
        body_words: usize,
        tp: &[WorkPackage],
    ) -> ThemeResult {
        let s = &self.settings;
        let terms = &self.matcher.terms;
        // Per term: counts by zone and the pages it was seen on.
        let mut per_term: Vec<(usize, [u32; 3], Vec<u32>)> = Vec::new();
        let mut sentence_weight: Vec<(usize, f64)> = Vec::new();
        for o in occurrences
            .iter()
            .filter(|o| terms.get(o.term).is_some_and(|t| t.theme == theme))
        {
            let zone_index = match o.zone {
                Zone::Title => 0,
                Zone::Heading => 1,
                Zone::Body => 2,
            };
            let entry = match per_term.iter_mut().position(|(t, _, _)| *t == o.term) {
                Some(i) => &mut per_term[i],
                None => {
                    per_term.push((o.term, [0; 3], Vec::new()));
                    let last = per_term.len() - 1;
                    &mut per_term[last]
                }
            };
            entry.1[zone_index] += 1;
            if !entry.2.contains(&o.page) {
                entry.2.push(o.page);
            }
            if o.sentence != usize::MAX {
                let w = terms.get(o.term).map_or(0.0, |t| t.weight);
                match sentence_weight.iter_mut().find(|(i, _)| *i == o.sentence) {
                    Some((_, total)) => *total += w,
                    None => sentence_weight.push((o.sentence, w)),
                }
            }
        }
        // Repeats of one term add less and less; long documents are dampened so that a
        // passing mention in a hundred pages does not outweigh a short focused memo.
        let damp = (body_words as f64 / s.length_pivot).max(1.0).sqrt();
        let mut score = 0.0;
        for (term, zones, _) in &per_term {
            let w = terms.get(*term).map_or(0.0, |t| t.weight);
            let title = if zones[0] > 0 { s.title_weight } else { 0.0 };
            let heading = s.heading_weight * (f64::from(zones[1])).ln_1p();
            let body = (f64::from(zones[2])).ln_1p() / damp;
            score += w * (title + heading + body);
        }
        let tp_bonus: f64 = self.tp_priors[theme]
            .iter()
            .filter(|(wp, _)| tp.contains(wp))
            .map(|(_, w)| w)
            .sum();
        if score > 0.0 {
            score += tp_bonus;
        }
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

        sentence_weight.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut snippets: Vec<String> = Vec::new();
        for (i, _) in sentence_weight {
            let Some(text) = sentences_text.get(i) else {
                continue;
            };
            if text.chars().count() < 20 || snippets.contains(text) {
                continue;
            }
            snippets.push(clip(text, 300));
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
        }
    }
}

/// Short lines without closing punctuation at the start of a line: headings and slide titles.
fn is_heading(original: &str, n_words: usize) -> bool {
    (1..=8).contains(&n_words) && !original.trim_end().ends_with(['.', ',', ';', ':'])
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
}
