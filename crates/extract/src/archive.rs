//! Plain ZIP archives on the drive: their members are materials of their own.

use crate::package::Package;
use crate::{Error, Limits};

/// One file inside an archive.
pub struct Member {
    /// Path inside the archive, `/`-separated.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files of a ZIP archive, bounded by the limits; folders, hidden files and Office lock
/// files are left out as the drive walk leaves them out.
pub fn members(bytes: &[u8], limits: &Limits) -> Result<Vec<Member>, Error> {
    let mut package = Package::open(bytes, limits)?;
    let names: Vec<String> = package
        .names()
        .iter()
        .filter(|n| !n.ends_with('/') && !is_hidden_path(n))
        .cloned()
        .collect();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let bytes = package.read(&name)?;
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
