//! Spreadsheet number formats ("#,##0.00", "0%", "d.m.yyyy", "[$€-40B] #,##0"): the text a
//! cell shows for its stored number. Readers see "12.50 €" and "15.1.2017", not 12.5 and
//! 42750; both the search terms people type and any reference rendering use what is shown.
//!
//! Covered: sections (positive;negative;zero;text), literals, colours and locale tags,
//! thousands separators and scaling, percent, scientific notation, dates and times, elapsed
//! hours. Fractions fall back to decimals. The output follows Excel's en-US conventions.

/// Formats `value` with the format `code`. `date1904` selects the Mac epoch for dates.
pub(crate) fn format(value: f64, code: &str, date1904: bool) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let sections = split_sections(code);
    let (section, value) = pick_section(&sections, value);
    let tokens = tokenize(section);
    if tokens.iter().all(|t| matches!(t, Token::General)) || tokens.is_empty() {
        return general(value);
    }
    if tokens.iter().any(Token::is_date_part) {
        return date_time(value, &tokens, date1904).unwrap_or_else(|| general(value));
    }
    number(value, &tokens)
}

/// True when the format shows a date or time, so that a cell's number is a serial date.
pub(crate) fn is_date_format(code: &str) -> bool {
    let sections = split_sections(code);
    sections
        .first()
        .is_some_and(|s| tokenize(s).iter().any(Token::is_date_part))
}

/// Excel's "General": whole numbers without decimals, others with up to ten significant
/// digits, trailing zeros dropped.
pub(crate) fn general(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let abs = value.abs();
    if !(1e-9..1e15).contains(&abs) {
        let s = format!("{value:.5E}");
        return tidy_exponent(&s);
    }
    let int_digits = if abs >= 1.0 {
        abs.log10().floor() as i32 + 1
    } else {
        0
    };
    let decimals = (10 - int_digits).clamp(0, 10) as usize;
    let s = format!("{value:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

fn tidy_exponent(s: &str) -> String {
    // "1.23450E6" -> "1.2345E+06", as Excel writes exponents.
    let Some((mantissa, exp)) = s.split_once('E') else {
        return s.to_string();
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exp.abs())
}

/// Splits a format code at the `;` that separate its sections, outside quotes and escapes.
fn split_sections(code: &str) -> Vec<&str> {
    let mut sections = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    let mut bracket = false;
    for (i, c) in code.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            ';' if !quoted && !bracket => {
                sections.push(&code[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    sections.push(&code[start..]);
    sections
}

/// The section that applies to `value`, and the value to format with it: the negative
/// section writes its own sign, so it formats the absolute value.
fn pick_section<'a>(sections: &[&'a str], value: f64) -> (&'a str, f64) {
    let first = sections.first().copied().unwrap_or("General");
    // Conditional sections ("[>=100]") are rare; the first section serves.
    if first.contains("[>") || first.contains("[<") || first.contains("[=") {
        return (first, value);
    }
    match sections.len() {
        0 | 1 => (first, value),
        2 => {
            if value < 0.0 {
                (sections[1], -value)
            } else {
                (first, value)
            }
        }
        _ => {
            if value < 0.0 {
                (sections[1], -value)
            } else if value == 0.0 {
                (sections[2], value)
            } else {
                (first, value)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    General,
    Literal(String),
    /// `0`, `#` or `?`.
    Digit(char),
    Point,
    Comma,
    Percent,
    /// `E+` or `E-`.
    Exponent(bool),
    /// The `@` of a text section.
    Text,
    Year(usize),
    /// Month or minute, decided later by its neighbours.
    M(usize),
    Day(usize),
    Hour(usize),
    Second(usize),
    /// Elapsed hours, minutes or seconds: `[h]`, `[mm]`, `[ss]`.
    Elapsed(char),
    AmPm(bool),
    /// Fractional seconds after `ss`: `.0`, `.00`.
    SubSecond(usize),
}

impl Token {
    fn is_date_part(&self) -> bool {
        matches!(
            self,
            Token::Year(_)
                | Token::M(_)
                | Token::Day(_)
                | Token::Hour(_)
                | Token::Second(_)
                | Token::Elapsed(_)
                | Token::AmPm(_)
        )
    }
}

fn tokenize(section: &str) -> Vec<Token> {
    let chars: Vec<char> = section.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let run = |chars: &[char], i: usize, c: char| {
        chars[i..]
            .iter()
            .take_while(|x| x.eq_ignore_ascii_case(&c))
            .count()
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&x| x == '"')
                    .map_or(chars.len(), |p| i + 1 + p);
                tokens.push(Token::Literal(chars[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '\\' => {
                if let Some(&next) = chars.get(i + 1) {
                    tokens.push(Token::Literal(next.to_string()));
                }
                i += 2;
            }
            '_' => {
                // Space the width of the next character.
                tokens.push(Token::Literal(" ".into()));
                i += 2;
            }
            '*' => i += 2, // fill character: no width of its own in plain text
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|&x| x == ']')
                    .map_or(chars.len(), |p| i + p);
                let inner: String = chars[i + 1..end.min(chars.len())].iter().collect();
                let lower = inner.to_ascii_lowercase();
                if let Some(currency) = inner.strip_prefix('$') {
                    let symbol = currency.split('-').next().unwrap_or("");
                    if !symbol.is_empty() {
                        tokens.push(Token::Literal(symbol.to_string()));
                    }
                } else if !lower.is_empty() && lower.chars().all(|x| x == 'h') {
                    tokens.push(Token::Elapsed('h'));
                } else if !lower.is_empty() && lower.chars().all(|x| x == 'm') {
                    tokens.push(Token::Elapsed('m'));
                } else if !lower.is_empty() && lower.chars().all(|x| x == 's') {
                    tokens.push(Token::Elapsed('s'));
                }
                // Colours, conditions and locale codes show nothing.
                i = end + 1;
            }
            '0' | '#' | '?' => {
                tokens.push(Token::Digit(c));
                i += 1;
            }
            '.' => {
                // After seconds, ".0" is fractional seconds.
                let zeros = chars[i + 1..].iter().take_while(|&&x| x == '0').count();
                if zeros > 0 && matches!(tokens.last(), Some(Token::Second(_))) {
                    tokens.push(Token::SubSecond(zeros));
                    i += 1 + zeros;
                } else {
                    tokens.push(Token::Point);
                    i += 1;
                }
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '%' => {
                tokens.push(Token::Percent);
                i += 1;
            }
            '@' => {
                tokens.push(Token::Text);
                i += 1;
            }
            'E' | 'e' if matches!(chars.get(i + 1), Some('+' | '-')) => {
                tokens.push(Token::Exponent(chars.get(i + 1) == Some(&'+')));
                i += 2;
            }
            'G' | 'g'
                if chars[i..]
                    .iter()
                    .take(7)
                    .collect::<String>()
                    .eq_ignore_ascii_case("general") =>
            {
                tokens.push(Token::General);
                i += 7;
            }
            'y' | 'Y' | 'e' => {
                let n = run(&chars, i, c);
                tokens.push(Token::Year(n));
                i += n;
            }
            'm' | 'M' => {
                let n = run(&chars, i, 'm');
                tokens.push(Token::M(n));
                i += n;
            }
            'd' | 'D' => {
                let n = run(&chars, i, 'd');
                tokens.push(Token::Day(n));
                i += n;
            }
            'h' | 'H' => {
                let n = run(&chars, i, 'h');
                tokens.push(Token::Hour(n));
                i += n;
            }
            's' | 'S' => {
                let n = run(&chars, i, 's');
                tokens.push(Token::Second(n));
                i += n;
            }
            'A' | 'a' => {
                let rest: String = chars[i..].iter().take(5).collect();
                let upper = rest.to_ascii_uppercase();
                if upper.starts_with("AM/PM") {
                    tokens.push(Token::AmPm(true));
                    i += 5;
                } else if upper.starts_with("A/P") {
                    tokens.push(Token::AmPm(false));
                    i += 3;
                } else {
                    tokens.push(Token::Literal(c.to_string()));
                    i += 1;
                }
            }
            _ => {
                tokens.push(Token::Literal(c.to_string()));
                i += 1;
            }
        }
    }
    tokens
}

fn number(value: f64, tokens: &[Token]) -> String {
    let first_digit = tokens.iter().position(|t| matches!(t, Token::Digit(_)));
    let Some(first_digit) = first_digit else {
        // A section of literals only ("-", "n/a"), or a text section.
        let mut out = String::new();
        for t in tokens {
            match t {
                Token::Literal(s) => out.push_str(s),
                Token::Percent => out.push('%'),
                Token::Text | Token::General => out.push_str(&general(value)),
                _ => {}
            }
        }
        return out;
    };
    let last_digit = tokens
        .iter()
        .rposition(|t| matches!(t, Token::Digit(_)))
        .unwrap_or(first_digit);
    let point = tokens.iter().position(|t| matches!(t, Token::Point));
    let exponent = tokens.iter().position(|t| matches!(t, Token::Exponent(_)));
    let mantissa_end = exponent.unwrap_or(last_digit + 1);
    let int_end = point.unwrap_or(mantissa_end).min(mantissa_end);
    let digits = |range: std::ops::Range<usize>, which: fn(char) -> bool| {
        tokens
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter(|t| matches!(t, Token::Digit(c) if which(*c)))
            .count()
    };
    let int_zeros = digits(first_digit..int_end, |c| c == '0');
    let (min_dec, max_dec) = match point {
        Some(p) if p < mantissa_end => (
            digits(p + 1..mantissa_end, |c| c == '0' || c == '?'),
            digits(p + 1..mantissa_end, |_| true),
        ),
        _ => (0, 0),
    };
    let grouping = tokens
        .get(first_digit..int_end)
        .unwrap_or(&[])
        .contains(&Token::Comma);
    // Commas right after the last integer digit scale by a thousand each.
    let scale_commas = tokens
        .get(int_end..)
        .unwrap_or(&[])
        .iter()
        .take_while(|t| **t == Token::Comma)
        .count()
        + if point.is_none() {
            0
        } else {
            tokens
                .get(mantissa_end..)
                .unwrap_or(&[])
                .iter()
                .take_while(|t| **t == Token::Comma)
                .count()
        };
    let percents = tokens.iter().filter(|t| **t == Token::Percent).count();
    let mut v = value;
    for _ in 0..percents.min(3) {
        v *= 100.0;
    }
    for _ in 0..scale_commas.min(3) {
        v /= 1000.0;
    }
    let negative = v < 0.0;
    let mut body = match exponent {
        Some(e) => {
            let plus = matches!(tokens.get(e), Some(Token::Exponent(true)));
            let exp_digits = digits(e + 1..last_digit + 1, |_| true).max(1);
            scientific(
                v.abs(),
                int_zeros.max(1),
                min_dec,
                max_dec,
                plus,
                exp_digits,
            )
        }
        None => fixed(v.abs(), int_zeros, min_dec, max_dec, grouping),
    };
    if negative && body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        body.insert(0, '-');
    }
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i == first_digit {
            out.push_str(&body);
        }
        let inside = i >= first_digit && i <= last_digit;
        match t {
            Token::Literal(s) if !inside => out.push_str(s),
            Token::Percent => out.push('%'),
            Token::Text => out.push_str(&general(value)),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn fixed(v: f64, int_zeros: usize, min_dec: usize, max_dec: usize, grouping: bool) -> String {
    let max_dec = max_dec.min(15);
    let s = format!("{v:.max_dec$}");
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (s, String::new()),
    };
    let mut frac = frac;
    while frac.len() > min_dec && frac.ends_with('0') {
        frac.pop();
    }
    let int_part = if int_part == "0" && int_zeros == 0 {
        String::new()
    } else if int_part.len() < int_zeros {
        format!("{}{int_part}", "0".repeat(int_zeros - int_part.len()))
    } else {
        int_part
    };
    let int_part = if grouping {
        group_thousands(&int_part)
    } else {
        int_part
    };
    if frac.is_empty() {
        int_part
    } else {
        format!("{int_part}.{frac}")
    }
}

fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn scientific(
    v: f64,
    int_digits: usize,
    min_dec: usize,
    max_dec: usize,
    plus: bool,
    exp_digits: usize,
) -> String {
    let int_digits = int_digits.clamp(1, 6) as i32;
    let (mut mantissa, mut exp) = if v == 0.0 {
        (0.0, 0)
    } else {
        let e = v.log10().floor() as i32 - (int_digits - 1);
        (v / 10f64.powi(e), e)
    };
    let max_dec = max_dec.min(15);
    let mut m = format!("{mantissa:.max_dec$}");
    // Rounding may carry into a new digit (9.99 -> 10.0).
    if m.split('.').next().map_or(0, str::len) > int_digits as usize {
        mantissa /= 10.0;
        exp += 1;
        m = format!("{mantissa:.max_dec$}");
    }
    if let Some((i, f)) = m.split_once('.') {
        let mut f = f.to_string();
        while f.len() > min_dec && f.ends_with('0') {
            f.pop();
        }
        m = if f.is_empty() {
            i.to_string()
        } else {
            format!("{i}.{f}")
        };
    }
    let sign = if exp < 0 {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    };
    format!("{m}E{sign}{:0width$}", exp.abs(), width = exp_digits)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A serial date as (year, month, day, weekday 0 = Sunday), with Excel's 1900 leap-year
/// error kept: serial 60 is 29 February 1900, a day that never was.
pub(crate) fn serial_to_date(serial: i64, date1904: bool) -> Option<(i64, u32, u32, u32)> {
    if !(0..=2_958_465).contains(&serial) {
        return None;
    }
    let days_since_1970 = if date1904 {
        serial - 24_107
    } else if serial == 60 {
        return Some((1900, 2, 29, 4));
    } else if serial < 60 {
        serial - 25_568
    } else {
        serial - 25_569
    };
    let (y, m, d) = civil_from_days(days_since_1970);
    let weekday = (days_since_1970 + 4).rem_euclid(7) as u32;
    Some((y, m, d, weekday))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn date_time(value: f64, tokens: &[Token], date1904: bool) -> Option<String> {
    let has_sub = tokens.iter().find_map(|t| match t {
        Token::SubSecond(n) => Some(*n),
        _ => None,
    });
    let resolution = 10f64.powi(has_sub.unwrap_or(0).min(3) as i32);
    // Round to the shown precision first, so that 0.9999999 of a day shows as the next day.
    let total = (value * 86_400.0 * resolution).round() / resolution;
    let days = (total / 86_400.0).floor();
    let secs_of_day = total - days * 86_400.0;
    let (y, mo, d, wd) = serial_to_date(days as i64, date1904)?;
    let whole = secs_of_day.floor() as i64;
    let (h, mi, s) = (whole / 3600, (whole / 60) % 60, whole % 60);
    let frac = secs_of_day - whole as f64;
    let twelve = tokens.iter().any(|t| matches!(t, Token::AmPm(_)));
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Literal(s) => out.push_str(s),
            Token::Year(n) => {
                if *n <= 2 {
                    out.push_str(&format!("{:02}", y.rem_euclid(100)));
                } else {
                    out.push_str(&format!("{y:04}"));
                }
            }
            Token::M(n) => {
                if is_minute(tokens, i) {
                    pad(&mut out, mi, *n);
                } else {
                    let name = MONTHS[(mo as usize).saturating_sub(1).min(11)];
                    match n {
                        1 => out.push_str(&mo.to_string()),
                        2 => out.push_str(&format!("{mo:02}")),
                        3 => out.push_str(&name[..3]),
                        5 => out.push_str(&name[..1]),
                        _ => out.push_str(name),
                    }
                }
            }
            Token::Day(n) => {
                let name = DAYS[(wd as usize).min(6)];
                match n {
                    1 => out.push_str(&d.to_string()),
                    2 => out.push_str(&format!("{d:02}")),
                    3 => out.push_str(&name[..3]),
                    _ => out.push_str(name),
                }
            }
            Token::Hour(n) => {
                let shown = if twelve {
                    match h % 12 {
                        0 => 12,
                        x => x,
                    }
                } else {
                    h
                };
                pad(&mut out, shown, *n);
            }
            Token::Second(n) => pad(&mut out, s, *n),
            Token::SubSecond(n) => {
                let digits = format!("{:.*}", (*n).min(3), frac);
                out.push_str(digits.trim_start_matches('0'));
            }
            Token::Elapsed(unit) => {
                let total_secs = (value * 86_400.0).round() as i64;
                let v = match unit {
                    'h' => total_secs / 3600,
                    'm' => total_secs / 60,
                    _ => total_secs,
                };
                out.push_str(&v.to_string());
            }
            Token::AmPm(full) => {
                let pm = h >= 12;
                out.push_str(match (full, pm) {
                    (true, false) => "AM",
                    (true, true) => "PM",
                    (false, false) => "A",
                    (false, true) => "P",
                });
            }
            Token::Digit(c) => out.push(*c),
            Token::Point => out.push('.'),
            Token::Comma => out.push(','),
            Token::Percent => out.push('%'),
            Token::Exponent(_) | Token::Text | Token::General => {}
        }
    }
    Some(out.trim().to_string())
}

/// `m` is minutes right after an hour or right before seconds, months otherwise.
fn is_minute(tokens: &[Token], i: usize) -> bool {
    let before = tokens[..i]
        .iter()
        .rev()
        .find(|t| !matches!(t, Token::Literal(_)));
    let after = tokens[i + 1..]
        .iter()
        .find(|t| !matches!(t, Token::Literal(_)));
    matches!(before, Some(Token::Hour(_) | Token::Elapsed('h')))
        || matches!(after, Some(Token::Second(_)))
}

fn pad(out: &mut String, v: i64, width: usize) {
    if width >= 2 {
        out.push_str(&format!("{v:02}"));
    } else {
        out.push_str(&v.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_numbers() {
        assert_eq!(general(42.0), "42");
        assert_eq!(general(0.1 + 0.2), "0.3");
        assert_eq!(general(-3.25), "-3.25");
        assert_eq!(general(1.0 / 3.0), "0.3333333333");
        assert_eq!(general(123456.789), "123456.789");
    }

    #[test]
    fn fixed_decimals_grouping_and_percent() {
        assert_eq!(format(12.5, "0.00", false), "12.50");
        assert_eq!(format(1234567.891, "#,##0.00", false), "1,234,567.89");
        assert_eq!(format(1234.0, "#,##0", false), "1,234");
        assert_eq!(format(0.256, "0%", false), "26%");
        assert_eq!(format(0.256, "0.0%", false), "25.6%");
        assert_eq!(format(3.0, "0.0#", false), "3.0");
        assert_eq!(format(4.126, "0.0#", false), "4.13");
        assert_eq!(format(5.0, "000", false), "005");
        assert_eq!(format(1_500_000.0, "#,##0.0,,\"M\"", false), "1.5M");
    }

    #[test]
    fn sections_literals_and_currency() {
        assert_eq!(format(-5.0, "0.00;(0.00)", false), "(5.00)");
        assert_eq!(format(0.0, "0;-0;\"nolla\"", false), "nolla");
        assert_eq!(format(-5.0, "0", false), "-5");
        assert_eq!(format(12.5, "#,##0.00 [$€-40B]", false), "12.50 €");
        assert_eq!(format(12.5, "[$$-409]#,##0.00", false), "$12.50");
        assert_eq!(format(1234.5, "[Red]#,##0.0", false), "1,234.5");
        assert_eq!(
            format(1234.5, "_(\"$\"* #,##0.00_);_(\"$\"* \\(#,##0.00\\)", false),
            "$1,234.50"
        );
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(format(12345.0, "0.00E+00", false), "1.23E+04");
        assert_eq!(format(0.00012, "0.0E+0", false), "1.2E-4");
    }

    #[test]
    fn dates_and_times() {
        // 42750 is 15 January 2017; 43101.5 is noon on 1 January 2018.
        assert_eq!(format(42750.0, "d.m.yyyy", false), "15.1.2017");
        assert_eq!(format(42750.0, "m/d/yyyy", false), "1/15/2017");
        assert_eq!(format(42750.0, "yyyy-mm-dd", false), "2017-01-15");
        assert_eq!(format(42750.0, "dd mmm yy", false), "15 Jan 17");
        assert_eq!(format(42750.0, "dddd d. mmmm", false), "Sunday 15. January");
        assert_eq!(format(43101.5, "d.m.yyyy h:mm", false), "1.1.2018 12:00");
        assert_eq!(format(43101.75, "h:mm AM/PM", false), "6:00 PM");
        assert_eq!(format(1.5, "[h]:mm", false), "36:00");
        assert_eq!(format(0.0, "yyyy-mm-dd", true), "1904-01-01");
        assert_eq!(format(61.0, "yyyy-mm-dd", false), "1900-03-01");
        assert!(is_date_format("d.m.yyyy"));
        assert!(!is_date_format("#,##0.00 \"d\""));
    }
}
