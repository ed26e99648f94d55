//! Finds rule terms in normalised words, Finnish inflection and compounds included.
//!
//! Each word of a term gets keys: its Snowball stem and its base form. A word of text matches
//! a term word when its own stem equals a key (inflection: rajapintojen ~ rajapinta), when
//! it begins with a base form (compound first part: asiakas ~ asiakaskokemus) or when its
//! stem ends with a key (compound last part: palvelu ~ asiakaspalvelun). All lookups go
//! through one hash map, so the cost per word does not grow with the number of rules.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

/// Shortest key used for compound parts; shorter ones would match inside unrelated words.
const MIN_PART: usize = 4;
/// Shortest remainder of a compound next to the matched part.
const MIN_REST: usize = 3;

pub(crate) struct CompiledTerm {
    pub theme: usize,
    pub text: String,
    pub weight: f64,
    pub words: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct TermWord {
    term: u32,
    position: u8,
}

pub(crate) struct Matcher {
    stemmer: Stemmer,
    /// Stems of term words: matched exactly and as the last part of a compound.
    stems: HashMap<String, Vec<TermWord>>,
    /// Base forms of term words: matched as the first part of a compound.
    bases: HashMap<String, Vec<TermWord>>,
    pub terms: Vec<CompiledTerm>,
}

/// A term found at a word position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hit {
    pub term: usize,
    pub word: usize,
}

impl Matcher {
    /// `terms` are (theme index, term text in normalised form, weight).
    pub(crate) fn new(terms: impl IntoIterator<Item = (usize, String, f64)>) -> Matcher {
        let stemmer = Stemmer::create(Algorithm::Finnish);
        let mut m = Matcher {
            stemmer,
            stems: HashMap::new(),
            bases: HashMap::new(),
            terms: Vec::new(),
        };
        for (theme, text, weight) in terms {
            let words: Vec<String> = crate::text::words(&text)
                .into_iter()
                .map(|w| w.text.to_string())
                .collect();
            if words.is_empty() || words.len() > usize::from(u8::MAX) {
                continue;
            }
            let term = m.terms.len() as u32;
            for (position, word) in words.iter().enumerate() {
                let tw = TermWord {
                    term,
                    position: position as u8,
                };
                let stem = m.stemmer.stem(word).into_owned();
                // The stemmer leaves consonant gradation and some stem vowels in place
                // (asiakas ~ asiak-kaiden, rajapinta ~ rajapinto-jen): shortened stems
                // catch those forms.
                let chars: Vec<(usize, char)> = stem.char_indices().collect();
                for drop in 1..=2 {
                    if chars.len() >= 5 + drop {
                        let cut = chars[chars.len() - drop].0;
                        let short = stem[..cut].to_string();
                        let entry = m.stems.entry(short).or_default();
                        if !entry.contains(&tw) {
                            entry.push(tw);
                        }
                    }
                }
                let entry = m.stems.entry(stem).or_default();
                if !entry.contains(&tw) {
                    entry.push(tw);
                }
                if word.chars().count() >= MIN_PART {
                    m.bases.entry(word.clone()).or_default().push(tw);
                }
            }
            m.terms.push(CompiledTerm {
                theme,
                text,
                weight,
                words: words.len(),
            });
        }
        m
    }

    /// Every term occurrence in a run of normalised words. A phrase matches only where its
    /// words follow each other.
    pub(crate) fn find(&self, words: &[&str]) -> Vec<Hit> {
        let per_word: Vec<Vec<TermWord>> = words.iter().map(|w| self.word_matches(w)).collect();
        let mut hits = Vec::new();
        for (i, matches) in per_word.iter().enumerate() {
            for tw in matches.iter().filter(|tw| tw.position == 0) {
                let term = tw.term as usize;
                let Some(len) = self.terms.get(term).map(|t| t.words) else {
                    continue;
                };
                let rest_matches = (1..len).all(|k| {
                    per_word.get(i + k).is_some_and(|m| {
                        m.contains(&TermWord {
                            term: tw.term,
                            position: k as u8,
                        })
                    })
                });
                if rest_matches {
                    hits.push(Hit { term, word: i });
                }
            }
        }
        hits
    }

    fn word_matches(&self, word: &str) -> Vec<TermWord> {
        let mut out: Vec<TermWord> = Vec::new();
        let mut add = |found: Option<&Vec<TermWord>>| {
            for tw in found.into_iter().flatten() {
                if !out.contains(tw) {
                    out.push(*tw);
                }
            }
        };
        let stem = self.stemmer.stem(word);
        add(self.stems.get(stem.as_ref()));
        // A stem one or two letters longer than a term's: rajapinto(jen) ~ rajapin(ta).
        let stem_chars: Vec<usize> = stem.char_indices().map(|(i, _)| i).collect();
        for drop in 1..=2 {
            if stem_chars.len() >= 5 + drop {
                add(self.stems.get(&stem[..stem_chars[stem_chars.len() - drop]]));
            }
        }
        // Compound first part: a base form followed by at least MIN_REST more letters.
        let boundaries: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        for (n, &cut) in boundaries.iter().enumerate() {
            if n >= MIN_PART && boundaries.len() - n >= MIN_REST {
                add(self.bases.get(&word[..cut]));
            }
        }
        // Compound last part: the stem ends with a term's stem after at least MIN_REST letters.
        let stem_bounds: Vec<usize> = stem.char_indices().map(|(i, _)| i).collect();
        for (n, &cut) in stem_bounds.iter().enumerate() {
            if n >= MIN_REST && stem_bounds.len() - n >= MIN_PART {
                add(self.stems.get(&stem[cut..]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(terms: &[&str]) -> Matcher {
        Matcher::new(terms.iter().map(|t| (0, t.to_string(), 1.0)))
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        let words: Vec<&str> = crate::text::words(text)
            .into_iter()
            .map(|w| w.text)
            .collect();
        m.find(&words)
            .into_iter()
            .map(|h| format!("{}@{}", m.terms[h.term].text, h.word))
            .collect()
    }

    #[test]
    fn inflected_forms_match_their_base_form() {
        let m = matcher(&["rajapinta", "yhteiskehittäminen", "palvelu"]);
        assert_eq!(found(&m, "rajapintojen"), ["rajapinta@0"]);
        assert_eq!(found(&m, "yhteiskehittämisen"), ["yhteiskehittäminen@0"]);
        assert_eq!(found(&m, "palveluiden"), ["palvelu@0"]);
    }

    #[test]
    fn compound_parts_match() {
        let m = matcher(&["asiakas", "palvelu"]);
        assert_eq!(found(&m, "asiakaskokemus"), ["asiakas@0"]);
        assert_eq!(found(&m, "asiakaspalvelun"), ["asiakas@0", "palvelu@0"]);
    }

    #[test]
    fn phrases_need_consecutive_words() {
        let m = matcher(&["avoin data"]);
        assert_eq!(found(&m, "avoin datan hyödyntäminen"), ["avoin data@0"]);
        assert!(found(&m, "avoin ja suljettu data").is_empty());
    }

    #[test]
    fn short_parts_do_not_match_inside_unrelated_words() {
        let m = matcher(&["data", "api"]);
        assert!(found(&m, "kapina").is_empty());
        assert_eq!(found(&m, "api"), ["api@0"]);
    }
}
