//! The normalised view of extracted text that rules match against. Extraction keeps the text
//! as the document has it; everything that would make the same word look different to a
//! matcher is undone here: composition, case, ligatures, soft and line-end hyphens.

use unicode_normalization::UnicodeNormalization;

/// Normalises text for matching: Unicode NFC, lower case (ä, ö and å included), typographic
/// ligatures expanded, soft hyphens and zero-width characters removed, odd spaces made plain,
/// and words split by a hyphen at the end of a line joined again. Line breaks are kept, since
/// sentence and page structure matter to evidence.
pub fn for_matching(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{2009}' | '\u{200a}' => folded.push(' '),
            '\u{2010}' | '\u{2011}' => folded.push('-'),
            '\r' => folded.push('\n'),
            _ => match expand_ligature(c) {
                Some(s) => folded.push_str(s),
                None => folded.push(c),
            },
        }
    }
    // Rejoining looks at letter case, so it must see the text before case folding.
    rejoin_hyphenated(&folded).to_lowercase()
}

fn expand_ligature(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{fb00}' => "ff",
        '\u{fb01}' => "fi",
        '\u{fb02}' => "fl",
        '\u{fb03}' => "ffi",
        '\u{fb04}' => "ffl",
        '\u{fb05}' | '\u{fb06}' => "st",
        _ => return None,
    })
}

/// Words that follow a hyphen that is part of the text, as in "asiakas- ja palvelutieto":
/// there the hyphen marks an elided compound part and must not be joined over.
const CONJUNCTIONS: [&str; 8] = ["ja", "tai", "sekä", "eli", "and", "or", "och", "eller"];

/// Joins `asiakas-\nkokemus` into `asiakaskokemus`: a letter, a hyphen at the end of the line,
/// then a lower-case letter starting the next line. Everything else is left as it is.
pub fn rejoin_hyphenated(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("-\n") {
        let (before, after) = rest.split_at(pos);
        out.push_str(before);
        let after_break = &after[2..];
        let next = after_break.trim_start_matches([' ', '\t']);
        let prev_is_letter = before.chars().next_back().is_some_and(char::is_alphabetic);
        let next_word: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
        let next_is_lower = next.chars().next().is_some_and(char::is_lowercase);
        if prev_is_letter && next_is_lower && !CONJUNCTIONS.contains(&next_word.as_str()) {
            rest = next;
        } else {
            out.push_str("-\n");
            rest = after_break;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_and_lowercases_scandinavian_letters() {
        // "A" + combining diaeresis must meet a precomposed "ä" in a rule.
        assert_eq!(
            for_matching("A\u{308}IDINKIELI Öljy Åland"),
            "äidinkieli öljy åland"
        );
    }

    #[test]
    fn expands_ligatures_and_drops_invisible_characters() {
        assert_eq!(for_matching("pro\u{fb01}ili"), "profiili");
        assert_eq!(for_matching("asia\u{ad}kas\u{200b}data"), "asiakasdata");
        assert_eq!(for_matching("6\u{a0}kaupunkia"), "6 kaupunkia");
    }

    #[test]
    fn rejoins_words_split_at_line_end() {
        assert_eq!(for_matching("asiakas-\nkokemus on"), "asiakaskokemus on");
        assert_eq!(
            for_matching("yhteis-\n   kehittäminen"),
            "yhteiskehittäminen"
        );
        assert_eq!(
            for_matching("rajapinta-\r\nratkaisut"),
            "rajapinta-\n\nratkaisut"
        );
    }

    #[test]
    fn keeps_hyphens_that_belong_to_the_text() {
        // An elided compound part before a conjunction.
        assert_eq!(
            for_matching("asiakas-\nja palvelutieto"),
            "asiakas-\nja palvelutieto"
        );
        // A capitalised next line starts a new item, not the rest of a word.
        assert_eq!(for_matching("Tausta-\nTavoitteet"), "tausta-\ntavoitteet");
        // Mid-line hyphens are untouched.
        assert_eq!(for_matching("6Aika-hanke"), "6aika-hanke");
        assert_eq!(for_matching("2016-\n2017"), "2016-\n2017");
    }
}
