//! File names as text. A material's path is text (in `index.json`, in the outputs), but a
//! name on a Unix drive is bytes: a Latin-1 name from an old Windows share is not UTF-8.
//! Such bytes are written `\xHH`, and a backslash that would read as the start of one is
//! written `\\`, so that two names never become one text and a link can be made back to the
//! file's own bytes ([`name_bytes`]).

use std::borrow::Cow;

/// The name's bytes as text: UTF-8 as it is, other bytes as `\xHH` (lower-case hex).
pub fn name_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut chunks = bytes.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        let valid = chunk.valid();
        let mut rest = valid;
        while let Some(at) = rest.find('\\') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            // What follows the backslash in the text written: more of this chunk, else the
            // escape of this chunk's first odd byte, else the next chunk.
            let next_is_escape = if after.is_empty() {
                !chunk.invalid().is_empty()
                    || chunks.peek().is_some_and(|c| c.valid().starts_with('\\'))
            } else {
                reads_as_escape(after)
            };
            out.push_str(if next_is_escape { "\\\\" } else { "\\" });
            rest = after;
        }
        out.push_str(rest);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Whether text after a backslash makes it the start of an escape: another backslash, or
/// `x` and two hex digits.
fn reads_as_escape(after: &str) -> bool {
    let b = after.as_bytes();
    b.first() == Some(&b'\\')
        || (b.first() == Some(&b'x')
            && b.get(1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(2).is_some_and(u8::is_ascii_hexdigit))
}

/// The bytes a text of [`name_text`] stands for.
pub fn name_bytes(text: &str) -> Cow<'_, [u8]> {
    if !text.contains('\\') {
        return Cow::Borrowed(text.as_bytes());
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        match (b.get(i + 1), b.get(i + 2..i + 4)) {
            (Some(b'\\'), _) => {
                out.push(b'\\');
                i += 2;
            }
            (Some(b'x'), Some(hex)) if hex.iter().all(u8::is_ascii_hexdigit) => {
                let digits = std::str::from_utf8(hex).ok();
                match digits.and_then(|d| u8::from_str_radix(d, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 4;
                    }
                    None => {
                        out.push(b'\\');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_are_themselves() {
        for name in [
            "Hämeenlinna.pdf",
            "a\\b.txt",
            "C:\\Users\\x.docx",
            "loppu\\",
        ] {
            assert_eq!(name_text(name.as_bytes()), name, "{name}");
            assert_eq!(&*name_bytes(name), name.as_bytes(), "{name}");
        }
    }

    #[test]
    fn odd_bytes_and_the_backslashes_that_could_be_read_as_them_are_escaped() {
        assert_eq!(name_text(b"raportti_\xe4.txt"), "raportti_\\xe4.txt");
        // A UTF-8 name that is written as the escape of another stays apart from it.
        assert_eq!(name_text(b"raportti_\\xe4.txt"), "raportti_\\\\xe4.txt");
        assert_eq!(name_text(b"a\\\\b"), "a\\\\\\b");
        assert_eq!(name_text(b"a\\\xe4"), "a\\\\\\xe4");
        assert_ne!(name_text(b"x\xe4"), name_text(b"x\\xe4"));
    }

    /// Every byte string comes back from its text, and two strings never share one.
    #[test]
    fn texts_turn_back_into_their_bytes() {
        let alphabet: [&[u8]; 9] = [
            b"\\", b"x", b"e", b"4", b"a", b"\xe4", b"\xc3", b"\xa4", b"/",
        ];
        let mut seen = std::collections::HashMap::new();
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let len = (rng % 9) as usize;
            let mut bytes = Vec::new();
            let mut r = rng;
            for _ in 0..len {
                bytes.extend_from_slice(alphabet[(r % alphabet.len() as u64) as usize]);
                r /= alphabet.len() as u64;
            }
            let text = name_text(&bytes);
            assert_eq!(&*name_bytes(&text), &bytes[..], "{bytes:?} as {text:?}");
            if let Some(other) = seen.insert(text.clone(), bytes.clone()) {
                assert_eq!(other, bytes, "{text:?}");
            }
        }
    }
}
