//! Bounded reading of ZIP containers: Office packages, ODF documents and plain archives.
//! Every entry is read through a size cap, so neither a lying header nor a bomb can make us
//! allocate more than the limits allow.

use crate::{Error, Limits};
use std::collections::HashMap;
use std::io::{Cursor, Read};
use zip::ZipArchive;

pub(crate) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
    /// Lower-cased name to position in `names`, for case-insensitive lookups.
    index: HashMap<String, usize>,
    limits: &'a Limits,
    unzipped: u64,
}

impl<'a> Package<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: &'a Limits) -> Result<Package<'a>, Error> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| match Error::from(e) {
            Error::Zip(msg) => Error::Zip(format!("not a readable ZIP container ({msg})")),
            other => other,
        })?;
        if archive.len() > limits.max_entries {
            return Err(Error::TooLarge(format!(
                "ZIP container with {} entries, over the limit of {}",
                archive.len(),
                limits.max_entries
            )));
        }
        let names: Vec<String> = archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect();
        let mut index = HashMap::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            // The first of two names differing only in case wins, as in a linear search.
            index.entry(n.to_ascii_lowercase()).or_insert(i);
        }
        Ok(Package {
            archive,
            names,
            index,
            limits,
            unzipped: 0,
        })
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The entry's name as stored, matched without regard to case (OPC part names are
    /// case-insensitive) and without a leading slash.
    pub(crate) fn find(&self, name: &str) -> Option<&str> {
        let wanted = name.trim_start_matches('/').to_ascii_lowercase();
        self.index
            .get(&wanted)
            .and_then(|&i| self.names.get(i))
            .map(String::as_str)
    }

    pub(crate) fn read(&mut self, name: &str) -> Result<Vec<u8>, Error> {
        let stored = self
            .find(name)
            .ok_or_else(|| Error::MissingPart(name.to_string()))?
            .to_string();
        self.limits.check_time()?;
        let mut entry = self.archive.by_name(&stored).map_err(Error::from)?;
        if entry.encrypted() {
            return Err(Error::Encrypted(format!(
                "entry {stored} is password-protected"
            )));
        }
        let cap = self
            .limits
            .max_part_bytes
            .min(self.limits.max_unzipped_bytes.saturating_sub(self.unzipped));
        let compressed = entry.compressed_size().max(1);
        // A declared size over the cap is believed at once; a smaller one may be a lie, so
        // the inflated bytes are counted as they come.
        if entry.size() > cap {
            return Err(Error::TooLarge(format!(
                "entry {stored} declares {} bytes, over the limit of {cap}",
                entry.size()
            )));
        }
        let bomb_at = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_floor_bytes);
        // Reading one byte past the smaller bound is enough to tell which bound was broken;
        // reading straight into the part's buffer spares zeroing a scratch buffer per part,
        // which cost a fifth of the time on presentations of many small parts.
        let mut data = Vec::with_capacity(entry.size().min(cap).min(64 << 20) as usize);
        entry
            .by_ref()
            .take(cap.min(bomb_at).saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| Error::Zip(format!("entry {stored}: {e}")))?;
        if data.len() as u64 > cap {
            return Err(Error::TooLarge(format!(
                "entry {stored} expands beyond {cap} bytes"
            )));
        }
        if data.len() as u64 > bomb_at {
            return Err(Error::TooLarge(format!(
                "entry {stored} expands more than {}-fold: a decompression bomb",
                self.limits.max_ratio
            )));
        }
        let len = data.len() as u64;
        self.unzipped += len;
        Ok(data)
    }

    /// The first `n` bytes of an entry and the size its header declares, without inflating
    /// the rest: enough to tell what a picture is. `None` for an entry that is missing,
    /// protected or unreadable.
    pub(crate) fn head(&mut self, name: &str, n: u64) -> Option<(Vec<u8>, u64)> {
        let stored = self.find(name)?.to_string();
        let mut entry = self.archive.by_name(&stored).ok()?;
        if entry.encrypted() {
            return None;
        }
        let size = entry.size();
        let mut head = Vec::new();
        entry.by_ref().take(n).read_to_end(&mut head).ok()?;
        Some((head, size))
    }

    /// Fails when any entry would inflate past the limits. For parsers that read the
    /// container themselves (calamine), where our capped reads cannot protect them. Headers
    /// can lie about sizes, so entries that could hide a bomb are inflated into a counter.
    pub(crate) fn check_expansion(&mut self) -> Result<(), Error> {
        // Deflate expands at most about 1032-fold.
        const DEFLATE_MAX_RATIO: u64 = 1032;
        let mut total = 0u64;
        for i in 0..self.archive.len() {
            self.limits.check_time()?;
            let mut entry = self.archive.by_index(i).map_err(Error::from)?;
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            let declared = entry.size();
            let compressed = entry.compressed_size().max(1);
            let size = if compressed.saturating_mul(DEFLATE_MAX_RATIO) <= self.limits.max_part_bytes
                && declared <= self.limits.max_part_bytes
            {
                declared
            } else {
                std::io::copy(
                    &mut entry.by_ref().take(self.limits.max_part_bytes + 1),
                    &mut std::io::sink(),
                )
                .map_err(|e| Error::Zip(format!("entry {name}: {e}")))?
            };
            if size > self.limits.max_part_bytes
                || (size > self.limits.ratio_floor_bytes
                    && size / compressed > self.limits.max_ratio)
            {
                return Err(Error::TooLarge(format!(
                    "entry {name} expands to {size} bytes from {compressed}: over the limits"
                )));
            }
            total = total.saturating_add(size);
            if total > self.limits.max_unzipped_bytes {
                return Err(Error::TooLarge(format!(
                    "container expands beyond {} bytes in total",
                    self.limits.max_unzipped_bytes
                )));
            }
        }
        Ok(())
    }

    /// Reads an XML part as text, whatever Unicode encoding it was saved in.
    pub(crate) fn read_xml(&mut self, name: &str) -> Result<String, Error> {
        let bytes = self.read(name)?;
        // The common case, UTF-8 without a byte-order mark, keeps the buffer as it is.
        if !bytes.starts_with(&[0xEF, 0xBB, 0xBF])
            && !bytes.starts_with(&[0xFF, 0xFE])
            && !bytes.starts_with(&[0xFE, 0xFF])
        {
            match String::from_utf8(bytes) {
                Ok(s) => return Ok(s),
                Err(e) => return crate::xml::decode(e.as_bytes(), name),
            }
        }
        crate::xml::decode(&bytes, name)
    }

    pub(crate) fn read_xml_if_present(&mut self, name: &str) -> Result<Option<String>, Error> {
        if self.find(name).is_none() {
            return Ok(None);
        }
        self.read_xml(name).map(Some)
    }
}
