//! Stored materials read a batch at a time, ahead of the scan's workers. A re-run takes most
//! files' materials from the cache; read one query per file, that cost about as much as the
//! rest of the scan together, and read all before the scan, every stored material of the
//! drive would be in memory at once. A worker that needs a file's materials reads those of
//! the next few stored files too, which it (or another worker) takes a moment later.

use crate::cache::{Cache, stored_materials};
use crate::walk::DriveFiles;
use kooste_model::Material;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// Files read per query.
const BATCH: usize = 32;

pub(crate) struct StoredAhead<'a> {
    cache: &'a Cache,
    /// The classifier key the materials were stored under.
    key: &'a str,
    /// The files of the walk.
    paths: &'a DriveFiles,
    /// Per file, true while its stored materials are still to be read.
    unread: Vec<AtomicBool>,
    /// Read and not yet taken, by the file's position: its content hash and materials.
    read: Mutex<HashMap<usize, (String, Vec<u8>)>>,
}

impl<'a> StoredAhead<'a> {
    /// For the files `paths` (walk order); `stored[i]` says whether the cache holds file
    /// `i`'s materials.
    pub(crate) fn new(
        cache: &'a Cache,
        key: &'a str,
        paths: &'a DriveFiles,
        stored: impl Iterator<Item = bool>,
    ) -> StoredAhead<'a> {
        StoredAhead {
            cache,
            key,
            paths,
            unread: stored.map(AtomicBool::new).collect(),
            read: Mutex::new(HashMap::new()),
        }
    }

    /// The materials the cache holds for file `at`, whose path is `path`, with content
    /// `hash`, and their JSON.
    pub(crate) fn take(
        &self,
        at: usize,
        path: &str,
        hash: &str,
    ) -> Option<(Vec<Material>, Vec<u8>)> {
        if at >= self.paths.len() {
            return None;
        }
        let ready = self
            .read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&at);
        let found = match ready {
            Some(found) => Some(found),
            None => self.read_from(at),
        };
        match found {
            Some((stored_hash, blob)) if stored_hash == hash => stored_materials(blob),
            // Another worker's batch holds it but has not put it here yet, or it changed.
            _ => self.cache.materials_for(path, hash, self.key),
        }
    }

    /// Reads the stored materials of the unread files from `at` on, keeps the others' and
    /// returns `at`'s.
    fn read_from(&self, at: usize) -> Option<(String, Vec<u8>)> {
        let end = (at + BATCH).min(self.unread.len());
        let batch: Vec<usize> = (at..end)
            .filter(|&i| self.unread[i].swap(false, Ordering::AcqRel))
            .collect();
        if batch.first() != Some(&at) {
            return None;
        }
        // The batch's paths lie one after the other: one read.
        let paths = self.paths.rel_paths(at..end).ok()?;
        let paths: Vec<&str> = batch
            .iter()
            .filter_map(|&i| paths.get(i - at).map(String::as_str))
            .collect();
        let by_path: HashMap<&str, usize> =
            paths.iter().copied().zip(batch.iter().copied()).collect();
        let rows = self.cache.stored_blobs(&paths, self.key);
        let mut own = None;
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        for (path, hash, blob) in rows {
            match by_path.get(path.as_str()) {
                Some(&i) if i == at => own = Some((hash, blob)),
                Some(&i) => {
                    read.insert(i, (hash, blob));
                }
                None => {}
            }
        }
        own
    }
}
