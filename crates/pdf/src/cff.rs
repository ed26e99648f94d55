//! Just enough of the Compact Font Format to read a font's built-in encoding: the Top
//! DICT's charset and encoding offsets, the charset's glyph names, the string INDEX.

/// The standard strings of the CFF specification (Adobe Technical Note 5176, Appendix A)
/// that name ISO Latin glyphs. The expert-set strings that follow them (SIDs 229 to 390)
/// name small capitals and old-style figures; glyphs named by those read as unnamed.
const STANDARD_STRINGS: [&str; 229] = [
    ".notdef",
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quoteright",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "quoteleft",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
    "exclamdown",
    "cent",
    "sterling",
    "fraction",
    "yen",
    "florin",
    "section",
    "currency",
    "quotesingle",
    "quotedblleft",
    "guillemotleft",
    "guilsinglleft",
    "guilsinglright",
    "fi",
    "fl",
    "endash",
    "dagger",
    "daggerdbl",
    "periodcentered",
    "paragraph",
    "bullet",
    "quotesinglbase",
    "quotedblbase",
    "quotedblright",
    "guillemotright",
    "ellipsis",
    "perthousand",
    "questiondown",
    "grave",
    "acute",
    "circumflex",
    "tilde",
    "macron",
    "breve",
    "dotaccent",
    "dieresis",
    "ring",
    "cedilla",
    "hungarumlaut",
    "ogonek",
    "caron",
    "emdash",
    "AE",
    "ordfeminine",
    "Lslash",
    "Oslash",
    "OE",
    "ordmasculine",
    "ae",
    "dotlessi",
    "lslash",
    "oslash",
    "oe",
    "germandbls",
    "onesuperior",
    "logicalnot",
    "mu",
    "trademark",
    "Eth",
    "onehalf",
    "plusminus",
    "Thorn",
    "onequarter",
    "divide",
    "brokenbar",
    "degree",
    "thorn",
    "threequarters",
    "twosuperior",
    "registered",
    "minus",
    "eth",
    "multiply",
    "threesuperior",
    "copyright",
    "Aacute",
    "Acircumflex",
    "Adieresis",
    "Agrave",
    "Aring",
    "Atilde",
    "Ccedilla",
    "Eacute",
    "Ecircumflex",
    "Edieresis",
    "Egrave",
    "Iacute",
    "Icircumflex",
    "Idieresis",
    "Igrave",
    "Ntilde",
    "Oacute",
    "Ocircumflex",
    "Odieresis",
    "Ograve",
    "Otilde",
    "Scaron",
    "Uacute",
    "Ucircumflex",
    "Udieresis",
    "Ugrave",
    "Yacute",
    "Ydieresis",
    "Zcaron",
    "aacute",
    "acircumflex",
    "adieresis",
    "agrave",
    "aring",
    "atilde",
    "ccedilla",
    "eacute",
    "ecircumflex",
    "edieresis",
    "egrave",
    "iacute",
    "icircumflex",
    "idieresis",
    "igrave",
    "ntilde",
    "oacute",
    "ocircumflex",
    "odieresis",
    "ograve",
    "otilde",
    "scaron",
    "uacute",
    "ucircumflex",
    "udieresis",
    "ugrave",
    "yacute",
    "ydieresis",
    "zcaron",
];

const STANDARD_STRING_COUNT: usize = 391;

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn u8(&self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }

    fn u16(&self, at: usize) -> Option<u16> {
        Some(u16::from_be_bytes([self.u8(at)?, self.u8(at + 1)?]))
    }

    fn offset(&self, at: usize, size: u8) -> Option<usize> {
        let mut v = 0usize;
        for i in 0..size as usize {
            v = v << 8 | self.u8(at + i)? as usize;
        }
        Some(v)
    }

    /// An INDEX at `at`: its items and the position after it.
    fn index(&self, at: usize) -> Option<(Vec<&'a [u8]>, usize)> {
        let count = self.u16(at)? as usize;
        if count == 0 {
            return Some((Vec::new(), at + 2));
        }
        let off_size = self.u8(at + 2)?;
        if !(1..=4).contains(&off_size) {
            return None;
        }
        let offsets_at = at + 3;
        let data_at = offsets_at + (count + 1) * off_size as usize - 1;
        let mut items = Vec::with_capacity(count.min(1 << 16));
        let mut prev = self.offset(offsets_at, off_size)?;
        for i in 1..=count {
            let next = self.offset(offsets_at + i * off_size as usize, off_size)?;
            let item = self.data.get(data_at + prev..data_at + next)?;
            items.push(item);
            prev = next;
        }
        Some((items, data_at + prev))
    }
}

/// Operator to last operand value of a DICT (operators 12 x read as 1200 + x).
fn dict(data: &[u8]) -> Vec<(u16, f64)> {
    let mut out = Vec::new();
    let mut operands: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b0 = data[i];
        i += 1;
        match b0 {
            0..=21 => {
                let op = if b0 == 12 {
                    let b1 = data.get(i).copied().unwrap_or(0);
                    i += 1;
                    1200 + u16::from(b1)
                } else {
                    u16::from(b0)
                };
                if let Some(&v) = operands.first() {
                    out.push((op, v));
                }
                operands.clear();
            }
            28 => {
                let v = i16::from_be_bytes([
                    data.get(i).copied().unwrap_or(0),
                    data.get(i + 1).copied().unwrap_or(0),
                ]);
                operands.push(f64::from(v));
                i += 2;
            }
            29 => {
                let b = |k: usize| data.get(i + k).copied().unwrap_or(0);
                operands.push(f64::from(i32::from_be_bytes([b(0), b(1), b(2), b(3)])));
                i += 4;
            }
            30 => {
                // Real numbers are never offsets; skip their nibbles.
                while let Some(&b) = data.get(i) {
                    i += 1;
                    if b & 0x0F == 0x0F || b >> 4 == 0x0F {
                        break;
                    }
                }
                operands.push(0.0);
            }
            32..=246 => operands.push(f64::from(b0) - 139.0),
            247..=250 => {
                let b1 = data.get(i).copied().unwrap_or(0);
                i += 1;
                operands.push((f64::from(b0) - 247.0) * 256.0 + f64::from(b1) + 108.0);
            }
            251..=254 => {
                let b1 = data.get(i).copied().unwrap_or(0);
                i += 1;
                operands.push(-(f64::from(b0) - 251.0) * 256.0 - f64::from(b1) - 108.0);
            }
            _ => {}
        }
        if operands.len() > 48 {
            operands.clear();
        }
    }
    out
}

pub(crate) fn encoding(data: &[u8]) -> Option<Vec<Option<String>>> {
    let r = Reader { data };
    if r.u8(0)? != 1 {
        return None;
    }
    let header_size = r.u8(2)? as usize;
    let (_names, after_names) = r.index(header_size)?;
    let (top_dicts, after_top) = r.index(after_names)?;
    let (strings, _) = r.index(after_top)?;
    let top = dict(top_dicts.first()?);
    let get = |op: u16| top.iter().rev().find(|(o, _)| *o == op).map(|(_, v)| *v);
    if get(1230).is_some() {
        // CID-keyed: no encoding by glyph names.
        return None;
    }
    let encoding_at = get(16).unwrap_or(0.0).max(0.0) as usize;
    if encoding_at <= 1 {
        return None;
    }
    let charstrings_at = get(17)?.max(0.0) as usize;
    let glyphs = r.u16(charstrings_at)? as usize;
    let charset_at = get(15).unwrap_or(0.0).max(0.0) as usize;

    // Glyph id to string id.
    let mut sids: Vec<u16> = vec![0];
    match charset_at {
        0 => sids.extend((1..glyphs.min(229)).map(|g| g as u16)),
        1 | 2 => return None,
        at => {
            let format = r.u8(at)?;
            let mut p = at + 1;
            while sids.len() < glyphs {
                match format {
                    0 => {
                        sids.push(r.u16(p)?);
                        p += 2;
                    }
                    1 | 2 => {
                        let first = r.u16(p)?;
                        let left = if format == 1 {
                            u16::from(r.u8(p + 2)?)
                        } else {
                            r.u16(p + 2)?
                        };
                        p += if format == 1 { 3 } else { 4 };
                        for k in 0..=left {
                            if sids.len() >= glyphs {
                                break;
                            }
                            sids.push(first.wrapping_add(k));
                        }
                    }
                    _ => return None,
                }
            }
        }
    }
    let name = |sid: u16| -> Option<String> {
        let sid = sid as usize;
        if sid < STANDARD_STRINGS.len() {
            Some(STANDARD_STRINGS[sid].to_string())
        } else if sid >= STANDARD_STRING_COUNT {
            strings
                .get(sid - STANDARD_STRING_COUNT)
                .map(|s| String::from_utf8_lossy(s).into_owned())
        } else {
            None
        }
    };

    let mut names: Vec<Option<String>> = vec![None; 256];
    let format = r.u8(encoding_at)?;
    let mut p = encoding_at + 1;
    match format & 0x7F {
        0 => {
            let n = r.u8(p)? as usize;
            p += 1;
            for gid in 1..=n {
                let code = r.u8(p)? as usize;
                p += 1;
                if let Some(&sid) = sids.get(gid) {
                    names[code] = name(sid);
                }
            }
        }
        1 => {
            let ranges = r.u8(p)? as usize;
            p += 1;
            let mut gid = 1usize;
            for _ in 0..ranges {
                let first = r.u8(p)? as usize;
                let left = r.u8(p + 1)? as usize;
                p += 2;
                for slot in names
                    .iter_mut()
                    .take((first + left).min(255) + 1)
                    .skip(first)
                {
                    if let Some(&sid) = sids.get(gid) {
                        *slot = name(sid);
                    }
                    gid += 1;
                }
            }
        }
        _ => return None,
    }
    if format & 0x80 != 0 {
        let sups = r.u8(p)? as usize;
        p += 1;
        for _ in 0..sups {
            let code = r.u8(p)? as usize;
            let sid = r.u16(p + 1)?;
            p += 3;
            names[code] = name(sid);
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal CFF: one font with two glyphs (.notdef, adieresis), a custom charset and an
    /// encoding that puts adieresis at code 0xE4.
    fn sample() -> Vec<u8> {
        let mut f = vec![1, 0, 4, 1];
        // Name INDEX: one name "T".
        f.extend_from_slice(&[0, 1, 1, 1, 2, b'T']);
        // Top DICT INDEX, filled in below once offsets are known.
        let top_at = f.len();
        let top =
            |charset: u8, enc: u8, cs: u8| vec![charset + 139, 15, enc + 139, 16, cs + 139, 17];
        let top_len = top(0, 0, 0).len() as u8;
        f.extend_from_slice(&[0, 1, 1, 1, 1 + top_len]);
        f.extend(top(0, 0, 0));
        // String INDEX (empty) and global subrs (empty).
        f.extend_from_slice(&[0, 0, 0, 0]);
        let charset_at = f.len() as u8;
        f.extend_from_slice(&[0, 0, 202]);
        let enc_at = f.len() as u8;
        f.extend_from_slice(&[0, 1, 0xE4]);
        let cs_at = f.len() as u8;
        f.extend_from_slice(&[0, 2, 1, 1, 2, 3, 14, 14]);
        let t = top(charset_at, enc_at, cs_at);
        f[top_at + 5..top_at + 5 + t.len()].copy_from_slice(&t);
        f
    }

    #[test]
    fn reads_custom_encoding() {
        let names = encoding(&sample()).unwrap_or_default();
        assert_eq!(
            names.get(0xE4).cloned().flatten().as_deref(),
            Some("adieresis")
        );
        assert_eq!(names.get(0x41).cloned().flatten(), None);
    }

    #[test]
    fn garbage_is_none() {
        assert!(encoding(b"").is_none());
        assert!(encoding(&[1, 0, 4, 1, 0xFF, 0xFF, 9]).is_none());
    }
}
