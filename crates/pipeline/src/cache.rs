//! The cache and the queryable index, one SQLite database in the output folder.
//!
//! Three cache tables let a re-run cost in proportion to what changed:
//! - `files`: path, size and modification time → content hash, so unchanged files are not
//!   even read;
//! - `extractions`: content hash, extension, extractor and its version → the extracted
//!   documents (compressed JSON), so new copies and renamed files are not extracted again and
//!   a rules change re-classifies without re-extracting; beside them, under the reader
//!   `kooste-ocr`, what `--ocr` read from scans, so that a scan is read once;
//! - `classified`: path → its materials (JSON) for one content hash and one classifier key,
//!   so an unchanged file under unchanged rules costs one look-up. They are stored
//!   uncompressed: each file's blob is small and compresses poorly (about 1.6 : 1), and a
//!   re-run reads every one of them.
//!
//! The index tables (`documents`, `themes`, `terms`, `work_packages`, the `statuses` view and
//! `runs`) mirror the last complete run for people who query it with `sqlite3`. They are
//! replaced in one transaction at the end of a run; the cache tables are written in batches as
//! files finish, so an interrupted run keeps what it did and loses nothing consistent.

use crate::PipelineError;
use crate::disk::RecordFile;
use crate::keys::{KeyFile, KeyReader};
use crate::material::Item;
use crate::probes::{self, ProbeFile};
use crate::walk::{DriveFiles, Order, PathCursor, PathFile};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use kooste_model::{Changes, ErrorKind, Material, Stopped, View, WorkPackage, visit};
use kooste_report::{PreviousMaterial, PreviousRun, changes_among};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The database's file name inside OUT.
pub const DB_FILE: &str = "kooste.db";

/// Bumped when the tables change shape; an older database is emptied and rebuilt.
const SCHEMA_VERSION: &str = "2";

/// Cached extractions are reused only from the same extractor revision and release.
pub fn extractor_version() -> String {
    format!(
        "{}+r{}",
        env!("CARGO_PKG_VERSION"),
        kooste_extract::EXTRACTOR_REVISION
    )
}

/// The extractor name stored with each cached extraction.
pub const EXTRACTOR_NAME: &str = "kooste-extract";

/// The reader name under which the text that OCR read from a scan is kept beside its
/// extraction, so that a run with OCR does not read a scan again.
const OCR_NAME: &str = "kooste-ocr";

/// Uncommitted cache writes are committed after this many, or after [`COMMIT_INTERVAL`].
const COMMIT_BATCH: usize = 256;
const COMMIT_INTERVAL: Duration = Duration::from_millis(500);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    path     TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS extractions (
    hash       TEXT NOT NULL,
    ext        TEXT NOT NULL,
    extractor  TEXT NOT NULL,
    version    TEXT NOT NULL,
    format     TEXT NOT NULL,
    timeout_ms INTEGER,
    memory_mib INTEGER,
    items      BLOB NOT NULL,
    PRIMARY KEY (hash, ext, extractor, version)
);
CREATE TABLE IF NOT EXISTS classified (
    path      TEXT PRIMARY KEY,
    hash      TEXT NOT NULL,
    key       TEXT NOT NULL,
    json_key  TEXT NOT NULL,
    materials BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id                   INTEGER PRIMARY KEY,
    generated            TEXT NOT NULL,
    drive                TEXT NOT NULL,
    rules_source         TEXT NOT NULL,
    rules_hash           TEXT NOT NULL,
    cache_read           INTEGER NOT NULL,
    files                INTEGER NOT NULL,
    materials            INTEGER NOT NULL,
    new                  INTEGER NOT NULL,
    changed              INTEGER NOT NULL,
    removed              INTEGER NOT NULL,
    failed               INTEGER NOT NULL,
    stat_hits            INTEGER NOT NULL,
    hashed               INTEGER NOT NULL,
    unchanged            INTEGER NOT NULL,
    reclassified         INTEGER NOT NULL,
    extracted            INTEGER NOT NULL,
    worker_restarts      INTEGER NOT NULL,
    seconds              REAL NOT NULL,
    peak_rss_kib         INTEGER NOT NULL,
    worker_peak_rss_kib  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS theme_catalog (
    id       TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    title_fi TEXT NOT NULL,
    title_en TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    path          TEXT PRIMARY KEY,
    file          TEXT NOT NULL,
    key           TEXT NOT NULL,
    format        TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    title         TEXT NOT NULL,
    author        TEXT,
    created       TEXT,
    modified      TEXT,
    city          TEXT,
    city_source   TEXT,
    status        TEXT NOT NULL,
    error_kind    TEXT,
    error_message TEXT,
    pages         INTEGER NOT NULL,
    chars         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_file ON documents (file);
CREATE TABLE IF NOT EXISTS themes (
    path     TEXT NOT NULL,
    theme    TEXT NOT NULL,
    score    REAL NOT NULL,
    assigned INTEGER NOT NULL,
    PRIMARY KEY (path, theme)
);
CREATE INDEX IF NOT EXISTS themes_theme ON themes (theme, assigned);
CREATE TABLE IF NOT EXISTS terms (
    path  TEXT NOT NULL,
    theme TEXT NOT NULL,
    term  TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (path, theme, term)
);
CREATE INDEX IF NOT EXISTS terms_term ON terms (term);
CREATE TABLE IF NOT EXISTS work_packages (
    path TEXT NOT NULL,
    tp   TEXT NOT NULL,
    PRIMARY KEY (path, tp)
);
CREATE VIEW IF NOT EXISTS statuses AS
    SELECT status, error_kind, COUNT(*) AS materials
    FROM documents GROUP BY status, error_kind;
";

const TABLES: [&str; 10] = [
    "meta",
    "files",
    "extractions",
    "classified",
    "runs",
    "theme_catalog",
    "documents",
    "themes",
    "terms",
    "work_packages",
];

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl From<CacheError> for PipelineError {
    fn from(e: CacheError) -> PipelineError {
        PipelineError::Cache(e.to_string())
    }
}

/// SQLite's page cache of the writing connection, in KiB.
const WRITER_CACHE_KIB: u32 = 1024;

/// SQLite's page cache of each reading connection, in KiB.
const READER_CACHE_KIB: u32 = 256;

/// What one file's row in `files` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stat {
    pub size: u64,
    /// The later of the modification and status change times (see `mtime_ns` in lib.rs).
    pub mtime_ns: i64,
}

/// An extraction to store, with the budget it failed against when it failed by a budget, so
/// that a run with a larger budget tries again.
pub(crate) struct Extraction<'a> {
    pub hash: &'a str,
    pub ext: &'a str,
    pub format: &'a str,
    pub items: &'a [Item],
    pub timeout_ms: Option<u64>,
    pub memory_mib: Option<u64>,
}

/// The hash of a file's materials as JSON: it changes whenever any of them changes.
pub(crate) fn json_key(json: &[u8]) -> String {
    blake3::hash(json).to_hex().to_string()
}

/// Materials as `classified` stores them (their JSON), with that JSON. Each vector is cut to
/// what it holds: decoding grows them in steps (a file's one material in room for four),
/// and a drive's worth of materials is held until the outputs are written. A blob of an
/// older kooste (deflated) is no JSON: the file is classified again.
pub(crate) fn stored_materials(blob: Vec<u8>) -> Option<(Vec<Material>, Vec<u8>)> {
    let mut materials: Vec<Material> = serde_json::from_slice(&blob).ok()?;
    materials.shrink_to_fit();
    for m in &mut materials {
        m.themes.shrink_to_fit();
        m.tp.shrink_to_fit();
        m.city_contenders.shrink_to_fit();
        m.manual.shrink_to_fit();
        m.answer_hints.leadership.shrink_to_fit();
        m.answer_hints.business.shrink_to_fit();
        for t in &mut m.themes {
            t.terms.shrink_to_fit();
            t.snippets.shrink_to_fit();
        }
    }
    Some((materials, blob))
}

/// What the cache knows of a file it holds materials for: its stat, content hash and the
/// hash of its materials' JSON.
pub(crate) struct Known {
    pub stat: Stat,
    pub hash: blake3::Hash,
    pub json_key: blake3::Hash,
}

/// The files the cache holds materials for, in path order, with what it knows of each: read
/// from the database while the drive is walked, into anonymous files rather than memory.
pub(crate) struct StoredFiles {
    paths: PathFile,
    known: RecordFile<{ probes::RECORD }>,
}

impl StoredFiles {
    pub(crate) fn new() -> std::io::Result<StoredFiles> {
        Ok(StoredFiles {
            paths: PathFile::new()?,
            known: RecordFile::new()?,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.paths.len() == 0
    }

    /// Adds a file; they must come in path order.
    fn push(&mut self, path: &str, known: &Known) -> std::io::Result<()> {
        self.paths
            .push(path)
            .map_err(|_| std::io::Error::other("more stored files than one run can take"))?;
        self.known.push(probes::known_record(known))
    }

    /// Tells `probes` what is known of each of `files`, by its position: one ordered pass
    /// over both.
    pub(crate) fn matched(mut self, files: &DriveFiles, probes: &ProbeFile) -> std::io::Result<()> {
        self.paths.finish()?;
        let mut walked = files.cursor(Order::Path)?;
        let mut stored = self.paths.cursor(Order::Added)?;
        let mut previous = String::new();
        self.known.each(|record| {
            let path = stored.path();
            // The database gives them in byte order; one that is not is left unknown (the
            // scan reads its file again) rather than leading the pass past others.
            if path >= previous.as_str() {
                previous.clear();
                previous.push_str(path);
                if let (Some(at), Some(known)) =
                    (walked.seek(path)?, probes::record_known(&record)?)
                {
                    probes.set_known(at, &known)?;
                }
            }
            stored.advance()
        })
    }
}

/// The outputs a run wrote, recorded so that the next run can tell whether they still stand:
/// the digest of everything they were made from, and each file's size and time.
pub(crate) struct OutputsRecord {
    pub digest: String,
    pub files: Vec<(String, Stat)>,
}

impl OutputsRecord {
    fn encode(&self) -> String {
        let mut s = self.digest.clone();
        for (name, stat) in &self.files {
            s.push_str(&format!("\n{name}\t{}\t{}", stat.size, stat.mtime_ns));
        }
        s
    }

    fn decode(text: &str) -> Option<OutputsRecord> {
        let mut lines = text.lines();
        let digest = lines.next()?.to_string();
        let files = lines
            .map(|l| {
                let mut f = l.split('\t');
                let name = f.next()?.to_string();
                let size = f.next()?.parse().ok()?;
                let mtime_ns = f.next()?.parse().ok()?;
                Some((name, Stat { size, mtime_ns }))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(OutputsRecord { digest, files })
    }
}

/// Per-file facts the final index write needs.
pub(crate) struct IndexedFile {
    /// The drive file the materials come from.
    pub file: String,
    /// Changes whenever any of the file's materials change; its rows are rewritten then.
    pub key: blake3::Hash,
}

/// The run's files in drive order with their keys: both the index write and the change
/// report match the stored rows against them, while the outputs are made. Both wait on
/// disk; the stored rows are read in path order and met in one pass.
pub(crate) struct IndexedFiles<'a> {
    files: &'a DriveFiles,
    keys: &'a KeyFile,
}

impl<'a> IndexedFiles<'a> {
    /// `keys` holds the key of the materials of each file of `files`, by position.
    pub(crate) fn new(files: &'a DriveFiles, keys: &'a KeyFile) -> IndexedFiles<'a> {
        IndexedFiles { files, keys }
    }

    fn len(&self) -> usize {
        self.files.len().min(self.keys.len())
    }

    fn get(&self, at: usize) -> std::io::Result<IndexedFile> {
        Ok(IndexedFile {
            file: self.files.rel_path(at)?,
            key: self.keys.get(at)?,
        })
    }

    /// A pass that meets stored rows, read in path order, with the run's files.
    fn seeker(&self) -> std::io::Result<FileSeeker<'a>> {
        Ok(FileSeeker {
            paths: self.files.cursor(Order::Path)?,
            keys: self.keys.reader(self.files.in_path_order()),
            len: self.len(),
        })
    }

    /// A pass that reads the files of materials in path order.
    fn owners(&self) -> std::io::Result<OwnerFiles<'_>> {
        Ok(OwnerFiles {
            files: self,
            paths: self.files.cursor(Order::Path)?,
            keys: self.keys.reader(true),
        })
    }
}

/// See [`IndexedFiles::seeker`].
struct FileSeeker<'a> {
    paths: PathCursor<'a>,
    keys: KeyReader<'a>,
    len: usize,
}

impl FileSeeker<'_> {
    /// Where a stored row's file stands among the run's files, and whether its stored key
    /// (hex text) is still the file's key; `None` for a file no longer on the drive. Rows
    /// must come in the byte order of their files.
    fn find(&mut self, file: &str, key: &str) -> std::io::Result<Option<(usize, bool)>> {
        match self.paths.seek(file)? {
            Some(at) if at < self.len => {
                let same = self.keys.get(at)?.to_hex().as_str() == key;
                Ok(Some((at, same)))
            }
            _ => Ok(None),
        }
    }

    fn contains(&mut self, file: &str) -> std::io::Result<bool> {
        Ok(self.paths.seek(file)?.is_some_and(|at| at < self.len))
    }
}

/// See [`IndexedFiles::owners`]. The files of materials in path order come in walk order
/// (the walk goes in path order) but for an archive's members, which may follow files whose
/// names sort between the archive's and theirs: such a file is read on its own.
struct OwnerFiles<'a> {
    files: &'a IndexedFiles<'a>,
    paths: PathCursor<'a>,
    keys: KeyReader<'a>,
}

impl OwnerFiles<'_> {
    fn get(&mut self, at: usize) -> std::io::Result<IndexedFile> {
        let ahead = self.files.files.in_path_order()
            && at < self.files.len()
            && self.paths.position().is_some_and(|p| p <= at);
        if ahead && self.paths.seek_position(at)? {
            return Ok(IndexedFile {
                file: self.paths.path().to_string(),
                key: self.keys.get(at)?,
            });
        }
        self.files.get(at)
    }
}

/// Why the index could not be written: the database, or the run's files on disk.
enum IndexError {
    Sql(rusqlite::Error),
    Files(std::io::Error),
}

impl From<rusqlite::Error> for IndexError {
    fn from(e: rusqlite::Error) -> IndexError {
        IndexError::Sql(e)
    }
}

impl From<std::io::Error> for IndexError {
    fn from(e: std::io::Error) -> IndexError {
        IndexError::Files(e)
    }
}

/// Figures of one run, stored in `runs` and shown on the closing line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStats {
    pub files: u64,
    pub materials: u64,
    pub new: u64,
    pub changed: u64,
    pub removed: u64,
    pub failed: u64,
    /// Files whose hash came from the stat short-cut.
    pub stat_hits: u64,
    /// Files read to hash them.
    pub hashed: u64,
    /// Files whose materials came from the cache whole.
    pub unchanged: u64,
    /// Files classified again from a cached extraction.
    pub reclassified: u64,
    /// Files extracted (by a worker or in process).
    pub extracted: u64,
    /// Workers replaced after a crash or an overrun.
    pub worker_restarts: u64,
    pub seconds: f64,
    pub peak_rss_kib: u64,
    pub worker_peak_rss_kib: u64,
}

struct Inner {
    conn: Connection,
    pending: usize,
    last_commit: Instant,
    /// The run's index is written but not committed: it must not be, unless the run ends well.
    staged: bool,
}

/// The database, shared by the worker threads of a run: one writing connection behind a
/// lock, and look-ups on reading connections of their own, so that threads never queue
/// behind each other's reads (WAL lets them read while the writer writes). Readers see
/// committed writes only; a copy met within the same half second is extracted twice.
pub struct Cache {
    path: PathBuf,
    /// False under `--no-cache`: nothing is read, fresh results are still stored.
    read: bool,
    inner: Mutex<Inner>,
    readers: Mutex<Vec<Connection>>,
}

thread_local! {
    // Deflate state is large (hundreds of KiB, zeroed on creation): one per thread, reset
    // between blobs, instead of one per blob.
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
    static INFLATE: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    DEFLATE.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        loop {
            let consumed = c.total_in() as usize;
            let input = bytes.get(consumed..).unwrap_or_default();
            if out.len() == out.capacity() {
                out.reserve(out.capacity().max(64));
            }
            match c.compress_vec(input, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                Ok(_) => {}
                // Compressing into memory does not fail; store nothing rather than panic.
                Err(_) => return Vec::new(),
            }
        }
    })
}

fn decompress(bytes: &[u8]) -> Option<Vec<u8>> {
    INFLATE.with(|d| {
        let mut d = d.borrow_mut();
        d.reset(false);
        let mut out = Vec::with_capacity(bytes.len() * 4 + 64);
        loop {
            let (before_in, before_out) = (d.total_in(), d.total_out());
            let input = bytes.get(d.total_in() as usize..).unwrap_or_default();
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            match d.decompress_vec(input, &mut out, FlushDecompress::Finish) {
                Ok(Status::StreamEnd) => return Some(out),
                Ok(_) if d.total_in() != before_in || d.total_out() != before_out => {}
                // No progress with room to spare: the blob is cut short or damaged.
                Ok(_) if out.len() < out.capacity() => return None,
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    })
}

impl Cache {
    /// Opens (or creates) the database in `dir`. `read` false ignores what it holds.
    pub fn open(dir: &Path, read: bool) -> Result<Cache, CacheError> {
        let path = dir.join(DB_FILE);
        let err = |source| CacheError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(err)?;
        // WAL lets a person query the index while a run writes; NORMAL sync is safe with WAL
        // (a power cut may lose the last commits, never consistency).
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -{WRITER_CACHE_KIB};"
        ))
        .map_err(err)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .unwrap_or(None);
        if version.as_deref() != Some(SCHEMA_VERSION) {
            let mut drop = String::from("DROP VIEW IF EXISTS statuses;");
            for t in TABLES {
                drop.push_str(&format!("DROP TABLE IF EXISTS {t};"));
            }
            conn.execute_batch(&drop).map_err(err)?;
        }
        conn.execute_batch(SCHEMA).map_err(err)?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?1)",
            [SCHEMA_VERSION],
        )
        .map_err(err)?;
        conn.execute_batch("BEGIN").map_err(err)?;
        Ok(Cache {
            path,
            read,
            inner: Mutex::new(Inner {
                conn,
                pending: 0,
                last_commit: Instant::now(),
                staged: false,
            }),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs a look-up on a reading connection (opened on first need, then reused).
    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Option<T>) -> Option<T> {
        if !self.read {
            return None;
        }
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .ok()?;
                // Readers mostly pass over tables once, which the system's file cache serves
                // as well; SQLite's own cache of 2 MB per connection only grew with the drive.
                conn.execute_batch(&format!("PRAGMA cache_size = -{READER_CACHE_KIB}"))
                    .ok()?;
                conn
            }
        };
        let result = f(&conn);
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// False under `--no-cache`: what the database holds is not used.
    pub(crate) fn reads(&self) -> bool {
        self.read
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves SQLite consistent; go on with the guard.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, source: rusqlite::Error) -> CacheError {
        CacheError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The content hash recorded for `path` when its size and time still match.
    pub(crate) fn hash_for(&self, path: &str, stat: &Stat) -> Option<String> {
        let (size, mtime, hash): (i64, i64, String) = self.with_reader(|conn| {
            conn.prepare_cached("SELECT size, mtime_ns, hash FROM files WHERE path = ?1")
                .ok()?
                .query_row([path], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ok()
        })?;
        (size as u64 == stat.size && mtime == stat.mtime_ns).then_some(hash)
    }

    /// Every file whose materials are stored under classifier `key`: its size, time,
    /// content hash and the hash of its materials' JSON, read in one query so that a re-run
    /// costs one pass over the table, not a look-up per file. The materials themselves are
    /// read file by file as the scan takes them ([`Cache::materials_for`]): all at once,
    /// they would be in memory together.
    pub(crate) fn classified_files(&self, key: &str) -> Option<StoredFiles> {
        self.with_reader(|conn| {
            // In path order, as the primary key lies: matched to the walk in one pass.
            let mut stmt = conn
                .prepare(
                    "SELECT f.path, f.size, f.mtime_ns, f.hash, c.json_key
                     FROM files f JOIN classified c ON c.path = f.path AND c.hash = f.hash
                     WHERE c.key = ?1 ORDER BY f.path",
                )
                .ok()?;
            let mut rows = stmt.query([key]).ok()?;
            let mut stored = StoredFiles::new().ok()?;
            // A row whose hashes are not hex (a damaged database) is as good as none.
            let hash = |r: &rusqlite::Row<'_>, i: usize| -> Option<blake3::Hash> {
                blake3::Hash::from_hex(r.get_ref(i).ok()?.as_str().ok()?).ok()
            };
            while let Ok(Some(r)) = rows.next() {
                let (Ok(path), Ok(size), Ok(mtime_ns), Some(hash), Some(json_key)) = (
                    r.get_ref(0).and_then(|v| Ok(v.as_str()?)),
                    r.get::<_, i64>(1),
                    r.get::<_, i64>(2),
                    hash(r, 3),
                    hash(r, 4),
                ) else {
                    continue;
                };
                let known = Known {
                    stat: Stat {
                        size: size as u64,
                        mtime_ns,
                    },
                    hash,
                    json_key,
                };
                // Knowing less only costs the scan a read of the files left unknown.
                if stored.push(path, &known).is_err() {
                    break;
                }
            }
            Some(stored)
        })
    }

    /// Whether the outputs in `out` are those the previous run made from inputs with this
    /// `digest`, untouched since: then the number of materials they hold and of those that
    /// failed.
    pub(crate) fn outputs_current(&self, digest: &str, out: &Path) -> Option<(u64, u64)> {
        let (text, materials, failed): (String, i64, i64) = self.with_reader(|conn| {
            conn.query_row(
                "SELECT m.value, r.materials, r.failed FROM meta m,
                   (SELECT materials, failed FROM runs ORDER BY id DESC LIMIT 1) r
                 WHERE m.key = 'outputs'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok()
        })?;
        let record = OutputsRecord::decode(&text)?;
        let intact = record.digest == digest
            && !record.files.is_empty()
            && record.files.iter().all(|(name, stat)| {
                std::fs::metadata(out.join(name))
                    .is_ok_and(|m| m.len() == stat.size && crate::mtime_ns(&m) == stat.mtime_ns)
            });
        intact.then_some((materials.max(0) as u64, failed.max(0) as u64))
    }

    /// What the change report needs of the last complete run, from the index tables: far
    /// cheaper than reading its `index.json` again. `None` when the tables do not hold one
    /// (a new or rebuilt database, or `--no-cache`).
    pub fn previous_run(&self) -> Option<PreviousRun> {
        self.with_reader(|conn| {
            let generated = index_generated(conn)?;
            let mut themes = by_path(conn, "SELECT path, theme FROM themes WHERE assigned")?;
            let mut tps = by_path(conn, "SELECT path, tp FROM work_packages")?;
            let mut stmt = conn
                .prepare("SELECT path, hash, city FROM documents ORDER BY path")
                .ok()?;
            let mut documents = Vec::new();
            for row in stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .ok()?
            {
                let (path, hash, city) = row.ok()?;
                let tp = tps.remove(&path).unwrap_or_default();
                let themes = themes.remove(&path).unwrap_or_default();
                documents.push(previous_from_columns(path, hash, city, themes, &tp)?);
            }
            Some(PreviousRun {
                generated,
                documents,
            })
        })
    }

    /// The changes since the run the index tables describe, worked out only where materials
    /// differ. A file whose stored key is its key now has the same materials as then, so it
    /// is left out of both sides: a re-run after a few new files compares those files, not
    /// the drive. `files` and `owners` are as for [`Cache::stage_index`]. `None` when there
    /// is no stored run, or when so much differs that reading the whole previous run
    /// ([`Cache::previous_run`]) costs less.
    pub(crate) fn changes_since(
        &self,
        view: View<'_>,
        files: &IndexedFiles<'_>,
        owners: &[u32],
    ) -> Option<Changes> {
        self.with_reader(|conn| {
            let generated = index_generated(conn)?;
            let mut same = vec![false; files.len()];
            let mut differing: Vec<String> = Vec::new();
            let mut stored = 0usize;
            {
                let mut stmt = conn
                    .prepare_cached("SELECT path, file, key FROM documents ORDER BY file")
                    .ok()?;
                let mut rows = stmt.query([]).ok()?;
                let mut seeker = files.seeker().ok()?;
                while let Some(row) = rows.next().ok()? {
                    stored += 1;
                    let file = row.get_ref(1).ok()?.as_str().ok()?;
                    let key = row.get_ref(2).ok()?.as_str().ok()?;
                    match seeker.find(file, key).ok()? {
                        Some((at, true)) => same[at] = true,
                        _ => differing.push(row.get(0).ok()?),
                    }
                }
            }
            // One look-up per differing material: past a few, one pass over everything wins.
            if differing.len() > stored / 8 + 64 {
                return None;
            }
            let documents = differing
                .into_iter()
                .map(|path| previous_material(conn, path))
                .collect::<Option<Vec<_>>>()?;
            let previous = PreviousRun {
                generated,
                documents,
            };
            // The differing materials are read one by one: they are few.
            let current = owners
                .iter()
                .enumerate()
                .filter(|(_, owner)| !same.get(**owner as usize).copied().unwrap_or(false))
                .map(|(at, _)| view.materials.get(at).ok())
                .collect::<Option<Vec<_>>>()?;
            Some(changes_among(&previous, current.iter().map(|m| &**m)))
        })
    }

    /// Records a run that found its outputs current and left them as they were.
    pub fn record_current_run(
        &self,
        run: &RunInfo<'_>,
        stats: &RunStats,
    ) -> Result<(), CacheError> {
        let mut inner = self.lock();
        insert_run(&inner.conn, run, self.read, stats).map_err(|s| self.err(s))?;
        self.commit(&mut inner)
    }

    /// The materials of `path` classified from content `hash` under classifier `key`, with
    /// their JSON.
    pub(crate) fn materials_for(
        &self,
        path: &str,
        hash: &str,
        key: &str,
    ) -> Option<(Vec<Material>, Vec<u8>)> {
        let blob: Vec<u8> = self.with_reader(|conn| {
            conn.prepare_cached(
                "SELECT materials FROM classified WHERE path = ?1 AND hash = ?2 AND key = ?3",
            )
            .ok()?
            .query_row(params![path, hash, key], |r| r.get(0))
            .ok()
        })?;
        stored_materials(blob)
    }

    /// The stored materials of the files at `paths` under classifier `key`: each file's
    /// path, the content hash they were classified from, and their JSON.
    pub(crate) fn stored_blobs(&self, paths: &[&str], key: &str) -> Vec<(String, String, Vec<u8>)> {
        if paths.is_empty() {
            return Vec::new();
        }
        let marks = vec!["?"; paths.len()].join(", ");
        let sql = format!(
            "SELECT path, hash, materials FROM classified WHERE key = ? AND path IN ({marks})"
        );
        self.with_reader(|conn| {
            let mut stmt = conn.prepare_cached(&sql).ok()?;
            let params = std::iter::once(&key).chain(paths);
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .ok()?;
            Some(rows.filter_map(Result::ok).collect())
        })
        .unwrap_or_default()
    }

    /// A stored extraction, unless it failed by a budget smaller than today's.
    #[cfg(test)]
    pub(crate) fn extraction(
        &self,
        hash: &str,
        ext: &str,
        timeout_ms: u64,
        memory_mib: u64,
    ) -> Option<Vec<Item>> {
        decode_extraction(&self.extraction_blob(hash, ext, timeout_ms, memory_mib)?)
    }

    /// [`Cache::extraction`] as it is stored (compressed): its size says how much decoding
    /// it will take.
    pub(crate) fn extraction_blob(
        &self,
        hash: &str,
        ext: &str,
        timeout_ms: u64,
        memory_mib: u64,
    ) -> Option<Vec<u8>> {
        let reader = (EXTRACTOR_NAME, extractor_version());
        self.stored_blob(hash, ext, (reader.0, &reader.1), timeout_ms, memory_mib)
    }

    pub(crate) fn store_extraction(&self, e: &Extraction<'_>) -> Result<(), CacheError> {
        let json = serde_json::to_vec(e.items).unwrap_or_default();
        let version = extractor_version();
        self.store_blob(e, (EXTRACTOR_NAME, &version), &compress(&json))
    }

    /// What OCR read from the scan with this content, by the reader `key` names (JSON).
    /// What OCR read of the file of content `hash`, or of its `member` (`/inner/x.pdf`;
    /// empty for the file itself). A member's reading is kept under the file's content, so
    /// that it leaves the cache with the file.
    pub(crate) fn ocr_reading(&self, hash: &str, member: &str, key: &str) -> Option<Vec<u8>> {
        let blob = self.stored_blob(hash, member, (OCR_NAME, key), u64::MAX, u64::MAX)?;
        decompress(&blob)
    }

    /// Keeps what OCR read of a scan of `format` (a PDF or a picture), as
    /// [`Cache::ocr_reading`] finds it.
    pub(crate) fn store_ocr(
        &self,
        (hash, member): (&str, &str),
        format: &str,
        key: &str,
        json: &[u8],
    ) -> Result<(), CacheError> {
        let e = Extraction {
            hash,
            ext: member,
            format,
            items: &[],
            timeout_ms: None,
            memory_mib: None,
        };
        self.store_blob(&e, (OCR_NAME, key), &compress(json))
    }

    /// A stored result of `reader` (name, version) for this content, unless it failed by a
    /// budget smaller than the one given.
    fn stored_blob(
        &self,
        hash: &str,
        ext: &str,
        reader: (&str, &str),
        timeout_ms: u64,
        memory_mib: u64,
    ) -> Option<Vec<u8>> {
        let query = |conn: &Connection| -> Option<Vec<u8>> {
            conn.prepare_cached(
                "SELECT items FROM extractions
                 WHERE hash = ?1 AND ext = ?2 AND extractor = ?3 AND version = ?4
                   AND (timeout_ms IS NULL OR timeout_ms >= ?5)
                   AND (memory_mib IS NULL OR memory_mib >= ?6)",
            )
            .ok()?
            .query_row(
                params![
                    hash,
                    ext,
                    reader.0,
                    reader.1,
                    timeout_ms.min(i64::MAX as u64) as i64,
                    memory_mib.min(i64::MAX as u64) as i64
                ],
                |r| r.get(0),
            )
            .ok()
        };
        self.with_reader(query).or_else(|| {
            // Readers see committed writes only. A copy of content extracted moments ago,
            // still in the open transaction, is found through the writing connection; it is
            // asked only when it has something uncommitted, and only for content the
            // committed database lacks.
            let inner = self.lock();
            (self.read && inner.pending > 0)
                .then(|| query(&inner.conn))
                .flatten()
        })
    }

    /// Stores `blob` as the result of `reader` (name, version) for the content and
    /// extension of `e`, with its budgets and format.
    fn store_blob(
        &self,
        e: &Extraction<'_>,
        reader: (&str, &str),
        blob: &[u8],
    ) -> Result<(), CacheError> {
        let mut inner = self.lock();
        inner
            .conn
            .prepare_cached(
                "INSERT OR REPLACE INTO extractions
                 (hash, ext, extractor, version, format, timeout_ms, memory_mib, items)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    e.hash,
                    e.ext,
                    reader.0,
                    reader.1,
                    e.format,
                    e.timeout_ms.map(|v| v as i64),
                    e.memory_mib.map(|v| v as i64),
                    blob
                ])
            })
            .map_err(|s| self.err(s))?;
        self.wrote(&mut inner)
    }

    /// Records a file's stat and, given `classified` (classifier key and the materials'
    /// JSON), its materials. Without them any stored materials of the path are dropped:
    /// materials that failed by a budget must not outlive a larger budget.
    pub(crate) fn store_file(
        &self,
        path: &str,
        stat: &Stat,
        hash: &str,
        classified: Option<(&str, &[u8])>,
    ) -> Result<(), CacheError> {
        let mut inner = self.lock();
        let conn = &inner.conn;
        let result = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![path, stat.size as i64, stat.mtime_ns, hash]))
            .and_then(|_| match classified {
                Some((key, json)) => conn
                    .prepare_cached(
                        "INSERT OR REPLACE INTO classified (path, hash, key, json_key, materials)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .and_then(|mut s| s.execute(params![path, hash, key, json_key(json), json])),
                _ => conn
                    .prepare_cached("DELETE FROM classified WHERE path = ?1")
                    .and_then(|mut s| s.execute([path])),
            });
        result.map_err(|s| self.err(s))?;
        self.wrote(&mut inner)
    }

    fn wrote(&self, inner: &mut Inner) -> Result<(), CacheError> {
        inner.pending += 1;
        if inner.pending >= COMMIT_BATCH || inner.last_commit.elapsed() >= COMMIT_INTERVAL {
            self.commit(inner)?;
        }
        Ok(())
    }

    fn commit(&self, inner: &mut Inner) -> Result<(), CacheError> {
        inner
            .conn
            .execute_batch("COMMIT; BEGIN")
            .map_err(|s| self.err(s))?;
        inner.pending = 0;
        inner.last_commit = Instant::now();
        Ok(())
    }

    #[cfg(test)]
    fn commit_now(&self) {
        let mut inner = self.lock();
        let _ = self.commit(&mut inner);
    }

    /// Commits pending writes when they have waited long enough; called by threads that are
    /// themselves waiting, so that a long extraction does not hold finished work hostage.
    pub(crate) fn commit_if_due(&self) {
        let mut inner = self.lock();
        if inner.pending > 0 && inner.last_commit.elapsed() >= COMMIT_INTERVAL {
            let _ = self.commit(&mut inner);
        }
    }

    /// Replaces the index tables with the run's and drops cache rows of files no longer on
    /// the drive, without committing: [`Cache::finish`] commits it with the run's record once
    /// the outputs are in place, [`Cache::abandon_index`] takes it back when they failed.
    /// `owners[i]` is the position in `files` of the file `index.documents[i]` comes from.
    pub(crate) fn stage_index(
        &self,
        view: View<'_>,
        files: &IndexedFiles<'_>,
        owners: &[u32],
    ) -> Result<(), PipelineError> {
        let mut inner = self.lock();
        self.commit(&mut inner)?;
        inner.staged = true;
        write_index(&inner.conn, view, files, owners).map_err(|stopped| match stopped {
            Stopped::Read(e) => PipelineError::Materials(e),
            Stopped::By(IndexError::Sql(s)) => self.err(s).into(),
            Stopped::By(IndexError::Files(e)) => PipelineError::Files(e),
        })
    }

    /// Takes back what [`Cache::stage_index`] wrote: the index stays the last complete run's.
    pub(crate) fn abandon_index(&self) {
        let mut inner = self.lock();
        let _ = inner.conn.execute_batch("ROLLBACK; BEGIN");
        inner.staged = false;
    }

    /// Records the run beside the staged index and commits both at once. `outputs`, when
    /// given, lets the next run keep these outputs if nothing changed.
    pub(crate) fn finish(
        &self,
        run: &RunInfo<'_>,
        stats: &RunStats,
        outputs: Option<&OutputsRecord>,
    ) -> Result<(), CacheError> {
        let mut inner = self.lock();
        let tx = |s| self.err(s);
        insert_run(&inner.conn, run, self.read, stats).map_err(tx)?;
        match outputs {
            Some(o) => inner.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('outputs', ?1)",
                [o.encode()],
            ),
            None => inner
                .conn
                .execute("DELETE FROM meta WHERE key = 'outputs'", []),
        }
        .map_err(tx)?;
        self.commit(&mut inner)?;
        inner.staged = false;
        Ok(())
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        // Readers close first: the writing connection, closing last, then checkpoints the
        // write-ahead log and removes it and its index, so OUT keeps only kooste.db.
        self.readers
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        // An index staged for outputs that never landed is taken back; what the scan stored
        // was committed before it.
        let end = if inner.staged { "ROLLBACK" } else { "COMMIT" };
        let _ = inner.conn.execute_batch(end);
    }
}

fn opt_str<T: serde::Serialize>(v: &Option<T>) -> Option<String> {
    v.as_ref().and_then(|v| {
        serde_json::to_value(v)
            .ok()
            .and_then(|j| j.as_str().map(str::to_string))
    })
}

fn write_index(
    conn: &Connection,
    view: View<'_>,
    files: &IndexedFiles<'_>,
    owners: &[u32],
) -> Result<(), Stopped<IndexError>> {
    let sql = |e: rusqlite::Error| Stopped::By(IndexError::Sql(e));
    // The index tables' own time, which `runs` cannot say: a run that finds its outputs
    // current adds a row there without writing them.
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('index_generated', ?1)",
        [view.generated],
    )
    .map_err(sql)?;
    conn.execute("DELETE FROM theme_catalog", []).map_err(sql)?;
    for (i, t) in view.themes.iter().enumerate() {
        conn.execute(
            "INSERT INTO theme_catalog (id, position, title_fi, title_en) VALUES (?1, ?2, ?3, ?4)",
            params![t.id, i as i64 + 1, t.title_fi, t.title_en],
        )
        .map_err(sql)?;
    }
    let rows = clear_stale_rows(conn, files).map_err(Stopped::By)?;
    // The materials whose rows are written.
    let wanted_owner = |owner: u32| {
        (owner as usize) < files.len()
            && rows
                .get(owner as usize)
                .is_some_and(|r| *r != Rows::Current)
    };
    let wanted = owners.iter().filter(|&&o| wanted_owner(o)).count();
    let mut files_of = files.owners().map_err(|e| Stopped::By(e.into()))?;
    let mut write = |owner: u32, m: &Material| -> Result<(), IndexError> {
        let f = files_of.get(owner as usize)?;
        insert_material(conn, &f.file, &f.key.to_hex(), m)?;
        Ok(())
    };
    // A few are read one by one (a re-run after some new files); more, in one pass.
    if wanted <= view.materials.len() / 16 {
        for (at, &owner) in owners.iter().enumerate() {
            if wanted_owner(owner) {
                let m = view.materials.get(at).map_err(Stopped::Read)?;
                write(owner, &m).map_err(Stopped::By)?;
            }
        }
    } else {
        let mut owners = owners.iter();
        visit(view.materials, |m| match owners.next() {
            Some(&o) if wanted_owner(o) => write(o, m),
            _ => Ok(()),
        })?;
    }
    drop(files_of);
    drop_gone_files(conn, files).map_err(Stopped::By)
}

/// Whether a file's rows in the index tables stand.
#[derive(Clone, Copy, PartialEq)]
enum Rows {
    Missing,
    Current,
    Stale,
}

/// Deletes the index rows of files that changed or left the drive; says, per file of the
/// run, whether its rows stand.
fn clear_stale_rows(conn: &Connection, files: &IndexedFiles<'_>) -> Result<Vec<Rows>, IndexError> {
    // Which files' rows stand: the stored keys are read row by row against the run's files,
    // borrowed, instead of being collected first; at 20,000 files a map of every stored
    // (file, key) pair held 4 MB while the outputs were being rendered.
    let mut rows = vec![Rows::Missing; files.len()];
    let mut delete: Vec<String> = Vec::new();
    {
        // In the order of the run's files, to meet them in one pass.
        let mut stmt = conn.prepare("SELECT file, key FROM documents ORDER BY file")?;
        let mut found = stmt.query([])?;
        let mut seeker = files.seeker()?;
        while let Some(row) = found.next()? {
            let file: String = row.get(0)?;
            let key = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            match seeker.find(&file, key)? {
                Some((i, true)) => {
                    if rows[i] == Rows::Missing {
                        rows[i] = Rows::Current;
                    }
                }
                Some((i, false)) => {
                    rows[i] = Rows::Stale;
                    delete.push(file);
                }
                // A file no longer on the drive.
                None => delete.push(file),
            }
        }
    }
    let delete_file = |file: &str| -> rusqlite::Result<()> {
        for table in ["themes", "terms", "work_packages"] {
            conn.prepare_cached(&format!(
                "DELETE FROM {table} WHERE path IN (SELECT path FROM documents WHERE file = ?1)"
            ))?
            .execute([file])?;
        }
        conn.prepare_cached("DELETE FROM documents WHERE file = ?1")?
            .execute([file])?;
        Ok(())
    };
    // One row per material: an archive's file came up once per member.
    delete.sort_unstable();
    delete.dedup();
    for file in &delete {
        delete_file(file)?;
    }
    Ok(rows)
}

/// Drops the cache rows of files no longer on the drive, and extractions no file refers to.
fn drop_gone_files(conn: &Connection, files: &IndexedFiles<'_>) -> Result<(), IndexError> {
    // Cache rows of files gone from the drive would only grow the database.
    let gone: Vec<String> = {
        let mut stmt = conn.prepare("SELECT path FROM files ORDER BY path")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut seeker = files.seeker()?;
        let mut gone = Vec::new();
        for p in rows.filter_map(Result::ok) {
            if !seeker.contains(&p)? {
                gone.push(p);
            }
        }
        gone
    };
    for p in &gone {
        conn.prepare_cached("DELETE FROM files WHERE path = ?1")?
            .execute([p])?;
        conn.prepare_cached("DELETE FROM classified WHERE path = ?1")?
            .execute([p])?;
    }
    // Extractions no file refers to any more: content that left the drive.
    conn.execute(
        "DELETE FROM extractions WHERE hash NOT IN (SELECT hash FROM files)",
        [],
    )?;
    Ok(())
}

/// The second column of a two-column query, grouped by the first (a path).
/// When the run the index tables describe was made, if they describe one.
fn index_generated(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'index_generated'",
        [],
        |r| r.get(0),
    )
    .ok()
}

/// One material of the run the index tables describe, as the change report needs it.
fn previous_material(conn: &Connection, path: String) -> Option<PreviousMaterial> {
    let (hash, city): (String, Option<String>) = conn
        .prepare_cached("SELECT hash, city FROM documents WHERE path = ?1")
        .ok()?
        .query_row([&path], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok()?;
    let column = |sql: &str| -> Option<Vec<String>> {
        let mut stmt = conn.prepare_cached(sql).ok()?;
        let values = stmt
            .query_map([&path], |r| r.get(0))
            .ok()?
            .collect::<rusqlite::Result<Vec<String>>>()
            .ok()?;
        Some(values)
    };
    let themes = column("SELECT theme FROM themes WHERE path = ?1 AND assigned")?;
    let tp = column("SELECT tp FROM work_packages WHERE path = ?1")?;
    previous_from_columns(path, hash, city, themes, &tp)
}

/// A material of the stored run from the index tables' values, its work packages in order.
/// `None` when a value is not one kooste writes.
fn previous_from_columns(
    path: String,
    hash: String,
    city: Option<String>,
    themes: Vec<String>,
    tp: &[String],
) -> Option<PreviousMaterial> {
    let city = match city {
        Some(name) => Some(name.parse().ok()?),
        None => None,
    };
    let mut tp = tp
        .iter()
        .map(|t| t.parse().ok())
        .collect::<Option<Vec<WorkPackage>>>()?;
    tp.sort();
    Some(PreviousMaterial::new(path, hash, themes, city, tp))
}

fn by_path(conn: &Connection, sql: &str) -> Option<HashMap<String, Vec<String>>> {
    let mut grouped: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare(sql).ok()?;
    for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).ok()? {
        let (path, value): (String, String) = row.ok()?;
        grouped.entry(path).or_default().push(value);
    }
    Some(grouped)
}

/// What the `runs` table says of a run besides its figures.
pub struct RunInfo<'a> {
    pub generated: &'a str,
    pub drive: &'a str,
    pub rules_source: &'a str,
    pub rules_hash: &'a str,
}

fn insert_run(
    conn: &Connection,
    run: &RunInfo<'_>,
    cache_read: bool,
    stats: &RunStats,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO runs (generated, drive, rules_source, rules_hash, cache_read, files,
            materials, new, changed, removed, failed, stat_hits, hashed, unchanged, reclassified,
            extracted, worker_restarts, seconds, peak_rss_kib, worker_peak_rss_kib)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20)",
        params![
            run.generated,
            run.drive,
            run.rules_source,
            run.rules_hash,
            cache_read,
            stats.files as i64,
            stats.materials as i64,
            stats.new as i64,
            stats.changed as i64,
            stats.removed as i64,
            stats.failed as i64,
            stats.stat_hits as i64,
            stats.hashed as i64,
            stats.unchanged as i64,
            stats.reclassified as i64,
            stats.extracted as i64,
            stats.worker_restarts as i64,
            stats.seconds,
            stats.peak_rss_kib as i64,
            stats.worker_peak_rss_kib as i64,
        ],
    )?;
    Ok(())
}

fn insert_material(conn: &Connection, file: &str, key: &str, m: &Material) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO documents (path, file, key, format, bytes, hash, title, author,
            created, modified, city, city_source, status, error_kind, error_message, pages, chars)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        m.path,
        file,
        key,
        m.format.as_str(),
        m.bytes as i64,
        m.hash,
        m.title,
        m.author,
        m.created,
        m.modified,
        m.city.map(|c| c.name()),
        opt_str(&m.city_source),
        opt_str(&Some(m.status)),
        m.error.as_ref().map(|e| e.kind.as_str()),
        m.error.as_ref().map(|e| e.message.as_str()),
        i64::from(m.pages),
        m.chars as i64,
    ])?;
    let assigned: BTreeMap<&str, &kooste_model::ThemeScore> =
        m.themes.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut scores: BTreeMap<&str, f64> = m.scores.iter().map(|(k, v)| (k, *v)).collect();
    for t in &m.themes {
        scores.entry(t.id.as_str()).or_insert(t.score);
    }
    for (theme, score) in scores {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO themes (path, theme, score, assigned) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![m.path, theme, score, assigned.contains_key(theme)])?;
    }
    for t in &m.themes {
        for term in &t.terms {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO terms (path, theme, term, count) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![m.path, t.id, term.term, i64::from(term.count)])?;
        }
    }
    for tp in &m.tp {
        conn.prepare_cached("INSERT OR REPLACE INTO work_packages (path, tp) VALUES (?1, ?2)")?
            .execute(params![m.path, tp.to_string()])?;
    }
    Ok(())
}

/// Whether an extraction failed by the time budget or by the memory budget.
/// The items of a stored extraction ([`Cache::extraction_blob`]).
pub(crate) fn decode_extraction(blob: &[u8]) -> Option<Vec<Item>> {
    serde_json::from_slice(&decompress(blob)?).ok()
}

pub(crate) fn budget_failure(items: &[Item]) -> (bool, bool) {
    let kinds = items.iter().filter_map(|i| i.result.as_ref().err());
    let mut timeout = false;
    let mut memory = false;
    for e in kinds {
        match e.kind {
            ErrorKind::Timeout => timeout = true,
            ErrorKind::TooLarge if e.message.contains(crate::worker::MEMORY_MESSAGE) => {
                memory = true;
            }
            _ => {}
        }
    }
    (timeout, memory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kooste_model::{Document, ExtractError, Format, Index, Meta, Page};

    fn item(text: &str) -> Item {
        Item {
            suffix: String::new(),
            format: Format::Txt,
            bytes: text.len() as u64,
            hash: "h".into(),
            result: Ok(Document {
                format: Format::Txt,
                pages: vec![Page::new(1, text)],
                meta: Meta::default(),
                damaged: None,
            }),
        }
    }

    fn open(dir: &Path) -> Cache {
        match Cache::open(dir, true) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    /// The extraction of a text file, within every budget.
    fn text_extraction<'a>(hash: &'a str, items: &'a [Item]) -> Extraction<'a> {
        Extraction {
            hash,
            ext: "txt",
            format: "txt",
            items,
            timeout_ms: None,
            memory_mib: None,
        }
    }

    #[test]
    fn stored_files_meet_the_walk_in_one_ordered_pass() {
        // Walk order is by name within each folder; the database's is by the whole path's
        // bytes ("a-c" before "a/b"). Some stored files are gone, some files are new.
        let walk = DriveFiles::of_paths(["a/b.txt", "a/c.txt", "a-c.txt", "new.txt", "z.txt"]);
        let mut stored = StoredFiles::new().unwrap_or_else(|e| panic!("{e}"));
        // "b.txt" comes out of order, as a damaged database might give it: left unknown.
        for (k, path) in ["a-c.txt", "a/b.txt", "gone.txt", "b.txt", "z.txt"]
            .iter()
            .enumerate()
        {
            let known = Known {
                stat: Stat {
                    size: k as u64,
                    mtime_ns: 0,
                },
                hash: blake3::hash(path.as_bytes()),
                json_key: blake3::hash(b"m"),
            };
            stored.push(path, &known).unwrap_or_else(|e| panic!("{e}"));
        }
        let probes = ProbeFile::new(walk.len()).unwrap_or_else(|e| panic!("{e}"));
        stored
            .matched(&walk, &probes)
            .unwrap_or_else(|e| panic!("{e}"));
        let matched: Vec<Option<(u64, blake3::Hash)>> = (0..walk.len())
            .map(
                |at| match probes.get(at).unwrap_or_else(|e| panic!("{e}")) {
                    probes::Entry::Known(k) => Some((k.stat.size, k.hash)),
                    _ => None,
                },
            )
            .collect();
        assert_eq!(
            matched,
            [
                Some((1, blake3::hash(b"a/b.txt"))),
                None,
                Some((0, blake3::hash(b"a-c.txt"))),
                None,
                Some((4, blake3::hash(b"z.txt"))),
            ]
        );
    }

    /// Drive files with these paths, each with the key made from its text.
    fn files_keyed<const N: usize>(files: [(&str, &str); N]) -> (crate::walk::DriveFiles, KeyFile) {
        let keys = KeyFile::new(N).unwrap_or_else(|e| panic!("{e}"));
        for (at, (_, key)) in files.iter().enumerate() {
            keys.set(at, &blake3::hash(key.as_bytes()))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        (
            crate::walk::DriveFiles::of_paths(files.iter().map(|(file, _)| *file)),
            keys,
        )
    }

    #[test]
    fn a_staged_index_counts_only_once_the_run_is_recorded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let index: Index = serde_json::from_str(
            r#"{"schema": 1, "generated": "2018-03-13T00:00:00Z", "drive": "d",
                "rules": {"source": "default", "hash": "r"},
                "documents": [{"path": "a.txt", "format": "txt", "bytes": 1, "hash": "h",
                  "title": "t", "city": null, "tp": [], "themes": [], "status": "ok",
                  "error": null, "pages": 1, "chars": 1}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (drive_files, keys) = files_keyed([("a.txt", "k")]);
        let files = IndexedFiles::new(&drive_files, &keys);
        let run = RunInfo {
            generated: &index.generated,
            drive: &index.drive,
            rules_source: &index.rules.source,
            rules_hash: &index.rules.hash,
        };
        let documents = || {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap_or_else(|e| panic!("{e}"));
            conn.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get::<_, i64>(0))
                .unwrap_or(-1)
        };
        // Staged, then the run ends without recording it (its outputs failed): nothing.
        let cache = open(dir.path());
        assert!(cache.stage_index(index.view(), &files, &[0]).is_ok());
        drop(cache);
        assert_eq!(documents(), 0);
        // Staged and taken back, then staged again and recorded.
        let cache = open(dir.path());
        assert!(cache.stage_index(index.view(), &files, &[0]).is_ok());
        cache.abandon_index();
        assert!(cache.stage_index(index.view(), &files, &[0]).is_ok());
        assert!(cache.finish(&run, &RunStats::default(), None).is_ok());
        drop(cache);
        assert_eq!(documents(), 1);
    }

    #[test]
    fn changes_compare_only_files_whose_materials_differ_and_match_the_whole_comparison() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let doc = |path: &str, hash: &str, city: &str, themes: &str| {
            format!(
                r#"{{"path": "{path}", "format": "txt", "bytes": 1, "hash": "{hash}",
                "title": "t", "city": {city}, "tp": [], "themes": [{themes}], "status": "ok",
                "error": null, "pages": 1, "chars": 1}}"#
            )
        };
        let theme = r#"{"id": "osallisuus", "score": 20.0, "terms": [], "snippets": []}"#;
        let index = |generated: &str, docs: &[String]| -> Index {
            serde_json::from_str(&format!(
                r#"{{"schema": 1, "generated": "{generated}", "drive": "d",
                "rules": {{"source": "default", "hash": "r"}}, "documents": [{}]}}"#,
                docs.join(",")
            ))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let before = index(
            "2018-03-13T00:00:00Z",
            &[
                doc("a.txt", "ha", "\"Espoo\"", ""),
                doc("b.zip/x.txt", "hx", "null", theme),
                doc("b.zip/y.txt", "hy", "null", ""),
                doc("gone.txt", "hg", "null", ""),
            ],
        );
        let (files_files, files_keys) =
            files_keyed([("a.txt", "ka"), ("b.zip", "kb"), ("gone.txt", "kg")]);
        let files = IndexedFiles::new(&files_files, &files_keys);
        let cache = open(dir.path());
        assert!(
            cache
                .stage_index(before.view(), &files, &[0, 1, 1, 2])
                .is_ok()
        );
        let run = RunInfo {
            generated: &before.generated,
            drive: "d",
            rules_source: "default",
            rules_hash: "r",
        };
        assert!(cache.finish(&run, &RunStats::default(), None).is_ok());
        drop(cache);

        // a.txt as it was; the archive's x lost its theme and y changed content; gone.txt is
        // gone and new.txt is new.
        let after = index(
            "2018-03-14T00:00:00Z",
            &[
                doc("a.txt", "ha", "\"Espoo\"", ""),
                doc("b.zip/x.txt", "hx", "null", ""),
                doc("b.zip/y.txt", "hy2", "null", ""),
                doc("new.txt", "hn", "\"Oulu\"", ""),
            ],
        );
        let (files_files, files_keys) =
            files_keyed([("a.txt", "ka"), ("b.zip", "kb2"), ("new.txt", "kn")]);
        let files = IndexedFiles::new(&files_files, &files_keys);
        let cache = open(dir.path());
        let c = cache
            .changes_since(after.view(), &files, &[0, 1, 1, 2])
            .unwrap_or_else(|| panic!("a stored run"));
        assert_eq!(c.since, "2018-03-13T00:00:00Z");
        assert_eq!(c.added, ["new.txt"]);
        assert_eq!(c.removed, ["gone.txt"]);
        assert_eq!(c.modified, ["b.zip/y.txt"]);
        let reassigned: Vec<(&str, &str, &str, &str)> = c
            .reassigned
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.field.as_str(),
                    r.before.as_str(),
                    r.after.as_str(),
                )
            })
            .collect();
        assert_eq!(reassigned, [("b.zip/x.txt", "themes", "osallisuus", "")]);
        // The same report as comparing the whole previous run.
        let whole = cache
            .previous_run()
            .unwrap_or_else(|| panic!("a stored run"));
        assert_eq!(Some(c), kooste_report::changes(&whole, after.view()).ok());
        // A key that says the file is unchanged leaves its materials out, whatever they are.
        let (same_files, same_keys) =
            files_keyed([("a.txt", "ka"), ("b.zip", "kb"), ("new.txt", "kn")]);
        let same = IndexedFiles::new(&same_files, &same_keys);
        let c = cache
            .changes_since(after.view(), &same, &[0, 1, 1, 2])
            .unwrap_or_else(|| panic!("a stored run"));
        assert!(c.modified.is_empty() && c.reassigned.is_empty(), "{c:?}");
        assert_eq!(
            (c.added, c.removed),
            (vec!["new.txt".to_string()], vec!["gone.txt".to_string()])
        );
    }

    #[test]
    fn an_extraction_not_yet_committed_is_found_by_this_run_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let items = vec![item("palvelumuotoilu")];
        let store = |cache: &Cache, hash: &str| {
            assert!(
                cache
                    .store_extraction(&text_extraction(hash, &items))
                    .is_ok()
            );
        };
        let cache = open(dir.path());
        store(&cache, "fresh");
        // Not committed: another connection cannot see it, this run can.
        let other = Connection::open(dir.path().join(DB_FILE)).unwrap_or_else(|e| panic!("{e}"));
        let committed: i64 = other
            .query_row("SELECT COUNT(*) FROM extractions", [], |r| r.get(0))
            .unwrap_or(-1);
        assert_eq!(committed, 0);
        assert_eq!(
            cache.extraction("fresh", "txt", 1000, 100),
            Some(items.clone())
        );
        assert_eq!(cache.extraction("fresh", "md", 1000, 100), None);
        drop(other);
        drop(cache);
        // Under --no-cache nothing is read back, committed or not.
        let blind = Cache::open(dir.path(), false).unwrap_or_else(|e| panic!("{e}"));
        store(&blind, "blind");
        assert_eq!(blind.extraction("blind", "txt", 1000, 100), None);
        assert_eq!(blind.extraction("fresh", "txt", 1000, 100), None);
    }

    #[test]
    fn extraction_round_trips_and_respects_budgets() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let cache = open(dir.path());
        let items = vec![item("asiakaskokemus ja yhteiskehittäminen")];
        assert!(
            cache
                .store_extraction(&text_extraction("abc", &items))
                .is_ok()
        );
        cache.commit_now();
        assert_eq!(cache.extraction("abc", "txt", 1000, 100), Some(items));
        assert_eq!(cache.extraction("abc", "md", 1000, 100), None);

        let timed_out = vec![Item {
            result: Err(ExtractError::new(ErrorKind::Timeout, "over 1 s")),
            ..item("")
        }];
        let stored = cache.store_extraction(&Extraction {
            hash: "slow",
            ext: "pdf",
            format: "pdf",
            items: &timed_out,
            timeout_ms: Some(1000),
            memory_mib: None,
        });
        assert!(stored.is_ok());
        cache.commit_now();
        assert!(cache.extraction("slow", "pdf", 1000, 100).is_some());
        // A longer time limit deserves another try.
        assert!(cache.extraction("slow", "pdf", 5000, 100).is_none());
    }

    #[test]
    fn stat_shortcut_needs_same_size_and_time() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let cache = open(dir.path());
        let stat = Stat {
            size: 10,
            mtime_ns: 42,
        };
        assert!(
            cache
                .store_file("a/b.txt", &stat, "h1", Some(("k", b"[]")))
                .is_ok()
        );
        // Readers see committed writes.
        cache.commit_now();
        assert_eq!(cache.hash_for("a/b.txt", &stat).as_deref(), Some("h1"));
        let touched = Stat {
            size: 10,
            mtime_ns: 43,
        };
        assert_eq!(cache.hash_for("a/b.txt", &touched), None);
        assert_eq!(
            cache.materials_for("a/b.txt", "h1", "k"),
            Some((vec![], b"[]".to_vec()))
        );
        assert_eq!(cache.materials_for("a/b.txt", "h1", "other rules"), None);
        assert!(cache.store_file("a/b.txt", &stat, "h1", None).is_ok());
        cache.commit_now();
        assert_eq!(cache.materials_for("a/b.txt", "h1", "k"), None);
        assert_eq!(cache.hash_for("a/b.txt", &stat).as_deref(), Some("h1"));
        drop(cache);

        let blind = Cache::open(dir.path(), false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(blind.hash_for("a/b.txt", &stat), None);
    }

    #[test]
    fn stored_materials_are_their_json_and_an_older_deflated_blob_is_none() {
        let json = br#"[{"path": "a.txt", "format": "txt", "bytes": 3, "hash": "h",
            "title": "a", "city": "Espoo", "tp": [], "themes": [], "status": "ok",
            "error": null, "pages": 1, "chars": 3}]"#;
        let (materials, kept) = stored_materials(json.to_vec()).unwrap_or_else(|| panic!());
        assert_eq!(kept, json.to_vec());
        assert_eq!(materials.len(), 1);
        assert_eq!(materials[0].path, "a.txt");
        assert_eq!(materials[0].city, Some(kooste_model::City::Espoo));
        // What kooste stored before this format: the file is classified again.
        assert_eq!(stored_materials(compress(json)), None);
        assert_eq!(stored_materials(b"[{\"path\": ".to_vec()), None);
    }

    #[test]
    fn compression_round_trips() {
        let text = "asiakas ".repeat(1000);
        let packed = compress(text.as_bytes());
        assert!(packed.len() < text.len() / 10);
        assert_eq!(decompress(&packed), Some(text.into_bytes()));
        assert_eq!(decompress(b"\xff\xfe not deflate"), None);
    }
}
