//! The normalised view of extracted text that rules match against. Extraction keeps the text
//! as the document has it; everything that would make the same word look different to a
//! matcher is undone here: composition, case, ligatures, soft and line-end hyphens.
//!
//! In normalised text every non-ASCII byte belongs to a letter or digit: punctuation and
//! spaces outside ASCII become ASCII. A matcher can then find word boundaries byte by byte.

mod page;
mod paths;

pub use page::{PageText, normalize_page};
pub use paths::PathLookup;
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Normalises text for matching: Unicode NFC, lower case (ä, ö and å included), typographic
/// ligatures expanded, soft hyphens and zero-width characters removed, non-ASCII spaces and
/// punctuation made ASCII, and words split by a hyphen at the end of a line joined again.
/// Line breaks are kept, since sentence and page structure matter to evidence.
pub fn for_matching(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for_matching_into(text, &mut out);
    out
}

/// [`for_matching`] appended to `out`, so that a caller can normalise many pieces into one
/// buffer without allocating. Returns the number of words appended (runs of letters and
/// digits), which is what length dampening needs.
pub fn for_matching_into(text: &str, out: &mut String) -> usize {
    let text = composed(text);
    fold(&text, out, None)
}

/// The text in Unicode NFC. Combining marks (U+0300..U+036F start with the bytes 0xCC and
/// 0xCD) are rare in extracted text; only then is the slower composition pass worth it.
pub fn composed(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b == 0xcc || b == 0xcd) {
        Cow::Owned(text.nfc().collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether a byte of normalised text is part of a word: ASCII letters and digits, and any
/// byte of a non-ASCII character (normalisation leaves only letters and digits there).
#[inline]
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// A sentence, or a line that stands on its own (a heading, a bullet, a table cell), with
/// its span in the original text and in the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Byte span in the original text, trimmed of white space.
    pub orig: (usize, usize),
    /// Byte span in the normalised output.
    pub norm: (usize, usize),
    /// Words in the unit.
    pub words: u32,
}

/// The structure [`segment_into`] finds: units, and every word's byte span in the
/// normalised output.
#[derive(Debug, Clone, Default)]
pub struct Segments {
    pub units: Vec<Unit>,
    pub words: Vec<(u32, u32)>,
}

impl Segments {
    pub fn clear(&mut self) {
        self.units.clear();
        self.words.clear();
    }
}

/// Normalises `text` as [`for_matching`] does, appending to `out`, and in the same pass
/// splits it into units and words (appended to `segments`, with offsets into `out`).
/// `text` must already be composed (see [`composed`]); its offsets are what units quote.
///
/// A unit ends at `.`, `!` or `?` followed by white space, at a form feed, at a blank line,
/// and at a line break after which a new item starts (a capital, a digit or a bullet) when
/// the line does not run on (it ends in a comma, colon, semicolon, hyphen or parenthesis).
/// Slides and tables are mostly such lines. Returns the number of words.
pub fn segment_into(text: &str, out: &mut String, segments: &mut Segments) -> usize {
    fold(text, out, Some(segments))
}

/// Where the current unit stands while folding.
struct UnitState {
    /// Original start of the unit, once it has content.
    orig_start: Option<usize>,
    /// Original offset just after the unit's last non-space character.
    orig_end: usize,
    norm_start: usize,
    words: u32,
    /// The last non-space character of the current line, for the run-on test.
    line_last: Option<char>,
}

impl UnitState {
    fn new() -> UnitState {
        UnitState {
            orig_start: None,
            orig_end: 0,
            norm_start: 0,
            words: 0,
            line_last: None,
        }
    }

    #[inline]
    fn content(&mut self, at: usize, end: usize, norm_len: usize, c: char) {
        if self.orig_start.is_none() {
            self.orig_start = Some(at);
            self.norm_start = norm_len;
        }
        self.orig_end = end;
        self.line_last = Some(c);
    }

    fn close(&mut self, norm_len: usize, segments: &mut Option<&mut Segments>) {
        if let (Some(start), Some(seg)) = (self.orig_start.take(), segments.as_deref_mut()) {
            seg.units.push(Unit {
                orig: (start, self.orig_end),
                norm: (self.norm_start, norm_len),
                words: self.words,
            });
        }
        self.orig_start = None;
        self.words = 0;
    }
}

fn fold(text: &str, out: &mut String, mut segments: Option<&mut Segments>) -> usize {
    let bytes = text.as_bytes();
    let mut words = 0;
    let mut word_start: Option<usize> = None;
    let mut unit = UnitState::new();
    let mut i = 0;
    macro_rules! end_word {
        () => {
            if let Some(ws) = word_start.take() {
                if let Some(seg) = segments.as_deref_mut() {
                    seg.words.push((ws as u32, out.len() as u32));
                }
            }
        };
    }
    macro_rules! begin_word {
        () => {
            if word_start.is_none() {
                word_start = Some(out.len());
                words += 1;
                unit.words += 1;
            }
        };
    }
    while i < bytes.len() {
        let b = bytes[i];
        if PLAIN[usize::from(b)] != 0
            || (b == 0xc3 && matches!(bytes.get(i + 1), Some(0x9f..=0xb6 | 0xb8..=0xbf)))
        {
            // The bulk of text: runs of lower-case ASCII letters, digits and spaces are copied
            // as they are, noting where words begin and end on the way.
            let run_start = i;
            let norm0 = out.len();
            let at = |j: usize| norm0 + (j - run_start);
            let mut j = i;
            let mut last_letter = None;
            loop {
                let letters = j;
                loop {
                    match bytes.get(j) {
                        Some(&c) if PLAIN[usize::from(c)] == 1 => j += 1,
                        // ä, ö, å, é, ... in lower case (U+00DF..U+00FF but ÷) are copied
                        // as they are too.
                        Some(0xc3)
                            if matches!(bytes.get(j + 1), Some(0x9f..=0xb6 | 0xb8..=0xbf)) =>
                        {
                            j += 2
                        }
                        _ => break,
                    }
                }
                if j > letters {
                    if word_start.is_none() {
                        word_start = Some(at(letters));
                        words += 1;
                        unit.words += 1;
                        if unit.orig_start.is_none() {
                            unit.orig_start = Some(letters);
                            unit.norm_start = at(letters);
                        }
                    }
                    last_letter = Some(j);
                }
                if bytes.get(j).is_none_or(|&c| PLAIN[usize::from(c)] != 2) {
                    break;
                }
                if let Some(ws) = word_start.take()
                    && let Some(seg) = segments.as_deref_mut()
                {
                    seg.words.push((ws as u32, at(j) as u32));
                }
                while bytes.get(j).is_some_and(|&c| PLAIN[usize::from(c)] == 2) {
                    j += 1;
                }
            }
            if let Some(end) = last_letter {
                unit.orig_end = end;
                // Only ASCII matters to the run-on test; a letter is a letter.
                unit.line_last = Some(bytes.get(end - 1).map_or('a', |&c| c as char));
            }
            out.push_str(&text[run_start..j]);
            i = j;
            continue;
        }
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                begin_word!();
                unit.content(i, i + 1, out.len(), b as char);
                out.push(b.to_ascii_lowercase() as char);
                i += 1;
                continue;
            }
            match b {
                b'-' if is_line_end_hyphen(text, i) => {
                    // The word goes on after the hyphen, the line break and the indentation.
                    i = skip_line_break(bytes, i + 1);
                    continue;
                }
                b'\n' | b'\r' | 0x0c => {
                    end_word!();
                    if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        // \r\n is one line break: the \n that follows writes it.
                        i += 1;
                        continue;
                    }
                    out.push(if b == 0x0c { '\x0c' } else { '\n' });
                    if b == 0x0c || line_ends_unit(unit.line_last, &text[i + 1..]) {
                        unit.close(out.len() - 1, &mut segments);
                    }
                    unit.line_last = None;
                }
                b' ' | b'\t' => {
                    end_word!();
                    out.push(b as char);
                }
                _ => {
                    end_word!();
                    let norm = out.len();
                    unit.content(i, i + 1, norm, b as char);
                    out.push(b as char);
                    if matches!(b, b'.' | b'!' | b'?')
                        && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace())
                    {
                        unit.close(out.len(), &mut segments);
                    }
                }
            }
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let len = c.len_utf8();
        match c {
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            '\u{2010}' | '\u{2011}' if is_line_end_hyphen(text, i) => {
                i = skip_line_break(bytes, i + len);
                continue;
            }
            _ => {
                if let Some(s) = expand_ligature(c) {
                    begin_word!();
                    unit.content(i, i + len, out.len(), c);
                    out.push_str(s);
                } else if is_letter(c) {
                    begin_word!();
                    unit.content(i, i + len, out.len(), c);
                    push_lower(c, out);
                } else {
                    end_word!();
                    if !c.is_whitespace() {
                        unit.content(i, i + len, out.len(), c);
                    }
                    out.push(ascii_stand_in(c));
                }
            }
        }
        i += len;
    }
    end_word!();
    unit.close(out.len(), &mut segments);
    words
}

/// Bytes copied as they are: 1 for lower-case ASCII letters and digits, 2 for space and tab.
const PLAIN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            1
        } else if c == b' ' || c == b'\t' {
            2
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Letters and digits, with a fast answer for the Latin-1 letters Finnish uses.
#[inline]
fn is_letter(c: char) -> bool {
    match c {
        'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ' => true,
        _ => c.is_alphanumeric(),
    }
}

#[inline]
fn push_lower(c: char, out: &mut String) {
    match c {
        'À'..='Ö' | 'Ø'..='Þ' => out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
        'ß'..='ö' | 'ø'..='ÿ' => out.push(c),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Whether a line break ends a unit that has no closing punctuation: at a blank line, or
/// when the next line starts like a new item (capital, digit, bullet) and this line does not
/// run on (comma, colon, hyphen).
pub(crate) fn line_ends_unit(line_last: Option<char>, after: &str) -> bool {
    let runs_on = line_last.is_some_and(|c| matches!(c, ',' | ';' | ':' | '-' | '('));
    // The first character of the next line that is not white space; none for a blank line.
    // Most lines start with ASCII, answered without decoding.
    for (i, &b) in after.as_bytes().iter().enumerate() {
        match b {
            b'\n' => return true,
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => continue,
            b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'*' => return !runs_on,
            0..=0x7f => return false,
            _ => {
                let rest = after.get(i..).unwrap_or("");
                let Some(first) = rest
                    .chars()
                    .take_while(|&c| c != '\n')
                    .find(|c| !c.is_whitespace())
                else {
                    return true;
                };
                let starts_new =
                    first.is_uppercase() || first.is_numeric() || "-•*–▪●◦".contains(first);
                return !runs_on && starts_new;
            }
        }
    }
    true
}

/// The ASCII character that stands for a non-ASCII non-letter: dashes stay dashes (they
/// separate compound parts), line separators stay line breaks, quotes and the rest become
/// spaces.
fn ascii_stand_in(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2028}' | '\u{2029}' | '\u{85}' => '\n',
        '\u{2026}' => '.',
        _ => ' ',
    }
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

/// Whether the hyphen at byte `at` ends a line in the middle of a word: a letter before it,
/// a line break right after it (spaces allowed), and a lower-case letter starting the next
/// line that does not begin a conjunction. `asiakas-\nkokemus` is one word; `Tausta-\nTavoitteet`
/// and `asiakas-\nja palvelutieto` are not.
pub(crate) fn is_line_end_hyphen(text: &str, at: usize) -> bool {
    let before = &text[..at];
    if !before.chars().next_back().is_some_and(char::is_alphabetic) {
        return false;
    }
    let hyphen_len = text[at..].chars().next().map_or(1, char::len_utf8);
    let after = &text[at + hyphen_len..];
    let after = after.trim_start_matches([' ', '\t']);
    let after = match after.strip_prefix("\r\n") {
        Some(a) => a,
        None => match after.strip_prefix(['\n', '\r']) {
            Some(a) => a,
            None => return false,
        },
    };
    let next = after.trim_start_matches([' ', '\t']);
    let Some(first) = next.chars().next() else {
        return false;
    };
    if !first.is_lowercase() {
        return false;
    }
    let word_end = next
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(next.len(), |(i, _)| i);
    !CONJUNCTIONS.contains(&&next[..word_end])
}

/// The byte after the spaces, the one line break and the indentation that follow `from`.
fn skip_line_break(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if bytes.get(i) == Some(&b'\r') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// Joins `asiakas-\nkokemus` into `asiakaskokemus` and leaves everything else as it is:
/// the line-end rule of [`for_matching`] on its own, without case folding, for text a
/// person reads. Where the word before the hyphen is a name or an abbreviation (`Vantaa-`
/// within a sentence, `EU-`, `6Aika-`), the hyphen is Finnish spelling of a compound and is
/// kept: `Vantaa-infojen`.
pub fn rejoin_hyphenated(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(pos) = text[i..].find('-') {
        let at = i + pos;
        if is_line_end_hyphen(text, at) {
            let keep = if hyphen_of_a_name(text, at) { 1 } else { 0 };
            out.push_str(&text[last..at + keep]);
            last = skip_line_break(bytes, at + 1);
            i = last;
        } else {
            i = at + 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The letters and digits that end `text`: the word a full stop or a hyphen after it
/// belongs to.
pub fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

/// Whether the word ending at byte `at` is one Finnish joins to a compound with a hyphen:
/// it holds a digit or a capital after its first letter (an abbreviation), or it begins with
/// a capital within a sentence (a name; at a sentence's start any word does).
fn hyphen_of_a_name(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let word = last_word(before);
    let start = before.len() - word.len();
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if word.chars().any(|c| c.is_numeric()) || chars.any(char::is_uppercase) {
        return true;
    }
    let sentence_start = before[..start]
        .trim_end()
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, '.' | '!' | '?' | ':' | '•' | '▪' | '–' | '-' | '*'));
    first.is_uppercase() && !sentence_start
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
    fn non_ascii_punctuation_becomes_ascii() {
        assert_eq!(
            for_matching("”Asiakas”\u{2013}palvelu • data…"),
            " asiakas -palvelu   data."
        );
        let n = for_matching("Öö ”x” – • … é ½ ©");
        assert!(
            n.chars().all(|c| c.is_ascii() || c.is_alphanumeric()),
            "{n}"
        );
    }

    #[test]
    fn counts_words() {
        let mut out = String::new();
        assert_eq!(
            for_matching_into("Asiakas-\nkokemus, 6Aika ja äö!", &mut out),
            4
        );
        assert_eq!(out, "asiakaskokemus, 6aika ja äö!");
        assert_eq!(for_matching_into("  ", &mut out), 0);
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
            "rajapintaratkaisut"
        );
        assert_eq!(for_matching("rajapinta- \nratkaisut"), "rajapintaratkaisut");
        assert_eq!(for_matching("palvelu\u{2010}\nmalli"), "palvelumalli");
        assert_eq!(for_matching("a\r\nb\rc"), "a\nb\nc");
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
        assert_eq!(for_matching("loppu-"), "loppu-");
    }

    #[test]
    fn rejoin_alone_keeps_case() {
        assert_eq!(
            rejoin_hyphenated("Asiakas-\nkokemus ja Tausta-\nTavoitteet"),
            "Asiakaskokemus ja Tausta-\nTavoitteet"
        );
        // Names and abbreviations keep their hyphen; a capital at a sentence's start is no
        // name.
        assert_eq!(
            rejoin_hyphenated(
                "puhelinjärjestelmä, Vantaa-\ninfojen jono; 6Aika-\nstrategia ja EU-\nhanke. \
                 Asiakas-\nkokemus"
            ),
            "puhelinjärjestelmä, Vantaa-infojen jono; 6Aika-strategia ja EU-hanke. \
             Asiakaskokemus"
        );
    }

    fn units(text: &str) -> Vec<(String, String, u32)> {
        let mut out = String::new();
        let mut seg = Segments::default();
        segment_into(text, &mut out, &mut seg);
        seg.units
            .iter()
            .map(|u| {
                (
                    text[u.orig.0..u.orig.1].to_string(),
                    out[u.norm.0..u.norm.1].to_string(),
                    u.words,
                )
            })
            .collect()
    }

    #[test]
    fn units_end_at_punctuation_and_lines_that_stand_alone() {
        let t = "Otsikko\nEnsimmäinen lause. Toinen lause, joka jatkuu\nrivillä. Kolmas?\n\n- kohta\n- toinen\x0cSivu 2";
        let u: Vec<String> = units(t).into_iter().map(|u| u.0).collect();
        assert_eq!(
            u,
            [
                "Otsikko",
                "Ensimmäinen lause.",
                "Toinen lause, joka jatkuu\nrivillä.",
                "Kolmas?",
                "- kohta",
                "- toinen",
                "Sivu 2"
            ]
        );
        let u = units("ASIAKAS-\nKOKEMUS 2.0 ja asiakas-\nkokemus");
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].1, "asiakas-\nkokemus 2.0 ja asiakaskokemus");
        assert_eq!(u[0].2, 6);
    }

    #[test]
    fn word_spans_point_into_the_output() {
        let mut out = String::from("x\n");
        let mut seg = Segments::default();
        let n = segment_into("Hyvä Ääni, 3D-malli", &mut out, &mut seg);
        assert_eq!(n, 4);
        let w: Vec<&str> = seg
            .words
            .iter()
            .map(|&(a, b)| &out[a as usize..b as usize])
            .collect();
        assert_eq!(w, ["hyvä", "ääni", "3d", "malli"]);
    }

    #[test]
    fn word_bytes() {
        let n = for_matching("Ääni, 3D-malli");
        let words: Vec<&str> = n
            .split(|c: char| c.is_ascii() && !is_word_byte(c as u8))
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words, ["ääni", "3d", "malli"]);
    }
}
