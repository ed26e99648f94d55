//! Stand-in answers to an example's questions ("how could leadership use it", "why could
//! companies benefit"): sentences of the material that speak of management or of companies.
//! The theme's evidence sentences answer "why a good example"; these two questions are about
//! other things, so their sentences are looked for in the whole text.

use kooste_model::{AnswerHints, Page};

/// Stems of words that show a sentence speaks of management and steering.
const LEADERSHIP: &[&str] = &[
    "johtami",
    "johtaa",
    "johdon",
    "johto",
    "johtaja",
    "strategi",
    "päätö",
    "päättä",
    "ohjaus",
    "ohjaami",
    "ohjata",
    "organisaatio",
    "vastuu",
    "mittari",
    "resurss",
    "budjet",
    "priorisoi",
    "management",
    "leadership",
    "strategy",
    "governance",
    "decision",
];

/// Stems of words that show a sentence speaks of companies and business.
const BUSINESS: &[&str] = &[
    "yritys",
    "yritykse",
    "yrityks",
    "yrittäj",
    "elinkeino",
    "liiketoimin",
    "markkin",
    "palveluntuottaj",
    "kumppanu",
    "compan",
    "business",
    "enterprise",
    "vendor",
];

/// Sentences kept per question.
const KEEP: usize = 3;
/// Sentences looked at per document: the first pages say what a deliverable is about, and
/// a bound keeps a huge spreadsheet's rows from costing time.
const LOOK_AT: usize = 5_000;

/// Up to three sentences for each question: whole sentences before fragments, then the ones
/// naming most of its words, the earlier first among equals. The title is no answer and is left out.
pub fn answer_hints(pages: &[Page], title: &str) -> AnswerHints {
    let title = title.trim().to_lowercase();
    let mut leadership: Vec<(Rank, usize, String)> = Vec::new();
    let mut business: Vec<(Rank, usize, String)> = Vec::new();
    let sentences = pages
        .iter()
        .filter(|p| !p.hidden)
        .flat_map(|p| sentences(&p.text))
        .take(LOOK_AT);
    for (at, sentence) in sentences.enumerate() {
        if !is_sentence(&sentence) {
            continue;
        }
        let lower = sentence.to_lowercase();
        if lower == title {
            continue;
        }
        let complete = sentence
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
            && sentence.ends_with(['.', '!', '?']);
        let hits = |words: &[&str]| words.iter().filter(|w| lower.contains(*w)).count();
        let (l, b) = (hits(LEADERSHIP), hits(BUSINESS));
        if l > 0 {
            keep_best(&mut leadership, ((complete, l), at, sentence.clone()));
        }
        if b > 0 {
            keep_best(&mut business, ((complete, b), at, sentence));
        }
    }
    AnswerHints {
        leadership: leadership.into_iter().map(|(_, _, s)| s).collect(),
        business: business.into_iter().map(|(_, _, s)| s).collect(),
    }
}

/// A whole sentence (capital to full stop) over a fragment, then more of the question's words.
type Rank = (bool, usize);

fn keep_best(best: &mut Vec<(Rank, usize, String)>, candidate: (Rank, usize, String)) {
    let at = best
        .iter()
        .position(|b| candidate.0 > b.0)
        .unwrap_or(best.len());
    if at < KEEP {
        best.insert(at, candidate);
        best.truncate(KEEP);
    }
}

/// Sentences of a page. A line that does not end a sentence and is followed by one that
/// begins in lower case is the same sentence wrapped (PDF text comes as printed lines); other
/// line breaks end a sentence, as on slides and in tables.
fn sentences(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        // A list's bullet is layout, not part of the sentence.
        let line = line
            .trim()
            .trim_start_matches(['•', '▪', '◦', '‣', '●', '■', '*', '–', '-'])
            .trim_start();
        let continues = line.chars().next().is_some_and(char::is_lowercase);
        match lines.last_mut() {
            Some(last)
                if continues && !last.is_empty() && !last.ends_with(['.', '!', '?', ':']) =>
            {
                if last.ends_with('-') && !last.ends_with(" -") {
                    // A word hyphenated at the line end.
                    last.pop();
                } else {
                    last.push(' ');
                }
                last.push_str(line);
            }
            _ => lines.push(line.to_string()),
        }
    }
    lines.into_iter().flat_map(|line| split_sentences(&line))
}

fn split_sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|x| x.1);
        // A full stop ends a sentence before a space and a capital letter; "esim. ja" or
        // "14.6.2017" do not end one.
        let ends = matches!(c, '.' | '!' | '?')
            && next.is_none_or(char::is_whitespace)
            && chars
                .get(i + 2)
                .is_none_or(|x| x.1.is_uppercase() || x.1.is_numeric());
        if ends {
            out.push(collapse(&line[start..at + c.len_utf8()]));
            start = at + c.len_utf8();
        }
    }
    out.push(collapse(&line[start..]));
    out.retain(|s| !s.is_empty());
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A sentence says something; a heading, a slide's label or a table's header row only names
/// things, and most of its words begin with a capital.
fn is_sentence(s: &str) -> bool {
    let words = s.split_whitespace().count();
    let ends = s.ends_with(['.', '!', '?', '…', ')', '"', '”']);
    let naming = s
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    (words >= 6 || (ends && words >= 4)) && naming * 2 <= words && s.chars().count() <= 400
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        Page::new(1, text)
    }

    #[test]
    fn sentences_about_management_and_companies_are_found_apart() {
        let text = "Yhteiskehittämisen malli\n\
            Työpajoissa asukkaat ideoivat palveluja yhdessä. Mallia hyödynnetään johtamisessa \
            innovatiivisten hankintojen valmistelussa ja strategian toimeenpanossa. Yritykset \
            saavat tietoa kaupungin todellisista palvelutarpeista ja voivat verkostoitua.";
        let hints = answer_hints(&[page(text)], "Yhteiskehittämisen malli");
        assert_eq!(
            hints.leadership,
            [
                "Mallia hyödynnetään johtamisessa innovatiivisten hankintojen valmistelussa ja strategian toimeenpanossa."
            ]
        );
        assert_eq!(
            hints.business,
            [
                "Yritykset saavat tietoa kaupungin todellisista palvelutarpeista ja voivat verkostoitua."
            ]
        );
    }

    #[test]
    fn more_cue_words_rank_first_and_at_most_three_are_kept() {
        let text = "Johtoryhmä käsittelee asian syksyllä kokouksessaan.\n\
            Strategian toimeenpano ja johtaminen vaativat päätöksiä ja resursseja.\n\
            Johto hyväksyy suunnitelman vuoden lopussa kokouksessaan.\n\
            Johdon tuki on tarpeen kaikissa vaiheissa hanketta.\n\
            Johtaminen tiedolla on kaupungin tavoite.";
        let hints = answer_hints(&[page(text)], "");
        assert_eq!(hints.leadership.len(), 3);
        assert!(hints.leadership[0].starts_with("Strategian toimeenpano"));
        assert!(hints.business.is_empty());
    }

    #[test]
    fn headings_dates_and_the_title_are_no_answers() {
        let text = "Johtamisen malli\nJohtaminen 14.6.2017 klo 9.00 alkaen salissa A.\nStrategia";
        let hints = answer_hints(&[page(text)], "Johtamisen malli");
        assert_eq!(
            hints.leadership,
            ["Johtaminen 14.6.2017 klo 9.00 alkaen salissa A."]
        );
    }

    #[test]
    fn lines_wrapped_in_print_are_one_sentence() {
        let text = "Kaupungin omat resurssit ovat vähäiset, mutta se edellyttää kaupungilta\n\
            selkeää johtamista ja pitkäjänteistä sitoutu-\nmista.\n\
            • Yritykset\nKumppanit";
        let hints = answer_hints(&[page(text)], "");
        assert_eq!(
            hints.leadership,
            [
                "Kaupungin omat resurssit ovat vähäiset, mutta se edellyttää kaupungilta selkeää johtamista ja pitkäjänteistä sitoutumista."
            ]
        );
        assert!(hints.business.is_empty(), "{:?}", hints.business);
    }

    #[test]
    fn whole_sentences_go_before_fragments() {
        let text = "johtaminen strategia päätökset resurssit organisaatio vastuu ja mittarit\n\
            Johtoryhmä seuraa kokeilua kuukausittain.";
        let hints = answer_hints(&[page(text)], "");
        assert_eq!(
            hints.leadership[0],
            "Johtoryhmä seuraa kokeilua kuukausittain."
        );
        assert_eq!(hints.leadership.len(), 2);
    }

    #[test]
    fn table_header_rows_are_no_sentences() {
        let text = "Tavoite Mittari Lähtötaso 2017 Tavoite 2020 Johtoryhmä\n\
            Johtoryhmä seuraa mittaristoa kuukausittain ja raportoi puolivuosittain";
        let hints = answer_hints(&[page(text)], "");
        assert_eq!(
            hints.leadership,
            ["Johtoryhmä seuraa mittaristoa kuukausittain ja raportoi puolivuosittain"]
        );
    }

    #[test]
    fn hidden_pages_are_not_read() {
        let mut p = page("Johtaminen vaatii strategian ja päätökset koko organisaatiossa.");
        p.hidden = true;
        assert!(answer_hints(&[p], "").is_empty());
    }
}
