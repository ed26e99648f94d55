//! The key of each drive file's materials, by the file's position, in an anonymous file:
//! 32 bytes a file that a first run at 20,000 files held in memory to its end (0.7 MB).
//! The scan writes them from any thread as files are done; the index write and the outputs'
//! digest read them back in passes.

use crate::disk::{BlockReader, anonymous_file, read_exact_at, write_all_at};
use std::fs::File;
use std::io;

const KEY: u64 = blake3::OUT_LEN as u64;

pub(crate) struct KeyFile {
    file: File,
    len: usize,
}

impl KeyFile {
    /// Room for the keys of `len` files.
    pub(crate) fn new(len: usize) -> io::Result<KeyFile> {
        let file = anonymous_file()?;
        file.set_len(len as u64 * KEY)?;
        Ok(KeyFile { file, len })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn offset(&self, at: usize) -> io::Result<u64> {
        if at < self.len {
            Ok(at as u64 * KEY)
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no key at position {at} of {}", self.len),
            ))
        }
    }

    pub(crate) fn set(&self, at: usize, key: &blake3::Hash) -> io::Result<()> {
        write_all_at(&self.file, key.as_bytes(), self.offset(at)?)
    }

    pub(crate) fn get(&self, at: usize) -> io::Result<blake3::Hash> {
        let mut bytes = [0u8; blake3::OUT_LEN];
        read_exact_at(&self.file, &mut bytes, self.offset(at)?)?;
        Ok(blake3::Hash::from_bytes(bytes))
    }

    /// A pass over the keys: `forward` when it goes in the order of positions.
    pub(crate) fn reader(&self, forward: bool) -> KeyReader<'_> {
        KeyReader {
            keys: self,
            reader: BlockReader::new(&self.file, self.len as u64 * KEY, forward),
        }
    }
}

pub(crate) struct KeyReader<'a> {
    keys: &'a KeyFile,
    reader: BlockReader<'a>,
}

impl KeyReader<'_> {
    pub(crate) fn get(&mut self, at: usize) -> io::Result<blake3::Hash> {
        let start = self.keys.offset(at)?;
        let bytes = self.reader.read(start, start + KEY)?;
        let bytes: [u8; blake3::OUT_LEN] = bytes
            .try_into()
            .map_err(|_| io::Error::other("a key of the wrong length"))?;
        Ok(blake3::Hash::from_bytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_back_from_where_they_were_set_in_any_order() {
        let n = 5000;
        let keys = KeyFile::new(n).unwrap_or_else(|e| panic!("{e}"));
        let key = |i: usize| blake3::hash(&i.to_le_bytes());
        // Set out of order, as files finish.
        for i in (0..n).rev().step_by(2).chain((0..n).step_by(2)) {
            keys.set(i, &key(i)).unwrap_or_else(|e| panic!("{e}"));
        }
        for forward in [true, false] {
            let mut r = keys.reader(forward);
            for i in (0..n).step_by(7) {
                assert_eq!(r.get(i).unwrap_or_else(|e| panic!("{e}")), key(i));
            }
        }
        assert_eq!(
            keys.get(n - 1).unwrap_or_else(|e| panic!("{e}")),
            key(n - 1)
        );
        assert!(keys.get(n).is_err());
        assert!(keys.set(n, &key(n)).is_err());
        assert!(keys.reader(true).get(n).is_err());
    }
}
