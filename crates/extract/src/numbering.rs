//! List and heading numbers as a reader sees them ("2.1.", "b)", "iv."). Word and
//! OpenDocument store only the rules; the labels have to be counted out in document order.

/// How one list level writes its counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum NumStyle {
    #[default]
    Decimal,
    /// Decimal with a leading zero below ten ("01").
    DecimalZero,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    /// "1st", "2nd".
    Ordinal,
    /// A bullet: the label is the level text itself, with no counter.
    Bullet,
    /// No label at all.
    None,
}

impl NumStyle {
    /// From WordprocessingML's `w:numFmt` value. Formats for other scripts fall back to
    /// decimal, which keeps the count readable.
    pub(crate) fn from_word(value: &str) -> NumStyle {
        match value {
            "decimalZero" => NumStyle::DecimalZero,
            "lowerLetter" => NumStyle::LowerLetter,
            "upperLetter" => NumStyle::UpperLetter,
            "lowerRoman" => NumStyle::LowerRoman,
            "upperRoman" => NumStyle::UpperRoman,
            "ordinal" => NumStyle::Ordinal,
            "bullet" => NumStyle::Bullet,
            "none" => NumStyle::None,
            _ => NumStyle::Decimal,
        }
    }

    /// From OpenDocument's `style:num-format` ("1", "a", "A", "i", "I", or empty).
    pub(crate) fn from_odf(value: &str) -> NumStyle {
        match value {
            "" => NumStyle::None,
            "a" => NumStyle::LowerLetter,
            "A" => NumStyle::UpperLetter,
            "i" => NumStyle::LowerRoman,
            "I" => NumStyle::UpperRoman,
            _ => NumStyle::Decimal,
        }
    }

    /// The counter value `n` written in this style.
    pub(crate) fn format(self, n: u32) -> String {
        match self {
            NumStyle::Decimal => n.to_string(),
            NumStyle::DecimalZero => format!("{n:02}"),
            NumStyle::LowerLetter => letters(n).to_lowercase(),
            NumStyle::UpperLetter => letters(n),
            NumStyle::LowerRoman => roman(n).to_lowercase(),
            NumStyle::UpperRoman => roman(n),
            NumStyle::Ordinal => {
                let suffix = match (n % 10, n % 100) {
                    (_, 11..=13) => "th",
                    (1, _) => "st",
                    (2, _) => "nd",
                    (3, _) => "rd",
                    _ => "th",
                };
                format!("{n}{suffix}")
            }
            NumStyle::Bullet | NumStyle::None => String::new(),
        }
    }
}

/// Spreadsheet-style letters as list labels use them: a..z, then aa, bb, ... (Word repeats
/// the letter rather than counting in base 26).
fn letters(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    let letter = char::from(b'A' + ((n - 1) % 26) as u8);
    let repeat = ((n - 1) / 26 + 1).min(16) as usize;
    std::iter::repeat_n(letter, repeat).collect()
}

fn roman(mut n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// Symbol-font bullets are stored as private-use code points (U+F0B7 for Symbol's bullet),
/// which no other font shows; a reader sees a bullet.
pub(crate) fn visible_bullet(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.chars().any(|c| ('\u{e000}'..='\u{f8ff}').contains(&c)) {
        return "•".to_string();
    }
    t.to_string()
}

/// Counters of one list: the current value of each level, `None` before its first item.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counters {
    values: Vec<Option<u32>>,
}

impl Counters {
    /// Advances level `level` (0-based) and forgets every deeper level, as starting a new
    /// item of a level restarts the numbering of the levels below it.
    pub(crate) fn advance(&mut self, level: usize, start: u32) -> u32 {
        let level = level.min(MAX_LEVELS - 1);
        if self.values.len() <= level {
            self.values.resize(level + 1, None);
        }
        let next = match self.values[level] {
            Some(v) => v.saturating_add(1),
            None => start,
        };
        self.values[level] = Some(next);
        self.values.truncate(level + 1);
        next
    }

    /// Current value of a level, if it has had an item.
    pub(crate) fn value(&self, level: usize) -> Option<u32> {
        self.values.get(level).copied().flatten()
    }

    /// Sets the next item of `level` to start at `start`.
    pub(crate) fn restart(&mut self, level: usize) {
        if let Some(v) = self.values.get_mut(level) {
            *v = None;
        }
    }
}

/// Word and OpenDocument both allow nine levels; deeper indices are clamped.
pub(crate) const MAX_LEVELS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_counters_in_each_style() {
        assert_eq!(NumStyle::Decimal.format(12), "12");
        assert_eq!(NumStyle::DecimalZero.format(7), "07");
        assert_eq!(NumStyle::LowerLetter.format(2), "b");
        assert_eq!(NumStyle::UpperLetter.format(28), "BB");
        assert_eq!(NumStyle::LowerRoman.format(4), "iv");
        assert_eq!(NumStyle::UpperRoman.format(1994), "MCMXCIV");
        assert_eq!(NumStyle::Ordinal.format(2), "2nd");
        assert_eq!(NumStyle::Ordinal.format(12), "12th");
        assert_eq!(NumStyle::Bullet.format(3), "");
    }

    #[test]
    fn deeper_levels_restart_after_a_shallower_item() {
        let mut c = Counters::default();
        assert_eq!(c.advance(0, 1), 1);
        assert_eq!(c.advance(1, 1), 1);
        assert_eq!(c.advance(1, 1), 2);
        assert_eq!(c.advance(0, 1), 2);
        assert_eq!(c.value(1), None);
        assert_eq!(c.advance(1, 1), 1);
        c.restart(0);
        assert_eq!(c.advance(0, 5), 5);
    }

    #[test]
    fn private_use_bullets_become_visible() {
        assert_eq!(visible_bullet("\u{f0b7}"), "•");
        assert_eq!(visible_bullet("–"), "–");
        assert_eq!(visible_bullet(""), "•");
    }
}
