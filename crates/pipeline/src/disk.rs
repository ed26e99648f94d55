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

/// Records of `N` bytes by position, in an anonymous file with room for a fixed number of
/// them: set and read from any thread, or read in a pass.
pub(crate) struct Table<const N: usize> {
    file: File,
    len: usize,
}

impl<const N: usize> Table<N> {
    /// Room for `len` records, each all zeros until it is set.
    pub(crate) fn new(len: usize) -> io::Result<Table<N>> {
        let file = anonymous_file()?;
        file.set_len((len * N) as u64)?;
        Ok(Table { file, len })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn offset(&self, at: usize) -> io::Result<u64> {
        if at < self.len {
            Ok((at * N) as u64)
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no record at position {at} of {}", self.len),
            ))
        }
    }

    pub(crate) fn set(&self, at: usize, record: &[u8; N]) -> io::Result<()> {
        write_all_at(&self.file, record, self.offset(at)?)
    }

    pub(crate) fn get(&self, at: usize) -> io::Result<[u8; N]> {
        let mut record = [0u8; N];
        read_exact_at(&self.file, &mut record, self.offset(at)?)?;
        Ok(record)
    }

    /// Sets the records from `start` on to `records` (whole records, one after the other),
    /// in one write.
    pub(crate) fn set_many(&self, start: usize, records: &[u8]) -> io::Result<()> {
        if !records.len().is_multiple_of(N) {
            return Err(io::Error::other("a part of a record"));
        }
        let count = records.len() / N;
        if count == 0 {
            return Ok(());
        }
        self.offset(start + count - 1)?;
        write_all_at(&self.file, records, self.offset(start)?)
    }

    /// The records at `range`, one after the other, in one read.
    pub(crate) fn get_many(&self, range: std::ops::Range<usize>) -> io::Result<Vec<u8>> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        self.offset(range.end - 1)?;
        let mut bytes = vec![0u8; range.len() * N];
        read_exact_at(&self.file, &mut bytes, self.offset(range.start)?)?;
        Ok(bytes)
    }

    /// A pass over the records: `forward` when it goes in the order of positions.
    pub(crate) fn reader(&self, forward: bool) -> TableReader<'_, N> {
        TableReader {
            table: self,
            reader: BlockReader::new(&self.file, (self.len * N) as u64, forward),
        }
    }
}

pub(crate) struct TableReader<'a, const N: usize> {
    table: &'a Table<N>,
    reader: BlockReader<'a>,
}

impl<const N: usize> TableReader<'_, N> {
    pub(crate) fn get(&mut self, at: usize) -> io::Result<[u8; N]> {
        let start = self.table.offset(at)?;
        self.reader
            .read(start, start + N as u64)?
            .try_into()
            .map_err(|_| io::Error::other("a record of the wrong length"))
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
    fn a_table_gives_back_each_record_where_it_was_set() {
        let n = 5000;
        let table = Table::<5>::new(n).unwrap_or_else(|e| panic!("{e}"));
        let record = |i: usize| {
            let mut r = [0u8; 5];
            r[..4].copy_from_slice(&(i as u32).to_le_bytes());
            r[4] = 1;
            r
        };
        // Set out of order, one at a time and several at once.
        for i in (0..n).rev().step_by(2) {
            table.set(i, &record(i)).unwrap_or_else(|e| panic!("{e}"));
        }
        let evens: Vec<u8> = (0..n).step_by(2).flat_map(record).collect();
        for (k, chunk) in evens.chunks(5).enumerate() {
            let mut r = [0u8; 5];
            r.copy_from_slice(chunk);
            table.set(2 * k, &r).unwrap_or_else(|e| panic!("{e}"));
        }
        let many: Vec<u8> = (100..110).flat_map(record).collect();
        table.set_many(100, &many).unwrap_or_else(|e| panic!("{e}"));
        for forward in [true, false] {
            let mut r = table.reader(forward);
            for i in (0..n).step_by(7) {
                assert_eq!(r.get(i).unwrap_or_else(|e| panic!("{e}")), record(i));
            }
        }
        assert_eq!(
            table.get(n - 1).unwrap_or_else(|e| panic!("{e}")),
            record(n - 1)
        );
        let got = table.get_many(98..112).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, (98..112).flat_map(record).collect::<Vec<u8>>());
        assert!(table.get(n).is_err());
        assert!(table.set(n, &record(n)).is_err());
        assert!(table.get_many(n - 1..n + 1).is_err());
        assert!(table.set_many(n - 1, &many[..10]).is_err());
        assert!(table.set_many(0, &many[..7]).is_err());
        assert!(table.reader(true).get(n).is_err());
        // A record never set is all zeros.
        let fresh = Table::<5>::new(3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fresh.get(2).unwrap_or_else(|e| panic!("{e}")), [0; 5]);
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
