//! Built-in encodings of embedded font programs, which name the glyphs of a simple font
//! whose dictionary gives no base encoding.

/// The `/Encoding` array of a Type 1 font program's clear-text part.
pub(crate) fn type1_encoding(data: &[u8]) -> Option<Vec<Option<String>>> {
    // The clear-text part ends where the encrypted part begins.
    let end = find(data, b"eexec").unwrap_or(data.len()).min(1 << 20);
    let head = &data[..end];
    let start = find(head, b"/Encoding")? + b"/Encoding".len();
    let rest = &head[start..];
    let first = rest
        .split(|b| b.is_ascii_whitespace())
        .find(|t| !t.is_empty())?;
    if first == b"StandardEncoding" {
        return None;
    }
    let mut names: Vec<Option<String>> = vec![None; 256];
    let mut tokens = rest
        .split(|b| b.is_ascii_whitespace() || *b == b'/')
        .filter(|t| !t.is_empty())
        .peekable();
    let mut found = false;
    while let Some(t) = tokens.next() {
        if t == b"def" && found {
            break;
        }
        if t != b"dup" {
            continue;
        }
        let (Some(code), Some(name)) = (tokens.next(), tokens.next()) else {
            break;
        };
        let Some(code) = std::str::from_utf8(code)
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
        else {
            continue;
        };
        if code < 256 && tokens.peek() == Some(&&b"put"[..]) {
            names[code] = Some(String::from_utf8_lossy(name).into_owned());
            found = true;
        }
    }
    found.then_some(names)
}

/// The encoding of a CFF (Type 1C) font program: codes to glyph names through the font's
/// encoding and charset.
pub(crate) fn cff_encoding(data: &[u8]) -> Option<Vec<Option<String>>> {
    crate::cff::encoding(data)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type1_custom_encoding() {
        let prog = b"%!PS-AdobeFont-1.0: CMR10\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 65 /A put\ndup 228 /adieresis put\nreadonly def\ncurrentfile eexec\x00\x01";
        let enc = type1_encoding(prog).unwrap_or_default();
        assert_eq!(enc[65].as_deref(), Some("A"));
        assert_eq!(enc[228].as_deref(), Some("adieresis"));
        assert_eq!(enc[66], None);
        assert!(type1_encoding(b"/Encoding StandardEncoding def eexec").is_none());
    }
}
