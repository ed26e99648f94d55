//! Whole pages normalised for matching at the speed of a memory copy where possible.
//!
//! Most extracted text needs only case folding and non-ASCII punctuation made ASCII, and
//! both can keep every byte where it is: `Ä` and `ä` are both two bytes, and an en dash
//! (three bytes) becomes a hyphen and two spaces. Text folded so keeps the original's
//! offsets, so a sentence found in the folded text is quoted from the original at the same
//! place. Only text that needs bytes removed or composed (soft hyphens, words hyphenated
//! at line ends, ligatures, combining marks, letters whose lower case is longer) takes the
//! slower path of [`crate::for_matching`].

use crate::{Segments, Unit, composed, is_line_end_hyphen, line_ends_unit, segment_into};

/// What [`normalize_page`] did to one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageText {
    /// Words on the page.
    pub words: usize,
    /// The text the units' original offsets refer to, when it is not the page text itself
    /// (the page had to be composed to NFC first).
    pub composed: Option<String>,
}

/// Appends the normalised page to `out` and its units (sentences and standalone lines) to
/// `units`: original offsets into the page text (or [`PageText::composed`]), normalised
/// offsets into `out`. The normalisation is that of [`crate::for_matching`]; the bytes of
/// `out` stay valid UTF-8.
pub fn normalize_page(text: &str, out: &mut Vec<u8>, units: &mut Vec<Unit>) -> PageText {
    let start = out.len();
    let first_unit = units.len();
    if let Some(words) = fold_and_segment(text, out, start, units) {
        return PageText {
            words,
            composed: None,
        };
    }
    out.truncate(start);
    units.truncate(first_unit);
    let text = composed(text);
    let mut folded = String::with_capacity(text.len());
    let mut segments = Segments::default();
    let words = segment_into(&text, &mut folded, &mut segments);
    out.extend_from_slice(folded.as_bytes());
    units.extend(segments.units.iter().map(|u| Unit {
        orig: u.orig,
        norm: (u.norm.0 + start, u.norm.1 + start),
        words: u.words,
    }));
    PageText {
        words,
        composed: match text {
            std::borrow::Cow::Owned(s) => Some(s),
            std::borrow::Cow::Borrowed(_) => None,
        },
    }
}

#[cfg(any(not(target_arch = "x86_64"), test))]
const ONES: u64 = 0x0101_0101_0101_0101;
#[cfg(any(not(target_arch = "x86_64"), test))]
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes at `i`, if there are eight.
fn load(bytes: &[u8], i: usize) -> Option<u64> {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes.get(i..i + 8)?);
    Some(u64::from_le_bytes(word))
}

#[cfg(any(not(target_arch = "x86_64"), test))]
/// High bits of the ASCII bytes of `x` within `lo..=hi`.
fn in_range(x: u64, lo: u64, hi: u64) -> u64 {
    let y = x & !HIGHS;
    let at_least = (y + (0x80 - lo) * ONES) & HIGHS;
    let at_most = !(y + (0x7f - hi) * ONES) & HIGHS;
    at_least & at_most & !x
}

#[cfg(any(not(target_arch = "x86_64"), test))]
/// High bit of each byte of `x` that is exactly zero.
fn zero_exact(x: u64) -> u64 {
    !(((x & !HIGHS) + !HIGHS) | x) & HIGHS
}

/// Whether a byte is the second of a lower-case Latin-1 letter (after 0xC3).
fn latin1_second(b: u8) -> bool {
    matches!(b, 0x9f..=0xb6 | 0xb8..=0xbf)
}

#[cfg(any(not(target_arch = "x86_64"), test))]
/// High bits of the bytes that are lower-case Latin-1 letters written in two bytes (ä, ö,
/// å, é: 0xC3 then 0x9F..=0xBF but ÷). A pair may straddle the eight: `lead_before` says
/// the byte before them is 0xC3, `second_after` that the byte after them ends such a letter.
fn latin1_lower(x: u64, lead_before: bool, second_after: bool) -> u64 {
    let high = x & HIGHS;
    let lead = zero_exact(x ^ (ONES * 0xc3));
    let second = high & in_range(x ^ HIGHS, 0x1f, 0x3f) & !zero_exact(x ^ (ONES * 0xb7));
    let next_is_second = (second >> 8) | (u64::from(second_after) << 63);
    let previous_is_lead = (lead << 8) | (u64::from(lead_before) << 7);
    (lead & next_is_second) | (second & previous_is_lead)
}

#[cfg(any(not(target_arch = "x86_64"), test))]
/// The bytes of eight that need a closer look, as high bits: non-ASCII other than
/// lower-case Latin-1 letters, a hyphen (which may end a line inside a word), control
/// characters other than line and form feeds (a carriage return may pair with a line feed).
fn attention(x: u64, lead_before: bool, second_after: bool) -> u64 {
    let byte = |c: u8| zero_exact(x ^ (ONES * u64::from(c)));
    (x & HIGHS & !latin1_lower(x, lead_before, second_after))
        | (in_range(x, 0x00, 0x1f) & !byte(b'\n') & !byte(0x0c))
        | byte(b'-')
}

#[cfg(any(not(target_arch = "x86_64"), test))]
/// The bytes of eight at which a unit may end, as high bits.
fn breaks(x: u64) -> u64 {
    let byte = |c: u8| zero_exact(x ^ (ONES * u64::from(c)));
    byte(b'.') | byte(b'!') | byte(b'?') | byte(b'\n') | byte(0x0c)
}

/// A block of plain bytes, folded, with bit k of each mask for the block's byte k.
struct Block {
    /// Bytes in the block.
    len: usize,
    /// The block in lower case (the first `len` bytes).
    lowered: [u8; 16],
    /// Bytes of words: ASCII letters and digits and the bytes of Latin-1 letters.
    word: u32,
    /// Bytes at which a unit may end.
    breaks: u32,
}

/// The block at `i`, unless it is short of a whole block or a byte in it needs attention
/// (see [`attention`]). Sixteen bytes at a time with SSE2, which every x86-64 processor has:
/// each test is one comparison for all sixteen.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn plain_block(bytes: &[u8], i: usize) -> Option<Block> {
    // SAFETY: SSE2 is part of x86-64 itself: every build for this target enables it, so the
    // function's one required feature is always present.
    unsafe { plain_block_sse2(bytes, i) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn plain_block_sse2(bytes: &[u8], i: usize) -> Option<Block> {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_cvtsi128_si64,
        _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8, _mm_unpackhi_epi64,
    };
    let lo = load(bytes, i)?;
    let hi = load(bytes, i + 8)?;
    let v = _mm_set_epi64x(hi as i64, lo as i64);
    let mask = |m: __m128i| _mm_movemask_epi8(m) as u32;
    let eq = |v: __m128i, b: u8| mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)));
    // Bytes within lo..=hi compared as signed bytes (0x80..=0xff are negative).
    let within = |v: __m128i, lo: i8, hi: i8| {
        mask(_mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(lo.wrapping_sub(1))),
            _mm_cmplt_epi8(v, _mm_set1_epi8(hi.wrapping_add(1))),
        ))
    };
    let high = mask(v);
    // Lower-case Latin-1 letters: 0xC3, then 0x9F..=0xBF but 0xB7 (÷).
    let lead = eq(v, 0xc3);
    let second = within(v, 0x9f_u8 as i8, 0xbf_u8 as i8) & !eq(v, 0xb7);
    let lead_before = i > 0 && bytes.get(i - 1) == Some(&0xc3);
    let second_after = bytes.get(i + 16).is_some_and(|&b| latin1_second(b));
    let letters = (lead & ((second >> 1) | (u32::from(second_after) << 15)))
        | (second & ((lead << 1) | u32::from(lead_before)));
    let control = within(v, 0, 0x1f) & !eq(v, b'\n') & !eq(v, 0x0c);
    if (high & !letters) | control | eq(v, b'-') != 0 {
        return None;
    }
    let upper = _mm_and_si128(
        _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(b'A' as i8 - 1)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(b'Z' as i8 + 1)),
        ),
        _mm_set1_epi8(0x20),
    );
    let lowered = _mm_or_si128(v, upper);
    let mut bytes_out = [0u8; 16];
    bytes_out[..8].copy_from_slice(&(_mm_cvtsi128_si64(lowered) as u64).to_le_bytes());
    bytes_out[8..].copy_from_slice(
        &(_mm_cvtsi128_si64(_mm_unpackhi_epi64(lowered, lowered)) as u64).to_le_bytes(),
    );
    Some(Block {
        len: 16,
        lowered: bytes_out,
        word: within(lowered, b'a' as i8, b'z' as i8) | within(v, b'0' as i8, b'9' as i8) | high,
        breaks: eq(v, b'.') | eq(v, b'!') | eq(v, b'?') | eq(v, b'\n') | eq(v, 0x0c),
    })
}

/// [`plain_block`] for other processors: eight bytes at a time, each test a few arithmetic
/// steps on a 64-bit word.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn plain_block_swar(bytes: &[u8], i: usize) -> Option<Block> {
    let x = load(bytes, i)?;
    let lead_before = i > 0 && bytes.get(i - 1) == Some(&0xc3);
    let second_after = bytes.get(i + 8).is_some_and(|&b| latin1_second(b));
    if attention(x, lead_before, second_after) != 0 {
        return None;
    }
    let lowered = x | (in_range(x, 0x41, 0x5a) >> 2);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&lowered.to_le_bytes());
    let w = in_range(lowered, 0x30, 0x39) | in_range(lowered, 0x61, 0x7a) | (lowered & HIGHS);
    Some(Block {
        len: 8,
        lowered: out,
        word: bit_per_byte(w),
        breaks: bit_per_byte(breaks(lowered)),
    })
}

#[cfg(not(target_arch = "x86_64"))]
fn plain_block(bytes: &[u8], i: usize) -> Option<Block> {
    plain_block_swar(bytes, i)
}

/// The high bits of the eight bytes of `x` as bits 0..8, byte k to bit k: each lands at bit
/// 56 + k of the product and no two partial products meet.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn bit_per_byte(x: u64) -> u32 {
    (((x & HIGHS) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// Folds `text` onto the end of `out` (at `base`) byte for byte and splits it into units
/// in the same pass, counting words; `None` when the text needs the slower path (then `out`
/// and `units` hold partial results past their old lengths).
///
/// Plain stretches (letters, digits, spaces and punctuation that need no closer look) are
/// handled a block at a time (see [`plain_block`]). Everything else goes byte by byte.
fn fold_and_segment(
    text: &str,
    out: &mut Vec<u8>,
    base: usize,
    units: &mut Vec<Unit>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    out.resize(base + n, 0);
    let folded = &mut out[base..];
    let mut page = Segmenter {
        words: 0,
        unit_words: 0,
        unit_start: 0,
        previous_word: false,
    };
    let mut i = 0;
    while i < n {
        if let Some(block) = plain_block(bytes, i) {
            folded
                .get_mut(i..i + block.len)?
                .copy_from_slice(block.lowered.get(..block.len)?);
            let before = u32::from(page.previous_word);
            let mut starts = block.word & !((block.word << 1) | before);
            // Words before each unit end belong to the unit that ends there.
            let mut ends = block.breaks;
            while ends != 0 {
                let bit = ends.trailing_zeros();
                let below = (1u32 << bit) - 1;
                page.count((starts & below).count_ones() as usize);
                starts &= !below;
                page.at_break(folded, text, i + bit as usize, base, units);
                ends &= ends - 1;
            }
            page.count(starts.count_ones() as usize);
            page.previous_word = (block.word >> (block.len - 1)) & 1 != 0;
            i += block.len;
            continue;
        }
        let end = (i + 8).min(n);
        while i < end {
            let b = bytes[i];
            let used = if b >= 0x80 || b == b'-' || b == b'\r' {
                patch(text, folded, i)?
            } else {
                folded[i] = b.to_ascii_lowercase();
                1
            };
            // A character is a word character if folding left letters there.
            let first = folded[i];
            let word = first >= 0x80 || first.is_ascii_alphanumeric();
            if word && !page.previous_word {
                page.count(1);
            }
            page.previous_word = word;
            // Stand-ins end the character: a line separator is a line break.
            let last = i + used - 1;
            if BREAKS[usize::from(folded[last])] {
                page.at_break(folded, text, last, base, units);
            }
            i += used;
        }
    }
    page.finish(folded, text, base, units);
    Some(page.words)
}

/// Where splitting a page into units stands.
struct Segmenter {
    words: usize,
    unit_words: usize,
    unit_start: usize,
    previous_word: bool,
}

impl Segmenter {
    fn count(&mut self, starts: usize) {
        self.words += starts;
        self.unit_words += starts;
    }

    /// A byte at which the current unit may end, at `i` (folded up to `i`).
    fn at_break(
        &mut self,
        folded: &[u8],
        text: &str,
        i: usize,
        base: usize,
        units: &mut Vec<Unit>,
    ) {
        let Some(&b) = folded.get(i) else {
            return;
        };
        let ends = match b {
            b'\n' => {
                let line_last = folded[self.unit_start..i]
                    .iter()
                    .rev()
                    .take_while(|&&c| c != b'\n')
                    .find(|&&c| !matches!(c, b' ' | b'\t'))
                    .map(|&c| c as char);
                line_ends_unit(line_last, text.get(i + 1..).unwrap_or(""))
            }
            0x0c => true,
            _ => text
                .as_bytes()
                .get(i + 1)
                .is_none_or(|n| n.is_ascii_whitespace()),
        };
        if ends {
            // A line break is not part of the unit; closing punctuation is.
            let end = if matches!(b, b'\n' | 0x0c) { i } else { i + 1 };
            push_unit(
                folded,
                text,
                self.unit_start,
                end,
                base,
                self.unit_words,
                units,
            );
            self.unit_start = i + 1;
            self.unit_words = 0;
        }
    }

    fn finish(&mut self, folded: &[u8], text: &str, base: usize, units: &mut Vec<Unit>) {
        push_unit(
            folded,
            text,
            self.unit_start,
            folded.len(),
            base,
            self.unit_words,
            units,
        );
    }
}

/// Writes the folded form of the byte or character at `i` and says how many bytes it took,
/// or `None` when the text needs the slower path.
fn patch(text: &str, folded: &mut [u8], i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match *bytes.get(i)? {
        b'-' => {
            *folded.get_mut(i)? = b'-';
            (!is_line_end_hyphen(text, i)).then_some(1)
        }
        b'\r' => {
            // \r\n is one line break; a lone \r is one too.
            *folded.get_mut(i)? = if bytes.get(i + 1) == Some(&b'\n') {
                b' '
            } else {
                b'\n'
            };
            Some(1)
        }
        0xc3 => {
            // Latin-1 letters: À..Þ (but ×) fold to à..þ by one bit of the second byte.
            let second = *bytes.get(i + 1)?;
            let slot = folded.get_mut(i..i + 2)?;
            match second {
                // × and ÷ are signs, not letters.
                0x97 | 0xb7 => slot.copy_from_slice(b"  "),
                0x80..=0x9e => slot.copy_from_slice(&[0xc3, second | 0x20]),
                _ => slot.copy_from_slice(&[0xc3, second]),
            }
            Some(2)
        }
        _ => {
            let c = text.get(i..)?.chars().next()?;
            let len = c.len_utf8();
            fold_char(c, folded.get_mut(i..i + len)?).then_some(len)
        }
    }
}

/// Folds one non-ASCII character (other than Latin-1) into its own bytes, `slot`, or says
/// it cannot.
fn fold_char(c: char, slot: &mut [u8]) -> bool {
    let len = slot.len();
    match c {
        // Invisible characters and ligatures must vanish or grow; combining marks compose.
        '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => return false,
        '\u{fb00}'..='\u{fb06}' | '\u{300}'..='\u{36f}' => return false,
        _ => {}
    }
    if c.is_alphanumeric() {
        let mut lower = c.to_lowercase();
        let (Some(l), None) = (lower.next(), lower.next()) else {
            return false;
        };
        if l.len_utf8() != len {
            return false;
        }
        l.encode_utf8(slot);
        return true;
    }
    // The stand-in comes last, after the padding: a unit that ends at it then ends at the
    // end of the original character. An ellipsis is three dots in either form.
    let stand_in = match c {
        '\u{2026}' => b'.',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => b'-',
        '\u{2028}' | '\u{2029}' | '\u{85}' => b'\n',
        _ => b' ',
    };
    let pad = if c == '\u{2026}' { b'.' } else { b' ' };
    slot.fill(pad);
    if let Some(last) = slot.last_mut() {
        *last = stand_in;
    }
    true
}

/// Bytes at which a unit may end.
const BREAKS: [bool; 256] = {
    let mut t = [false; 256];
    t[b'.' as usize] = true;
    t[b'!' as usize] = true;
    t[b'?' as usize] = true;
    t[b'\n' as usize] = true;
    t[0x0c] = true;
    t
};

/// Records the unit `a..b` of the page, trimmed of white space, with its words.
fn push_unit(
    folded: &[u8],
    text: &str,
    a: usize,
    b: usize,
    base: usize,
    words: usize,
    units: &mut Vec<Unit>,
) {
    // Trim as `str::trim` does on the original, so that a unit quotes it whole (quotation
    // marks are spaces in the folded text); where the span does not fall on characters of
    // the original (a line separator folded to a line break), trim the folded bytes.
    let (s, e) = match text.get(a..b) {
        Some(original) => {
            let trimmed = original.trim();
            if trimmed.is_empty() {
                return;
            }
            let s = a + (original.len() - original.trim_start().len());
            (s, s + trimmed.len())
        }
        None => {
            let Some(span) = folded.get(a..b) else {
                return;
            };
            let Some(first) = span.iter().position(|c| !c.is_ascii_whitespace()) else {
                return;
            };
            let last = span
                .iter()
                .rposition(|c| !c.is_ascii_whitespace())
                .unwrap_or(first);
            let (mut s, mut e) = (a + first, a + last + 1);
            while s > 0 && !text.is_char_boundary(s) {
                s -= 1;
            }
            while e < text.len() && !text.is_char_boundary(e) {
                e += 1;
            }
            (s, e)
        }
    };
    units.push(Unit {
        orig: (s, e),
        norm: (base + s, base + e),
        words: words as u32,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> (String, Vec<(String, String, u32)>, PageText) {
        let mut out = b"x\n".to_vec();
        let mut units = Vec::new();
        let p = normalize_page(text, &mut out, &mut units);
        let out = String::from_utf8(out).unwrap_or_default();
        let source = p.composed.clone().unwrap_or_else(|| text.to_string());
        let u = units
            .iter()
            .map(|u| {
                (
                    source[u.orig.0..u.orig.1].to_string(),
                    out[u.norm.0..u.norm.1].to_string(),
                    u.words,
                )
            })
            .collect();
        (out[2..].to_string(), u, p)
    }

    #[test]
    fn fast_path_keeps_offsets_and_matches_for_matching() {
        let t = "ÄÄNESTYS • Asiakas–palvelu ”Öljy”\r\nkaupunki… NBSP\u{a0}x ŠKODA Ωmega";
        let (out, units, p) = page(t);
        assert_eq!(out.len(), t.len());
        assert!(p.composed.is_none());
        assert_eq!(
            out,
            "äänestys     asiakas  -palvelu    öljy    \nkaupunki... nbsp  x škoda ωmega"
        );
        // Same words as the general normaliser.
        let words = |s: &str| -> Vec<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(words(&out), words(&crate::for_matching(t)));
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].0, "ÄÄNESTYS • Asiakas–palvelu ”Öljy”\r\nkaupunki…");
        assert_eq!(units[1].0, "NBSP\u{a0}x ŠKODA Ωmega");
        assert_eq!((units[0].2, units[1].2), (5, 4));
        let (_, units, _) = page("– kohta –");
        assert_eq!(units[0].0, "– kohta –");
    }

    #[test]
    fn units_agree_with_the_general_segmenter() {
        let t = "Otsikko\nEnsimmäinen lause. Toinen lause, joka jatkuu\nrivillä. Kolmas?\n\n- kohta\n- toinen\x0cSivu 2";
        let (_, units, _) = page(t);
        let mut folded = String::new();
        let mut seg = Segments::default();
        segment_into(t, &mut folded, &mut seg);
        let general: Vec<(String, u32)> = seg
            .units
            .iter()
            .map(|u| (t[u.orig.0..u.orig.1].to_string(), u.words))
            .collect();
        let fast: Vec<(String, u32)> = units.into_iter().map(|u| (u.0, u.2)).collect();
        assert_eq!(fast, general);
    }

    /// The block tests of x86-64 and of other processors agree, on bytes chosen to hit every
    /// edge: Latin-1 letters split across blocks, signs beside them, controls, hyphens.
    #[test]
    fn sixteen_byte_blocks_agree_with_eight_byte_ones() {
        let alphabet: &[&[u8]] = &[
            b"a",
            b"Z",
            b"0",
            b"9",
            b" ",
            b".",
            b"!",
            b"?",
            b"\n",
            b"\x0c",
            b"-",
            b"\r",
            b"\t",
            b"@",
            b"[",
            b"`",
            b"{",
            "ä".as_bytes(),
            "Ä".as_bytes(),
            "÷".as_bytes(),
            "×".as_bytes(),
            "ß".as_bytes(),
            "ÿ".as_bytes(),
            "€".as_bytes(),
            "š".as_bytes(),
        ];
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut text = Vec::new();
            while text.len() < 40 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                text.extend_from_slice(alphabet[(rng % alphabet.len() as u64) as usize]);
            }
            for i in 0..=text.len() - 16 {
                let wide = plain_block(&text, i);
                let halves = (plain_block_swar(&text, i), plain_block_swar(&text, i + 8));
                match (wide, halves) {
                    (Some(w), (Some(a), Some(b))) => {
                        assert_eq!(w.lowered[..8], a.lowered[..8]);
                        assert_eq!(w.lowered[8..], b.lowered[..8]);
                        assert_eq!(w.word, a.word | (b.word << 8), "{:?}", &text[i..i + 16]);
                        assert_eq!(w.breaks, a.breaks | (b.breaks << 8));
                    }
                    (None, (Some(_), Some(_))) => panic!("wide refused {:?}", &text[i..i + 16]),
                    (Some(_), _) => panic!("wide accepted {:?}", &text[i..i + 16]),
                    (None, _) => {}
                }
            }
        }
    }

    #[test]
    fn words_are_counted_across_chunks() {
        let count = |t: &str| normalize_page(t, &mut Vec::new(), &mut Vec::new()).words;
        assert_eq!(count("yksi kaksi, kolme. 3D-malli äänestys ö"), 7);
        assert_eq!(count("abcdefgh ijklmnop"), 2);
        assert_eq!(count("abcdefghijklmnopqrstu-vwxyz.12"), 3);
        assert_eq!(count("   !!  "), 0);
        assert_eq!(count("ääääääää öööö"), 2);
        assert_eq!(count("{x}[y]`z`@w"), 4);
    }

    #[test]
    fn slow_path_for_soft_hyphens_line_end_hyphens_and_ligatures() {
        let (out, units, p) = page("Asia\u{ad}kas-\nkokemus ja pro\u{fb01}ili.");
        assert_eq!(out, "asiakaskokemus ja profiili.");
        assert!(p.composed.is_none());
        assert_eq!(units[0].1, "asiakaskokemus ja profiili.");
        let (out, _, p) = page("A\u{308}lä");
        assert_eq!(out, "älä");
        assert_eq!(p.composed.as_deref(), Some("Älä"));
    }
}
