//! Work packages (TP1..TP5) named in a path or text in the spellings the project used:
//! `(TP2)`, `TP 5`, `TP-3`, `Työpaketti 5`, `työpaketti_4`, `tyopaketti4`, `työpaketin 3`.
//!
//! Read from normalised words: `tp2` is one word, `tp 5` and `tp-3` are two, and so are
//! `työpaketti_4` and `työpaketti 5`. Parentheses and underscores only separate words.

use kooste_model::WorkPackage;

/// Work packages named in `text`, each once, in order of number.
pub fn detect_work_packages(text: &str) -> Vec<WorkPackage> {
    let norm = kooste_normalize::for_matching(text);
    let words: Vec<&str> = norm
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    from_words(words.iter().copied())
}

/// Work packages named in a sequence of normalised words.
pub(crate) fn from_words<'a>(words: impl Iterator<Item = &'a str>) -> Vec<WorkPackage> {
    let mut found = Vec::new();
    // Set when the previous word was `tp` or `työpaketti` without a number of its own.
    let mut waiting = false;
    for w in words {
        let number = if waiting { digit(w) } else { None };
        waiting = false;
        let number = number.or_else(|| match named(w) {
            Some("") => {
                waiting = true;
                None
            }
            Some(rest) => digit(rest),
            None => None,
        });
        if let Some(wp) = number.and_then(WorkPackage::new) {
            found.push(wp);
        }
    }
    found.sort();
    found.dedup();
    found
}

/// What follows `tp` or a form of `työpaketti` at the start of a word.
fn named(word: &str) -> Option<&str> {
    if let Some(rest) = word.strip_prefix("tp") {
        return Some(rest);
    }
    for stem in ["työpaket", "tyopaket"] {
        if let Some(rest) = word.strip_prefix(stem) {
            // työpaketti, työpaketin, työpaketissa, työpaketille, ...: the case ending and
            // then possibly the number written on (tyopaketti4).
            let digits = rest.trim_start_matches(|c: char| c.is_alphabetic());
            let ending = &rest[..rest.len() - digits.len()];
            if ["ti", "in", "issa", "ista", "ille", "ilta", "tiin", "it"].contains(&ending) {
                return Some(digits);
            }
        }
    }
    None
}

/// A single digit 1-5 and nothing else.
fn digit(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [d @ b'1'..=b'5'] => Some(d - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tps(text: &str) -> Vec<String> {
        detect_work_packages(text)
            .iter()
            .map(|w| w.to_string())
            .collect()
    }

    #[test]
    fn spellings_from_the_seed() {
        assert_eq!(tps("Helsinki_LaureaTyöpajojen tulokset.pdf (TP2)"), ["TP2"]);
        assert_eq!(tps("Oulun kokonaisuus (TP 5)"), ["TP5"]);
        assert_eq!(
            tps("Työpaketti 5_Monituottajuuteen perustuva toimintamalli"),
            ["TP5"]
        );
        assert_eq!(tps("6aika_AOA_työpaketti_4_Monikanavainen"), ["TP4"]);
        assert_eq!(tps("03022017_tyopaketti_4_tiivistelmä"), ["TP4"]);
        assert_eq!(tps("Vantaa/TP1/mittarit.xlsx"), ["TP1"]);
        assert_eq!(tps("tp-3 ja TP1"), ["TP1", "TP3"]);
        assert_eq!(tps("tyopaketti4 ja työpaketin 2 tavoite"), ["TP2", "TP4"]);
    }

    #[test]
    fn not_inside_other_words_or_numbers() {
        assert!(tps("http://example.fi/stp2 ja TP12 ja tp6").is_empty());
        assert!(tps("työpaketti").is_empty());
        assert!(tps("tp 2017 työpaketti 12").is_empty());
    }
}
