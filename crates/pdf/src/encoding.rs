//! Glyph names and the base encodings of simple fonts.

use crate::tables;

/// A simple font's base encoding: code to glyph name ("" where the encoding has none).
pub(crate) type BaseEncoding = &'static [&'static str; 256];

pub(crate) fn base_encoding(name: &[u8]) -> Option<BaseEncoding> {
    match name {
        b"WinAnsiEncoding" => Some(&tables::WIN_ANSI),
        b"MacRomanEncoding" => Some(&tables::MAC_ROMAN),
        b"MacExpertEncoding" => Some(&tables::MAC_EXPERT),
        b"StandardEncoding" => Some(&tables::STANDARD),
        // Not a base encoding the standard allows, but written by some form producers.
        b"PDFDocEncoding" => Some(&tables::PDF_DOC),
        _ => None,
    }
}

pub(crate) fn standard() -> BaseEncoding {
    &tables::STANDARD
}

pub(crate) fn win_ansi() -> BaseEncoding {
    &tables::WIN_ANSI
}

pub(crate) fn symbol() -> BaseEncoding {
    &tables::SYMBOL
}

pub(crate) fn zapf_dingbats() -> BaseEncoding {
    &tables::ZAPF_DINGBATS
}

fn lookup<'a>(table: &'a [(&'a str, &'a str)], name: &[u8]) -> Option<&'a str> {
    table
        .binary_search_by(|(k, _)| k.as_bytes().cmp(name))
        .ok()
        .map(|i| table[i].1)
}

/// The Adobe Glyph List entry for a glyph name (including the ZapfDingbats names when
/// `dingbats` is set).
pub(crate) fn agl(name: &[u8], dingbats: bool) -> Option<&'static str> {
    if dingbats && let Some(s) = lookup(tables::ZAPF_DINGBATS_NAMES, name) {
        return Some(s);
    }
    lookup(tables::GLYPH_LIST, name)
}

/// Maps a glyph name that is not in the Adobe Glyph List by the list's naming conventions:
/// `uniXXXX[XXXX...]`, `uXXXX[X[X]]`, ligatures written `f_f_i`, variants such as `a.sc`,
/// and, when the whole font uses them, numeric names such as `g65`, `cid123` or hex `Ax41`.
pub(crate) fn parse_glyph_name(
    name: &[u8],
    numeric: Numeric,
    dingbats: bool,
    out: &mut String,
) -> bool {
    parse_name(name, numeric, dingbats, true, true, out, 0)
}

/// How a font's unknown glyph names may be read as numbers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Numeric {
    No,
    Decimal,
    Hex,
}

fn parse_name(
    name: &[u8],
    numeric: Numeric,
    dingbats: bool,
    ligatures: bool,
    variants: bool,
    out: &mut String,
    depth: u8,
) -> bool {
    if depth > 4 || name.is_empty() {
        return false;
    }
    if variants && let Some(dot) = name.iter().position(|&b| b == b'.') {
        if dot == 0 {
            return false;
        }
        return parse_name(
            &name[..dot],
            numeric,
            dingbats,
            ligatures,
            false,
            out,
            depth + 1,
        ) || agl(&name[..dot], dingbats)
            .map(|s| out.push_str(s))
            .is_some();
    }
    if ligatures && name.contains(&b'_') {
        let start = out.len();
        let mut any = false;
        for part in name.split(|&b| b == b'_').filter(|p| !p.is_empty()) {
            if let Some(s) = agl(part, dingbats) {
                out.push_str(s);
                any = true;
            } else if parse_name(part, numeric, dingbats, false, variants, out, depth + 1) {
                any = true;
            }
        }
        if !any {
            out.truncate(start);
        }
        return any;
    }
    if depth > 0
        && let Some(s) = agl(name, dingbats)
    {
        out.push_str(s);
        return true;
    }
    if name.len() >= 7 && name.len() % 4 == 3 && name.starts_with(b"uni") {
        let mut any = false;
        for quad in name[3..].chunks_exact(4) {
            if let Some(u) = hex_value(quad)
                && let Some(c) = scalar(u)
                && u <= 0xFFFF
            {
                out.push(c);
                any = true;
            }
        }
        return any;
    }
    if (5..=7).contains(&name.len())
        && name[0] == b'u'
        && let Some(u) = hex_value(&name[1..])
        && let Some(c) = scalar(u)
    {
        out.push(c);
        return true;
    }
    if numeric != Numeric::No
        && let Some(u) = numeric_name(name, numeric == Numeric::Hex)
        && let Some(c) = char::from_u32(u)
    {
        out.push(c);
        return true;
    }
    false
}

fn scalar(u: u32) -> Option<char> {
    if (0xD800..0xE000).contains(&u) {
        return None;
    }
    char::from_u32(u)
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let mut v: u32 = 0;
    for &d in digits {
        v = v.checked_mul(16)? + (d as char).to_digit(16)?;
    }
    Some(v)
}

/// Reads names like `65`, `g65`, `cid65` (decimal) or `41`, `Ax41`-style `A41` (hex).
pub(crate) fn numeric_name(name: &[u8], hex: bool) -> Option<u32> {
    let mut s = name;
    if hex {
        let alnum = s.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if alnum == 3 && s[0].is_ascii_alphabetic() {
            s = &s[1..];
        } else if alnum != 2 {
            return None;
        }
        let digits = &s[..2];
        let v = hex_value(digits)?;
        if s[2..].iter().all(|b| !b.is_ascii_alphanumeric()) {
            return Some(v);
        }
        return None;
    }
    for _ in 0..2 {
        if s.first().is_some_and(|b| b.is_ascii_alphabetic()) {
            s = &s[1..];
        }
    }
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = &s[digits..];
    if rest.iter().any(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    std::str::from_utf8(&s[..digits]).ok()?.parse().ok()
}

/// Whether a glyph name that is not in the list looks like a two-digit hex code (`A3`,
/// `Fb`, `x1f`), which marks the font's numeric names as hex rather than decimal.
pub(crate) fn looks_hex(name: &[u8]) -> bool {
    let hex_letter = |b: u8| matches!(b, b'a'..=b'f' | b'A'..=b'F');
    match name {
        [a, b, c] => {
            a.is_ascii_alphabetic()
                && b.is_ascii_hexdigit()
                && c.is_ascii_hexdigit()
                && (hex_letter(*b) || hex_letter(*c))
        }
        [a, b] => a.is_ascii_hexdigit() && b.is_ascii_hexdigit() && hex_letter(*b),
        _ => false,
    }
}

/// PDFDocEncoding, the 8-bit encoding of text strings without a byte-order mark.
pub(crate) fn pdf_doc_char(b: u8) -> char {
    const HIGH: [u16; 33] = [
        0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039, 0x203A, 0x2212,
        0x2030, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141,
        0x0152, 0x0160, 0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0xFFFD, 0x20AC,
    ];
    const LOW: [u16; 8] = [
        0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC,
    ];
    let u = match b {
        0x18..=0x1F => LOW[(b - 0x18) as usize],
        0x80..=0xA0 => HIGH[(b - 0x80) as usize],
        _ => b as u16,
    };
    char::from_u32(u as u32).unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, numeric: Numeric) -> Option<String> {
        let mut s = String::new();
        parse_glyph_name(name.as_bytes(), numeric, false, &mut s).then_some(s)
    }

    #[test]
    fn agl_names() {
        assert_eq!(agl(b"adieresis", false), Some("ä"));
        assert_eq!(agl(b"Odieresis", false), Some("Ö"));
        assert_eq!(agl(b"aring", false), Some("å"));
        assert_eq!(agl(b"fi", false), Some("\u{FB01}"));
        assert_eq!(agl(b"nosuchglyph", false), None);
        assert_eq!(agl(b"a1", true), Some("\u{2701}"));
        assert_eq!(agl(b"a1", false), None);
    }

    #[test]
    fn conventions() {
        assert_eq!(parse("uni00E4", Numeric::No).as_deref(), Some("ä"));
        assert_eq!(parse("uni00660069", Numeric::No).as_deref(), Some("fi"));
        assert_eq!(parse("u1F600", Numeric::No).as_deref(), Some("😀"));
        assert_eq!(parse("uD800", Numeric::No), None);
        assert_eq!(parse("f_f_i", Numeric::No).as_deref(), Some("ffi"));
        assert_eq!(parse("adieresis.sc", Numeric::No).as_deref(), Some("ä"));
        assert_eq!(parse("g65", Numeric::Decimal).as_deref(), Some("A"));
        assert_eq!(parse("g65", Numeric::No), None);
        assert_eq!(parse("x41", Numeric::Hex).as_deref(), Some("A"));
        assert_eq!(parse(".notdef", Numeric::Decimal), None);
    }

    #[test]
    fn base_encodings() {
        assert_eq!(win_ansi()[0xE4], "adieresis");
        assert_eq!(win_ansi()[0xF6], "odieresis");
        assert_eq!(win_ansi()[0x80], "Euro");
        assert_eq!(standard()[0xE4], "");
        assert_eq!(standard()[0x27], "quoteright");
        assert_eq!(
            base_encoding(b"MacRomanEncoding").map(|e| e[0x8A]),
            Some("adieresis")
        );
    }

    #[test]
    fn pdf_doc() {
        assert_eq!(pdf_doc_char(b'A'), 'A');
        assert_eq!(pdf_doc_char(0xE4), 'ä');
        assert_eq!(pdf_doc_char(0x84), '—');
        assert_eq!(pdf_doc_char(0xA0), '€');
    }
}
