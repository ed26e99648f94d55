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
    // Every document's whole text passes through here, so the sentences are made in buffers
    // that are reused, and a sentence is copied only when it is kept: allocating a string per
    // line and per sentence cost more than the look itself, and two threads doing so contend
    // for the allocator's locks.
    let mut lower = String::new();
    let mut at = 0;
    let mut sentences = Sentences::default();
    for page in pages.iter().filter(|p| !p.hidden) {
        let go_on = sentences.each(&page.text, &mut |sentence| {
            if at == LOOK_AT {
                return false;
            }
            let this = at;
            at += 1;
            if !is_sentence(sentence) {
                return true;
            }
            lower_into(sentence, &mut lower);
            if lower == title {
                return true;
            }
            let complete = sentence
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_numeric())
                && sentence.ends_with(['.', '!', '?']);
            let hits = |words: &[&str]| words.iter().filter(|w| lower.contains(*w)).count();
            let (l, b) = (hits(LEADERSHIP), hits(BUSINESS));
            if l > 0 {
                keep_best(&mut leadership, (complete, l), this, sentence);
            }
            if b > 0 {
                keep_best(&mut business, (complete, b), this, sentence);
            }
            true
        });
        if !go_on {
            break;
        }
    }
    AnswerHints {
        leadership: leadership.into_iter().map(|(_, _, s)| s).collect(),
        business: business.into_iter().map(|(_, _, s)| s).collect(),
    }
}

/// A whole sentence (capital to full stop) over a fragment, then more of the question's words.
type Rank = (bool, usize);

fn keep_best(best: &mut Vec<(Rank, usize, String)>, rank: Rank, at: usize, sentence: &str) {
    let place = best.iter().position(|b| rank > b.0).unwrap_or(best.len());
    if place < KEEP {
        best.insert(place, (rank, at, sentence.to_string()));
        best.truncate(KEEP);
    }
}

/// `text` in lower case, as `str::to_lowercase` gives it, into `out`.
fn lower_into(text: &str, out: &mut String) {
    out.clear();
    // A capital sigma's lower case depends on where in a word it stands, which only the
    // whole-string conversion knows.
    if text.contains('Σ') {
        out.push_str(&text.to_lowercase());
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
}

/// Splits a page's text into sentences, in buffers reused from page to page.
#[derive(Default)]
struct Sentences {
    /// The line being read, with the printed lines that continue it.
    line: String,
    sentence: String,
}

impl Sentences {
    /// Calls `f` with each sentence of `text` until it returns false; says whether it
    /// never did. A line that does not end a sentence and is followed by one that begins in
    /// lower case is the same sentence wrapped (PDF text comes as printed lines); other line
    /// breaks end a sentence, as on slides and in tables.
    fn each(&mut self, text: &str, f: &mut dyn FnMut(&str) -> bool) -> bool {
        self.line.clear();
        let mut started = false;
        for line in text.lines() {
            // A row of a table (cells on tabs, as sheets and tables are read): each cell
            // stands alone, and a row of headings joined is no sentence.
            if line.contains('\t') {
                if started && !split_sentences(&self.line, &mut self.sentence, f) {
                    return false;
                }
                self.line.clear();
                started = false;
                for cell in line.split('\t') {
                    if !split_sentences(cell.trim(), &mut self.sentence, f) {
                        return false;
                    }
                }
                continue;
            }
            // A list's bullet is layout, not part of the sentence.
            let line = line
                .trim()
                .trim_start_matches(['•', '▪', '◦', '‣', '●', '■', '*', '–', '-'])
                .trim_start();
            let continues = line.chars().next().is_some_and(char::is_lowercase);
            let last = &mut self.line;
            if started && continues && !last.is_empty() && !last.ends_with(['.', '!', '?', ':']) {
                if last.ends_with('-') && !last.ends_with(" -") {
                    // A word hyphenated at the line end.
                    last.pop();
                } else {
                    last.push(' ');
                }
                last.push_str(line);
                continue;
            }
            if started && !split_sentences(&self.line, &mut self.sentence, f) {
                return false;
            }
            self.line.clear();
            self.line.push_str(line);
            started = true;
        }
        !started || split_sentences(&self.line, &mut self.sentence, f)
    }
}

/// Calls `f` with each non-empty sentence of `line`, its spaces collapsed, until it returns
/// false; says whether it never did.
fn split_sentences(line: &str, buf: &mut String, f: &mut dyn FnMut(&str) -> bool) -> bool {
    let mut start = 0;
    for (at, c) in line.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let end = at + c.len_utf8();
        let mut after = line[end..].chars();
        let (next, then) = (after.next(), after.next());
        // A full stop ends a sentence before a space and a capital letter; "esim. ja" or
        // "14.6.2017" do not end one.
        let ends = next.is_none_or(char::is_whitespace)
            && then.is_none_or(|x| x.is_uppercase() || x.is_numeric())
            && !(c == '.' && abbreviation_before(&line[..at]));
        if ends {
            if !emit(&line[start..end], buf, f) {
                return false;
            }
            start = end;
        }
    }
    emit(&line[start..], buf, f)
}

/// Abbreviations of Finnish (and some English) prose whose full stop is no sentence's end:
/// "(esim. Helsinki)", "mm. Espoo", "klo 9".
const ABBREVIATIONS: [&str; 30] = [
    "esim", "mm", "ns", "ks", "vrt", "jne", "yms", "tms", "ym", "pl", "v", "n", "s", "ko", "em",
    "ao", "puh", "os", "kpl", "milj", "mrd", "prof", "tri", "dos", "siht", "pj", "nk", "eg", "ie",
    "vs",
];

/// Whether `before` (the text up to a full stop) ends in an abbreviation, a word that stands
/// alone (after a space, a parenthesis or a line's start).
fn abbreviation_before(before: &str) -> bool {
    let word = kooste_normalize::last_word(before);
    !word.is_empty() && ABBREVIATIONS.iter().any(|a| word.eq_ignore_ascii_case(a))
}

/// Collapses the spaces of `sentence` into `buf` and hands it to `f` unless it is empty.
fn emit(sentence: &str, buf: &mut String, f: &mut dyn FnMut(&str) -> bool) -> bool {
    buf.clear();
    for word in sentence.split_whitespace() {
        if !buf.is_empty() {
            buf.push(' ');
        }
        buf.push_str(word);
    }
    buf.is_empty() || f(buf)
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
    fn the_cells_of_a_table_row_are_not_one_sentence() {
        let text = "Toimenpiteen tyyppi\tAsiakirjatyypit\tJulkisuusluokka\tSalassapitoaika\t\
            vastuu ja johtaminen\n\
            Tehtävä\tKaupungin johtaminen perustuu strategiaan ja sen mittareihin.";
        let hints = answer_hints(&[page(text)], "");
        assert_eq!(
            hints.leadership,
            ["Kaupungin johtaminen perustuu strategiaan ja sen mittareihin."]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let mut sentences = Vec::new();
        let mut buf = String::new();
        split_sentences(
            "Kaupungit (esim. Espoo ja Vantaa) sopivat mm. Yhteisestä johtamisesta. \
             Kokous on klo 9. Seuraava kokous on v. 2018 keväällä. Loppu.",
            &mut buf,
            &mut |s| {
                sentences.push(s.to_string());
                true
            },
        );
        assert_eq!(
            sentences,
            [
                "Kaupungit (esim. Espoo ja Vantaa) sopivat mm. Yhteisestä johtamisesta.",
                "Kokous on klo 9.",
                "Seuraava kokous on v. 2018 keväällä.",
                "Loppu."
            ]
        );
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
    fn only_the_first_sentences_are_looked_at_across_pages() {
        let filler = "Tämä lause kertoo jotakin aivan muuta kuin kysymykset.\n".repeat(LOOK_AT - 1);
        let cue = "Johtaminen vaatii strategian ja päätökset koko organisaatiossa.";
        let hints = |first: &str| answer_hints(&[page(first), page(&format!("{cue}\n{cue}"))], "");
        // The cue is sentence LOOK_AT on the second page: looked at once.
        assert_eq!(hints(&filler).leadership, [cue]);
        // One sentence more on the first page pushes it past the bound.
        let longer = format!("{filler}Vielä yksi lause jostakin aivan muusta asiasta.");
        assert!(hints(&longer).is_empty());
    }

    #[test]
    fn lower_case_is_the_whole_string_conversion() {
        let mut out = String::from("vanha");
        for text in ["JOHTAMINEN Ääni Öljy", "ΟΔΟΣ ΣΟΦΟΣ", ""] {
            lower_into(text, &mut out);
            assert_eq!(out, text.to_lowercase());
        }
    }

    #[test]
    fn hidden_pages_are_not_read() {
        let mut p = page("Johtaminen vaatii strategian ja päätökset koko organisaatiossa.");
        p.hidden = true;
        assert!(answer_hints(&[p], "").is_empty());
    }
}
