//! Plain ZIP archives on the drive: their members are materials of their own.

use crate::package::Package;
use crate::{Error, Limits};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// One file inside an archive.
pub struct Member {
    /// Path inside the archive, `/`-separated.
    pub name: String,
    /// The member's bytes, or why they cannot be had (damaged compressed data, a bomb, a
    /// password): one broken member fails alone, its siblings are still read.
    pub bytes: Result<Vec<u8>, Error>,
}

/// The files of a ZIP archive, bounded by the limits; folders, hidden files and Office lock
/// files are left out as the drive walk leaves them out. Fails as a whole only when the
/// archive's directory cannot be read.
pub fn members(bytes: &[u8], limits: &Limits) -> Result<Vec<Member>, Error> {
    // The ZIP reader runs on the drive's bytes as extractors do, so it is held to the same
    // promise as `extract`: a panic inside it is this archive's error, not the caller's.
    match catch_unwind(AssertUnwindSafe(|| read_members(bytes, limits))) {
        Ok(result) => result,
        Err(payload) => Err(Error::Panic(crate::panic_message(payload.as_ref()))),
    }
}

fn read_members(bytes: &[u8], limits: &Limits) -> Result<Vec<Member>, Error> {
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
        out.push(Member { name, bytes });
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
        let members = members(&bytes, &Limits::default().start()).expect("directory intact");
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
}
