//! Writing a run's outputs: every file rendered in memory first, then written beside its
//! target and renamed into place, so that a failed run leaves the previous summary intact
//! and no reader ever sees half a file. Also reading the drive's annotations, which the
//! outputs apply over the rules.

use crate::PipelineError;
use kooste_annotations::{Annotations, Curation, TABLE_FILES, TOML_FILE};
use kooste_model::{Changes, Index, View};
use kooste_report::{
    PreviousRun, SummaryOptions, audit, changes, changes_markdown, summary_leaving_out,
    summary_markdown, write_audit_markdown, write_index_json, write_summary_html,
    write_summary_xlsx, write_themes_csv,
};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// An annotations file larger than this is not a hand-written one.
const ANNOTATIONS_MAX_BYTES: u64 = 16 * 1024 * 1024;

pub struct OutputOptions<'a> {
    /// The summary's language, examples, introduction and the drive's curation.
    pub summary: SummaryOptions,
    /// The cache database of OUT, whose index tables describe the previous run; without
    /// one (or when they are empty) the previous `index.json` is read instead.
    pub cache: Option<&'a crate::Cache>,
}

/// Reads the drive's annotations (`kooste.toml`, `kooste-annotations.xlsx|ods|xls|csv` at
/// its root, names in any letter case) and applies their corrections to the index. Returns
/// the curated answers and example choices for the outputs; an empty curation when the
/// drive has no annotations. A file that cannot be parsed is an error: curated content must
/// not vanish from the summary unnoticed.
pub fn annotate(index: &mut Index, drive: &Path) -> Result<Curation, PipelineError> {
    let annotations = read_annotations(drive)?;
    kooste_annotations::apply(index, &annotations).map_err(PipelineError::Materials)
}

/// A hash of the drive's annotations files, names and contents, for telling whether they
/// changed since an earlier run.
pub fn annotations_fingerprint(drive: &Path) -> String {
    let mut h = blake3::Hasher::new();
    for (name, path) in annotation_files(drive) {
        h.update(name.as_bytes());
        h.update(b"\0");
        match std::fs::File::open(&path).and_then(|f| h.update_reader(f).map(|_| ())) {
            Ok(()) => {}
            // Unreadable now: never equal to a fingerprint of readable annotations.
            Err(e) => {
                h.update(format!("\0unreadable: {e}").as_bytes());
            }
        }
        h.update(b"\n");
    }
    h.finalize().to_hex().to_string()
}

/// The annotations files at the drive's root, in the order they are applied.
fn annotation_files(drive: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(drive) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if kooste_annotations::is_annotations_file(&name) && e.path().is_file() {
                found.push((name, e.path()));
            }
        }
    }
    // TOML first, so that a table's values win where both annotate one material.
    found.sort_by_key(|(name, _)| {
        let lower = name.to_lowercase();
        (
            lower != TOML_FILE,
            TABLE_FILES.iter().position(|t| *t == lower),
            name.clone(),
        )
    });
    found
}

pub(crate) fn read_annotations(drive: &Path) -> Result<Annotations, PipelineError> {
    let mut all = Annotations::default();
    for (name, path) in annotation_files(drive) {
        let bad = |message: String| PipelineError::Annotations {
            path: path.clone(),
            message,
        };
        let bytes = crate::read_within(&path, ANNOTATIONS_MAX_BYTES)
            .map_err(|(_, message)| bad(message))?;
        let lower = name.to_lowercase();
        let parsed = if lower == TOML_FILE {
            let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".to_string()))?;
            kooste_annotations::parse_toml(&text, &name)
        } else if kooste_extract::table_kind(&lower) == Some(kooste_extract::TableKind::Csv) {
            let text = kooste_extract::decode_text(&bytes);
            let rows = kooste_classify::csv_rows(&text).map_err(|e| bad(e.to_string()))?;
            kooste_annotations::parse_rows(&rows, &name)
        } else {
            let table =
                kooste_extract::first_sheet_table(&bytes, &kooste_extract::Limits::default())
                    .map_err(|e| bad(e.to_string()))?;
            // Only the first sheet is read: its name tells a person which one that was.
            let origin = format!("{name}, sheet {:?}", table.sheet);
            kooste_annotations::parse_rows_at(&table.rows, &origin, table.origin.0)
        };
        let parsed = parsed.map_err(|e| match e {
            kooste_annotations::AnnotationsError::Invalid { message, .. } => bad(message),
        })?;
        all.merge(parsed);
    }
    Ok(all)
}

/// Writes `kooste.md`, `kooste.html`, `kooste.xlsx`, `index.json`, `themes.csv`,
/// `audit.md`, and `changes.md` when OUT held an index from an earlier run. Returns the
/// paths written.
pub fn write_outputs(
    out: &Path,
    drive: &Path,
    index: &mut Index,
    options: &OutputOptions<'_>,
) -> Result<Vec<PathBuf>, PipelineError> {
    index.changes = None;
    let (written, changes) = write_outputs_of(out, drive, index.view(), options)?;
    index.changes = changes;
    Ok(written)
}

/// [`write_outputs`] for the materials `view` reads; returns the paths written and the
/// changes since the previous run, if there was one.
pub(crate) fn write_outputs_of(
    out: &Path,
    drive: &Path,
    view: View<'_>,
    options: &OutputOptions<'_>,
) -> Result<(Vec<PathBuf>, Option<Changes>), PipelineError> {
    let beside = Beside {
        stage: &|_| Ok(()),
        changes: None,
    };
    write_outputs_beside(out, drive, view, options, &beside)
}

/// What a scan adds to [`write_outputs`] from what it knows of the drive's files.
pub(crate) struct Beside<'a> {
    /// Run with the run's materials while the outputs are made; nothing is renamed into
    /// place unless it succeeds too.
    pub stage: &'a (dyn Fn(View<'_>) -> Result<(), PipelineError> + Sync),
    /// The changes since the previous run, when they can be had for less than comparing
    /// the whole previous run.
    pub changes: Option<&'a ChangesOf<'a>>,
}

/// Works out the changes since the previous run for the run's materials, or gives up
/// (`None`).
pub(crate) type ChangesOf<'a> = dyn Fn(View<'_>) -> Option<Changes> + Sync + 'a;

/// [`write_outputs`] with what a scan adds ([`Beside`]). Returns the paths written and the
/// changes since the previous run, if there was one.
pub(crate) fn write_outputs_beside(
    out: &Path,
    drive: &Path,
    view: View<'_>,
    options: &OutputOptions<'_>,
    beside: &Beside<'_>,
) -> Result<(Vec<PathBuf>, Option<Changes>), PipelineError> {
    let cache = options.cache;
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PipelineError::Output { path, source }
    };
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let mut options = options.summary.clone();
    if options.link_prefix.is_empty() {
        options.link_prefix = link_prefix(out, drive);
    }
    // The database index rows are written beside the outputs, from the summary's start to
    // the last rendering. On a first run those rows take longer than the summary.
    let (staged, rendered) = rayon::join(
        || (beside.stage)(view),
        || render_outputs(out, view, &options, cache, beside),
    );
    let (results, changed) = rendered?;
    let mut staged_files: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut failed = None;
    for (tmp, name, result) in results {
        match result {
            Ok(()) => staged_files.push((tmp, out.join(name))),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                failed.get_or_insert(io_err(&tmp)(e));
            }
        }
    }
    if let Some(e) = failed.or(staged.err()) {
        for (tmp, _) in &staged_files {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    // A target that a rename cannot replace (a folder of that name) fails before any
    // output is replaced, so that the outputs stay of one run.
    let blocked = staged_files.iter().find(|(_, target)| target.is_dir());
    if let Some((_, target)) = blocked {
        let e = io_err(target)(std::io::Error::other(
            "a folder of this name is in the way of the output",
        ));
        for (tmp, _) in &staged_files {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    let mut written = Vec::new();
    let mut staged = staged_files.into_iter();
    while let Some((tmp, target)) = staged.next() {
        if let Err(e) = std::fs::rename(&tmp, &target) {
            // Nothing of this run is left behind under a temporary name.
            let _ = std::fs::remove_file(&tmp);
            for (tmp, _) in staged {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(io_err(&target)(e));
        }
        written.push(target);
    }
    // A change report of an earlier run would describe changes this run did not see.
    if changed.is_none() {
        let stale = out.join("changes.md");
        if stale.is_file() {
            std::fs::remove_file(&stale).map_err(io_err(&stale))?;
        }
    }
    Ok((written, changed))
}

/// Each output's temporary file, its name, and how writing it went.
type Rendered = Vec<(PathBuf, &'static str, std::io::Result<()>)>;

/// Works out the summary, the audit and the changes since the previous run, and renders
/// every output into its temporary file. Returns the renderings and the changes.
fn render_outputs(
    out: &Path,
    view: View<'_>,
    options: &SummaryOptions,
    cache: Option<&crate::Cache>,
    beside: &Beside<'_>,
) -> Result<(Rendered, Option<Changes>), PipelineError> {
    let lang = options.lang;
    // The table of themes needs neither the audit nor the summary: it is written beside them.
    let csv: Render<'_> = Box::new(|w: &mut Output| write_themes_csv(w, view));
    // The summary leaves out what the audit finds superseded, so it follows the audit; the
    // changes since the previous run are worked out beside the two.
    let ((decided, changed), csv) = rayon::join(
        || {
            rayon::join(
                || {
                    let a = audit(view)?;
                    let s = summary_leaving_out(view, options, a.superseded())?;
                    Ok((s, a))
                },
                || {
                    // Only when there is a previous index.json: the change report compares
                    // outputs.
                    if !out.join("index.json").is_file() {
                        return None;
                    }
                    if let Some(c) = beside.changes.and_then(|changes| changes(view)) {
                        return Some(Ok(c));
                    }
                    // The bytes of the previous index are dropped as soon as its few fields
                    // are read.
                    cache
                        .and_then(crate::Cache::previous_run)
                        .or_else(|| {
                            std::fs::read(out.join("index.json"))
                                .ok()
                                .and_then(|bytes| PreviousRun::from_index_json(&bytes))
                        })
                        .map(|prev| changes(&prev, view))
                },
            )
        },
        || render_into(out, "themes.csv", &csv),
    );
    let decided = decided.and_then(|d| Ok((d, changed.transpose()?)));
    let ((s, mut a), changed) = match decided {
        Ok(decided) => decided,
        Err(e) => {
            let _ = std::fs::remove_file(&csv.0);
            return Err(PipelineError::Materials(e));
        }
    };
    a.annotation_sources = options.curation.sources.clone();
    a.annotation_warnings = options.curation.warnings.clone();
    let changes = changed.as_ref();
    // Each output is rendered straight into its temporary file, one at a time, so memory
    // holds at most one rendering, not all of them. All temporaries are written before any
    // is renamed, so a full disk fails before anything moves.
    // The workbook takes about as long as all the rest together: it goes first, on a thread
    // of its own, and the others share what is left.
    let mut renders: Vec<(&'static str, Render<'_>)> = vec![
        (
            "kooste.xlsx",
            Box::new(|w: &mut Output| {
                write_summary_xlsx(w, &s, view, &a, &options.link_prefix).map_err(Into::into)
            }),
        ),
        (
            "index.json",
            Box::new(|w: &mut Output| write_index_json(w, view, Some(&s), changes)),
        ),
        (
            "kooste.html",
            Box::new(|w: &mut Output| write_summary_html(w, &s, view, &a, &options.link_prefix)),
        ),
        ("kooste.md", text(|| summary_markdown(&s))),
        (
            "audit.md",
            Box::new(|w: &mut Output| write_audit_markdown(w, &a, lang)),
        ),
    ];
    if let Some(c) = changes {
        renders.push((
            "changes.md",
            text(move || changes_markdown(c, view.themes, lang)),
        ));
    }
    // The renderings run side by side (the workbook alone takes as long as the rest).
    let mut results: Rendered = renders
        .par_iter()
        .with_max_len(1)
        .map(|(name, render)| render_into(out, name, render))
        .collect();
    drop(renders);
    results.push(csv);
    Ok((results, changed))
}

/// Renders the output `name` into its temporary file in `out`.
fn render_into(
    out: &Path,
    name: &'static str,
    render: &Render<'_>,
) -> (PathBuf, &'static str, std::io::Result<()>) {
    let tmp = out.join(format!(".{name}.tmp"));
    let written = std::fs::File::create(&tmp).and_then(|file| {
        // Large writes: the biggest outputs run to megabytes.
        let mut w = std::io::BufWriter::with_capacity(1 << 18, file);
        render(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    (tmp, name, written)
}

/// The temporary file an output is rendered into.
type Output = std::io::BufWriter<std::fs::File>;

/// One output file, rendered into its temporary file.
type Render<'r> = Box<dyn Fn(&mut Output) -> std::io::Result<()> + Send + Sync + 'r>;

/// An output rendered as text.
fn text<'r>(render: impl Fn() -> String + Send + Sync + 'r) -> Render<'r> {
    Box::new(move |w: &mut Output| w.write_all(render().as_bytes()))
}

/// The relative path from the output folder to the drive, with a trailing slash, so links in
/// the summary open the files wherever the two folders are moved together.
pub(crate) fn link_prefix(out: &Path, drive: &Path) -> String {
    let (Ok(out), Ok(drive)) = (out.canonicalize(), drive.canonicalize()) else {
        return format!("{}/", drive.display());
    };
    let o: Vec<Component<'_>> = out.components().collect();
    let d: Vec<Component<'_>> = drive.components().collect();
    let common = o.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); o.len() - common];
    parts.extend(
        d[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_prefix_climbs_out_of_the_output_folder() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = root.path().join("out");
        let drive = root.path().join("fixtures/sharedrive");
        std::fs::create_dir_all(&out).unwrap_or_default();
        std::fs::create_dir_all(&drive).unwrap_or_default();
        assert_eq!(link_prefix(&out, &drive), "../fixtures/sharedrive/");
        assert_eq!(link_prefix(&drive, &drive), "");
    }

    fn write(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    #[test]
    fn annotations_are_read_from_the_drive_root_toml_then_table() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = root.path();
        write(
            &d.join("Kooste.TOML"),
            "[summary]\nexamples = 1\n[[material]]\nfile = \"a.txt\"\nwhy = \"toml\"\nbusiness = \"toml\"\n",
        );
        write(
            &d.join("kooste-annotations.csv"),
            "\u{feff}file,why\na.txt,taulukko\n",
        );
        let a = read_annotations(d).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.sources, ["Kooste.TOML", "kooste-annotations.csv"]);
        assert_eq!(a.summary.examples, Some(1));
        assert_eq!(a.materials.len(), 2);
        assert_eq!(a.materials[1].why, ["taulukko"]);
    }

    #[test]
    fn a_broken_annotations_file_is_an_error_naming_it() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(&root.path().join("kooste.toml"), "[[material]\n");
        let e = read_annotations(root.path()).map(|_| ());
        assert!(
            matches!(&e, Err(PipelineError::Annotations { path, .. }) if path.ends_with("kooste.toml")),
            "{e:?}"
        );
        // No annotations at all is no error.
        let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            read_annotations(empty.path())
                .map(|a| a.is_empty())
                .unwrap_or(false)
        );
    }
}
