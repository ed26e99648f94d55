//! A deterministic mutation sweep over the shared corpus: each file (up to a size cap, a
//! sample per folder) is cut short at several points, has bytes flipped by a seeded PRNG, and,
//! when it is a ZIP container, has one member's compressed data corrupted, its central
//! directory damaged, a member removed and a member renamed. These are the files a share
//! drive collects: truncated uploads, half-synced copies, damaged packages.
//!
//! Every mutant must end in a document or a typed error. A panic located in our code fails the
//! test even when it was contained; one inside a third-party crate is contained by design and
//! is counted and listed. Time is bounded by each mutant's deadline ([`Limits::time_limit`]);
//! memory by a counting allocator whose peak must stay under [`HEAP_BOUND`].
//!
//! Knobs: `KOOSTE_SWEEP_PER_FOLDER` (files per corpus folder, default 100),
//! `KOOSTE_SWEEP_MAX_BYTES` (size cap, default 1 MiB), `KOOSTE_SWEEP_SEED` (default fixed),
//! `KOOSTE_CORPUS` (the corpus folder). Run with `--nocapture` to see the figures.

use kooste_extract::{Error, Limits, archive_members, extract};
use kooste_model::ErrorKind;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Peak heap, counted by a global allocator: the memory bound is asserted, not the time.

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call forwards to the system allocator with the caller's own arguments; the
// counters are plain atomics and allocate nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live heap allowed at any moment of the sweep: one mutant at a time, each under the
/// default limits, needs far less; an unbounded allocation would pass it quickly.
const HEAP_BOUND: usize = 1 << 30;

/// Each mutant's deadline. Mutants take milliseconds; a parser that ignores its deadline
/// shows up as an `Ok` or non-timeout error long after it (see `overruns`).
const TIME_LIMIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// Where panics come from. The hook records each panic's location, contained or not, so that
// one inside our code is caught even where a parser boundary turned it into an error.

static PANICS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Records panics of the calling thread (the sweep's) silently; those of other threads (the
/// other test of this file) go to the hook that was there before, so their messages show.
fn install_panic_recorder() {
    let sweep = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != sweep {
            previous(info);
            return;
        }
        let at = info.location().map_or_else(
            || "unknown".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            String::new()
        };
        if let Ok(mut p) = PANICS.lock() {
            p.push((at, message));
        }
    }));
}

fn take_panics() -> Vec<(String, String)> {
    PANICS
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}

/// The third-party crate a panic location lies in (`calamine-0.38.0`), or `None` for ours
/// (a workspace path) or the standard library.
fn third_party_crate(location: &str) -> Option<String> {
    let (_, rest) = location.split_once("/registry/src/")?;
    // index-name/crate-version/src/...
    rest.split('/').nth(1).map(str::to_string)
}

fn is_ours(location: &str) -> bool {
    third_party_crate(location).is_none()
        && !location.starts_with("/rustc/")
        && !location.contains("/library/")
}

// ---------------------------------------------------------------------------------------
// The corpus and its sample.

/// The shared corpus, or `None` after saying that the test is skipped.
fn corpus() -> Option<PathBuf> {
    let found = match std::env::var_os("KOOSTE_CORPUS") {
        Some(dir) => Some(PathBuf::from(dir)).filter(|d| d.is_dir()),
        // The repository's sibling `shared/corpus`; a worktree sits one level deeper.
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .take(3)
            .map(|a| a.join("shared").join("corpus"))
            .find(|d| d.is_dir()),
    };
    if found.is_none() {
        eprintln!(
            "mutation_sweep: skipped: no shared corpus at ../shared/corpus (or KOOSTE_CORPUS)"
        );
    }
    found
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a whole number")),
        Err(_) => default,
    }
}

/// Up to `per_folder` files of at most `max_bytes` from each folder, spread evenly over the
/// folder's sorted listing so that the sample does not depend on the file system's order.
fn sample(root: &Path, per_folder: usize, max_bytes: u64) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    let mut out = Vec::new();
    for folder in folders {
        // pdftotext's reference texts are not drive files.
        if folder.file_name().is_some_and(|n| n == "_reference") {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= max_bytes)
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let n = files.len();
        let take = per_folder.min(n);
        out.extend((0..take).map(|i| files[i * n / take].clone()));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Mutations.

/// splitmix64: tiny, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Mutants with a flipped byte or a few, per file.
const FLIP_MUTANTS: usize = 8;

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]) as usize)
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// One central-directory record of a ZIP file, as far as the mutations need it.
struct Entry {
    /// Where the record starts and ends in the central directory.
    record: std::ops::Range<usize>,
    name: std::ops::Range<usize>,
    /// Where the member's compressed data lies.
    data: std::ops::Range<usize>,
    local_name: std::ops::Range<usize>,
}

struct ZipLayout {
    eocd: usize,
    cd_start: usize,
    entries: Vec<Entry>,
}

/// Reads the layout of a (non-ZIP64) ZIP file; `None` when it is not one we can take apart.
fn zip_layout(b: &[u8]) -> Option<ZipLayout> {
    let from = b.len().saturating_sub(22 + 65_535);
    let eocd = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(b, eocd + 10)?;
    let cd_start = u32_at(b, eocd + 16)?;
    let mut entries = Vec::new();
    let mut at = cd_start;
    for _ in 0..count {
        if !b.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let compressed = u32_at(b, at + 20)?;
        let (n, m, k) = (
            u16_at(b, at + 28)?,
            u16_at(b, at + 30)?,
            u16_at(b, at + 32)?,
        );
        let local = u32_at(b, at + 42)?;
        if !b.get(local..)?.starts_with(b"PK\x03\x04") {
            return None;
        }
        let (ln, lm) = (u16_at(b, local + 26)?, u16_at(b, local + 28)?);
        let data_start = local + 30 + ln + lm;
        if data_start + compressed > b.len() {
            return None;
        }
        entries.push(Entry {
            record: at..at + 46 + n + m + k,
            name: at + 46..at + 46 + n,
            data: data_start..data_start + compressed,
            local_name: local + 30..local + 30 + ln,
        });
        at += 46 + n + m + k;
    }
    Some(ZipLayout {
        eocd,
        cd_start,
        entries,
    })
}

fn mutants(bytes: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let len = bytes.len();
    let mut out = Vec::new();
    let mut cuts: Vec<usize> = vec![1, len / 10, len / 2, len * 9 / 10, len.saturating_sub(1)];
    cuts.retain(|&c| c > 0 && c < len);
    cuts.dedup();
    for c in cuts {
        out.push((format!("truncated to {c}"), bytes[..c].to_vec()));
    }
    if len > 0 {
        for i in 0..FLIP_MUTANTS {
            let mut m = bytes.to_vec();
            let flips = 1 + i;
            let mut at = Vec::with_capacity(flips);
            for _ in 0..flips {
                let p = rng.below(len);
                // XOR with a non-zero byte always changes it.
                m[p] ^= (rng.next() % 255 + 1) as u8;
                at.push(p);
            }
            out.push((format!("{flips} bytes flipped at {at:?}"), m));
        }
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return out;
    }
    let Some(zip) = zip_layout(bytes) else {
        return out;
    };
    let name = |e: &Entry| String::from_utf8_lossy(&bytes[e.name.clone()]).into_owned();
    // The largest member is most often the document's body.
    if let Some(big) = zip.entries.iter().max_by_key(|e| e.data.len())
        && big.data.len() >= 8
    {
        let mut m = bytes.to_vec();
        let mid = big.data.start + big.data.len() / 2;
        let end = (mid + 16).min(big.data.end);
        for b in &mut m[mid..end] {
            *b ^= 0xA5;
        }
        out.push((format!("member {} corrupted", name(big)), m));

        let mut m = bytes.to_vec();
        for r in [big.name.clone(), big.local_name.clone()] {
            if let Some(last) = r.last() {
                m[last] = if m[last] == b'X' { b'Y' } else { b'X' };
            }
        }
        out.push((format!("member {} renamed", name(big)), m));
    }
    if !zip.entries.is_empty() {
        let gone = rng.below(zip.entries.len());
        let mut m = bytes[..zip.cd_start].to_vec();
        let mut cd_len = 0;
        for (i, e) in zip.entries.iter().enumerate() {
            if i != gone {
                m.extend_from_slice(&bytes[e.record.clone()]);
                cd_len += e.record.len();
            }
        }
        let mut eocd = bytes[zip.eocd..].to_vec();
        let count = (zip.entries.len() - 1) as u16;
        eocd[8..10].copy_from_slice(&count.to_le_bytes());
        eocd[10..12].copy_from_slice(&count.to_le_bytes());
        eocd[12..16].copy_from_slice(&(cd_len as u32).to_le_bytes());
        m.extend_from_slice(&eocd);
        out.push((format!("member {} removed", name(&zip.entries[gone])), m));
    }
    // The central directory's first records overwritten, and the end record's pointer to it.
    let end = (zip.cd_start + 64).min(zip.eocd);
    if zip.cd_start + 4 < end {
        let mut m = bytes.to_vec();
        for b in &mut m[zip.cd_start + 4..end] {
            *b = 0xFF;
        }
        out.push(("central directory overwritten".to_string(), m));
    }
    let mut m = bytes.to_vec();
    m[zip.eocd + 16..zip.eocd + 20].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    out.push(("end record points past the file".to_string(), m));
    out
}

// ---------------------------------------------------------------------------------------
// The sweep.

#[derive(Default)]
struct Tally {
    counts: BTreeMap<&'static str, usize>,
    third_party: BTreeMap<String, Vec<String>>,
    ours: Vec<String>,
    overruns: Vec<String>,
    slowest: (Duration, String),
    /// ZIP mutants read as drive archives: outcomes of `archive_members` and of its members.
    archives: BTreeMap<&'static str, usize>,
    /// The most heap live at once while one mutant was read, and that mutant.
    hungriest: (usize, String),
    mutants: usize,
}

fn status(result: &Result<kooste_model::Document, Error>) -> &'static str {
    match result {
        Ok(d) if d.is_empty() => "ok-but-no-text",
        Ok(_) => "ok",
        Err(Error::Panic(_)) => "panic-contained",
        Err(e) => match e.kind() {
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Encrypted => "encrypted",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Io => "io",
        },
    }
}

fn sweep_one(tally: &mut Tally, label: &str, name: &str, bytes: &[u8], limits: &Limits) {
    take_panics();
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let started = Instant::now();
    let result = extract(name, bytes, &limits.start());
    let took = started.elapsed();
    let panics = take_panics();
    tally.mutants += 1;
    let status = status(&result);
    *tally.counts.entry(status).or_default() += 1;
    if took > tally.slowest.0 {
        tally.slowest = (took, format!("{label} -> {status}"));
    }
    // The deadline is checked in the parsers' loops, so a mutant that ends past twice its
    // limit without a timeout error has a loop that does not look at the deadline.
    if took > 2 * limits.time_limit && status != "timeout" {
        tally
            .overruns
            .push(format!("{label}: {status} after {took:?}"));
    }
    // A ZIP-based mutant is also read as a plain archive of the drive would be.
    if bytes.starts_with(b"PK") {
        let archive = match archive_members(bytes, &limits.start()) {
            Ok(archive) => {
                for m in &archive.members {
                    let key = match &m.bytes {
                        Ok(_) => "member read",
                        Err(Error::Panic(_)) => "member panic-contained",
                        Err(_) => "member failed",
                    };
                    *tally.archives.entry(key).or_default() += 1;
                }
                if archive.damaged.is_some() {
                    "listed from the whole members"
                } else {
                    "listed"
                }
            }
            Err(Error::Panic(_)) => "panic-contained",
            Err(_) => "refused",
        };
        *tally.archives.entry(archive).or_default() += 1;
    }
    let peak = PEAK.load(Ordering::Relaxed);
    if peak > tally.hungriest.0 {
        tally.hungriest = (peak, format!("{label} -> {status}"));
    }
    let panics = [panics, take_panics()].concat();
    for (at, message) in panics {
        let line = format!("{label}: {message} at {at}");
        match third_party_crate(&at) {
            Some(krate) => tally.third_party.entry(krate).or_default().push(line),
            None if is_ours(&at) => tally.ours.push(line),
            None => tally
                .third_party
                .entry("std (called from a dependency)".into())
                .or_default()
                .push(line),
        }
    }
}

#[test]
fn every_mutant_ends_in_a_document_or_a_typed_error() {
    let Some(root) = corpus() else {
        return;
    };
    let per_folder = env_number("KOOSTE_SWEEP_PER_FOLDER", 100) as usize;
    let max_bytes = env_number("KOOSTE_SWEEP_MAX_BYTES", 1 << 20);
    let seed = env_number("KOOSTE_SWEEP_SEED", 0x6B6F_6F73_7465);
    let files = sample(&root, per_folder, max_bytes);
    assert!(
        !files.is_empty(),
        "no corpus files under {}",
        root.display()
    );
    install_panic_recorder();
    let mut limits = Limits::default();
    limits.time_limit = TIME_LIMIT;
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    let started = Instant::now();
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("mutation_sweep: cannot read {rel}; left out");
            continue;
        };
        for (what, mutant) in mutants(&bytes, &mut rng) {
            sweep_one(
                &mut tally,
                &format!("{rel} ({what})"),
                &rel,
                &mutant,
                &limits,
            );
        }
    }
    // Back to the default hook, so that the assertions below report as usual.
    let _ = std::panic::take_hook();
    let peak = tally.hungriest.0;

    println!(
        "mutation sweep: {} files ({} per folder, <= {} bytes, seed {seed}), {} mutants in {:.1?}",
        files.len(),
        per_folder,
        max_bytes,
        tally.mutants,
        started.elapsed()
    );
    for (status, n) in &tally.counts {
        println!("  {status:<16} {n}");
    }
    println!("  as drive archives (ZIP mutants through archive_members):");
    for (outcome, n) in &tally.archives {
        println!("    {outcome:<22} {n}");
    }
    println!("  slowest: {:?} {}", tally.slowest.0, tally.slowest.1);
    println!(
        "  peak heap: {:.1} MiB, {}",
        peak as f64 / (1 << 20) as f64,
        tally.hungriest.1
    );
    for (krate, lines) in &tally.third_party {
        println!("  contained panics in {krate}: {}", lines.len());
        for l in lines.iter().take(50) {
            println!("    {l}");
        }
    }

    assert!(
        tally.ours.is_empty(),
        "panics in our code ({}):\n{}",
        tally.ours.len(),
        tally.ours.join("\n")
    );
    assert!(
        tally.overruns.is_empty(),
        "mutants that ran past their deadline without a timeout error:\n{}",
        tally.overruns.join("\n")
    );
    assert!(
        peak < HEAP_BOUND,
        "peak heap {peak} bytes, over the bound of {HEAP_BOUND}"
    );
    let panicked = tally.counts.get("panic-contained").copied().unwrap_or(0);
    let listed: usize = tally.third_party.values().map(Vec::len).sum();
    assert!(
        panicked <= listed,
        "{panicked} mutants ended in a contained panic but only {listed} third-party panics were seen"
    );
}

/// The deadline that bounds every mutant above is honoured by every extractor: a file that
/// reads fine in time ends in the timeout error, not a document, once its deadline has
/// passed. One file per corpus folder, the first that reads.
#[test]
fn every_extractor_stops_at_its_deadline() {
    let Some(root) = corpus() else {
        return;
    };
    let max_bytes = env_number("KOOSTE_SWEEP_MAX_BYTES", 1 << 20);
    let mut expired = Limits::default();
    expired.time_limit = Duration::ZERO;
    let mut checked = Vec::new();
    let mut ignored = Vec::new();
    let files = sample(&root, 20, max_bytes);
    let mut done_folders = std::collections::BTreeSet::new();
    for path in &files {
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if done_folders.contains(&folder) {
            continue;
        }
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if !extract(&rel, &bytes, &Limits::default().start()).is_ok_and(|d| !d.is_empty()) {
            continue;
        }
        done_folders.insert(folder);
        let limits = expired.start();
        // The deadline is `now`: any check after this line finds it passed.
        std::thread::sleep(Duration::from_millis(2));
        match extract(&rel, &bytes, &limits) {
            Err(Error::Timeout(_)) => checked.push(rel),
            other => ignored.push(format!("{rel}: {}", status(&other))),
        }
    }
    println!(
        "deadline honoured by {} files of {} folders: {}",
        checked.len(),
        done_folders.len(),
        checked.join(", ")
    );
    assert!(!checked.is_empty(), "no corpus file read in time");
    assert!(
        ignored.is_empty(),
        "read to the end past an expired deadline:\n{}",
        ignored.join("\n")
    );
}
