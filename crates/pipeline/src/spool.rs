//! The run's materials on disk. The scan writes each material here as it is classified and
//! keeps only where it lies; the outputs read the materials back one at a time, in path
//! order, through [`Materials`]. So the memory of a run does not grow with the drive by
//! everything each material says (title, evidence, answers), only by a few bytes per
//! material.
//!
//! The file is anonymous (it has no name once created) and goes when the run ends. Each
//! material is written in a compact binary form of its own (below): every output reads
//! every material, and decoding this costs a fraction of decoding JSON.

use crate::disk::{Table, anonymous_file, read_exact_at, write_all_at};
use kooste_model::{
    AnswerHints, City, CitySource, ErrorKind, ExtractError, Format, Material, Materials, Scores,
    Status, TermCount, ThemeScore, WorkPackage,
};
use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::sync::{Mutex, PoisonError};

/// Where one material lies in the spool.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    offset: u64,
    len: u32,
}

impl Slot {
    pub(crate) fn to_bytes(self) -> [u8; SLOT] {
        let mut b = [0u8; SLOT];
        b[..8].copy_from_slice(&self.offset.to_le_bytes());
        b[8..].copy_from_slice(&self.len.to_le_bytes());
        b
    }

    pub(crate) fn from_bytes(b: [u8; SLOT]) -> Slot {
        let mut offset = [0u8; 8];
        offset.copy_from_slice(&b[..8]);
        let mut len = [0u8; 4];
        len.copy_from_slice(&b[8..]);
        Slot {
            offset: u64::from_le_bytes(offset),
            len: u32::from_le_bytes(len),
        }
    }
}

/// Materials written as they come, from any thread.
pub(crate) struct Spool {
    file: File,
    pending: Mutex<Pending>,
}

/// Materials encoded but not yet written: one write per block, not per material.
struct Pending {
    bytes: Vec<u8>,
    /// Where `bytes` go in the file.
    at: u64,
}

/// How much is gathered before it is written.
const BLOCK: usize = 256 * 1024;

impl Spool {
    pub(crate) fn new() -> io::Result<Spool> {
        let file = anonymous_file()?;
        Ok(Spool {
            file,
            pending: Mutex::new(Pending {
                bytes: Vec::with_capacity(BLOCK),
                at: 0,
            }),
        })
    }

    /// Adds `m` and says where it lies. It can be read once the spool is flushed.
    pub(crate) fn push(&self, m: &Material) -> io::Result<Slot> {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let start = p.bytes.len();
        encode(m, &mut p.bytes);
        let Ok(len) = u32::try_from(p.bytes.len() - start) else {
            p.bytes.truncate(start);
            return Err(io::Error::other("a material over 4 GiB cannot be spooled"));
        };
        let slot = Slot {
            offset: p.at + start as u64,
            len,
        };
        if p.bytes.len() >= BLOCK {
            self.write_pending(&mut p)?;
        }
        Ok(slot)
    }

    /// Writes what is gathered, so that everything pushed can be read. Returns the end of
    /// what is written.
    pub(crate) fn flush(&self) -> io::Result<u64> {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        self.write_pending(&mut p)?;
        Ok(p.at)
    }

    /// A spool of the materials at `slots`, in that order, one after the other; and their
    /// slots there.
    fn sorted(&self, slots: &[Slot]) -> io::Result<(Spool, SlotTable)> {
        let sorted = Spool::new()?;
        let mut p = sorted
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let new_slots = SlotTable::new(slots.len())?;
        // Written a block of slots at a time.
        let mut pending: Vec<u8> = Vec::new();
        let mut written = 0;
        for slot in slots {
            let start = p.bytes.len();
            p.bytes.resize(start + slot.len as usize, 0);
            read_exact_at(&self.file, &mut p.bytes[start..], slot.offset)?;
            let new_slot = Slot {
                offset: p.at + start as u64,
                len: slot.len,
            };
            pending.extend_from_slice(&new_slot.to_bytes());
            if pending.len() >= SLOT_BLOCK {
                new_slots.set_many(written, &pending)?;
                written += pending.len() / SLOT;
                pending.clear();
            }
            if p.bytes.len() >= BLOCK {
                sorted.write_pending(&mut p)?;
            }
        }
        new_slots.set_many(written, &pending)?;
        sorted.write_pending(&mut p)?;
        drop(p);
        Ok((sorted, new_slots))
    }

    fn write_pending(&self, p: &mut Pending) -> io::Result<()> {
        write_all_at(&self.file, &p.bytes, p.at)?;
        p.at += p.bytes.len() as u64;
        p.bytes.clear();
        Ok(())
    }
}

/// Where each material lies, on disk too: 16 bytes a material in memory were what a re-run's
/// outputs held in proportion to the drive.
type SlotTable = Table<SLOT>;

const SLOT: usize = 12;

/// How many bytes of slots are gathered before they are written.
const SLOT_BLOCK: usize = 64 * 1024;

/// A spool's materials in path order: what the outputs read.
pub(crate) struct SpooledMaterials {
    spool: Spool,
    slots: SlotTable,
    /// The end of what is written.
    end: u64,
}

impl SpooledMaterials {
    /// The materials at `slots`, in that order. They are written again in that order, once,
    /// so that every reading after is sequential, a block at a time.
    pub(crate) fn new(spool: Spool, slots: Vec<Slot>) -> io::Result<SpooledMaterials> {
        spool.flush()?;
        let (spool, slots) = spool.sorted(&slots)?;
        let end = spool.flush()?;
        Ok(SpooledMaterials { spool, slots, end })
    }

    /// Puts `m` in the place of the material at `at` (a person's correction).
    pub(crate) fn replace(&mut self, at: usize, m: &Material) -> io::Result<()> {
        if at >= self.slots.len() {
            return Err(no_material(at));
        }
        let slot = self.spool.push(m)?;
        self.end = self.spool.flush()?;
        self.slots.set(at, &slot.to_bytes())
    }

    fn read_all(
        &self,
        evidence: Evidence,
        f: &mut dyn FnMut(&Material) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut block = Block::default();
        let mut m = empty_material();
        let mut slots = self.slots.reader(true);
        for at in 0..self.slots.len() {
            let slot = Slot::from_bytes(slots.get(at)?);
            let bytes = block.read(&self.spool.file, slot, self.end)?;
            decode_into(bytes, evidence, &mut m)?;
            f(&m)?;
        }
        Ok(())
    }

    /// Every material, read into memory.
    pub(crate) fn load(&self) -> io::Result<Vec<Material>> {
        let mut block = Block::default();
        let mut slots = self.slots.reader(true);
        (0..self.slots.len())
            .map(|at| {
                let slot = Slot::from_bytes(slots.get(at)?);
                decode(block.read(&self.spool.file, slot, self.end)?)
            })
            .collect()
    }
}

impl Materials for SpooledMaterials {
    fn len(&self) -> usize {
        self.slots.len()
    }

    fn each(&self, f: &mut dyn FnMut(&Material) -> io::Result<()>) -> io::Result<()> {
        self.read_all(Evidence::Read, f)
    }

    fn each_without_evidence(
        &self,
        f: &mut dyn FnMut(&Material) -> io::Result<()>,
    ) -> io::Result<()> {
        self.read_all(Evidence::Skip, f)
    }

    fn get(&self, i: usize) -> io::Result<Cow<'_, Material>> {
        if i >= self.slots.len() {
            return Err(no_material(i));
        }
        let slot = Slot::from_bytes(self.slots.get(i)?);
        let mut bytes = vec![0; slot.len as usize];
        read_exact_at(&self.spool.file, &mut bytes, slot.offset)?;
        Ok(Cow::Owned(decode(&bytes)?))
    }
}

/// A block of the spool read at once.
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    /// Where `bytes` start in the file.
    at: u64,
}

impl Block {
    /// The bytes of `slot`, read with those after it (up to `end`) when they are not here.
    fn read(&mut self, file: &File, slot: Slot, end: u64) -> io::Result<&[u8]> {
        let from = slot.offset.checked_sub(self.at).map(|d| d as usize);
        let here = from.filter(|&d| d + slot.len as usize <= self.bytes.len());
        let start = match here {
            Some(d) => d,
            None => {
                let want = (slot.len as usize)
                    .max(BLOCK)
                    .min(end.saturating_sub(slot.offset) as usize)
                    .max(slot.len as usize);
                self.bytes.resize(want, 0);
                read_exact_at(file, &mut self.bytes, slot.offset)?;
                self.at = slot.offset;
                0
            }
        };
        Ok(&self.bytes[start..start + slot.len as usize])
    }
}

fn no_material(at: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("no material at position {at}"),
    )
}

// The binary form. Numbers are little-endian; a length or count is a u32; a string is its
// length and its UTF-8 bytes; an optional value is a 0 or 1 byte and then the value; an
// enum is the position of its value in the tables below. Only this module writes it, and
// only for the run that reads it, so it needs no version.

const FORMATS: [Format; 21] = [
    Format::Pdf,
    Format::Docx,
    Format::Pptx,
    Format::Xlsx,
    Format::Xlsb,
    Format::Xls,
    Format::Ods,
    Format::Odt,
    Format::Odp,
    Format::Txt,
    Format::Markdown,
    Format::Html,
    Format::Zip,
    Format::Doc,
    Format::Ppt,
    Format::Rtf,
    Format::Unknown,
    Format::Eml,
    Format::Msg,
    Format::Ics,
    Format::Image,
];
const CITY_SOURCES: [CitySource; 5] = [
    CitySource::Folder,
    CitySource::FileName,
    CitySource::Metadata,
    CitySource::Text,
    CitySource::Manual,
];
const STATUSES: [Status; 3] = [Status::Ok, Status::Empty, Status::Error];

fn position<T: PartialEq>(table: &[T], value: &T) -> u8 {
    table.iter().position(|v| v == value).unwrap_or(0) as u8
}

fn encode(m: &Material, out: &mut Vec<u8>) {
    let mut w = Writer(out);
    w.str(&m.path);
    w.u8(position(&FORMATS, &m.format));
    w.u64(m.bytes);
    w.str(&m.hash);
    w.str(&m.title);
    for field in [&m.author, &m.created, &m.modified] {
        w.opt(field.as_deref(), |w, s| w.str(s));
    }
    w.opt(m.city, |w, c| w.u8(position(&City::ALL, &c)));
    w.opt(m.city_source, |w, s| w.u8(position(&CITY_SOURCES, &s)));
    w.seq(&m.city_contenders, |w, c| w.u8(position(&City::ALL, c)));
    w.seq(&m.tp, |w, t| w.u8(t.number()));
    w.seq(&m.themes, |w, t| {
        w.str(&t.id);
        w.f64(t.score);
        w.seq(&t.terms, |w, c| {
            w.str(&c.term);
            w.u32(c.count);
            w.seq(&c.pages, |w, p| w.u32(*p));
        });
        w.seq(&t.snippets, |w, s| w.str(s));
        w.u8(u8::from(t.manual));
    });
    w.u32(m.scores.len() as u32);
    for (id, score) in m.scores.iter() {
        w.str(id);
        w.f64(*score);
    }
    w.u8(position(&STATUSES, &m.status));
    w.opt(m.error.as_ref(), |w, e| {
        w.u8(position(&ErrorKind::ALL, &e.kind));
        w.str(&e.message);
    });
    w.opt(m.damaged.as_deref(), |w, s| w.str(s));
    w.opt(m.ocr.as_deref(), |w, s| w.str(s));
    w.seq(&m.picture_pages, |w, p| w.u32(*p));
    w.u32(m.pages);
    w.u64(m.chars);
    w.seq(&m.manual, |w, s| w.str(s));
    w.seq(&m.answer_hints.leadership, |w, s| w.str(s));
    w.seq(&m.answer_hints.business, |w, s| w.str(s));
}

/// Whether a reading decodes the evidence (the themes' terms and snippets, the answer hints)
/// or steps over it.
#[derive(Clone, Copy, PartialEq)]
enum Evidence {
    Read,
    Skip,
}

fn decode(bytes: &[u8]) -> io::Result<Material> {
    let mut m = empty_material();
    decode_into(bytes, Evidence::Read, &mut m)?;
    Ok(m)
}

fn empty_material() -> Material {
    Material {
        path: String::new(),
        format: Format::Unknown,
        bytes: 0,
        hash: String::new(),
        title: String::new(),
        author: None,
        created: None,
        modified: None,
        city: None,
        city_source: None,
        city_contenders: Vec::new(),
        tp: Vec::new(),
        themes: Vec::new(),
        scores: Scores::new(),
        status: Status::Ok,
        error: None,
        damaged: None,
        ocr: None,
        picture_pages: Vec::new(),
        pages: 0,
        chars: 0,
        manual: Vec::new(),
        answer_hints: AnswerHints::default(),
    }
}

/// Decodes into `m`, reusing what it holds: a reading of every material then allocates
/// little more than the first material did.
fn decode_into(bytes: &[u8], evidence: Evidence, m: &mut Material) -> io::Result<()> {
    let mut r = Reader(bytes);
    let read = evidence == Evidence::Read;
    r.string_into(&mut m.path)?;
    m.format = r.of(&FORMATS)?;
    m.bytes = r.u64()?;
    r.string_into(&mut m.hash)?;
    r.string_into(&mut m.title)?;
    for field in [&mut m.author, &mut m.created, &mut m.modified] {
        r.opt_string_into(field)?;
    }
    m.city = r.opt(|r| r.of(&City::ALL))?;
    m.city_source = r.opt(|r| r.of(&CITY_SOURCES))?;
    r.seq_into(&mut m.city_contenders, |r| r.of(&City::ALL))?;
    r.seq_into(&mut m.tp, |r| WorkPackage::new(r.u8()?).ok_or_else(bad))?;
    let n = r.count()?;
    m.themes.truncate(n);
    m.themes.resize_with(n, || ThemeScore {
        id: String::new(),
        score: 0.0,
        terms: Vec::new(),
        snippets: Vec::new(),
        manual: false,
    });
    for t in &mut m.themes {
        r.string_into(&mut t.id)?;
        t.score = r.f64()?;
        let n = r.count()?;
        if read {
            t.terms.truncate(n);
            t.terms.resize_with(n, || TermCount {
                term: String::new(),
                count: 0,
                pages: Vec::new(),
            });
            for c in &mut t.terms {
                r.string_into(&mut c.term)?;
                c.count = r.u32()?;
                r.seq_into(&mut c.pages, Reader::u32)?;
            }
        } else {
            t.terms.clear();
            for _ in 0..n {
                r.str()?;
                r.u32()?;
                for _ in 0..r.count()? {
                    r.u32()?;
                }
            }
        }
        r.strings_into(&mut t.snippets, read)?;
        t.manual = r.u8()? != 0;
    }
    m.scores.clear();
    for _ in 0..r.count()? {
        let id = r.str()?;
        m.scores.insert(id, r.f64()?);
    }
    m.status = r.of(&STATUSES)?;
    match r.u8()? {
        0 => m.error = None,
        _ => {
            let kind = r.of(&ErrorKind::ALL)?;
            let message = r.str()?;
            match &mut m.error {
                Some(e) => {
                    e.kind = kind;
                    e.message.clear();
                    e.message.push_str(message);
                }
                None => m.error = Some(ExtractError::new(kind, message)),
            }
        }
    }
    r.opt_string_into(&mut m.damaged)?;
    r.opt_string_into(&mut m.ocr)?;
    r.seq_into(&mut m.picture_pages, Reader::u32)?;
    m.pages = r.u32()?;
    m.chars = r.u64()?;
    r.strings_into(&mut m.manual, true)?;
    r.strings_into(&mut m.answer_hints.leadership, read)?;
    r.strings_into(&mut m.answer_hints.business, read)?;
    if r.0.is_empty() { Ok(()) } else { Err(bad()) }
}

fn bad() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a spooled material is damaged")
}

struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Self, T)) {
        match v {
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
            None => self.u8(0),
        }
    }
    fn seq<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Self, &T)) {
        self.u32(items.len() as u32);
        for item in items {
            f(self, item);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or_else(bad)?;
        self.0 = rest;
        Ok(*head)
    }
    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> io::Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// A count of items that each take at least a byte: more than the bytes left is damage,
    /// not a reason to reserve memory.
    fn count(&mut self) -> io::Result<usize> {
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return Err(bad());
        }
        Ok(n)
    }
    fn str(&mut self) -> io::Result<&'a str> {
        let n = self.count()?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        std::str::from_utf8(s).map_err(|_| bad())
    }
    fn string_into(&mut self, s: &mut String) -> io::Result<()> {
        let text = self.str()?;
        s.clear();
        s.push_str(text);
        Ok(())
    }
    fn opt_string_into(&mut self, s: &mut Option<String>) -> io::Result<()> {
        match (self.u8()?, s.as_mut()) {
            (0, _) => *s = None,
            (_, Some(s)) => self.string_into(s)?,
            (_, None) => *s = Some(self.str()?.to_string()),
        }
        Ok(())
    }
    /// Strings into `v`, reusing its strings; stepped over, leaving `v` empty, unless `read`.
    fn strings_into(&mut self, v: &mut Vec<String>, read: bool) -> io::Result<()> {
        let n = self.count()?;
        if !read {
            v.clear();
            for _ in 0..n {
                self.str()?;
            }
            return Ok(());
        }
        v.truncate(n);
        v.resize_with(n, String::new);
        for s in v.iter_mut() {
            self.string_into(s)?;
        }
        Ok(())
    }
    fn of<T: Copy>(&mut self, table: &[T]) -> io::Result<T> {
        table.get(self.u8()? as usize).copied().ok_or_else(bad)
    }
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> io::Result<T>) -> io::Result<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            _ => f(self).map(Some),
        }
    }
    fn seq_into<T>(
        &mut self,
        v: &mut Vec<T>,
        mut f: impl FnMut(&mut Self) -> io::Result<T>,
    ) -> io::Result<()> {
        let n = self.count()?;
        v.clear();
        for _ in 0..n {
            v.push(f(self)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_material() -> Material {
        let json = r#"{"path": "Espoo/TP2/malli ä.zip/sisä/x.pdf", "format": "pdf", "bytes": 1234,
            "hash": "ab12", "title": "Malli – osallisuus", "author": "Aino", "created": "2018-03-01",
            "modified": null, "city": "Espoo", "city_source": "folder",
            "city_contenders": ["Turku", "Oulu"], "tp": ["TP2", "TP5"],
            "themes": [{"id": "osallisuus", "score": 21.5,
                "terms": [{"term": "osallisuus", "count": 3, "pages": [0, 2]},
                          {"term": "asukas", "count": 1}],
                "snippets": ["Asukkaat osallistuvat.", "Toinen lause."], "manual": true}],
            "scores": {"osallisuus": 21.5, "johtaminen": 0.25},
            "status": "error", "error": {"kind": "timeout", "message": "yli 60 s"},
            "damaged": "the directory of its ZIP container is missing",
            "ocr": "read by OCR (tesseract 5.3.0, fin+eng)", "picture_pages": [3, 5], "pages": 7, "chars": 4321, "manual": ["city", "themes"],
            "answer_hints": {"leadership": ["Johto näkee."], "business": ["Yritykset hyötyvät."]}}"#;
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_material_reads_back_as_it_was_written() {
        let m = full_material();
        let mut bytes = Vec::new();
        encode(&m, &mut bytes);
        assert_eq!(decode(&bytes).ok(), Some(m.clone()));
        let bare: Material = serde_json::from_str(
            r#"{"path": "a.txt", "format": "txt", "bytes": 0, "hash": "", "title": "",
            "city": null, "tp": [], "themes": [], "status": "ok", "error": null,
            "pages": 0, "chars": 0}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        bytes.clear();
        encode(&bare, &mut bytes);
        assert_eq!(decode(&bytes).ok(), Some(bare));
    }

    #[test]
    fn a_reading_without_evidence_leaves_only_the_evidence_out() {
        let m = full_material();
        let mut bytes = Vec::new();
        encode(&m, &mut bytes);
        let mut bare = m.clone();
        for t in &mut bare.themes {
            t.terms.clear();
            t.snippets.clear();
        }
        bare.answer_hints = AnswerHints::default();
        assert_eq!(light(&bytes).ok(), Some(bare));
    }

    fn light(bytes: &[u8]) -> io::Result<Material> {
        let mut m = empty_material();
        decode_into(bytes, Evidence::Skip, &mut m).map(|()| m)
    }

    #[test]
    fn a_material_decoded_over_another_keeps_nothing_of_it() {
        let big = full_material();
        let mut small: Material = serde_json::from_str(
            r#"{"path": "b.txt", "format": "txt", "bytes": 2, "hash": "cd", "title": "b",
            "author": "Eino", "city": null, "tp": [],
            "themes": [{"id": "johtaminen", "score": 1.0, "terms": [], "snippets": []}],
            "scores": {"johtaminen": 1.0}, "status": "ok", "error": null,
            "pages": 1, "chars": 2}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode(&big, &mut a);
        encode(&small, &mut b);
        let mut m = empty_material();
        for (bytes, want) in [(&a, &big), (&b, &small), (&a, &big)] {
            decode_into(bytes, Evidence::Read, &mut m).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&m, want);
        }
        // And the other way: a smaller one read without evidence over a larger one.
        decode_into(&a, Evidence::Read, &mut m).unwrap_or_else(|e| panic!("{e}"));
        decode_into(&b, Evidence::Skip, &mut m).unwrap_or_else(|e| panic!("{e}"));
        small.answer_hints = AnswerHints::default();
        assert_eq!(m, small);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut bytes = Vec::new();
        encode(&full_material(), &mut bytes);
        // Every cut and a byte changed anywhere: an error or some material, never a panic
        // or a reservation of what a damaged count claims.
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] = 0xff;
            let _ = decode(&changed);
            let _ = light(&changed);
        }
        for cut in 0..bytes.len() {
            assert!(light(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        bytes.push(0);
        assert!(decode(&bytes).is_err(), "trailing bytes");
    }

    #[test]
    fn spooled_materials_read_back_in_the_order_given() {
        let spool = Spool::new().unwrap_or_else(|e| panic!("{e}"));
        let mut a = full_material();
        a.path = "b.pdf".into();
        let mut b = full_material();
        b.path = "a.pdf".into();
        let slots: Vec<Slot> = [&a, &b]
            .iter()
            .map(|m| spool.push(m).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let mut materials = SpooledMaterials::new(spool, vec![slots[1], slots[0]])
            .unwrap_or_else(|e| panic!("{e}"));
        let paths = |ms: &SpooledMaterials| -> Vec<String> {
            let mut paths = Vec::new();
            ms.each(&mut |m| {
                paths.push(m.path.clone());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
            paths
        };
        assert_eq!(paths(&materials), ["a.pdf", "b.pdf"]);
        assert_eq!(materials.get(1).ok().map(Cow::into_owned), Some(a));
        let mut c = b.clone();
        c.title = "korjattu".into();
        materials.replace(0, &c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(materials.load().ok().map(|v| v[0].clone()), Some(c));
        assert!(materials.get(2).is_err());
    }
}
