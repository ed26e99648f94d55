//! ZIP containers whose central directory is lost. A package cut short by an interrupted copy
//! or upload ends before its directory, yet every entry written before the cut is whole behind
//! its own local header. Walking those headers and writing a directory for them gives the ZIP
//! reader a container it can open, so the slides and parts before the cut are read as usual.
//!
//! Layout from the ZIP application note (APPNOTE 6.3): local header `PK\3\4`, optional data
//! descriptor `PK\7\8` after data whose sizes the header leaves open (flag bit 3), central
//! header `PK\1\2`, end of central directory `PK\5\6`.

use crate::Limits;
use flate2::{Decompress, FlushDecompress, Status};

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const DESCRIPTOR: u32 = 0x0807_4b50;
const LOCAL_LEN: usize = 30;
/// Flag bit 3: CRC and sizes follow the data in a descriptor.
const SIZES_AFTER_DATA: u16 = 1 << 3;
const DEFLATED: u16 = 8;

struct Entry {
    offset: u32,
    version: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    name: Vec<u8>,
}

/// A container rebuilt from the whole entries of a cut-off one.
pub(crate) struct Rebuilt {
    pub bytes: Vec<u8>,
    /// How many entries were whole.
    pub entries: usize,
    /// How many bytes of the file they take.
    pub whole_bytes: usize,
    /// The entry the file ends in, when its header survived.
    pub cut_in: Option<String>,
    /// Whether that entry's beginning was kept, as far as the cut allows.
    pub partial: bool,
}

impl Rebuilt {
    /// What was read of the `total` bytes, for the damage note.
    pub fn describe(&self, total: usize) -> String {
        // Whether the file was cut or its end is damaged, the entries break off here.
        let cut = match (&self.cut_in, self.partial) {
            (Some(name), true) => format!("; {name} breaks off and is read as far as it goes"),
            (Some(name), false) => format!("; {name} breaks off"),
            (None, _) => String::new(),
        };
        format!(
            "the directory at the end of its ZIP container is missing (a copy cut short?), so \
             it was read from the {} whole entries at its start ({} of {total} bytes){cut}",
            self.entries, self.whole_bytes,
        )
    }
}

/// Whether the bytes begin as a ZIP does, yet end without the directory that belongs to
/// them. A cut-off package may still hold an end record: that of a workbook embedded in a
/// chart, whose directory a ZIP reader would then take for the package's. The record that
/// ends a whole file points at a directory that runs up to it.
pub(crate) fn directory_lost(bytes: &[u8]) -> bool {
    if bytes.get(..4).is_none_or(|b| le32(b, 0) != LOCAL) {
        return false;
    }
    // The end record is 22 bytes and may carry a comment of up to 65,535.
    let tail = bytes.len().saturating_sub(22 + 0xFFFF);
    let mut at = bytes.len().saturating_sub(22);
    loop {
        if le32(bytes, at) == END {
            let size = le32(bytes, at + 12);
            let offset = le32(bytes, at + 16);
            // ZIP64 keeps the real values in a record of its own: leave it to the reader.
            if size == u32::MAX || offset == u32::MAX {
                return false;
            }
            let (size, offset) = (size as usize, offset as usize);
            let runs_up = offset.checked_add(size) == Some(at);
            if runs_up && (size == 0 || le32(bytes, offset) == CENTRAL) {
                return false;
            }
        }
        if at <= tail {
            return true;
        }
        at -= 1;
    }
}

/// The container rebuilt from the whole entries before the first damaged or missing one, with
/// a new central directory; `None` when not even the first entry is whole, or the bytes do not
/// begin as a ZIP does. ZIP64 entries end the walk: a cut file of over 4 GB is not read.
///
/// With `partial`, the entry the cut falls in is kept as far as it goes: a text-heavy
/// document's main part is most of its file, so a cut often falls inside it, and the text
/// before the cut is worth reading. Markup is kept up to its last whole tag.
pub(crate) fn rebuild(bytes: &[u8], limits: &Limits, partial: bool) -> Option<Rebuilt> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut at = 0usize;
    let mut cut_in = None;
    let mut tail: Option<(Entry, Vec<u8>)> = None;
    // Where deflate streams of unknown length are inflated to be measured, for all of them.
    let mut scratch = Vec::new();
    while let Some(header) = bytes.get(at..at + LOCAL_LEN) {
        // One entry over the limit is enough for the reader to refuse the container.
        if le32(header, 0) != LOCAL || entries.len() > limits.max_entries {
            break;
        }
        if limits.check_time().is_err() {
            return None;
        }
        let Some(entry) = local_entry(bytes, at, limits, &mut scratch) else {
            cut_in =
                local_header(bytes, at).map(|(_, n, _)| String::from_utf8_lossy(n).into_owned());
            if partial {
                tail = cut_entry(bytes, at, limits);
            }
            break;
        };
        at = entry.1;
        entries.push(entry.0);
    }
    if entries.is_empty() {
        return None;
    }
    let whole_bytes = at;
    let mut out = Vec::with_capacity(
        at + tail.as_ref().map_or(0, |t| 30 + t.0.name.len() + t.1.len())
            + entries.iter().map(|e| 46 + e.name.len()).sum::<usize>()
            + 22,
    );
    out.extend_from_slice(bytes.get(..at)?);
    // The cut entry's beginning, stored whole after the whole entries.
    let partial = tail.is_some();
    if let Some((mut e, data)) = tail {
        e.offset = u32::try_from(out.len()).ok()?;
        put32(&mut out, LOCAL);
        put_fields(&mut out, &e);
        put16(&mut out, u16::try_from(e.name.len()).ok()?);
        put16(&mut out, 0); // no extra field
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&data);
        entries.push(e);
    }
    let directory = u32::try_from(out.len()).ok()?;
    for e in &entries {
        put32(&mut out, CENTRAL);
        put16(&mut out, 20); // made by: MS-DOS, APPNOTE 2.0
        put_fields(&mut out, e);
        put16(&mut out, u16::try_from(e.name.len()).ok()?);
        for _ in 0..4 {
            put16(&mut out, 0); // extra, comment, disk, internal attributes
        }
        put32(&mut out, 0); // external attributes
        put32(&mut out, e.offset);
        out.extend_from_slice(&e.name);
    }
    let directory_len = u32::try_from(out.len()).ok()? - directory;
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    put32(&mut out, END);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, directory_len);
    put32(&mut out, directory);
    put16(&mut out, 0);
    Some(Rebuilt {
        bytes: out,
        entries: entries.len() - usize::from(partial),
        whole_bytes,
        cut_in,
        partial,
    })
}

/// The local header starting at `at`: its fixed part, the entry's name, and where its data
/// starts. `None` when the file ends inside the name.
fn local_header(bytes: &[u8], at: usize) -> Option<(&[u8], &[u8], usize)> {
    let header = bytes.get(at..at + LOCAL_LEN)?;
    let name_len = usize::from(le16(header, 26));
    let extra_len = usize::from(le16(header, 28));
    let name = bytes.get(at + LOCAL_LEN..at + LOCAL_LEN + name_len)?;
    Some((header, name, at + LOCAL_LEN + name_len + extra_len))
}

/// The entry whose local header starts at `at`, and where the next header would start; `None`
/// when the entry is cut off or cannot be measured.
fn local_entry(
    bytes: &[u8],
    at: usize,
    limits: &Limits,
    scratch: &mut Vec<u8>,
) -> Option<(Entry, usize)> {
    let (header, name, data) = local_header(bytes, at)?;
    let name = name.to_vec();
    let flags = le16(header, 6);
    let method = le16(header, 8);
    let (mut crc, mut compressed, mut size) =
        (le32(header, 14), le32(header, 18), le32(header, 22));
    let next = if flags & SIZES_AFTER_DATA == 0 {
        if compressed == u32::MAX || size == u32::MAX {
            return None;
        }
        let end = data.checked_add(compressed as usize)?;
        bytes.get(data..end)?;
        end
    } else {
        // Only deflate marks its own end; stored data of unknown length cannot be measured.
        if method != DEFLATED {
            return None;
        }
        let len = deflated_length(bytes.get(data..)?, limits, scratch)?;
        let mut d = data + len;
        if bytes
            .get(d..d + 4)
            .is_some_and(|s| le32(s, 0) == DESCRIPTOR)
        {
            d += 4;
        }
        let descriptor = bytes.get(d..d + 12)?;
        (crc, compressed, size) = (
            le32(descriptor, 0),
            le32(descriptor, 4),
            le32(descriptor, 8),
        );
        if compressed as usize != len {
            return None;
        }
        d + 12
    };
    let entry = Entry {
        offset: u32::try_from(at).ok()?,
        version: le16(header, 4),
        flags,
        method,
        time: le16(header, 10),
        date: le16(header, 12),
        crc,
        compressed,
        size,
        name,
    };
    Some((entry, next))
}

/// The beginning of the entry whose local header starts at `at` and whose data the file cuts
/// off, as a stored entry: its data inflated as far as the cut allows, markup (`.xml`,
/// `.rels`) up to its last whole tag. `None` when nothing of it is usable.
fn cut_entry(bytes: &[u8], at: usize, limits: &Limits) -> Option<(Entry, Vec<u8>)> {
    let (header, name, data) = local_header(bytes, at)?;
    let name = name.to_vec();
    let method = le16(header, 8);
    let rest = bytes.get(data..)?;
    // The bounds the package reader holds a part to: its size, and how far it may expand.
    let expands_to = (rest.len() as u64)
        .saturating_mul(limits.max_ratio)
        .max(limits.ratio_floor_bytes);
    let cap = usize::try_from(limits.max_part_bytes.min(expands_to)).unwrap_or(usize::MAX);
    let mut data = match method {
        0 => rest.get(..rest.len().min(cap))?.to_vec(),
        DEFLATED => inflate_prefix(rest, cap, limits),
        _ => return None,
    };
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(b".xml") || lower.ends_with(b".rels") {
        let end = data.iter().rposition(|&b| b == b'>')?;
        data.truncate(end + 1);
    }
    if data.is_empty() {
        return None;
    }
    let size = u32::try_from(data.len()).ok()?;
    let mut crc = flate2::Crc::new();
    crc.update(&data);
    let entry = Entry {
        offset: 0,
        version: 20,
        // Only the flag for UTF-8 names still holds: the copy is stored, its sizes known.
        flags: le16(header, 6) & (1 << 11),
        method: 0,
        time: le16(header, 10),
        date: le16(header, 12),
        crc: crc.sum(),
        compressed: size,
        size,
        name,
    };
    Some((entry, data))
}

/// What a raw deflate stream cut off inflates to, up to `cap` bytes: as much as the input
/// allows, and what came out before any damage.
fn inflate_prefix(data: &[u8], cap: usize, limits: &Limits) -> Vec<u8> {
    let mut inflater = Decompress::new(false);
    let mut out: Vec<u8> = Vec::with_capacity(data.len().saturating_mul(4).min(cap));
    loop {
        if out.len() >= cap || limits.check_time().is_err() {
            break;
        }
        if out.capacity() == out.len() {
            out.reserve((64usize << 10).min(cap - out.len()));
        }
        let Ok(consumed) = usize::try_from(inflater.total_in()) else {
            break;
        };
        let Some(input) = data.get(consumed..) else {
            break;
        };
        let before = (inflater.total_in(), inflater.total_out());
        match inflater.decompress_vec(input, &mut out, FlushDecompress::None) {
            Ok(Status::StreamEnd) | Err(_) => break,
            Ok(_) if (inflater.total_in(), inflater.total_out()) == before => break,
            Ok(_) => {}
        }
    }
    out.truncate(cap);
    out
}

/// How many bytes of `data` one raw deflate stream takes, found by inflating it into a
/// scratch buffer; `None` when the stream is cut off, broken, or inflates past the limits.
fn deflated_length(data: &[u8], limits: &Limits, scratch: &mut Vec<u8>) -> Option<usize> {
    let mut inflater = Decompress::new(false);
    scratch.resize(64 << 10, 0);
    loop {
        let consumed = usize::try_from(inflater.total_in()).ok()?;
        let before = (inflater.total_in(), inflater.total_out());
        let status = inflater
            .decompress(data.get(consumed..)?, scratch, FlushDecompress::None)
            .ok()?;
        if status == Status::StreamEnd {
            return usize::try_from(inflater.total_in()).ok();
        }
        if inflater.total_out() > limits.max_part_bytes || limits.check_time().is_err() {
            return None;
        }
        // No progress: the input ended inside the stream.
        if (inflater.total_in(), inflater.total_out()) == before {
            return None;
        }
    }
}

fn le16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The fields local and central headers share, from version needed to uncompressed size.
fn put_fields(out: &mut Vec<u8>, e: &Entry) {
    for v in [e.version, e.flags, e.method, e.time, e.date] {
        put16(out, v);
    }
    for v in [e.crc, e.compressed, e.size] {
        put32(out, v);
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    const A: &[u8] = b"Espoon asiakaspalvelun raportti, kevat 2018. ";
    const B: &[u8] = b"Vantaan osallisuusmalli ja sen kokeilut. ";

    /// A ZIP of the entries, deflated, written as a file (sizes in the local headers) or as a
    /// stream (sizes in data descriptors after the data).
    fn zip_of(entries: &[(&str, &[u8])], stream: bool) -> Vec<u8> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut out = Vec::new();
        let write = |z: &mut dyn FnMut(&str, &[u8])| {
            for (name, data) in entries {
                z(name, data);
            }
        };
        if stream {
            let mut z = zip::ZipWriter::new_stream(&mut out);
            write(&mut |n, d| {
                z.start_file(n, options).expect("in-memory zip");
                z.write_all(d).expect("in-memory zip");
            });
            z.finish().expect("in-memory zip");
        } else {
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
            write(&mut |n, d| {
                z.start_file(n, options).expect("in-memory zip");
                z.write_all(d).expect("in-memory zip");
            });
            z.finish().expect("in-memory zip");
        }
        out
    }

    /// A ZIP of three entries, as [`zip_of`] writes it, with where its directory starts.
    fn archive(stream: bool) -> (Vec<u8>, usize) {
        let (a, c) = (A.repeat(40), B.repeat(40));
        let out = zip_of(&[("a.txt", &a), ("kansio/", b""), ("c.txt", &c)], stream);
        let end = out
            .windows(4)
            .rposition(|w| w == b"PK\x05\x06")
            .expect("end record");
        let directory = le32(&out, end + 16) as usize;
        (out, directory)
    }

    fn read_all(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut z =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("rebuilt container opens");
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).expect("entry");
                let mut data = Vec::new();
                f.read_to_end(&mut data)
                    .expect("entry inflates, its CRC right");
                (f.name().map(|n| n.into_owned()).unwrap_or_default(), data)
            })
            .collect()
    }

    #[test]
    fn a_directory_belongs_to_the_file_only_when_it_runs_up_to_the_end_record() {
        let (bytes, directory) = archive(false);
        assert!(!directory_lost(&bytes));
        assert!(directory_lost(&bytes[..directory]));
        assert!(directory_lost(&bytes[..bytes.len() - 1]));
        // Another package's end record inside the data, as a chart's workbook brings.
        let (inner, _) = archive(true);
        let mut cut = bytes[..directory].to_vec();
        cut.extend_from_slice(&inner);
        assert!(directory_lost(&cut));
        // A comment after the end record is allowed.
        let mut commented = bytes.clone();
        let n = commented.len();
        commented[n - 2..].copy_from_slice(&7u16.to_le_bytes());
        commented.extend_from_slice(b"kommentti"[..7].as_ref());
        assert!(!directory_lost(&commented));
        assert!(!directory_lost(b"%PDF-1.4"));
    }

    #[test]
    fn a_container_cut_before_its_directory_is_rebuilt_whole() {
        for stream in [false, true] {
            let (bytes, directory) = archive(stream);
            let cut = &bytes[..directory];
            assert!(directory_lost(cut));
            assert!(!directory_lost(&bytes));
            let rebuilt = rebuild(cut, &Limits::default(), false).expect("three whole entries");
            assert_eq!(
                (
                    rebuilt.entries,
                    rebuilt.whole_bytes,
                    rebuilt.cut_in.as_deref()
                ),
                (3, directory, None)
            );
            let names: Vec<(String, Vec<u8>)> = read_all(&rebuilt.bytes);
            assert_eq!(
                names,
                [
                    ("a.txt".to_string(), A.repeat(40)),
                    ("kansio/".to_string(), Vec::new()),
                    ("c.txt".to_string(), B.repeat(40)),
                ],
                "stream {stream}"
            );
        }
    }

    #[test]
    fn a_cut_inside_an_entry_keeps_the_entries_before_it() {
        for stream in [false, true] {
            let (bytes, directory) = archive(stream);
            // Every cut from inside the first entry's data to the directory.
            let c_header = bytes
                .windows(5)
                .rposition(|w| w == b"c.txt")
                .expect("c.txt's local header")
                - LOCAL_LEN;
            for cut in (40..directory).step_by(7) {
                let rebuilt = rebuild(&bytes[..cut], &Limits::default(), false);
                let Some(rebuilt) = rebuilt else {
                    // Nothing whole yet: the first entry is cut.
                    assert!(cut < c_header, "stream {stream}, cut {cut}");
                    continue;
                };
                let got = read_all(&rebuilt.bytes);
                if cut < c_header + LOCAL_LEN + 5 {
                    assert!(got.len() <= 2, "stream {stream}, cut {cut}");
                } else {
                    assert_eq!(got.len(), 2, "stream {stream}, cut {cut}");
                    assert_eq!(rebuilt.cut_in.as_deref(), Some("c.txt"));
                }
                assert_eq!(got[0], ("a.txt".to_string(), A.repeat(40)));
            }
        }
    }

    #[test]
    fn the_entry_a_cut_falls_in_is_kept_up_to_the_cut() {
        let paragraphs: String = (0..400)
            .map(|i| format!("<p>Vantaan osallisuusmalli {}</p>", i * 7919 % 1000))
            .collect();
        let xml = format!("<r>{paragraphs}</r>");
        let a = A.repeat(40);
        for stream in [false, true] {
            let bytes = zip_of(&[("a.txt", &a), ("osa.xml", xml.as_bytes())], stream);
            let header = bytes
                .windows(7)
                .position(|w| w == b"osa.xml")
                .expect("osa.xml's local header");
            // Halfway through its data, which ends where a descriptor or the directory begins.
            let end = bytes[header..]
                .windows(4)
                .position(|w| w == b"PK\x07\x08" || w == b"PK\x01\x02")
                .expect("the end of osa.xml's data");
            let cut = &bytes[..header + end / 2];
            let rebuilt = rebuild(cut, &Limits::default(), true).expect("a.txt is whole");
            assert_eq!((rebuilt.entries, rebuilt.partial), (1, true));
            let got = read_all(&rebuilt.bytes);
            assert_eq!(
                got[0],
                ("a.txt".to_string(), A.repeat(40)),
                "stream {stream}"
            );
            let (name, part) = &got[1];
            assert_eq!(name, "osa.xml");
            // A beginning of the part, ending at a whole tag.
            assert!(part.len() > 100 && part.len() < xml.len(), "{}", part.len());
            assert!(xml.as_bytes().starts_with(part) && part.ends_with(b">"));
            // Without `partial`, only the whole entry.
            let whole = rebuild(cut, &Limits::default(), false).expect("a.txt is whole");
            assert_eq!(
                (whole.entries, whole.partial, read_all(&whole.bytes).len()),
                (1, false, 1)
            );
        }
    }

    #[test]
    fn the_cut_part_expands_no_further_than_a_part_may() {
        // A megabyte of one empty element compresses a thousandfold.
        let xml = "<p/>".repeat(1 << 18);
        let bytes = zip_of(&[("a.txt", A), ("pommi.xml", xml.as_bytes())], false);
        let header = bytes
            .windows(9)
            .position(|w| w == b"pommi.xml")
            .expect("local header");
        let directory = bytes
            .windows(4)
            .position(|w| w == b"PK\x01\x02")
            .expect("directory");
        let cut = &bytes[..header + (directory - header) / 2];
        let mut limits = Limits::default();
        limits.max_ratio = 10;
        limits.ratio_floor_bytes = 1000;
        let rebuilt = rebuild(cut, &limits, true).expect("a.txt is whole");
        let got = read_all(&rebuilt.bytes);
        let part = &got[1].1;
        let rest = cut.len() - header;
        assert!(
            !part.is_empty() && part.len() <= rest * 10,
            "{} from {rest}",
            part.len()
        );
    }

    #[test]
    fn what_is_not_a_cut_zip_is_left_alone() {
        let limits = Limits::default();
        assert!(rebuild(b"", &limits, false).is_none());
        assert!(rebuild(b"PK\x03\x04 too short", &limits, false).is_none());
        assert!(rebuild(b"%PDF-1.4 not a zip at all", &limits, false).is_none());
        // Data descriptors after stored data cannot be measured.
        let (mut bytes, directory) = archive(true);
        bytes.truncate(directory);
        let first_method = 8;
        bytes[first_method] = 0;
        assert!(rebuild(&bytes, &limits, false).is_none());
    }

    #[test]
    fn the_entry_limit_and_the_deadline_hold() {
        let (bytes, directory) = archive(false);
        let mut limits = Limits::default();
        limits.max_entries = 1;
        // The walk stops one entry past the limit, for the reader to refuse the container.
        let rebuilt = rebuild(&bytes[..directory], &limits, false).expect("entries");
        assert_eq!(rebuilt.entries, 2);
        let mut expired = Limits::default();
        expired.time_limit = std::time::Duration::ZERO;
        let expired = expired.start();
        assert!(rebuild(&bytes[..directory], &expired, false).is_none());
    }
}
