//! One run of kooste over a drive: walk → (cache or worker) extract → classify → report.
//!
//! Data flows one way. Each file is looked up in the cache, extracted by a worker process
//! when it must be, classified on a thread of this process and reduced to its [`Material`]
//! records straight away, so memory holds one document per thread, not the drive. Outputs
//! are rendered in full and then moved into place file by file.

mod ahead;
mod cache;
mod disk;
mod in_flight;
mod keys;
mod material;
mod memory;
mod outputs;
mod probes;
mod spool;
mod walk;
pub mod worker;

pub use cache::{Cache, CacheError, DB_FILE, RunInfo, RunStats, extractor_version};
pub use material::{Analysed, analyse_bytes, display_title, material_from, read_scan_file};
pub use memory::return_large_blocks;
pub use outputs::{OutputOptions, annotate, annotations_fingerprint, write_outputs};
pub use walk::{DriveEntry, DriveFiles, walk};
pub use worker::WorkerConfig;

use ahead::StoredAhead;
use cache::{Extraction, IndexedFiles, Known, OutputsRecord, Stat, json_key};
use disk::RecordFile;
use in_flight::InFlight;
use keys::KeyFile;
use kooste_annotations::Curation;
use kooste_classify::{Classifier, Rules};
use kooste_extract::Limits;
use kooste_model::{
    Changes, ErrorKind, ExtractError, INDEX_SCHEMA, Index, Material, Materials, RulesInfo, Status,
    ThemeInfo, View,
};
use material::Item;
use probes::ProbeFile;
use rayon::prelude::*;
use spool::{Slot, Spool, SpooledMaterials};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use walk::Order;
use worker::{Outcome, Pool};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("cannot read drive {path}: {source}")]
    Drive {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad annotations file {path}: {message}")]
    Annotations { path: PathBuf, message: String },
    #[error("extraction worker: {0}")]
    Worker(String),
    #[error("{0}")]
    Cache(String),
    /// Writing the run's materials to their temporary file, or reading them back.
    #[error("the run's materials, kept in a temporary file: {0}")]
    Materials(std::io::Error),
    /// Writing the list of the drive's files or their keys to their temporary files, or
    /// reading them back.
    #[error("the run's list of files, kept in a temporary file: {0}")]
    Files(std::io::Error),
}

/// What a run reads and how.
pub struct ScanConfig<'a> {
    pub drive: &'a Path,
    /// Left out of the walk, so that an output folder inside the drive is not read back.
    pub exclude: Option<&'a Path>,
    pub rules: &'a Rules,
    pub rules_source: String,
    pub limits: Limits,
    /// RFC 3339 time stamp for the index.
    pub generated: String,
    /// Where extraction results and classifications are kept between runs.
    pub cache: Option<&'a Cache>,
    /// Extract in worker processes; `None` extracts in this process.
    pub workers: Option<WorkerConfig>,
    /// Identifies the classifying code (a hash of the program, say), so that a new build
    /// classifies again instead of trusting classifications of an older one.
    pub build_id: String,
    /// Reads scanned PDFs (no text in any page) by OCR; `None` leaves them empty.
    pub ocr: Option<&'a kooste_ocr::Ocr>,
}

/// Where a run's outputs go and what, besides the drive and the classifier, makes them what
/// they are (options, annotations, the output and drive folders): when all of it and every
/// file's materials match the previous run's, and its outputs are untouched, they stand.
pub struct OutputsCheck<'a> {
    pub out: &'a Path,
    pub render_key: String,
}

/// A scan that may find the previous outputs current.
pub enum Scanned {
    /// Nothing changed since the previous run: its outputs stand. The run's figures.
    Current(RunStats),
    /// The drive as it is now, for new outputs.
    Fresh(Box<Scan>),
}

/// Progress of a run, for the command line to show. Called from worker threads.
pub trait Progress: Sync {
    fn started(&self, _files: usize) {}
    fn file_done(&self, _path: &str) {}
}

/// A progress observer that shows nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// The result of a scan: the run's materials (spooled to disk, read back through
/// [`Scan::view`]), its figures, and per drive file the key of its materials for the
/// database index.
pub struct Scan {
    generated: String,
    drive: String,
    rules: RulesInfo,
    themes: Vec<ThemeInfo>,
    materials: SpooledMaterials,
    /// What differs from the previous run, once the outputs are written.
    changes: Option<Changes>,
    pub stats: RunStats,
    /// The drive's files in walk order, and the key of each one's materials.
    files: DriveFiles,
    keys: KeyFile,
    owners: Vec<u32>,
    /// Digest of everything the outputs are made from, when the scan had an [`OutputsCheck`].
    digest: Option<String>,
    /// The thread stopping the worker processes.
    workers: Option<std::thread::JoinHandle<()>>,
}

impl Scan {
    /// The run's materials and what is known of the run, as the outputs read them.
    pub fn view(&self) -> View<'_> {
        View {
            generated: &self.generated,
            drive: &self.drive,
            rules: &self.rules,
            themes: &self.themes,
            materials: &self.materials,
        }
    }

    /// The changes since the previous run, once [`Scan::write_outputs`] has found them.
    pub fn changes(&self) -> Option<&Changes> {
        self.changes.as_ref()
    }

    /// The whole index in memory, for commands that work on it rather than write outputs.
    pub fn into_index(self) -> Result<Index, PipelineError> {
        let documents = self.materials.load().map_err(PipelineError::Materials)?;
        Ok(Index {
            schema: INDEX_SCHEMA,
            generated: self.generated,
            drive: self.drive,
            rules: self.rules,
            themes: self.themes,
            documents,
            changes: self.changes,
        })
    }

    /// Reads the drive's annotations (see [`annotate`]) and puts the materials they correct
    /// in place. A corrected material's file gets a key of its own, so that the database
    /// index rewrites its rows.
    pub fn annotate(&mut self, drive: &Path) -> Result<Curation, PipelineError> {
        let annotations = outputs::read_annotations(drive)?;
        let mut corrected: Vec<(usize, Material)> = Vec::new();
        let curation = kooste_annotations::apply_to(self.view(), &annotations, &mut |at, m| {
            corrected.push((at, m));
        })
        .map_err(PipelineError::Materials)?;
        corrected.sort_by_key(|(at, _)| *at);
        for (at, m) in corrected {
            self.materials
                .replace(at, &m)
                .map_err(PipelineError::Materials)?;
            let owner = self.owners.get(at).map(|&o| o as usize);
            if let (false, Some(owner)) =
                (m.manual.is_empty(), owner.filter(|&o| o < self.keys.len()))
            {
                let annotated = serde_json::to_vec(&m).unwrap_or_default();
                let key = self.keys.get(owner).map_err(PipelineError::Files)?;
                let key =
                    blake3::hash(format!("{}\n{}", key.to_hex(), json_key(&annotated)).as_bytes());
                self.keys.set(owner, &key).map_err(PipelineError::Files)?;
            }
        }
        Ok(curation)
    }

    /// Waits until the worker processes have ended, so that their peak memory is counted
    /// with this process's children.
    pub fn wait_for_workers(&mut self) {
        if let Some(workers) = self.workers.take() {
            // A panic while stopping workers leaves nothing to wait for.
            let _ = workers.join();
        }
    }

    /// Writes the outputs into `out` (see [`write_outputs`]) and, while they are made, the
    /// queryable index into the cache database, uncommitted: [`Scan::record`] commits it
    /// with the run's figures. When the outputs fail, the index is taken back, so that it
    /// still describes the last complete run.
    pub fn write_outputs(
        &mut self,
        out: &Path,
        drive: &Path,
        options: &OutputOptions<'_>,
    ) -> Result<Vec<PathBuf>, PipelineError> {
        self.changes = None;
        let Some(cache) = options.cache else {
            let (written, changes) = outputs::write_outputs_of(out, drive, self.view(), options)?;
            self.changes = changes;
            return Ok(written);
        };
        let owners = &self.owners;
        let files = IndexedFiles::new(&self.files, &self.keys);
        let stage = |view: View<'_>| cache.stage_index(view, &files, owners);
        let changes = |view: View<'_>| cache.changes_since(view, &files, owners);
        let beside = outputs::Beside {
            stage: &stage,
            changes: Some(&changes),
        };
        match outputs::write_outputs_beside(out, drive, self.view(), options, &beside) {
            Ok((written, changes)) => {
                self.changes = changes;
                Ok(written)
            }
            Err(e) => {
                cache.abandon_index();
                Err(e)
            }
        }
    }

    /// Records the run's figures beside the index [`Scan::write_outputs`] wrote, and commits
    /// both. Call after the outputs are in place, with the final figures and the outputs
    /// written (in `out`), which the next run may then keep.
    pub fn record(
        &self,
        cache: &Cache,
        stats: &RunStats,
        out: &Path,
        written: &[PathBuf],
    ) -> Result<(), PipelineError> {
        let outputs = self.digest.as_ref().and_then(|digest| {
            let files = written
                .iter()
                .map(|p| {
                    let meta = std::fs::metadata(out.join(p.file_name()?)).ok()?;
                    let name = p.file_name()?.to_str()?.to_string();
                    Some((
                        name,
                        Stat {
                            size: meta.len(),
                            mtime_ns: mtime_ns(&meta),
                        },
                    ))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(OutputsRecord {
                digest: digest.clone(),
                files,
            })
        });
        let run = RunInfo {
            generated: &self.generated,
            drive: &self.drive,
            rules_source: &self.rules.source,
            rules_hash: &self.rules.hash,
        };
        cache.finish(&run, stats, outputs.as_ref())?;
        Ok(())
    }
}

/// Files looked at together before the scan.
const LOOK_BLOCK: usize = 256;

/// What a look before the scan found of a file. A re-run keeps one per file of the drive
/// through the scan, on disk (see [`probes`]).
enum Probe {
    /// Unchanged since it was stored: its stat, content hash and materials' JSON hash.
    Stored {
        stat: Stat,
        hash: blake3::Hash,
        json_key: blake3::Hash,
    },
    /// It cannot be read (a broken link, a loop, no permission, over the size limit): the
    /// key of the failure it gets, which is all its material depends on.
    Unreadable { key: blake3::Hash },
}

impl Probe {
    /// The key the file's materials had in the run that wrote the outputs, if it is this.
    fn key(&self) -> blake3::Hash {
        match self {
            Probe::Stored { json_key, .. } => *json_key,
            Probe::Unreadable { key } => *key,
        }
    }
}

/// The key of a file's materials when it could not be read: its failure and the classifier
/// (rules and build), without classifying anything, so that a run can tell before the scan
/// that such a file is as the last run found it.
fn failure_key(classify_key: &str, kind: ErrorKind, message: &str, bytes: u64) -> blake3::Hash {
    blake3::hash(
        format!(
            "unreadable\n{classify_key}\n{}\n{message}\n{bytes}",
            kind.as_str()
        )
        .as_bytes(),
    )
}

/// The failure of a file over the size limit.
/// A file's bytes, if it is a regular file (not a pipe or a device, which could block or
/// never end) of at most `limit` bytes: for files named by hand, which no walk has vetted. A
/// file over the limit is refused by its size before it is read, and one that grows while it
/// is read is cut off past the limit, so that memory stays bounded whatever is named.
pub fn read_within(path: &Path, limit: u64) -> Result<Vec<u8>, (ErrorKind, String)> {
    use std::io::Read;
    let io = |e: std::io::Error| (ErrorKind::Io, e.to_string());
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err((
            ErrorKind::Io,
            "not a regular file (a folder, pipe or device): nothing to read".to_string(),
        ));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// The drive as the outputs name it: as given, unless that ends in `.` or `..` (a run from
/// inside the drive), which names no folder; then the folder it stands for.
fn drive_shown(drive: &Path) -> String {
    match drive.file_name() {
        Some(_) => drive.display().to_string(),
        None => std::fs::canonicalize(drive)
            .unwrap_or_else(|_| drive.to_path_buf())
            .display()
            .to_string(),
    }
}

fn too_large(size: u64, limit: u64) -> (ErrorKind, String) {
    (
        ErrorKind::TooLarge,
        format!("file of {size} bytes is over the limit of {limit} bytes"),
    )
}

/// The digest of the inputs of a run's outputs: classifier, render key, and every file with
/// the hash of its materials (`key_of` its position), in walk order.
fn outputs_digest(
    classify_key: &str,
    render_key: &str,
    files: &DriveFiles,
    mut key_of: impl FnMut(usize) -> std::io::Result<blake3::Hash>,
) -> std::io::Result<String> {
    let mut h = blake3::Hasher::new();
    h.update(classify_key.as_bytes());
    h.update(b"\n");
    h.update(render_key.as_bytes());
    let mut files = files.cursor(Order::Added)?;
    while let Some(at) = files.position() {
        h.update(b"\n");
        h.update(files.path().as_bytes());
        h.update(b"\0");
        // As hex text: the digest of a run stored before keys were held as bytes still holds.
        h.update(key_of(at)?.to_hex().as_bytes());
        files.advance()?;
    }
    Ok(h.finalize().to_hex().to_string())
}

/// How each file's materials were obtained.
#[derive(Default)]
struct Counts {
    stat_hits: AtomicU64,
    hashed: AtomicU64,
    unchanged: AtomicU64,
    reclassified: AtomicU64,
    extracted: AtomicU64,
}

/// What became of a file in the scan.
// Moved once, straight to the spool: a box would give every material a block of its own.
#[allow(clippy::large_enum_variant)]
enum Processed {
    Done(FileResult),
    /// A copy of content that another thread is extracting: classified after the scan.
    PutAside,
}

struct FileResult {
    /// Hash of the materials' JSON: the database index rewrites the file's rows when it
    /// changes.
    key: blake3::Hash,
    materials: FileMaterials,
}

/// A file's materials: nearly always one, moved inline to the spool rather than through a
/// small block of its own.
#[allow(clippy::large_enum_variant)] // inline is the point
enum FileMaterials {
    One(Material),
    Many(Vec<Material>),
}

impl From<Vec<Material>> for FileMaterials {
    fn from(mut materials: Vec<Material>) -> Self {
        match (materials.len(), materials.pop()) {
            (1, Some(m)) => FileMaterials::One(m),
            (_, last) => {
                materials.extend(last);
                FileMaterials::Many(materials)
            }
        }
    }
}

impl IntoIterator for FileMaterials {
    type Item = Material;
    type IntoIter = std::iter::Chain<std::option::IntoIter<Material>, std::vec::IntoIter<Material>>;

    fn into_iter(self) -> Self::IntoIter {
        let (one, many) = match self {
            FileMaterials::One(m) => (Some(m), Vec::new()),
            FileMaterials::Many(v) => (None, v),
        };
        one.into_iter().chain(many)
    }
}

struct Context<'a> {
    config: &'a ScanConfig<'a>,
    /// Built on first need: a run that finds its outputs current classifies nothing.
    classifier: OnceLock<Classifier>,
    classify_key: String,
    pool: Option<Pool>,
    counts: Counts,
    in_flight: InFlight,
    /// Held while a large document is decoded and classified (see [`LARGE_TEXT_BYTES`]).
    large: Mutex<()>,
}

/// A document with this much text, or a stored extraction this large compressed, is worked
/// on by one thread at a time. Its text, decoded, normalised and scanned, takes several times
/// its size in memory; with every thread on one, a run's peak memory rose with how many such
/// documents the drive holds (the odds that two meet), not with the largest of them.
const LARGE_TEXT_BYTES: usize = 256 * 1024;
const LARGE_BLOB_BYTES: usize = 64 * 1024;

/// Waits for the turn to work on a large document, unless this file has it already.
fn take_large<'a>(ctx: &'a Context<'_>, large: &mut Option<MutexGuard<'a, ()>>) {
    if large.is_none() {
        *large = Some(ctx.large.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// The bytes of text of `items`.
fn text_bytes(items: &[Item]) -> usize {
    items
        .iter()
        .filter_map(|i| i.result.as_ref().ok())
        .flat_map(|d| &d.pages)
        .map(|p| p.text.len())
        .sum()
}

impl Context<'_> {
    fn classifier(&self) -> &Classifier {
        self.classifier
            .get_or_init(|| Classifier::new(self.config.rules))
    }
}

/// Walks the drive and analyses every file on it into the index. Works on the threads of
/// the rayon pool it is called in (and as many worker processes): the caller sets how many by
/// installing a pool of that size.
pub fn scan(config: &ScanConfig<'_>, progress: &dyn Progress) -> Result<Scan, PipelineError> {
    match scan_with(config, progress, None)? {
        Scanned::Fresh(mut scan) => {
            scan.wait_for_workers();
            Ok(*scan)
        }
        // Without a check there is nothing to find current.
        Scanned::Current(_) => Err(PipelineError::Cache(
            "a scan without outputs found them current".to_string(),
        )),
    }
}

/// [`scan`], unless every file, the classifier and the render key are as the previous run
/// in `check.out` saw them and its outputs are untouched: then the outputs stand, and only
/// the run's figures come back.
pub fn scan_or_keep(
    config: &ScanConfig<'_>,
    progress: &dyn Progress,
    check: &OutputsCheck<'_>,
) -> Result<Scanned, PipelineError> {
    scan_with(config, progress, Some(check))
}

fn scan_with(
    config: &ScanConfig<'_>,
    progress: &dyn Progress,
    check: Option<&OutputsCheck<'_>>,
) -> Result<Scanned, PipelineError> {
    let classify_key = blake3::hash(
        format!(
            "{}\n{}\n{}\n{}",
            config.rules.hash(),
            extractor_version(),
            config.build_id,
            config.ocr.map(kooste_ocr::Ocr::key).unwrap_or_default()
        )
        .as_bytes(),
    )
    .to_hex()
    .to_string();
    // What the cache holds is read while the drive is walked: neither needs the other.
    let (entries, stored) = std::thread::scope(|scope| {
        let stored = scope.spawn(|| match (check, config.cache) {
            (Some(_), Some(cache)) => cache.classified_files(&classify_key),
            _ => None,
        });
        let entries = walk(config.drive, config.exclude);
        (entries, stored.join().ok().flatten())
    });
    let entries = entries?;
    let ctx = Context {
        config,
        classifier: OnceLock::new(),
        classify_key,
        pool: config.workers.clone().map(Pool::new),
        counts: Counts::default(),
        in_flight: InFlight::default(),
        large: Mutex::new(()),
    };
    // First the cheap look: which files are as the previous run left them. On a first run
    // there is nothing to look at. Otherwise a file on disk holds what the cache knows of
    // each file, and then, in its place, what the look found.
    let probes: Option<ProbeFile> = match stored {
        Some(stored) if !stored.is_empty() => {
            let files = PipelineError::Files;
            let probes = ProbeFile::new(entries.len()).map_err(files)?;
            stored.matched(&entries, &probes).map_err(files)?;
            // In blocks of files: a read of their records and paths, and a write of what
            // the look found, instead of three system calls a file.
            let n = entries.len();
            (0..n.div_ceil(LOOK_BLOCK))
                .into_par_iter()
                .try_for_each(|b| {
                    let block = b * LOOK_BLOCK..((b + 1) * LOOK_BLOCK).min(n);
                    let known = probes.get_range(block.clone())?;
                    let paths = entries.rel_paths(block.clone())?;
                    let found: Vec<Option<Probe>> = block
                        .clone()
                        .zip(known.into_iter().zip(paths))
                        .map(|(i, (known, path))| {
                            let known = match known {
                                probes::Entry::Known(k) => Some(k),
                                _ => None,
                            };
                            probe(&ctx, known, &entries.entry(i, path))
                        })
                        .collect();
                    probes.set_probes(block.start, &found)
                })
                .map_err(files)?;
            Some(probes)
        }
        _ => None,
    };
    // In one pass over the probes: whether each file's materials are stored, and whether
    // every file got a probe (then the outputs may stand as they are).
    let (stored_probes, all_probed) = match &probes {
        None => (Vec::new(), false),
        Some(probes) => {
            let mut reader = probes.reader();
            let mut stored = Vec::with_capacity(entries.len());
            let mut all = true;
            for at in 0..entries.len() {
                match reader.get(at).map_err(PipelineError::Files)? {
                    probes::Entry::Probed(p) => stored.push(matches!(p, Probe::Stored { .. })),
                    _ => {
                        all = false;
                        stored.push(false);
                    }
                }
            }
            (stored, all)
        }
    };
    if let (Some(check), Some(cache), Some(probe_file)) = (check, config.cache, &probes)
        && all_probed
    {
        let mut reader = probe_file.reader();
        let digest =
            outputs_digest(
                &ctx.classify_key,
                &check.render_key,
                &entries,
                |at| match reader.get(at)? {
                    probes::Entry::Probed(p) => Ok(p.key()),
                    _ => Err(std::io::Error::other("a file without a probe")),
                },
            )
            .map_err(PipelineError::Files)?;
        if let Some((materials, failed)) = cache.outputs_current(&digest, check.out) {
            let files = entries.len() as u64;
            return Ok(Scanned::Current(RunStats {
                files,
                materials,
                failed,
                stat_hits: files,
                unchanged: files,
                ..RunStats::default()
            }));
        }
    }
    progress.started(entries.len());
    let ahead = config.cache.map(|cache| {
        StoredAhead::new(
            cache,
            &ctx.classify_key,
            &entries,
            stored_probes.iter().copied(),
        )
    });
    // Each file's key goes to disk as the file is done.
    let keys = KeyFile::new(entries.len()).map_err(PipelineError::Files)?;
    let failure: Mutex<Option<PipelineError>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    // Each material goes to the spool as its file is done; memory keeps where it lies.
    let spool = Spool::new().map_err(PipelineError::Materials)?;
    let assembly = Mutex::new(Assembly::new().map_err(PipelineError::Materials)?);
    let fail = |e: PipelineError| {
        stop.store(true, Ordering::Relaxed);
        failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(e);
        false
    };
    // A file done counts; a file put aside comes back later; a failure stops the scan.
    let settle = |i: usize, processed: Result<Processed, PipelineError>, file: &str| match processed
    {
        Ok(Processed::Done(r)) => {
            let spooled = assembly
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(&spool, i as u32, file, r.materials);
            if let Err(e) = spooled {
                return fail(PipelineError::Materials(e));
            }
            if let Err(e) = keys.set(i, &r.key) {
                return fail(PipelineError::Files(e));
            }
            progress.file_done(file);
            true
        }
        Ok(Processed::PutAside) => false,
        Err(e) => fail(e),
    };
    // Reads the file's path, processes it and settles it: whether it is done.
    let run = |i: usize, ahead: Option<&StoredAhead<'_>>, probe: Option<Probe>| match entries.get(i)
    {
        Ok(entry) => settle(i, process(&ctx, ahead, i, &entry, probe), &entry.rel_path),
        Err(e) => fail(PipelineError::Files(e)),
    };
    let mut done: Vec<bool> = Vec::new();
    // A file not taken whole from the cache needs the classifier, whose matcher takes about
    // 10 ms to build. Built beside the scan, it is ready before the first new file has been
    // extracted, instead of standing in that thread's way while the other decodes stored
    // materials.
    let needs_classifier =
        probes.is_none() || stored_probes.len() < entries.len() || stored_probes.contains(&false);
    drop(stored_probes);
    std::thread::scope(|scope| {
        if needs_classifier {
            scope.spawn(|| ctx.classifier());
        }
        (0..entries.len())
            .into_par_iter()
            .map(|i| {
                if stop.load(Ordering::Relaxed) {
                    return false;
                }
                let probe = match probes.as_ref().map(|p| p.get(i)).transpose() {
                    Ok(Some(probes::Entry::Probed(p))) => Some(p),
                    Ok(_) => None,
                    Err(e) => return fail(PipelineError::Files(e)),
                };
                run(i, ahead.as_ref(), probe)
            })
            .collect_into_vec(&mut done);
    });
    // The copies put aside find their content's extraction stored now. Rounds repeat only
    // when that extraction could not be stored (a failure not to remember) and two copies
    // met again; each round finishes at least the copy that claimed the content.
    let mut aside: Vec<usize> = (0..done.len()).filter(|&i| !done[i]).collect();
    drop(done);
    while !aside.is_empty() && !stop.load(Ordering::Relaxed) {
        let round: Vec<(usize, bool)> =
            aside.par_iter().map(|&i| (i, run(i, None, None))).collect();
        aside = round
            .into_iter()
            .filter_map(|(i, done)| (!done).then_some(i))
            .collect();
    }
    if let Some(e) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(e);
    }
    let restarts = ctx.pool.as_ref().map_or(0, Pool::restarts);
    // Workers are stopped on a thread of their own while the outputs are made; the caller
    // waits for them (Scan::wait_for_workers) before reading the children's peak memory.
    let workers = ctx.pool.map(|pool| std::thread::spawn(move || drop(pool)));
    // Every file has its key when none failed.
    let digest = match check {
        Some(c) => {
            let mut keys = keys.reader(true);
            Some(
                outputs_digest(&ctx.classify_key, &c.render_key, &entries, |at| {
                    keys.get(at)
                })
                .map_err(PipelineError::Files)?,
            )
        }
        None => None,
    };
    let drive_files = entries.len() as u64;
    let assembly = assembly
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let failed = assembly.failed;
    let (slots, owners) = assembly.sorted(&entries).map_err(PipelineError::Files)?;
    let materials = SpooledMaterials::new(spool, slots).map_err(PipelineError::Materials)?;
    let c = &ctx.counts;
    let stats = RunStats {
        files: drive_files,
        materials: materials.len() as u64,
        failed,
        stat_hits: c.stat_hits.load(Ordering::Relaxed),
        hashed: c.hashed.load(Ordering::Relaxed),
        unchanged: c.unchanged.load(Ordering::Relaxed),
        reclassified: c.reclassified.load(Ordering::Relaxed),
        extracted: c.extracted.load(Ordering::Relaxed),
        worker_restarts: restarts,
        ..RunStats::default()
    };
    Ok(Scanned::Fresh(Box::new(Scan {
        generated: config.generated.clone(),
        drive: drive_shown(config.drive),
        rules: RulesInfo {
            source: config.rules_source.clone(),
            hash: config.rules.hash().to_string(),
        },
        themes: config.rules.theme_infos(),
        materials,
        changes: None,
        stats,
        files: entries,
        keys,
        owners,
        digest,
        workers,
    })))
}

/// Where the scan's materials lie in the spool, in the order files were done, each with
/// its file's position in walk order. Noted on disk while the scan runs (16 bytes a
/// material), and read back once it is over: the scan holds a document or two being
/// classified, which then do not meet a record that grew with the drive.
struct Assembly {
    /// Per material, its file's position and its slot.
    records: RecordFile<16>,
    /// By the material's place in `records`, its path where it is not its file's (an
    /// archive's member): few, so kept apart.
    paths: Vec<(u32, Box<str>)>,
    /// Materials that could not be read.
    failed: u64,
}

impl Assembly {
    fn new() -> std::io::Result<Assembly> {
        Ok(Assembly {
            records: RecordFile::new()?,
            paths: Vec::new(),
            failed: 0,
        })
    }

    /// Spools the materials of the file at `owner` in walk order, whose path is `file`.
    fn push(
        &mut self,
        spool: &Spool,
        owner: u32,
        file: &str,
        materials: FileMaterials,
    ) -> std::io::Result<()> {
        for m in materials {
            let at = u32::try_from(self.records.len())
                .map_err(|_| std::io::Error::other("more materials than one run can take"))?;
            let mut record = [0u8; 16];
            record[..4].copy_from_slice(&owner.to_le_bytes());
            record[4..].copy_from_slice(&spool.push(&m)?.to_bytes());
            self.records.push(record)?;
            self.failed += u64::from(m.status == Status::Error);
            if m.path != file {
                self.paths.push((at, m.path.into_boxed_str()));
            }
        }
        Ok(())
    }

    /// The slots in path order, and their owners. Ties (an archive may name two members
    /// alike) keep walk order and, within a file, its own order, whatever order the files
    /// were done in.
    ///
    /// The files' paths wait on disk, so the order is found without comparing them: a file's
    /// own materials follow the files' order in path order (walk order on all but odd
    /// drives), and only an archive's members, whose paths are in memory, are merged in by
    /// path in one pass over the files' paths.
    fn sorted(mut self, entries: &DriveFiles) -> std::io::Result<(Vec<Slot>, Vec<u32>)> {
        let mut slots = Vec::with_capacity(self.records.len());
        let mut owners = Vec::with_capacity(self.records.len());
        self.records.each(|r| {
            let mut owner = [0u8; 4];
            owner.copy_from_slice(&r[..4]);
            owners.push(u32::from_le_bytes(owner));
            let mut slot = [0u8; 12];
            slot.copy_from_slice(&r[4..]);
            slots.push(Slot::from_bytes(slot));
            Ok(())
        })?;
        let member = |k: u32| walk::at_position(&self.paths, k as usize).map(|p| &**p);
        let owner = |k: u32| owners.get(k as usize).copied().unwrap_or(u32::MAX);
        let n = slots.len() as u32;
        let mut own: Vec<u32> = (0..n).filter(|&k| member(k).is_none()).collect();
        match entries.path_ranks() {
            None => own.sort_by_key(|&k| owner(k)),
            Some(ranks) => {
                own.sort_by_key(|&k| ranks.get(owner(k) as usize).copied().unwrap_or(u32::MAX))
            }
        }
        let mut members: Vec<u32> = self.paths.iter().map(|(k, _)| *k).collect();
        members.sort_by_key(|&k| (member(k), owner(k), k));
        let mut members = members.into_iter().peekable();
        let mut order: Vec<u32> = Vec::with_capacity(slots.len());
        let mut files = entries.cursor(Order::Path)?;
        for k in own {
            let at = owner(k);
            if !files.seek_position(at as usize)? {
                return Err(std::io::Error::other(format!(
                    "file {at} is not where the path order of the files has it"
                )));
            }
            let here = (Some(files.path()), at, k);
            while let Some(m) = members.next_if(|&m| (member(m), owner(m), m) < here) {
                order.push(m);
            }
            order.push(k);
        }
        order.extend(members);
        let slot = |k: u32| slots.get(k as usize).copied();
        Ok((
            order.iter().filter_map(|&k| slot(k)).collect(),
            order.iter().map(|&k| owner(k)).collect(),
        ))
    }
}

/// When the file last changed, in nanoseconds: its contents (modification time) or, on Unix,
/// what is known of it (status change time: permissions, owner, links). A file whose
/// permissions were taken away since the last run has the same size and modification time,
/// and without the status change the cache would keep calling it readable.
fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let changed = meta
            .ctime()
            .saturating_mul(1_000_000_000)
            .saturating_add(meta.ctime_nsec());
        modified.max(changed)
    }
    #[cfg(not(unix))]
    {
        modified
    }
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// A file whose size and time match the previous run's and whose materials are stored under
/// today's classifier, or a file that cannot be read at all.
fn probe(ctx: &Context<'_>, known: Option<Known>, entry: &DriveEntry<'_>) -> Option<Probe> {
    let unreadable = |kind: ErrorKind, message: &str, bytes: u64| Probe::Unreadable {
        key: failure_key(&ctx.classify_key, kind, message, bytes),
    };
    if let Some(message) = entry.walk_error {
        return Some(unreadable(ErrorKind::Io, message, 0));
    }
    let meta = std::fs::metadata(entry.path(ctx.config.drive)).ok()?;
    let limit = ctx.config.limits.max_file_bytes;
    if meta.len() > limit {
        let (kind, message) = too_large(meta.len(), limit);
        return Some(unreadable(kind, &message, meta.len()));
    }
    let stat = Stat {
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
    };
    let stored = known
        .filter(|k| k.stat == stat)
        .map(|k| (k.hash, k.json_key));
    match stored {
        Some((hash, json_key)) => Some(Probe::Stored {
            stat,
            hash,
            json_key,
        }),
        // Not stored: new or changed, unless it cannot even be opened (as `hash_file` would
        // find when the scan reads it).
        None => match std::fs::File::open(entry.path(ctx.config.drive)) {
            Ok(_) => None,
            Err(e) => Some(unreadable(ErrorKind::Io, &e.to_string(), stat.size)),
        },
    }
}

/// One drive file to its materials, by the cheapest way the cache allows. `probe` is what
/// an earlier look found of it; `ahead` reads the stored materials of file `at` (in walk
/// order) with those of the files after it.
fn process(
    ctx: &Context<'_>,
    ahead: Option<&StoredAhead<'_>>,
    at: usize,
    entry: &DriveEntry<'_>,
    probe: Option<Probe>,
) -> Result<Processed, PipelineError> {
    let config = ctx.config;
    let done_json = |materials: Vec<Material>, json: &[u8]| {
        Ok(Processed::Done(FileResult {
            key: blake3::hash(json),
            materials: materials.into(),
        }))
    };
    // Keyed by the failure, as `probe` keys an unreadable file before the scan.
    let fail = |bytes: u64, kind: ErrorKind, message: String| {
        let key = failure_key(&ctx.classify_key, kind, &message, bytes);
        let a = material::failed_analysed(entry, bytes, ExtractError::new(kind, message));
        Ok(Processed::Done(FileResult {
            key,
            materials: FileMaterials::One(material_from(&a, ctx.classifier())),
        }))
    };
    let cache = config.cache;
    // An unreadable file is found so again below, with its reason.
    let stored = probe.and_then(|p| match p {
        Probe::Stored { stat, hash, .. } => Some((stat, hash.to_hex().to_string())),
        Probe::Unreadable { .. } => None,
    });
    let stat = match &stored {
        Some((stat, _)) => stat.clone(),
        None => {
            if let Some(message) = entry.walk_error {
                return fail(0, ErrorKind::Io, message.to_string());
            }
            let meta = match std::fs::metadata(entry.path(ctx.config.drive)) {
                Ok(m) => m,
                Err(e) => return fail(0, ErrorKind::Io, e.to_string()),
            };
            if meta.len() > config.limits.max_file_bytes {
                let (kind, message) = too_large(meta.len(), config.limits.max_file_bytes);
                return fail(meta.len(), kind, message);
            }
            Stat {
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
            }
        }
    };
    let ext = material::extension(&entry.rel_path);

    // 1. Unchanged file under unchanged rules: its materials as they were.
    let mut known_hash = None;
    if let Some(cache) = cache {
        known_hash = match &stored {
            Some((_, hash)) => Some(hash.clone()),
            None => cache.hash_for(&entry.rel_path, &stat),
        };
        let stat_hit = known_hash.is_some();
        if stat_hit {
            ctx.counts.stat_hits.fetch_add(1, Ordering::Relaxed);
        } else {
            match hash_file(&entry.path(ctx.config.drive)) {
                Ok(h) => {
                    ctx.counts.hashed.fetch_add(1, Ordering::Relaxed);
                    known_hash = Some(h);
                }
                Err(e) => return fail(stat.size, ErrorKind::Io, e.to_string()),
            }
        }
        // Read here rather than with the look before the scan: held from then on, every
        // stored material of the drive would be in memory at once.
        let probed = stored.is_some();
        let stored = known_hash.as_ref().and_then(|hash| match ahead {
            Some(ahead) if probed => ahead.take(at, &entry.rel_path, hash),
            _ => cache.materials_for(&entry.rel_path, hash, &ctx.classify_key),
        });
        if let (Some(hash), Some((materials, json))) = (&known_hash, stored) {
            ctx.counts.unchanged.fetch_add(1, Ordering::Relaxed);
            if !stat_hit {
                // Touched but unchanged: record the new time so the next run need not read it.
                cache.store_file(
                    &entry.rel_path,
                    &stat,
                    hash,
                    Some((&ctx.classify_key, &json)),
                )?;
            }
            return done_json(materials, &json);
        }
    }

    // 2. Known content (a copy, a rename, or new rules): classify the stored extraction.
    let (timeout_ms, memory_mib) = budgets(ctx);
    // Held to the end of this file's work once it turns out to be large.
    let mut large: Option<MutexGuard<'_, ()>> = None;
    let stored_extraction = |large: &mut Option<_>| {
        let blob = match (cache, &known_hash) {
            (Some(cache), Some(hash)) => cache.extraction_blob(hash, &ext, timeout_ms, memory_mib),
            _ => None,
        }?;
        if blob.len() >= LARGE_BLOB_BYTES {
            take_large(ctx, large);
        }
        let items = cache::decode_extraction(&blob);
        if items.is_none() {
            // Damaged: the file is extracted again, and need not hold up the others meanwhile.
            *large = None;
        }
        items
    };
    let mut cached_items = stored_extraction(&mut large);
    // Held until the extraction is stored, so that copies met meanwhile wait for it.
    let mut claim = None;
    if let (None, Some(cache), Some(hash)) = (&cached_items, cache, &known_hash)
        && cache.reads()
    {
        match ctx.in_flight.claim(hash, &ext) {
            // Stored between the look above and the claim, perhaps.
            Some(c) => {
                claim = Some(c);
                cached_items = stored_extraction(&mut large);
            }
            None => return Ok(Processed::PutAside),
        }
    }
    let (hash, items, store) = match cached_items {
        Some(items) => {
            ctx.counts.reclassified.fetch_add(1, Ordering::Relaxed);
            (known_hash.clone().unwrap_or_default(), items, false)
        }
        // 3. New content: extract it.
        None => {
            ctx.counts.extracted.fetch_add(1, Ordering::Relaxed);
            let (hash, items, cacheable) = extract(ctx, entry, &mut large)?;
            (hash, items, cacheable)
        }
    };
    if text_bytes(&items) >= LARGE_TEXT_BYTES {
        take_large(ctx, &mut large);
    }
    let (timed_out, out_of_memory) = cache::budget_failure(&items);
    let cache = cache.filter(|_| !hash.is_empty());
    // The extraction is stored before the items are classified, so that classifying can
    // consume them: a copy of every document's text would otherwise sit beside the original.
    if let (Some(cache), true) = (cache, store) {
        cache.store_extraction(&Extraction {
            hash: &hash,
            ext: &ext,
            format: items.first().map_or("unknown", |i| i.format.as_str()),
            items: &items,
            timeout_ms: timed_out.then_some(timeout_ms),
            memory_mib: out_of_memory.then_some(memory_mib),
        })?;
    }
    let mut items = items;
    let mut notes = Vec::with_capacity(items.len());
    // A scan that OCR could not read, or that changed while it was read, is read again
    // next time: its materials are not kept.
    let mut read_again = false;
    // The file changed between its hashing and its extraction: what OCR read would be kept
    // under content no file row holds, and swept at the end of the run.
    let current = known_hash.is_none() || known_hash.as_deref() == Some(hash.as_str());
    for item in &mut items {
        notes.push(
            match read_scan(ctx, entry, &stat, (&hash, current), item)? {
                ScanText::NotAScan => None,
                ScanText::Read(note) => Some(note),
                ScanText::NotRead(note) | ScanText::Stopped(note) => {
                    read_again = true;
                    Some(note)
                }
                // Its extraction is stored: after the scan, it finds what OCR read stored too.
                ScanText::BeingRead => return Ok(Processed::PutAside),
            },
        );
    }
    drop(claim);
    let materials: Vec<Material> = items
        .into_iter()
        .zip(notes)
        .map(|(item, ocr)| {
            let mut m = material_from(&item.into_analysed(&entry.rel_path), ctx.classifier());
            m.ocr = ocr;
            if ctx.config.ocr.is_some() {
                m.picture_pages.clear();
            }
            m
        })
        .collect();
    let json = serde_json::to_vec(&materials).unwrap_or_default();
    // The worker hashed what it read; if the file changed since we hashed it, the stat row
    // would be a lie, so it is left for the next run to redo.
    if let (Some(cache), true) = (cache, known_hash.as_deref() == Some(hash.as_str())) {
        let by_budget = timed_out || out_of_memory || read_again;
        cache.store_file(
            &entry.rel_path,
            &stat,
            &hash,
            (!by_budget).then_some((ctx.classify_key.as_str(), json.as_slice())),
        )?;
    }
    done_json(materials, &json)
}

/// What became of a document with OCR on.
enum ScanText {
    /// Not a scan, or OCR is off: nothing to say.
    NotAScan,
    /// How the scan was read.
    Read(String),
    /// Why it could not be read this time.
    NotRead(String),
    /// What was read, or why nothing was, within budgets (time, memory) that stopped it: it is
    /// kept, and read again when the budgets are raised.
    Stopped(String),
    /// Another thread is reading a copy of this scan right now.
    BeingRead,
}

/// Why OCR's reading of a file that changed meanwhile is not used.
const CHANGED_WHILE_READ: &str =
    "OCR not used: the file changed while it was read; it is read again on the next run";

/// The in-flight key of reading a scan's content by OCR, beside its extraction's keys.
const OCR_IN_FLIGHT: &str = "\0ocr";

/// With OCR on, reads the text of a scan into `item` and says how it was read, or why it
/// could not be. A scan here is a PDF in which no page has text, or a picture: a file of the
/// drive, or a member of an archive or a message on it, which a worker copies out for OCR
/// to read. What OCR read is kept in the cache beside the extraction, so a scan is read
/// once, copies of its file included.
fn read_scan(
    ctx: &Context<'_>,
    entry: &DriveEntry<'_>,
    stat: &Stat,
    (hash, current): (&str, bool),
    item: &mut Item,
) -> Result<ScanText, PipelineError> {
    let Some(ocr) = ctx.config.ocr else {
        return Ok(ScanText::NotAScan);
    };
    let Ok(doc) = item.result.as_mut() else {
        return Ok(ScanText::NotAScan);
    };
    let Some(scan) = material::scan_of(doc) else {
        return Ok(ScanText::NotAScan);
    };
    let (suffix, content) = (item.suffix.as_str(), item.hash.as_str());
    if !current {
        return Ok(ScanText::NotRead(CHANGED_WHILE_READ.to_string()));
    }
    // A member's reading is kept under the file's content, so that it leaves the cache with
    // the file as extractions do, and the member's place and content: two members can have
    // one place (a folder `a/` beside an archive `a`).
    let member = if suffix.is_empty() {
        String::new()
    } else {
        format!("{suffix}@{content}")
    };
    let member = member.as_str();
    let key = ocr.key();
    let cache = ctx.config.cache.filter(|_| !hash.is_empty());
    let stored = || {
        cache
            .and_then(|c| c.ocr_reading(hash, member, &key))
            .and_then(|json| serde_json::from_slice::<material::ScanReading>(&json).ok())
    };
    // A reading stopped at budgets smaller than this run's is read again.
    let (time_ms, memory_mib) = budgets(ctx);
    let stored = || {
        stored().filter(|r| {
            r.stopped_at
                .is_none_or(|(t, m)| time_ms <= t && memory_mib <= m)
        })
    };
    let mut reading = stored();
    // Held while this thread reads the scan; a copy met meanwhile is put aside, and after
    // the scan finds what was read.
    let mut claim = None;
    if let (None, Some(cache)) = (&reading, cache)
        && cache.reads()
    {
        match ctx
            .in_flight
            .claim(hash, &format!("{OCR_IN_FLIGHT}{member}"))
        {
            // Read and stored between the look above and the claim, perhaps.
            Some(c) => {
                claim = Some(c);
                reading = stored();
            }
            None => return Ok(ScanText::BeingRead),
        }
    }
    let reading = match reading {
        Some(reading) => reading,
        None => {
            let path = entry.path(ctx.config.drive);
            let read = match scan {
                material::Scan::Pictures | material::Scan::SlidePictures(_) => read_pictures(
                    ctx,
                    ocr,
                    (&path, entry),
                    (suffix, content),
                    (doc.pages.len(), scan.slides()),
                ),
                _ => read_file(ctx, ocr, &scan, (&path, entry), (suffix, content)),
            }?;
            let (reading, from_copy) = match read {
                Ok(read) => read,
                Err(why) => return Ok(ScanText::NotRead(why)),
            };
            // OCR reads the file again, maybe minutes after it was hashed: text read from
            // other content must not be kept under this content's hash.
            // (A copy was checked against its content's hash as it was made.)
            let now = std::fs::metadata(&path).ok().map(|m| Stat {
                size: m.len(),
                mtime_ns: mtime_ns(&m),
            });
            if !from_copy && now.as_ref() != Some(stat) {
                return Ok(ScanText::NotRead(CHANGED_WHILE_READ.to_string()));
            }
            if let Some(cache) = cache {
                let json = serde_json::to_vec(&reading).unwrap_or_default();
                cache.store_ocr((hash, member), doc.format.as_str(), &key, &json)?;
            }
            reading
        }
    };
    if reading.changes_nothing(&scan) {
        return Ok(ScanText::NotAScan);
    }
    drop(claim);
    let stopped = reading.stopped_at.is_some();
    let note = material::apply_reading(doc, reading, &ocr.describe());
    // The materials are not kept, as those of a file whose extraction was stopped are not:
    // each run looks at the budgets again.
    Ok(if stopped {
        ScanText::Stopped(note)
    } else {
        ScanText::Read(note)
    })
}

/// What OCR read, and whether from a copy checked against the content's hash as it was
/// made; or why nothing was read.
type Reading = Result<(material::ScanReading, bool), String>;

/// Reads a scan or a picture by OCR: the file at `path` itself, or a private copy of its
/// member (suffix, content hash).
fn read_file(
    ctx: &Context<'_>,
    ocr: &kooste_ocr::Ocr,
    scan: &material::Scan,
    (path, entry): (&Path, &DriveEntry<'_>),
    member: (&str, &str),
) -> Result<Reading, PipelineError> {
    // A member is read from a private copy, which is removed however the read ends.
    let copy = match copy_out(ctx, path, entry, member)? {
        Ok(copy) => copy,
        Err(why) => return Ok(Err(format!("OCR not used: {why}"))),
    };
    let scan_file = copy.as_ref().map_or(path, material::ScanCopy::path);
    Ok(match material::read_by_ocr(ocr, scan, scan_file) {
        Ok(reading) => Ok((reading, copy.is_some())),
        // Only this machine's trouble (no temporary folder, say): what fails on a page is in
        // the reading, and is kept like any reading, under the programs' versions and
        // budgets, so that it is tried again when they change.
        Err(e) => Err(material::ocr_failure(&e)),
    })
}

/// Reads by OCR the pictures that a document of `pages` pages without text shows (or, of a
/// presentation with text, its `slides` without words): the file at `path`, or its member
/// (suffix, content hash). A worker, where there are workers, opens
/// the document and copies its pictures out, checked against the content's hash.
fn read_pictures(
    ctx: &Context<'_>,
    ocr: &kooste_ocr::Ocr,
    (path, entry): (&Path, &DriveEntry<'_>),
    member: (&str, &str),
    (pages, slides): (usize, Option<&[u32]>),
) -> Result<Reading, PipelineError> {
    let only = slides.unwrap_or_default();
    let copies = match material::PictureCopies::make(|to| match &ctx.pool {
        Some(pool) => pool.copy_pictures(path, &entry.rel_path, member, to, only),
        None => Ok(material::copy_pictures(
            path,
            &entry.rel_path,
            member,
            to,
            &ctx.config.limits,
            only,
        )),
    })? {
        Ok(copies) => copies,
        Err(why) => return Ok(Err(format!("OCR not used: {why}"))),
    };
    Ok(
        match material::read_pictures_by_ocr(ocr, &copies, pages, slides) {
            Ok(mut reading) => {
                reading.stopped_at = copies.stopped().then(|| budgets(ctx));
                Ok((reading, true))
            }
            Err(e) => Err(material::ocr_failure(&e)),
        },
    )
}

/// For an archive member or an attachment, a private copy of its bytes for OCR to read, made
/// by a worker where there are workers (it opens the containers again); `None` for a file of
/// the drive itself, which OCR reads where it is. Why no copy could be made, when the member
/// is gone or is no longer what was extracted.
fn copy_out(
    ctx: &Context<'_>,
    path: &Path,
    entry: &DriveEntry<'_>,
    (suffix, content): (&str, &str),
) -> Result<Result<Option<material::ScanCopy>, String>, PipelineError> {
    if suffix.is_empty() {
        return Ok(Ok(None));
    }
    Ok(material::ScanCopy::make(suffix, |to| match &ctx.pool {
        Some(pool) => pool.copy_member(path, &entry.rel_path, (suffix, content), to),
        None => Ok(material::copy_member(
            path,
            &entry.rel_path,
            (suffix, content),
            to,
            &ctx.config.limits,
        )),
    })?
    .map(Some))
}

/// The time and memory budgets a stored failure is compared against.
fn budgets(ctx: &Context<'_>) -> (u64, u64) {
    match &ctx.pool {
        Some(pool) => (pool.time_limit().as_millis() as u64, pool.memory_mib()),
        None => (ctx.config.limits.time_limit.as_millis() as u64, u64::MAX),
    }
}

/// Extracts one file, in a worker when there are workers. Returns the hash of what was
/// read, the items, and whether the result may be cached.
fn extract<'a>(
    ctx: &'a Context<'_>,
    entry: &DriveEntry<'_>,
    large: &mut Option<MutexGuard<'a, ()>>,
) -> Result<(String, Vec<Item>, bool), PipelineError> {
    let Some(pool) = &ctx.pool else {
        let (hash, items) = material::extract_in_process(
            &entry.path(ctx.config.drive),
            &entry.rel_path,
            &ctx.config.limits,
        );
        return Ok((hash, items, true));
    };
    let waiting = || {
        if let Some(cache) = ctx.config.cache {
            cache.commit_if_due();
        }
    };
    // A large answer is decoded in its turn, as a large stored extraction is.
    let mut answered = |bytes: usize| {
        if bytes >= LARGE_TEXT_BYTES {
            take_large(ctx, large);
        }
    };
    Ok(
        match pool.extract(
            &entry.path(ctx.config.drive),
            &entry.rel_path,
            &waiting,
            &mut answered,
        )? {
            Outcome::Done(r) => (r.hash, r.items, true),
            Outcome::Failed { error, cacheable } => {
                // The worker read the file but could not say its hash: hash it here, so that
                // the failure is remembered for this content only.
                let hash = hash_file(&entry.path(ctx.config.drive)).unwrap_or_default();
                let item = Item::failed(
                    kooste_extract::sniff(&entry.rel_path, &[]),
                    std::fs::metadata(entry.path(ctx.config.drive)).map_or(0, |m| m.len()),
                    &hash,
                    error,
                );
                (hash, vec![item], cacheable)
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{Assembly, DriveFiles, FileMaterials, Spool, SpooledMaterials};
    use kooste_model::Materials;

    fn m(path: &str) -> kooste_model::Material {
        let json = format!(
            r#"{{"path": "{path}", "format": "txt", "bytes": 1, "hash": "h", "title": "t",
                "city": null, "tp": [], "themes": [], "status": "ok", "error": null,
                "pages": 1, "chars": 1}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn file_materials_keep_their_order_and_number() {
        let paths = |f: FileMaterials| -> Vec<String> { f.into_iter().map(|m| m.path).collect() };
        let one = FileMaterials::from(vec![m("a.pdf")]);
        assert!(matches!(one, FileMaterials::One(_)));
        assert_eq!(paths(one), ["a.pdf"]);
        assert!(paths(FileMaterials::from(Vec::new())).is_empty());
        let three = FileMaterials::from(vec![m("z.zip/a"), m("z.zip/b"), m("z.zip/c")]);
        assert_eq!(paths(three), ["z.zip/a", "z.zip/b", "z.zip/c"]);
    }

    /// Materials pushed for the files `walked` (in walk order), out of walk order, read
    /// back: "path title" each, and their owners' paths.
    fn assembled(walked: [&str; 4]) -> (Vec<String>, Vec<String>) {
        let entries = DriveFiles::of_paths(walked);
        let at = |path: &str| {
            walked
                .iter()
                .position(|p| *p == path)
                .unwrap_or_else(|| panic!("{path} walked")) as u32
        };
        let spool = Spool::new().unwrap_or_else(|e| panic!("{e}"));
        let mut assembly = Assembly::new().unwrap_or_else(|e| panic!("{e}"));
        let mut push = |file: &str, materials: Vec<kooste_model::Material>| {
            assembly
                .push(&spool, at(file), file, materials.into())
                .unwrap_or_else(|e| panic!("{e}"));
        };
        // Done out of walk order; an archive naming two members alike keeps its own order.
        push("b.txt", vec![m("b.txt")]);
        let mut second = m("dup.zip/x");
        second.title = "toinen".into();
        push("dup.zip", vec![m("dup.zip/x"), second]);
        push("a.zip", vec![m("a.zip/z.txt"), m("a.zip/m.txt")]);
        push("a.zip-x.txt", vec![m("a.zip-x.txt")]);
        let (slots, owners) = assembly.sorted(&entries).unwrap_or_else(|e| panic!("{e}"));
        let materials = SpooledMaterials::new(spool, slots).unwrap_or_else(|e| panic!("{e}"));
        let mut read = Vec::new();
        materials
            .each(&mut |m| {
                read.push(format!("{} {}", m.path, m.title));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let owners = owners
            .iter()
            .map(|&o| {
                entries
                    .rel_path(o as usize)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        (read, owners)
    }

    #[test]
    fn spooled_materials_come_back_in_path_order_whatever_order_files_were_done_in() {
        let want = [
            "a.zip-x.txt t",
            "a.zip/m.txt t",
            "a.zip/z.txt t",
            "b.txt t",
            "dup.zip/x t",
            "dup.zip/x toinen",
        ];
        let want_owners = [
            "a.zip-x.txt",
            "a.zip",
            "a.zip",
            "b.txt",
            "dup.zip",
            "dup.zip",
        ];
        // A walk in path order, and one that is not (the order is then worked out).
        for walked in [
            ["a.zip", "a.zip-x.txt", "b.txt", "dup.zip"],
            ["dup.zip", "b.txt", "a.zip-x.txt", "a.zip"],
        ] {
            let (read, owners) = assembled(walked);
            assert_eq!(read, want, "{walked:?}");
            assert_eq!(owners, want_owners, "{walked:?}");
        }
    }
}
