//! Scores every theme for one material and decides city and work packages, keeping the
//! evidence: matched terms with counts and pages, and the sentences that weigh most.

use crate::city::{self, CityDecision};
use crate::matcher::{Matcher, Scan, ScanScratch, TermSpec, held};
use crate::rules::{Rules, Settings};
use crate::work_package::detect_work_packages;
use kooste_model::{City, CitySource, Page, TermCount, ThemeScore, WorkPackage};
use kooste_normalize::{Unit, for_matching, for_matching_into, normalize_page};
use std::borrow::Cow;

/// Normalised text scanned per material; beyond this a material is long enough to have
/// shown its themes, and the bound keeps the work per file finite.
const MAX_SCANNED: usize = 8 << 20;

/// Working memory kept per thread between materials.
#[derive(Default)]
struct Scratch {
    buffer: Vec<u8>,
    units: Vec<Unit>,
    unit_info: Vec<(u32, Zone)>,
    scan: ScanScratch,
    tally: Tally,
}

impl Scratch {
    /// Bytes held by the buffers that grow with the material.
    fn bytes(&self) -> usize {
        held(&self.buffer) + held(&self.units) + held(&self.unit_info) + self.scan.bytes()
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Most working memory kept per thread between materials: the text of a typical material
/// (a report of some dozens of pages) and its sentences. A longer material's buffers are
/// freed when it is done, so that a run does not hold the largest material's working memory
/// on every thread until it ends. Measured on the scale benchmark's drives, 4 MiB here held
/// 6 MiB more at the run's peak than 512 KiB, at the same speed: buffers that large are their
/// own mappings, cheap to get again.
const SCRATCH_KEEP: usize = 512 << 10;

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
    /// Weighted occurrences of the theme's terms per 1,000 words (see `Settings::density`).
    pub density: f64,
    /// In a document of `Settings::long_document` words or more: the most term weight of the
    /// theme in any stretch of `Settings::section_span` words (see `Settings::section_weight`).
    /// Found for the themes that the other rules assign, and for every theme with a score
    /// when details are kept; `None` otherwise and in shorter documents.
    pub section: Option<f64>,
    /// The score by source, for explanations.
    pub parts: ScoreParts,
    /// Every term found, with its weight and where it was found: the whole evidence. Kept
    /// only by a classifier made [`Classifier::with_details`].
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
    /// Terms, matches and sentences for every theme with evidence, not only assigned ones.
    details: bool,
}

/// Which part of a material a match came from.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Zone {
    Title = 0,
    Heading = 1,
    Body = 2,
}

/// The normalised body of a material: all pages in one buffer, split into units.
struct Body<'a> {
    buffer: Vec<u8>,
    units: Vec<Unit>,
    /// For each unit: its page (index into the material's pages) and zone.
    unit_info: Vec<(u32, Zone)>,
    /// The text each page's units quote: the page text, or its composed form.
    texts: Vec<Cow<'a, str>>,
    words: usize,
    /// Where the third page starts in the buffer: work packages are read before it.
    opening_end: usize,
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
            details: false,
        }
    }

    /// Keeps the evidence (terms, matches, sentences) of every theme with any, assigned or
    /// not, as explanations show it. By default only assigned themes carry it, which spares
    /// work when classifying whole drives.
    pub fn with_details(mut self, details: bool) -> Classifier {
        self.details = details;
        self
    }

    pub fn classify(&self, material: &MaterialText<'_>) -> Classification {
        let path_norm = for_matching(material.path);
        let file_name = path_norm.rsplit('/').next().unwrap_or(&path_norm);
        let file_stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);

        // Title and file name are one zone; each term counts there once. Names on drives
        // (and titles made from them) join words with underscores, which part words as a
        // space does: `Osallistuva_budjetointi` is the phrase, not its last word.
        let mut head = String::new();
        if let Some(title) = material.title {
            for_matching_into(title, &mut head);
            head.push('\n');
        }
        head.push_str(file_stem);
        let head = head.replace('_', " ");
        let head_scan = self.matcher.scan(head.as_bytes());

        // Working memory from the last material classified on this thread, if free.
        let mut scratch = SCRATCH
            .with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)).ok())
            .unwrap_or_default();
        let body = read_body(
            material.pages,
            std::mem::take(&mut scratch.buffer),
            std::mem::take(&mut scratch.units),
            std::mem::take(&mut scratch.unit_info),
        );
        let body_scan = self.matcher.scan_with(&body.buffer, &mut scratch.scan);

        let mut tp = detect_work_packages(material.path);
        if tp.is_empty() {
            tp = head_scan.work_packages.iter().map(|(w, _)| *w).collect();
        }
        if tp.is_empty() {
            tp = body_scan
                .work_packages
                .iter()
                .filter(|(_, at)| *at < body.opening_end)
                .map(|(w, _)| *w)
                .collect();
        }
        tp.sort();
        tp.dedup();

        let decision = self.city(material, &path_norm, &body.buffer, &body_scan, body.words);
        let themes = self.score(
            &head_scan,
            &body_scan,
            &body,
            material,
            &tp,
            &mut scratch.tally,
        );
        let words = body.words;
        scratch.buffer = body.buffer;
        scratch.buffer.clear();
        scratch.units = body.units;
        scratch.units.clear();
        scratch.unit_info = body.unit_info;
        scratch.unit_info.clear();
        // Keep what a typical material needs, not what the largest one did.
        if scratch.bytes() <= SCRATCH_KEEP {
            SCRATCH.with(|s| {
                if let Ok(mut s) = s.try_borrow_mut() {
                    *s = scratch;
                }
            });
        }
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
        buffer: &[u8],
        scan: &Scan,
        words: usize,
    ) -> CityDecision {
        let mut weights = [0u32; 6];
        for m in &scan.cities {
            // Part of a web or e-mail address (cs.helsinki.fi, info@espoo.fi), not a mention.
            let before = m.start.checked_sub(1).and_then(|i| buffer.get(i)).copied();
            let after = buffer.get(m.end..m.end + 2);
            if matches!(before, Some(b'.' | b'@' | b'/'))
                || after.is_some_and(|a| a[0] == b'.' && a[1].is_ascii_alphanumeric())
            {
                continue;
            }
            let next = neighbour(buffer, m.end, true);
            let previous = neighbour(buffer, m.start, false);
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
        city::decide(path_norm, &meta_refs, &weights, words)
    }

    /// Scores every theme from one tally of all occurrences, in text order.
    fn score(
        &self,
        head: &Scan,
        body: &Scan,
        text: &Body<'_>,
        material: &MaterialText<'_>,
        tp: &[WorkPackage],
        tally: &mut Tally,
    ) -> Vec<ThemeResult> {
        let terms = &self.matcher.terms;
        tally.reset(terms.len());
        for h in &head.hits {
            tally.add(h.term, Zone::Title, 0);
        }
        // Hits and units both come in text order: walk them together.
        let mut occurrences: Vec<Occurrence> = Vec::with_capacity(body.hits.len());
        let mut u = 0;
        for h in &body.hits {
            while text.units.get(u + 1).is_some_and(|n| n.norm.0 <= h.start) {
                u += 1;
            }
            let (page, zone) = text.unit_info.get(u).copied().unwrap_or((0, Zone::Body));
            let page_n = material.pages.get(page as usize).map_or(0, |p| p.n);
            tally.add(h.term, zone, page_n);
            if let Some(t) = terms.get(h.term) {
                occurrences.push(Occurrence {
                    theme: t.theme as u32,
                    unit: u as u32,
                    weight: t.weight,
                });
            }
        }

        let mut results: Vec<ThemeResult> = self
            .theme_ids
            .iter()
            .map(|id| ThemeResult {
                id: id.clone(),
                score: 0.0,
                assigned: false,
                terms: Vec::new(),
                snippets: Vec::new(),
                tp_bonus: 0.0,
                density: 0.0,
                section: None,
                parts: ScoreParts::default(),
                matches: Vec::new(),
            })
            .collect();
        for &t in &tally.touched {
            let (Some(term), Some(entry)) = (terms.get(t as usize), tally.slots.get(t as usize))
            else {
                continue;
            };
            let Some(result) = results.get_mut(term.theme) else {
                continue;
            };
            let (title, body_part) = term_score(&self.settings, &entry.zones, text.words);
            result.parts.title += term.weight * title;
            result.parts.text += term.weight * body_part;
            if term.weight > 0.0 {
                let occurrences = f64::from(entry.zones[2])
                    + self.settings.heading_weight * f64::from(entry.zones[1]);
                result.density += term.weight * occurrences;
            }
        }
        for (theme, result) in results.iter_mut().enumerate() {
            let evidence = result.parts.title + result.parts.text;
            // A work package speaks for its themes only where the text does too.
            let tp_bonus: f64 = if evidence > 0.0 {
                self.tp_priors[theme]
                    .iter()
                    .filter(|(wp, _)| tp.contains(wp))
                    .map(|(_, w)| w)
                    .sum()
            } else {
                0.0
            };
            result.tp_bonus = tp_bonus;
            result.parts.tp = tp_bonus;
            result.score = evidence + tp_bonus;
        }
        let s = &self.settings;
        let per_thousand = 1000.0 / (text.words as f64).max(s.density_min_words);
        let top = results.iter().map(|r| r.score).fold(0.0, f64::max);
        for result in &mut results {
            result.density *= per_thousand;
            let dense = s.density > 0.0
                && result.density >= s.density
                && result.score >= s.density_share * s.threshold
                && result.score >= s.density_share_of_top * top;
            result.assigned =
                (result.score >= s.threshold || dense) && result.score >= s.share_of_top * top;
        }
        if s.section_weight > 0.0 && text.words as f64 >= s.long_document {
            // Where each unit starts, in words from the start of the text.
            let mut starts = Vec::with_capacity(text.units.len());
            let mut word = 0u32;
            for unit in &text.units {
                starts.push(word);
                word = word.saturating_add(unit.words);
            }
            for (theme, result) in results.iter_mut().enumerate() {
                // Only a theme assigned so far can lose; explanations show every theme's.
                if !(result.assigned || self.details && result.score > 0.0) {
                    continue;
                }
                let section = densest_section(&occurrences, &starts, theme, s.section_span);
                result.section = Some(section);
                // The title, file name or work package names the theme: the whole is on it.
                let named = result.parts.title > 0.0 || result.tp_bonus > 0.0;
                if !named && section < s.section_weight {
                    result.assigned = false;
                }
            }
        }
        // The evidence in words: for assigned themes, or all when explanations are asked for.
        for &t in &tally.touched {
            let (Some(term), Some(entry)) = (terms.get(t as usize), tally.slots.get(t as usize))
            else {
                continue;
            };
            let Some(result) = results.get_mut(term.theme) else {
                continue;
            };
            if !(result.assigned || self.details) {
                continue;
            }
            if self.details {
                result.matches.push(TermMatch {
                    term: term.text.clone(),
                    weight: term.weight,
                    title: entry.zones[0],
                    heading: entry.zones[1],
                    body: entry.zones[2],
                });
            }
            if term.weight > 0.0 {
                let mut pages = entry.pages.clone();
                pages.sort_unstable();
                pages.dedup();
                result.terms.push(TermCount {
                    term: term.text.clone(),
                    count: entry.zones.iter().sum(),
                    pages,
                });
            }
        }
        for (theme, result) in results.iter_mut().enumerate() {
            result
                .terms
                .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
            if result.assigned || (self.details && result.score > 0.0) {
                result.snippets = self.snippets(theme, &occurrences, text);
            }
        }
        results
    }

    /// The sentences that carry most of a theme's weight, in order of weight.
    fn snippets(&self, theme: usize, occurrences: &[Occurrence], text: &Body<'_>) -> Vec<String> {
        // Occurrences come in text order, so a unit's weight is one run.
        let mut weights: Vec<(u32, f64)> = Vec::new();
        for o in occurrences.iter().filter(|o| o.theme as usize == theme) {
            match weights.last_mut() {
                Some((u, total)) if *u == o.unit => *total += o.weight,
                _ => weights.push((o.unit, o.weight)),
            }
        }
        // The heaviest units, a few more than needed in case some are too short to show:
        // picked in one pass, cheaper than sorting every unit.
        let wanted = self.settings.snippets + 3;
        let mut best: Vec<(u32, f64)> = Vec::with_capacity(wanted + 1);
        for &(unit, w) in &weights {
            if w <= 0.0 {
                continue;
            }
            let at = best.iter().position(|b| w > b.1).unwrap_or(best.len());
            if at < wanted {
                best.insert(at, (unit, w));
                best.truncate(wanted);
            }
        }
        let mut snippets: Vec<String> = Vec::new();
        for (i, _) in best {
            if snippets.len() >= self.settings.snippets {
                break;
            }
            let Some(unit) = text.units.get(i as usize) else {
                continue;
            };
            let page = text.unit_info.get(i as usize).map_or(0, |p| p.0 as usize);
            let Some(original) = text
                .texts
                .get(page)
                .and_then(|t| t.get(unit.orig.0..unit.orig.1))
            else {
                continue;
            };
            // A list's bullet is layout, not part of the evidence sentence.
            let original =
                original.trim_start_matches(|c: char| c.is_whitespace() || "•▪◦‣●■*–-".contains(c));
            // A word hyphenated at a line end reads whole, as the matcher read it.
            let text = collapse_spaces(&kooste_normalize::rejoin_hyphenated(original), 300);
            if text.chars().count() < 20 || snippets.iter().any(|s| s.starts_with(&text)) {
                continue;
            }
            snippets.push(text);
        }
        snippets
    }
}

/// One body occurrence of a term: its theme, the unit (sentence or line) it stands in, and
/// the term's weight.
struct Occurrence {
    theme: u32,
    unit: u32,
    weight: f64,
}

/// The most weight of `theme`'s terms (positive weights, each occurrence once) found within
/// `span` words of one another: how much of the theme one section of the text holds.
/// `starts` holds where each unit starts, in words.
fn densest_section(occurrences: &[Occurrence], starts: &[u32], theme: usize, span: f64) -> f64 {
    let counts = |o: &Occurrence| o.theme as usize == theme && o.weight > 0.0;
    let word = |o: &Occurrence| starts.get(o.unit as usize).copied().unwrap_or(0);
    // A window over the theme's occurrences, its start kept as an index into all of them.
    let (mut best, mut sum, mut start) = (0.0f64, 0.0f64, 0);
    for o in occurrences.iter().filter(|o| counts(o)) {
        sum += o.weight;
        while let Some(first) = occurrences.get(start) {
            if counts(first) {
                if f64::from(word(o).saturating_sub(word(first))) <= span {
                    break;
                }
                sum -= first.weight;
            }
            start += 1;
        }
        best = best.max(sum);
    }
    best
}

/// The text with each run of white space one space, clipped at a word to about `max`
/// characters (with an ellipsis when clipped).
fn collapse_spaces(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    let mut chars = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if chars > 0 && chars + 1 + n > max {
            out.push_str(" …");
            return out;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        if n > max {
            out.extend(word.chars().take(max));
            out.push_str(" …");
            return out;
        }
        out.push_str(word);
        chars += n;
    }
    out
}

/// Per term of the rules: how often it was found in each zone, and on which pages. Kept
/// between materials; only the terms found are reset.
#[derive(Default)]
struct Tally {
    slots: Vec<Slot>,
    touched: Vec<u32>,
}

#[derive(Default, Clone)]
struct Slot {
    zones: [u32; 3],
    pages: Vec<u32>,
}

impl Tally {
    fn reset(&mut self, terms: usize) {
        for &t in &self.touched {
            if let Some(s) = self.slots.get_mut(t as usize) {
                s.zones = [0; 3];
                s.pages.clear();
            }
        }
        self.touched.clear();
        if self.slots.len() < terms {
            self.slots.resize(terms, Slot::default());
        }
    }

    fn add(&mut self, term: usize, zone: Zone, page: u32) {
        let Some(slot) = self.slots.get_mut(term) else {
            return;
        };
        if slot.zones == [0; 3] {
            self.touched.push(term as u32);
        }
        slot.zones[zone as usize] += 1;
        if slot.pages.last() != Some(&page) {
            slot.pages.push(page);
        }
    }
}

/// Normalises all pages into one buffer, with units and their zones.
fn read_body(
    pages: &[Page],
    mut buffer: Vec<u8>,
    mut units: Vec<Unit>,
    mut unit_info: Vec<(u32, Zone)>,
) -> Body<'_> {
    let total: usize = pages.iter().map(|p| p.text.len() + 1).sum();
    buffer.clear();
    buffer.reserve(total.min(MAX_SCANNED) + 64);
    units.clear();
    unit_info.clear();
    let mut body = Body {
        buffer: Vec::new(),
        units,
        unit_info,
        texts: Vec::with_capacity(pages.len()),
        words: 0,
        opening_end: 0,
    };
    for (pi, page) in pages.iter().enumerate() {
        if buffer.len() >= MAX_SCANNED {
            break;
        }
        let first = body.units.len();
        let p = normalize_page(&page.text, &mut buffer, &mut body.units);
        buffer.push(b'\n');
        body.words += p.words;
        if pi < 2 {
            body.opening_end = buffer.len();
        }
        let text: Cow<'_, str> = match p.composed {
            Some(c) => Cow::Owned(c),
            None => Cow::Borrowed(page.text.as_str()),
        };
        let page_units = body.units.get(first..).unwrap_or(&[]);
        for (k, u) in page_units.iter().enumerate() {
            let zone = if u.words <= 10 {
                let next_words = page_units.get(k + 1).map_or(0, |n| n.words as usize);
                let original = text.get(u.orig.0..u.orig.1).unwrap_or("");
                if is_heading(original, u.words as usize, k == 0, next_words) {
                    Zone::Heading
                } else {
                    Zone::Body
                }
            } else {
                Zone::Body
            };
            body.unit_info.push((pi as u32, zone));
        }
        body.texts.push(text);
    }
    body.buffer = buffer;
    body
}

/// The word right after `at` (or right before it), if only a few spaces or a hyphen
/// separate it: the next part of a name such as "Helsingin kaupunki".
fn neighbour(buffer: &[u8], at: usize, after: bool) -> &str {
    let word = |b: u8| kooste_normalize::is_word_byte(b);
    let (a, b) = if after {
        let s = (at..buffer.len().min(at + 5))
            .find(|&i| word(buffer[i]))
            .unwrap_or(at);
        let e = (s..buffer.len().min(s + 64))
            .find(|&i| !word(buffer[i]))
            .unwrap_or(buffer.len().min(s + 64));
        (s, e)
    } else {
        let e = (at.saturating_sub(5)..at)
            .rev()
            .find(|&i| word(buffer[i]))
            .map_or(at, |i| i + 1);
        let s = (e.saturating_sub(64)..e)
            .rev()
            .find(|&i| !word(buffer[i]))
            .map_or(e.saturating_sub(64), |i| i + 1);
        (s, e)
    };
    let gap = if after {
        &buffer[at..a]
    } else {
        &buffer[b..at]
    };
    if gap.iter().any(|&c| c.is_ascii_punctuation() && c != b'-') {
        return "";
    }
    buffer
        .get(a..b)
        .and_then(|w| std::str::from_utf8(w).ok())
        .unwrap_or("")
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
    if first_on_page || next_words >= 15 {
        return true;
    }
    let numbered = first.is_ascii_digit()
        && t.split_whitespace()
            .next()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        && n_words >= 2;
    numbered
        || (!t.chars().any(char::is_lowercase)
            && t.chars().filter(|c| c.is_alphabetic()).count() >= 4)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Rules, Settings};

    fn classify(path: &str, title: Option<&str>, pages: &[&str]) -> Classification {
        classify_with(&Rules::default_rules(), path, title, pages)
    }

    fn classify_with(
        rules: &Rules,
        path: &str,
        title: Option<&str>,
        pages: &[&str],
    ) -> Classification {
        let pages: Vec<Page> = pages
            .iter()
            .zip(1..)
            .map(|(t, n)| Page::new(n, *t))
            .collect();
        Classifier::new(rules).classify(&MaterialText {
            path,
            title,
            author: None,
            pages: &pages,
        })
    }

    fn theme_of(c: &Classification, id: &str) -> ThemeResult {
        c.themes
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {:?}", c.themes))
    }

    /// Each setting line of the default rules, changed as given, makes rules that are refused.
    fn refused(changes: &[(&str, &str)]) {
        for (from, to) in changes {
            assert!(crate::DEFAULT_RULES.contains(from), "{from}");
            let bad = crate::DEFAULT_RULES.replace(from, to);
            assert!(Rules::from_toml(&bad).is_err(), "{to}");
        }
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
    fn evidence_sentences_read_words_hyphenated_at_line_ends_whole() {
        let c = classify(
            "Helsinki/tyopaja.pdf",
            Some("Yhteiskehittämisen työpajat"),
            &[
                "Asukkaat osallistuivat palvelujen yhteiskehittä-\nmiseen ja asiakas- ja \
               asukasraadin\ntyöhön koko vuoden ajan.",
            ],
        );
        let theme = c.themes.iter().find(|t| t.id == "osallisuus");
        let snippets = theme.map(|t| t.snippets.clone()).unwrap_or_default();
        assert_eq!(
            snippets,
            [
                "Asukkaat osallistuivat palvelujen yhteiskehittämiseen ja asiakas- ja \
              asukasraadin työhön koko vuoden ajan."
            ]
        );
    }

    #[test]
    fn homographs_of_theme_words_count_for_nothing() {
        // alustava is no platform, vuoden alusta no platform either, käyttöönotto and
        // talteenotto no sample (otos), Johtamiskorkeakoulu no management.
        let c = classify(
            "muistio.txt",
            None,
            &[
                "Alustava aikataulu on voimassa vuoden alusta. Käyttöönotto ja talteenotto \
               sujuivat. Johtamiskorkeakoulun opiskelija kirjoitti sen.",
            ],
        );
        let scores: Vec<f64> = c.themes.iter().map(|t| t.score).collect();
        assert_eq!(scores, [0.0; 6], "{:?}", c.themes);
        // The same words with a real term: only the term counts.
        let c = classify(
            "muistio.txt",
            None,
            &["Otos oli alustava. Käyttöönotto alkoi."],
        );
        let data = c.themes.iter().find(|t| t.id == "asiakastieto");
        assert!(data.is_some_and(|t| t.score > 0.0), "{:?}", c.themes);
    }

    /// A file name whose words are joined by underscores holds the same phrases as one
    /// written with spaces: the longest term decides there too.
    #[test]
    fn underscores_in_file_names_part_words_as_spaces_do() {
        let pages = vec![Page::new(1, "Kokouksen muistio.")];
        let terms = |path: &str| -> Vec<String> {
            let text = MaterialText {
                path,
                title: None,
                author: None,
                pages: &pages,
            };
            let c = Classifier::new(&Rules::default_rules())
                .with_details(true)
                .classify(&text);
            let mut found: Vec<String> = c
                .themes
                .iter()
                .flat_map(|t| t.terms.iter().map(move |m| format!("{}:{}", t.id, m.term)))
                .collect();
            found.sort();
            found
        };
        let spaced = terms("Helsinki/Osallistuva budjetointi Helsinki.txt");
        assert!(
            spaced.contains(&"osallisuus:osallistuva budjetointi".to_string()),
            "{spaced:?}"
        );
        assert_eq!(
            terms("Helsinki/Osallistuva_budjetointi_Helsinki.txt"),
            spaced
        );
        assert_eq!(
            terms("Avoin_data_ja_rajapinnat.pdf"),
            terms("Avoin data ja rajapinnat.pdf")
        );
    }

    #[test]
    fn share_of_top_drops_themes_far_weaker_than_the_main_one() {
        let pages: Vec<Page> = vec![Page::new(
            1,
            "Työpajoissa asukkaat ja yritykset kehittivät palveluja yhdessä kaupungin kanssa. \
             Osallisuus syntyy, kun kuntalaiset pääsevät mukaan yhteiskehittämiseen alusta asti. \
             Asukasraati ja osallistuva budjetointi tuovat kuntalaiset päätöksentekoon. \
             Palautteet kerättiin sähköisellä kyselyllä.",
        )];
        let text = MaterialText {
            path: "Helsinki/TP2/Osallisuus ja yhteiskehittäminen.docx",
            title: Some("Osallisuus ja yhteiskehittäminen"),
            author: None,
            pages: &pages,
        };
        let mut rules = Rules::default_rules();
        // Low enough that the weaker themes pass it too: only the share decides.
        rules.settings.threshold = 0.5;
        let scores = Classifier::new(&rules).classify(&text);
        let top = scores.themes.iter().map(|t| t.score).fold(0.0, f64::max);
        let weaker: Vec<(String, f64)> = scores
            .themes
            .iter()
            .filter(|t| t.score >= 0.5 && t.score < top / 2.0)
            .map(|t| (t.id.clone(), t.score))
            .collect();
        assert!(!weaker.is_empty(), "{:?}", scores.themes);
        assert!(weaker.iter().all(|(id, _)| assigned(&scores).contains(id)));
        rules.settings.share_of_top = 0.5;
        let c = Classifier::new(&rules).classify(&text);
        for t in &c.themes {
            assert_eq!(
                t.assigned,
                t.score >= 0.5 && t.score >= top / 2.0,
                "{} {} of top {top}",
                t.id,
                t.score
            );
        }
        assert_eq!(assigned(&c).first().map(String::as_str), Some("osallisuus"));
        // The rules file says why a share is out of range.
        let bad = crate::DEFAULT_RULES.replace("share_of_top = 0.0", "share_of_top = 1.5");
        assert!(Rules::from_toml(&bad).is_err());
    }

    #[test]
    fn a_short_text_that_keeps_to_one_theme_gets_it_through_density() {
        let release = "Kaupunki ottaa käyttöön kotihoidon palvelusetelin maaliskuussa. \
            Palvelusetelillä ikäihminen voi valita itse, keneltä hän hankkii kotiin annettavan \
            hoidon. Palvelusetelin arvo riippuu tuloista. Palveluseteliä voi käyttää vain \
            hyväksytyn palveluntuottajan kanssa. Palvelusetelin saa kotihoidon ohjaajalta, \
            joka kertoo myös, miten palveluseteli toimii käytännössä.";
        let theme = |c: &Classification| theme_of(c, "monitoimijuus");
        let short = classify("Tiedote.txt", None, &[release]);
        let t = theme(&short);
        let s = Settings::default();
        // Saturation keeps the score under the threshold; the text is about nothing else.
        assert!(
            t.score < s.threshold && t.score >= s.density_share * s.threshold,
            "{t:?}"
        );
        assert!(t.density >= s.density, "{t:?}");
        assert_eq!(assigned(&short), ["monitoimijuus"]);
        // 6 occurrences of palveluseteli (3) and 1 of palveluntuottaja (2), counted over
        // at least density_min_words words.
        let expected = (6.0 * 3.0 + 2.0) * 1000.0 / s.density_min_words;
        assert!(
            (t.density - expected).abs() < 1e-9,
            "{} != {expected}",
            t.density
        );

        // Off, the density route assigns nothing.
        let mut rules = Rules::default_rules();
        rules.settings.density = 0.0;
        let off = classify_with(&rules, "Tiedote.txt", None, &[release]);
        assert!(assigned(&off).is_empty(), "{:?}", off.themes);

        // The same paragraph in a long text about other things is a passing mention.
        let filler = "Kirjasto on avoinna arkisin kello yhdeksästä kahdeksaan. ".repeat(300);
        let long = classify("Tiedote.txt", None, &[release, &filler]);
        assert!(theme(&long).density < s.density, "{:?}", theme(&long));
        assert!(assigned(&long).is_empty(), "{:?}", long.themes);

        // Out-of-range settings are refused with a reason.
        refused(&[
            ("density_share = 0.4", "density_share = 1.5"),
            ("density = 50.0", "density = -1.0"),
            ("density_min_words = 300.0", "density_min_words = 0.0"),
        ]);
    }

    #[test]
    fn a_side_thread_of_a_short_text_does_not_get_through_density() {
        // Participation in decisions: dense in management words too, but far weaker there.
        let text = "Asukkaat mukaan päätöksentekoon. Kaupunki kutsui asukkaat työpajoihin, joissa \
            asukkaat ja kaupungin työntekijät kehittivät yhdessä lähipalveluja. Asukasraati \
            kokoontui kolme kertaa, ja osallistujat äänestivät osallistuvan budjetoinnin \
            ehdotuksista. Päätöksenteko on avointa. Kaupungin hallinto tukee asukkaiden \
            osallisuutta. Asukkaiden osallisuus päätöksenteossa vahvistuu, kun \
            yhteiskehittäminen alkaa ennen päätöksentekoa. Työpajoissa asukkaat kertoivat \
            toiveistaan, ja asukasraadin ehdotukset vietiin päätöksentekoon. \
            Osallistujat kehittivät ideoita yhdessä asukasraadin kanssa.";
        let c = classify("Tiedote.txt", None, &[text]);
        let s = Settings::default();
        let (main, side) = (theme_of(&c, "osallisuus"), theme_of(&c, "johtaminen"));
        assert!(
            side.density >= s.density && side.score >= s.density_share * s.threshold,
            "{side:?}"
        );
        assert!(
            side.score < s.density_share_of_top * main.score,
            "{side:?} {main:?}"
        );
        assert_eq!(assigned(&c), ["osallisuus"]);

        // Without the share of the strongest theme, the side thread got through.
        let mut rules = Rules::default_rules();
        rules.settings.density_share_of_top = 0.0;
        let off = classify_with(&rules, "Tiedote.txt", None, &[text]);
        assert_eq!(assigned(&off), ["osallisuus", "johtaminen"]);

        refused(&[("density_share_of_top = 0.25", "density_share_of_top = 1.5")]);
    }

    #[test]
    fn a_long_document_gets_a_theme_only_where_a_section_is_on_it() {
        let mentions = [
            "Palveluseteli on yksi vaihtoehto.",
            "Palveluntuottaja valitaan myöhemmin.",
            "Ostopalvelu on mahdollinen.",
            "Kilpailutus alkaa syksyllä.",
            "Kolmas sektori on mukana.",
            "Palvelumarkkina kehittyy hitaasti.",
            "Valinnanvapaus lisääntyy vähitellen.",
            "Monituottajuus on tavoite.",
            "Markkinavuoropuhelu käydään keväällä.",
            "Järjestökenttä on laaja.",
            "Palvelutarjotin uudistetaan.",
            "Yhteiskunnallinen yritys voi osallistua.",
            "Innovatiivinen hankinta kokeillaan.",
            "Palveluverkosto tarkistetaan.",
        ];
        // Two mentions at a time, 320 words apart.
        let filler =
            "Kirjasto on avoinna arkisin kello yhdeksästä kahdeksaan iltaisin. ".repeat(40);
        let scattered: String = mentions
            .chunks(2)
            .map(|pair| format!("{} {filler}", pair.join(" ")))
            .collect();
        let together = format!(
            "{} {}",
            mentions.join(" "),
            filler.repeat(mentions.len() / 2)
        );
        let s = Settings::default();
        let theme = |c: &Classification| theme_of(c, "monitoimijuus");

        // The same terms and counts, so the same score, over the threshold.
        let apart = classify("Raportti.txt", None, &[&scattered]);
        let close = classify("Raportti.txt", None, &[&together]);
        assert!(apart.words as f64 >= s.long_document, "{}", apart.words);
        let (a, c) = (theme(&apart), theme(&close));
        assert!((a.score - c.score).abs() < 1e-9, "{a:?} {c:?}");
        assert!(a.score >= s.threshold, "{a:?}");
        // Scattered, no stretch of 300 words holds more than two mentions.
        assert!(a.section.is_some_and(|w| w <= 6.0), "{a:?}");
        assert!(assigned(&apart).is_empty(), "{:?}", apart.themes);
        // Together, one section holds them all: the theme is assigned.
        assert!(c.section.is_some_and(|w| w >= s.section_weight), "{c:?}");
        assert_eq!(assigned(&close), ["monitoimijuus"]);

        // A title on the theme speaks for the whole document.
        let titled = classify("Raportti.txt", Some("Palvelusetelit"), &[&scattered]);
        assert_eq!(assigned(&titled), ["monitoimijuus"]);
        // Short documents are not held to the rule, and 0 turns it off.
        let short = classify("Raportti.txt", None, &[&mentions.join(" ")]);
        assert!(theme(&short).section.is_none(), "{:?}", theme(&short));
        let mut rules = Rules::default_rules();
        rules.settings.section_weight = 0.0;
        let off = classify_with(&rules, "Raportti.txt", None, &[&scattered]);
        assert_eq!(assigned(&off), ["monitoimijuus"]);

        refused(&[
            ("section_span = 300.0", "section_span = 0.0"),
            ("section_weight = 20.0", "section_weight = -1.0"),
            ("long_document = 1500.0", "long_document = -5.0"),
        ]);
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
    fn odd_text_is_classified_without_panic() {
        let long_word = "a".repeat(100_000);
        let hyphens = "-\n".repeat(5_000);
        let mut mixed = String::new();
        for i in 0..3_000 {
            // Stand-ins, ä/Ä, line-end hyphens and breaks at every offset of the
            // eight-byte steps.
            mixed.push_str(
                [
                    "ä",
                    "Ä",
                    "–",
                    "…",
                    "\u{ad}",
                    "asia-\nkas",
                    ". ",
                    "\r\n",
                    "x",
                ][i % 9],
            );
            if i % 7 == 0 {
                mixed.push_str("\u{2028}yhteiskehittäminen\u{308}");
            }
        }
        let pages = [
            "TP 2 tp tyopaketti työpaketti_4 Helsingin Helsingin Helsingin",
            long_word.as_str(),
            hyphens.as_str(),
            mixed.as_str(),
            "",
            "\u{feff}\u{200b}",
            // Work packages are read from the first two pages only.
            "TP5",
        ];
        let c = classify("x/y/z.pdf", Some("\u{308}Ö"), &pages);
        assert_eq!(c.themes.len(), 6);
        assert!(c.themes.iter().all(|t| t.score.is_finite()));
        assert_eq!(
            c.tp.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
            ["TP2", "TP4"]
        );
        let c = classify("", None, &[]);
        assert!(c.themes.iter().all(|t| t.score == 0.0 && !t.assigned));
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
