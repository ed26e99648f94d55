//! Finds rule terms in normalised text, Finnish inflection and compounds included, in one
//! pass over the text whatever the number of rules.
//!
//! Every rule word is compiled into the stems its forms begin with (see [`crate::morph`]).
//! One Aho-Corasick DFA holds all stems of all rules, the city names and the work-package
//! words; a single scan reports every place a stem occurs. Only there is the word around it
//! looked at: what precedes the stem inside the word (nothing, or the first part of a
//! compound) and what follows it (an inflectional ending, or the rest of a compound).
//! Phrases are rule words found in consecutive words.
//!
//! The scan walks four stretches of the text at once: each step of a DFA waits for the
//! memory load of the step before, and four independent walks keep the processor busy
//! while they wait.

use crate::morph::{self, EndingCache, Endings, Harmony, Morphology};
use crate::scan_table::{Direct, ScanTable, Walk};
use aho_corasick::{MatchKind, nfa};
use kooste_model::{City, WorkPackage};
use kooste_normalize::is_word_byte;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

/// Words longer than this (in bytes) are not words but URLs, hashes or garbage.
const MAX_WORD: usize = 64;
/// Terms lighter than this match whole words only, not parts of compounds.
const MIN_COMPOUND_WEIGHT: f64 = 1.0;
/// Shortest first part of a compound before a rule word (`asiakas|palvelu`).
const MIN_HEAD: usize = 3;
/// Texts shorter than this are scanned in one walk.
const MIN_SPLIT: usize = 4096;

pub(crate) struct CompiledTerm {
    pub theme: usize,
    /// As the rules wrote it, for evidence.
    pub text: String,
    pub weight: f64,
    pub words: usize,
    /// A word that, where it occurs, cancels the theme's other matches in the same word.
    pub exclude: bool,
}

/// Words of an excluding phrase that exclude the terms found in them; rule phrases are
/// shorter.
const MAX_PHRASE_WORDS: usize = 8;

/// How a stem occurrence is checked against the word around it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    /// The whole word must be the key.
    Exact,
    /// The key begins the word (or a compound part, in full morphology); anything may follow.
    Prefix,
    /// The key is an inflection stem: an ending must follow, or (if `compound`) the rest of
    /// a compound.
    Stem {
        compound: bool,
        partitive_only: bool,
    },
    /// The key is the Snowball stem of the rule word; the word's own stem must equal it.
    Snowball,
}

#[derive(Clone, Copy, Debug)]
struct KeyRef {
    word: u32,
    check: Check,
    /// The key with ä, ö, å written a, o, a, as file names and some PDFs spell words.
    folded: bool,
    /// Whether the word may be a part of a compound. Context words of small weight (asiakas,
    /// tieto, yritys) are too common as compound parts to say anything there.
    in_compounds: bool,
}

/// What a pattern of the automaton stands for.
enum Target {
    Keys(Vec<KeyRef>),
    City,
    /// `tp` or the stem of `työpaketti`, read with the word after it.
    WorkPackage,
}

struct WordInfo {
    term: u32,
    position: u8,
    harmony: Harmony,
    folded_harmony: Harmony,
    /// A one-letter word of a phrase (`e` in `e-palvelu`): compared where its phrase is
    /// found, never searched for.
    literal: Option<String>,
    /// The word's keys, for checking it in place next to its phrase's anchor.
    keys: Vec<(String, KeyRef)>,
}

/// A term found in the text: byte span from its first key to the end of its last key, and
/// where its first word starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hit {
    pub term: usize,
    pub word: usize,
    pub start: usize,
    pub end: usize,
}

/// A word naming a city: its span, and the words just before and after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CityMention {
    pub city: City,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub hits: Vec<Hit>,
    pub cities: Vec<CityMention>,
    /// Work packages named, with where.
    pub work_packages: Vec<(WorkPackage, usize)>,
}

/// Working memory of a scan, kept between texts so that it is allocated once.
#[derive(Default)]
pub(crate) struct ScanScratch {
    raw: Vec<(u32, u32)>,
    /// Matches of each of the four stretches walked at once, before they are joined.
    stretches: [Vec<(u32, u32)>; 4],
    found: Vec<Found>,
    excluded: Vec<(usize, usize)>,
    seen: Vec<u32>,
    endings: EndingCache,
}

/// Bytes a list holds on the heap, used or not.
pub(crate) fn held<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

impl ScanScratch {
    /// Bytes held by the lists that grow with the text (the ending cache has a fixed size).
    pub(crate) fn bytes(&self) -> usize {
        held(&self.raw)
            + self.stretches.iter().map(held).sum::<usize>()
            + held(&self.found)
            + held(&self.excluded)
            + held(&self.seen)
    }
}

/// The automaton over all keys: laid out as a [`ScanTable`] when its size allows (fastest),
/// else the NFA walked as it is.
enum Engine {
    Table(ScanTable),
    Nfa(Direct<nfa::noncontiguous::NFA>),
}

pub(crate) struct Matcher {
    engine: Option<Engine>,
    /// For each pattern: its length in bytes and in characters.
    pattern_lens: Vec<(usize, usize)>,
    /// For each pattern of the automaton: what it stands for.
    targets: Vec<Target>,
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

/// Words that name a work package with a number after them.
const WORK_PACKAGE_KEYS: [&str; 3] = ["tp", "työpaket", "tyopaket"];

/// A rule term as compiled: (theme index, normalised text, weight, exclude).
pub(crate) type TermSpec = (usize, String, f64, bool);

/// A rule word found in a word of the text: (word start, word end, key start, key end,
/// rule word).
type Found = (u32, u32, u32, u32, u32);

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
            // A term needs one word that can be searched for.
            let searchable = term_words.iter().any(|w| w.trim_end_matches('*').len() > 1);
            if !searchable || term_words.len() > usize::from(u8::MAX) {
                continue;
            }
            let term = compiled.len() as u32;
            // Of a phrase only the longest word is searched for; the others are checked
            // where it is found, so that common short words of phrases ("uusi", "asti")
            // are not searched for all over the text. Of equally long words the last: a
            // Finnish phrase ends in its head, and the words before it are the common ones
            // (vuoden alusta, avoin data).
            let anchor = term_words
                .iter()
                .enumerate()
                .filter(|(_, w)| w.trim_end_matches('*').len() > 1)
                .max_by_key(|(i, w)| (w.chars().count(), *i))
                .map_or(0, |(i, _)| i);
            for (position, w) in term_words.iter().enumerate() {
                let word = words.len() as u32;
                let base = w.trim_end_matches('*');
                let literal = (base.len() <= 1).then(|| base.to_string());
                let mut word_keys: Vec<(String, KeyRef)> = Vec::new();
                if literal.is_none() {
                    let mut key = |text: String, check: Check| {
                        word_keys.extend(expand(
                            text,
                            KeyRef {
                                word,
                                check,
                                folded: false,
                                in_compounds: weight.abs() >= MIN_COMPOUND_WEIGHT || exclude,
                            },
                        ))
                    };
                    let plain = base.chars().all(char::is_alphabetic) && base.chars().count() > 3;
                    if w.ends_with('*') {
                        // Prefixes are strings of letters; a `*` inside the word is dropped.
                        key(base.replace('*', ""), Check::Prefix);
                    } else if !plain || morphology == Morphology::Exact {
                        key(base.to_string(), Check::Exact);
                    } else if morphology == Morphology::Snowball {
                        key(stemmer.stem(base).into_owned(), Check::Snowball);
                    } else {
                        let gradation = morphology != Morphology::Stems;
                        for stem in morph::stems(base, gradation) {
                            let check = Check::Stem {
                                compound: stem.compound,
                                partitive_only: stem.partitive_only,
                            };
                            key(stem.text, check);
                        }
                    }
                }
                if position == anchor {
                    for (k, r) in &word_keys {
                        keys.insert(k.clone(), *r);
                    }
                }
                words.push(WordInfo {
                    term,
                    position: position as u8,
                    harmony: morph::harmony(base),
                    folded_harmony: morph::harmony(&fold_scandinavian(base)),
                    literal,
                    keys: word_keys,
                });
            }
            compiled.push(CompiledTerm {
                theme,
                text,
                weight,
                words: term_words.len(),
                exclude,
            });
        }
        let mut patterns = keys.patterns;
        let mut targets: Vec<Target> = keys.targets.into_iter().map(Target::Keys).collect();
        for city in CITY_KEYS {
            patterns.push(city.to_string());
            targets.push(Target::City);
        }
        for wp in WORK_PACKAGE_KEYS {
            patterns.push(wp.to_string());
            targets.push(Target::WorkPackage);
        }
        // A DFA costs memory in proportion to the patterns but scans fastest; rules of a few
        // thousand stems make a few megabytes. Should it fail, an NFA does the same slower.
        // The trie with its failure links is built once and laid out as a flat table (the
        // DFA that aho-corasick would make of it costs more to build than the table's own
        // walk over it). Rules too large for a table keep the trie as their automaton.
        let engine = nfa::noncontiguous::NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .ok()
            .map(|nfa| match ScanTable::new(&nfa, &patterns) {
                Some(table) => Engine::Table(table),
                None => Engine::Nfa(Direct(nfa)),
            });
        let pattern_lens = patterns
            .iter()
            .map(|p| (p.len(), p.chars().count()))
            .collect();
        Matcher {
            engine,
            pattern_lens,
            targets,
            words,
            terms: compiled,
            morphology,
            stemmer,
            endings: Endings::get(),
        }
    }

    /// Every term, city name and work package in normalised text (valid UTF-8 in which
    /// every non-ASCII byte belongs to a letter or digit). Hits come sorted by start; a hit
    /// of a theme that lies inside a longer hit of the same theme is dropped (the more
    /// specific term speaks for the theme: `asiakastieto`, not also `asiakas` and `tieto`).
    pub(crate) fn scan(&self, bytes: &[u8]) -> Scan {
        self.scan_with(bytes, &mut ScanScratch::default())
    }

    /// [`Matcher::scan`] with working memory that the caller keeps from one text to the next.
    pub(crate) fn scan_with(&self, bytes: &[u8], scratch: &mut ScanScratch) -> Scan {
        let raw = &mut scratch.raw;
        raw.clear();
        let stretches = &mut scratch.stretches;
        match &self.engine {
            Some(Engine::Table(a)) => raw_matches(a, bytes, raw, stretches),
            Some(Engine::Nfa(a)) => raw_matches(a, bytes, raw, stretches),
            None => {}
        }
        let mut scan = Scan::default();
        if raw.is_empty() {
            return scan;
        }
        // Matches come in order of end, so words come in order and the rule words found
        // in one word are next to each other: `found` is sorted by word start as built.
        // Phrase anchors go to `found` for assembling; one-word terms become hits at once.
        let found = &mut scratch.found;
        found.clear();
        let excluded = &mut scratch.excluded;
        excluded.clear();
        let mut hits: Vec<Hit> = Vec::with_capacity(raw.len());
        // Rule words already found in the current word: each counts once per word.
        let seen = &mut scratch.seen;
        seen.clear();
        let mut word: Option<(usize, usize)> = None;
        for &(end, pattern) in raw.iter() {
            let (e, pattern) = (end as usize, pattern as usize);
            let Some(&(len, key_chars)) = self.pattern_lens.get(pattern) else {
                continue;
            };
            let Some(s) = e.checked_sub(len) else {
                continue;
            };
            // City names and work packages count only at the start of a word (oulu is not
            // in koulu): most of their matches end here, before any word is looked at.
            if matches!(
                self.targets.get(pattern),
                Some(Target::City | Target::WorkPackage)
            ) && s > 0
                && is_word_byte(bytes[s - 1])
            {
                continue;
            }
            // Most matches share the word of the one before.
            let (ws, we) = match word {
                Some((ws, we)) if ws <= s && e <= we => (ws, we),
                _ => match word_around(bytes, s, e) {
                    Some(w) => {
                        word = Some(w);
                        seen.clear();
                        w
                    }
                    None => continue,
                },
            };
            match self.targets.get(pattern) {
                Some(Target::Keys(refs)) => {
                    let mut context = Context::new(bytes, ws, we, s, e, key_chars);
                    for r in refs {
                        if seen.contains(&r.word)
                            || !self.check(r, &mut context, &mut scratch.endings)
                        {
                            continue;
                        }
                        seen.push(r.word);
                        let term = self.words.get(r.word as usize).map(|w| w.term as usize);
                        match term.and_then(|t| self.terms.get(t).map(|c| (t, c))) {
                            Some((t, c)) if c.words == 1 => {
                                if c.exclude {
                                    excluded.push((ws, c.theme));
                                } else {
                                    hits.push(Hit {
                                        term: t,
                                        word: ws,
                                        start: s,
                                        end: e,
                                    });
                                }
                            }
                            _ => found.push((ws as u32, we as u32, s as u32, e as u32, r.word)),
                        }
                    }
                }
                Some(Target::City) if s == ws => {
                    let city = bytes.get(ws..we).and_then(crate::city::city_of_word);
                    if let Some(city) = city
                        && scan.cities.last().is_none_or(|c| c.start != ws)
                    {
                        scan.cities.push(CityMention {
                            city,
                            start: ws,
                            end: we,
                        });
                    }
                }
                Some(Target::WorkPackage) if s == ws => {
                    if let Some(wp) = work_package_at(bytes, ws, we) {
                        scan.work_packages.push((wp, ws));
                    }
                }
                _ => {}
            }
        }
        if found.is_empty() && hits.is_empty() {
            return scan;
        }
        self.assemble(bytes, found, excluded, &mut scratch.endings, &mut hits);
        drop_contained(&mut hits, &self.terms);
        scan.hits = hits;
        scan
    }

    /// Whether the word's Snowball stem is the key (the stemmer works on `str`).
    fn snowball_equal(&self, c: &Context<'_>) -> bool {
        std::str::from_utf8(c.word).is_ok_and(|w| self.stemmer.stem(w).as_bytes() == c.key)
    }

    fn check(&self, r: &KeyRef, c: &mut Context<'_>, cache: &mut EndingCache) -> bool {
        // The commonest case: the word is the key itself.
        if c.head.is_empty() && c.rest.is_empty() {
            return r.check != Check::Snowball || self.snowball_equal(c);
        }
        let compounds = self.morphology.compounds() && r.in_compounds;
        let head_ok = c.head.is_empty()
            || (compounds && char_count(c.head) >= MIN_HEAD && morph::compound_head(c.head));
        match r.check {
            Check::Exact => false,
            Check::Prefix => head_ok,
            Check::Snowball => c.head.is_empty() && self.snowball_equal(c),
            Check::Stem {
                compound,
                partitive_only,
            } => {
                if !head_ok || (!c.head.is_empty() && c.key_chars < 4) {
                    return false;
                }
                let harmony = self.words.get(r.word as usize).map_or(Harmony::Back, |w| {
                    if r.folded {
                        w.folded_harmony
                    } else {
                        w.harmony
                    }
                });
                if c.ending(harmony, self.endings, cache)
                    && (!partitive_only || morph::partitive_or_clitic(c.rest))
                {
                    return true;
                }
                compounds && c.compound_rest(compound)
            }
        }
    }

    /// Whether the text word `a..b` is a form of rule word `word`, and where its key is.
    fn word_in_place(
        &self,
        word: usize,
        text: &[u8],
        a: usize,
        b: usize,
        cache: &mut EndingCache,
    ) -> Option<(usize, usize)> {
        let info = self.words.get(word)?;
        let w = text.get(a..b)?;
        if let Some(l) = &info.literal {
            return (w == l.as_bytes()).then_some((a, b));
        }
        for (key, r) in &info.keys {
            let key = key.as_bytes();
            if key.len() > w.len() {
                continue;
            }
            let key_chars = char_count(key);
            for p in 0..=w.len() - key.len() {
                if !w[p..].starts_with(key) {
                    continue;
                }
                let mut context = Context::new(text, a, b, a + p, a + p + key.len(), key_chars);
                if self.check(r, &mut context, cache) {
                    return Some((a + p, a + p + key.len()));
                }
            }
        }
        None
    }

    /// Adds the phrases whose anchors were found where their other words follow, cancels
    /// hits in words where their theme has an exclusion, and sorts the hits by start.
    fn assemble(
        &self,
        text: &[u8],
        found: &[Found],
        excluded: &mut Vec<(usize, usize)>,
        cache: &mut EndingCache,
        hits: &mut Vec<Hit>,
    ) {
        for &(ws, we, s, e, word) in found {
            let Some(info) = self.words.get(word as usize) else {
                continue;
            };
            let Some(term) = self.terms.get(info.term as usize) else {
                continue;
            };
            // A phrase is found at its anchor; its other words are checked around it.
            let Some(first) = (word as usize).checked_sub(usize::from(info.position)) else {
                continue;
            };
            let mut start = s as usize;
            let mut first_word = ws as usize;
            let mut complete = true;
            let mut at = ws as usize;
            // The words of the phrase: an excluding phrase excludes each of them (vuoden
            // alusta: the alusta, not only vuoden).
            let mut words = [ws as usize; MAX_PHRASE_WORDS];
            let mut n_words = 1;
            for k in (0..usize::from(info.position)).rev() {
                match previous_word(text, at).and_then(|(a, b)| {
                    self.word_in_place(first + k, text, a, b, cache)
                        .map(|(s, _)| (a, s))
                }) {
                    Some((a, s)) => {
                        at = a;
                        start = s;
                        first_word = a;
                        if let Some(slot) = words.get_mut(n_words) {
                            *slot = a;
                            n_words += 1;
                        }
                    }
                    None => {
                        complete = false;
                        break;
                    }
                }
            }
            let mut end = e as usize;
            let mut word_end = we as usize;
            for k in usize::from(info.position) + 1..term.words {
                if !complete {
                    break;
                }
                match next_word(text, word_end).and_then(|(a, b)| {
                    self.word_in_place(first + k, text, a, b, cache)
                        .map(|(_, e)| (a, b, e))
                }) {
                    Some((a, b, e)) => {
                        end = e;
                        word_end = b;
                        if let Some(slot) = words.get_mut(n_words) {
                            *slot = a;
                            n_words += 1;
                        }
                    }
                    None => complete = false,
                }
            }
            if !complete {
                continue;
            }
            if term.exclude {
                for &w in &words[..n_words] {
                    excluded.push((w, term.theme));
                }
            } else {
                hits.push(Hit {
                    term: info.term as usize,
                    word: first_word,
                    start,
                    end,
                });
            }
        }
        if !excluded.is_empty() {
            excluded.sort_unstable();
            hits.retain(|h| {
                let theme = self.terms.get(h.term).map_or(usize::MAX, |t| t.theme);
                excluded.binary_search(&(h.word, theme)).is_err()
            });
        }
        // Sorted by word already; within a word an insertion sort finishes the order without
        // the allocation of a general sort.
        let key = |h: &Hit| (h.start, std::cmp::Reverse(h.end));
        for i in 1..hits.len() {
            let mut j = i;
            while j > 0 && key(&hits[j - 1]) > key(&hits[j]) {
                hits.swap(j - 1, j);
                j -= 1;
            }
        }
    }
}

/// A key found inside a word, with what the checks of its rule words ask about the word,
/// each worked out once however many rule words share the key.
struct Context<'a> {
    word: &'a [u8],
    head: &'a [u8],
    rest: &'a [u8],
    key: &'a [u8],
    key_chars: usize,
    endings: [Option<bool>; 3],
    compound: Option<bool>,
    genitive: Option<bool>,
}

impl<'a> Context<'a> {
    fn new(text: &'a [u8], ws: usize, we: usize, s: usize, e: usize, key_chars: usize) -> Self {
        Context {
            word: text.get(ws..we).unwrap_or(&[]),
            head: text.get(ws..s).unwrap_or(&[]),
            rest: text.get(e..we).unwrap_or(&[]),
            key: text.get(s..e).unwrap_or(&[]),
            key_chars,
            endings: [None; 3],
            compound: None,
            genitive: None,
        }
    }

    /// Whether what follows the key is an inflectional ending of the given harmony.
    fn ending(&mut self, harmony: Harmony, endings: &Endings, cache: &mut EndingCache) -> bool {
        let slot = &mut self.endings[harmony as usize];
        *slot.get_or_insert_with(|| endings.accepts_cached(self.rest, harmony, cache))
    }

    /// Whether what follows the key can be the rest of a compound: after the base form
    /// (`compound`: asiakas|kokemus), or after any stem in the genitive (kaupungin|johtaja).
    fn compound_rest(&mut self, compound: bool) -> bool {
        // Short stems (data, idea) need a longer rest before a compound is believed.
        let key_chars = self.key_chars;
        let long_enough = |r: &[u8]| key_chars > 4 || char_count(r) >= 5;
        let rest = self.rest;
        (compound
            && *self
                .compound
                .get_or_insert_with(|| morph::compound_rest(rest) && long_enough(rest)))
            || *self.genitive.get_or_insert_with(|| {
                rest.strip_prefix(b"n")
                    .is_some_and(|r| morph::compound_rest(r) && long_enough(r))
            })
    }
}

/// Every (end, pattern) the automaton reports in `text`, in order of end. The text is cut
/// into four stretches at word boundaries (keys never cross one) that are walked in step.
fn raw_matches<W: Walk>(
    a: &W,
    text: &[u8],
    out: &mut Vec<(u32, u32)>,
    found: &mut [Vec<(u32, u32)>; 4],
) {
    let Some(start) = a.start() else {
        return;
    };
    let walk = |mut state, from: usize, bytes: &[u8], out: &mut Vec<(u32, u32)>| {
        for (i, &b) in bytes.iter().enumerate() {
            let (next, special) = a.step(state, b);
            state = next;
            if special {
                a.record(state, from + i + 1, out);
            }
        }
    };
    let n = text.len();
    if n < MIN_SPLIT {
        walk(start, 0, text, out);
        return;
    }
    let mut cuts = [0, n / 4, n / 2, 3 * n / 4, n];
    for k in 1..4 {
        let mut c = cuts[k].max(cuts[k - 1]);
        while c < n && is_word_byte(text[c]) {
            c += 1;
        }
        cuts[k] = c;
    }
    let part = |k: usize| &text[cuts[k]..cuts[k + 1]];
    let common = (0..4).map(|k| part(k).len()).min().unwrap_or(0);
    let (p0, p1, p2, p3) = (
        &part(0)[..common],
        &part(1)[..common],
        &part(2)[..common],
        &part(3)[..common],
    );
    // Each stretch keeps its own list, so that the lists joined are in order of end.
    for list in found.iter_mut() {
        list.clear();
    }
    let (mut s0, mut s1, mut s2, mut s3) = (start, start, start, start);
    for (i, (((&b0, &b1), &b2), &b3)) in p0.iter().zip(p1).zip(p2).zip(p3).enumerate() {
        let (n0, m0) = a.step(s0, b0);
        let (n1, m1) = a.step(s1, b1);
        let (n2, m2) = a.step(s2, b2);
        let (n3, m3) = a.step(s3, b3);
        (s0, s1, s2, s3) = (n0, n1, n2, n3);
        if m0 | m1 | m2 | m3 {
            for (k, (state, special)) in [(s0, m0), (s1, m1), (s2, m2), (s3, m3)]
                .into_iter()
                .enumerate()
            {
                if special {
                    a.record(state, cuts[k] + i + 1, &mut found[k]);
                }
            }
        }
    }
    for (k, (state, list)) in [s0, s1, s2, s3].into_iter().zip(found).enumerate() {
        walk(state, cuts[k] + common, &part(k)[common..], list);
        out.append(list);
    }
}

/// Keys of the automaton, collected while compiling the rules.
#[derive(Default)]
struct Keys {
    patterns: Vec<String>,
    index: HashMap<String, usize>,
    targets: Vec<Vec<KeyRef>>,
}

/// A key and its spelling without ä, ö, å; none for a stem too short to search for.
fn expand(key: String, r: KeyRef) -> Vec<(String, KeyRef)> {
    if key.is_empty() {
        return Vec::new();
    }
    // A stem of one or two letters is too unspecific to search for.
    if matches!(r.check, Check::Stem { .. } | Check::Snowball) && key.chars().count() < 3 {
        return Vec::new();
    }
    let folded = fold_scandinavian(&key);
    let mut out = Vec::with_capacity(2);
    if folded != key {
        out.push((folded, KeyRef { folded: true, ..r }));
    }
    out.push((key, r));
    out
}

impl Keys {
    fn insert(&mut self, key: String, r: KeyRef) {
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

fn char_count(s: &[u8]) -> usize {
    s.iter().filter(|&&b| (b & 0xc0) != 0x80).count()
}

/// The word (run of word bytes) around the byte span `s..e`, if it is not overlong.
fn word_around(text: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    let mut ws = s;
    while ws > 0 && is_word_byte(text[ws - 1]) {
        ws -= 1;
        if e - ws > MAX_WORD {
            return None;
        }
    }
    let mut we = e;
    while we < text.len() && is_word_byte(text[we]) {
        we += 1;
        if we - ws > MAX_WORD {
            return None;
        }
    }
    Some((ws, we))
}

/// Whether the bytes between two words keep them one phrase: spaces, hyphens and at most
/// one line break, nothing that ends a sentence or a clause.
fn joined(gap: &[u8]) -> bool {
    !gap.is_empty()
        && gap.len() <= 8
        && gap.iter().filter(|&&b| b == b'\n').count() <= 1
        && gap
            .iter()
            .all(|&b| matches!(b, b' ' | b'\t' | b'-' | b'\n'))
}

/// The word that follows the word ending at `from` as the next word of a phrase.
fn next_word(text: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut a = from;
    while a < text.len() && !is_word_byte(text[a]) {
        a += 1;
        if a - from > 8 {
            return None;
        }
    }
    if !joined(text.get(from..a)?) {
        return None;
    }
    let mut b = a;
    while b < text.len() && is_word_byte(text[b]) && b - a <= MAX_WORD {
        b += 1;
    }
    (b > a).then_some((a, b))
}

/// The word that precedes the word starting at `to` as the word before it in a phrase.
fn previous_word(text: &[u8], to: usize) -> Option<(usize, usize)> {
    let mut b = to;
    while b > 0 && !is_word_byte(text[b - 1]) {
        b -= 1;
        if to - b > 8 {
            return None;
        }
    }
    if !joined(text.get(b..to)?) {
        return None;
    }
    let mut a = b;
    while a > 0 && is_word_byte(text[a - 1]) && b - a <= MAX_WORD {
        a -= 1;
    }
    (b > a).then_some((a, b))
}

/// The work package a word starting with `tp` or `työpaket` names, with the next word if
/// the number stands apart (`TP 5`, `työpaketti_4`).
fn work_package_at(text: &[u8], ws: usize, we: usize) -> Option<WorkPackage> {
    let word = std::str::from_utf8(&text[ws..we]).ok()?;
    let next = next_word(text, we)
        .or_else(|| {
            // `työpaketti_4`, `(TP 2)`: any short gap of punctuation.
            let mut a = we;
            while a < text.len() && !is_word_byte(text[a]) && a - we < 3 {
                a += 1;
            }
            let b = (a..text.len())
                .find(|&i| !is_word_byte(text[i]))
                .unwrap_or(text.len());
            (a > we && b > a).then_some((a, b))
        })
        .and_then(|(a, b)| std::str::from_utf8(&text[a..b]).ok());
    crate::work_package::from_words([word].into_iter().chain(next))
        .into_iter()
        .next()
}

/// Drops hits inside a longer hit of any theme, and repeats of the same span in one theme:
/// the most specific term decides what a place in the text is about (osallistuva
/// budjetointi is participation, not budgeting; asiakasraati is a panel, not a customer).
/// Two themes that list the same term both keep it.
fn drop_contained(hits: &mut Vec<Hit>, terms: &[CompiledTerm]) {
    let theme = |h: &Hit| terms.get(h.term).map_or(usize::MAX, |t| t.theme);
    // Sorted by start, longest first: only an earlier hit can contain a later one, and only
    // one that starts no further back than the longest hit kept is long. A hit inside a
    // dropped one is inside the hit that dropped it, so kept hits are enough to look at.
    let mut longest = 0;
    let mut kept = 0;
    for i in 0..hits.len() {
        let h = hits[i];
        let h_theme = theme(&h);
        let contained = hits[..kept]
            .iter()
            .rev()
            .take_while(|k| h.start - k.start <= longest)
            .any(|k| k.end >= h.end && (theme(k) == h_theme || k.end - k.start > h.end - h.start));
        if !contained {
            longest = longest.max(h.end - h.start);
            hits[kept] = h;
            kept += 1;
        }
    }
    hits.truncate(kept);
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
        m.scan(kooste_normalize::for_matching(text).as_bytes())
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
        // A long rest that begins like a suffix (va, ja) is a word of its own.
        let m = matcher(&["koodi", "järjestelmä", "tieto"]);
        assert_eq!(found(&m, "koodivarastoa"), ["koodi@0"]);
        assert_eq!(found(&m, "tietojärjestelmät"), ["tieto@0", "järjestelmä@5"]);
    }

    #[test]
    fn nouns_in_e_are_not_read_into_verb_forms() {
        let m = matcher(&["palaute", "aloite", "tuote"]);
        assert_eq!(
            found(&m, "palautetta palautteen palautteita aloitteet tuotteemme"),
            [
                "palaute@0",
                "palaute@11",
                "palaute@22",
                "aloite@34",
                "tuote@44"
            ]
        );
        // Passives of palauttaa, aloittaa and tuottaa.
        assert!(found(&m, "palautetaan aloitetaan aloitettiin tuotetaan").is_empty());
        // Clitics and compounds still match.
        assert_eq!(found(&m, "palautekin"), ["palaute@0"]);
        assert_eq!(found(&m, "tuotekaan"), ["tuote@0"]);
        let front = matcher(&["lähde"]);
        assert_eq!(
            found(&front, "lähdekään lähdettä lähteen"),
            ["lähde@0", "lähde@13", "lähde@24"]
        );
        assert!(found(&front, "lähdetään").is_empty());
        assert_eq!(found(&m, "palautekanava"), ["palaute@0"]);
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
        assert!(found(&m, "avoin\n\ndata").is_empty());
    }

    #[test]
    fn one_letter_words_of_phrases_are_compared_in_place() {
        let m = matcher(&["e-palvelu", "palvelu x"]);
        assert_eq!(found(&m, "uudet e-palvelut"), ["e-palvelu@6"]);
        assert!(found(&m, "uudet palvelut").is_empty());
        assert_eq!(found(&m, "palvelu x"), ["palvelu x@0"]);
    }

    #[test]
    fn short_words_match_whole_only() {
        let m = matcher(&["api", "ai"]);
        assert!(found(&m, "kapina rapia aika").is_empty());
        assert_eq!(found(&m, "API:n kautta"), ["api@0"]);
        assert_eq!(found(&m, "ai"), ["ai@0"]);
    }

    #[test]
    fn wildcards_and_exclusions() {
        let m = Matcher::new(
            [
                (0, "osallistu*".to_string(), 1.0, false),
                (0, "alusta".to_string(), 1.0, false),
                (0, "kasvualusta".to_string(), 1.0, true),
                (0, "alusta asti".to_string(), 1.0, true),
                (0, "vuoden alusta".to_string(), 1.0, true),
            ],
            Morphology::Full,
        );
        let hits: Vec<String> = scan(
            &m,
            "Osallistuimme. Kasvualustan ja alustan. Alusta asti. Vuoden alusta.",
        )
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
        // A longer match of another theme wins too: participatory budgeting is not
        // budgeting, a customer-data word is not a customer word.
        let m = Matcher::new(
            [
                (0, "asiakastieto".to_string(), 1.0, false),
                (1, "asiakas".to_string(), 1.0, false),
                (1, "osallistuva budjetointi".to_string(), 1.0, false),
                (2, "budjetointi".to_string(), 1.0, false),
                (1, "avoin data".to_string(), 1.0, false),
                (2, "avoin data".to_string(), 1.0, false),
            ],
            Morphology::Full,
        );
        let hits = |text: &str| -> Vec<(usize, String)> {
            scan(&m, text)
                .hits
                .iter()
                .map(|h| (m.terms[h.term].theme, m.terms[h.term].text.clone()))
                .collect()
        };
        assert_eq!(hits("asiakastiedon"), [(0, "asiakastieto".to_string())]);
        assert_eq!(
            hits("osallistuvan budjetoinnin"),
            [(1, "osallistuva budjetointi".to_string())]
        );
        // A match of the same extent in two themes counts for both.
        assert_eq!(
            hits("avoimen datan"),
            [(1, "avoin data".to_string()), (2, "avoin data".to_string())]
        );
    }

    #[test]
    fn cities_are_found_in_any_inflection() {
        let m = matcher(&["palvelu"]);
        let t = "helsingin palvelut ja espoossa sekä vantaalla, oulussa ei koulussa";
        let cities: Vec<City> = scan(&m, t).cities.iter().map(|c| c.city).collect();
        assert_eq!(
            cities,
            [City::Helsinki, City::Espoo, City::Vantaa, City::Oulu]
        );
    }

    #[test]
    fn work_packages_in_text() {
        let m = matcher(&["palvelu"]);
        let t = "Raportti (TP2), työpaketti_4, tyopaketti 5; http://x.fi/stp3 ja TP 1x";
        let wps: Vec<String> = scan(&m, t)
            .work_packages
            .iter()
            .map(|(w, _)| w.to_string())
            .collect();
        assert_eq!(wps, ["TP2", "TP4", "TP5"]);
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

    #[test]
    fn long_texts_are_scanned_in_four_stretches_without_losing_matches() {
        let m = matcher(&["asiakas", "rajapinta"]);
        let mut t = String::new();
        for i in 0..2000 {
            t.push_str(if i % 7 == 0 {
                "rajapintojen "
            } else {
                "asiakkaiden "
            });
        }
        let hits = scan(&m, &t).hits;
        assert_eq!(hits.len(), 2000);
        assert_eq!(hits.iter().filter(|h| h.term == 1).count(), 286);
    }
}
