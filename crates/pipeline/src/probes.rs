//! What a re-run knows of each file before the scan, by the file's position, in an anonymous
//! file: first what the cache holds of it, then what the look before the scan found. A
//! re-run held both in memory (about 130 bytes a file) while the scan ran.

use crate::Probe;
use crate::cache::{Known, Stat};
use crate::disk::{Table, TableReader};
use std::io;

/// A tag, a stat (size, time) and two hashes.
pub(crate) const RECORD: usize = 1 + 8 + 8 + 32 + 32;

/// Nothing known: a new file, or one the look found changed.
const NONE: u8 = 0;
/// What the cache holds, before the look.
const KNOWN: u8 = 1;
const STORED: u8 = 2;
const UNREADABLE: u8 = 3;

/// What is known of one file, as a record says.
pub(crate) enum Entry {
    None,
    Known(Known),
    Probed(Probe),
}

pub(crate) struct ProbeFile(Table<RECORD>);

impl ProbeFile {
    /// Room for `len` files, of which nothing is known yet.
    pub(crate) fn new(len: usize) -> io::Result<ProbeFile> {
        Table::new(len).map(ProbeFile)
    }

    pub(crate) fn set_known(&self, at: usize, known: &Known) -> io::Result<()> {
        self.0.set(at, &known_record(known))
    }

    /// Sets the probes of the files from `start` on, in one write.
    pub(crate) fn set_probes(&self, start: usize, probes: &[Option<Probe>]) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(probes.len() * RECORD);
        for probe in probes {
            bytes.extend_from_slice(&probe_record(probe.as_ref()));
        }
        self.0.set_many(start, &bytes)
    }

    pub(crate) fn get(&self, at: usize) -> io::Result<Entry> {
        decode(&self.0.get(at)?)
    }

    /// The records of the files at `range`, in one read.
    pub(crate) fn get_range(&self, range: std::ops::Range<usize>) -> io::Result<Vec<Entry>> {
        self.0
            .get_many(range)?
            .chunks_exact(RECORD)
            .map(decode)
            .collect()
    }

    /// A pass over the records in the order of positions.
    pub(crate) fn reader(&self) -> ProbeReader<'_> {
        ProbeReader(self.0.reader(true))
    }
}

pub(crate) struct ProbeReader<'a>(TableReader<'a, RECORD>);

impl ProbeReader<'_> {
    pub(crate) fn get(&mut self, at: usize) -> io::Result<Entry> {
        decode(&self.0.get(at)?)
    }
}

fn probe_record(probe: Option<&Probe>) -> [u8; RECORD] {
    let none = blake3::Hash::from_bytes([0; 32]);
    let zero = Stat {
        size: 0,
        mtime_ns: 0,
    };
    match probe {
        None => encode(NONE, &zero, &none, &none),
        Some(Probe::Stored {
            stat,
            hash,
            json_key,
        }) => encode(STORED, stat, hash, json_key),
        Some(Probe::Unreadable { key }) => encode(UNREADABLE, &zero, key, &none),
    }
}

/// What the cache knows of a file, as a record.
pub(crate) fn known_record(known: &Known) -> [u8; RECORD] {
    encode(KNOWN, &known.stat, &known.hash, &known.json_key)
}

/// The file's known facts, where `record` holds them.
pub(crate) fn record_known(record: &[u8]) -> io::Result<Option<Known>> {
    Ok(match decode(record)? {
        Entry::Known(k) => Some(k),
        _ => None,
    })
}

fn encode(tag: u8, stat: &Stat, a: &blake3::Hash, b: &blake3::Hash) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[0] = tag;
    r[1..9].copy_from_slice(&stat.size.to_le_bytes());
    r[9..17].copy_from_slice(&stat.mtime_ns.to_le_bytes());
    r[17..49].copy_from_slice(a.as_bytes());
    r[49..81].copy_from_slice(b.as_bytes());
    r
}

fn decode(r: &[u8]) -> io::Result<Entry> {
    let field = |from: usize, to: usize| r.get(from..to).ok_or_else(short);
    let u64_at = |from: usize| -> io::Result<[u8; 8]> {
        field(from, from + 8)?.try_into().map_err(|_| short())
    };
    let hash_at = |from: usize| -> io::Result<blake3::Hash> {
        let bytes: [u8; 32] = field(from, from + 32)?.try_into().map_err(|_| short())?;
        Ok(blake3::Hash::from_bytes(bytes))
    };
    let stat = || -> io::Result<Stat> {
        Ok(Stat {
            size: u64::from_le_bytes(u64_at(1)?),
            mtime_ns: i64::from_le_bytes(u64_at(9)?),
        })
    };
    match r.first().copied() {
        Some(NONE) => Ok(Entry::None),
        Some(KNOWN) => Ok(Entry::Known(Known {
            stat: stat()?,
            hash: hash_at(17)?,
            json_key: hash_at(49)?,
        })),
        Some(STORED) => Ok(Entry::Probed(Probe::Stored {
            stat: stat()?,
            hash: hash_at(17)?,
            json_key: hash_at(49)?,
        })),
        Some(UNREADABLE) => Ok(Entry::Probed(Probe::Unreadable { key: hash_at(17)? })),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a probe record with an unknown tag",
        )),
    }
}

fn short() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a short probe record")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_record_comes_back_as_it_was_set() {
        let probes = ProbeFile::new(4).unwrap_or_else(|e| panic!("{e}"));
        let stat = Stat {
            size: 12_345,
            mtime_ns: -7,
        };
        let (h, j) = (blake3::hash(b"h"), blake3::hash(b"j"));
        let ok = |r: io::Result<()>| r.unwrap_or_else(|e| panic!("{e}"));
        ok(probes.set_known(
            0,
            &Known {
                stat: stat.clone(),
                hash: h,
                json_key: j,
            },
        ));
        ok(probes.set_probes(
            1,
            &[
                Some(Probe::Stored {
                    stat: stat.clone(),
                    hash: h,
                    json_key: j,
                }),
                Some(Probe::Unreadable { key: j }),
            ],
        ));
        let mut reader = probes.reader();
        let mut all = probes
            .get_range(0..4)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter();
        for at in 0..4 {
            let got = [
                probes.get(at).unwrap_or_else(|e| panic!("{e}")),
                reader.get(at).unwrap_or_else(|e| panic!("{e}")),
                all.next().unwrap_or_else(|| panic!("a record for {at}")),
            ];
            for entry in got {
                match (at, entry) {
                    (0, Entry::Known(k)) => {
                        assert!(k.stat == stat && k.hash == h && k.json_key == j)
                    }
                    (
                        1,
                        Entry::Probed(Probe::Stored {
                            stat: s,
                            hash,
                            json_key,
                        }),
                    ) => assert!(s == stat && hash == h && json_key == j),
                    (2, Entry::Probed(Probe::Unreadable { key })) => assert_eq!(key, j),
                    // Never set: nothing known.
                    (3, Entry::None) => {}
                    (at, _) => panic!("record {at} came back as another kind"),
                }
            }
        }
        assert!(probes.get(4).is_err());
        assert!(probes.get_range(2..5).is_err());
        assert!(probes.set_probes(3, &[None, None]).is_err());
    }
}
