//! Finding the files of a drive: sorted, hidden and temporary files left out, symlinks
//! followed but never round a loop.

use crate::PipelineError;
use kooste_extract::is_hidden_path;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Paths in one block of text, in the order they were added: a drive's worth of paths
/// costs their bytes and four more each, rather than an allocation and a string's header each.
#[derive(Debug, Default)]
pub(crate) struct PathList {
    text: String,
    /// Where each path ends in `text`.
    ends: Vec<u32>,
}

impl PathList {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The path at `at`, or "" past the end.
    pub(crate) fn get(&self, at: usize) -> &str {
        let start = match at {
            0 => 0,
            _ => self.ends.get(at - 1).map_or(usize::MAX, |&e| e as usize),
        };
        let end = self.ends.get(at).map_or(0, |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    pub(crate) fn push(&mut self, path: &str) -> Result<(), TooManyFiles> {
        u32::try_from(self.ends.len()).map_err(|_| TooManyFiles)?;
        self.text.push_str(path);
        self.ends
            .push(u32::try_from(self.text.len()).map_err(|_| TooManyFiles)?);
        Ok(())
    }

    /// The positions, in the order of their paths.
    pub(crate) fn sorted_positions(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_unstable_by_key(|&i| self.get(i as usize));
        order
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// The files a walk found, in walk order.
#[derive(Debug, Default)]
pub struct DriveFiles {
    /// The files' paths relative to the drive.
    paths: PathList,
    /// By position, the files' own paths where the drive's path joined with the relative
    /// path is not it (a name that is not UTF-8): few, so kept apart.
    own_paths: Vec<(u32, PathBuf)>,
    /// By position, why a file cannot be read, when the walk already knows (a symlink loop,
    /// a folder without permission).
    walk_errors: Vec<(u32, String)>,
}

/// A file found on the drive, or a place where the walk could not go.
#[derive(Debug, Clone, Copy)]
pub struct DriveEntry<'a> {
    /// Relative to the drive, `/`-separated; bytes of a name that are not UTF-8 shown as
    /// `\xHH` escapes (see [`display_name`]). The file is read through [`DriveEntry::path`].
    pub rel_path: &'a str,
    own_path: Option<&'a Path>,
    /// Why the file cannot be read, when the walk already knows.
    pub walk_error: Option<&'a str>,
}

impl DriveEntry<'_> {
    /// The file's path, for the drive the walk went through.
    pub fn path(&self, drive: &Path) -> Cow<'_, Path> {
        match self.own_path {
            Some(p) => Cow::Borrowed(p),
            None => Cow::Owned(drive.join(self.rel_path)),
        }
    }
}

/// The value kept for position `at` in a list sorted by position.
pub(crate) fn at_position<T>(list: &[(u32, T)], at: usize) -> Option<&T> {
    let k = list
        .binary_search_by_key(&(at as u64), |(i, _)| u64::from(*i))
        .ok()?;
    list.get(k).map(|(_, v)| v)
}

/// More path text than positions of four bytes can address (some forty million files).
#[derive(Debug)]
pub struct TooManyFiles;

impl DriveFiles {
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.len() == 0
    }

    /// The relative path of the file at `at`, or "" past the end.
    pub fn rel_path(&self, at: usize) -> &str {
        self.paths.get(at)
    }

    /// The files' positions in the order of their relative paths.
    pub(crate) fn sorted_positions(&self) -> Vec<u32> {
        self.paths.sorted_positions()
    }

    /// The file at `at`; past the end, an entry with an empty path.
    pub fn get(&self, at: usize) -> DriveEntry<'_> {
        DriveEntry {
            rel_path: self.rel_path(at),
            own_path: at_position(&self.own_paths, at).map(PathBuf::as_path),
            walk_error: at_position(&self.walk_errors, at).map(String::as_str),
        }
    }

    /// The files in walk order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = DriveEntry<'_>> + '_ {
        (0..self.len()).map(|at| self.get(at))
    }

    /// Adds a file found at `path` under the drive `drive`, named `rel_path` relative to it.
    fn push(
        &mut self,
        drive: &Path,
        rel_path: &str,
        path: PathBuf,
        walk_error: Option<String>,
    ) -> Result<(), TooManyFiles> {
        let at = u32::try_from(self.paths.len()).map_err(|_| TooManyFiles)?;
        if drive.join(rel_path) != path {
            self.own_paths.push((at, path));
        }
        if let Some(message) = walk_error {
            self.walk_errors.push((at, message));
        }
        self.paths.push(rel_path)
    }

    /// Files with these relative paths (read where the drive joined with them says), for
    /// tests of what the scan does with a walk's files.
    #[cfg(test)]
    pub(crate) fn of_paths<'p>(paths: impl IntoIterator<Item = &'p str>) -> DriveFiles {
        let mut files = DriveFiles::default();
        for p in paths {
            files
                .push(Path::new(""), p, PathBuf::from(p), None)
                .unwrap_or_else(|_| unreachable!("a test's few paths fit"));
        }
        files
    }

    fn shrink_to_fit(&mut self) {
        self.paths.shrink_to_fit();
        self.own_paths.shrink_to_fit();
        self.walk_errors.shrink_to_fit();
    }
}

pub fn walk(drive: &Path, exclude: Option<&Path>) -> Result<DriveFiles, PipelineError> {
    let meta = std::fs::metadata(drive).map_err(|source| PipelineError::Drive {
        path: drive.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(PipelineError::Drive {
            path: drive.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a folder"),
        });
    }
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let rel = |p: &Path| relative_name(p.strip_prefix(drive).unwrap_or(p));
    let mut out = DriveFiles::default();
    let too_many = |_| PipelineError::Drive {
        path: drive.to_path_buf(),
        source: std::io::Error::other("more files than one run can take"),
    };
    let walker = walkdir::WalkDir::new(drive)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if is_hidden_path(&name) {
                return false;
            }
            // The drive's annotations file is read by the outputs, not summarised.
            if e.depth() == 1 && kooste_annotations::is_annotations_file(&name) {
                return false;
            }
            // Only a folder can be the output folder; resolving every file's path would cost
            // more than the rest of a warm run.
            match &exclude {
                Some(x) if e.file_type().is_dir() => {
                    !e.path().canonicalize().is_ok_and(|p| &p == x)
                }
                _ => true,
            }
        });
    for item in walker {
        match item {
            Ok(e) if e.file_type().is_file() => {
                out.push(drive, &rel(e.path()), e.into_path(), None)
                    .map_err(too_many)?;
            }
            Ok(_) => {}
            Err(err) => {
                // A loop or an unreadable folder: record it where it is, and go on.
                let Some(path) = err.path().map(Path::to_path_buf) else {
                    continue;
                };
                if path == drive {
                    continue;
                }
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop: the link points back to a folder it is inside".to_string()
                } else {
                    err.io_error()
                        .map_or_else(|| err.to_string(), |e| e.to_string())
                };
                out.push(drive, &rel(&path), path, Some(message))
                    .map_err(too_many)?;
            }
        }
    }
    // The scan keeps the walk's entries (and then the record of files made in their place)
    // to the end of the run: not the room it grew into.
    out.shrink_to_fit();
    Ok(out)
}

/// A path below the drive as text, `/`-separated, each name as [`display_name`] gives it.
fn relative_name(path: &Path) -> String {
    // The walk joins names with single separators, so on Unix the path's bytes already are
    // the names joined by `/`: one conversion instead of a string per name. Anything else
    // (a `.` or doubled separator a caller might pass) goes name by name.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let plain = !bytes.starts_with(b"/")
            && !bytes.ends_with(b"/")
            && bytes
                .split(|&b| b == b'/')
                .all(|name| !name.is_empty() && name != b"." && name != b"..");
        if plain {
            return display_name(path.as_os_str());
        }
    }
    path.components()
        .map(|c| display_name(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/")
}

/// A file name as text. Names that are not UTF-8 (Latin-1 names from an old Windows share,
/// say) keep their odd bytes as `\xHH` escapes: a lossy conversion would map `\xe4` and
/// `\xf6` both to U+FFFD, and two files would collide in one material path.
pub(crate) fn display_name(name: &OsStr) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::with_capacity(name.len());
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                // Writing into a String cannot fail.
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names_join_the_names_with_slashes() {
        for (path, want) in [
            ("Espoo/TP2/malli.pptx", "Espoo/TP2/malli.pptx"),
            ("malli.pptx", "malli.pptx"),
            ("Espoo//TP2/./malli.pptx", "Espoo/TP2/malli.pptx"),
            ("Espoo/TP2/", "Espoo/TP2"),
            ("", ""),
        ] {
            assert_eq!(relative_name(Path::new(path)), want, "{path}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = Path::new(OsStr::from_bytes(b"Vantaa/raportti_\xe4.txt"));
            assert_eq!(relative_name(odd), "Vantaa/raportti_\\xe4.txt");
        }
    }

    #[test]
    fn an_entry_keeps_its_own_path_only_where_the_name_does_not_give_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let drive = dir.path();
        std::fs::create_dir_all(drive.join("Espoo/TP2")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(drive.join("Espoo/TP2/malli ä.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = drive.join(OsStr::from_bytes(b"raportti_\xe4.txt"));
            std::fs::write(odd, "y").unwrap_or_else(|e| panic!("{e}"));
        }
        let entries = walk(drive, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(!entries.is_empty());
        for e in entries.iter() {
            // Every entry's path reads its file, whatever its name.
            assert!(std::fs::metadata(e.path(drive)).is_ok(), "{}", e.rel_path);
            assert_eq!(
                e.own_path.is_some(),
                e.rel_path.contains("\\x"),
                "{}",
                e.rel_path
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let a = display_name(OsStr::from_bytes(b"raportti_\xe4.txt"));
        let b = display_name(OsStr::from_bytes(b"raportti_\xf6.txt"));
        assert_eq!(a, "raportti_\\xe4.txt");
        assert_eq!(b, "raportti_\\xf6.txt");
        assert_eq!(
            display_name(OsStr::new("Hämeenlinna.pdf")),
            "Hämeenlinna.pdf"
        );
    }
}
