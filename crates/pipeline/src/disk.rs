//! What a run keeps of every file or material waits in anonymous temporary files, not in
//! memory: the kernel holds those pages in its cache, and gives them back under pressure,
//! where the process's own memory would grow with the drive. This module has what the
//! spool, the walk's paths and the files' keys share: the file, reads and writes at a
//! position from any thread, and a reader that takes a pass in blocks.

use std::fs::File;
use std::io;

/// An anonymous temporary file: it has no name once created, and goes when it is closed.
pub(crate) fn anonymous_file() -> io::Result<File> {
    tempfile::tempfile().map_err(|e| {
        let dir = std::env::temp_dir();
        io::Error::new(
            e.kind(),
            format!("cannot create one in {} (TMPDIR): {e}", dir.display()),
        )
    })
}

#[cfg(unix)]
pub(crate) fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn write_all_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let n = file.seek_write(bytes, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_read(buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// How much a pass reads at a time.
const BLOCK: usize = 64 * 1024;

/// Reads ranges of a file of `len` bytes. A range inside the block read last costs no
/// system call; a range past it reads the next block from its start when the pass goes
/// forward, or just the range when it jumps about.
pub(crate) struct BlockReader<'a> {
    file: &'a File,
    len: u64,
    /// Whether the ranges come in the order of the file.
    forward: bool,
    block: Vec<u8>,
    /// Where `block` starts in the file.
    at: u64,
}

impl<'a> BlockReader<'a> {
    pub(crate) fn new(file: &'a File, len: u64, forward: bool) -> BlockReader<'a> {
        BlockReader {
            file,
            len,
            forward,
            block: Vec::new(),
            at: 0,
        }
    }

    /// The bytes from `start` to `end`.
    pub(crate) fn read(&mut self, start: u64, end: u64) -> io::Result<&[u8]> {
        if end < start || end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bytes {start}..{end} lie outside a file of {}", self.len),
            ));
        }
        let inside = start >= self.at && end <= self.at + self.block.len() as u64;
        if !inside {
            let want = (end - start) as usize;
            let size = if self.forward {
                want.max(BLOCK).min((self.len - start) as usize)
            } else {
                want
            };
            self.block.resize(size, 0);
            read_exact_at(self.file, &mut self.block, start)?;
            self.at = start;
        }
        let from = (start - self.at) as usize;
        let to = (end - self.at) as usize;
        Ok(&self.block[from..to])
    }
}

/// Records of `N` bytes, added one after the other and read back in one pass: what a run
/// notes of each material while the scan runs waits here, not in memory.
pub(crate) struct RecordFile<const N: usize> {
    file: File,
    /// Records not yet written.
    pending: Vec<u8>,
    /// Bytes written to `file`.
    written: u64,
}

impl<const N: usize> RecordFile<N> {
    pub(crate) fn new() -> io::Result<RecordFile<N>> {
        Ok(RecordFile {
            file: anonymous_file()?,
            pending: Vec::new(),
            written: 0,
        })
    }

    pub(crate) fn len(&self) -> usize {
        (self.written as usize + self.pending.len()) / N
    }

    pub(crate) fn push(&mut self, record: [u8; N]) -> io::Result<()> {
        self.pending.extend_from_slice(&record);
        if self.pending.len() >= BLOCK {
            self.write_pending()?;
        }
        Ok(())
    }

    fn write_pending(&mut self) -> io::Result<()> {
        write_all_at(&self.file, &self.pending, self.written)?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Each record, in the order they were added, until `f` fails.
    pub(crate) fn each(&mut self, mut f: impl FnMut([u8; N]) -> io::Result<()>) -> io::Result<()> {
        self.write_pending()?;
        let mut reader = BlockReader::new(&self.file, self.written, true);
        let mut at = 0;
        while at + N as u64 <= self.written {
            let bytes = reader.read(at, at + N as u64)?;
            let record: [u8; N] = bytes
                .try_into()
                .map_err(|_| io::Error::other("a record of the wrong length"))?;
            f(record)?;
            at += N as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_back_what_was_written_going_forward_or_jumping_about() {
        let file = anonymous_file().unwrap_or_else(|e| panic!("{e}"));
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        write_all_at(&file, &bytes, 0).unwrap_or_else(|e| panic!("{e}"));
        let len = bytes.len() as u64;
        for forward in [true, false] {
            let mut r = BlockReader::new(&file, len, forward);
            let ranges = [
                (0u64, 10u64),
                (10, 70_000),
                (65_530, 65_540),
                (199_990, 200_000),
                (5, 6),
                (100_000, 100_000),
            ];
            for (s, e) in ranges {
                let got = r.read(s, e).unwrap_or_else(|e| panic!("{e}")).to_vec();
                assert_eq!(
                    got,
                    bytes[s as usize..e as usize],
                    "{s}..{e} forward {forward}"
                );
            }
            assert!(r.read(199_999, 200_001).is_err());
            assert!(r.read(10, 9).is_err());
        }
    }

    #[test]
    fn records_come_back_in_the_order_they_were_added() {
        let mut records = RecordFile::<6>::new().unwrap_or_else(|e| panic!("{e}"));
        let record = |i: u32| {
            let mut r = [0u8; 6];
            r[..4].copy_from_slice(&i.to_le_bytes());
            r[4] = (i % 7) as u8;
            r
        };
        // Enough to be written in several blocks, and some left pending.
        let n = 30_000u32;
        for i in 0..n {
            records.push(record(i)).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(records.len(), n as usize);
        let mut seen = Vec::new();
        records
            .each(|r| {
                seen.push(r);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen, (0..n).map(record).collect::<Vec<_>>());
    }
}
