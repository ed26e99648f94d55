//! Work packages (TP1..TP5) named in a path or text in the spellings the project used:
//! `(TP2)`, `TP 5`, `TP-3`, `Työpaketti 5`, `työpaketti_4`, `tyopaketti4`.

use kooste_model::WorkPackage;
use regex::Regex;
use std::sync::OnceLock;

fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        // Letters, digits or an underscore right before `tp` would make it part of another
        // word; after the number, another digit would make it TP12.
        Regex::new(r"(?i)(?:^|[^\p{L}\p{N}])(?:tp|ty[öo]paketti)[\s_\-.]*([1-5])(?:$|[^\p{N}])")
            .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
    })
}

/// Work packages named in `text`, each once, in order of number.
pub fn detect_work_packages(text: &str) -> Vec<WorkPackage> {
    let mut found: Vec<WorkPackage> = pattern()
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter_map(|m| m.as_str().parse::<u8>().ok())
        .filter_map(WorkPackage::new)
        .collect();
    found.sort();
    found.dedup();
    found
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
    }

    #[test]
    fn not_inside_other_words_or_numbers() {
        assert!(tps("http://example.fi/stp2 ja TP12 ja tp6").is_empty());
        assert!(tps("työpaketti").is_empty());
    }
}
