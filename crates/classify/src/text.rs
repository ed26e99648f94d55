//! Words and sentences of normalised text.

/// A word of normalised text with its byte span, so that evidence can quote the sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// Words are runs of letters and digits; hyphens, slashes and punctuation separate them, so
/// `asiakas- ja palvelutieto` gives `asiakas`, `ja`, `palvelutieto`.
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(Word {
                text: &text[s..i],
                start: s,
            });
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &text[s..],
            start: s,
        });
    }
    out
}

/// Byte spans of sentences: ended by `.`, `!`, `?` followed by white space, or by a line
/// break after a line that looks like a heading or list item (slides are mostly such lines).
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let end_here = match b {
            b'.' | b'!' | b'?' => bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
            b'\n' => line_ends_unit(&text[start..i], &text[i + 1..]),
            0x0c => true,
            _ => false,
        };
        if end_here {
            push_span(text, start, i + 1, &mut spans);
            start = i + 1;
        }
        i += 1;
    }
    push_span(text, start, text.len(), &mut spans);
    spans
}

/// Whether a line break ends a sentence that has no closing punctuation: at a blank line, or
/// when the next line starts like a new item (capital, digit, bullet) and this line does not
/// run on (comma, colon, hyphen). Slides and tables are mostly such lines.
fn line_ends_unit(before: &str, after: &str) -> bool {
    let line = before.rsplit('\n').next().unwrap_or(before).trim();
    let next = after.split('\n').next().unwrap_or(after).trim_start();
    if next.is_empty() {
        return true;
    }
    let runs_on = line.ends_with([',', ';', ':', '-', '(']);
    let starts_new = next
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || "-•*–▪●◦".contains(c));
    !runs_on && starts_new
}

fn push_span(text: &str, start: usize, end: usize, spans: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        spans.push((start + lead, start + lead + trimmed.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation_and_hyphens() {
        let w: Vec<_> = words("asiakas- ja palvelu-tieto, 6aika!")
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(w, ["asiakas", "ja", "palvelu", "tieto", "6aika"]);
    }

    #[test]
    fn sentences_end_at_punctuation_and_unit_lines() {
        let t = "Otsikko\nEnsimmäinen lause. Toinen lause, joka jatkuu\nrivillä. Kolmas?\n\n- kohta\n- toinen";
        let s: Vec<_> = sentences(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(
            s,
            [
                "Otsikko",
                "Ensimmäinen lause.",
                "Toinen lause, joka jatkuu\nrivillä.",
                "Kolmas?",
                "- kohta",
                "- toinen"
            ]
        );
    }
}
