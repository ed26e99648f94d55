//! A zero-copy tokenizer for content streams.
//!
//! Operands borrow from the stream where they can; inline images are skipped inside the
//! tokenizer, since their data is binary and never holds text, and each is reported as one
//! `EI` operator without operands.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand<'a> {
    Num(f64),
    Name(Cow<'a, [u8]>),
    Str(Cow<'a, [u8]>),
    Array(Vec<Operand<'a>>),
    Dict(Vec<(Cow<'a, [u8]>, Operand<'a>)>),
    Bool(bool),
    Null,
}

impl Operand<'_> {
    pub(crate) fn num(&self) -> Option<f64> {
        match self {
            Operand::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// Arrays and dictionaries nested deeper than this are dropped.
const MAX_NESTING: usize = 32;
/// Operands kept before an operator; a stream that piles up more is garbage.
const MAX_OPERANDS: usize = 4096;

pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    max_operands: usize,
}

#[inline]
fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0C' | b'\0')
}

#[inline]
fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

#[inline]
fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

enum Token<'a> {
    Operand(Operand<'a>),
    Keyword(&'a [u8]),
    ArrayEnd,
    DictEnd,
    Eof,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer {
            data,
            pos: 0,
            max_operands: MAX_OPERANDS,
        }
    }

    /// A lexer for CMaps, whose blocks pile up thousands of operands before their `end`
    /// keyword; the stream's own size still bounds them.
    pub(crate) fn for_cmap(data: &'a [u8]) -> Lexer<'a> {
        Lexer {
            data,
            pos: 0,
            max_operands: usize::MAX,
        }
    }

    /// Collects operands into `operands` (cleared first) up to the next operator, which it
    /// returns; `None` at the end of the stream.
    pub(crate) fn next_op(&mut self, operands: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        operands.clear();
        loop {
            match self.token(0) {
                Token::Operand(o) => {
                    if operands.len() >= self.max_operands {
                        operands.clear();
                    }
                    operands.push(o);
                }
                // The image's data is skipped; its end is reported as `EI`, so that the
                // page knows a picture was drawn.
                Token::Keyword(b"BI") => {
                    self.skip_inline_image();
                    operands.clear();
                    return Some(b"EI");
                }
                Token::Keyword(k) => return Some(k),
                Token::ArrayEnd | Token::DictEnd => {}
                Token::Eof => return None,
            }
        }
    }

    fn skip_white(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn token(&mut self, depth: usize) -> Token<'a> {
        self.skip_white();
        // Stray closers are noise; skip them without recursing.
        while let Some(b'{' | b'}' | b')') = self.data.get(self.pos) {
            self.pos += 1;
            self.skip_white();
        }
        let Some(&b) = self.data.get(self.pos) else {
            return Token::Eof;
        };
        match b {
            b'/' => {
                self.pos += 1;
                Token::Operand(Operand::Name(self.name()))
            }
            b'(' => {
                self.pos += 1;
                Token::Operand(Operand::Str(self.literal()))
            }
            b'<' => {
                if self.data.get(self.pos + 1) == Some(&b'<') {
                    self.pos += 2;
                    if depth >= MAX_NESTING {
                        self.skip_nested();
                        return Token::Operand(Operand::Null);
                    }
                    Token::Operand(self.dict(depth + 1))
                } else {
                    self.pos += 1;
                    Token::Operand(Operand::Str(Cow::Owned(self.hex())))
                }
            }
            b'>' => {
                self.pos += if self.data.get(self.pos + 1) == Some(&b'>') {
                    2
                } else {
                    1
                };
                Token::DictEnd
            }
            b'[' => {
                self.pos += 1;
                if depth >= MAX_NESTING {
                    self.skip_nested();
                    return Token::Operand(Operand::Null);
                }
                Token::Operand(self.array(depth + 1))
            }
            b']' => {
                self.pos += 1;
                Token::ArrayEnd
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                let start = self.pos;
                while self.data.get(self.pos).is_some_and(|&c| is_regular(c)) {
                    self.pos += 1;
                }
                let tok = &self.data[start..self.pos];
                match parse_number(tok) {
                    Some(n) => Token::Operand(Operand::Num(n)),
                    None => Token::Keyword(tok),
                }
            }
            _ => {
                let start = self.pos;
                while self.data.get(self.pos).is_some_and(|&c| is_regular(c)) {
                    self.pos += 1;
                }
                let tok = &self.data[start..self.pos];
                match tok {
                    b"true" => Token::Operand(Operand::Bool(true)),
                    b"false" => Token::Operand(Operand::Bool(false)),
                    b"null" => Token::Operand(Operand::Null),
                    _ => Token::Keyword(tok),
                }
            }
        }
    }

    fn name(&mut self) -> Cow<'a, [u8]> {
        let start = self.pos;
        while self.data.get(self.pos).is_some_and(|&c| is_regular(c)) {
            self.pos += 1;
        }
        let raw = &self.data[start..self.pos];
        if !raw.contains(&b'#') {
            return Cow::Borrowed(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && let (Some(h), Some(l)) = (
                    raw.get(i + 1).and_then(|&c| (c as char).to_digit(16)),
                    raw.get(i + 2).and_then(|&c| (c as char).to_digit(16)),
                )
            {
                out.push((h * 16 + l) as u8);
                i += 3;
            } else {
                out.push(raw[i]);
                i += 1;
            }
        }
        Cow::Owned(out)
    }

    fn literal(&mut self) -> Cow<'a, [u8]> {
        let start = self.pos;
        let mut depth = 1usize;
        let mut escaped = false;
        while let Some(&b) = self.data.get(self.pos) {
            match b {
                b'\\' => {
                    escaped = true;
                    self.pos += 2;
                    continue;
                }
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        let end = self.pos.min(self.data.len());
        self.pos = (self.pos + 1).min(self.data.len());
        let raw = &self.data[start..end];
        if !escaped && !raw.contains(&b'\r') {
            return Cow::Borrowed(raw);
        }
        Cow::Owned(unescape(raw))
    }

    fn hex(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if let Some(v) = (b as char).to_digit(16) {
                match high.take() {
                    Some(h) => out.push(h << 4 | v as u8),
                    None => high = Some(v as u8),
                }
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    fn array(&mut self, depth: usize) -> Operand<'a> {
        let mut items = Vec::new();
        loop {
            match self.token(depth) {
                Token::Operand(o) => {
                    if items.len() < 1 << 20 {
                        items.push(o);
                    }
                }
                Token::ArrayEnd | Token::Eof => break,
                // An operator inside an array means the array was never closed.
                Token::Keyword(k) => {
                    self.pos -= k.len();
                    break;
                }
                Token::DictEnd => {}
            }
        }
        Operand::Array(items)
    }

    fn dict(&mut self, depth: usize) -> Operand<'a> {
        let mut items = Vec::new();
        let mut key: Option<Cow<'a, [u8]>> = None;
        loop {
            match self.token(depth) {
                Token::Operand(Operand::Name(n)) if key.is_none() => key = Some(n),
                Token::Operand(o) => {
                    if let Some(k) = key.take()
                        && items.len() < 1 << 16
                    {
                        items.push((k, o));
                    }
                }
                Token::DictEnd | Token::Eof => break,
                Token::Keyword(k) => {
                    self.pos -= k.len();
                    break;
                }
                Token::ArrayEnd => {}
            }
        }
        Operand::Dict(items)
    }

    /// Skips an array or dictionary nested too deep to keep, without recursion; the
    /// opening bracket is already consumed.
    fn skip_nested(&mut self) {
        let mut open = 1usize;
        while open > 0 {
            let Some(&b) = self.data.get(self.pos) else {
                return;
            };
            match b {
                b'(' => {
                    self.pos += 1;
                    self.literal();
                }
                b'%' => self.skip_white(),
                b'[' => {
                    open += 1;
                    self.pos += 1;
                }
                b']' => {
                    open -= 1;
                    self.pos += 1;
                }
                b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                    open += 1;
                    self.pos += 2;
                }
                b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                    open -= 1;
                    self.pos += 2;
                }
                b'<' => {
                    self.pos += 1;
                    self.hex();
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips an inline image: its parameters up to `ID`, then binary data up to an `EI`
    /// that stands alone between white space.
    fn skip_inline_image(&mut self) {
        let mut length: Option<usize> = None;
        let mut last_key: Option<Cow<'a, [u8]>> = None;
        loop {
            match self.token(1) {
                Token::Keyword(b"ID") => break,
                Token::Eof => return,
                Token::Operand(Operand::Name(n)) if last_key.is_none() => last_key = Some(n),
                Token::Operand(o) => {
                    if let Some(k) = last_key.take()
                        && (k.as_ref() == b"L" || k.as_ref() == b"Length")
                        && let Some(n) = o.num()
                        && n >= 0.0
                    {
                        length = Some(n as usize);
                    }
                }
                _ => {}
            }
        }
        // One white-space byte separates ID from the data.
        self.pos += 1;
        if let Some(len) = length {
            let after = self.pos.saturating_add(len).min(self.data.len());
            let mut p = after;
            while self.data.get(p).is_some_and(|&b| is_white(b)) {
                p += 1;
            }
            if self.data.get(p..p + 2) == Some(b"EI") {
                self.pos = p + 2;
                return;
            }
        }
        let mut p = self.pos;
        while p + 1 < self.data.len() {
            if self.data[p] == b'E'
                && self.data[p + 1] == b'I'
                && (p == 0 || is_white(self.data[p - 1]))
                && self
                    .data
                    .get(p + 2)
                    .is_none_or(|&b| is_white(b) || is_delim(b))
                && self.plausible_after(p + 2)
            {
                self.pos = p + 2;
                return;
            }
            p += 1;
        }
        self.pos = self.data.len();
    }

    /// Whether the bytes after a candidate `EI` look like content-stream text, which tells
    /// a real end of image from the same two bytes inside compressed image data.
    fn plausible_after(&self, p: usize) -> bool {
        let rest = &self.data[p.min(self.data.len())..];
        rest.iter()
            .take(32)
            .all(|&b| b.is_ascii_graphic() || is_white(b))
    }
}

fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b == b'\r' {
            // An end of line in a literal string reads as one line feed.
            out.push(b'\n');
            if raw.get(i) == Some(&b'\n') {
                i += 1;
            }
            continue;
        }
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = raw.get(i) else {
            break;
        };
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'\r' => {
                if raw.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    out
}

/// Parses a number token leniently, as viewers do (`-.5`, `4.`, `--3` read as numbers).
fn parse_number(tok: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut negative = false;
    while i < tok.len() && (tok[i] == b'-' || tok[i] == b'+') {
        negative ^= tok[i] == b'-';
        i += 1;
    }
    let mut int: f64 = 0.0;
    let mut digits = 0;
    while i < tok.len() && tok[i].is_ascii_digit() {
        int = int * 10.0 + f64::from(tok[i] - b'0');
        i += 1;
        digits += 1;
    }
    if i < tok.len() && tok[i] == b'.' {
        i += 1;
        let mut scale = 0.1;
        while i < tok.len() && tok[i].is_ascii_digit() {
            int += f64::from(tok[i] - b'0') * scale;
            scale *= 0.1;
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    // Trailing junk after a number ("12.5.3", "3-") still reads as the leading number.
    if i < tok.len()
        && !tok[i..]
            .iter()
            .all(|&b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
    {
        return None;
    }
    let v = if negative { -int } else { int };
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(src: &[u8]) -> Vec<(String, Vec<Operand<'_>>)> {
        let mut lx = Lexer::new(src);
        let mut operands = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = lx.next_op(&mut operands) {
            out.push((String::from_utf8_lossy(op).into_owned(), operands.clone()));
        }
        out
    }

    #[test]
    fn tokens() {
        let r = ops(b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (a\\(b\\)c) Tj [(x) -250 <4142>] TJ ET");
        let names: Vec<&str> = r.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BT", "Tf", "Tm", "Tj", "TJ", "ET"]);
        assert_eq!(
            r[1].1,
            vec![Operand::Name(Cow::Borrowed(b"F1")), Operand::Num(12.0)]
        );
        assert_eq!(r[2].1[5], Operand::Num(-0.5));
        assert_eq!(r[3].1, vec![Operand::Str(Cow::Owned(b"a(b)c".to_vec()))]);
        assert_eq!(
            r[4].1,
            vec![Operand::Array(vec![
                Operand::Str(Cow::Borrowed(b"x")),
                Operand::Num(-250.0),
                Operand::Str(Cow::Owned(b"AB".to_vec()))
            ])]
        );
    }

    #[test]
    fn strings() {
        let r = ops(b"(a (nested) b) Tj (\\101\\n\\\nz) Tj /A#42 Do");
        assert_eq!(r[0].1[0], Operand::Str(Cow::Borrowed(b"a (nested) b")));
        assert_eq!(r[1].1[0], Operand::Str(Cow::Owned(b"A\nz".to_vec())));
        assert_eq!(r[2].1[0], Operand::Name(Cow::Owned(b"AB".to_vec())));
    }

    #[test]
    fn inline_image_is_skipped() {
        let r = ops(b"q BI /W 2 /H 2 /BPC 8 /CS /G ID \x00EI\xff\x01 EI Q (t) Tj");
        let names: Vec<&str> = r.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["q", "EI", "Q", "Tj"]);
    }

    #[test]
    fn garbage_terminates() {
        let r = ops(b"[[[[[[ (unclosed <00 /x");
        assert!(r.is_empty());
        let deep = b"[".repeat(10_000);
        assert!(ops(&deep).is_empty());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"12"), Some(12.0));
        assert_eq!(parse_number(b"-3.25"), Some(-3.25));
        assert_eq!(parse_number(b"--4"), Some(4.0));
        assert_eq!(parse_number(b"."), None);
        assert_eq!(parse_number(b"1a"), None);
    }
}
