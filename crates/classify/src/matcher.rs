//! Finds rule terms in normalised text, Finnish inflection and compounds included, in one
//! pass over the text whatever the number of rules.
//!
//! Every rule word is compiled into the stems its forms begin with (see [`crate::morph`]).
//! One Aho-Corasick automaton holds all stems of all rules (and the city names); a single
//! scan reports every place a stem occurs. Each occurrence is then checked against the word
//! around it: what precedes the stem inside the word (empty, or the first part of a
//! compound) and what follows it (an inflectional ending, or the rest of a compound).
//! Phrases are rule words found in consecutive words.

use crate::morph::{self, Endings, Harmony, Morphology};
use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind, dfa, nfa};
use kooste_model::City;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

/// Words longer than this (in bytes) are not words but URLs, hashes or garbage.
const MAX_WORD: usize = 64;
/// Keys shorter than this (in bytes) are whole words only and are looked up per word rather
/// than searched for: short strings occur inside too many words.
const MIN_KEY: usize = 4;
/// Shortest first part of a compound before a rule word (`asiakas|palvelu`).
const MIN_HEAD: usize = 3;

pub(crate) struct CompiledTerm {
    pub theme: usize,
    /// As the rules wrote it, for evidence.
    pub text: String,
    pub weight: f64,
    pub words: usize,
    /// A word that, where it occurs, cancels the theme's other matches in the same word.
    pub exclude: bool,
}

/// How a stem occurrence is checked against the word around it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    /// The whole word must be the key.
    Exact,
    /// The key begins the word (or a compound part, in full morphology); anything may follow.
    Prefix,
    /// The key is an inflection stem: an ending must follow, or (if `compound`) the rest of
    /// a compound.
    Stem { compound: bool },
    /// The key is the Snowball stem of the rule word; the word's own stem must equal it.
    Snowball,
}

#[derive(Clone, Copy, Debug)]
struct KeyRef {
    word: u32,
    check: Check,
    /// The key with ä, ö, å written a, o, a, as file names and some PDFs spell words.
    folded: bool,
}

struct WordInfo {
    term: u32,
    position: u8,
    harmony: Harmony,
    folded_harmony: Harmony,
}

/// A term found in the text: byte span from its first stem to the end of its last key, and
/// the index of its first word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hit {
    pub term: usize,
    pub word: u32,
    pub start: usize,
    pub end: usize,
}

/// A word naming a city, by its index among the words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CityMention {
    pub city: City,
    pub word: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub hits: Vec<Hit>,
    pub cities: Vec<CityMention>,
}

/// The automaton over all keys: a DFA when it can be built (fastest), else an NFA.
enum Engine {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

pub(crate) struct Matcher {
    engine: Option<Engine>,
    /// For each pattern of the automaton: the rule words it is a stem of.
    targets: Vec<Vec<KeyRef>>,
    /// Whole words shorter than [`MIN_KEY`] bytes: `api`, `ai`, `ict`.
    short: HashMap<String, Vec<KeyRef>>,
    /// Patterns from this index on are city-name stems.
    first_city_pattern: usize,
    words: Vec<WordInfo>,
    pub terms: Vec<CompiledTerm>,
    morphology: Morphology,
    stemmer: Stemmer,
    endings: &'static Endings,
}

/// Stems that every inflected form of a city name begins with; [`crate::city::city_of_word`]
/// decides.
const CITY_KEYS: [&str; 8] = [
    "helsin", "espoo", "espoa", "vantaa", "tampere", "turku", "turu", "oulu",
];

/// A rule term as compiled: (theme index, normalised text, weight, exclude).
pub(crate) type TermSpec = (usize, String, f64, bool);

/// A rule word found in a word of the text: (word index, key start, key end, rule word).
type Found = (u32, u32, u32, u32);

impl Matcher {
    pub(crate) fn new(
        terms: impl IntoIterator<Item = TermSpec>,
        morphology: Morphology,
    ) -> Matcher {
        let stemmer = Stemmer::create(Algorithm::Finnish);
        let mut keys = Keys::default();
        let mut words = Vec::new();
        let mut compiled = Vec::new();
        for (theme, text, weight, exclude) in terms {
            let term_words: Vec<String> = text
                .split(|c: char| !(c.is_alphanumeric() || c == '*'))
                .filter(|w| !w.trim_matches('*').is_empty())
                .map(str::to_string)
                .collect();
            if term_words.is_empty() || term_words.len() > usize::from(u8::MAX) {
                continue;
            }
            let term = compiled.len() as u32;
            for (position, w) in term_words.iter().enumerate() {
                let word = words.len() as u32;
                let base = w.trim_end_matches('*');
                words.push(WordInfo {
                    term,
                    position: position as u8,
                    harmony: morph::harmony(base),
                    folded_harmony: morph::harmony(&fold_scandinavian(base)),
                });
                let key = |text: String, check: Check| {
                    (
                        text,
                        KeyRef {
                            word,
                            check,
                            folded: false,
                        },
                    )
                };
                let plain = base.chars().all(char::is_alphabetic) && base.chars().count() > 3;
                if w.ends_with('*') {
                    // Prefixes are strings of letters; a `*` inside the word is dropped.
                    keys.add(key(base.replace('*', ""), Check::Prefix));
                } else if !plain || morphology == Morphology::Exact {
                    keys.add(key(base.to_string(), Check::Exact));
                } else if morphology == Morphology::Snowball {
                    keys.add(key(stemmer.stem(base).into_owned(), Check::Snowball));
                } else {
                    let gradation = morphology != Morphology::Stems;
                    for stem in morph::stems(base, gradation) {
                        let check = Check::Stem {
                            compound: stem.compound,
                        };
                        keys.add(key(stem.text, check));
                    }
                }
            }
            compiled.push(CompiledTerm {
                theme,
                text,
                weight,
                words: term_words.len(),
                exclude,
            });
        }
        let first_city_pattern = keys.patterns.len();
        let mut patterns = keys.patterns;
        patterns.extend(CITY_KEYS.iter().map(|k| k.to_string()));
        // A DFA costs memory in proportion to the patterns but scans fastest; rules of a few
        // thousand stems make a few megabytes. Should it fail, an NFA does the same slower.
        let engine = dfa::DFA::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map(Engine::Dfa)
            .or_else(|_| {
                nfa::contiguous::NFA::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map(Engine::Nfa)
            })
            .ok();
        Matcher {
            engine,
            targets: keys.targets,
            short: keys.short,
            first_city_pattern,
            words,
            terms: compiled,
            morphology,
            stemmer,
            endings: Endings::get(),
        }
    }

    /// Every term and city name in normalised text whose words (byte spans into `text`,
    /// in order) are given. Hits come sorted by start; a hit of a theme that lies inside a
    /// longer hit of the same theme is dropped (the more specific term speaks for the theme:
    /// `asiakastieto`, not also `asiakas` and `tieto`).
    pub(crate) fn scan(&self, text: &str, words: &[(u32, u32)]) -> Scan {
        let mut scan = Scan::default();
        let mut found: Vec<Found> = Vec::new();
        match &self.engine {
            Some(Engine::Dfa(a)) => self.walk(a, text, words, &mut found, &mut scan),
            Some(Engine::Nfa(a)) => self.walk(a, text, words, &mut found, &mut scan),
            None => {}
        }
        if found.is_empty() {
            return scan;
        }
        found.sort_unstable_by_key(|f| (f.0, f.3, f.1));
        found.dedup_by_key(|f| (f.0, f.3));
        let mut hits = self.assemble(text, words, &found);
        drop_contained(&mut hits, &self.terms);
        scan.hits = hits;
        scan
    }

    /// Runs the automaton over each word from its start (keys never cross words) and checks
    /// every key found against the word around it. Short words are looked up whole.
    fn walk<A: Automaton>(
        &self,
        automaton: &A,
        text: &str,
        words: &[(u32, u32)],
        found: &mut Vec<Found>,
        scan: &mut Scan,
    ) {
        let bytes = text.as_bytes();
        let Ok(start) = automaton.start_state(Anchored::No) else {
            return;
        };
        for (wi, &(ws, we)) in words.iter().enumerate() {
            let (ws, we) = (ws as usize, we as usize);
            let len = we - ws;
            if len < MIN_KEY {
                if !self.short.is_empty() {
                    if let Some(refs) = text.get(ws..we).and_then(|w| self.short.get(w)) {
                        for r in refs {
                            found.push((wi as u32, ws as u32, we as u32, r.word));
                        }
                    }
                }
                continue;
            }
            if len > MAX_WORD {
                continue;
            }
            let mut sid = start;
            for (k, &b) in bytes[ws..we].iter().enumerate() {
                sid = automaton.next_state(Anchored::No, sid, b);
                if !automaton.is_special(sid) || !automaton.is_match(sid) {
                    continue;
                }
                let e = ws + k + 1;
                for m in 0..automaton.match_len(sid) {
                    let pattern = automaton.match_pattern(sid, m).as_usize();
                    let s = e - automaton.pattern_len(automaton.match_pattern(sid, m));
                    if pattern >= self.first_city_pattern {
                        if s == ws && scan.cities.last().is_none_or(|c| c.word != wi) {
                            if let Some(city) = crate::city::city_of_word(&text[ws..we]) {
                                scan.cities.push(CityMention { city, word: wi });
                            }
                        }
                        continue;
                    }
                    for r in self.targets.get(pattern).into_iter().flatten() {
                        if self.check(r, text, ws, we, s, e) {
                            found.push((wi as u32, s as u32, e as u32, r.word));
                        }
                    }
                }
            }
        }
    }

    fn check(&self, r: &KeyRef, text: &str, ws: usize, we: usize, s: usize, e: usize) -> bool {
        let head = &text[ws..s];
        let rest = &text[e..we];
        let compounds = self.morphology.compounds();
        let head_ok = head.is_empty() || (compounds && head.chars().count() >= MIN_HEAD);
        match r.check {
            Check::Exact => head.is_empty() && rest.is_empty(),
            Check::Prefix => head_ok,
            Check::Snowball => head.is_empty() && self.stemmer.stem(&text[ws..we]) == text[s..e],
            Check::Stem { compound } => {
                let key_chars = text[s..e].chars().count();
                if !head_ok || (!head.is_empty() && key_chars < 4) {
                    return false;
                }
                let harmony = self.words.get(r.word as usize).map_or(Harmony::Back, |w| {
                    if r.folded {
                        w.folded_harmony
                    } else {
                        w.harmony
                    }
                });
                if self.endings.accepts(rest, harmony) {
                    return true;
                }
                if !compounds {
                    return false;
                }
                // Short stems (data, idea) need a longer rest before a compound is believed.
                let long_enough = |r: &str| key_chars > 4 || r.chars().count() >= 5;
                // The base form begins compounds (asiakas|kokemus); any stem does in the
                // genitive (kaupungin|johtaja).
                (compound && morph::compound_rest(rest) && long_enough(rest))
                    || rest
                        .strip_prefix('n')
                        .is_some_and(|r| morph::compound_rest(r) && long_enough(r))
            }
        }
    }

    /// Turns rule words found in words into terms: one-word terms directly, phrases where
    /// their words follow each other. Exclusions cancel their theme's hits in their word.
    fn assemble(&self, text: &str, words: &[(u32, u32)], found: &[Found]) -> Vec<Hit> {
        let bytes = text.as_bytes();
        let mut hits = Vec::new();
        let mut excluded: Vec<(u32, usize)> = Vec::new(); // (word index, theme)
        for &(wi, s, e, word) in found {
            let Some(info) = self.words.get(word as usize) else {
                continue;
            };
            if info.position != 0 {
                continue;
            }
            let Some(term) = self.terms.get(info.term as usize) else {
                continue;
            };
            let mut end = e;
            let mut complete = true;
            for k in 1..term.words {
                let next = wi as usize + k;
                let adjacent = words
                    .get(next - 1)
                    .zip(words.get(next))
                    .is_some_and(|(a, b)| joined(&bytes[a.1 as usize..b.0 as usize]));
                let group_start = found.partition_point(|f| (f.0 as usize) < next);
                let m = found[group_start..]
                    .iter()
                    .take_while(|f| f.0 as usize == next)
                    .find(|f| {
                        self.words
                            .get(f.3 as usize)
                            .is_some_and(|w| w.term == info.term && usize::from(w.position) == k)
                    });
                match m {
                    Some(f) if adjacent => end = f.2,
                    _ => {
                        complete = false;
                        break;
                    }
                }
            }
            if !complete {
                continue;
            }
            if term.exclude {
                excluded.push((wi, term.theme));
            } else {
                hits.push(Hit {
                    term: info.term as usize,
                    word: wi,
                    start: s as usize,
                    end: end as usize,
                });
            }
        }
        if !excluded.is_empty() {
            hits.retain(|h| {
                let theme = self.terms.get(h.term).map_or(usize::MAX, |t| t.theme);
                !excluded.contains(&(h.word, theme))
            });
        }
        hits.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        hits
    }
}

/// Keys of the automaton and short whole words, collected while compiling the rules.
#[derive(Default)]
struct Keys {
    patterns: Vec<String>,
    index: HashMap<String, usize>,
    targets: Vec<Vec<KeyRef>>,
    short: HashMap<String, Vec<KeyRef>>,
}

impl Keys {
    fn add(&mut self, (key, r): (String, KeyRef)) {
        if key.is_empty() {
            return;
        }
        let folded = fold_scandinavian(&key);
        if folded != key {
            self.insert(folded, KeyRef { folded: true, ..r });
        }
        self.insert(key, r);
    }

    fn insert(&mut self, key: String, r: KeyRef) {
        if key.len() < MIN_KEY {
            match r.check {
                // A short prefix is a whole short word, or the start of a longer one.
                Check::Exact | Check::Prefix => self.short.entry(key.clone()).or_default().push(r),
                // A stem that short is too unspecific to search for.
                Check::Stem { .. } | Check::Snowball => return,
            }
            if r.check == Check::Exact {
                return;
            }
        }
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.patterns.push(key.clone());
                self.targets.push(Vec::new());
                self.index.insert(key, self.patterns.len() - 1);
                self.patterns.len() - 1
            }
        };
        if let Some(t) = self.targets.get_mut(i) {
            t.push(r);
        }
    }
}

/// Whether the bytes between two words keep them one phrase: spaces, hyphens and at most
/// one line break, nothing that ends a sentence or a clause.
fn joined(gap: &[u8]) -> bool {
    gap.len() <= 8
        && gap.iter().filter(|&&b| b == b'\n').count() <= 1
        && gap
            .iter()
            .all(|&b| matches!(b, b' ' | b'\t' | b'-' | b'\n'))
}

/// Drops hits strictly inside a longer hit of the same theme, and repeats of the same span.
fn drop_contained(hits: &mut Vec<Hit>, terms: &[CompiledTerm]) {
    let theme = |h: &Hit| terms.get(h.term).map_or(usize::MAX, |t| t.theme);
    let mut keep = vec![true; hits.len()];
    for i in 0..hits.len() {
        // Sorted by start, longest first: only earlier hits can contain a later one.
        let (a_start, a_end, a_theme) = (hits[i].start, hits[i].end, theme(&hits[i]));
        for j in (0..i).rev() {
            if hits[j].end <= a_start {
                // Hits do not nest across words far apart; stop at a reasonable distance.
                if a_start - hits[j].start > MAX_WORD * 8 {
                    break;
                }
                continue;
            }
            if keep[j]
                && theme(&hits[j]) == a_theme
                && hits[j].start <= a_start
                && hits[j].end >= a_end
            {
                keep[i] = false;
                break;
            }
        }
    }
    let mut it = keep.into_iter();
    hits.retain(|_| it.next().unwrap_or(true));
}

/// ä, ö and å written without their marks.
fn fold_scandinavian(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' | 'å' => 'a',
            'ö' => 'o',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher_with(terms: &[&str], morphology: Morphology) -> Matcher {
        Matcher::new(
            terms.iter().map(|t| (0, t.to_string(), 1.0, false)),
            morphology,
        )
    }

    fn matcher(terms: &[&str]) -> Matcher {
        matcher_with(terms, Morphology::Full)
    }

    fn scan(m: &Matcher, text: &str) -> Scan {
        let mut norm = String::new();
        let mut seg = kooste_normalize::Segments::default();
        kooste_normalize::segment_into(text, &mut norm, &mut seg);
        m.scan(&norm, &seg.words)
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        scan(m, text)
            .hits
            .into_iter()
            .map(|h| format!("{}@{}", m.terms[h.term].text, h.start))
            .collect()
    }

    #[test]
    fn inflected_forms_match_their_base_form() {
        let m = matcher(&[
            "rajapinta",
            "yhteiskehittäminen",
            "palvelu",
            "asiakas",
            "kaupunki",
        ]);
        assert_eq!(found(&m, "rajapintojen"), ["rajapinta@0"]);
        assert_eq!(found(&m, "yhteiskehittämisen"), ["yhteiskehittäminen@0"]);
        assert_eq!(found(&m, "yhteiskehittämistä"), ["yhteiskehittäminen@0"]);
        assert_eq!(found(&m, "Palveluiden"), ["palvelu@0"]);
        assert_eq!(
            found(&m, "asiakkaiden asiakkaan"),
            ["asiakas@0", "asiakas@12"]
        );
        assert_eq!(found(&m, "kaupungin"), ["kaupunki@0"]);
    }

    #[test]
    fn compound_parts_match() {
        let m = matcher(&["asiakas", "palvelu", "kokemus"]);
        assert_eq!(found(&m, "asiakaskokemus"), ["asiakas@0", "kokemus@7"]);
        assert_eq!(found(&m, "asiakaspalvelun"), ["asiakas@0", "palvelu@7"]);
        assert_eq!(found(&m, "itsepalvelukioski"), ["palvelu@4"]);
        // Not a compound: a derivation, or too short a first part.
        let m = matcher(&["alusta", "tieto"]);
        assert!(found(&m, "alustavasti alustava alustus kalustaa").is_empty());
        assert!(found(&m, "tietoinen").is_empty());
    }

    #[test]
    fn compounds_only_in_full_morphology() {
        let m = matcher_with(&["asiakas"], Morphology::Gradation);
        assert_eq!(found(&m, "asiakkaiden"), ["asiakas@0"]);
        assert!(found(&m, "asiakaskokemus").is_empty());
        let m = matcher_with(&["rajapinta"], Morphology::Stems);
        assert_eq!(found(&m, "rajapintojen"), ["rajapinta@0"]);
        assert!(found(&m, "rajapinnan").is_empty());
        let m = matcher_with(&["asiakas"], Morphology::Exact);
        assert!(found(&m, "asiakkaan").is_empty());
        assert_eq!(found(&m, "asiakas"), ["asiakas@0"]);
    }

    #[test]
    fn phrases_need_consecutive_words() {
        let m = matcher(&["avoin data"]);
        assert_eq!(found(&m, "avoimen datan hyödyntäminen"), ["avoin data@0"]);
        assert_eq!(found(&m, "avoin\ndata"), ["avoin data@0"]);
        assert!(found(&m, "avoin ja suljettu data").is_empty());
        assert!(found(&m, "avoin. data").is_empty());
    }

    #[test]
    fn short_words_match_whole_only() {
        let m = matcher(&["api", "ai"]);
        assert!(found(&m, "kapina rapia aika").is_empty());
        assert_eq!(found(&m, "API:n kautta"), ["api@0"]);
    }

    #[test]
    fn wildcards_and_exclusions() {
        let m = Matcher::new(
            [
                (0, "osallistu*".to_string(), 1.0, false),
                (0, "alusta".to_string(), 1.0, false),
                (0, "kasvualusta".to_string(), 1.0, true),
            ],
            Morphology::Full,
        );
        let hits: Vec<String> = scan(&m, "Osallistuimme. Kasvualustan ja alustan.")
            .hits
            .iter()
            .map(|h| m.terms[h.term].text.clone())
            .collect();
        assert_eq!(hits, ["osallistu*", "alusta"]);
    }

    #[test]
    fn the_more_specific_term_of_a_theme_wins() {
        let m = matcher(&["asiakas", "asiakastieto", "tieto"]);
        assert_eq!(found(&m, "asiakastiedon"), ["asiakastieto@0"]);
        // Other themes keep their own match.
        let m = Matcher::new(
            [
                (0, "asiakastieto".to_string(), 1.0, false),
                (1, "asiakas".to_string(), 1.0, false),
            ],
            Morphology::Full,
        );
        assert_eq!(scan(&m, "asiakastiedon").hits.len(), 2);
    }

    #[test]
    fn cities_are_found_in_any_inflection() {
        let m = matcher(&["palvelu"]);
        let t = "helsingin palvelut ja espoossa sekä vantaalla, oulussa ei";
        let cities: Vec<City> = scan(&m, t).cities.iter().map(|c| c.city).collect();
        assert_eq!(
            cities,
            [City::Helsinki, City::Espoo, City::Vantaa, City::Oulu]
        );
    }

    #[test]
    fn words_spelled_without_scandinavian_letters_match() {
        let m = matcher(&["yhteiskehittäminen", "työpaja"]);
        assert_eq!(
            found(&m, "Helsinki_Yhteiskehittamisen_malli tyopajat"),
            ["yhteiskehittäminen@9", "työpaja@34"]
        );
    }

    #[test]
    fn snowball_mode_compares_stems() {
        let m = matcher_with(&["palvelu"], Morphology::Snowball);
        assert_eq!(found(&m, "palveluiden"), ["palvelu@0"]);
    }
}
