//! Text made piece by piece and written out as it grows, so that a long list (an audit of
//! tens of thousands of files) is never held whole.

use std::io::{self, Write};

/// Past this many bytes the text made so far is written out.
const SPILL_BYTES: usize = 64 * 1024;

pub(crate) struct Spill<'w> {
    text: String,
    w: &'w mut dyn Write,
    /// The first write that failed; nothing is written after it.
    failed: Option<io::Error>,
}

impl<'w> Spill<'w> {
    pub(crate) fn new(w: &'w mut dyn Write) -> Spill<'w> {
        Spill {
            text: String::with_capacity(SPILL_BYTES + 1024),
            w,
            failed: None,
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
        if self.text.len() >= SPILL_BYTES {
            self.write_out();
        }
    }

    pub(crate) fn push(&mut self, c: char) {
        self.text.push(c);
    }

    fn write_out(&mut self) {
        if self.failed.is_none()
            && let Err(e) = self.w.write_all(self.text.as_bytes())
        {
            self.failed = Some(e);
        }
        self.text.clear();
    }

    /// Writes what is left; the first failure, if any.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.write_out();
        match self.failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// What `make` writes, as a string.
pub(crate) fn to_string(make: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> String {
    let mut bytes = Vec::new();
    // Writing into memory does not fail.
    let _ = make(&mut bytes);
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_pushed_is_written_in_order() {
        let long = "ä".repeat(SPILL_BYTES);
        let text = to_string(|w| {
            let mut s = Spill::new(w);
            s.push_str("alku ");
            s.push_str(&long);
            s.push('!');
            s.finish()
        });
        assert_eq!(text, format!("alku {long}!"));
    }

    #[test]
    fn the_first_failure_is_given_back() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("täynnä"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut full = Full;
        let mut s = Spill::new(&mut full);
        s.push_str(&"x".repeat(SPILL_BYTES));
        s.push_str("y");
        assert_eq!(
            s.finish().map_err(|e| e.to_string()),
            Err("täynnä".to_string())
        );
    }
}
