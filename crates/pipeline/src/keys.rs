//! The key of each drive file's materials, by the file's position, in an anonymous file:
//! 32 bytes a file that a first run at 20,000 files held in memory to its end (0.7 MB).
//! The scan writes them from any thread as files are done; the index write and the outputs'
//! digest read them back in passes.

use crate::disk::{Table, TableReader};
use std::io;

pub(crate) struct KeyFile(Table<{ blake3::OUT_LEN }>);

impl KeyFile {
    /// Room for the keys of `len` files.
    pub(crate) fn new(len: usize) -> io::Result<KeyFile> {
        Table::new(len).map(KeyFile)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn set(&self, at: usize, key: &blake3::Hash) -> io::Result<()> {
        self.0.set(at, key.as_bytes())
    }

    pub(crate) fn get(&self, at: usize) -> io::Result<blake3::Hash> {
        self.0.get(at).map(blake3::Hash::from_bytes)
    }

    /// A pass over the keys: `forward` when it goes in the order of positions.
    pub(crate) fn reader(&self, forward: bool) -> KeyReader<'_> {
        KeyReader(self.0.reader(forward))
    }
}

pub(crate) struct KeyReader<'a>(TableReader<'a, { blake3::OUT_LEN }>);

impl KeyReader<'_> {
    pub(crate) fn get(&mut self, at: usize) -> io::Result<blake3::Hash> {
        self.0.get(at).map(blake3::Hash::from_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_comes_back_as_the_hash_it_was() {
        let keys = KeyFile::new(3).unwrap_or_else(|e| panic!("{e}"));
        let key = blake3::hash(b"materials");
        keys.set(1, &key).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys.get(1).unwrap_or_else(|e| panic!("{e}")), key);
        assert_eq!(
            keys.reader(true).get(1).unwrap_or_else(|e| panic!("{e}")),
            key
        );
        assert_eq!(keys.len(), 3);
        assert!(keys.get(3).is_err());
    }
}
