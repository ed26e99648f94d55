//! A long list of (path, detail) rows kept mostly on disk: the audit of a drive of tens of
//! thousands of files lists most of them (no theme, say), and held in memory those lists
//! grew with the drive while every output was rendered.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::{Mutex, PoisonError};

/// Past this many bytes, the rows made so far go to the list's temporary file.
const KEEP_BYTES: usize = 32 * 1024;

/// Rows in the order they were pushed. The first are in an anonymous temporary file (the
/// system removes it however the run ends), the last few kilobytes in memory.
#[derive(Debug)]
pub struct RowList {
    len: usize,
    /// How many bytes of rows are kept in memory before they are written out.
    keep: usize,
    /// Rows not yet written out, each as the length and bytes of its path, then of its
    /// detail (lengths as 4 bytes, little-endian).
    tail: Vec<u8>,
    /// The rows written out, and how many bytes they take. Behind a lock: two outputs read
    /// the same list at once, each from its own offset.
    file: Option<Mutex<File>>,
    written: u64,
}

impl Default for RowList {
    fn default() -> RowList {
        RowList::with_memory(KEEP_BYTES)
    }
}

impl RowList {
    pub fn new() -> RowList {
        RowList::default()
    }

    /// A list that keeps at most about `bytes` of rows in memory.
    pub fn with_memory(bytes: usize) -> RowList {
        RowList {
            len: 0,
            keep: bytes.max(1),
            tail: Vec::new(),
            file: None,
            written: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a row. Fails only when the temporary file cannot be made or written.
    pub fn push(&mut self, path: &str, detail: &str) -> io::Result<()> {
        for part in [path, detail] {
            let len = u32::try_from(part.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "row too long"))?;
            self.tail.extend_from_slice(&len.to_le_bytes());
            self.tail.extend_from_slice(part.as_bytes());
        }
        self.len += 1;
        if self.tail.len() >= self.keep {
            self.write_out()?;
        }
        Ok(())
    }

    fn write_out(&mut self) -> io::Result<()> {
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(Mutex::new(tempfile::tempfile()?)),
        };
        let file = file.get_mut().unwrap_or_else(PoisonError::into_inner);
        file.seek(SeekFrom::Start(self.written))?;
        file.write_all(&self.tail)?;
        self.written += self.tail.len() as u64;
        self.tail.clear();
        Ok(())
    }

    /// Calls `f` with each row's path and detail, in order, until it fails.
    pub fn each<E: From<io::Error>>(
        &self,
        mut f: impl FnMut(&str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut pending: Vec<u8> = Vec::new();
        let mut offset = 0u64;
        if let Some(file) = &self.file {
            let mut chunk = vec![0u8; KEEP_BYTES];
            while offset < self.written {
                let want = (self.written - offset).min(chunk.len() as u64) as usize;
                let buf = chunk.get_mut(..want).unwrap_or_default();
                {
                    let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
                    file.seek(SeekFrom::Start(offset))?;
                    file.read_exact(buf)?;
                }
                offset += want as u64;
                pending.extend_from_slice(buf);
                let used = each_row(&pending, &mut f)?;
                pending.drain(..used);
            }
        }
        pending.extend_from_slice(&self.tail);
        let used = each_row(&pending, &mut f)?;
        if used == pending.len() {
            Ok(())
        } else {
            Err(damaged().into())
        }
    }

    /// The rows' paths, for a caller that wants them all (a few, or a test).
    pub fn paths(&self) -> io::Result<Vec<String>> {
        let mut paths = Vec::with_capacity(self.len);
        self.each(|path, _| {
            paths.push(path.to_string());
            Ok::<(), io::Error>(())
        })?;
        Ok(paths)
    }

    /// The rows as (path, detail) pairs.
    pub fn pairs(&self) -> io::Result<Vec<(String, String)>> {
        let mut pairs = Vec::with_capacity(self.len);
        self.each(|path, detail| {
            pairs.push((path.to_string(), detail.to_string()));
            Ok::<(), io::Error>(())
        })?;
        Ok(pairs)
    }
}

impl PartialEq for RowList {
    /// Lists are alike when their rows are; a list that cannot be read is like none.
    fn eq(&self, other: &RowList) -> bool {
        self.len == other.len && matches!((self.pairs(), other.pairs()), (Ok(a), Ok(b)) if a == b)
    }
}

fn damaged() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "a list of audit rows is damaged",
    )
}

/// Calls `f` with each whole row at the start of `bytes`; returns how many bytes they took.
fn each_row<E: From<io::Error>>(
    bytes: &[u8],
    f: &mut impl FnMut(&str, &str) -> Result<(), E>,
) -> Result<usize, E> {
    let mut at = 0;
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        let Some((path, after_path)) = part(rest) else {
            return Ok(at);
        };
        let Some((detail, after_detail)) = rest.get(after_path..).and_then(part) else {
            return Ok(at);
        };
        f(text(path)?, text(detail)?)?;
        at += after_path + after_detail;
    }
}

fn text(bytes: &[u8]) -> io::Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| damaged())
}

/// The first length-prefixed part of `bytes` and the bytes it took, when it is whole.
fn part(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let end = 4usize.checked_add(len)?;
    Some((bytes.get(4..end)?, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| {
                (
                    format!("Espoo/TP{}/materiaali ä {i}.pdf", i % 5),
                    "x".repeat(i % 7),
                )
            })
            .collect()
    }

    #[test]
    fn rows_come_back_in_order_from_memory_and_from_disk() {
        for n in [0, 1, 10, 5_000] {
            let want = rows(n);
            let mut list = RowList::new();
            for (p, d) in &want {
                list.push(p, d).unwrap_or_else(|e| panic!("{e}"));
            }
            assert_eq!(list.len(), n);
            assert_eq!(list.file.is_some(), n == 5_000, "{n}");
            assert_eq!(list.pairs().unwrap_or_else(|e| panic!("{e}")), want);
            // Read twice at once, as two outputs do.
            std::thread::scope(|s| {
                let a = s.spawn(|| list.paths());
                let b = s.spawn(|| list.paths());
                for read in [a.join(), b.join()] {
                    let paths = read
                        .unwrap_or_else(|_| panic!("a reader panicked"))
                        .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(paths.len(), n);
                    assert!(paths.iter().zip(&want).all(|(p, (w, _))| p == w));
                }
            });
        }
    }

    #[test]
    fn a_row_longer_than_a_chunk_is_read_whole() {
        let long = "ä".repeat(KEEP_BYTES);
        let mut list = RowList::new();
        for k in 0..3 {
            list.push(&format!("{k}"), &long)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let pairs = list.pairs().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pairs.len(), 3);
        assert!(pairs.iter().all(|(_, d)| *d == long));
    }

    #[test]
    fn a_reader_that_stops_stops_the_pass() {
        let mut list = RowList::new();
        for (p, d) in rows(100) {
            list.push(&p, &d).unwrap_or_else(|e| panic!("{e}"));
        }
        let mut seen = 0;
        let stopped = list.each(|_, _| {
            seen += 1;
            if seen == 3 {
                Err(io::Error::other("enough"))
            } else {
                Ok(())
            }
        });
        assert!(stopped.is_err());
        assert_eq!(seen, 3);
    }
}
