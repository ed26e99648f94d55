//! Finding the files of a drive: sorted, hidden and temporary files left out, symlinks
//! followed but never round a loop.

use crate::PipelineError;
use crate::disk::{BlockReader, anonymous_file, write_all_at};
use kooste_extract::is_hidden_path;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs::File;
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
        // Alike paths (which a walk does not give) keep their order.
        order.sort_by_key(|&i| self.get(i as usize));
        order
    }
}

/// More path text than positions of four bytes can address (some forty million files).
#[derive(Debug)]
pub(crate) struct TooManyFiles;

/// Paths in an anonymous file, one after the other in the order they were added; memory
/// keeps where each ends. A first run at 20,000 files held 1 MB of paths to its end.
#[derive(Debug)]
pub(crate) struct PathFile {
    file: File,
    /// Bytes written to `file`.
    written: u64,
    /// Where each path ends in the file.
    ends: Vec<u32>,
    /// Paths not yet written (while they are added).
    pending: Vec<u8>,
    /// The last path added, while they are added: whether they come in path order.
    last: String,
    in_order: bool,
    /// The positions in path order, where the order they were added in is not it.
    by_path: Option<Vec<u32>>,
}

/// In which order a [`PathCursor`] goes through the paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Order {
    /// The order they were added in.
    Added,
    /// Byte order of the paths; ties in the order they were added in.
    Path,
}

/// How much the walk gathers before it writes.
const PENDING: usize = 64 * 1024;

impl PathFile {
    pub(crate) fn new() -> std::io::Result<PathFile> {
        Ok(PathFile {
            file: anonymous_file()?,
            written: 0,
            ends: Vec::new(),
            pending: Vec::new(),
            last: String::new(),
            in_order: true,
            by_path: None,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    fn range(&self, at: usize) -> Option<(u64, u64)> {
        let start = match at {
            0 => 0,
            _ => u64::from(*self.ends.get(at - 1)?),
        };
        Some((start, u64::from(*self.ends.get(at)?)))
    }

    /// The path at `at`.
    pub(crate) fn get(&self, at: usize) -> std::io::Result<String> {
        self.get_range(at..at + 1)?.pop().ok_or_else(|| no_path(at))
    }

    /// The paths at the positions `range`, read at once.
    fn get_range(&self, range: std::ops::Range<usize>) -> std::io::Result<Vec<String>> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let first = self
            .range(range.start)
            .ok_or_else(|| no_path(range.start))?
            .0;
        let last = self
            .range(range.end - 1)
            .ok_or_else(|| no_path(range.end - 1))?
            .1;
        let mut reader = BlockReader::new(&self.file, self.written, false);
        reader.read(first, last)?;
        range
            .map(|at| {
                let (start, end) = self.range(at).ok_or_else(|| no_path(at))?;
                let bytes = reader.read(start, end)?;
                std::str::from_utf8(bytes)
                    .map(str::to_string)
                    .map_err(invalid)
            })
            .collect()
    }

    pub(crate) fn push(&mut self, path: &str) -> Result<(), PushError> {
        u32::try_from(self.ends.len()).map_err(|_| PushError::TooMany)?;
        let end = u32::try_from(self.written + (self.pending.len() + path.len()) as u64)
            .map_err(|_| PushError::TooMany)?;
        if self.in_order && !self.ends.is_empty() && path < self.last.as_str() {
            self.in_order = false;
        }
        self.last.clear();
        self.last.push_str(path);
        self.pending.extend_from_slice(path.as_bytes());
        self.ends.push(end);
        if self.pending.len() >= PENDING {
            self.write_pending()?;
        }
        Ok(())
    }

    fn write_pending(&mut self) -> std::io::Result<()> {
        write_all_at(&self.file, &self.pending, self.written)?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Writes what is pending and frees what adding needed. Where the paths did not come in
    /// path order, their order is found once, from all of them read back into memory.
    pub(crate) fn finish(&mut self) -> std::io::Result<()> {
        self.write_pending()?;
        self.pending = Vec::new();
        self.last = String::new();
        self.ends.shrink_to_fit();
        if !self.in_order {
            let mut all = PathList::default();
            let mut cursor = self.cursor(Order::Added)?;
            while cursor.position().is_some() {
                all.push(cursor.path())
                    .map_err(|_| invalid("too many paths"))?;
                cursor.advance()?;
            }
            self.by_path = Some(all.sorted_positions());
        }
        Ok(())
    }

    /// A pass over the paths in `order`.
    pub(crate) fn cursor(&self, order: Order) -> std::io::Result<PathCursor<'_>> {
        let forward = order == Order::Added || self.by_path.is_none();
        let mut cursor = PathCursor {
            paths: self,
            order: match order {
                Order::Path => self.by_path.as_deref(),
                Order::Added => None,
            },
            rank: 0,
            reader: BlockReader::new(&self.file, self.written, forward),
            current: String::new(),
        };
        cursor.load()?;
        Ok(cursor)
    }
}

fn no_path(at: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("no path at position {at}"),
    )
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

/// A pass over a [`PathFile`], one path at a time: the current one's position and path.
pub(crate) struct PathCursor<'a> {
    paths: &'a PathFile,
    /// The positions in the pass's order, where it is not the order of positions.
    order: Option<&'a [u32]>,
    /// How far the pass has come.
    rank: usize,
    reader: BlockReader<'a>,
    current: String,
}

impl PathCursor<'_> {
    /// The current path's position, or `None` at the end.
    pub(crate) fn position(&self) -> Option<usize> {
        if self.rank >= self.paths.len() {
            return None;
        }
        match self.order {
            Some(order) => order.get(self.rank).map(|&p| p as usize),
            None => Some(self.rank),
        }
    }

    /// The current path ("" at the end).
    pub(crate) fn path(&self) -> &str {
        &self.current
    }

    /// Goes to the next path.
    pub(crate) fn advance(&mut self) -> std::io::Result<()> {
        self.rank += 1;
        self.load()
    }

    /// Goes forward to the first path not before `target`, and says its position if it is
    /// `target`. Targets must come in path order, in a pass in path order.
    pub(crate) fn seek(&mut self, target: &str) -> std::io::Result<Option<usize>> {
        while self.position().is_some() && self.current.as_str() < target {
            self.advance()?;
        }
        Ok(self.position().filter(|_| self.current == target))
    }

    /// Goes forward to position `at`; false when the pass has gone past it.
    pub(crate) fn seek_position(&mut self, at: usize) -> std::io::Result<bool> {
        loop {
            match self.position() {
                Some(p) if p == at => return Ok(true),
                Some(_) => self.advance()?,
                None => return Ok(false),
            }
        }
    }

    fn load(&mut self) -> std::io::Result<()> {
        self.current.clear();
        let Some(at) = self.position() else {
            return Ok(());
        };
        let (start, end) = self.paths.range(at).ok_or_else(|| no_path(at))?;
        let bytes = self.reader.read(start, end)?;
        self.current
            .push_str(std::str::from_utf8(bytes).map_err(invalid)?);
        Ok(())
    }
}

/// Why a path could not be added.
#[derive(Debug)]
pub(crate) enum PushError {
    TooMany,
    Write(std::io::Error),
}

impl From<std::io::Error> for PushError {
    fn from(e: std::io::Error) -> PushError {
        PushError::Write(e)
    }
}

/// The files a walk found, in walk order, which is path order on all but odd drives (see
/// [`walk`]).
#[derive(Debug)]
pub struct DriveFiles {
    /// The files' paths relative to the drive.
    paths: PathFile,
    /// By position, the files' own paths where the drive's path joined with the relative
    /// path is not it (a name that is not UTF-8): few, so kept apart.
    own_paths: Vec<(u32, PathBuf)>,
    /// By position, why a file cannot be read, when the walk already knows (a symlink loop,
    /// a folder without permission).
    walk_errors: Vec<(u32, String)>,
}

/// A file found on the drive, or a place where the walk could not go.
#[derive(Debug, Clone)]
pub struct DriveEntry<'a> {
    /// Relative to the drive, `/`-separated; bytes of a name that are not UTF-8 shown as
    /// `\xHH` escapes (see [`display_name`]). The file is read through [`DriveEntry::path`].
    pub rel_path: String,
    own_path: Option<&'a Path>,
    /// Why the file cannot be read, when the walk already knows.
    pub walk_error: Option<&'a str>,
}

impl DriveEntry<'_> {
    /// The file's path, for the drive the walk went through.
    pub fn path(&self, drive: &Path) -> Cow<'_, Path> {
        match self.own_path {
            Some(p) => Cow::Borrowed(p),
            None => Cow::Owned(drive.join(&self.rel_path)),
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

impl DriveFiles {
    fn new() -> std::io::Result<DriveFiles> {
        Ok(DriveFiles {
            paths: PathFile::new()?,
            own_paths: Vec::new(),
            walk_errors: Vec::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.len() == 0
    }

    /// The relative path of the file at `at`: read from disk, so a pass over many files
    /// goes through [`DriveFiles::cursor`].
    pub fn rel_path(&self, at: usize) -> std::io::Result<String> {
        self.paths.get(at)
    }

    /// The relative paths of the files at the positions `range`, read at once.
    pub(crate) fn rel_paths(&self, range: std::ops::Range<usize>) -> std::io::Result<Vec<String>> {
        self.paths.get_range(range)
    }

    /// Whether walk order is path order, as it is on all but odd drives (see [`walk`]): a
    /// pass in path order then reads the list from its start to its end.
    pub(crate) fn in_path_order(&self) -> bool {
        self.paths.by_path.is_none()
    }

    /// Where walk order is not path order, each file's place in path order, by position.
    pub(crate) fn path_ranks(&self) -> Option<Vec<u32>> {
        let by_path = self.paths.by_path.as_ref()?;
        let mut ranks = vec![0; by_path.len()];
        for (rank, &at) in by_path.iter().enumerate() {
            if let Some(r) = ranks.get_mut(at as usize) {
                *r = rank as u32;
            }
        }
        Some(ranks)
    }

    /// A pass over the files' relative paths in `order`.
    pub(crate) fn cursor(&self, order: Order) -> std::io::Result<PathCursor<'_>> {
        self.paths.cursor(order)
    }

    /// The file at `at`.
    pub fn get(&self, at: usize) -> std::io::Result<DriveEntry<'_>> {
        Ok(self.entry(at, self.rel_path(at)?))
    }

    /// The file at `at`, whose relative path is `rel_path`.
    pub(crate) fn entry(&self, at: usize, rel_path: String) -> DriveEntry<'_> {
        DriveEntry {
            rel_path,
            own_path: at_position(&self.own_paths, at).map(PathBuf::as_path),
            walk_error: at_position(&self.walk_errors, at).map(String::as_str),
        }
    }

    /// The files in walk order.
    pub fn entries(&self) -> std::io::Result<Vec<DriveEntry<'_>>> {
        let mut out = Vec::with_capacity(self.len());
        let mut cursor = self.cursor(Order::Added)?;
        while let Some(at) = cursor.position() {
            out.push(self.entry(at, cursor.path().to_string()));
            cursor.advance()?;
        }
        Ok(out)
    }

    /// Adds a file found at `path` under the drive `drive`, named `rel_path` relative to it.
    fn push(
        &mut self,
        drive: &Path,
        rel_path: &str,
        path: PathBuf,
        walk_error: Option<String>,
    ) -> Result<(), PushError> {
        let at = u32::try_from(self.paths.len()).map_err(|_| PushError::TooMany)?;
        if drive.join(rel_path) != path {
            self.own_paths.push((at, path));
        }
        if let Some(message) = walk_error {
            self.walk_errors.push((at, message));
        }
        self.paths.push(rel_path)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.own_paths.shrink_to_fit();
        self.walk_errors.shrink_to_fit();
        self.paths.finish()
    }

    /// Files with these relative paths (read where the drive joined with them says), for
    /// tests of what the scan does with a walk's files.
    #[cfg(test)]
    pub(crate) fn of_paths<'p>(paths: impl IntoIterator<Item = &'p str>) -> DriveFiles {
        let mut files = DriveFiles::new().unwrap_or_else(|e| panic!("{e}"));
        for p in paths {
            if files
                .push(Path::new(""), p, PathBuf::from(p), None)
                .is_err()
            {
                panic!("a test's few paths fit");
            }
        }
        files.finish().unwrap_or_else(|e| panic!("{e}"));
        files
    }
}

/// Siblings in the order that makes the walk's order the byte order of the relative paths:
/// a folder's files come right after the folder's name followed by `/`, so `a-b.pdf` comes
/// before the folder `a`'s files, as "a-b.pdf" sorts before "a/c.pdf".
fn sibling_order(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    fn key(e: &walkdir::DirEntry) -> (Cow<'_, str>, bool) {
        let name = match e.file_name().to_str() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(display_name(e.file_name())),
        };
        (name, e.file_type().is_dir())
    }
    let ((a, a_dir), (b, b_dir)) = (key(a), key(b));
    let slash = |dir: bool| dir.then_some(b'/');
    a.bytes()
        .chain(slash(a_dir))
        .cmp(b.bytes().chain(slash(b_dir)))
}

/// The drive's files: hidden and temporary files left out, symlinks followed but never round
/// a loop, and the output folder `exclude` left out. The walk goes in the byte order of the
/// relative paths, so that the passes of a run that need path order read the list of files
/// from its start to its end; a drive where it cannot (a folder the walk could not enter,
/// beside a name that sorts before its `/`) gets that order worked out once.
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
    let mut out = DriveFiles::new().map_err(PipelineError::Files)?;
    let pushed = |e: PushError| match e {
        PushError::TooMany => PipelineError::Drive {
            path: drive.to_path_buf(),
            source: std::io::Error::other("more files than one run can take"),
        },
        PushError::Write(e) => PipelineError::Files(e),
    };
    let walker = walkdir::WalkDir::new(drive)
        .follow_links(true)
        .sort_by(sibling_order)
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
    // A link to a folder that holds the drive (`ylos -> ..`) would walk the whole drive again
    // below it before the walk saw the loop; such a link is a loop where it stands. (A link to
    // the drive itself or a folder in it is a loop the walk sees at once.)
    let drive_itself = drive.canonicalize().ok();
    let mut walker = walker;
    while let Some(item) = walker.next() {
        match item {
            Ok(e) if e.file_type().is_file() => {
                out.push(drive, &rel(e.path()), e.into_path(), None)
                    .map_err(pushed)?;
            }
            Ok(e) if e.depth() > 0 && e.path_is_symlink() && e.file_type().is_dir() => {
                let holds_drive = e.path().canonicalize().is_ok_and(|target| {
                    drive_itself
                        .as_deref()
                        .is_some_and(|d| d != target && d.starts_with(&target))
                });
                if holds_drive {
                    walker.skip_current_dir();
                    let message = "symbolic link loop: the link points to a folder the drive \
                                   is inside"
                        .to_string();
                    out.push(drive, &rel(e.path()), e.into_path(), Some(message))
                        .map_err(pushed)?;
                }
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
                    .map_err(pushed)?;
            }
        }
    }
    out.finish().map_err(PipelineError::Files)?;
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
/// say) keep their odd bytes as `\xHH` escapes ([`kooste_model::name_text`]): a lossy
/// conversion would map `\xe4` and `\xf6` both to U+FFFD, and two files would collide in one
/// material path.
pub(crate) fn display_name(name: &OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        kooste_model::name_text(name.as_bytes())
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
        for e in entries.entries().unwrap_or_else(|e| panic!("{e}")) {
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

    #[test]
    fn the_walk_goes_in_the_byte_order_of_the_paths() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let drive = dir.path();
        // Names with a space, a dash or a dot sort before "/" (and so before a folder's
        // files), though a folder of the same stem sorts before them by name alone.
        for f in [
            "a/b.pdf",
            "a/c/d.txt",
            "a b.txt",
            "a-b.pdf",
            "a.zip",
            "ab.txt",
            "A.txt",
            "ä/x.txt",
            "a/c.txt",
            "a/c-d.txt",
        ] {
            let path = drive.join(f);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&path, f).unwrap_or_else(|e| panic!("{e}"));
        }
        let files = walk(drive, None).unwrap_or_else(|e| panic!("{e}"));
        let walked: Vec<String> = files
            .entries()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|e| e.rel_path)
            .collect();
        let mut sorted = walked.clone();
        sorted.sort();
        assert_eq!(walked, sorted);
        assert_eq!(walked.len(), 10);
        assert!(files.in_path_order());
        assert_eq!(
            files.rel_paths(2..5).unwrap_or_else(|e| panic!("{e}")),
            &walked[2..5]
        );
        assert_eq!(
            files.rel_path(9).unwrap_or_else(|e| panic!("{e}")),
            walked[9]
        );
        assert!(files.rel_path(10).is_err());
    }

    #[test]
    fn a_list_out_of_path_order_is_gone_through_in_path_order() {
        let files = DriveFiles::of_paths(["b", "a-c", "a/b", "a", "a/b"]);
        assert!(!files.in_path_order());
        let mut cursor = files.cursor(Order::Path).unwrap_or_else(|e| panic!("{e}"));
        let mut seen = Vec::new();
        while let Some(at) = cursor.position() {
            seen.push((at, cursor.path().to_string()));
            cursor.advance().unwrap_or_else(|e| panic!("{e}"));
        }
        let want = [(3, "a"), (1, "a-c"), (2, "a/b"), (4, "a/b"), (0, "b")];
        let want: Vec<(usize, String)> = want.iter().map(|(i, p)| (*i, p.to_string())).collect();
        assert_eq!(seen, want);
        assert_eq!(files.path_ranks(), Some(vec![4, 1, 2, 0, 3]));
        // Seeking goes forward only, to the first path not before the target.
        let mut cursor = files.cursor(Order::Path).unwrap_or_else(|e| panic!("{e}"));
        let mut seek = |t: &str| cursor.seek(t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seek("a-b"), None);
        assert_eq!(seek("a-c"), Some(1));
        assert_eq!(seek("a-c"), Some(1));
        assert_eq!(seek("a/b"), Some(2));
        assert_eq!(seek("c"), None);
        assert_eq!(seek("d"), None);
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
