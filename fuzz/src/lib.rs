//! What the fuzz targets share: each feeds libFuzzer's bytes to a production entry point with
//! the production limits.
//!
//! `kooste_extract::extract` contains a parser's panic as `Error::Panic`, which is the
//! intended behaviour for a third-party parser that gives up on a malformed file. libFuzzer's
//! panic hook would abort on those all the same and stop every run at the first known
//! third-party panic, so the hook installed here aborts (a crash for libFuzzer) only for a
//! panic raised in kooste's own code and reports the others once per location on stderr.
//! Aborts that no hook sees (allocation failure, stack overflow) and libFuzzer's memory and
//! time limits are crashes as usual.

use kooste_extract::Limits;
use std::collections::HashSet;
use std::panic::PanicHookInfo;
use std::sync::{Mutex, Once};

static HOOK: Once = Once::new();
static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn install_hook() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if is_own_code(&location) {
                eprintln!("panic in kooste's own code at {location}: {message}");
                std::process::abort();
            }
            let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
            if seen
                .get_or_insert_with(HashSet::new)
                .insert(location.clone())
            {
                eprintln!("contained third-party panic at {location}: {message}");
            }
        }));
    });
}

/// Sources of the workspace's crates, not a dependency from the registry or the standard
/// library (whose panics, such as a capacity overflow, are raised for their caller).
fn is_own_code(location: &str) -> bool {
    location.contains("crates/")
        && !location.contains("/.cargo/registry/")
        && !location.contains("/.cargo/git/")
}

/// Extracts `data` as a file called `name`, as the pipeline's worker does.
pub fn extract(name: &str, data: &[u8]) {
    install_hook();
    let _ = kooste_extract::extract(name, data, &Limits::default().start());
}

/// A spreadsheet is also read as a table of rules or annotations.
pub fn extract_and_table(name: &str, data: &[u8]) {
    extract(name, data);
    let _ = kooste_extract::first_sheet_rows(data, &Limits::default());
}

/// A rules file, as TOML and as a CSV table.
pub fn rules(data: &[u8]) {
    install_hook();
    let text = String::from_utf8_lossy(data);
    let _ = kooste_classify::Rules::from_toml(&text);
    if let Ok(rows) = kooste_classify::csv_rows(&text) {
        let _ = kooste_classify::Rules::from_rows(&rows);
    }
}

/// A labels CSV for the evaluation.
pub fn labels(data: &[u8]) {
    install_hook();
    let _ = kooste_classify::parse_labels(&String::from_utf8_lossy(data));
}

/// An annotations file, as `kooste.toml` and as `kooste-annotations.csv`.
pub fn annotations(data: &[u8]) {
    install_hook();
    let text = String::from_utf8_lossy(data);
    let _ = kooste_annotations::parse_toml(&text, "kooste.toml");
    if let Ok(rows) = kooste_classify::csv_rows(text.trim_start_matches('\u{feff}')) {
        let _ = kooste_annotations::parse_rows(&rows, "kooste-annotations.csv");
    }
}

/// A ZIP archive on the drive: its members listed, and each read member extracted by its
/// name, as the pipeline treats archives.
pub fn archive(data: &[u8]) {
    install_hook();
    let limits = Limits::default();
    if let Ok(members) = kooste_extract::archive_members(data, &limits) {
        for m in members {
            if let Ok(bytes) = m.bytes {
                let _ = kooste_extract::extract(&m.name, &bytes, &limits.start());
            }
        }
    }
}

/// Text as extraction delivers it (pages split at form feeds), classified with the default
/// rules: normalisation, the matcher and the scoring on any text.
pub fn classify(data: &[u8]) {
    use std::sync::OnceLock;
    static CLASSIFIER: OnceLock<kooste_classify::Classifier> = OnceLock::new();
    install_hook();
    let classifier = CLASSIFIER
        .get_or_init(|| kooste_classify::Classifier::new(&kooste_classify::Rules::default_rules()));
    let text = String::from_utf8_lossy(data);
    let pages: Vec<kooste_model::Page> = text
        .split('\u{c}')
        .zip(1u32..)
        .map(|(t, n)| kooste_model::Page::new(n, t.to_string()))
        .collect();
    let title = pages
        .first()
        .and_then(|p| p.text.lines().next())
        .map(str::to_string);
    let _ = classifier.classify(&kooste_classify::MaterialText {
        path: "Espoo/TP2/fuzz.txt",
        title: title.as_deref(),
        author: None,
        pages: &pages,
    });
}
