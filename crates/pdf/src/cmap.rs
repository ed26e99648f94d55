//! CMaps: ToUnicode maps (bfchar, bfrange in both forms) and encoding CMaps of composite
//! fonts (codespace ranges of 1 to 4 bytes, cidchar, cidrange).

use std::collections::HashMap;

use crate::content::{Lexer, Operand};

/// A range of codes of one byte length, bounded per byte as the standard defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeSpace {
    pub(crate) len: u8,
    lo: [u8; 4],
    hi: [u8; 4],
}

impl CodeSpace {
    fn contains(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len as usize
            && bytes
                .iter()
                .enumerate()
                .all(|(i, &b)| self.lo[i] <= b && b <= self.hi[i])
    }
}

#[derive(Debug, Clone)]
enum Dest {
    /// The first code's text; each following code adds one to its last UTF-16 unit.
    Sequential(Vec<u16>),
}

#[derive(Debug, Clone)]
struct UnicodeRange {
    lo: u32,
    hi: u32,
    dest: Dest,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CMap {
    pub(crate) codespace: Vec<CodeSpace>,
    /// Code to Unicode text (ToUnicode).
    singles: HashMap<u32, String>,
    ranges: Vec<UnicodeRange>,
    /// Code to CID (encoding CMaps).
    cid_singles: HashMap<u32, u32>,
    cid_ranges: Vec<(u32, u32, u32)>,
    pub(crate) wmode: u8,
    pub(crate) usecmap: Option<Vec<u8>>,
}

fn code_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| acc << 8 | u32::from(b))
}

fn utf16(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![u16::from(bytes[0])];
    }
    bytes
        .chunks(2)
        .map(|c| match c {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from(*a) << 8,
            _ => 0,
        })
        .collect()
}

fn push_utf16(units: &[u16], out: &mut String) {
    for r in char::decode_utf16(units.iter().copied()) {
        out.push(r.unwrap_or('\u{FFFD}'));
    }
}

impl CMap {
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lexer = Lexer::for_cmap(data);
        let mut operands: Vec<Operand<'_>> = Vec::new();
        while let Some(op) = lexer.next_op(&mut operands) {
            match op {
                b"endcodespacerange" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Operand::Str(lo), Operand::Str(hi)) = (&pair[0], &pair[1])
                            && (1..=4).contains(&lo.len())
                            && lo.len() == hi.len()
                        {
                            let mut cs = CodeSpace {
                                len: lo.len() as u8,
                                lo: [0; 4],
                                hi: [0; 4],
                            };
                            cs.lo[..lo.len()].copy_from_slice(lo);
                            cs.hi[..hi.len()].copy_from_slice(hi);
                            cmap.codespace.push(cs);
                        }
                    }
                }
                b"endbfchar" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Operand::Str(src), dst) = (&pair[0], &pair[1]) {
                            let mut text = String::new();
                            match dst {
                                Operand::Str(d) => push_utf16(&utf16(d), &mut text),
                                // A glyph name instead of a string: seen in the wild.
                                Operand::Name(n) => {
                                    if let Some(s) = crate::encoding::agl(n, false) {
                                        text.push_str(s);
                                    }
                                }
                                _ => continue,
                            }
                            cmap.singles.insert(code_value(src), text);
                        }
                    }
                }
                b"endbfrange" => {
                    for triple in operands.chunks_exact(3) {
                        let (Operand::Str(lo), Operand::Str(hi)) = (&triple[0], &triple[1]) else {
                            continue;
                        };
                        let (lo, hi) = (code_value(lo), code_value(hi));
                        if hi < lo {
                            continue;
                        }
                        match &triple[2] {
                            Operand::Str(d) => cmap.ranges.push(UnicodeRange {
                                lo,
                                hi,
                                dest: Dest::Sequential(utf16(d)),
                            }),
                            Operand::Array(items) => {
                                for (i, item) in items.iter().enumerate() {
                                    let code = lo.saturating_add(i as u32);
                                    if code > hi {
                                        break;
                                    }
                                    if let Operand::Str(d) = item {
                                        let mut text = String::new();
                                        push_utf16(&utf16(d), &mut text);
                                        cmap.singles.insert(code, text);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                b"endcidchar" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Operand::Str(src), Some(cid)) = (&pair[0], pair[1].num())
                            && cid >= 0.0
                        {
                            cmap.cid_singles.insert(code_value(src), cid as u32);
                        }
                    }
                }
                b"endcidrange" => {
                    for triple in operands.chunks_exact(3) {
                        if let (Operand::Str(lo), Operand::Str(hi), Some(cid)) =
                            (&triple[0], &triple[1], triple[2].num())
                            && cid >= 0.0
                        {
                            let (lo, hi) = (code_value(lo), code_value(hi));
                            if lo <= hi {
                                cmap.cid_ranges.push((lo, hi, cid as u32));
                            }
                        }
                    }
                }
                b"def" => {
                    if let [Operand::Name(k), Operand::Num(v)] = operands.as_slice()
                        && k.as_ref() == b"WMode"
                    {
                        cmap.wmode = (*v == 1.0) as u8;
                    }
                }
                b"usecmap" => {
                    if let Some(Operand::Name(n)) = operands.last() {
                        cmap.usecmap = Some(n.to_vec());
                    }
                }
                _ => {}
            }
        }
        cmap.ranges.sort_by_key(|r| r.lo);
        cmap.cid_ranges.sort_by_key(|r| r.0);
        cmap
    }

    pub(crate) fn is_empty_unicode(&self) -> bool {
        self.singles.is_empty() && self.ranges.is_empty()
    }

    /// The text for a code, appended to `out`; false where the map has none.
    pub(crate) fn unicode(&self, code: u32, out: &mut String) -> bool {
        if let Some(s) = self.singles.get(&code) {
            out.push_str(s);
            return true;
        }
        let i = self.ranges.partition_point(|r| r.lo <= code);
        // Ranges may overlap; the nearest one starting below the code is tried first.
        for r in self.ranges[..i].iter().rev().take(4) {
            if code <= r.hi {
                let Dest::Sequential(units) = &r.dest;
                let mut units = units.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add((code - r.lo) as u16);
                }
                push_utf16(&units, out);
                return true;
            }
        }
        false
    }

    /// Every code this map gives text for, with that text, for codes below `limit`.
    pub(crate) fn for_each_unicode(&self, limit: u32, mut f: impl FnMut(u32, &str)) {
        let mut s = String::new();
        for r in &self.ranges {
            let hi = r.hi.min(limit.saturating_sub(1));
            let mut code = r.lo;
            while code <= hi {
                s.clear();
                if self.unicode(code, &mut s) {
                    f(code, &s);
                }
                code += 1;
            }
        }
        for (&code, text) in &self.singles {
            if code < limit {
                f(code, text);
            }
        }
    }

    pub(crate) fn cid(&self, code: u32) -> Option<u32> {
        if let Some(&c) = self.cid_singles.get(&code) {
            return Some(c);
        }
        let i = self.cid_ranges.partition_point(|r| r.0 <= code);
        self.cid_ranges[..i]
            .iter()
            .rev()
            .take(4)
            .find(|r| code <= r.1)
            .map(|r| r.2 + (code - r.0))
    }

    pub(crate) fn has_cid_mappings(&self) -> bool {
        !self.cid_singles.is_empty() || !self.cid_ranges.is_empty()
    }

    /// Splits the next code off `bytes` by the codespace ranges: (code, byte length).
    pub(crate) fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        for n in 1..=4usize.min(bytes.len()) {
            let head = &bytes[..n];
            if self.codespace.iter().any(|cs| cs.contains(head)) {
                return (code_value(head), n);
            }
        }
        // No range matches: consume as many bytes as the shortest range whose first byte
        // matches, else the shortest range.
        let n = self
            .codespace
            .iter()
            .filter(|cs| cs.lo[0] <= bytes[0] && bytes[0] <= cs.hi[0])
            .map(|cs| cs.len as usize)
            .min()
            .or_else(|| self.codespace.iter().map(|cs| cs.len as usize).min())
            .unwrap_or(1)
            .clamp(1, bytes.len().max(1));
        (code_value(&bytes[..n.min(bytes.len())]), n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO_UNICODE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar
<0003> <0020>
<0044> <00E4>
<0052> <0066 0069>
endbfchar
2 beginbfrange
<0010> <0012> <0041>
<0020> <0022> [<00F6> <00C5> <D83D DE00>]
endbfrange
endcmap";

    fn text(cmap: &CMap, code: u32) -> Option<String> {
        let mut s = String::new();
        cmap.unicode(code, &mut s).then_some(s)
    }

    #[test]
    fn to_unicode() {
        let cmap = CMap::parse(TO_UNICODE);
        assert_eq!(text(&cmap, 3).as_deref(), Some(" "));
        assert_eq!(text(&cmap, 0x44).as_deref(), Some("ä"));
        assert_eq!(text(&cmap, 0x52).as_deref(), Some("fi"));
        assert_eq!(text(&cmap, 0x10).as_deref(), Some("A"));
        assert_eq!(text(&cmap, 0x12).as_deref(), Some("C"));
        assert_eq!(text(&cmap, 0x13), None);
        assert_eq!(text(&cmap, 0x20).as_deref(), Some("ö"));
        assert_eq!(text(&cmap, 0x21).as_deref(), Some("Å"));
        assert_eq!(text(&cmap, 0x22).as_deref(), Some("😀"));
        assert_eq!(cmap.next_code(&[0x00, 0x44, 0x01]), (0x44, 2));
    }

    #[test]
    fn mixed_codespace() {
        let cmap = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
            1 begincidrange <8140> <817e> 633 endcidrange 1 begincidchar <41> 34 endcidchar
            /WMode 1 def",
        );
        assert_eq!(cmap.next_code(&[0x41, 0x81, 0x40]), (0x41, 1));
        assert_eq!(cmap.next_code(&[0x81, 0x41]), (0x8141, 2));
        assert_eq!(cmap.cid(0x8141), Some(634));
        assert_eq!(cmap.cid(0x41), Some(34));
        assert_eq!(cmap.cid(0x42), None);
        assert_eq!(cmap.wmode, 1);
    }
}
