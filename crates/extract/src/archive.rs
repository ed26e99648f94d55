//! Plain ZIP archives on the drive: their members are materials of their own.

use crate::package::Package;
use crate::salvage;
use crate::{Error, Limits};

/// The files read from a ZIP archive.
pub struct Archive {
    pub members: Vec<Member>,
    /// What was read of an archive whose directory is lost, a copy cut short say: its whole
    /// members are read all the same, and the archive itself is damaged.
    pub damaged: Option<String>,
}

/// One file inside an archive.
pub struct Member {
    /// Path inside the archive, `/`-separated.
    pub name: String,
    /// The member's bytes, or why they cannot be had (damaged compressed data, a bomb, a
    /// password): one broken member fails alone, its siblings are still read.
    pub bytes: Result<Vec<u8>, Error>,
    /// The archive breaks off inside this member: `bytes` are its beginning only.
    pub cut: bool,
}

/// The files of a ZIP archive, bounded by the limits; folders, hidden files and Office lock
/// files are left out as the drive walk leaves them out. An archive whose directory is lost
/// gives the members before the cut. Fails as a whole only when no member can be found.
pub fn members(bytes: &[u8], limits: &Limits) -> Result<Archive, Error> {
    // The ZIP reader runs on the drive's bytes as extractors do, so it is held to the same
    // promise as `extract`: a panic inside it is this archive's error, not the caller's.
    crate::contained(|| read_members(bytes, limits))
}

fn read_members(bytes: &[u8], limits: &Limits) -> Result<Archive, Error> {
    if !salvage::directory_lost(bytes) {
        return Ok(Archive {
            members: listed(bytes, limits, None)?,
            damaged: None,
        });
    }
    let rebuilt = salvage::rebuild(bytes, limits, true).ok_or_else(|| {
        Error::Zip(
            "not a readable ZIP archive: the directory at its end is missing (a copy cut \
             short?) and not one member before the cut is whole"
                .into(),
        )
    })?;
    let cut = rebuilt.cut_in.as_deref().filter(|_| rebuilt.partial);
    Ok(Archive {
        members: listed(&rebuilt.bytes, limits, cut)?,
        damaged: Some(format!(
            "{}; the files among them are materials of their own, and whatever followed the \
             cut is lost",
            rebuilt.describe(bytes.len())
        )),
    })
}

/// The members of a container whose directory reads; `cut` names the one that breaks off.
fn listed(bytes: &[u8], limits: &Limits, cut: Option<&str>) -> Result<Vec<Member>, Error> {
    let mut package = Package::open(bytes, limits)?;
    let names: Vec<String> = package
        .names()
        .iter()
        .filter(|n| !n.ends_with('/') && !is_hidden_path(n))
        .cloned()
        .collect();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let bytes = package.read(&name);
        let cut = cut == Some(name.as_str());
        out.push(Member { name, bytes, cut });
    }
    Ok(out)
}

/// Hidden and temporary names that are not materials: dot files, Office lock files (`~$`),
/// LibreOffice lock files (`.~lock.`), macOS resource forks.
pub fn is_hidden_path(path: &str) -> bool {
    path.split(['/', '\\']).any(|seg| {
        seg.starts_with('.')
            || seg.starts_with("~$")
            || seg == "__MACOSX"
            || seg == "Thumbs.db"
            || seg == "desktop.ini"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            z.start_file(*name, options).expect("in-memory zip");
            z.write_all(data).expect("in-memory zip");
        }
        z.finish().expect("in-memory zip");
        out.into_inner()
    }

    #[test]
    fn a_broken_member_fails_alone() {
        let good = b"Espoon asiakaspalvelun raportti, kevat 2018.".repeat(20);
        let broken = b"Vantaan osallisuusmalli ja sen kokeilut.".repeat(20);
        let mut bytes = archive(&[("a.txt", &good), ("b.txt", &broken), ("c.txt", &good)]);
        // b.txt's compressed data sits after its local header and name; overwrite the middle
        // of it so that it inflates to garbage or not at all.
        let header = bytes
            .windows(5)
            .position(|w| w == b"b.txt")
            .expect("b.txt's local header");
        let data = header + 5;
        for b in &mut bytes[data + 4..data + 24] {
            *b ^= 0x5a;
        }
        let archive = members(&bytes, &Limits::default().start()).expect("directory intact");
        assert_eq!(archive.damaged, None);
        let members = archive.members;
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);
        assert_eq!(members[0].bytes.as_deref().ok(), Some(good.as_slice()));
        assert!(
            matches!(members[1].bytes, Err(Error::Zip(_))),
            "{:?}",
            members[1].bytes.as_ref().err()
        );
        assert_eq!(members[2].bytes.as_deref().ok(), Some(good.as_slice()));
    }

    #[test]
    fn an_archive_cut_short_gives_its_members_before_the_cut() {
        let text = b"Tampereen asiakasraadin muistio, syksy 2018. ".repeat(40);
        let bytes = archive(&[("a.txt", &text), ("kansio/b.txt", &text), ("c.txt", &text)]);
        let c = bytes
            .windows(5)
            .position(|w| w == b"c.txt")
            .expect("c.txt's local header");
        // Into c.txt's compressed data: its beginning inflates, its end is gone.
        let cut = &bytes[..c + 5 + 40];
        let archive = members(cut, &Limits::default().start()).expect("the whole members");
        let names: Vec<&str> = archive.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "kansio/b.txt", "c.txt"]);
        let cuts: Vec<bool> = archive.members.iter().map(|m| m.cut).collect();
        assert_eq!(cuts, [false, false, true]);
        assert_eq!(
            archive.members[1].bytes.as_deref().ok(),
            Some(text.as_slice())
        );
        let beginning = archive.members[2]
            .bytes
            .as_deref()
            .expect("c.txt's beginning");
        assert!(!beginning.is_empty() && text.starts_with(beginning));
        let note = archive.damaged.expect("the archive is damaged");
        assert!(note.contains("2 whole entries"), "{note}");
        assert!(note.contains("c.txt breaks off"), "{note}");

        // Cut before the first member is whole: nothing to read.
        let a_end = bytes
            .windows(12)
            .position(|w| w == b"kansio/b.txt")
            .expect("b.txt's local header");
        assert!(matches!(
            members(&bytes[..a_end / 2], &Limits::default().start()),
            Err(Error::Zip(_))
        ));
    }
}
